"""Local mode's in-memory copy of a collection: BM25 postings, dense vectors and payloads.

Built from the collection on the first search (one scroll), then kept in step by every write the
index makes, so searches in local mode never go through Qdrant's per-query Python scans (see
graph/sparse_local.py and graph/dense_local.py for what each part saves).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.dense_local import LocalDenseIndex
from graph.sparse_local import LocalSparseIndex

DENSE = "dense"
SPARSE = "bm25"
SCROLL_PAGE = 1000


@dataclass
class LocalMirror:
    sparse: LocalSparseIndex
    dense: LocalDenseIndex

    @classmethod
    def empty(cls, dimension: int) -> LocalMirror:
        return cls(LocalSparseIndex(), LocalDenseIndex(dimension))

    @classmethod
    def read(cls, client: Any, name: str, dimension: int) -> LocalMirror:
        mirror = cls.empty(dimension)
        offset = None
        while True:
            points, offset = client.scroll(name, limit=SCROLL_PAGE, offset=offset, with_payload=True, with_vectors=[DENSE, SPARSE])
            mirror.add(points)
            if offset is None:
                return mirror

    def add(self, points: Iterable[Any]) -> None:
        """Qdrant points (records or PointStructs) with both vectors and their payloads."""
        for point in points:
            payload = dict(point.payload or {})
            point_id = str(point.id)
            vectors = point.vector
            self.sparse.add(point_id, vectors[SPARSE].indices, vectors[SPARSE].values, payload.get("note_id"))
            self.dense.add(point_id, vectors[DENSE], payload)

    def remove(self, point_ids: list[str]) -> None:
        self.sparse.remove(point_ids)
        self.dense.remove(point_ids)

    def payload(self, point_id: str) -> dict[str, Any] | None:
        return self.dense.payload(point_id)
