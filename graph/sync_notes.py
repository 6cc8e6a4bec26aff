"""Notes into the graph (node, PUBLISHED, MENTIONS, CONNECTS_TO); their chunks go to the vector
index through `graph.vector_sync.VectorSink`.

Order matters for crash safety: vectors first, then the graph, then each note's `page_hash`
(and `raw_hash`, its raw post's digest as chunked) last. The hash is the commit marker: a note whose hash is missing or stale is projected again by
the next sync, so a crash anywhere leaves work to redo, never a silently stale projection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph import sync_queries as q
from graph.errors import NoteFormatError
from graph.links import PageIndex
from graph.model import Note
from graph.notes_md import parse_note
from graph.store.base import GraphStore
from graph.sync_rows import connection_rows, mention_rows, note_props
from graph.sync_scan import EntityKey, PageFile, page_hash


@dataclass
class NoteRows:
    """One note read from its file, as the rows the graph needs."""

    note: Note
    text: str
    digest: str
    props: dict[str, Any]
    mentions: dict[str, list[dict]] = field(default_factory=dict)
    connections: dict[str, list[dict]] = field(default_factory=dict)
    raw_hash: str | None = None  # digest of the raw post as chunked (set by the vector sink; None: graph only)

    @property
    def id(self) -> str:
        return self.note.id


def read_note(page: PageFile, pages: PageIndex) -> NoteRows:
    """Parse a note file; raise NoteFormatError (with file and line) if it cannot be projected."""
    text = _read_text(page)
    note = parse_note(text, path=page.relative)
    if note.id != page.path.stem:
        raise NoteFormatError(f"field 'id' is {note.id!r} but the file is named {page.path.name!r}", page.relative)
    mentions = mention_rows(note, page.relative)
    connections, keys = connection_rows(note, pages)
    return NoteRows(note, text, page_hash(text), note_props(note, page.relative, keys), mentions, connections)


def _read_text(page: PageFile) -> str:
    """The file exactly (no newline translation, so its hash is the scan's), or a NoteFormatError."""
    try:
        return page.path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteFormatError(f"not UTF-8 text (byte {exc.start})", page.relative) from None


def entity_targets(store: GraphStore, note_ids: list[str]) -> set[EntityKey]:
    """Entities these notes mention or connect to, as the graph has them now."""
    rows = q.run_batches(store, q.NOTE_LINK_TARGETS, "ids", note_ids)
    return {(row["label"], row["id"]) for row in rows}


def delete_notes(store: GraphStore, note_ids: list[str]) -> set[EntityKey]:
    """Remove these notes and their edges; return the entities they pointed at."""
    touched = entity_targets(store, note_ids)
    q.run_batches(store, q.DELETE_NOTES, "ids", note_ids)
    return touched


def upsert_note_nodes(store: GraphStore, changed: list[NoteRows]) -> None:
    """Write the properties and PUBLISHED edge of changed notes (their `page_hash` comes later, in
    `link_notes`): every note node exists before any CONNECTS_TO is drawn to it."""
    q.run_batches(store, q.UPSERT_NOTES, "rows", [{"id": rows.id, "props": rows.props} for rows in changed])
    q.run_batches(store, q.UNLINK_PUBLISHED, "ids", [rows.id for rows in changed])
    q.run_batches(store, q.LINK_PUBLISHED, "rows", [{"id": rows.id, "source_id": rows.note.source} for rows in changed])


def link_notes(store: GraphStore, notes: list[NoteRows], commit: bool) -> set[EntityKey]:
    """Redraw the MENTIONS and CONNECTS_TO of these notes; with `commit`, then record their page hash.

    Return the entities touched (old and new targets)."""
    ids = [rows.id for rows in notes]
    touched = entity_targets(store, ids)
    q.run_batches(store, q.UNLINK_NOTES, "ids", ids)
    for label, rows in _by_label(notes, "mentions").items():
        q.run_batches(store, q.create_mentions(label), "rows", rows)
        touched |= {(label, row["id"]) for row in rows}
    for label, rows in _by_label(notes, "connections").items():
        q.run_batches(store, q.create_connections(label), "rows", rows)
        if label != "Note":
            touched |= {(label, row["id"]) for row in rows}
    if commit:
        hashes = [{"id": rows.id, "page_hash": rows.digest, "raw_hash": rows.raw_hash} for rows in notes]
        q.run_batches(store, q.SET_NOTE_HASHES, "rows", hashes)
    return touched


def _by_label(notes: list[NoteRows], kind: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for rows in notes:
        for label, items in getattr(rows, kind).items():
            grouped.setdefault(label, []).extend(items)
    return grouped


def dependent_notes(store: GraphStore, keys: set[str]) -> list[str]:
    """Notes whose links name one of these page ids."""
    if not keys:
        return []
    rows = q.run(store, q.DEPENDENT_NOTES, keys=sorted(keys))
    return sorted(row["id"] for row in rows)
