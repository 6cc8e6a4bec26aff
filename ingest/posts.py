"""Raw posts: one feed entry as fetched, stored as `raw/rss/<date>-<source>-<slug>.md` (YAML front matter + Markdown).

The file is the record. Writing is idempotent: an unchanged post's file is never touched, and a post already in
the vault (found by its id, whatever the file is called) is updated in place rather than written twice. Another
feed's entry for the same page (same canonical URL, different guid) joins the stored post as a further source.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bs4 import BeautifulSoup

from graph.errors import WikigraphError
from graph.slugs import slugify
from graph.vault import RAW_DIR, Vault, atomic_write_text
from ingest.feeds import FeedEntry
from ingest.html import html_to_markdown
from ingest.identity import canonical_url, content_hash, entry_identity, is_site_root
from ingest.raw_format import (
    RawPost,
    RawPostError,
    format_time,
    parse_raw_post,
    render_raw_post,
    utc_seconds,
)
from ingest.sources import Source
from ingest.truncation import truncation_reason

log = logging.getLogger(__name__)

__all__ = [
    "InvalidEntry", "RawIndex", "RawPost", "RawPostError", "parse_raw_post", "post_from_entry", "raw_post_relpath",
    "read_raw_posts", "render_raw_post", "store_raw_post", "write_raw_post",
]

MAX_BODY_CHARS = 400_000  # longer bodies are cut at a paragraph break and marked truncated
POST_SLUG_LENGTH = 60
SOURCE_SLUG_LENGTH = 40
TITLE_FROM_BODY_WORDS = 12
# Feed dates outside this window are not believed: no feed we read predates 1990, and a post dated more than a
# day after we fetched it is a broken clock or a placeholder (0001-01-01, 2099-12-31), not news from the future.
EARLIEST_PLAUSIBLE_YEAR = 1990
FUTURE_TOLERANCE = timedelta(days=1)


class InvalidEntry(WikigraphError):
    """A feed entry with nothing to keep (no title, no link, no content)."""


def post_from_entry(entry: FeedEntry, source: Source, fetched_at: datetime) -> RawPost:
    fetched_at = utc_seconds(fetched_at)
    # The cleaned link stands in for the link wherever it shapes content (base of relative links, fallback title,
    # content hash), so a feed that only changes its tracking parameters does not change the post.
    url = canonical_url(entry.link)
    body, excerpt = _body(entry, url)
    body, capped = _cap(body)
    title = entry.title or _title_from_text(entry.content_html or entry.summary_html) or url or ""
    if not title and not body:
        raise InvalidEntry(f"entry in {source.id!r} has no title, link or content")
    identity_content = entry.content_html or entry.summary_html
    published, date_flag = plausible_date(entry.published, fetched_at)
    return RawPost(
        id=entry_identity(entry.guid, url, entry.title, identity_content),
        title=title,
        url=entry.link,
        canonical_url=url,
        published=published,
        author=entry.author,
        sources=[source.id],
        tier=source.tier,
        domains=list(source.domains),
        guid=entry.guid,
        content_hash=content_hash(title, body, url),
        fetched_at=fetched_at,
        body=body,
        truncated=capped or truncation_reason(identity_content) is not None,
        undated=entry.published is None,
        excerpt=excerpt,
        date_flag=date_flag,
    )


def plausible_date(published: datetime | None, fetched_at: datetime) -> tuple[datetime, str | None]:
    """The entry's date in UTC, or the fetch time with the reason the entry's date was not believed."""
    if published is None:
        return fetched_at, None
    published = utc_seconds(published)
    if published.year < EARLIEST_PLAUSIBLE_YEAR:
        return fetched_at, f"feed date {format_time(published)} is before {EARLIEST_PLAUSIBLE_YEAR}"
    if published > fetched_at + FUTURE_TOLERANCE:
        return fetched_at, f"feed date {format_time(published)} is more than a day after it was fetched"
    return published, None


def _body(entry: FeedEntry, base_url: str | None) -> tuple[str, bool]:
    """Markdown of the full content if there is any, else of the summary (then `excerpt` is True)."""
    content = html_to_markdown(entry.content_html, base_url)
    if content:
        return content, False
    return html_to_markdown(entry.summary_html, base_url), True


def _cap(body: str) -> tuple[str, bool]:
    if len(body) <= MAX_BODY_CHARS:
        return body, False
    cut = body.rfind("\n\n", 0, MAX_BODY_CHARS)
    return body[: cut if cut > 0 else MAX_BODY_CHARS].rstrip(), True


def _title_from_text(html: str) -> str:
    """The first words of an untitled entry (a microblog post, a note), as plain text."""
    words = BeautifulSoup(html, "html.parser").get_text(" ").split() if html else []
    title = " ".join(words[:TITLE_FROM_BODY_WORDS])
    return title + " …" if len(words) > TITLE_FROM_BODY_WORDS else title


def raw_post_relpath(post: RawPost) -> str:
    """Where the post lives (`post.path`) or, for a post not yet stored, where it would be written."""
    if post.path:
        return post.path
    source = slugify(post.sources[0], SOURCE_SLUG_LENGTH) if post.sources else "unknown"
    slug = slugify(post.title, POST_SLUG_LENGTH) or post.id
    return f"{RAW_DIR}/{post.published:%Y-%m-%d}-{source}-{slug}.md"


class RawIndex:
    """Where each raw post lives, by id (its own and those merged into it) and by canonical URL. Read from the files
    on first use, then kept current by `store_raw_post`; share one across the sources of a run so the vault is
    scanned once.

    Safe to share between threads: every method holds `lock`, and `store_raw_post` holds it from the look-up to the
    write, so two sources storing the same post at the same time still make one file.
    """

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.lock = threading.RLock()
        self._paths: dict[str, str] | None = None
        # Canonical URL → the file of the one post at that URL; None once several posts share it (a feed that links
        # every entry to the same page), since it then identifies none of them.
        self._by_url: dict[str, str | None] = {}
        # Raw post files that could not be parsed, with why: their post is unknown, so nothing is written onto them.
        self.unreadable: dict[str, str] = {}

    def _load(self) -> dict[str, str]:
        with self.lock:
            if self._paths is None:
                posts, self.unreadable = _read_raw_posts_or_errors(self.vault)  # file-name order: same choices every run
                self._paths, self._by_url = {}, {}
                for post in posts:
                    self._add(post, post.path or raw_post_relpath(post), replace_ids=False)
            return self._paths

    def check_writable(self, relpath: str) -> None:
        """Refuse to write a post whose file is there but cannot be read (edited by hand into a broken state, say):
        it may be this very post, and writing beside or over it would duplicate or lose it. Only the entries that
        would land on such a file wait; everything else is stored."""
        with self.lock:
            self._load()
            problem = self.unreadable.get(relpath)
        if problem is not None:
            raise RawPostError(f"this entry's raw post file cannot be read; fix or delete it ({problem})", relpath)

    def _add(self, post: RawPost, relpath: str, replace_ids: bool) -> None:
        paths = self._load()
        for post_id in (post.id, *post.merged_ids):
            if replace_ids or post_id not in paths:
                paths[post_id] = relpath
        if post.canonical_url:
            known = self._by_url.get(post.canonical_url, relpath)
            self._by_url[post.canonical_url] = relpath if known == relpath else None

    def path_of(self, post_id: str) -> str | None:
        with self.lock:
            return self._load().get(post_id)

    def path_for_url(self, url: str | None) -> str | None:
        """The file of the one post at canonical `url`, if exactly one post is there and `url` names a page."""
        if not url or is_site_root(url):
            return None
        with self.lock:
            self._load()
            return self._by_url.get(url)

    def record(self, post: RawPost) -> None:
        """`post` (with its `path`) has just been written."""
        if post.path is None:
            raise ValueError(f"raw post {post.id} has no path to record")
        with self.lock:
            self._add(post, post.path, replace_ids=True)

    def forget(self, post_id: str) -> None:
        with self.lock:
            self._load().pop(post_id, None)

    def stored_version(self, post: RawPost) -> RawPost | None:
        """The stored post `post` would be merged into: the one with its id, or another feed's at its canonical URL."""
        with self.lock:
            return _stored_version(self.vault, post, self)

    def stored(self, post_id: str) -> RawPost | None:
        """The post as its file holds it now, or None if it has none."""
        with self.lock:
            relpath = self.path_of(post_id)
            if relpath is None or not (self.vault.root / relpath).exists():
                return None
            return parse_raw_post(_read(self.vault.root / relpath), relpath)


