"""What the injection test's functions run against: the sample graph on the embedded engine, a real
Qdrant local-mode index holding the sample notes and entities (embedded with the real model), an
empty vault, the retrieval dependencies over them and a loaded topology snapshot.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph.chunking import note_chunks
from graph.embed import Embedder
from graph.errors import WikigraphError
from graph.model import Entity, Note, SourceRecord
from graph.notes_md import render_note
from graph.retrieval import RetrievalDeps
from graph.retrieval.snapshot import Snapshot, load
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.vault import Vault
from graph.vectors import EntityPoint, VectorConfig, VectorIndex
from tests.support import sample_graph


class InjectionEnv:
    """The embedded store (restarted if a payload ever brings its server down) and what sits beside it."""

    def __init__(self, data_dir: Path, embedder: Embedder) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self.store = self._open()
        self.index = VectorIndex.open(VectorConfig(path=data_dir / "qdrant"), embedder.dimension)
        (data_dir / "wiki").mkdir()
        self.vault = Vault(data_dir / "wiki")
        self._snapshot: Snapshot | None = None

    def _open(self) -> FalkorStore:
        store = FalkorStore.start(GraphStoreConfig(data_dir=self.data_dir / "graph"))
        store.ensure_schema()
        return store

    def restart(self) -> None:
        try:
            self.store.close()
        except WikigraphError:
            pass  # the server is already gone: that is why we restart
        self.store = self._open()

    def close(self) -> None:
        try:
            self.index.close()
        finally:
            self.store.close()

    @property
    def deps(self) -> RetrievalDeps:
        return RetrievalDeps(self.store, self.index, self.embedder)

    def snapshot(self) -> Snapshot:
        """The sample graph's topology in memory, loaded once (the graph is restored to it before every attack)."""
        if self._snapshot is None:
            self._snapshot = load(self.store)
        return self._snapshot

    def index_sample(self) -> None:
        """Chunks of the sample notes and points of the sample entities, so text and vector searches find them."""
        notes = sample_notes()
        chunks = [chunk for note in notes for chunk in note_chunks(note, render_note(note), f"notes/{note.id}.md")]
        self.index.upsert(chunks, self.embedder.embed([chunk.embedding_text for chunk in chunks]))
        points = [EntityPoint(row["id"], label, row["props"]["name"], tuple(row["props"].get("aliases", ())), "", row["props"]["name"])
                  for label, rows in sample_graph.ENTITIES.items() for row in rows]
        self.index.upsert_entities(points, self.embedder.embed([point.text for point in points]))


def sample_notes() -> list[Note]:
    """The sample graph's notes as Note objects, with the entities each one mentions."""
    mentions: dict[str, list[dict]] = {}
    for start_label, start, rel_type, end_label, end, props in sample_graph.EDGES:
        if start_label == "Note" and rel_type == "MENTIONS":
            mentions.setdefault(start, []).append({"type": end_label, "id": end, "name": end, **props})
    return [
        Note(id=note_id, title=title, source=source, url=f"https://example.org/{note_id}", published=date.fromisoformat(published),
             tier=1, domain="ai", raw=f"raw/rss/{note_id}.md", content_hash="0" * 16, summarizer="extractive", tldr=f"{title}.",
             why_it_matters="It changes what gets built.", entities=mentions.get(note_id, []))
        for note_id, source, title, published in sample_graph.NOTES
    ]


def sample_sources() -> list[SourceRecord]:
    return [SourceRecord(row["id"], row["props"]["name"], row["props"]["feed_url"], row["props"]["tier"], tuple(row["props"]["domains"]),
                         row["props"]["url"] or None) for row in sample_graph.SOURCES]


def payload_note(payload: str, source: str) -> Note:
    """A note with the payload as its id and in every text it has."""
    return Note(id=payload, title=payload, source=source, url=payload, published=date(2026, 1, 1), tier=1, domain=payload, raw=payload,
                content_hash=payload, summarizer=payload, author=payload, topics=[payload], tldr=payload, why_it_matters=payload,
                source_name=payload)


def payload_entity(payload: str, entity_type: str) -> Entity:
    # The page's own title too: a Paper without one gets a title derived from its name (whitespace folded).
    return Entity(id=payload, type=entity_type, name=payload, aliases=[payload], external_ids={"arxiv": payload},
                  extra={"kind": payload, "title": payload})
