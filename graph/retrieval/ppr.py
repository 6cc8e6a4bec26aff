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
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from graph.retrieval.config import RetrievalConfig
from graph.retrieval.results import PathEdge, PathNode, ResultPath
from graph.retrieval.subgraph import Edge, NodeKey, Subgraph, damping

TOLERANCE = 1e-9
MAX_ITERATIONS = 100


@dataclass
class Walk:
    """The step probabilities of the walk and the stationary scores over one subgraph."""

    keys: list[NodeKey]
    steps: dict[NodeKey, dict[NodeKey, tuple[float, Edge]]]  # u → v → (probability of u→v, strongest edge)
    seeds: dict[NodeKey, float]
    inflow: dict[NodeKey, float]


def edge_strength(edge: Edge, config: RetrievalConfig) -> float:
    weight = config.edge_weight(edge.type)
    if edge.type == "MENTIONS":
        salience = float(edge.props.get("salience") or 0.0)
        weight *= config.mention_floor + (1.0 - config.mention_floor) * min(max(salience, 0.0), 1.0)
    elif edge.type == "RELATED_TO":
        weight *= float(edge.props.get("weight") or 0.0)
    return weight


def personalised_pagerank(sub: Subgraph, seeds: dict[NodeKey, float], config: RetrievalConfig) -> Walk:
    seeds = {key: weight for key, weight in seeds.items() if key in sub.nodes and weight > 0}
    keys = sorted(sub.nodes)
    steps = _steps(sub, config)
    if not seeds:
        return Walk(keys, steps, {}, {})
    position = {key: i for i, key in enumerate(keys)}
    total = sum(seeds.values())
    restart = np.zeros(len(keys))
    for key, weight in seeds.items():
        restart[position[key]] = weight / total
    sources, targets, probabilities = [], [], []
    for u, row in steps.items():
        for v, (probability, _) in row.items():
            sources.append(position[u])
            targets.append(position[v])
            probabilities.append(probability)
    src, dst, prob = np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(probabilities)
    dangling = np.ones(len(keys), dtype=bool)
    dangling[src] = False
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
    inflow = {key: float(alpha * flow[position[key]]) for key in keys}
    return Walk(keys, steps, seeds, inflow)


def _steps(sub: Subgraph, config: RetrievalConfig) -> dict[NodeKey, dict[NodeKey, tuple[float, Edge]]]:
    weights: dict[NodeKey, dict[NodeKey, float]] = defaultdict(lambda: defaultdict(float))
    strongest: dict[tuple[NodeKey, NodeKey], tuple[float, Edge]] = {}
    damped: dict[NodeKey, float] = {}
    for edge in sub.edges.values():
        strength = edge_strength(edge, config)
        if strength <= 0 or edge.source == edge.target:
            continue
        for u, v in ((edge.source, edge.target), (edge.target, edge.source)):
            if v not in damped:
                damped[v] = damping(sub, v, config)
            weights[u][v] += strength * damped[v]
            if strength > strongest.get((u, v), (0.0, None))[0]:
                strongest[(u, v)] = (strength, edge)
    steps: dict[NodeKey, dict[NodeKey, tuple[float, Edge]]] = {}
    for u, row in weights.items():
        total = sum(row.values())
        steps[u] = {v: (weight / total, strongest[(u, v)][1]) for v, weight in row.items()}
    return steps


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
    incoming: dict[NodeKey, list[tuple[NodeKey, float]]] = defaultdict(list)
    for u, row in walk.steps.items():
        for v, (probability, _) in row.items():
            incoming[v].append((u, probability))
    found: dict[NodeKey, list[Route]] = {}
    for target in targets:
        if target in walk.seeds:  # a seed is where paths start
            continue
        options = []
        for hops in range(1, max_hops + 1):
            for u, probability in incoming[target]:
                if u in cost[hops - 1]:
                    route = _route(previous, hops - 1, u) + [target]
                    if len(set(route)) == len(route):
                        options.append((cost[hops - 1][u] - math.log(probability), route))
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


def _seed_cost(walk: Walk, key: NodeKey) -> float:
    return -math.log(walk.seeds[key] / sum(walk.seeds.values()))


def _layers(walk: Walk, max_hops: int) -> tuple[list[dict[NodeKey, float]], list[dict[NodeKey, NodeKey]]]:
    """cost[h][v]: the least -log probability of reaching v from a seed in exactly h steps; previous[h][v]: the step before."""
    cost: list[dict[NodeKey, float]] = [{key: _seed_cost(walk, key) for key in walk.seeds}]
    previous: list[dict[NodeKey, NodeKey]] = [{}]
    for _ in range(max_hops):
        level: dict[NodeKey, float] = {}
        back: dict[NodeKey, NodeKey] = {}
        for u, total in sorted(cost[-1].items()):
            for v, (probability, _) in walk.steps.get(u, {}).items():
                candidate = total - math.log(probability)
                if candidate < level.get(v, math.inf):
                    level[v], back[v] = candidate, u
        cost.append(level)
        previous.append(back)
    return cost, previous


def _route(previous: list[dict[NodeKey, NodeKey]], hops: int, end: NodeKey) -> list[NodeKey]:
    route = [end]
    for level in range(hops, 0, -1):
        route.append(previous[level][route[-1]])
    return route[::-1]


def as_path(sub: Subgraph, walk: Walk, route: Route) -> ResultPath:
    total_cost, keys = route
    nodes = tuple(PathNode(node_id, label, title_of(sub.nodes.get((label, node_id), {}), node_id)) for label, node_id in keys)
    edges = []
    for u, v in zip(keys, keys[1:]):
        edge = walk.steps[u][v][1]
        edges.append(PathEdge(edge.type, "out" if edge.source == u else "in", dict(edge.props)))
    return ResultPath(nodes, tuple(edges), round(math.exp(-total_cost), 8))


def title_of(node: dict, fallback: str) -> str:
    return node.get("title") or node.get("name") or fallback
