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
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
_TIME_FIELDS = ("last_fetch", "last_success", "next_check")


class SourceStateError(WikigraphError):
    """A state file exists but cannot be read; delete it to start that source afresh."""


@dataclass
class SourceState:
    source_id: str
    # The URL the validators belong to: a source whose feed_url changes starts without them.
    feed_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_fetch: datetime | None = None
    last_success: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    warning: str | None = None
    # Not before this time (backoff after errors, or the server's Retry-After); None = whenever the schedule says.
    next_check: datetime | None = None

    def validators_for(self, feed_url: str) -> tuple[str | None, str | None]:
        if self.feed_url != feed_url:
            return None, None
        return self.etag, self.last_modified

    def is_due(self, now: datetime) -> bool:
        return self.next_check is None or now >= self.next_check

    def record_success(
        self, now: datetime, feed_url: str, etag: str | None, last_modified: str | None, warning: str | None
    ) -> None:
        self.last_fetch = now
        self.last_success = now
        self.feed_url = feed_url
        self.etag = etag
        self.last_modified = last_modified
        self.error_count = 0
        self.last_error = None
        self.warning = warning
        self.next_check = None

    def record_error(self, now: datetime, message: str, retry_after: float | None = None) -> None:
        """Count the failure and back off exponentially (15 min, 30 min, … up to a day), or longer if asked."""
        self.last_fetch = now
        self.error_count += 1
        self.last_error = message
        delay = min(BACKOFF_BASE * 2 ** (self.error_count - 1), BACKOFF_MAX)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        self.next_check = now + delay

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
