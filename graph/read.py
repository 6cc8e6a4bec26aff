"""Reads behind the REST API's listings and pages: entities, neighbours, notes, statistics.

Plain objects in, plain objects out; statements in `graph/read_queries.py`. Bad input raises
QueryInputError, an unknown entity EntityNotFound (both WikigraphError).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import read_queries as rq
from graph import schema
from graph.chunking import epoch_ms
from graph.entities_md import ENTITY_ID_RE, entity_path
from graph.errors import QueryInputError
from graph.retrieval.errors import EntityNotFound
from graph.vault import Vault

if TYPE_CHECKING:
    from graph.store.base import GraphStore

MAX_PAGE_SIZE = 100
MAX_TEXT_CHARS = 200
NEIGHBOURS_PER_TYPE = 25
# Node properties that are bookkeeping, not facts about the entity.
_INTERNAL = frozenset({"id", "name", "aliases", "aliases_text", "page_hash", "link_keys", "referenced_only", "path", "title"})
_METRICS = ("mention_count", "degree", "pagerank", "community", "first_seen", "last_seen")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.page_size)


@dataclass(frozen=True)
class NoteFilter:
    source: str | None = None
    tiers: tuple[int, ...] | None = None
    since: date | None = None
    until: date | None = None
    concept: str | None = None


@dataclass(frozen=True)
class NeighbourGroup:
    """Neighbours of one label, strongest tie first; `total` counts them all, `items` at most the cap."""

    label: str
    total: int
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class EntityDetail:
    type: str
    id: str
    name: str
    aliases: list[str]
    external_ids: dict[str, str]
    metrics: dict[str, Any]
    properties: dict[str, Any]
    page_path: str | None  # vault-relative; None for an entity only notes mention (no page yet)
    markdown: str | None
    neighbours: list[NeighbourGroup] = field(default_factory=list)


# --- entities ---------------------------------------------------------------------------------


def list_entities(store: GraphStore, entity_type: str | None = None, text: str | None = None, page: int = 1, page_size: int = 20) -> Page:
    """Entities (of one type, or all) whose name, id or an alias contains `text`; by name, type, id."""
    label = schema.check_label(entity_type) if entity_type else None
    if label is not None and label not in schema.ENTITY_LABELS:
        raise QueryInputError(f"type must be an entity type ({', '.join(schema.ENTITY_LABELS)}), not {label!r}")
    skip, limit = _window(page, page_size)
    needle = _needle(text)
    total = rq.run(store, rq.entity_count(label), q=needle)[0]["total"]
    rows = rq.run(store, rq.entity_page(label), q=needle, skip=skip, limit=limit) if skip < total else []
    return Page(rows, total, page, page_size)


def find_entity(store: GraphStore, entity_id: str, entity_type: str | None = None) -> tuple[str, dict[str, Any]]:
    """(label, properties) of the entity; with no type, the first label (ENTITY_LABELS order) holding the id."""
    labels = (_entity_label(entity_type),) if entity_type else schema.ENTITY_LABELS
    if isinstance(entity_id, str) and ENTITY_ID_RE.fullmatch(entity_id) and ".." not in entity_id:
        for label in labels:
            rows = rq.run(store, rq.entity_by_id(label), id=entity_id)
            if rows:
                return label, rows[0]["node"]
    raise EntityNotFound(entity_id, entity_type)


def entity_neighbours(store: GraphStore, label: str, entity_id: str, per_type: int = NEIGHBOURS_PER_TYPE) -> list[NeighbourGroup]:
    """Every neighbour of the entity, grouped by label (alphabetical); each with its relationships to the entity."""
    if not 1 <= per_type <= MAX_PAGE_SIZE:
        raise QueryInputError(f"neighbours per type must be from 1 to {MAX_PAGE_SIZE}, got {per_type!r}")
    rows = rq.run(store, rq.entity_neighbours(_entity_label(label)), id=entity_id, labels=list(schema.LABELS), cap=per_type)
    return [NeighbourGroup(row["group"], row["total"], [_neighbour(item) for item in row["items"]]) for row in rows]


def entity_detail(store: GraphStore, vault: Vault, entity_id: str, entity_type: str | None = None,
                  per_type: int = NEIGHBOURS_PER_TYPE) -> EntityDetail:
    """The entity's node, its page's Markdown (when it has a page) and its neighbours by type."""
    label, node = find_entity(store, entity_id, entity_type)
    page = _page_file(vault, label, entity_id) if not node.get("referenced_only") else None
    return EntityDetail(
        type=label,
        id=node["id"],
        name=node.get("name") or node["id"],
        aliases=list(node.get("aliases") or []),
        external_ids={key.removesuffix("_id"): value for key, value in node.items() if key.endswith("_id") and isinstance(value, str)},
        metrics={key: node[key] for key in _METRICS if key in node},
        properties={key: value for key, value in sorted(node.items()) if _is_fact(key)},
        page_path=vault.relative(page) if page else None,
        markdown=page.read_text(encoding="utf-8") if page else None,
        neighbours=entity_neighbours(store, label, entity_id, per_type),
    )


def _page_file(vault: Vault, label: str, entity_id: str) -> Path | None:
    path = entity_path(vault, label, entity_id)
    return path if path.is_file() else None


def _is_fact(key: str) -> bool:
    return key not in _INTERNAL and key not in _METRICS and not key.endswith(("_ms", "_id")) and not key.startswith("page_")


def _neighbour(item: dict[str, Any]) -> dict[str, Any]:
    relationships = [{key: value for key, value in rel.items() if value is not None} for rel in item["relationships"]]
    relationships.sort(key=lambda rel: (rel["type"], rel["direction"]))
    return {"id": item["id"], "title": item["title"], "date": item.get("day"), "relationships": relationships}


def _entity_label(entity_type: str) -> str:
    label = schema.check_label(entity_type)
    if label not in schema.ENTITY_LABELS:
        raise QueryInputError(f"type must be an entity type ({', '.join(schema.ENTITY_LABELS)}), not {label!r}")
    return label


# --- notes ------------------------------------------------------------------------------------


def list_notes(store: GraphStore, where: NoteFilter = NoteFilter(), page: int = 1, page_size: int = 20) -> Page:
    """Notes matching every filter given, newest first (then by id)."""
    skip, limit = _window(page, page_size)
    if where.since and where.until and where.since > where.until:
        raise QueryInputError(f"since ({where.since}) is after until ({where.until})")
    if where.tiers is not None and any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in where.tiers):
        raise QueryInputError(f"tiers must be positive integers, got {list(where.tiers)}")
    params: dict[str, Any] = {
        "source": where.source,
        "tiers": list(where.tiers) if where.tiers else None,
        "since_ms": epoch_ms(where.since) if where.since else None,
        "until_ms": epoch_ms(where.until) if where.until else None,
    }
    by_concept = where.concept is not None
    if by_concept:
        params["concept"] = where.concept
    total = rq.run(store, rq.note_count(by_concept), **params)[0]["total"]
    rows = rq.run(store, rq.note_page(by_concept), skip=skip, limit=limit, **params) if skip < total else []
    return Page(list(rows), total, page, page_size)


# --- statistics -------------------------------------------------------------------------------


def graph_stats(store: GraphStore) -> dict[str, Any]:
    """Nodes by label, relationships by type, notes by tier and by source, the span of note dates."""
    counts = store.counts()
    dates = rq.run(store, rq.NOTE_DATES)
    return {
        "nodes": dict(sorted(counts["nodes"].items())),
        "relationships": dict(sorted(counts["edges"].items())),
        "notes_by_tier": {row["tier"]: row["count"] for row in rq.run(store, rq.NOTES_BY_TIER) if row["tier"] is not None},
        "notes_by_source": notes_by_source(store),
        "earliest_note": dates[0]["earliest"] if dates else None,
        "latest_note": dates[0]["latest"] if dates else None,
    }


def notes_by_source(store: GraphStore) -> dict[str, dict[str, Any]]:
    """{source id: {name, count, latest}} for every Source node."""
    return {row["source"]: {"name": row["name"], "count": row["count"], "latest": row["latest"]} for row in rq.run(store, rq.NOTES_BY_SOURCE)}


# --- input ------------------------------------------------------------------------------------


def _window(page: int, page_size: int) -> tuple[int, int]:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise QueryInputError(f"page must be an integer from 1, got {page!r}")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryInputError(f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}")
    return (page - 1) * page_size, page_size


def _needle(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise QueryInputError(f"the text filter is {len(text)} characters long; the limit is {MAX_TEXT_CHARS}")
    return text.strip().lower()
