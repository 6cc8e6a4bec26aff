"""What sync writes to the vector index: note chunks (sections and raw-post paragraphs) and entity pages.

Sync (`graph/sync.py`) calls these before the graph write that commits a page (its `page_hash`),
so a crash leaves a page to re-project, never a stale vector. A note is re-chunked when its own
file changes or when its raw post does: the digest of the raw post it chunked is committed with
the note (`raw_hash`), and the next sync's scan re-chunks any note whose raw post was edited,
deleted or restored since (`graph/sync_scan.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.chunking import entity_text, note_chunks, read_raw_text
from graph.embed import Embedder
from graph.sync_scan import raw_digest
from graph.vectors import EntityPoint, VectorIndex

EMBED_BATCH_NOTES = 64


@dataclass
class VectorSink:
    index: VectorIndex
    embedder: Embedder
    root: Path | None = None  # the vault root, where raw posts are read (None: sections only)

    def replace(self, notes: list[Any]) -> int:
        """Replace the points of these notes (sync's NoteRows) by their current chunks; return how many."""
        written = 0  # batched across notes: the model embeds a full batch faster than many small ones
        for start in range(0, len(notes), EMBED_BATCH_NOTES):
            batch = notes[start : start + EMBED_BATCH_NOTES]
            chunks = []
            for rows in batch:
                raw = None
                if self.root is not None:
                    # Digest first: an edit landing between the two reads leaves an old digest, so it is redone.
                    rows.raw_hash = raw_digest(self.root, rows.note.raw)
                    raw = read_raw_text(self.root, rows.note)
                chunks += note_chunks(rows.note, rows.text, rows.props.get("path", ""), raw)
            vectors = self.embedder.embed([chunk.embedding_text for chunk in chunks])
            self.index.delete_notes([rows.id for rows in batch])
            self.index.upsert(chunks, vectors)
            written += len(chunks)
        return written

    def delete(self, note_ids: list[str]) -> None:
        self.index.delete_notes(note_ids)

    def replace_entities(self, pages: list[Any]) -> int:
        """Write the points of these entity pages (sync's EntityRows); return how many."""
        points = [
            EntityPoint(rows.entity.id, rows.entity.type, rows.entity.name, tuple(rows.entity.aliases),
                        rows.props.get("path", ""), entity_text(rows.entity))
            for rows in pages
        ]
        for start in range(0, len(points), EMBED_BATCH_NOTES):
            batch = points[start : start + EMBED_BATCH_NOTES]
            self.index.upsert_entities(batch, self.embedder.embed([point.text for point in batch]))
        return len(points)

    def delete_entities(self, keys: list[tuple[str, str]]) -> None:
        self.index.delete_entities(list(keys))
