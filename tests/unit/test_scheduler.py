"""Which sources are due, given their state on disk, their intervals and jitter; the loop survives a bad pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ingest.scheduler import SchedulePolicy, Scheduler, due_sources, jitter, next_due, seconds_until_due
from ingest.sources import Source
from ingest.state import SourceStateStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = SchedulePolicy(default_interval=timedelta(minutes=60), jitter=0.1, min_wait=1.0, max_wait=300.0)


def src(name: str, interval: int | None = None) -> Source:
    return Source(id=name, name=name, feed_url=f"https://{name}.example/feed", tier=2, domains=("x",),
                  poll_interval=interval)


def fetched(store: SourceStateStore, source: Source, when: datetime) -> None:
    state = store.get(source.id)
    state.record_success(when, source.feed_url, None, None, None)
    store.save(state)


@pytest.fixture
def store(tmp_path) -> SourceStateStore:
    return SourceStateStore(tmp_path)


def test_never_fetched_is_due_at_once(store):
    assert next_due(src("a"), store.get("a"), POLICY) is None
    assert due_sources([src("a")], store, T0, POLICY) == [src("a")]


def test_due_after_interval_plus_stable_jitter(store):
    a = src("a")
    fetched(store, a, T0)
    when = next_due(a, store.get("a"), POLICY)
    assert T0 + timedelta(minutes=60) <= when < T0 + timedelta(minutes=66)
    assert next_due(a, store.get("a"), POLICY) == when  # the same state, the same answer
    assert due_sources([a], store, when - timedelta(seconds=1), POLICY) == []
    assert due_sources([a], store, when, POLICY) == [a]


def test_jitter_spreads_sources_and_fetches():
    spread = {jitter(f"s{i}", T0, timedelta(hours=1), 0.1) for i in range(50)}
    assert len(spread) == 50 and all(timedelta(0) <= j < timedelta(minutes=6) for j in spread)
    assert max(spread) - min(spread) > timedelta(minutes=4)
    assert jitter("s", T0, timedelta(hours=1), 0.1) != jitter("s", T0 + timedelta(hours=1), timedelta(hours=1), 0.1)
    assert jitter("s", T0, timedelta(hours=1), 0.0) == timedelta(0)


def test_a_sources_own_interval_wins(store):
    fast, slow = src("fast", interval=10), src("slow")
    for source in (fast, slow):
        fetched(store, source, T0)
    assert due_sources([fast, slow], store, T0 + timedelta(minutes=12), POLICY) == [fast]
    assert set(due_sources([fast, slow], store, T0 + timedelta(minutes=67), POLICY)) == {fast, slow}


def test_backoff_and_retry_after_hold_a_source_back(store):
    a = src("a")
    state = store.get("a")
    state.record_success(T0, a.feed_url, None, None, None)
    state.next_check = T0 + timedelta(hours=5)  # backoff, or a server's Retry-After
    store.save(state)
    assert due_sources([a], store, T0 + timedelta(hours=2), POLICY) == []
    assert due_sources([a], store, T0 + timedelta(hours=5), POLICY) == [a]
    state.next_check = T0 + timedelta(minutes=1)  # shorter than the interval: the interval still applies
    store.save(state)
    assert due_sources([a], store, T0 + timedelta(minutes=30), POLICY) == []


def test_a_changed_feed_url_is_due_at_once(store):
    a = src("a")
    fetched(store, a, T0)
    moved = Source(id="a", name="a", feed_url="https://new.example/feed", tier=2, domains=("x",))
    assert due_sources([moved], store, T0 + timedelta(minutes=1), POLICY) == [moved]


def test_longest_overdue_first_and_unreadable_state_left_out(store, caplog):
    a, b, c, broken = src("a"), src("b"), src("c"), src("broken")
    fetched(store, a, T0 - timedelta(hours=1))
    fetched(store, b, T0 - timedelta(hours=3))
    store.path("broken").parent.mkdir(parents=True, exist_ok=True)
    store.path("broken").write_text("{not json", encoding="utf-8")
    assert due_sources([a, broken, b, c], store, T0 + timedelta(hours=1), POLICY) == [c, b, a]
    assert "broken is not scheduled" in caplog.text


def test_healthy_sources_go_before_failing_ones(store):
    healthy, failing = src("healthy"), src("failing")
    fetched(store, healthy, T0 - timedelta(hours=1))
    state = store.get("failing")
    state.record_error(T0 - timedelta(hours=3), "timed out")
    state.next_check = None  # due again (the backoff, if any, has passed)
    store.save(state)
    assert due_sources([failing, healthy], store, T0 + timedelta(hours=1), POLICY) == [healthy, failing]


def test_seconds_until_due_is_bounded(store):
    a = src("a")
    assert seconds_until_due([a], store, T0, POLICY) == POLICY.min_wait  # due now: the shortest sleep
    fetched(store, a, T0)
    assert seconds_until_due([a], store, T0, POLICY) == POLICY.max_wait
    near = SchedulePolicy(default_interval=timedelta(seconds=30), jitter=0.0, min_wait=1.0, max_wait=300.0)
    assert seconds_until_due([a], store, T0 + timedelta(seconds=10), near) == pytest.approx(20.0)
    assert seconds_until_due([], store, T0, POLICY) == POLICY.max_wait


def test_run_pending_calls_the_job_only_when_something_is_due(store):
    a = src("a")
    clock = [T0]
    calls: list[datetime] = []

    def job(now: datetime) -> None:
        calls.append(now)
        fetched(store, a, now)

    scheduler = Scheduler(job, lambda: [a], store, POLICY, clock=lambda: clock[0])
    assert scheduler.run_pending() is True and calls == [T0]
    clock[0] = T0 + timedelta(minutes=30)
    assert scheduler.run_pending() is False and calls == [T0]
    clock[0] = T0 + timedelta(minutes=70)
    assert scheduler.run_pending() is True and calls == [T0, clock[0]]


def test_the_loop_outlives_a_failing_pass_and_stops_when_asked(store):
    a = src("a")
    attempts = threading.Semaphore(0)

    def job(now: datetime) -> None:
        attempts.release()
        raise RuntimeError("a bug in one pass")

    quick = SchedulePolicy(default_interval=timedelta(seconds=1), min_wait=0.01, max_wait=0.05)
    with Scheduler(job, lambda: [a], store, quick) as scheduler:
        for _ in range(3):
            assert attempts.acquire(timeout=5), "the loop stopped after a failed pass"
    assert not scheduler.running
    assert scheduler.failed_passes >= 3 and scheduler.passes >= 3
