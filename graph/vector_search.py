"""Reading the vector index: dense, BM25 and hybrid (RRF) searches, and a note's chunks by id.

On a Qdrant server a hybrid search is one request: both vectors as prefetches, fused by
`RrfQuery`. Qdrant's local mode can run the same request, but it scores every point in Python
on each query (re-normalising every dense vector, testing payload filters one point at a time)
and deep-copies what it returns, which is far too slow beyond a few thousand points. So in local
mode every search is answered from the index's in-memory mirror (graph/local_mirror.py): BM25
with Qdrant's own IDF formula, cosine similarity over one float32 matrix, payload filters tested
best-first until enough points pass, and hybrid results fused by the formula Qdrant uses,
score = Σ 1/(k + rank) over the two (filtered) lists, rank from 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph import sparse
from graph.local_mirror import LocalMirror
from graph.vector_types import DEFAULT_RRF_K, ChunkFilter, EntityHit, TypeFilter, VectorHit, note_point_id

DENSE = "dense"
SPARSE = "bm25"
MODES = ("hybrid", "dense", "sparse")
CHUNK_PROBE = 16  # chunk ids read per note at once; a note with more is read in further rounds


@dataclass
class _Point:
    id: Any
    score: float
    payload: dict[str, Any]


class VectorSearch:
    """The read side of `VectorIndex` (which provides `_client`, `config`, `mode`, `_usable`, `_mirror`)."""

    mode: str

    _client: Any
    config: Any
    _mirrors: dict[str, LocalMirror]

    def search(self, vector: list[float], k: int = 10) -> list[VectorHit]:
        """Dense search over note chunks."""
        return self.search_chunks(vector, None, k, mode="dense")

    def search_chunks(self, dense: list[float] | None, text: str | None, k: int, where: ChunkFilter | None = None,
                      mode: str = "hybrid", rrf_k: int = DEFAULT_RRF_K) -> list[VectorHit]:
        """Note chunks by `mode`: "dense" (the vector), "sparse" (BM25 on `text`), "hybrid" (both, RRF-fused)."""
        self._usable(self.config.collection)
        return [_vector_hit(point) for point in self._filtered(self.config.collection, dense, text, k, where, mode, rrf_k)]

    def search_entities(self, dense: list[float] | None, text: str | None, k: int, types: tuple[str, ...] | None = None,
                        mode: str = "hybrid", rrf_k: int = DEFAULT_RRF_K) -> list[EntityHit]:
        self._usable(self.config.entity_collection)
        where = TypeFilter(tuple(types)) if types else None
        return [_entity_hit(point) for point in self._filtered(self.config.entity_collection, dense, text, k, where, mode, rrf_k)]

    def note_chunks(self, note_ids: list[str]) -> dict[str, list[tuple[VectorHit, list[float]]]]:
        """Every chunk of these notes with its dense vector (a numpy unit vector in local mode), in chunk order, read by point id:
        the first CHUNK_PROBE ids of each note, then (the count is in every chunk) the rest."""
        self._usable(self.config.collection)
        if self.mode == "local":
            return self._local_note_chunks(note_ids)
        found: dict[str, list[tuple[VectorHit, list[float]]]] = {note_id: [] for note_id in note_ids}
        wanted = [(note_id, ordinal) for note_id in found for ordinal in range(CHUNK_PROBE)]
        for _ in range(2):
            if not wanted:
                break
            ids = [note_point_id(note_id, ordinal) for note_id, ordinal in wanted]
            for point in self._client.retrieve(self.config.collection, ids, with_payload=True, with_vectors=[DENSE]):
                hit = _vector_hit(_Point(point.id, 0.0, point.payload))
                found[hit.note_id].append((hit, list(point.vector[DENSE])))
            wanted = [
                (note_id, ordinal)
                for note_id, chunks in found.items()
                if len(chunks) == CHUNK_PROBE
                for ordinal in range(CHUNK_PROBE, int(chunks[0][0].payload.get("chunks", 0)))
            ]
        for chunks in found.values():
            chunks.sort(key=lambda item: int(item[0].payload.get("ordinal", 0)))
        return found

    # --- the searches ---------------------------------------------------------------------

    def _local_note_chunks(self, note_ids: list[str]) -> dict[str, list[tuple[VectorHit, list[float]]]]:
        dense = self._mirror(self.config.collection).dense
        found: dict[str, list[tuple[VectorHit, list[float]]]] = {}
        for note_id in note_ids:
            chunks, ordinal, count = [], 0, 1
            while ordinal < count:
                point_id = note_point_id(note_id, ordinal)
                payload = dense.payload(point_id)
                if payload is None:
                    break
                chunks.append((_vector_hit(_Point(point_id, 0.0, dict(payload))), dense.vector(point_id)))
                count, ordinal = int(payload.get("chunks", 1)), ordinal + 1
            found[note_id] = chunks
        return found

    def _filtered(self, name: str, dense, text, k: int, where, mode: str, rrf_k: int) -> list:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {', '.join(MODES)}")
        query_sparse = sparse.query_vector(text or "") if mode != "dense" else None
        use_sparse = bool(query_sparse) and mode != "dense"
        use_dense = mode == "dense" or (mode == "hybrid" and dense is not None)
        if use_dense and dense is None:
            raise ValueError("a dense search needs a query vector")
        if not use_sparse and not use_dense:
            return []
        if self.mode == "local":
            return self._local(name, dense if use_dense else None, query_sparse if use_sparse else None, k, where, rrf_k)
        request = _request(dense if use_dense else None, query_sparse if use_sparse else None, k, where.qdrant() if where else None, rrf_k)
        return self._client.query_points(name, **request).points

    def _local(self, name: str, dense, query_sparse, k: int, where, rrf_k: int) -> list[_Point]:
        """The same search from the mirror: each list filtered and cut to `k`, as a server's prefetches are."""
        mirror = self._mirror(name)
        keep = None
        if where is not None:
            def keep(point_id: str) -> bool:
                return where.matches(mirror.payload(point_id) or {})
        lists = []
        if dense is not None:
            lists.append(mirror.dense.search(dense, k, keep))
        if query_sparse is not None:
            lists.append(mirror.sparse.search(query_sparse.indices, k, keep))
        ranked = lists[0] if len(lists) == 1 else fuse(lists, rrf_k)[:k]
        payloads = {point_id: mirror.payload(point_id) for point_id, _ in ranked}
        # copies, as Qdrant returns: a caller changing a hit must not change the index
        return [_Point(point_id, score, dict(payloads[point_id])) for point_id, score in ranked if payloads[point_id] is not None]


