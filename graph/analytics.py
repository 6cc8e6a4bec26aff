"""Graph-wide numbers written on every node, for Bloom's styling and for ranking.

Computed in Python on the projected graph (read back in two queries, sorted, so the result is the
same whichever backend holds it and whatever order it returns rows in), written back in batched
`UNWIND` statements, only where a value changed:

- `degree`: relationships of any type and direction.
- `pagerank`: PageRank (damping 0.85) on the directed graph; an edge weighs its MENTIONS
  salience (at least MIN_MENTION_WEIGHT), its RELATED_TO weight (followed both ways), or 1.
- `mention_count`: entities — notes that mention them; notes — notes whose Connections link to
  them; sources — notes they published.
- `first_seen`/`last_seen` (ISO date, plus `_ms` epoch milliseconds): notes — their published
  date; entities — the earliest/latest of the notes that mention or connect to them and of the
  page's own `first_seen`/`last_seen` (kept as `page_first_seen`/`page_last_seen`); sources —
  their notes. Absent when nothing dates the node.
- `community`: Louvain communities (igraph's multilevel algorithm, fixed seed) of the undirected
  graph without PUBLISHED edges (one source would glue everything), numbered 0.. from the largest.
  igraph rather than networkx: the same algorithm in C, 3 s instead of 60–75 s at 10k notes.

When: once at the end of every `sync_vault` that changed the graph (a stale mark in the graph,
set by any sync write, survives crashes), and on demand with `wikigraph graph analyze`.
Derived edges (`graph/derived.py`) are recomputed first, since the numbers count them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import igraph
import numpy as np

from graph import analytics_queries as aq
from graph import schema
from graph import sync_queries as q
from graph.derived import DerivedReport, refresh_derived
from graph.store.base import GraphStore
from graph.sync_rows import epoch_ms

STATE_ID = "derived"
DAMPING = 0.85
MIN_MENTION_WEIGHT = 0.05
PAGERANK_TOLERANCE = 1e-10
PAGERANK_MAX_ITERATIONS = 200
PAGERANK_DIGITS = 10
COMMUNITY_SEED = 42
METRICS = ("degree", "pagerank", "mention_count", "community", "first_seen", "first_seen_ms", "last_seen", "last_seen_ms")
NodeKey = tuple[str, str]
Link = tuple[NodeKey, str, NodeKey, float]  # (source, type, target, weight)
Edge = tuple[int, str, int, float]  # a Link with its ends numbered


@dataclass(frozen=True)
class AnalyticsReport:
    nodes: int
    edges: int
    written: int
    communities: int
    derived: DerivedReport


def mark_stale(store: GraphStore, stale: bool = True) -> None:
    q.run(store, aq.MARK_STALE, id=STATE_ID, stale=stale)


def is_stale(store: GraphStore) -> bool:
    rows = q.run(store, aq.READ_STALE, id=STATE_ID)
    return bool(rows and rows[0]["stale"])


def refresh(store: GraphStore) -> AnalyticsReport:
    """Recompute derived edges, then every node's numbers; clear the stale mark."""
    derived = refresh_derived(store)
    nodes = q.run(store, aq.PROJECT_NODES, labels=list(schema.LABELS))
    links = read_links(store)
    metrics = compute(nodes, links)
    current = {(row["label"], row["id"]): row["current"] for row in nodes}
    written = 0
    for label in schema.LABELS:
        rows = [
            {"id": node_id, "props": props}
            for (node_label, node_id), props in sorted(metrics.items())
            if node_label == label and any(current[(label, node_id)].get(key) != props.get(key) for key in METRICS)
        ]
        q.run_batches(store, aq.write_properties(label), "rows", rows)
        written += len(rows)
    mark_stale(store, False)
    communities = len({props["community"] for props in metrics.values()})
    return AnalyticsReport(len(nodes), len(links), written, communities, derived)


def read_links(store: GraphStore) -> list[Link]:
    """Every relationship, one query per shape the sync writes."""
    links = []
    for rel_type, source, target in aq.PROJECTED_LINKS:
        for row in q.run(store, aq.project_links(rel_type, source, target)):
            links.append(((source, row["source"]), rel_type, (target, row["target"]), _weight(rel_type, row["weight"])))
    return links