def read_raw_posts(vault: Vault) -> list[RawPost]:
    """Every raw post in the vault, in file-name order. A broken file raises RawPostError naming it."""
    return [parse_raw_post(_read(path), vault.relative(path)) for path in vault.raw_paths()]


def _read_raw_posts_or_errors(vault: Vault) -> tuple[list[RawPost], dict[str, str]]:
    """Every readable raw post in file-name order, and the broken files with their error (logged)."""
    posts, broken = [], {}
    for path in vault.raw_paths():
        relpath = vault.relative(path)
        try:
            posts.append(parse_raw_post(_read(path), relpath))
        except RawPostError as exc:
            broken[relpath] = exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
        except UnicodeDecodeError as exc:
            broken[relpath] = f"not UTF-8 text (byte {exc.start})"
        if relpath in broken:
            log.warning("raw post %s cannot be read, left as it is: %s", relpath, broken[relpath])
    return posts, broken


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:  # no newline translation: bodies round trip exactly
        return handle.read()


def write_raw_post(vault: Vault, post: RawPost, index: RawIndex | None = None) -> str:
    """Store `post`; returns "new", "changed" or "unchanged" (then the file is not touched)."""
    status, _ = store_raw_post(vault, post, index)
    return status


def store_raw_post(vault: Vault, post: RawPost, index: RawIndex | None = None) -> tuple[str, RawPost]:
    """Like write_raw_post, and also returns the post as stored (merged with what was there, `path` set)."""
    index = index or RawIndex(vault)
    with index.lock:
        existing = index.stored_version(post)
        if existing is None:
            index.check_writable(raw_post_relpath(replace(post, path=None)))
            stored = replace(post, path=_free_relpath(vault, post))
            atomic_write_text(vault.root / stored.path, render_raw_post(stored))
            index.record(stored)
            return "new", stored
        merged = _merge(existing, post)
        if merged == replace(existing, fetched_at=merged.fetched_at):
            return "unchanged", existing
        atomic_write_text(vault.root / existing.path, render_raw_post(merged))
        index.record(merged)
        return "changed", merged


