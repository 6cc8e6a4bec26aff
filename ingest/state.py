"""Per-source fetch state (validators, success and error history, backoff), one JSON file per source.

It lives in the data directory, not in the vault: it is a cache of the conversation with each server, and
losing it costs one unconditional fetch per source, nothing more.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from graph.errors import WikigraphError
from graph.vault import atomic_write_text
from ingest.raw_format import format_time

STATE_DIR = "feed-state"
# After this many failures in a row, each further failure doubles the wait (the source's interval, or at least
# BACKOFF_BASE, times 2, 4, 8, ...) up to BACKOFF_MAX. Fewer failures than that are retried on the usual schedule:
# one timeout is not a reason to stop reading a feed.
FAILURES_BEFORE_BACKOFF = 3
BACKOFF_BASE = timedelta(minutes=30)
BACKOFF_MAX = timedelta(hours=24)
_TIME_FIELDS = ("last_fetch", "last_success", "next_check")


class SourceStateError(WikigraphError):
    """A state file exists but cannot be read; delete it to start that source afresh."""


@dataclass(frozen=True)
class SourceSummary:
    """What `wikigraph sources list` shows for one source."""

    status: str  # "new" (never fetched), "ok", "warning", "failing" or "backing off"
    last_fetch: datetime | None
    last_success: datetime | None
    error_count: int
    last_error: str | None
    warning: str | None
    next_check: datetime | None  # None: at the next run
    moved_to: str | None


@dataclass
class SourceState:
    source_id: str
    # The configured feed URL this state belongs to: a source whose feed_url changes starts afresh.
    feed_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # sha256 of the last feed body stored: the same bytes again mean nothing to do, whatever the headers say.
    body_hash: str | None = None
    # Where `feed_url` moved through permanent redirects; fetched instead of it until sources.yaml changes.
    moved_to: str | None = None
    last_fetch: datetime | None = None
    last_success: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    warning: str | None = None
    # Not before this time (backoff after errors, or the server's Retry-After); None = whenever the schedule says.
    next_check: datetime | None = None

    def _belongs_to(self, feed_url: str) -> bool:
        return self.feed_url == feed_url

    def validators_for(self, feed_url: str) -> tuple[str | None, str | None]:
        if not self._belongs_to(feed_url):
            return None, None
        return self.etag, self.last_modified

    def body_hash_for(self, feed_url: str) -> str | None:
        return self.body_hash if self._belongs_to(feed_url) else None

    def url_to_fetch(self, feed_url: str) -> str:
        """The configured URL, or where it permanently moved (a move recorded for an older URL is ignored)."""
        return self.moved_to if self._belongs_to(feed_url) and self.moved_to else feed_url

    def is_due(self, now: datetime) -> bool:
        return self.next_check is None or now >= self.next_check

    def record_success(
        self,
        now: datetime,
        feed_url: str,
        etag: str | None,
        last_modified: str | None,
        warning: str | None,
        *,
        body_hash: str | None = None,
        moved_to: str | None = None,
    ) -> None:
        """A fetch whose entries are stored. `moved_to` is a permanent redirect seen on this fetch."""
        self._adopt(feed_url, moved_to)
        self.etag = etag
        self.last_modified = last_modified
        self.body_hash = body_hash
        self.warning = warning
        self._succeeded(now)

    def record_not_modified(
        self, now: datetime, feed_url: str, etag: str | None, last_modified: str | None, *, moved_to: str | None = None
    ) -> None:
        """A 304 (or the same body again): fresh validators replace the stored ones, missing ones keep them."""
        self._adopt(feed_url, moved_to)
        self.etag = etag or self.etag
        self.last_modified = last_modified or self.last_modified
        self._succeeded(now)

    def _adopt(self, feed_url: str, moved_to: str | None) -> None:
        if not self._belongs_to(feed_url):
            self.moved_to = None
            self.body_hash = None
        self.feed_url = feed_url
        if moved_to:
            self.moved_to = None if moved_to == feed_url else moved_to

    def _succeeded(self, now: datetime) -> None:
        self.last_fetch = now
        self.last_success = now
        self.error_count = 0
        self.last_error = None
        self.next_check = None

    def record_error(
        self,
        now: datetime,
        message: str,
        retry_after: float | None = None,
        *,
        failures_before_backoff: int = FAILURES_BEFORE_BACKOFF,
        interval: timedelta | None = None,
    ) -> None:
        """Count the failure; from the `failures_before_backoff`-th in a row on, back off exponentially. A server's
        Retry-After is honoured whenever it asks for longer."""
        self.last_fetch = now
        self.error_count += 1
        self.last_error = message
        delay = timedelta(0)
        beyond = self.error_count - failures_before_backoff
        if beyond >= 0:
            base = max(BACKOFF_BASE, interval or timedelta(0))
            delay = min(base * 2 ** min(beyond + 1, 32), BACKOFF_MAX)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        self.next_check = now + delay if delay else None

    def summary(self, now: datetime, interval: timedelta | None = None) -> SourceSummary:
        """The state in a few fields; `interval` (the source's polling interval) dates the next regular check."""
        next_check = self.next_check
        if interval is not None and self.last_fetch is not None:
            next_check = max(next_check or now, self.last_fetch + interval)
        if next_check is not None and next_check <= now:
            next_check = None
        return SourceSummary(
            status=self._status(now),
            last_fetch=self.last_fetch,
            last_success=self.last_success,
            error_count=self.error_count,
            last_error=self.last_error,
            warning=self.warning,
            next_check=next_check,
            moved_to=self.moved_to,
        )

    def _status(self, now: datetime) -> str:
        if self.last_fetch is None:
            return "new"
        if self.error_count:
            return "failing" if self.is_due(now) else "backing off"
        return "warning" if self.warning else "ok"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in _TIME_FIELDS:
            data[key] = format_time(data[key]) if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceState:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in _TIME_FIELDS:
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


class SourceStateStore:
    """Reads and writes `<data_dir>/feed-state/<source id>.json` atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / STATE_DIR

    def path(self, source_id: str) -> Path:
        return self.directory / f"{source_id}.json"

    def get(self, source_id: str) -> SourceState:
        path = self.path(source_id)
        if not path.exists():
            return SourceState(source_id=source_id)
        try:
            state = SourceState.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise SourceStateError(f"{path}: unreadable feed state ({exc}); delete the file to reset it") from exc
        if state.source_id != source_id:
            raise SourceStateError(f"{path}: holds state for {state.source_id!r}, not {source_id!r}")
        return state

    def save(self, state: SourceState) -> None:
        text = json.dumps(state.to_json(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        atomic_write_text(self.path(state.source_id), text)

    def all(self) -> list[SourceState]:
        if not self.directory.exists():
            return []
        return [self.get(path.stem) for path in sorted(self.directory.glob("*.json"))]
