"""Ranking knobs, one plain object. docs/retrieval.md explains each; api/settings.py may fill it.

The defaults were chosen on the fixture wiki (tests/fixtures/wiki_connected) and the benchmarks;
every weight is relative, so only ratios matter within a group.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from graph.errors import QueryInputError

# How strongly each relationship carries relevance between its ends (both directions).
# PUBLISHED is 0: one source publishes everything, so it would connect everything.
DEFAULT_EDGE_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "MENTIONS": 1.0,
        "CONNECTS_TO": 1.2,
        "ABOUT": 1.5,
        "CONCERNS": 1.5,
        "RELATED_TO": 0.8,
        "AFFILIATED_WITH": 0.6,
        "PUBLISHED": 0.0,
    }
)


@dataclass(frozen=True)
class RetrievalConfig:
    # --- final score = Σ weight × part, each part in [0, 1] ---
    text_weight: float = 0.55
    graph_weight: float = 0.35
    tier_weight: float = 0.05
    recency_weight: float = 0.05

    # --- graph: personalised PageRank over the neighbourhood of the seeds ---
    edge_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_EDGE_WEIGHTS)
    mention_floor: float = 0.2  # a MENTIONS edge weighs mention_floor + (1 - mention_floor) × salience
    restart: float = 0.15  # probability of jumping back to the seeds at each step
    hub_exponent: float = 0.5  # stepping onto a node costs degree ** -hub_exponent (0: no hub damping)
    hub_degree: int = 200  # nodes with more relationships are not expanded further (seeds always are)
    neighbours_per_node: int = 50  # at most this many relationships fetched per expanded node (strongest first)
    frontier_limit: int = 100  # at most this many nodes expanded per hop
    search_hops: int = 2  # hops around the seeds of a free-text search
    text_seeds: int = 8  # best text matches that seed the graph when the query names no entity

    # --- text: dense + BM25, fused by reciprocal rank ---
    rrf_k: int = 60
    chunk_candidates: int = 60  # chunks fetched per search (several may belong to one note)
    entity_candidates: int = 20

    # --- priors ---
    recency_half_life_days: float = 365.0
    tier_count: int = 5  # tier 1 → 1.0, each tier after it 1/tier_count less; nodes without a tier → 0.5

    # --- entity resolution ---
    fuzzy_threshold: float = 88.0  # rapidfuzz ratio (0-100) for a fuzzy name match
    embedding_threshold: float = 0.5  # cosine for an embedding match of an explicit entity slot
    short_query_embedding_threshold: float = 0.7  # … of a whole short query that names nothing exactly

    # --- output ---
    paths_per_result: int = 2
    evidence_per_result: int = 2

    def __post_init__(self) -> None:
        weights = (self.text_weight, self.graph_weight, self.tier_weight, self.recency_weight)
        if any(weight < 0 for weight in weights) or sum(weights) <= 0:
            raise QueryInputError("retrieval weights must be >= 0 and not all 0")
        if not 0 < self.restart < 1:
            raise QueryInputError("restart must be between 0 and 1")
        unknown = set(self.edge_weights) - set(DEFAULT_EDGE_WEIGHTS)
        if unknown or any(weight < 0 for weight in self.edge_weights.values()):
            raise QueryInputError(f"edge weights must be >= 0 and name known relationship types, not {sorted(unknown)}")
        object.__setattr__(self, "edge_weights", MappingProxyType({**DEFAULT_EDGE_WEIGHTS, **dict(self.edge_weights)}))

    def with_changes(self, **changes) -> "RetrievalConfig":
        return replace(self, **changes)

    def edge_weight(self, rel_type: str) -> float:
        return self.edge_weights.get(rel_type, 0.0)
