"""The knowledge model: plain objects, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Connection:
    """One bullet of a note's Connections section: a link to another page and why it matters."""

    target: str
    reason: str
    label: str | None = None
    date: date | None = None


@dataclass
class Note:
    """A summary note: machine front matter plus the human page (header, title, source line, five sections)."""

    id: str
    title: str
    source: str
    url: str
    published: date
    tier: int
    domain: str
    raw: str
    content_hash: str
    summarizer: str
    author: str | None = None
    topics: list[str] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    tldr: str = ""
    why_it_matters: str = ""
    connections: list[Connection] = field(default_factory=list)
    research_angle: list[str] = field(default_factory=list)
    open_questions: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    source_name: str | None = None  # how the page names the source; the page falls back to `source`
    extra_sections: dict[str, str] = field(default_factory=dict)  # hand-added `## Heading` → body, kept verbatim


@dataclass(frozen=True)
class SourceRecord:
    """A configured feed, as the graph sees it."""

    id: str
    name: str
    feed_url: str
    tier: int
    domains: tuple[str, ...] = ()
    url: str | None = None
