"""Scoring candidates: text and graph evidence fused with tier and recency priors.

score = (w_text·text + w_graph·graph + w_tier·tier + w_recency·recency) / (sum of the weights in use)

- text: the candidate's fused text score (RRF of dense and BM25; cosine in vector mode) divided by
  the best among the candidates, so the best text match has 1;
- graph: its personalised-PageRank inflow divided by the best inflow among the candidates;
- tier: notes 1 for tier 1 down to 1/tier_count for the last tier; anything without a tier 0.5;
- recency: 0.5 ** (age in days / half-life) of the candidate's date; 0 when it has none.
Parts a mode does not use (text in graph mode, graph in vector mode) get weight 0, so the
score stays in [0, 1] either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from graph.retrieval.config import RetrievalConfig
from graph.retrieval.results import ScoreParts
from graph.retrieval.subgraph import NodeKey
from graph.vectors import VectorHit

ARXIV_URL = "https://arxiv.org/abs/{}"
DOI_URL = "https://doi.org/{}"


@dataclass(frozen=True)
class Filters:
    types: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None
    tiers: frozenset[int] | None = None
    notes: frozenset[str] | None = None  # only these notes (what a source or person said)

    def keep_in_graph(self, key: NodeKey, node: dict[str, Any]) -> bool:
        """Whether a node may be walked through: notes outside the tiers (or notes) asked for may not."""
        if key[0] != "Note":
            return True
        if self.tiers is not None and node.get("tier") not in self.tiers:
            return False
        return self.notes is None or key[1] in self.notes

    def accepts(self, key: NodeKey, node: dict[str, Any]) -> bool:
        """Whether a node may be a result: its type, tier (notes) and date within the bounds."""
        if self.types is not None and key[0] not in self.types:
            return False
        if not self.keep_in_graph(key, node):
            return False
        if self.since is None and self.until is None:
            return True
        day = node_date(node)
        return day is not None and (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass
class Candidate:
    key: NodeKey
    node: dict[str, Any] = field(default_factory=dict)
    text: float = 0.0
    graph: float = 0.0
    hits: list[VectorHit] = field(default_factory=list)  # the note's chunks that matched the query
    detailed: bool = False  # `node` holds the details a result shows (url, aliases, source)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    parts: ScoreParts
    score: float


def node_date(node: dict[str, Any]) -> date | None:
    """A note's publication day; an entity's own date (published, date), else when the wiki first saw it."""
    for key in ("day", "published", "date", "first_seen"):
        found = _parse_day(node.get(key))
        if found is not None:
            return found
    return None


def _parse_day(value: Any) -> date | None:
    """`YYYY-MM-DD…`, or `YYYY-MM` (a paper's publication month, from its arXiv id) as the month's first day."""
    if not isinstance(value, str):
        return None
    text = value[:10] if len(value) >= 10 else f"{value}-01" if len(value) == 7 else ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def result_url(label: str, node: dict[str, Any]) -> str | None:
    if label == "Paper":
        if node.get("arxiv_id"):
            return ARXIV_URL.format(node["arxiv_id"])
        if node.get("doi_id"):
            return DOI_URL.format(node["doi_id"])
    url = node.get("url")
    return url if isinstance(url, str) and url else None


def tier_prior(node: dict[str, Any], config: RetrievalConfig) -> float:
    tier = node.get("tier")
    if isinstance(tier, bool) or not isinstance(tier, int) or tier < 1:
        return 0.5
    return max(1.0 - (tier - 1) / config.tier_count, 1.0 / config.tier_count)


def recency_prior(node: dict[str, Any], today: date, config: RetrievalConfig) -> float:
    day = node_date(node)
    if day is None:
        return 0.0
    age = max((today - day).days, 0)
    return 0.5 ** (age / config.recency_half_life_days)


def score(candidates: list[Candidate], config: RetrievalConfig, today: date, use_text: bool, use_graph: bool,
          limit: int | None = None) -> list[Scored]:
    """Candidates scored and sorted, best first (ties by type and id, so the order is stable); the best `limit`.

    Thousands of candidates per search (a neighbourhood): the parts are computed as arrays, and result objects
    are made only for those that can still be among the best `limit`."""
    if not candidates:
        return []
    weights = (
        config.text_weight if use_text else 0.0,
        config.graph_weight if use_graph else 0.0,
        config.tier_weight,
        config.recency_weight,
    )
    total = sum(weights) or 1.0
    count = len(candidates)
    text = np.fromiter((c.text for c in candidates), dtype=np.float64, count=count)
    graph = np.fromiter((c.graph for c in candidates), dtype=np.float64, count=count)
    recency = _RecencyPrior(today, config)
    parts = np.zeros((4, count))
    if use_text:
        parts[0] = np.round(text / (text.max() or 1.0), 6)
    if use_graph:
        parts[1] = np.round(graph / (graph.max() or 1.0), 6)
    parts[2] = np.round(np.fromiter((tier_prior(c.node, config) for c in candidates), dtype=np.float64, count=count), 6)
    parts[3] = np.round(np.fromiter((recency(c.node) for c in candidates), dtype=np.float64, count=count), 6)
    # summed in the same order as the parts are listed, so the result is the same float for every candidate
    values = np.round((weights[0] * parts[0] + weights[1] * parts[1] + weights[2] * parts[2] + weights[3] * parts[3]) / total, 6)
    chosen = np.arange(count)
    if limit is not None and limit < count:
        cut = np.partition(values, count - limit)[count - limit]  # the limit-th best value: ties at it all stay
        chosen = np.flatnonzero(values >= cut)
    ranked = sorted(chosen.tolist(), key=lambda i: (-values[i], -parts[1, i], -parts[0, i], candidates[i].key))
    if limit is not None:
        ranked = ranked[:limit]
    return [Scored(candidates[i], ScoreParts(*(float(x) for x in parts[:, i])), float(values[i])) for i in ranked]


class _RecencyPrior:
    """`recency_prior`, computed once per distinct day (many candidates share one)."""

    def __init__(self, today: date, config: RetrievalConfig) -> None:
        self._today, self._config = today, config
        self._by_value: dict[Any, float] = {}

    def __call__(self, node: dict[str, Any]) -> float:
        day = node.get("day")  # the first field node_date reads: when it is a date, the others do not matter
        found = self._by_value.get(day) if isinstance(day, str) else None
        if found is not None:
            return found
        if _parse_day(day) is not None:
            found = self._by_value[day] = recency_prior({"day": day}, self._today, self._config)
            return found
        return recency_prior(node, self._today, self._config)
