"""The neighbourhood of some seed nodes, read from the graph one hop (one statement) at a time.

Breadth-first from the seeds, up to `hops` (at most schema.MAX_HOPS). Each hop expands the
frontier in one `RETRIEVAL_EXPAND` statement. What keeps a dense graph bounded:
- only relationship types with a positive weight are followed (PUBLISHED is not, by default);
- a hub (more than `hub_degree` relationships) is reached but not expanded, unless it is a seed;
- at most `neighbours_per_node` relationships per expanded node (most central neighbours first);
- at most `frontier_limit` nodes are expanded per hop: those most strongly tied to what is
  already in hand (sum of edge weights, damped by degree as the ranking does).
`keep_node` drops nodes (and so everything behind them): how a tier filter prunes notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from graph import schema
from graph.retrieval import cypher as q
from graph.retrieval.config import RetrievalConfig

if TYPE_CHECKING:
    from graph.retrieval.snapshot import Snapshot
    from graph.store.base import GraphStore

NodeKey = tuple[str, str]  # (label, id)


@dataclass(unsafe_hash=True, slots=True)  # not frozen: a frozen init costs 4× as much, and a walk builds thousands
class Edge:
    """A relationship of a subgraph; equal (and hashed) by its ends and type. Never changed once made."""

    source: NodeKey
    type: str
    target: NodeKey
    props: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def other(self, key: NodeKey) -> NodeKey:
        return self.target if key == self.source else self.source


@dataclass
class Subgraph:
    nodes: dict[NodeKey, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[NodeKey, str, NodeKey], Edge] = field(default_factory=dict)
    hops: dict[NodeKey, int] = field(default_factory=dict)  # distance from the nearest seed
    statements: int = 0  # how many statements it took
    local_degree: dict[NodeKey, int] = field(default_factory=lambda: defaultdict(int))
    view: Any = None  # read from a snapshot: its positions there (graph/retrieval/snapshot.py), for the walk

    def add_edge(self, edge: Edge) -> None:
        key = (edge.source, edge.type, edge.target)
        if key not in self.edges:
            self.edges[key] = edge
            self.local_degree[edge.source] += 1
            self.local_degree[edge.target] += 1

    def adjacency(self) -> dict[NodeKey, list[Edge]]:
        found: dict[NodeKey, list[Edge]] = defaultdict(list)
        for edge in self.edges.values():
            found[edge.source].append(edge)
            found[edge.target].append(edge)
        return found


EDGE_COLUMNS = ("f", "type", "out", "strength", "reason")
STRENGTH_PROPERTY = {"MENTIONS": "salience", "RELATED_TO": "weight"}  # what EXPAND's `strength` is, per type
TYPE_INDEX = {rel_type: code for code, rel_type in enumerate(schema.REL_TYPES)}


def fetch_nodes(store: GraphStore, keys: list[NodeKey]) -> dict[NodeKey, dict[str, Any]]:
    """Properties (with details: name, aliases, url, external ids, source) of these (label, id) pairs;
    missing nodes are left out."""
    rows = [{"label": schema.check_label(label), "id": node_id} for label, node_id in dict.fromkeys(keys)]
    if not rows:
        return {}
    return {(row["label"], row["id"]): node_of(row) for row in q.run(store, q.NODES, rows=rows)}


def node_of(row: dict[str, Any]) -> dict[str, Any]:
    """A node's properties from a statement's columns (edge columns and nulls left out)."""
    return {key: value for key, value in row.items() if value is not None and key not in EDGE_COLUMNS and key != "label"}


def neighbourhood(
    store: GraphStore,
    seeds: list[NodeKey],
    hops: int,
    config: RetrievalConfig,
    keep_node: Callable[[NodeKey, dict[str, Any]], bool] | None = None,
    snapshot: Snapshot | None = None,
) -> Subgraph:
    """The subgraph around `seeds`; from `snapshot` when given (the same answer, without a statement per hop)."""
    if snapshot is not None:
        return snapshot.neighbourhood(store, seeds, hops, config, keep_node)
    hops = schema.check_hops(hops)
    keep = keep_node or (lambda key, node: True)
    sub = Subgraph()
    sub.nodes = fetch_nodes(store, seeds)
    sub.statements += 1
    sub.hops = {key: 0 for key in sub.nodes}
    types = [rel_type for rel_type in schema.REL_TYPES if config.edge_weight(rel_type) > 0]
    frontier = list(sub.nodes)
    for hop in range(1, hops + 1):
        if not frontier or not types:
            break
        rows = [{"label": label, "id": node_id} for label, node_id in frontier]
        found = q.run(store, q.EXPAND, rows=rows, types=types, labels=list(schema.LABELS), cap=config.neighbours_per_node)
        sub.statements += 1
        reached: list[NodeKey] = []
        for row in found:
            start, end = frontier[row["f"]], (row["label"], row["id"])
            if end not in sub.nodes:
                node = node_of(row)
                if not keep(end, node):
                    continue
                sub.nodes[end] = node
                sub.hops[end] = hop
                reached.append(end)
            source, target = (start, end) if row["out"] else (end, start)
            sub.add_edge(Edge(source, row["type"], target, _edge_properties(row)))
        frontier = _next_frontier(sub, reached, config) if hop < hops else []
    return sub


def _next_frontier(sub: Subgraph, reached: list[NodeKey], config: RetrievalConfig) -> list[NodeKey]:
    candidates = [key for key in reached if degree(sub, key) <= config.hub_degree]
    if len(candidates) <= config.frontier_limit:
        return candidates
    slot = {key: i for i, key in enumerate(candidates)}
    counts = np.zeros((len(candidates), len(schema.REL_TYPES)))
    for edge in sub.edges.values():
        for end in (edge.source, edge.target):
            if end in slot:
                counts[slot[end], TYPE_INDEX[edge.type]] += 1
    tiebreak = np.empty(len(candidates), dtype=np.int64)
    tiebreak[sorted(range(len(candidates)), key=candidates.__getitem__)] = np.arange(len(candidates))
    damped = np.array([damping(sub, key, config) for key in candidates])
    return [candidates[i] for i in frontier_order(counts, damped, tiebreak, config)[: config.frontier_limit]]


def frontier_order(counts: np.ndarray, damped: np.ndarray, tiebreak: np.ndarray, config: RetrievalConfig) -> np.ndarray:
    """Candidates most strongly tied to what is in hand first: Σ edge weight (summed per type, in
    REL_TYPES order, so every way of counting gives the same floats) × hub damping; then by key."""
    support = np.zeros(len(counts))
    for code, rel_type in enumerate(schema.REL_TYPES):
        support = support + counts[:, code] * config.edge_weight(rel_type)
    return np.lexsort((tiebreak, -(support * damped)))


def _edge_properties(row: dict[str, Any]) -> dict[str, Any]:
    props = {}
    if row["strength"] is not None and row["type"] in STRENGTH_PROPERTY:
        props[STRENGTH_PROPERTY[row["type"]]] = row["strength"]
    if row["reason"] is not None:
        props["reason"] = row["reason"]
    return props


def degree(sub: Subgraph, key: NodeKey) -> int:
    """The node's relationships in the whole graph (analytics' `degree`), else those in hand."""
    known = sub.nodes.get(key, {}).get("degree")
    if isinstance(known, int) and known > 0:
        return known
    return max(1, sub.local_degree.get(key, 0))


def damping(sub: Subgraph, key: NodeKey, config: RetrievalConfig) -> float:
    return float(degree(sub, key)) ** -config.hub_exponent
