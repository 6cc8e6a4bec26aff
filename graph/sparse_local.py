"""An in-memory inverted index of a local-mode collection's BM25 vectors.

Qdrant's local mode scores a sparse query against every point in Python (about 0.3 s at 20k
points), which no search can afford. In local mode the index keeps this mirror of the sparse
vectors it writes (built from the collection on the first sparse search, then kept in step by
every upsert and delete) and answers sparse queries from it with numpy, exactly as Qdrant would:
score = Σ weight × idf, idf = ln((N − df + 0.5) / (df + 0.5) + 1) over the live points.
A server has its own sparse index; this is not used there.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable

import numpy as np

from graph.dense_local import Keep, best_kept

COMPACT_SHARE = 0.5  # rebuild the postings once more than this share of slots is dead


class LocalSparseIndex:
    """Thread-safe: sync may write while the API searches (a lock around every operation)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._slot_of: dict[str, int] = {}
        self._point_of: list[str | None] = []
        self._vector_of: list[tuple[tuple[int, ...], tuple[float, ...]] | None] = []
        self._group_of: list[str | None] = []
        self._slots_of_group: dict[str, set[int]] = {}
        self._postings: dict[int, tuple[array, array]] = {}
        self._df: dict[int, int] = {}
        self._alive = bytearray()
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def add(self, point_id: str, indices: Iterable[int], values: Iterable[float], group: str | None = None) -> None:
        """Add (or replace) a point's vector; `group` (a note id) lets `remove_groups` find it."""
        with self._lock:
            self._add(point_id, indices, values, group)

    def _add(self, point_id: str, indices: Iterable[int], values: Iterable[float], group: str | None) -> None:
        self._remove([point_id])
        indices, values = tuple(indices), tuple(values)
        slot = len(self._point_of)
        self._slot_of[point_id] = slot
        self._point_of.append(point_id)
        self._vector_of.append((indices, values))
        self._group_of.append(group)
        self._alive.append(1)
        self._live += 1
        if group is not None:
            self._slots_of_group.setdefault(group, set()).add(slot)
        for index, value in zip(indices, values):
            slots, weights = self._postings.setdefault(index, (array("I"), array("d")))
            slots.append(slot)
            weights.append(value)
            self._df[index] = self._df.get(index, 0) + 1

    def remove(self, point_ids: Iterable[str]) -> None:
        with self._lock:
            self._remove(point_ids)
            if len(self._point_of) > 64 and self._live < len(self._point_of) * COMPACT_SHARE:
                self._compact()

    def _remove(self, point_ids: Iterable[str]) -> None:
        for point_id in point_ids:
            slot = self._slot_of.pop(point_id, None)
            if slot is None:
                continue
            self._alive[slot] = 0
            self._live -= 1
            for index in self._vector_of[slot][0]:
                self._df[index] -= 1
            group = self._group_of[slot]
            if group is not None:
                self._slots_of_group[group].discard(slot)
                if not self._slots_of_group[group]:
                    del self._slots_of_group[group]

    def remove_groups(self, groups: Iterable[str]) -> None:
        with self._lock:
            slots = {slot for group in groups for slot in self._slots_of_group.get(group, ())}
            self.remove([self._point_of[slot] for slot in slots])

    def search(self, indices: Iterable[int], limit: int, keep: Keep | None = None) -> list[tuple[str, float]]:
        """(point id, score) of the best `limit` points (that `keep` takes), best first; points sharing no
        term are left out."""
        with self._lock:
            return self._search(indices, limit, keep)

    def _search(self, indices: Iterable[int], limit: int, keep: Keep | None) -> list[tuple[str, float]]:
        if not self._live:
            return []
        scores = np.zeros(len(self._point_of), dtype=np.float64)
        for index in dict.fromkeys(indices):
            df = self._df.get(index, 0)
            if df <= 0:
                continue
            idf = math.log((self._live - df + 0.5) / (df + 0.5) + 1)
            slots, weights = self._postings[index]
            # one posting per slot and term, so plain fancy-index addition is exact
            scores[np.frombuffer(slots, dtype=np.uint32)] += np.frombuffer(weights, dtype=np.float64) * idf
        scores *= np.frombuffer(bytes(self._alive), dtype=np.uint8)
        if keep is not None:
            scores[scores <= 0] = -np.inf
            return best_kept(scores, self._point_of, limit, keep)
        hits = np.flatnonzero(scores > 0)
        if hits.size > limit:
            hits = hits[np.argpartition(-scores[hits], limit - 1)[:limit]]
        ordered = sorted(hits.tolist(), key=lambda slot: (-scores[slot], slot))
        return [(self._point_of[slot], float(scores[slot])) for slot in ordered]

    def _compact(self) -> None:
        live = [(self._point_of[slot], self._vector_of[slot], self._group_of[slot]) for slot in range(len(self._point_of)) if self._alive[slot]]
        self._reset()
        for point_id, (indices, values), group in live:
            self._add(point_id, indices, values, group)
