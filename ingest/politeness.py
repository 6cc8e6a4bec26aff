"""Per-host politeness: at most N requests in flight to one host (default 1), and an optional minimum pause
between requests to the same host. Thread-safe: one limiter is shared by every thread of a process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostLimiter:
    def __init__(
        self,
        max_in_flight: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._last_finished: dict[str, float] = {}

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._guard:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.max_in_flight)
            return self._slots[host]

    @contextmanager
    def request(
        self, host: str, min_interval: float = 0.0, unsent: tuple[type[BaseException], ...] = ()
    ) -> Iterator[None]:
        """Hold one of `host`'s slots for the duration of a request; first wait until `min_interval` seconds
        have passed since the last request to `host` finished. An exception of an `unsent` type means nothing
        reached the host (no connection was made), so it does not count as a request to pause after."""
        host = host.lower()
        slot = self._slot(host)
        with slot:
            if min_interval > 0:
                with self._guard:
                    last = self._last_finished.get(host)
                wait = 0.0 if last is None else last + min_interval - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            except unsent:
                raise
            except BaseException:
                self._finished(host)
                raise
            self._finished(host)

    def _finished(self, host: str) -> None:
        with self._guard:
            self._last_finished[host] = self._clock()