def fuse(lists: list[list[tuple[str, float]]], rrf_k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion as Qdrant computes it: Σ 1/(k + rank), rank from 0; ties keep first-seen order."""
    scores: dict[str, float] = {}
    for ranked in lists:
        for rank, (point_id, _) in enumerate(ranked):
            scores[point_id] = scores.get(point_id, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def _request(dense, query_sparse, k: int, where, rrf_k: int) -> dict[str, Any]:
    from qdrant_client import models

    common = {"limit": k, "with_payload": True}
    if query_sparse is None:
        return {"query": dense, "using": DENSE, "query_filter": where, **common}
    sparse_query = models.SparseVector(indices=query_sparse.indices, values=query_sparse.values)
    if dense is None:
        return {"query": sparse_query, "using": SPARSE, "query_filter": where, **common}
    prefetch = [
        models.Prefetch(query=dense, using=DENSE, limit=k, filter=where),
        models.Prefetch(query=sparse_query, using=SPARSE, limit=k, filter=where),
    ]
    return {"prefetch": prefetch, "query": models.RrfQuery(rrf=models.Rrf(k=rrf_k)), **common}


def _vector_hit(point) -> VectorHit:
    payload = point.payload
    return VectorHit(
        note_id=payload["note_id"],
        section=payload["section"],
        text=payload["text"],
        score=float(point.score),
        start=int(payload["start"]),
        end=int(payload["end"]),
        kind=payload.get("kind", "section"),
        path=payload.get("path", ""),
        payload=payload,
    )


def _entity_hit(point) -> EntityHit:
    payload = point.payload
    return EntityHit(
        entity_id=payload["entity_id"],
        type=payload["type"],
        name=payload["name"],
        aliases=tuple(payload.get("aliases", ())),
        path=payload.get("path", ""),
        text=payload.get("text", ""),
        score=float(point.score),
    )
