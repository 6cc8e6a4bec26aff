"""Raw posts: one feed entry as fetched, stored as `raw/rss/<date>-<source>-<slug>.md` (YAML front matter + Markdown).

The file is the record. Writing is idempotent: an unchanged post's file is never touched, and a post already in
the vault (found by its id, whatever the file is called) is updated in place rather than written twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bs4 import BeautifulSoup

from graph.errors import WikigraphError
from graph.vault import RAW_DIR, Vault, atomic_write_text
from ingest.feeds import FeedEntry
from ingest.html import html_to_markdown
from ingest.identity import canonical_url, content_hash, entry_identity
from ingest.raw_format import RawPost, RawPostError, format_time, parse_raw_post, render_raw_post, utc_seconds
from graph.slugs import slugify
from ingest.sources import Source
from ingest.truncation import truncation_reason

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
        url=url,
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
    """Post id → vault-relative path of every raw post. Read from the files on first use, then kept current by
    `store_raw_post`; share one across the sources of a run so the vault is scanned once."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._paths: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._paths is None:
            self._paths = {}
            for post in read_raw_posts(self.vault):
                self._paths.setdefault(post.id, post.path or raw_post_relpath(post))
        return self._paths

    def path_of(self, post_id: str) -> str | None:
        return self._load().get(post_id)

    def record(self, post_id: str, relpath: str) -> None:
        self._load()[post_id] = relpath

    def forget(self, post_id: str) -> None:
        self._load().pop(post_id, None)

    def stored(self, post_id: str) -> RawPost | None:
        """The post as its file holds it now, or None if it has none."""
        relpath = self.path_of(post_id)
        if relpath is None or not (self.vault.root / relpath).exists():
            return None
        return parse_raw_post(_read(self.vault.root / relpath), relpath)


def read_raw_posts(vault: Vault) -> list[RawPost]:
    """Every raw post in the vault, in file-name order. A broken file raises RawPostError naming it."""
    return [parse_raw_post(_read(path), vault.relative(path)) for path in vault.raw_paths()]


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
    relpath = index.path_of(post.id)
    if relpath is not None and not (vault.root / relpath).exists():
        index.forget(post.id)  # deleted by hand since the index was read: write it afresh
        relpath = None
    if relpath is None:
        relpath = _free_relpath(vault, post)
        stored = replace(post, path=relpath)
        atomic_write_text(vault.root / relpath, render_raw_post(stored))
        index.record(post.id, relpath)
        return "new", stored
    existing = parse_raw_post(_read(vault.root / relpath), relpath)
    merged = _merge(existing, post)
    if merged == replace(existing, fetched_at=merged.fetched_at):
        return "unchanged", existing
    atomic_write_text(vault.root / relpath, render_raw_post(merged))
    return "changed", merged


def _free_relpath(vault: Vault, post: RawPost) -> str:
    """The post's usual file name, or with its id appended when another post already has that name."""
    relpath = raw_post_relpath(replace(post, path=None))
    if (vault.root / relpath).exists():
        relpath = relpath.removesuffix(".md") + f"-{post.id[:8]}.md"
    return relpath


def _same_distrusted_date(existing: RawPost, incoming: RawPost) -> bool:
    return bool(existing.date_flag) and f"feed date {format_time(incoming.published)} " in existing.date_flag


def _merge(existing: RawPost, incoming: RawPost) -> RawPost:
    """The stored version of `existing` after seeing `incoming` (same id). The first source to store a post owns
    its content; another source only adds itself, its tier and domains, so two feeds with different bodies for
    the same post do not overwrite each other on every run."""
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
    return replace(
        base,
        sources=sources,
        tier=incoming.tier if only_incoming else min(existing.tier, incoming.tier),
        domains=list(incoming.domains) if only_incoming else list(dict.fromkeys(existing.domains + incoming.domains)),
        fetched_at=incoming.fetched_at,
        path=existing.path,
    )
