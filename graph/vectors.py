"""The vector index on Qdrant (local mode by default, a server when configured).

Two collections, each point with a dense vector (`dense`, the embedding model, cosine) and a
BM25 sparse vector (`bm25`, `graph/sparse.py`, IDF applied by Qdrant):

- note chunks (`VectorConfig.collection`): note sections and raw-post paragraphs, payload
  {note_id, kind, section, text, start, end, path, source, tier, domain, published (epoch ms),
  entities ["Type/id", …]};
- entities (`VectorConfig.entity_collection`): one point per entity page, payload
  {entity_id, type, name, aliases, path, text}.

Hybrid search runs both vectors as prefetches and fuses them in Qdrant with reciprocal rank
fusion (`RrfQuery`, k configurable), one request.

The layout (vector names, sizes, the sparse IDF modifier) is checked on open. A collection
built by an older layout or another embedding model is not an error until it is used: writing
to or searching it raises `VectorIndexError` telling the user to run `wikigraph reindex`, and
`health()` says so. `reset()` (what reindex does) recreates both collections; an outdated
collection that is empty (a reindex deleted its points) is recreated on the first write.
"""

from __future__ import annotations

from typing import Any

from graph import sparse
from graph.chunking import Chunk
from graph.errors import VectorIndexError
from graph.vector_types import (
    DEFAULT_RRF_K,
    ChunkFilter,
    ChunkQuery,
    EntityHit,
    EntityPoint,
    VectorConfig,
    VectorHit,
    chunk_point_id,
    entity_point_id,
    note_point_id,
)

__all__ = ["Chunk", "ChunkFilter", "ChunkQuery", "EntityHit", "EntityPoint", "VectorConfig", "VectorHit", "VectorIndex"]

DENSE = "dense"
SPARSE = "bm25"
MODES = ("hybrid", "dense", "sparse")
LOCAL_MODE_ADVICE_LIMIT = 20_000
LOCAL_FILTER_OVERFETCH = 10
CHUNK_PROBE = 16  # chunk ids read per note at once; a note with more is read in further rounds


