"""The vector index of note chunks on Qdrant (local mode by default, a server when configured)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import VectorIndexError

DENSE = "dense"
_POINT_NAMESPACE = uuid.UUID("6f1c9a52-3b7e-4c1e-9a0d-5b2f7e8c4d10")
LOCAL_MODE_ADVICE_LIMIT = 20_000


@dataclass(frozen=True)
class VectorConfig:
    path: Path
    url: str | None = None
    api_key: str | None = None
    collection: str = "note_chunks"


@dataclass(frozen=True)
class Chunk:
    """One indexed span of a note: a section's text and where it sits in the file."""

    note_id: str
    section: str
    text: str
    start: int
    end: int
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def point_id(self) -> str:
        return str(uuid.uuid5(_POINT_NAMESPACE, f"{self.note_id}#{self.section}#{self.start}"))


@dataclass(frozen=True)
class VectorHit:
    note_id: str
    section: str
    text: str
    score: float
    start: int
    end: int


class VectorIndex:
    """Create with `VectorIndex.open(config, dimension)`; one per process (local mode locks its folder)."""

    def __init__(self, client, config: VectorConfig) -> None:
        self._client = client
        self.config = config

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
        index = cls(client, config)
        index._ensure_collection(dimension)
        return index

    @property
    def mode(self) -> str:
        return "server" if self.config.url else "local"

    def _ensure_collection(self, dimension: int) -> None:
        from qdrant_client import models

        name = self.config.collection
        if self._client.collection_exists(name):
            existing = self._client.get_collection(name).config.params.vectors
            size = existing[DENSE].size if isinstance(existing, dict) else existing.size
            if size != dimension:
                raise VectorIndexError(
                    f"collection {name!r} holds {size}-d vectors but the embedding model gives {dimension}-d; run `wikigraph reindex`"
                )
            return
        self._client.create_collection(
            name, vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)}
        )
        if self.mode == "server":
            # Local mode scans payloads anyway (and warns about indexes); the server needs one for fast deletes.
            self._client.create_payload_index(name, "note_id", models.PayloadSchemaType.KEYWORD)

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        from qdrant_client import models

        if not chunks:
            return
        points = [
            models.PointStruct(
                id=chunk.point_id,
                vector={DENSE: vector},
                payload={
                    **chunk.payload,
                    "note_id": chunk.note_id,
                    "section": chunk.section,
                    "text": chunk.text,
                    "start": chunk.start,
                    "end": chunk.end,
                },
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        self._client.upsert(self.config.collection, points=points, wait=True)

    def delete_notes(self, note_ids: list[str]) -> None:
        from qdrant_client import models

        if not note_ids:
            return
        selector = models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="note_id", match=models.MatchAny(any=list(note_ids)))])
        )
        self._client.delete(self.config.collection, points_selector=selector, wait=True)

    def search(self, vector: list[float], k: int = 10) -> list[VectorHit]:
        response = self._client.query_points(
            self.config.collection, query=vector, using=DENSE, limit=k, with_payload=True
        )
        return [
            VectorHit(
                note_id=point.payload["note_id"],
                section=point.payload["section"],
                text=point.payload["text"],
                score=float(point.score),
                start=int(point.payload["start"]),
                end=int(point.payload["end"]),
            )
            for point in response.points
        ]

    def count(self) -> int:
        return self._client.count(self.config.collection, exact=True).count

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
        except Exception as exc:  # report, don't raise: /health must answer even when Qdrant is down
            return {"backend": f"qdrant-{self.mode}", "state": f"error: {exc}"}
        state: dict[str, Any] = {"backend": f"qdrant-{self.mode}", "state": "ok", "points": points}
        if self.mode == "local":
            state["path"] = str(self.config.path)
            if points > LOCAL_MODE_ADVICE_LIMIT:
                state["advice"] = "over 20k chunks: local mode searches by brute force; set WIKIGRAPH_QDRANT_URL to use a Qdrant server"
        else:
            state["url"] = self.config.url
        return state

    def close(self) -> None:
        self._client.close()
