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

import threading
from typing import Any

from graph import sparse
from graph.chunking import Chunk
from graph.errors import VectorIndexError
from graph.local_mirror import LocalMirror
from graph.vector_search import DENSE, MODES, SPARSE, VectorSearch, fuse
from graph.vector_types import (
    DEFAULT_RRF_K,
    ChunkFilter,
    EntityHit,
    EntityPoint,
    TypeFilter,
    VectorConfig,
    VectorHit,
    chunk_point_id,
    entity_point_id,
    note_point_id,
)

__all__ = [
    "DEFAULT_RRF_K", "DENSE", "MODES", "SPARSE", "Chunk", "ChunkFilter", "EntityHit", "EntityPoint", "TypeFilter",
    "VectorConfig", "VectorHit", "VectorIndex", "fuse", "note_point_id",
]
LOCAL_MODE_ADVICE_LIMIT = 20_000
NOTE_PAYLOAD_INDEXES = (("note_id", "keyword"), ("source", "keyword"), ("entities", "keyword"), ("kind", "keyword"),
                        ("tier", "integer"), ("published", "integer"))


class VectorIndex(VectorSearch):
    """Create with `VectorIndex.open(config, dimension)`; one per process (local mode locks its folder).
    Searches are in `graph/vector_search.py`."""

    def __init__(self, client, config: VectorConfig, dimension: int) -> None:
        self._client = client
        self.config = config
        self.dimension = dimension
        self.layout_problems: dict[str, str] = {}  # collection → why it must be rebuilt
        self._mirrors: dict[str, LocalMirror] = {}  # local mode: searches answered in memory (vector_search.py)
        self._mirror_lock = threading.Lock()

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
            keyword, integer = models.PayloadSchemaType.KEYWORD, models.PayloadSchemaType.INTEGER
            indexes = NOTE_PAYLOAD_INDEXES if name == self.config.collection else (("type", "keyword"),)
            for key, kind in indexes:
                self._client.create_payload_index(name, key, keyword if kind == "keyword" else integer)
        self.layout_problems.pop(name, None)
        self._mirrors.pop(name, None)

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
        self._mirror_add(self.config.collection, points)

    def delete_notes(self, note_ids: list[str]) -> None:
        """Remove every chunk of these notes: their ids follow from the chunk count each chunk carries."""
        from qdrant_client import models

        if not note_ids:
            return
        firsts = self._client.retrieve(self.config.collection, [note_point_id(note_id, 0) for note_id in note_ids], with_payload=["note_id", "chunks"])
        ids = [note_point_id(r.payload["note_id"], ordinal) for r in firsts for ordinal in range(int(r.payload.get("chunks", 1)))]
        if ids:
            self._client.delete(self.config.collection, points_selector=models.PointIdsList(points=ids), wait=True)
            if self.config.collection in self._mirrors:
                self._mirrors[self.config.collection].remove(ids)

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
        self._mirror_add(self.config.entity_collection, points)

    def delete_entities(self, keys: list[tuple[str, str]]) -> None:
        """Remove the points of these (type, id) entities."""
        from qdrant_client import models

        if keys:
            ids = [entity_point_id(entity_type, entity_id) for entity_type, entity_id in keys]
            self._client.delete(self.config.entity_collection, points_selector=models.PointIdsList(points=ids), wait=True)
            if self.config.entity_collection in self._mirrors:
                self._mirrors[self.config.entity_collection].remove(ids)

    # --- the local-mode mirror (see graph/vector_search.py) --------------------------------------

    def _mirror(self, name: str) -> LocalMirror:
        """The collection in memory (vectors and payloads), read once from the collection when first needed."""
        with self._mirror_lock:
            if name not in self._mirrors:
                self._mirrors[name] = LocalMirror.read(self._client, name, self.dimension)
            return self._mirrors[name]

    def warm(self) -> None:
        """Build the local-mode mirrors now rather than on the first search (which would wait for them)."""
        if self.mode == "local":
            for name in self._collections:
                if name not in self.layout_problems:
                    self._mirror(name)

    def _mirror_add(self, name: str, points: list) -> None:
        with self._mirror_lock:
            if name in self._mirrors:
                self._mirrors[name].add(points)

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
