"""One store's topology snapshot (graph/retrieval/snapshot.py), never served after the graph changed.

`current()` returns the snapshot only while it matches the graph's generation
(graph/retrieval/generation.py). It asks the graph for the generation at most once per `check_s`,
and at once when this process has synced through the same store object since: a search after an
in-process sync never reads the topology from before it, and a write by another process is seen
within `check_s`.

When the snapshot is missing or out of date, `current()` returns None (the caller reads the
graph hop by hop: slower, always current) and a background thread loads a new one, so no request
waits for a load. Loads are spaced by at least `LOAD_GAP` times the last load's duration: during an
ingest, which changes the graph note by note, searches read the graph directly rather than the
machine reloading all the time. `background=False` loads in the calling thread instead (scripts, tests).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from graph.retrieval import generation
from graph.retrieval.snapshot import Snapshot, load

if TYPE_CHECKING:
    from graph.store.base import GraphStore

log = logging.getLogger(__name__)

LOAD_GAP = 2.0  # between the end of one load and the start of the next: this many times its duration


class SnapshotCache:
    def __init__(
        self, store: GraphStore, check_s: float = 1.0, clock: Callable[[], float] = time.monotonic, background: bool = True
    ) -> None:
        self._store, self._check_s, self._clock, self._background = store, check_s, clock, background
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None  # the last one loaded: current or not
        self._current = False  # whether it matched the generation at the last check
        self._checked_at = -float("inf")
        self._local_seen = -1
        self._loader: threading.Thread | None = None
        self._next_load_at = -float("inf")
        self.loads = 0
        self.last_load_s = 0.0
        self.last_error: Exception | None = None
        self._closed = False

    def current(self) -> Snapshot | None:
        """The snapshot if it is the graph as it is now; else None (a fresh one is on its way)."""
        now, local = self._clock(), generation.local_changes(self._store)
        with self._lock:
            if local == self._local_seen and now - self._checked_at < self._check_s:
                return self._snapshot if self._current else self._start_load(now)
        token = generation.read(self._store)
        with self._lock:
            held = self._snapshot  # the latest: another thread may have installed one meanwhile
            self._checked_at, self._local_seen = now, local
            self._current = held is not None and held.generation == token
            if self._current:
                return held
            if not self._background:
                return self._load_here(now, local)
            return self._start_load(now)

    def status(self) -> dict:
        """For /health: "ready" (searches read the snapshot), "loading" (they read the graph meanwhile) or "failed"."""
        current = self.current()
        with self._lock:
            held, loading, error = self._snapshot, self._loader is not None, self.last_error
        state = "ready" if current is not None else "loading" if loading else "failed" if error else "stale"
        found: dict = {"state": state, "loads": self.loads, "last_load_s": round(self.last_load_s, 3)}
        if held is not None:
            found.update(nodes=held.node_count, relationships=held.edge_count)
        if error is not None and state != "ready":
            found["last_error"] = str(error)
        return found

    def close(self, timeout_s: float = 1.0) -> None:
        """No more loads; give one under way a moment (a load cut short by the store closing is dropped)."""
        with self._lock:
            self._closed = True
        self.wait(timeout_s)

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until a load under way is done (scripts and tests)."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout_s)

    def _start_load(self, now: float) -> None:
        """Start a background load unless one runs or the last ended too recently (lock held)."""
        if self._loader is None and now >= self._next_load_at and not self._closed:
            self._loader = threading.Thread(target=self._load_in_background, args=(now, self._local_seen), name="snapshot-load", daemon=True)
            self._loader.start()

    def _load_here(self, now: float, local: int) -> Snapshot:
        """Load in the calling thread (lock held: other callers wait for it rather than read stale)."""
        loaded = self._timed_load()
        self._install(loaded, now, local)
        return loaded

    def _load_in_background(self, now: float, local: int) -> None:
        try:
            loaded = self._timed_load()
        except Exception as exc:  # noqa: BLE001 — reported and kept; searches read the graph meanwhile
            if not self._closed:
                log.warning("retrieval snapshot: load failed (%s); reading the graph directly until the next try", exc)
            with self._lock:
                self.last_error, self._loader = exc, None
                self._next_load_at = self._clock() + self._check_s
            return
        with self._lock:
            self._loader = None
            self._install(loaded, now, local)

    def _timed_load(self) -> Snapshot:
        started = time.perf_counter()
        loaded = load(self._store)
        self.last_load_s = time.perf_counter() - started
        self.loads += 1
        return loaded

    def _install(self, loaded: Snapshot, now: float, local: int) -> None:
        """Keep `loaded` as current as of the check at `now` (lock held). A bump since then, in this
        process or another, is seen by the next check, which the shortened interval brings closer."""
        self._snapshot, self._current = loaded, True
        self._checked_at, self._local_seen = now, local
        self._next_load_at = self._clock() + LOAD_GAP * self.last_load_s
