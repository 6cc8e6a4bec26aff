"""Personalised PageRank on a hand-made neighbourhood: hub damping, inflow, paths."""

from __future__ import annotations

import math

from graph.retrieval.config import RetrievalConfig
from graph.retrieval.ppr import best_paths, edge_strength, personalised_pagerank
from graph.retrieval.subgraph import Edge, Subgraph

SEED = ("Concept", "seed")
HUB = ("Concept", "hub")
NEAR = ("Paper", "near")
FAR = ("Paper", "far")


def _graph(hub_degree: int) -> Subgraph:
    """seed —MENTIONS— note — ABOUT → near; seed —RELATED_TO— hub ← ABOUT — far; the hub has many relationships."""
    sub = Subgraph()
    note = ("Note", "n1")
    sub.nodes = {SEED: {"title": "Seed", "degree": 2}, note: {"title": "N1", "degree": 2}, NEAR: {"title": "Near", "degree": 1},
                 HUB: {"title": "Hub", "degree": hub_degree}, FAR: {"title": "Far", "degree": 1}}
    for edge in (
        Edge(note, "MENTIONS", SEED, {"salience": 0.5}),
        Edge(note, "MENTIONS", NEAR, {"salience": 0.5}),
        Edge(SEED, "RELATED_TO", HUB, {"weight": 0.8}),
        Edge(FAR, "ABOUT", HUB, {}),
    ):
        sub.add_edge(edge)
    return sub


def test_edge_strength_uses_type_weight_salience_and_relatedness() -> None:
    config = RetrievalConfig()
    assert edge_strength(Edge(SEED, "MENTIONS", NEAR, {"salience": 1.0}), config) == config.edge_weights["MENTIONS"]
    assert math.isclose(edge_strength(Edge(SEED, "MENTIONS", NEAR, {"salience": 0.0}), config), config.mention_floor)
    assert math.isclose(edge_strength(Edge(SEED, "RELATED_TO", HUB, {"weight": 0.5}), config), 0.5 * config.edge_weights["RELATED_TO"])
    assert edge_strength(Edge(SEED, "PUBLISHED", NEAR, {}), config) == 0.0


def test_hub_damping_lowers_what_is_reached_through_a_hub() -> None:
    damped = personalised_pagerank(_graph(400), {SEED: 1.0}, RetrievalConfig())
    plain = personalised_pagerank(_graph(400), {SEED: 1.0}, RetrievalConfig(hub_exponent=0.0))
    assert plain.inflow[FAR] > plain.inflow[NEAR]  # without damping the hub path wins
    assert damped.inflow[FAR] < damped.inflow[NEAR]  # with it, the path through a note does
    assert abs(sum(damped.inflow.values()) + 0.15 - 1.0) < 1e-6  # inflow is all the mass but the restarts


def test_best_paths_run_from_the_seed_with_directed_edges() -> None:
    sub = _graph(3)
    walk = personalised_pagerank(sub, {SEED: 1.0}, RetrievalConfig())
    paths = best_paths(sub, walk, [NEAR, FAR, SEED], per_target=2)
    near = paths[NEAR][0]
    assert [node.id for node in near.nodes] == ["seed", "n1", "near"]
    assert [(edge.type, edge.direction) for edge in near.edges] == [("MENTIONS", "in"), ("MENTIONS", "out")]
    assert near.edges[0].properties == {"salience": 0.5}
    assert [(edge.type, edge.direction) for edge in paths[FAR][0].edges] == [("RELATED_TO", "out"), ("ABOUT", "in")]
    assert 0 < near.strength <= 1
    assert SEED not in paths  # paths start at seeds; a seed has none of its own
