"""The summarizer interface: what a summarizer gets and what it must give back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from graph.model import Connection


@dataclass(frozen=True)
class RelatedNote:
    """An existing note the new post is near to, offered so Connections point at pages that exist."""

    id: str
    title: str
    published: date | None
    tldr: str
    score: float


@dataclass(frozen=True)
class KnownEntity:
    """An entity the post mentions that already has a page in the wiki (so a Connection can point at it)."""

    type: str
    id: str
    name: str
    page: str  # vault-relative path of its page, e.g. "concepts/knowledge-distillation.md"
    mentions: int  # times this post mentions it
    notes: int  # earlier notes that mention it
    aliases: tuple[str, ...] = ()  # other names the post may use for it ("RL" for reinforcement learning)


@dataclass(frozen=True)
class SummaryContext:
    related: list[RelatedNote] = field(default_factory=list)
    known_entities: list[KnownEntity] = field(default_factory=list)


@dataclass
class Summary:
    tldr: str
    why_it_matters: str
    connections: list[Connection]
    research_angle: list[str]
    open_questions: list[str]
    summarizer: str | None = None  # who wrote it, when not the summarizer asked (an LLM falling back to extractive)
    extra: dict = field(default_factory=dict)  # goes into the note's front matter (e.g. LLM usage, fallback reason)


class Summarizer(Protocol):
    name: str

    def summarize(self, title: str, body_markdown: str, context: SummaryContext) -> Summary: ...
