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


# Entity types, the vault folder of each, and the only relationship an entity page may declare
# per type (front matter key → graph relationship type). Entities are one page each:
# `wiki_content/<folder>/<id>.md`; `id` is a slug unique within its type.
ENTITY_FOLDERS: dict[str, str] = {
    "Concept": "concepts",
    "Paper": "papers",
    "PolicyEvent": "policy",
    "Organization": "orgs",
    "Person": "people",
    "Model": "models",
}
ENTITY_TYPES: tuple[str, ...] = tuple(ENTITY_FOLDERS)
ENTITY_LINK_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    # front matter key: (relationship type, target entity type)
    "Paper": {"about": ("ABOUT", "Concept")},
    "PolicyEvent": {"concerns": ("CONCERNS", "Concept")},
    "Person": {"affiliated_with": ("AFFILIATED_WITH", "Organization")},
    "Model": {},
    "Organization": {},
    "Concept": {},
}
# Properties an entity page of a type carries in its front matter besides the base fields: ingest fills
# those it can derive (ingest/entities/properties.py) and never overwrites one a person set; sync copies
# them onto the node. They are written in this order, right after `external_ids`.
ENTITY_PROPERTY_FIELDS: dict[str, tuple[str, ...]] = {
    "Paper": ("title", "short_name", "published"),
    "PolicyEvent": ("kind", "jurisdiction", "date"),
}


@dataclass
class Entity:
    """An entity page. Front matter holds the machine fields; `body` is the human page, kept verbatim.

    Page shape:
        ---
        type: Paper
        id: layered-refusal
        name: "Layered Refusal: Jailbreak Robustness Under Adaptive Attack"
        aliases: [Layered Refusal]
        external_ids: {arxiv: "2604.08861"}
        title: "Layered Refusal: Jailbreak Robustness Under Adaptive Attack"
        published: 2026-04            # ENTITY_PROPERTY_FIELDS of the type, kept in `extra`
        first_seen: 2026-04-28
        last_seen: 2026-04-28
        about: [jailbreak]            # ENTITY_LINK_FIELDS: ids of the target type
        ---
        # <name>
        <free text a person writes>
    """

    id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    external_ids: dict[str, str] = field(default_factory=dict)
    first_seen: date | None = None
    last_seen: date | None = None
    links: dict[str, list[str]] = field(default_factory=dict)  # ENTITY_LINK_FIELDS key → target ids
    body: str = ""
    extra: dict = field(default_factory=dict)  # any other front matter, preserved


@dataclass(frozen=True)
class Mention:
    """An entity a note mentions, as recorded in the note's front matter `entities:` list:
    `{type: Concept, id: knowledge-distillation, name: Knowledge distillation, count: 3, salience: 0.42}`.
    `salience` in [0, 1]: how central the entity is to the post (share of mentions, boosted in title/TL;DR)."""

    type: str
    id: str
    name: str
    count: int
    salience: float
