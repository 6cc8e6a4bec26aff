"""Project the vault into the graph store and the vector index, applying only the difference.

A note's page hash (of its whole file) decides whether it changed. The vector index is written
before the graph: the graph's page hash is the commit marker, so a crash between the two leaves
a mismatch that the next sync repairs instead of a silently stale index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

from graph.embed import Embedder
from graph.model import Note, SourceRecord
from graph.notes_md import note_sections, parse_note
from graph.store.base import GraphStore
from graph.vault import Vault
from graph.vectors import Chunk, VectorIndex

Progress = Callable[[str, int, int], None]


@dataclass
class SyncReport:
    upserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.upserted or self.deleted)


def page_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sync_vault(
    vault: Vault,
    store: GraphStore,
    index: VectorIndex,
    embedder: Embedder,
    sources: list[SourceRecord],
    progress: Progress | None = None,
) -> SyncReport:
    store.upsert_sources([_source_row(source) for source in sources])
    report = SyncReport()
    known = store.note_page_hashes()
    on_disk: set[str] = set()
    paths = vault.note_paths()
    for position, path in enumerate(paths, start=1):
        text = path.read_text(encoding="utf-8")
        note = parse_note(text, path=vault.relative(path))
        on_disk.add(note.id)
        digest = page_hash(text)
        if known.get(note.id) == digest:
            report.unchanged += 1
        else:
            report.chunks += _project_note(vault, store, index, embedder, path, text, note, digest)
            report.upserted.append(note.id)
        if progress:
            progress("sync", position, len(paths))
    report.deleted = sorted(set(known) - on_disk)
    index.delete_notes(report.deleted)
    store.delete_notes(report.deleted)
    return report


def sync_note(vault: Vault, store: GraphStore, index: VectorIndex, embedder: Embedder, path: Path) -> int:
    """Project one note file now (used right after it is written, so later posts can connect to it)."""
    text = path.read_text(encoding="utf-8")
    note = parse_note(text, path=vault.relative(path))
    return _project_note(vault, store, index, embedder, path, text, note, page_hash(text))


def _project_note(vault, store, index, embedder, path: Path, text: str, note: Note, digest: str) -> int:
    chunks = note_chunks(note, text)
    vectors = embedder.embed([f"{note.title}. {chunk.text}" for chunk in chunks])
    index.delete_notes([note.id])
    index.upsert(chunks, vectors)
    store.upsert_notes([_note_row(note, vault.relative(path), digest)])
    return len(chunks)


def note_chunks(note: Note, text: str) -> list[Chunk]:
    payload = {
        "source": note.source,
        "tier": note.tier,
        "domain": note.domain,
        "published": _epoch_ms(note.published),
    }
    return [
        Chunk(note_id=note.id, section=section.name, text=section.text.strip(), start=section.start_char, end=section.end_char, payload=payload)
        for section in note_sections(text)
        if section.text.strip()
    ]


def _epoch_ms(day) -> int:
    return int(datetime.combine(day, time(), tzinfo=timezone.utc).timestamp() * 1000)


def _note_row(note: Note, path: str, digest: str) -> dict:
    return {
        "id": note.id,
        "source_id": note.source,
        "props": {
            "title": note.title,
            "url": note.url,
            "published": note.published.isoformat(),
            "published_ms": _epoch_ms(note.published),
            "tier": note.tier,
            "domain": note.domain,
            "topics": list(note.topics),
            "author": note.author or "",
            "path": path,
            "raw_path": note.raw,
            "tldr": note.tldr,
            "content_hash": note.content_hash,
            "page_hash": digest,
            "summarizer": note.summarizer,
        },
    }


def _source_row(source: SourceRecord) -> dict:
    return {
        "id": source.id,
        "props": {
            "name": source.name,
            "feed_url": source.feed_url,
            "url": source.url or "",
            "tier": source.tier,
            "domains": list(source.domains),
            "referenced_only": False,
        },
    }
