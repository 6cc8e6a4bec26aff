"""Per-source fetch state: persisted as JSON, validators tied to their URL, backoff after errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ingest.state import SourceState, SourceStateError, SourceStateStore

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://g.example/feed"


def test_unknown_source_starts_empty(tmp_path):
    state = SourceStateStore(tmp_path).get("gradient-notes")
    assert state == SourceState(source_id="gradient-notes")
    assert state.is_due(NOW)


def test_save_and_load_round_trip(tmp_path):
    store = SourceStateStore(tmp_path)
    state = store.get("gradient-notes")
    state.record_success(NOW, URL, '"abc"', "Sat, 01 Jun 2024 11:00:00 GMT", "malformed feed")
    store.save(state)
    assert store.path("gradient-notes") == tmp_path / "feed-state" / "gradient-notes.json"
    assert SourceStateStore(tmp_path).get("gradient-notes") == state
    assert json.loads(store.path("gradient-notes").read_text())["last_success"] == "2024-06-01T12:00:00Z"
    assert store.all() == [state]


def test_validators_belong_to_their_url():
    state = SourceState("s")
    state.record_success(NOW, URL, '"abc"', "Sat, 01 Jun 2024 11:00:00 GMT", None)
    assert state.validators_for(URL) == ('"abc"', "Sat, 01 Jun 2024 11:00:00 GMT")
    assert state.validators_for("https://g.example/new-feed") == (None, None)


def test_first_failures_keep_the_schedule_then_backoff_doubles_up_to_a_day():
    state = SourceState("s")
    delays = []
    for _ in range(10):
        state.record_error(NOW, "boom")
        delays.append(None if state.next_check is None else state.next_check - NOW)
    assert delays[:2] == [None, None]  # one or two failures: retried on the usual schedule
    assert delays[2:6] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4), timedelta(hours=8)]
    assert delays[-1] == timedelta(hours=24)
    assert state.error_count == 10 and state.last_error == "boom"
    assert not state.is_due(NOW + timedelta(hours=23))
    assert state.is_due(NOW + timedelta(hours=24))


def test_backoff_threshold_and_base_follow_the_source():
    state = SourceState("s")
    state.record_error(NOW, "boom", failures_before_backoff=1, interval=timedelta(hours=2))
    assert state.next_check == NOW + timedelta(hours=4)  # twice the source's own interval
    state.record_error(NOW, "boom", failures_before_backoff=1, interval=timedelta(hours=2))
    assert state.next_check == NOW + timedelta(hours=8)


def test_retry_after_wins_when_longer_and_success_resets():
    state = SourceState("s")
    state.record_error(NOW, "HTTP 429", retry_after=7200)
    assert state.error_count == 1 and state.next_check == NOW + timedelta(hours=2)  # honoured from the first error
    state.record_success(NOW, URL, None, None, None)
    assert state.error_count == 0 and state.last_error is None and state.next_check is None


def test_not_modified_refreshes_validators_it_is_given_and_keeps_the_rest():
    state = SourceState("s")
    state.record_success(NOW, URL, '"v1"', "Sat, 01 Jun 2024 11:00:00 GMT", "w", body_hash="abc")
    state.record_error(NOW, "boom")
    state.record_not_modified(NOW + timedelta(hours=1), URL, None, "Sat, 01 Jun 2024 12:00:00 GMT")
    assert (state.etag, state.last_modified) == ('"v1"', "Sat, 01 Jun 2024 12:00:00 GMT")
    assert state.body_hash_for(URL) == "abc" and state.warning == "w"
    assert state.error_count == 0 and state.last_success == NOW + timedelta(hours=1)


def test_a_permanent_move_is_followed_until_the_configured_url_changes():
    state = SourceState("s")
    state.record_success(NOW, URL, '"v1"', None, None, body_hash="abc", moved_to="https://new.example/feed")
    assert state.url_to_fetch(URL) == "https://new.example/feed"
    state.record_not_modified(NOW, URL, None, None)  # fetched from the new address: no redirect any more
    assert state.url_to_fetch(URL) == "https://new.example/feed"
    edited = "https://edited.example/feed"
    assert state.url_to_fetch(edited) == edited and state.body_hash_for(edited) is None
    state.record_success(NOW, edited, None, None, None)
    assert state.moved_to is None
    state.record_success(NOW, edited, None, None, None, moved_to=edited)  # redirected back home: no move
    assert state.moved_to is None


def test_summary_for_sources_list():
    state = SourceState("s")
    assert state.summary(NOW).status == "new"
    state.record_success(NOW, URL, None, None, None, moved_to="https://new.example/feed")
    ok = state.summary(NOW, interval=timedelta(minutes=30))
    assert (ok.status, ok.next_check, ok.moved_to) == ("ok", NOW + timedelta(minutes=30), "https://new.example/feed")
    assert state.summary(NOW + timedelta(hours=1), interval=timedelta(minutes=30)).next_check is None  # due now
    state.record_success(NOW, URL, None, None, "malformed feed")
    assert state.summary(NOW).status == "warning"
    for _ in range(3):
        state.record_error(NOW, "HTTP 500")
    backing_off = state.summary(NOW, interval=timedelta(minutes=30))
    assert (backing_off.status, backing_off.error_count, backing_off.last_error) == ("backing off", 3, "HTTP 500")
    assert backing_off.next_check == NOW + timedelta(hours=1)
    assert state.summary(NOW + timedelta(hours=2)).status == "failing"
    assert backing_off.last_success == NOW and backing_off.last_fetch == NOW


@pytest.mark.parametrize("content", ["{not json", "[]", '{"source_id": "other"}'])
def test_unreadable_state_is_a_clear_error(tmp_path, content):
    store = SourceStateStore(tmp_path)
    store.path("s").parent.mkdir(parents=True)
    store.path("s").write_text(content)
    with pytest.raises(SourceStateError, match=r"feed-state/s\.json"):
        store.get("s")
