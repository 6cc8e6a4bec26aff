"""What a parsed feed is, whatever its format (RSS, Atom, JSON Feed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.errors import WikigraphError


class NotAFeed(WikigraphError):
    """The document is not an RSS/Atom/JSON feed."""


@dataclass
class FeedEntry:
    guid: str | None
    title: str
    link: str | None
    published: datetime | None
    author: str | None
    content_html: str
    summary_html: str


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[FeedEntry]
    bozo: bool
    bozo_message: str | None
    version: str = ""