def _stored_version(vault: Vault, post: RawPost, index: RawIndex) -> RawPost | None:
    """The stored post `post` is a version of: the one with its id, else another feed's post at its canonical URL."""
    relpath = index.path_of(post.id)
    if relpath is not None:
        if (vault.root / relpath).exists():
            return parse_raw_post(_read(vault.root / relpath), relpath)
        index.forget(post.id)  # deleted by hand since the index was read: write it afresh
    relpath = index.path_for_url(post.canonical_url)
    if relpath is None or not (vault.root / relpath).exists():
        return None
    candidate = parse_raw_post(_read(vault.root / relpath), relpath)
    # One feed may link two of its own entries to one page (a post and its follow-up); they stay two posts. Only
    # another feed's entry at that page is the same post under a different id.
    if candidate.canonical_url != post.canonical_url or set(post.sources) & set(candidate.sources):
        return None
    return candidate


def _free_relpath(vault: Vault, post: RawPost) -> str:
    """The post's usual file name, or with its id appended when another post already has that name."""
    relpath = raw_post_relpath(replace(post, path=None))
    if (vault.root / relpath).exists():
        relpath = relpath.removesuffix(".md") + f"-{post.id[:8]}.md"
    return relpath


def _same_distrusted_date(existing: RawPost, incoming: RawPost) -> bool:
    return bool(existing.date_flag) and f"feed date {format_time(incoming.published)} " in existing.date_flag


def _merge(existing: RawPost, incoming: RawPost) -> RawPost:
    """The stored version of `existing` after seeing `incoming` (same id, or another feed's entry at the same
    canonical URL). The first source to store a post owns its content and keeps its id and file; another source
    only adds itself, its tier and domains (and its id, when different), so two feeds with different bodies for the
    same post do not overwrite each other on every run."""
    sources = existing.sources + [s for s in incoming.sources if s not in existing.sources]
    only_incoming = sources == incoming.sources
    owner = incoming.sources[0] == existing.sources[0]
    base = incoming if owner else existing
    if owner and (incoming.undated or incoming.date_flag):
        # The fetch time stands in for a missing or unbelievable date: keep the first one, not each run's.
        base = replace(base, published=existing.published)
    elif owner and _same_distrusted_date(existing, incoming):
        # A date that was in the future when first seen stays distrusted once that day has come: it is the same
        # broken value, and flipping the date would rewrite (and re-summarise) the post for nothing.
        base = replace(base, published=existing.published, date_flag=existing.date_flag)
    if owner and incoming.canonical_url == existing.canonical_url:
        # Only the feed's form of the link differs (tracking parameters come and go): not a change to the post. This
        # also leaves alone files written before `canonical_url` existed, whose `url` is the cleaned link.
        base = replace(base, url=existing.url)
    return replace(
        base,
        id=existing.id,
        merged_ids=_merged_ids(existing, incoming),
        sources=sources,
        tier=incoming.tier if only_incoming else min(existing.tier, incoming.tier),
        domains=list(incoming.domains) if only_incoming else list(dict.fromkeys(existing.domains + incoming.domains)),
        fetched_at=incoming.fetched_at,
        path=existing.path,
    )


def _merged_ids(existing: RawPost, incoming: RawPost) -> list[str]:
    if incoming.id == existing.id or incoming.id in existing.merged_ids:
        return list(existing.merged_ids)
    return [*existing.merged_ids, incoming.id]
