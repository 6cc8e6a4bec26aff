"""Refresh one source: the single path used by the pipeline, the scheduler and the API.

conditional GET with the stored validators → parse → raw posts (full articles where wanted) → vault → state.
Feed problems (network, HTTP status, not a feed) are recorded on the source's state and returned as `error`; they
never raise, so one bad feed does not stop the others. The validators are saved only after the entries are
written: a crash in between means the next run fetches the feed again instead of skipping entries it never stored.

"Nothing to do" has three forms: a 304; a 200 carrying the ETag we sent (or, lacking one, the same Last-Modified);
and a 200 whose body is byte for byte the one stored last time (servers that send no validators at all).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.vault import Vault
from ingest.article import MAX_ARTICLES_PER_REFRESH, ArticleFetcher
from ingest.feeds import NotAFeed, ParsedFeed, parse_feed
from ingest.fetch import Fetcher, FetchError, FetchResult
from ingest.posts import InvalidEntry, RawIndex, RawPost, post_from_entry, store_raw_post
from ingest.sources import Source
from ingest.state import FAILURES_BEFORE_BACKOFF, SourceState, SourceStateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshPolicy:
    """Limits an entry point may set from its settings."""

    failures_before_backoff: int = FAILURES_BEFORE_BACKOFF
    max_articles: int = MAX_ARTICLES_PER_REFRESH


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
    # Set when the feed answered from a new address through a permanent redirect.
    moved_to: str | None = None

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
    policy: RefreshPolicy = RefreshPolicy(),
) -> RefreshResult:
    """Fetch, parse and store `source`. `force` ignores the stored validators (a full fetch) and retries article
    pages that failed; `index` lets the caller share one scan of the vault across sources."""
    record = state.get(source.id)
    url = record.url_to_fetch(source.feed_url)
    etag, last_modified = (None, None) if force else record.validators_for(source.feed_url)
    try:
        fetched = fetcher.fetch(url, etag, last_modified, allow_private=source.allow_private)
        moved_to = _moved_to(source, record, fetched)
        same_body = fetched.body_hash is not None and fetched.body_hash == record.body_hash_for(source.feed_url)
        if fetched.not_modified or (same_body and not force):
            record.record_not_modified(now, source.feed_url, fetched.etag, fetched.last_modified, moved_to=moved_to)
            state.save(record)
            return RefreshResult(source.id, not_modified=True, warning=record.warning, moved_to=moved_to)
        parsed = parse_feed(fetched.body or b"", _parser_headers(fetched))
    except FetchError as exc:
        return _failed(source, state, record, now, str(exc), exc.retry_after, policy)
    except NotAFeed as exc:
        return _failed(source, state, record, now, f"{fetched.url}: {exc}", None, policy)

    articles = ArticleFetcher(fetcher, source, policy.max_articles, force=force)
    result = _store_entries(parsed, source, vault, now, index if index is not None else RawIndex(vault), articles)
    result.warning = _warning(parsed, result.skipped, articles.warning())
    result.moved_to = moved_to
    record.record_success(
        now, source.feed_url, fetched.etag, fetched.last_modified, result.warning,
        body_hash=fetched.body_hash, moved_to=moved_to,
    )
    state.save(record)
    log.info(
        "refreshed %s: %d new, %d changed, %d unchanged",
        source.id, len(result.new), len(result.changed), result.unchanged,
    )
    return result


def _moved_to(source: Source, record: SourceState, fetched: FetchResult) -> str | None:
    """The feed's new address after a permanent redirect, logged the first time it is seen.

    It is kept in the source's state, not written into sources.yaml: that file is the user's (hand-written,
    commented, perhaps under version control), and a 301 can come from a hijacked or misconfigured domain as
    easily as from a real move. Until the user edits the file, the new address is used and `sources list`
    shows it; changing feed_url in sources.yaml drops the recorded move.
    """
    if fetched.permanent_url is None:
        return None
    if fetched.permanent_url != record.moved_to:
        log.warning(
            "feed of %s moved permanently: %s -> %s; fetching the new address from now on "
            "(update feed_url in sources.yaml to make it permanent)",
            source.id, source.feed_url, fetched.permanent_url,
        )
    return fetched.permanent_url


def _parser_headers(fetched: FetchResult) -> dict[str, str]:
    """The response headers, with the final URL as the base for relative links when the server gave none."""
    headers = dict(fetched.headers)
    headers.setdefault("content-location", fetched.url)
    return headers


def _failed(
    source: Source,
    state: SourceStateStore,
    record: SourceState,
    now: datetime,
    message: str,
    retry_after: float | None,
    policy: RefreshPolicy,
) -> RefreshResult:
    interval = timedelta(minutes=source.poll_interval) if source.poll_interval else None
    record.record_error(
        now, message, retry_after, failures_before_backoff=policy.failures_before_backoff, interval=interval
    )
    state.save(record)
    log.warning("refresh of %s failed (%d in a row): %s", source.id, record.error_count, message)
    return RefreshResult(source.id, error=message)


def _store_entries(
    parsed: ParsedFeed, source: Source, vault: Vault, now: datetime, index: RawIndex, articles: ArticleFetcher
) -> RefreshResult:
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
        if articles.wanted(post):
            post = articles.complete(post, index.stored(post.id))
        status, stored = store_raw_post(vault, post, index)
        if status == "new":
            result.new.append(stored)
        elif status == "changed":
            result.changed.append(stored)
        else:
            result.unchanged += 1
    return result


def _warning(parsed: ParsedFeed, skipped: int, articles: str | None) -> str | None:
    notes = []
    if parsed.bozo:
        notes.append(f"malformed feed ({parsed.bozo_message}); its readable entries were kept")
    if skipped:
        notes.append(f"skipped {skipped} empty or repeated entries")
    if articles:
        notes.append(articles)
    return "; ".join(notes) or None