def compute(nodes: list[dict], links: list[Link]) -> dict[NodeKey, dict]:
    """{(label, id): {metric: value}} for every node; pure, so both backends get the same numbers.

    Nodes are numbered in sorted order and edges sorted by those numbers: the result does not
    depend on the order the backend returned rows in."""
    keys = sorted((row["label"], row["id"]) for row in nodes)
    position = {key: i for i, key in enumerate(keys)}
    edges = sorted((position[s], rel, position[t], w) for s, rel, t, w in links if s in position and t in position)
    ranks = pagerank(len(keys), *_arrays(edges))
    communities = louvain(len(keys), edges)
    degree, mentions = [0] * len(keys), [0] * len(keys)
    for source, rel_type, target, _ in edges:
        degree[source] += 1
        degree[target] += 1
        if rel_type in ("MENTIONS", "CONNECTS_TO") and keys[source][0] == "Note":
            mentions[target] += 1
        elif rel_type == "PUBLISHED":
            mentions[source] += 1
    seen = _seen(keys, nodes, position, edges)
    result = {}
    for i, key in enumerate(keys):
        first, last = seen.get(i, (None, None))
        result[key] = {
            "degree": degree[i],
            "pagerank": round(float(ranks[i]), PAGERANK_DIGITS),
            "mention_count": mentions[i],
            "community": communities[i],
            "first_seen": first,
            "first_seen_ms": epoch_ms(date.fromisoformat(first)) if first else None,
            "last_seen": last,
            "last_seen_ms": epoch_ms(date.fromisoformat(last)) if last else None,
        }
    return result


def _weight(rel_type: str, value) -> float:
    if rel_type == "MENTIONS":
        return max(float(value or 0.0), MIN_MENTION_WEIGHT)
    return float(value if value is not None else 0.0)


def _arrays(edges: list[Edge]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sources, targets, weights = [], [], []
    for source, rel_type, target, weight in edges:
        sources.append(source)
        targets.append(target)
        weights.append(weight)
        if rel_type == "RELATED_TO":
            sources.append(target)
            targets.append(source)
            weights.append(weight)
    return np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(weights, dtype=np.float64)


def pagerank(n: int, sources: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted PageRank by power iteration, as networkx defines it: a node without out-weight
    spreads its rank evenly; the teleport is uniform; stop when the L1 change < n * tolerance."""
    if n == 0:
        return np.zeros(0)
    out_weight = np.zeros(n)
    np.add.at(out_weight, sources, weights)
    share = np.divide(weights, out_weight[sources], out=np.zeros_like(weights), where=out_weight[sources] > 0)
    dangling = out_weight == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(PAGERANK_MAX_ITERATIONS):
        flow = np.zeros(n)
        np.add.at(flow, targets, rank[sources] * share)
        new_rank = DAMPING * (flow + rank[dangling].sum() / n) + (1.0 - DAMPING) / n
        done = np.abs(new_rank - rank).sum() < n * PAGERANK_TOLERANCE
        rank = new_rank
        if done:
            break
    return rank


def louvain(n: int, edges: list[Edge]) -> list[int]:
    """Community number of each node: 0 for the largest community, ties by their first node."""
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for source, rel_type, target, weight in edges:
        if rel_type != "PUBLISHED" and source != target:
            weights[(source, target) if source < target else (target, source)] += weight
    pairs = sorted(weights)
    graph = igraph.Graph(n=n, edges=pairs, edge_attrs={"weight": [weights[pair] for pair in pairs]})
    igraph.set_random_number_generator(random.Random(COMMUNITY_SEED))
    try:
        membership = graph.community_multilevel(weights="weight").membership if n else []
    finally:
        igraph.set_random_number_generator(random)  # igraph's default
    groups: dict[int, list[int]] = defaultdict(list)
    for node, group in enumerate(membership):
        groups[group].append(node)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    number = [0] * n
    for community, members in enumerate(ordered):
        for node in members:
            number[node] = community
    return number


def _seen(keys: list[NodeKey], nodes: list[dict], position: dict[NodeKey, int], edges: list[Edge]) -> dict[int, tuple[str, str]]:
    """(first, last) ISO date per node number; ISO dates order as text."""
    dates: dict[int, list[str]] = defaultdict(list)
    published: dict[int, str] = {}
    for row in nodes:
        node = position[(row["label"], row["id"])]
        # A paper's own `published` (often a year-month) is when it appeared, not when the wiki saw it.
        own = ("published",) if row["label"] == "Note" else ()
        dates[node] += [row[field] for field in (*own, "page_first_seen", "page_last_seen") if row.get(field)]
        if row["label"] == "Note" and row.get("published"):
            published[node] = row["published"]
    for source, rel_type, target, _ in edges:
        if source in published and rel_type in ("MENTIONS", "CONNECTS_TO") and keys[target][0] != "Note":
            dates[target].append(published[source])
        elif rel_type == "PUBLISHED" and target in published:
            dates[source].append(published[target])
    return {node: (min(days), max(days)) for node, days in dates.items() if days}