class VectorIndex:
    """Create with `VectorIndex.open(config, dimension)`; one per process (local mode locks its folder)."""

    def __init__(self, client, config: VectorConfig, dimension: int) -> None:
        self._client = client
        self.config = config
        self.dimension = dimension
        self.layout_problems: dict[str, str] = {}  # collection → why it must be rebuilt

    @classmethod
    def open(cls, config: VectorConfig, dimension: int) -> "VectorIndex":
        from qdrant_client import QdrantClient

        try:
            if config.url:
                client = QdrantClient(url=config.url, api_key=config.api_key)
            else:
                config.path.mkdir(parents=True, exist_ok=True)
                client = QdrantClient(path=str(config.path))
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise VectorIndexError(
                    f"the vector index in {config.path} is open in another wikigraph process "
                    "(a running `wikigraph serve`/`run`?). Stop it, or use `POST /ingest` on the running server."
                ) from exc
            raise VectorIndexError(f"could not open the vector index: {exc}") from exc
        index = cls(client, config, dimension)
        for name in index._collections:
            index._ensure_collection(name)
        return index

    @property
    def mode(self) -> str:
        return "server" if self.config.url else "local"

    @property
    def _collections(self) -> tuple[str, str]:
        return (self.config.collection, self.config.entity_collection)

    # --- layout ---------------------------------------------------------------------------

    def _ensure_collection(self, name: str) -> None:
        if not self._client.collection_exists(name):
            self._create(name)
            return
        problem = self._layout_problem(name)
        if problem:
            self.layout_problems[name] = problem

    def _layout_problem(self, name: str) -> str | None:
        from qdrant_client import models

        params = self._client.get_collection(name).config.params
        vectors, sparse_vectors = params.vectors, params.sparse_vectors or {}
        if not isinstance(vectors, dict) or DENSE not in vectors:
            return f"collection {name!r} was built by an older wikigraph (no named dense vector); run `wikigraph reindex`"
        if vectors[DENSE].size != self.dimension:
            return (f"collection {name!r} holds {vectors[DENSE].size}-d vectors but the embedding model gives "
                    f"{self.dimension}-d; run `wikigraph reindex`")
        if SPARSE not in sparse_vectors or sparse_vectors[SPARSE].modifier != models.Modifier.IDF:
            return f"collection {name!r} was built by an older wikigraph (no BM25 sparse vectors); run `wikigraph reindex`"
        return None

    def _create(self, name: str) -> None:
        from qdrant_client import models

        self._client.create_collection(
            name,
            vectors_config={DENSE: models.VectorParams(size=self.dimension, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if self.mode == "server":
            # Local mode scans payloads anyway (and warns about indexes); the server needs them for fast filters.
            key = "note_id" if name == self.config.collection else "type"
            self._client.create_payload_index(name, key, models.PayloadSchemaType.KEYWORD)
            if name == self.config.collection:
                self._client.create_payload_index(name, "published", models.PayloadSchemaType.INTEGER)
        self.layout_problems.pop(name, None)

    def reset(self) -> None:
        """Drop and recreate both collections in the current layout (everything indexed is gone)."""
        for name in self._collections:
            if self._client.collection_exists(name):
                self._client.delete_collection(name)
            self._create(name)

    def _usable(self, name: str, writing: bool = False) -> None:
        problem = self.layout_problems.get(name)
        if problem is None:
            return
        if writing and self._client.count(name, exact=True).count == 0:
            self._client.delete_collection(name)
            self._create(name)
            return
        raise VectorIndexError(problem)

    # --- writes ---------------------------------------------------------------------------

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        from qdrant_client import models

        if not chunks:
            return
        self._usable(self.config.collection, writing=True)
        points = [
            models.PointStruct(
                id=chunk_point_id(chunk),
                vector={DENSE: vector, SPARSE: _sparse(sparse.document_vector(chunk.embedding_text))},
                payload={
                    **chunk.payload,
                    "note_id": chunk.note_id,
                    "kind": chunk.kind,
                    "section": chunk.section,
                    "text": chunk.text,
                    "start": chunk.start,
                    "end": chunk.end,
                    "path": chunk.path,
                    "ordinal": chunk.ordinal,
                    "chunks": chunk.count,
                },
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        self._client.upsert(self.config.collection, points=points, wait=True)

    def delete_notes(self, note_ids: list[str]) -> None:
        if note_ids:
            self._delete(self.config.collection, "note_id", list(note_ids))

    def upsert_entities(self, entities: list[EntityPoint], vectors: list[list[float]]) -> None:
        from qdrant_client import models

        if not entities:
            return
        self._usable(self.config.entity_collection, writing=True)
        points = [
            models.PointStruct(
                id=entity.point_id,
                vector={DENSE: vector, SPARSE: _sparse(sparse.document_vector(entity.text))},
                payload={"entity_id": entity.entity_id, "type": entity.type, "name": entity.name,
                         "aliases": list(entity.aliases), "path": entity.path, "text": entity.text},
            )
            for entity, vector in zip(entities, vectors, strict=True)
        ]
        self._client.upsert(self.config.entity_collection, points=points, wait=True)

    def delete_entities(self, keys: list[tuple[str, str]]) -> None:
        """Remove the points of these (type, id) entities."""
        from qdrant_client import models

        if keys:
            ids = [entity_point_id(entity_type, entity_id) for entity_type, entity_id in keys]
            self._client.delete(self.config.entity_collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def _delete(self, name: str, key: str, values: list) -> None:
        from qdrant_client import models

        selector = models.FilterSelector(filter=models.Filter(must=[models.FieldCondition(key=key, match=models.MatchAny(any=values))]))
        self._client.delete(name, points_selector=selector, wait=True)

    # --- reads ----------------------------------------------------------------------------

    def search(self, vector: list[float], k: int = 10) -> list[VectorHit]:
        """Dense search over note chunks."""
        return self.search_chunks(vector, None, k, mode="dense")

    def search_chunks(
        self,
        dense: list[float] | None,
        text: str | None,
        k: int,
        where: ChunkFilter | None = None,
        mode: str = "hybrid",
        rrf_k: int = DEFAULT_RRF_K,
    ) -> list[VectorHit]:
        """Note chunks by `mode`: "dense" (the vector), "sparse" (BM25 on `text`), "hybrid" (both, RRF-fused)."""
        self._usable(self.config.collection)
        if where is not None and self.mode == "local":
            # Local mode tests a filter on every point in Python (slow); most filters keep a good share
            # of the points, so fetch more without it and filter the hits, falling back when too few pass.
            wanted = k * LOCAL_FILTER_OVERFETCH
            points = self._query(self.config.collection, dense, text, wanted, None, mode, rrf_k)
            kept = [point for point in points if where.matches(point.payload)]
            if len(kept) >= k or len(points) < wanted:
                return [_vector_hit(point) for point in kept[:k]]
        points = self._query(self.config.collection, dense, text, k, where.qdrant() if where else None, mode, rrf_k)
        return [_vector_hit(point) for point in points]

    def note_chunks(self, note_ids: list[str]) -> dict[str, list[tuple[VectorHit, list[float]]]]:
        """Every chunk of these notes with its dense vector, in chunk order, read by point id:
        the first CHUNK_PROBE ids of each note, then (the count is in every chunk) the rest."""
        self._usable(self.config.collection)
        found: dict[str, list[tuple[VectorHit, list[float]]]] = {note_id: [] for note_id in note_ids}
        wanted = [(note_id, ordinal) for note_id in found for ordinal in range(CHUNK_PROBE)]
        for _ in range(2):
            if not wanted:
                break
            ids = [note_point_id(note_id, ordinal) for note_id, ordinal in wanted]
            for point in self._client.retrieve(self.config.collection, ids, with_payload=True, with_vectors=[DENSE]):
                hit = _vector_hit(point, score=0.0)
                found[hit.note_id].append((hit, list(point.vector[DENSE])))
            wanted = [
                (note_id, ordinal)
                for note_id, chunks in found.items()
                if chunks
                for ordinal in range(CHUNK_PROBE, int(chunks[0][0].payload.get("chunks", 0)))
                if len(chunks) == CHUNK_PROBE
            ]
        for chunks in found.values():
            chunks.sort(key=lambda item: int(item[0].payload.get("ordinal", 0)))
        return found

    def search_entities(
        self,
        dense: list[float] | None,
        text: str | None,
        k: int,
        types: tuple[str, ...] | None = None,
        mode: str = "hybrid",
        rrf_k: int = DEFAULT_RRF_K,
    ) -> list[EntityHit]:
        from qdrant_client import models

        self._usable(self.config.entity_collection)
        where = models.Filter(must=[models.FieldCondition(key="type", match=models.MatchAny(any=list(types)))]) if types else None
        points = self._query(self.config.entity_collection, dense, text, k, where, mode, rrf_k)
        return [_entity_hit(point) for point in points]

    def search_chunks_batch(self, queries: list[ChunkQuery]) -> list[list[VectorHit]]:
        """Several chunk searches in one request; one list of hits per query, in order."""
        self._usable(self.config.collection)
        requests = [self._request(c.dense, c.text, c.k, c.where.qdrant() if c.where else None, c.mode, c.rrf_k) for c in queries]
        sent = [request for request in requests if request is not None]
        answers = iter(self._client.query_batch_points(self.config.collection, requests=sent) if sent else [])
        return [[_vector_hit(point) for point in next(answers).points] if request is not None else [] for request in requests]

    def _query(self, name: str, dense, text, k: int, where, mode: str, rrf_k: int) -> list:
        request = self._request(dense, text, k, where, mode, rrf_k)
        if request is None:
            return []
        return self._client.query_batch_points(name, requests=[request])[0].points

    def _request(self, dense, text, k: int, where, mode: str, rrf_k: int):
        """The Qdrant query for `mode`; None when there is nothing to search with (no terms for BM25)."""
        from qdrant_client import models

        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {', '.join(MODES)}")
        query_sparse = sparse.query_vector(text or "") if mode != "dense" else None
        common = {"limit": k, "with_payload": True}
        if mode == "sparse" or (mode == "hybrid" and dense is None):
            if not query_sparse:
                return None
            return models.QueryRequest(query=_sparse(query_sparse), using=SPARSE, filter=where, **common)
        if dense is None:
            raise ValueError("a dense search needs a query vector")
        if mode == "dense" or not query_sparse:
            return models.QueryRequest(query=dense, using=DENSE, filter=where, **common)
        prefetch = [
            models.Prefetch(query=dense, using=DENSE, limit=k, filter=where),
            models.Prefetch(query=_sparse(query_sparse), using=SPARSE, limit=k, filter=where),
        ]
        return models.QueryRequest(prefetch=prefetch, query=models.RrfQuery(rrf=models.Rrf(k=rrf_k)), **common)

    def count(self) -> int:
        return self._client.count(self.config.collection, exact=True).count

    def entity_count(self) -> int:
        return self._client.count(self.config.entity_collection, exact=True).count

    def note_ids(self) -> set[str]:
        seen: set[str] = set()
        offset = None
        while True:
            points, offset = self._client.scroll(
                self.config.collection, limit=1000, offset=offset, with_payload=["note_id"], with_vectors=False
            )
            seen.update(point.payload["note_id"] for point in points)
            if offset is None:
                return seen

    def health(self) -> dict[str, Any]:
        try:
            points = self.count()
            entities = self.entity_count()
        except Exception as exc:  # report, don't raise: /health must answer even when Qdrant is down
            return {"backend": f"qdrant-{self.mode}", "state": f"error: {exc}"}
        state: dict[str, Any] = {"backend": f"qdrant-{self.mode}", "state": "ok", "points": points, "entities": entities}
        if self.layout_problems:
            state["state"] = "needs reindex: " + "; ".join(self.layout_problems.values())
        if self.mode == "local":
            state["path"] = str(self.config.path)
            if points > LOCAL_MODE_ADVICE_LIMIT:
                state["advice"] = "over 20k chunks: local mode searches by brute force; set WIKIGRAPH_QDRANT_URL to use a Qdrant server"
        else:
            state["url"] = self.config.url
        return state

    def close(self) -> None:
        self._client.close()


def _sparse(vector: sparse.SparseVector):
    from qdrant_client import models

    return models.SparseVector(indices=vector.indices, values=vector.values)


def _vector_hit(point, score: float | None = None) -> VectorHit:
    payload = point.payload
    return VectorHit(
        note_id=payload["note_id"],
        section=payload["section"],
        text=payload["text"],
        score=float(point.score) if score is None else score,
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
