"""When to poll each source, and the loop that polls them (`wikigraph watch`, `wikigraph serve --watch`).

A source is due when its interval (its own `poll_interval`, else the default) plus a little jitter has passed since
its last fetch (the start of the pass that fetched it), and not before the state's `next_check` (set by backoff
after repeated failures, or by a server's Retry-After). Jitter spreads sources that share an interval so they do
not all fire at once; it is derived from the source and its last fetch time, so the same state always gives the
same answer (and `sources list` can show it).

The loop runs in one worker thread in the process that holds the stores (the API's, with `serve --watch`): each
pass hands the clock time to a job that refreshes the due sources, then summarises and syncs. Feed problems never
raise out of a refresh (they are recorded on the failing source, which then waits for its backoff), and healthy
sources are fetched first in each pass, so a bad source never delays a good one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Self

from graph.errors import WikigraphError
from ingest.sources import Source
from ingest.state import SourceState, SourceStateError, SourceStateStore

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(minutes=60)


@dataclass(frozen=True)
class SchedulePolicy:
    default_interval: timedelta = DEFAULT_INTERVAL
    # Up to this fraction of the interval is added to each wait.
    jitter: float = 0.1
    # Seconds the loop sleeps at least (never spins) and at most (sources.yaml is re-read at least this often).
    min_wait: float = 1.0
    max_wait: float = 60.0

    @classmethod
    def from_minutes(cls, default_minutes: int, **overrides) -> SchedulePolicy:
        return cls(default_interval=timedelta(minutes=default_minutes), **overrides)

    def interval(self, source: Source) -> timedelta:
        minutes = getattr(source, "poll_interval", None)
        return timedelta(minutes=minutes) if minutes else self.default_interval


def jitter(source_id: str, last_fetch: datetime, interval: timedelta, fraction: float) -> timedelta:
    """A stable pseudo-random share of `fraction * interval` for this source and this fetch."""
    digest = hashlib.sha256(f"{source_id}|{last_fetch.isoformat()}".encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    return interval * (fraction * share)


def next_due(source: Source, state: SourceState, policy: SchedulePolicy) -> datetime | None:
    """When `source` should next be fetched; None means now (never fetched, or its feed URL changed)."""
    if state.last_fetch is None or (state.feed_url is not None and state.feed_url != source.feed_url):
        return state.next_check if state.last_fetch is None else None
    interval = policy.interval(source)
    regular = state.last_fetch + interval + jitter(source.id, state.last_fetch, interval, policy.jitter)
    return max(regular, state.next_check) if state.next_check else regular


def due_sources(sources: list[Source], states: SourceStateStore, now: datetime, policy: SchedulePolicy) -> list[Source]:
    """The sources to fetch at `now`: healthy ones first, so a failing source (which may take its whole timeout)
    never delays them; within each group, longest overdue first."""
    earliest = datetime.min.replace(tzinfo=timezone.utc)
    due = [((state.error_count > 0, when or earliest, position), source)
           for position, (source, state, when) in enumerate(_schedule(sources, states, policy))
           if when is None or when <= now]
    return [source for _, source in sorted(due, key=lambda item: item[0])]


def seconds_until_due(sources: list[Source], states: SourceStateStore, now: datetime, policy: SchedulePolicy) -> float:
    """How long the loop may sleep before the next source falls due, within the policy's bounds."""
    waits = [0.0 if when is None else (when - now).total_seconds() for _, _, when in _schedule(sources, states, policy)]
    soonest = min(waits, default=policy.max_wait)
    return min(max(soonest, policy.min_wait), policy.max_wait)


def _schedule(sources: list[Source], states: SourceStateStore, policy: SchedulePolicy):
    """(source, state, next due) for each source; one whose state file is unreadable is left out and logged, so it
    cannot hold up the others (its refresh would fail the same way)."""
    for source in sources:
        try:
            state = states.get(source.id)
        except SourceStateError as exc:
            log.error("source %s is not scheduled: %s", source.id, exc)
            continue
        yield source, state, next_due(source, state, policy)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Scheduler:
    """Runs `job(now)` whenever a source of `load_sources()` falls due, until stopped; `start()` runs it in a
    worker thread. `load_sources` is called on every pass, so sources added or removed take effect without a
    restart."""

    def __init__(
        self,
        job: Callable[[datetime], object],
        load_sources: Callable[[], list[Source]],
        states: SourceStateStore,
        policy: SchedulePolicy = SchedulePolicy(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.job = job
        self.load_sources = load_sources
        self.states = states
        self.policy = policy
        self.clock = clock
        self.passes = 0  # jobs run
        self.failed_passes = 0
        self._stop = threading.Event()
        # Set when the loop has returned. Waiting on it (rather than on Thread.join) can be interrupted by Ctrl-C
        # safely: an interrupted join may leave the thread looking finished while it still runs.
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self) -> bool:
        """One pass: run the job if any source is due. True if it ran."""
        now = self.clock()
        if not due_sources(self.load_sources(), self.states, now, self.policy):
            return False
        self.passes += 1
        self.job(now)
        return True

    def seconds_to_wait(self) -> float:
        return seconds_until_due(self.load_sources(), self.states, self.clock(), self.policy)

    def run(self) -> None:
        """The loop; returns when `stop()` is called (after the pass in progress, if any)."""
        try:
            self._loop()
        finally:
            self._finished.set()

    def _loop(self) -> None:
        log.info("watching sources (default interval %s)", self.policy.default_interval)
        while not self._stop.is_set():
            try:
                self.run_pending()
                wait = self.seconds_to_wait()
            # The watcher must outlive one bad pass (sources.yaml mid-edit, the graph restarting, a bug in one
            # post): the error is logged in full and the next pass tries again.
            except WikigraphError as exc:
                wait = self._failed(f"{type(exc).__name__}: {exc}", traceback=False)
            except Exception as exc:  # noqa: BLE001
                wait = self._failed(f"unexpected {type(exc).__name__}: {exc}", traceback=True)
            self._stop.wait(wait)
        log.info("stopped watching sources")

    def _failed(self, message: str, traceback: bool) -> float:
        self.failed_passes += 1
        log.error("watch pass failed, retrying in %.0f s: %s", self.policy.max_wait, message, exc_info=traceback)
        return self.policy.max_wait

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("scheduler already started")
        self._thread = threading.Thread(target=self.run, name="wikigraph-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to stop and wait for it (a pass in progress is finished: its writes are atomic anyway,
        but the stores it uses are about to be closed)."""
        self._stop.set()
        if self._thread is None:
            return
        if not self._finished.is_set() and timeout is None:
            log.info("waiting for the ingest pass in progress to finish")
        if self._finished.wait(timeout):
            self._thread.join()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the loop to end; True if it has."""
        return self._thread is not None and self._finished.wait(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
