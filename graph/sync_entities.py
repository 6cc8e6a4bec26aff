"""Entity pages and sources into the graph, and what happens to an entity that loses its page.

An entity node exists while it has a page or something references it (a note's MENTIONS or
CONNECTS_TO, another page's declared link). Without a page but still referenced it is a
*referenced-only* entity: `{id, name, referenced_only: true}` and nothing else, named as the
note with the smallest id names it (or by its id when no note mentions it), so its state depends
only on the files, not on the order they were synced in. Unreferenced and page-less, it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph import sync_queries as q
from graph.entities_md import parse_entity
from graph.errors import NoteFormatError
from graph.links import PageIndex
from graph.model import Entity, SourceRecord
from graph.store.base import GraphStore
from graph.sync_rows import declared_rows, entity_props, placeholder_source_props, source_props
from graph.sync_scan import EntityKey, PageFile, page_hash

REFERENCING_TYPES = list(q.NOTE_LINK_TYPES)
SOURCE_KEYS = ("name", "feed_url", "url", "tier", "domains", "referenced_only")


@dataclass
class EntityRows:
    entity: Entity
    digest: str
    props: dict[str, Any]
    declared: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def key(self) -> EntityKey:
        return (self.entity.type, self.entity.id)


def read_entity_page(page: PageFile, expected: EntityKey) -> EntityRows:
    try:
        text = page.path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteFormatError(f"not UTF-8 text (byte {exc.start})", page.relative) from None
    entity = parse_entity(text, path=page.relative)
    if (entity.type, entity.id) != expected:
        raise NoteFormatError(f"a {entity.type} page with id {entity.id!r} cannot live at {page.relative}", page.relative)
    return EntityRows(entity, page_hash(text), entity_props(entity, page.relative), declared_rows(entity))


def project_pages(store: GraphStore, changed: list[EntityRows], deleted: list[EntityKey]) -> set[EntityKey]:
    """Write changed pages (properties, declared links) and drop the declared links of deleted ones.

    Return the entities touched: the pages themselves and their old and new link targets.
    """
    touched = {rows.key for rows in changed} | set(deleted)
    sources = _ids_by_label([rows.key for rows in changed] + list(deleted))
    for rel_type, source, target in q.DECLARED_LINKS:
        ids = sources.get(source, [])
        old = q.run_batches(store, q.declared_targets(rel_type, source, target), "ids", ids)
        touched |= {(target, row["id"]) for row in old}
        q.run_batches(store, q.unlink_declared(rel_type, source, target), "ids", ids)
    for label, rows in _rows_by_label(changed).items():
        q.run_batches(store, q.upsert_entities(label), "rows", [{"id": r.entity.id, "props": r.props} for r in rows])
    for rel_type, source, target in q.DECLARED_LINKS:
        links = [link for rows in changed if rows.entity.type == source for link in rows.declared.get(rel_type, [])]
        q.run_batches(store, q.link_declared(rel_type, source, target), "rows", links)
        touched |= {(target, link["target"]) for link in links}
    for label, rows in _rows_by_label(changed).items():
        q.run_batches(store, q.set_entity_hashes(label), "rows", [{"id": r.entity.id, "page_hash": r.digest} for r in rows])
    return touched


def reconcile_entities(store: GraphStore, touched: set[EntityKey], pages: PageIndex) -> tuple[int, int]:
    """Give each touched entity that has no projected page its referenced-only state, or delete it.

    An entity keeps its page state while its file exists and was projected (a page that fails to
    parse keeps what it last had). Returns (demoted or renamed, deleted) counts.
    """
    demoted = deleted = 0
    for label, ids in _ids_by_label(sorted(touched)).items():
        # Most touched entities have a page: read their references (which can be thousands) only when not.
        hashes = q.run_batches(store, q.entity_page_hashes(label), "ids", ids)
        pageless = [row["id"] for row in hashes if row["page_hash"] is None or label not in pages.entities.get(row["id"], ())]
        rows = q.run_batches(store, q.entity_references(label), "ids", pageless, referencing=REFERENCING_TYPES)
        replace, remove = [], []
        for row in rows:
            if row["references"] > 0:
                replace.append({"id": row["id"], "props": _referenced_only(row)})
            else:
                remove.append(row["id"])
        q.run_batches(store, q.replace_entities(label), "rows", replace)
        q.run_batches(store, q.delete_entities(label), "ids", remove)
        demoted, deleted = demoted + len(replace), deleted + len(remove)
    return demoted, deleted


def _referenced_only(row: dict) -> dict[str, Any]:
    named = sorted((note_id, name) for note_id, name in row["mentions"] if note_id is not None and name)
    return {"id": row["id"], "name": named[0][1] if named else row["id"], "referenced_only": True}


def sync_sources(store: GraphStore, sources: list[SourceRecord]) -> bool:
    """Configured sources as configured; others kept as placeholders while notes name them. True if anything changed."""
    state = {row["id"]: row for row in q.run(store, q.SOURCE_STATE)}
    wanted = {source.id: source_props(source) for source in sources}
    upserts = [
        {"id": source_id, "props": props}
        for source_id, props in wanted.items()
        if source_id not in state or _differs(state[source_id]["props"], props)
    ]
    placeholders, removed = [], []
    for source_id, row in state.items():
        if source_id in wanted:
            continue
        if row["published"] == 0:
            removed.append(source_id)
        elif _differs(row["props"], placeholder_source_props(source_id)):
            placeholders.append({"id": source_id, "props": placeholder_source_props(source_id)})
    q.run_batches(store, q.UPSERT_SOURCES, "rows", upserts)
    q.run_batches(store, q.REPLACE_SOURCES, "rows", placeholders)
    q.run_batches(store, q.DELETE_SOURCES, "ids", removed)
    return bool(upserts or placeholders or removed)


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return any(current.get(key) != wanted.get(key) for key in SOURCE_KEYS)


def _ids_by_label(keys: list[EntityKey]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for label, entity_id in keys:
        grouped.setdefault(label, []).append(entity_id)
    return grouped


def _rows_by_label(changed: list[EntityRows]) -> dict[str, list[EntityRows]]:
    grouped: dict[str, list[EntityRows]] = {}
    for rows in changed:
        grouped.setdefault(rows.entity.type, []).append(rows)
    return grouped
