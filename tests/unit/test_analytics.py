"""Node analytics: PageRank agrees with networkx's definition; numbers do not depend on row order."""

from __future__ import annotations

import random

import networkx as nx  # the reference PageRank
import numpy as np
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from graph import analytics


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_matches_networkx_reference(seed):
    graph = nx.gnp_random_graph(60, 0.06, seed=seed, directed=True)
    rng = random.Random(seed)
    for a, b in graph.edges:
        graph[a][b]["weight"] = rng.uniform(0.05, 2.0)
    graph.add_node(60)  # isolated, dangling
    sources, targets = zip(*graph.edges)
    weights = [graph[a][b]["weight"] for a, b in graph.edges]
    ours = analytics.pagerank(61, np.array(sources), np.array(targets), np.array(weights))
    reference = _pagerank_python(graph, alpha=analytics.DAMPING, tol=1e-12, weight="weight")
    assert np.allclose(ours, [reference[node] for node in range(61)], atol=1e-8)
    assert abs(ours.sum() - 1.0) < 1e-9


def projected():
    nodes = [
        {"label": "Source", "id": "lab", "published": None, "page_first_seen": None, "page_last_seen": None},
        {"label": "Note", "id": "n1", "published": "2026-01-05", "page_first_seen": None, "page_last_seen": None},
        {"label": "Note", "id": "n2", "published": "2026-02-01", "page_first_seen": None, "page_last_seen": None},
        {"label": "Concept", "id": "kd", "published": None, "page_first_seen": "2015-03-09", "page_last_seen": None},
        {"label": "Concept", "id": "lonely", "published": None, "page_first_seen": None, "page_last_seen": None},
    ]
    links = [
        (("Source", "lab"), "PUBLISHED", ("Note", "n1"), 1.0),
        (("Source", "lab"), "PUBLISHED", ("Note", "n2"), 1.0),
        (("Note", "n1"), "MENTIONS", ("Concept", "kd"), 0.5),
        (("Note", "n2"), "MENTIONS", ("Concept", "kd"), 0.2),
        (("Note", "n2"), "CONNECTS_TO", ("Note", "n1"), 1.0),
    ]
    return nodes, links


def test_metrics_of_a_small_graph():
    metrics = analytics.compute(*projected())
    kd, n1, lab, lonely = (metrics[key] for key in [("Concept", "kd"), ("Note", "n1"), ("Source", "lab"), ("Concept", "lonely")])
    assert (kd["degree"], kd["mention_count"], kd["first_seen"], kd["last_seen"]) == (2, 2, "2015-03-09", "2026-02-01")
    assert (n1["degree"], n1["mention_count"], n1["first_seen"], n1["first_seen_ms"]) == (3, 1, "2026-01-05", 1767571200000)
    assert (lab["mention_count"], lab["first_seen"], lab["last_seen"]) == (2, "2026-01-05", "2026-02-01")
    assert lonely["degree"] == 0 and lonely["first_seen"] is None
    assert kd["pagerank"] == max(m["pagerank"] for m in metrics.values())
    assert kd["community"] == n1["community"] != lonely["community"]


def test_metrics_do_not_depend_on_row_order():
    nodes, links = projected()
    first = analytics.compute(nodes, links)
    for seed in range(5):
        random.Random(seed).shuffle(nodes)
        random.Random(seed + 10).shuffle(links)
        assert analytics.compute(nodes, links) == first


def test_communities_are_found_and_numbered_from_the_largest():
    # Two dense clusters of notes around two concepts, joined by one weak link; a lone concept.
    nodes = [{"label": "Concept", "id": c, "published": None, "page_first_seen": None, "page_last_seen": None} for c in ("a", "b", "z")]
    links = []
    for cluster, size in (("a", 6), ("b", 4)):
        for i in range(size):
            nodes.append({"label": "Note", "id": f"{cluster}{i}", "published": None, "page_first_seen": None, "page_last_seen": None})
            links.append((("Note", f"{cluster}{i}"), "MENTIONS", ("Concept", cluster), 0.9))
            links += [(("Note", f"{cluster}{i}"), "CONNECTS_TO", ("Note", f"{cluster}{j}"), 1.0) for j in range(i)]
    links.append((("Note", "a0"), "MENTIONS", ("Concept", "b"), 0.05))
    community = {key: value["community"] for key, value in analytics.compute(nodes, links).items()}
    assert {community[("Note", f"a{i}")] for i in range(6)} == {community[("Concept", "a")]} == {0}
    assert {community[("Note", f"b{i}")] for i in range(4)} == {community[("Concept", "b")]} == {1}
    assert community[("Concept", "z")] == 2
