"""Refresh one source: the single path used by the pipeline, the scheduler and the API.

conditional GET with the stored validators → parse → raw posts (full articles where wanted) → vault → state.
Feed problems (network, HTTP status, not a feed) are recorded on the source's state and returned as `error`; they
never raise, so one bad feed does not stop the others. Nor does anything unexpected: an entry that cannot be
stored is left out and named in the source's warning, and a failure outside the entries is recorded on the source
like a feed error. The validators are saved only after every entry is written: after a crash in between, or with
an entry left out, the next run fetches the whole feed again instead of skipping entries it never stored.

Sources may be refreshed in parallel threads (see ingest/pipeline.py): each writes its own state file, and the
raw posts, which two sources may share, are read and written under one lock.

"Nothing to do" has three forms: a 304; a 200 carrying the ETag we sent (or, lacking one, the same Last-Modified);
and a 200 whose body is byte for byte the one stored last time (servers that send no validators at all).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.vault import Vault
from ingest.article import MAX_ARTICLES_PER_REFRESH, ArticleFetcher
from ingest.feeds import FeedEntry, NotAFeed, ParsedFeed, parse_feed
from ingest.fetch import Fetcher, FetchError, FetchResult
from ingest.posts import InvalidEntry, RawIndex, RawPost, post_from_entry, store_raw_post
from ingest.sources import Source
from ingest.state import FAILURES_BEFORE_BACKOFF, SourceState, SourceStateStore

log = logging.getLogger(__name__)
# Held while a raw post is looked up or written: RawIndex and store_raw_post are not thread-safe, and two sources
# refreshed at once may carry the same post. Article pages are fetched outside it.
_RAW_POSTS = threading.Lock()


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
    # Entries that could not be stored (an unexpected failure): "<entry>: <reason>", also in `warning`.
    failed: list[str] = field(default_factory=list)

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
    pages that failed; `index` lets the caller share one scan of the vault across sources. Never raises an
    Exception: whatever goes wrong is recorded on the source and returned as `error`."""
    try:
        return _refresh(source, fetcher, state, vault, now, index, force, policy)
    except Exception as exc:  # a bug or a broken environment, not a feed problem: one source must not end the pass
        log.exception("refresh of %s failed unexpectedly", source.id)
        return _record_unexpected(source, state, now, f"unexpected {type(exc).__name__}: {exc}", policy)


def _refresh(
    source: Source,
    fetcher: Fetcher,
    state: SourceStateStore,
    vault: Vault,
    now: datetime,
    index: RawIndex | None,
    force: bool,
    policy: RefreshPolicy,
) -> RefreshResult:
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
    result.warning = _warning(parsed, result, articles.warning())
    result.moved_to = moved_to
    # With an entry left out, no validators: the next run fetches the whole feed and tries that entry again.
    complete = not result.failed
    record.record_success(
        now, source.feed_url, fetched.etag if complete else None, fetched.last_modified if complete else None,
        result.warning, body_hash=fetched.body_hash if complete else None, moved_to=moved_to,
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


def _record_unexpected(
    source: Source, state: SourceStateStore, now: datetime, message: str, policy: RefreshPolicy
) -> RefreshResult:
    """Count an unexpected failure on the source like a feed error (so it backs off too). When the state itself
    is what fails (an unreadable state file, a full disk), the error is still returned and logged."""
    try:
        return _failed(source, state, state.get(source.id), now, message, None, policy)
    except Exception as exc:  # the state cannot be read or written: nothing more to record it in
        log.error("could not record the failure of %s on its state: %s", source.id, exc)
        return RefreshResult(source.id, error=message)


def _store_entries(
    parsed: ParsedFeed, source: Source, vault: Vault, now: datetime, index: RawIndex, articles: ArticleFetcher
) -> RefreshResult:
    result = RefreshResult(source.id)
    seen: set[str] = set()
    for entry in parsed.entries:
        try:
            _store_entry(entry, source, vault, now, index, articles, seen, result)
        except Exception as exc:  # one entry that breaks something must not cost the feed's other entries
            label = entry.title or entry.link or entry.guid or "an entry"
            log.exception("entry %r of %s not stored", label, source.id)
            result.failed.append(f"{_shorten(label)}: {type(exc).__name__}: {_shorten(str(exc))}")
    return result


def _store_entry(
    entry: FeedEntry,
    source: Source,
    vault: Vault,
    now: datetime,
    index: RawIndex,
    articles: ArticleFetcher,
    seen: set[str],
    result: RefreshResult,
) -> None:
    try:
        post = post_from_entry(entry, source, now)
    except InvalidEntry:
        result.skipped += 1
        return
    if post.id in seen:
        result.skipped += 1
        return
    seen.add(post.id)
    if articles.wanted(post):
        with _RAW_POSTS:
            stored_before = index.stored_version(post)
        post = articles.complete(post, stored_before)
    with _RAW_POSTS:
        status, stored = store_raw_post(vault, post, index)
    if status == "new":
        result.new.append(stored)
    elif status == "changed":
        result.changed.append(stored)
    else:
        result.unchanged += 1


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _warning(parsed: ParsedFeed, result: RefreshResult, articles: str | None) -> str | None:
    notes = []
    if parsed.bozo:
        notes.append(f"malformed feed ({parsed.bozo_message}); its readable entries were kept")
    if result.skipped:
        notes.append(f"skipped {result.skipped} empty or repeated entries")
    if result.failed:
        shown = "; ".join(result.failed[:3]) + ("; …" if len(result.failed) > 3 else "")
        notes.append(f"{len(result.failed)} entries could not be stored, tried again next run ({shown})")
    if articles:
        notes.append(articles)
    return "; ".join(notes) or None
