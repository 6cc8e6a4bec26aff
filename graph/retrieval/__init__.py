"""Retrieval over the projections: vector hits joined to their graph nodes."""

from graph.retrieval.vector import NoteHit, vector_search

__all__ = ["NoteHit", "vector_search"]
