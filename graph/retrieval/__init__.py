"""Retrieval over the projections: hybrid text search, the graph around named entities, paths, evidence.

Public API (stable): `search`, `connected`, `resolve`, with `RetrievalDeps` and `RetrievalConfig`;
results are the plain objects of `graph.retrieval.results`. `vector_search` is the older
notes-only dense search. Imports are lazy so that `graph.store` can list retrieval's statements
without importing the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "search": "graph.retrieval.service",
    "connected": "graph.retrieval.service",
    "resolve": "graph.retrieval.service",
    "RetrievalDeps": "graph.retrieval.service",
    "RetrievalConfig": "graph.retrieval.config",
    "DEFAULT_EDGE_WEIGHTS": "graph.retrieval.config",
    "EntityNotFound": "graph.retrieval.errors",
    "Evidence": "graph.retrieval.results",
    "Interpretation": "graph.retrieval.results",
    "PathEdge": "graph.retrieval.results",
    "PathNode": "graph.retrieval.results",
    "Resolution": "graph.retrieval.results",
    "Result": "graph.retrieval.results",
    "ResultPath": "graph.retrieval.results",
    "ScoreParts": "graph.retrieval.results",
    "SearchResponse": "graph.retrieval.results",
    "NoteHit": "graph.retrieval.vector",
    "vector_search": "graph.retrieval.vector",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'graph.retrieval' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
