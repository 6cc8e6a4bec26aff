"""Refresh one source: the single path used by the pipeline, the scheduler and the API.

conditional GET with the stored validators → parse → raw posts → vault → state. Feed problems (network,
HTTP status, not a feed) are recorded on the source's state and returned as `error`; they never raise, so one
bad feed does not stop the others. The validators are saved only after the entries are written: a crash in
between means the next run fetches the feed again instead of skipping entries it never stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from graph.vault import Vault
from ingest.feeds import NotAFeed, ParsedFeed, parse_feed
from ingest.fetch import Fetcher, FetchError, FetchResult
from ingest.posts import InvalidEntry, RawIndex, RawPost, post_from_entry, store_raw_post
from ingest.sources import Source
from ingest.state import SourceState, SourceStateStore

log = logging.getLogger(__name__)


@dataclass
class RefreshResult:
    source_id: str
    new: list[RawPost] = field(default_factory=list)
    changed: list[RawPost] = field(default_factory=list)
    unchanged: int = 0
    not_modified: bool = False
    error: str | None = None
    warning: str | None = None
    # Entries left out: nothing to keep (no title, link or content) or a repeat of an earlier entry's id.
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def refresh_source(
    source: Source,
    fetcher: Fetcher,
    state: SourceStateStore,
    vault: Vault,
    now: datetime,
    *,
    index: RawIndex | None = None,
    force: bool = False,
) -> RefreshResult:
    """Fetch, parse and store `source`. `force` ignores the stored validators (a full fetch);
    `index` lets the caller share one scan of the vault across sources."""
    record = state.get(source.id)
    etag, last_modified = (None, None) if force else record.validators_for(source.feed_url)
    try:
        fetched = fetcher.fetch(source.feed_url, etag, last_modified, allow_private=source.allow_private)
        if fetched.not_modified:
            # A 304 may carry fresh validators; keep the old ones where it does not.
            record.record_success(
                now, source.feed_url, fetched.etag or etag, fetched.last_modified or last_modified, record.warning
            )
            state.save(record)
            return RefreshResult(source.id, not_modified=True, warning=record.warning)
        parsed = parse_feed(fetched.body or b"", _parser_headers(fetched))
    except FetchError as exc:
        return _failed(source, state, record, now, str(exc), exc.retry_after)
    except NotAFeed as exc:
        return _failed(source, state, record, now, f"{fetched.url}: {exc}", None)

    result = _store_entries(parsed, source, vault, now, index if index is not None else RawIndex(vault))
    result.warning = _warning(parsed, result.skipped)
    record.record_success(now, source.feed_url, fetched.etag, fetched.last_modified, result.warning)
    state.save(record)
    log.info(
        "refreshed %s: %d new, %d changed, %d unchanged",
        source.id, len(result.new), len(result.changed), result.unchanged,
    )
    return result


def _parser_headers(fetched: FetchResult) -> dict[str, str]:
    """The response headers, with the final URL as the base for relative links when the server gave none."""
    headers = dict(fetched.headers)
    headers.setdefault("content-location", fetched.url)
    return headers


def _failed(
    source: Source, state: SourceStateStore, record: SourceState, now: datetime, message: str, retry_after: float | None
) -> RefreshResult:
    record.record_error(now, message, retry_after)
    state.save(record)
    log.warning("refresh of %s failed (%d in a row): %s", source.id, record.error_count, message)
    return RefreshResult(source.id, error=message)


def _store_entries(parsed: ParsedFeed, source: Source, vault: Vault, now: datetime, index: RawIndex) -> RefreshResult:
    result = RefreshResult(source.id)
    seen: set[str] = set()
    for entry in parsed.entries:
        try:
            post = post_from_entry(entry, source, now)
        except InvalidEntry:
            result.skipped += 1
            continue
        if post.id in seen:
            result.skipped += 1
            continue
        seen.add(post.id)
        status, stored = store_raw_post(vault, post, index)
        if status == "new":
            result.new.append(stored)
        elif status == "changed":
            result.changed.append(stored)
        else:
            result.unchanged += 1
    return result


def _warning(parsed: ParsedFeed, skipped: int) -> str | None:
    notes = []
    if parsed.bozo:
        notes.append(f"malformed feed ({parsed.bozo_message}); its readable entries were kept")
    if skipped:
        notes.append(f"skipped {skipped} empty or repeated entries")
    return "; ".join(notes) or None
