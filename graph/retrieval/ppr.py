"""Personalised PageRank on a fetched neighbourhood, and the paths that explain it.

The walk: from a node, step along one of its relationships (either direction) with probability
proportional to `weight(edge) × degree(next) ** -hub_exponent`, or, with probability `restart`,
jump back to a seed (chosen by seed weight). `weight(edge)` is the relationship type's weight,
times `mention_floor + (1 - mention_floor) × salience` for MENTIONS and times `weight` for
RELATED_TO. The degree factor is the hub damping: a concept every note mentions is a costly
place to step onto, so it cannot pass much relevance on to everything around it.

A node's graph score is its *inflow*: the stationary probability that arrives from its
neighbours, without the restart mass a seed gets for being a seed.

A node's best paths are the most probable walks to it from a seed of at most as many steps as
the neighbourhood has hops (least total -log step probability, computed hop by hop).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from graph import schema
from graph.retrieval.config import RetrievalConfig
from graph.retrieval.results import PathEdge, PathNode, ResultPath
from graph.retrieval.subgraph import TYPE_INDEX, Edge, NodeKey, Subgraph, damping

TOLERANCE = 1e-9
MAX_ITERATIONS = 100


@dataclass
class Walk:
    """The step probabilities of the walk and the stationary scores over one subgraph.

    Steps are arrays over node positions (`keys` sorted, so position order is key order): one
    entry per (u, v) with a relationship between them, ordered by (u, v)."""

    keys: list[NodeKey]
    seeds: dict[NodeKey, float]
    inflow: dict[NodeKey, float]
    src: np.ndarray
    dst: np.ndarray
    prob: np.ndarray  # probability of stepping u → v
    strongest: np.ndarray  # per step: the relationship it mostly goes along (an index for `edge_at`)
    edge_at: Callable[[int], Edge]
    position: dict[NodeKey, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = self.position or {key: i for i, key in enumerate(self.keys)}
        self._codes = self.src * len(self.keys) + self.dst

    def step(self, u: NodeKey, v: NodeKey) -> tuple[float, Edge]:
        """(probability of u → v, the strongest relationship between them)."""
        at = int(np.searchsorted(self._codes, self.position[u] * len(self.keys) + self.position[v]))
        if at == len(self._codes) or self._codes[at] != self.position[u] * len(self.keys) + self.position[v]:
            raise KeyError((u, v))
        return float(self.prob[at]), self.edge_at(int(self.strongest[at]))


def edge_strength(edge: Edge, config: RetrievalConfig) -> float:
    weight = config.edge_weight(edge.type)
    if edge.type == "MENTIONS":
        salience = float(edge.props.get("salience") or 0.0)
        weight *= config.mention_floor + (1.0 - config.mention_floor) * min(max(salience, 0.0), 1.0)
    elif edge.type == "RELATED_TO":
        weight *= float(edge.props.get("weight") or 0.0)
    return weight


def personalised_pagerank(sub: Subgraph, seeds: dict[NodeKey, float], config: RetrievalConfig) -> Walk:
    table = EdgeTable.of(sub)
    keys = table.keys
    src, dst, prob, strongest = _steps(table, _strengths(table, config), _damping(sub, table, config))
    seeds = {key: weight for key, weight in seeds.items() if key in sub.nodes and weight > 0}
    if not seeds:
        return Walk(keys, {}, {}, src, dst, prob, strongest, table.edge_at, table.position)
    total = sum(seeds.values())
    restart = np.zeros(len(keys))
    for key, weight in seeds.items():
        restart[table.position[key]] = weight / total
    dangling = np.ones(len(keys), dtype=bool)
    dangling[src] = False
    dangling = np.flatnonzero(dangling)
    alpha = 1.0 - config.restart
    rank = restart.copy()
    flow = np.zeros(len(keys))
    for _ in range(MAX_ITERATIONS):
        flow = np.bincount(dst, weights=rank[src] * prob, minlength=len(keys))
        new_rank = alpha * flow + (config.restart + alpha * rank[dangling].sum()) * restart
        done = np.abs(new_rank - rank).sum() < TOLERANCE
        rank = new_rank
        if done:
            break
    inflow = dict(zip(keys, (alpha * flow).tolist()))
    return Walk(keys, seeds, inflow, src, dst, prob, strongest, table.edge_at, table.position)


@dataclass
class EdgeTable:
    """A subgraph's relationships as arrays over node positions, in one canonical order (by
    source, target, type), so that every way of building the subgraph sums the same floats."""

    keys: list[NodeKey]
    position: dict[NodeKey, int]
    source: np.ndarray
    target: np.ndarray
    type: np.ndarray  # index in schema.REL_TYPES
    value: np.ndarray  # a MENTIONS' salience, a RELATED_TO's weight (0 when absent)
    edge_at: Callable[[int], Edge]

    @classmethod
    def of(cls, sub: Subgraph) -> EdgeTable:
        view = sub.view
        if view is None:
            return cls._from_edges(sub)
        snapshot = view.snapshot
        keys = [snapshot.keys[i] for i in view.nodes.tolist()]
        source = np.searchsorted(view.nodes, snapshot.source[view.edges])
        target = np.searchsorted(view.nodes, snapshot.target[view.edges])
        types = snapshot.type[view.edges]
        order = np.lexsort((types, target, source))
        ids = view.edges[order]
        value = np.nan_to_num(snapshot.strength[ids], nan=0.0)
        return cls(keys, {key: i for i, key in enumerate(keys)}, source[order], target[order], types[order], value,
                   lambda i: snapshot.edge(int(ids[i])))

    @classmethod
    def _from_edges(cls, sub: Subgraph) -> EdgeTable:
        keys = sorted(sub.nodes)
        position = {key: i for i, key in enumerate(keys)}
        edges = sorted(sub.edges.values(), key=lambda e: (position[e.source], position[e.target], TYPE_INDEX[e.type]))
        prop = {"MENTIONS": "salience", "RELATED_TO": "weight"}
        value = [float(edge.props.get(prop.get(edge.type, ""), None) or 0.0) for edge in edges]
        return cls(
            keys, position,
            np.array([position[e.source] for e in edges], dtype=np.int64), np.array([position[e.target] for e in edges], dtype=np.int64),
            np.array([TYPE_INDEX[e.type] for e in edges], dtype=np.int64), np.array(value, dtype=np.float64), edges.__getitem__,
        )


def _strengths(table: EdgeTable, config: RetrievalConfig) -> np.ndarray:
    """edge_strength of every relationship, vectorised."""
    weights = np.array([config.edge_weight(rel_type) for rel_type in schema.REL_TYPES])[table.type]
    factor = np.ones(len(table.type))
    mention, related = table.type == TYPE_INDEX["MENTIONS"], table.type == TYPE_INDEX["RELATED_TO"]
    factor[mention] = config.mention_floor + (1.0 - config.mention_floor) * np.clip(table.value[mention], 0.0, 1.0)
    factor[related] = table.value[related]
    return weights * factor


def _damping(sub: Subgraph, table: EdgeTable, config: RetrievalConfig) -> np.ndarray:
    """subgraph.damping per position (the snapshot's cached powers where it knows the degree)."""
    view = sub.view
    if view is None:
        return np.array([damping(sub, key, config) for key in table.keys])
    known = view.snapshot.damping(config.hub_exponent)[view.nodes]
    for i in np.flatnonzero(known == 0).tolist():
        known[i] = damping(sub, table.keys[i], config)
    return known


def _steps(table: EdgeTable, strength: np.ndarray, damped: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """From u, a step to v with probability ∝ Σ strength(edge u–v) × damping(v); per (u, v) the
    strongest relationship (ties: the first in canonical order) explains the step."""
    n = len(table.keys)
    used = (strength > 0) & (table.source != table.target)
    a, b, s, index = table.source[used], table.target[used], strength[used], np.flatnonzero(used)
    u, v, s, index = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([s, s]), np.concatenate([index, index])
    code = u * n + v
    order = np.lexsort((index, -s, code))
    code, weight, index = code[order], (s * damped[v])[order], index[order]
    first = np.ones(len(code), dtype=bool)
    first[1:] = code[1:] != code[:-1]
    sums = np.bincount(np.cumsum(first) - 1, weights=weight) if len(code) else np.zeros(0)
    src, dst = code[first] // max(n, 1), code[first] % max(n, 1)
    totals = np.bincount(src, weights=sums, minlength=n)
    return src, dst, sums / totals[src] if len(src) else sums, index[first]


Route = tuple[float, list[NodeKey]]  # (total -log probability, nodes from a seed to the target)


def best_paths(sub: Subgraph, walk: Walk, targets: list[NodeKey], per_target: int, max_hops: int = 3) -> dict[NodeKey, list[ResultPath]]:
    """`best_routes` as paths, titled from the subgraph's nodes."""
    return {target: [as_path(sub, walk, route) for route in routes] for target, routes in best_routes(walk, targets, per_target, max_hops).items()}


def best_routes(walk: Walk, targets: list[NodeKey], per_target: int, max_hops: int = 3) -> dict[NodeKey, list[Route]]:
    """Up to `per_target` routes of at most `max_hops` steps from the seeds to each target, most probable first.

    Computed hop by hop (the cheapest way to reach each node in exactly h steps, h = 1..max_hops),
    so a path never has more steps than the neighbourhood it was found in."""
    if not walk.seeds or per_target <= 0:
        return {}
    cost, previous = _layers(walk, max_hops)
    minus_log = -np.log(walk.prob)
    by_target = np.argsort(walk.dst, kind="stable")
    bounds = np.searchsorted(walk.dst[by_target], np.arange(len(walk.keys) + 1))
    found: dict[NodeKey, list[Route]] = {}
    for target in targets:
        if target in walk.seeds or target not in walk.position:  # a seed is where paths start
            continue
        t = walk.position[target]
        incoming = by_target[bounds[t] : bounds[t + 1]].tolist()
        options = []
        for hops in range(1, max_hops + 1):
            for k in incoming:
                u = int(walk.src[k])
                if np.isfinite(cost[hops - 1][u]):
                    route = _route(previous, hops - 1, u) + [t]
                    if len(set(route)) == len(route):
                        options.append((float(cost[hops - 1][u] + minus_log[k]), [walk.keys[i] for i in route]))
        options.sort(key=lambda option: (option[0], len(option[1]), option[1]))
        chosen: list[tuple[float, list[NodeKey]]] = []
        for total, route in options:
            if route not in [r for _, r in chosen]:
                chosen.append((total, route))
            if len(chosen) == per_target:
                break
        if chosen:
            found[target] = chosen
    return found


def _layers(walk: Walk, max_hops: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """cost[h][v]: the least -log probability of reaching v from a seed in exactly h steps (inf: not
    reachable); previous[h][v]: the step before (ties: the smallest position, i.e. key)."""
    n = len(walk.keys)
    first = np.full(n, np.inf)
    total = sum(walk.seeds.values())
    for key, weight in walk.seeds.items():
        first[walk.position[key]] = -math.log(weight / total)
    cost, previous = [first], [np.full(n, -1, dtype=np.int64)]
    minus_log = -np.log(walk.prob)
    for _ in range(max_hops):
        reachable = np.isfinite(cost[-1][walk.src])
        u, v = walk.src[reachable], walk.dst[reachable]
        candidate = cost[-1][u] + minus_log[reachable]
        order = np.lexsort((u, candidate, v))
        best = order[np.concatenate([[True], v[order][1:] != v[order][:-1]])] if len(order) else order
        level, back = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        level[v[best]], back[v[best]] = candidate[best], u[best]
        cost.append(level)
        previous.append(back)
    return cost, previous


def _route(previous: list[np.ndarray], hops: int, end: int) -> list[int]:
    route = [end]
    for level in range(hops, 0, -1):
        route.append(int(previous[level][route[-1]]))
    return route[::-1]


def as_path(sub: Subgraph, walk: Walk, route: Route) -> ResultPath:
    total_cost, keys = route
    nodes = tuple(PathNode(node_id, label, title_of(sub.nodes.get((label, node_id), {}), node_id)) for label, node_id in keys)
    edges = []
    for u, v in zip(keys, keys[1:]):
        edge = walk.step(u, v)[1]
        edges.append(PathEdge(edge.type, "out" if edge.source == u else "in", dict(edge.props)))
    return ResultPath(nodes, tuple(edges), round(math.exp(-total_cost), 8))


def title_of(node: dict, fallback: str) -> str:
    return node.get("title") or node.get("name") or fallback
