"""The plain objects of the vector index: configuration, points, hits, filters."""

from __future__ import annotations

import uuid
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.chunking import Chunk

_POINT_NAMESPACE = uuid.UUID("6f1c9a52-3b7e-4c1e-9a0d-5b2f7e8c4d10")
DEFAULT_RRF_K = 60


@dataclass(frozen=True)
class VectorConfig:
    path: Path
    url: str | None = None
    api_key: str | None = None
    collection: str = "note_chunks"
    entity_collection: str = "entities"


@dataclass(frozen=True)
class VectorHit:
    note_id: str
    section: str
    text: str
    score: float
    start: int
    end: int
    kind: str = "section"
    path: str = ""
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EntityPoint:
    """An entity page as indexed: `text` is what is embedded (see `graph.chunking.entity_text`)."""

    entity_id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    path: str
    text: str

    @property
    def point_id(self) -> str:
        return entity_point_id(self.type, self.entity_id)


@dataclass(frozen=True)
class EntityHit:
    entity_id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    path: str
    text: str
    score: float


@dataclass(frozen=True)
class ChunkFilter:
    """Conditions on note chunks; None means no condition."""

    note_ids: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    tiers: tuple[int, ...] | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    entities: tuple[str, ...] | None = None  # "Type/id": chunks of notes mentioning any of them
    kinds: tuple[str, ...] | None = None
    or_note_ids: tuple[str, ...] | None = None  # with `entities`: chunks mentioning them OR of these notes

    def matches(self, payload: dict[str, Any]) -> bool:
        """The same test as `qdrant()`, in Python (to filter hits already fetched)."""
        def has(key: str, values) -> bool:
            value = payload.get(key)
            return any(item in values for item in value) if isinstance(value, list) else value in values

        for key, values in (("note_id", self.note_ids), ("source", self.sources), ("tier", self.tiers), ("kind", self.kinds)):
            if values is not None and not has(key, values):
                return False
        if self.entities is not None:
            if not (has("entities", self.entities) or (self.or_note_ids and has("note_id", self.or_note_ids))):
                return False
        published = payload.get("published")
        if self.since_ms is not None and (published is None or published < self.since_ms):
            return False
        return not (self.until_ms is not None and (published is None or published > self.until_ms))

    def qdrant(self):
        from qdrant_client import models

        def any_of(key: str, values) -> models.FieldCondition:
            return models.FieldCondition(key=key, match=models.MatchAny(any=list(values)))

        must: list = []
        should: list = []
        for key, values in (("note_id", self.note_ids), ("source", self.sources), ("tier", self.tiers), ("kind", self.kinds)):
            if values is not None:
                must.append(any_of(key, values))
        if self.entities is not None and self.or_note_ids:
            should = [any_of("entities", self.entities), any_of("note_id", self.or_note_ids)]
        elif self.entities is not None:
            must.append(any_of("entities", self.entities))
        if self.since_ms is not None or self.until_ms is not None:
            must.append(models.FieldCondition(key="published", range=models.Range(gte=self.since_ms, lte=self.until_ms)))
        return models.Filter(must=must or None, should=should or None) if must or should else None


@dataclass(frozen=True)
class TypeFilter:
    """Entities of these types."""

    types: tuple[str, ...]

    def matches(self, payload: dict[str, Any]) -> bool:
        return payload.get("type") in self.types

    def qdrant(self):
        from qdrant_client import models

        return models.Filter(must=[models.FieldCondition(key="type", match=models.MatchAny(any=list(self.types)))])


def chunk_point_id(chunk: Chunk) -> str:
    return note_point_id(chunk.note_id, chunk.ordinal)


@lru_cache(maxsize=1 << 18)  # evidence reads every chunk of a result's notes by id: uuid5 per chunk adds up
def note_point_id(note_id: str, ordinal: int) -> str:
    """Point ids follow from the note id and the chunk's position, so a note's chunks can be read
    back by id (a lookup) rather than by a payload filter (a scan, in local mode)."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{note_id}#{ordinal}"))


def entity_point_id(entity_type: str, entity_id: str) -> str:
    return str(uuid.uuid5(_POINT_NAMESPACE, f"entity#{entity_type}/{entity_id}"))
