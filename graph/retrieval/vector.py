"""Vector search over note chunks, one result per note, joined to the note's graph node."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.embed import Embedder
from graph.store.base import GraphStore
from graph.vectors import VectorIndex

# Several chunks of one note can match; fetch extra so k distinct notes remain after grouping.
_OVERFETCH = 4


@dataclass(frozen=True)
class NoteHit:
    note_id: str
    score: float
    section: str
    snippet: str
    start: int
    end: int
    node: dict[str, Any]


def vector_search(store: GraphStore, index: VectorIndex, embedder: Embedder, query: str, k: int) -> list[NoteHit]:
    hits = index.search(embedder.embed_one(query), k=k * _OVERFETCH)
    best = {}
    for hit in hits:
        if hit.note_id not in best:
            best[hit.note_id] = hit
    ranked = list(best.values())[:k]
    nodes = store.get_notes([hit.note_id for hit in ranked])
    return [
        NoteHit(hit.note_id, hit.score, hit.section, hit.text, hit.start, hit.end, nodes[hit.note_id])
        for hit in ranked
        # A point without a node is a note deleted mid-sync; the next sync removes the point.
        if hit.note_id in nodes
    ]
