"""The raw post and its file format: YAML front matter, a blank line, the Markdown body. Round trips exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import yaml

from graph.errors import NoteFormatError
from graph.vault import dump_front_matter, split_front_matter

FLAGS = ("undated", "excerpt")  # written only when true, to keep ordinary files short
OPTIONAL_TEXT = ("date_flag", "full_article", "feed_hash")  # written only when set


@dataclass
class RawPost:
    id: str
    title: str
    url: str | None
    published: datetime
    author: str | None
    sources: list[str]
    tier: int
    domains: list[str]
    guid: str | None
    content_hash: str
    fetched_at: datetime
    body: str
    truncated: bool = False
    # The feed gave no date: `published` is when the post was first seen.
    undated: bool = False
    # The body is the feed's summary/excerpt, not the full content (a full-text fetch may fill it in later).
    excerpt: bool = False
    # Why the feed's date was not trusted (before 1990, or more than a day after fetching); `published` is then
    # the time the post was first fetched.
    date_flag: str | None = None
    # "fetched": the body is the article page's text (the feed carried only part of it); otherwise why the page
    # was not used ("failed: HTTP 403", "page text no longer than the feed's"). Absent: no page was fetched.
    full_article: str | None = None
    # With `full_article`: the content hash of the feed's own version, so a re-run can tell whether the entry
    # changed without fetching the page again.
    feed_hash: str | None = None
    # The entry's link cleaned of tracking parameters, fragment and default port: what the post is known by when
    # another feed carries it too. `url` stays the link as the feed gave it.
    canonical_url: str | None = None
    # Ids of entries from other feeds merged into this post because they link to the same canonical URL; a later
    # run finds the post by them directly.
    merged_ids: list[str] = field(default_factory=list)
    # Where the post is stored, relative to the vault root; set when written or read, not part of the file.
    path: str | None = field(default=None, compare=False)


class RawPostError(NoteFormatError):
    """A raw post file could not be read; names the file and line."""


def utc_seconds(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware (UTC) datetime")
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def render_raw_post(post: RawPost) -> str:
    meta: dict[str, Any] = {
        "id": post.id,
        "title": post.title,
        "url": post.url,
        "canonical_url": post.canonical_url,
        "published": format_time(post.published),
        "author": post.author,
        "sources": list(post.sources),
        "tier": post.tier,
        "domains": list(post.domains),
        "guid": post.guid,
        "content_hash": post.content_hash,
        "fetched_at": format_time(post.fetched_at),
        "truncated": post.truncated,
    }
    meta.update({key: getattr(post, key) for key in OPTIONAL_TEXT if getattr(post, key) is not None})
    meta.update({flag: True for flag in FLAGS if getattr(post, flag)})
    if post.merged_ids:
        meta["merged_ids"] = list(post.merged_ids)
    return dump_front_matter(meta) + "\n" + post.body + "\n"


def parse_raw_post(text: str, path: str | None = None) -> RawPost:
    try:
        meta, rest, _ = split_front_matter(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 2 if exc.problem_mark else None  # +1 for 1-based, +1 for the '---'
        raise RawPostError(f"invalid front matter: {exc.problem}", path, line) from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise RawPostError(f"invalid front matter: {exc}", path, 1) from exc
    if not meta:
        raise RawPostError("no front matter (a raw post starts with '---')", path, 1)
    fields = _Fields(meta, text, path)
    url = fields.optional_text("url")
    return RawPost(
        id=fields.text("id"),
        title=fields.text("title", allow_empty=True),
        url=url,
        # Files written before `canonical_url` existed hold the cleaned link as `url`.
        canonical_url=fields.optional_text("canonical_url") if "canonical_url" in meta else url,
        published=fields.time("published"),
        author=fields.optional_text("author"),
        sources=fields.names("sources"),
        tier=fields.integer("tier"),
        domains=fields.names("domains"),
        guid=fields.optional_text("guid"),
        content_hash=fields.text("content_hash"),
        fetched_at=fields.time("fetched_at"),
        body=rest.removeprefix("\n").removesuffix("\n"),
        truncated=fields.flag("truncated"),
        undated=fields.flag("undated"),
        excerpt=fields.flag("excerpt"),
        date_flag=fields.optional_text("date_flag"),
        full_article=fields.optional_text("full_article"),
        feed_hash=fields.optional_text("feed_hash"),
        merged_ids=fields.names("merged_ids") if "merged_ids" in meta else [],
        path=path,
    )


class _Fields:
    """Typed access to front matter values; a wrong one raises RawPostError at its line."""

    def __init__(self, meta: dict[str, Any], text: str, path: str | None) -> None:
        self.meta = meta
        self.text_lines = text.splitlines()
        self.path = path

    def _fail(self, key: str, message: str) -> RawPostError:
        line = next((n for n, row in enumerate(self.text_lines, 1) if row.startswith(f"{key}:")), 1)
        return RawPostError(f"{key} {message}", self.path, line)

    def text(self, key: str, allow_empty: bool = False) -> str:
        value = self.meta.get(key)
        if not isinstance(value, str) or (not allow_empty and not value):
            raise self._fail(key, "must be a non-empty string")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "must be a string or null")
        return value

    def time(self, key: str) -> datetime:
        value = self.meta.get(key)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self._fail(key, f"is not an ISO date-time: {value!r}") from None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise self._fail(key, "must be an ISO date-time with a time zone")
        return value.astimezone(timezone.utc)

    def integer(self, key: str) -> int:
        value = self.meta.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "must be an integer")
        return value

    def names(self, key: str) -> list[str]:
        value = self.meta.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
            raise self._fail(key, "must be a non-empty list of names")
        return value

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if not isinstance(value, bool):
            raise self._fail(key, "must be true or false")
        return value
