"""The retrieval snapshot at the size of a 10k-note wiki, on a synthetic graph (no vault, no vectors).

    python tests/benchmarks/bench_snapshot_scale.py /tmp/wikigraph-bench-snapshot [notes]

Builds (once per directory) a graph shaped like the projection of `notes` notes: 1.2 entities per
note over five types with skewed popularity (so there are hubs), about 20 mentions and 3
connections per note, a source per note, papers about concepts, related concepts; degree and a
pagerank on every node. Then prints the snapshot's load time and memory, and the neighbourhood +
PageRank of free-text-like walks (8 notes, 2 hops) and "connected"-like ones (a concept, 3 hops),
read hop by hop and from the snapshot, alternating.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from graph import patterns  # noqa: E402
from graph.retrieval.config import RetrievalConfig  # noqa: E402
from graph.retrieval.ppr import personalised_pagerank  # noqa: E402
from graph.retrieval.rank import Filters  # noqa: E402
from graph.retrieval.subgraph import neighbourhood  # noqa: E402
from graph.store import GraphStoreConfig  # noqa: E402
from graph.store.falkordb import FalkorStore  # noqa: E402
from tests.benchmarks.bench_graph_phase import report_load  # noqa: E402

MENTIONS_PER_NOTE = {"Concept": 8, "Paper": 4, "Organization": 3, "Person": 3, "Model": 2}
ENTITIES_PER_NOTE = {"Concept": 0.3, "Paper": 0.3, "Organization": 0.2, "Person": 0.2, "Model": 0.2}
SOURCES = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("notes", type=int, nargs="?", default=10_000)
    args = parser.parse_args()
    store = FalkorStore.start(GraphStoreConfig(data_dir=args.workdir / f"graph-{args.notes}"))
    try:
        store.ensure_schema()
        if not store.counts()["nodes"]:
            _build(store, args.notes)
        snapshot = report_load(store, runs=2)
        _walks(store, snapshot)
    finally:
        store.close()


def _build(store, notes: int) -> None:
    started = time.perf_counter()
    rng, pick = random.Random(7), np.random.default_rng(7)
    sizes = {label: int(notes * share) for label, share in ENTITIES_PER_NOTE.items()}
    edges: dict[tuple[str, str, str], dict] = {}

    def link(start_label, start, rel_type, end_label, end, props):
        edges.setdefault((start_label, rel_type, end_label), {})[(start, end)] = {"start": start, "end": end, "props": props}

    popularity = {label: _zipf(size) for label, size in sizes.items()}
    for n in range(notes):
        link("Source", f"s{n % SOURCES}", "PUBLISHED", "Note", f"n{n}", {})
        for label, count in MENTIONS_PER_NOTE.items():
            for e in set(pick.choice(sizes[label], count, p=popularity[label]).tolist()):
                link("Note", f"n{n}", "MENTIONS", label, f"{label}-{e}", {"count": 1, "salience": round(rng.random(), 3)})
        for _ in range(3):
            link("Note", f"n{n}", "CONNECTS_TO", "Note", f"n{rng.randrange(notes)}", {"reason": f"see also {n}"})
    for p in range(sizes["Paper"]):
        for _ in range(2):
            link("Paper", f"Paper-{p}", "ABOUT", "Concept", f"Concept-{rng.randrange(sizes['Concept'])}", {})
    for c in range(sizes["Concept"]):
        for _ in range(2):
            link("Concept", f"Concept-{c}", "RELATED_TO", "Concept", f"Concept-{rng.randrange(sizes['Concept'])}", {"weight": round(rng.random(), 3)})
    degree: Counter = Counter()
    for pairs in edges.values():
        for start, end in pairs:
            degree[start] += 1
            degree[end] += 1
    patterns.upsert_nodes(store, "Source", [{"id": f"s{i}", "props": {"name": f"Source {i}", "tier": 1 + i % 3}} for i in range(SOURCES)])
    for label, size in {"Note": notes, **sizes}.items():
        ids = [f"n{i}" for i in range(size)] if label == "Note" else [f"{label}-{i}" for i in range(size)]
        rows = [{"id": node_id, "props": {"name": node_id, "degree": degree[node_id], "pagerank": round(rng.random() / 1000, 8),
                                          "tier": 1 + i % 3, "published": "2026-01-01"}} for i, node_id in enumerate(ids)]
        for at in range(0, len(rows), 5000):
            patterns.upsert_nodes(store, label, rows[at : at + 5000])
    linked = 0
    for shape, pairs in edges.items():
        rows = list(pairs.values())
        for at in range(0, len(rows), 20_000):
            linked += patterns.upsert_edges(store, *shape, rows[at : at + 20_000])
    print(f"built {sum(sizes.values()) + notes + SOURCES} nodes, {linked} relationships in {time.perf_counter() - started:.1f} s")


def _zipf(size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** 0.9
    return weights / weights.sum()


def _walks(store, snapshot) -> None:
    rng, config, keep = random.Random(3), RetrievalConfig(), Filters().keep_in_graph
    notes = [key for key in snapshot.keys if key[0] == "Note"]
    concepts = [key for key in snapshot.keys if key[0] == "Concept"]
    cases = {
        "free text (8 notes, 2 hops)": [([rng.choice(notes) for _ in range(8)], 2) for _ in range(20)],
        "connected (a concept, 3 hops)": [([rng.choice(concepts[:300])], 3) for _ in range(20)],
    }
    for name, walks in cases.items():
        laps: dict[str, list[float]] = {"statements": [], "snapshot": []}
        sizes = []
        for seeds, hops in walks:
            for way, held in (("statements", None), ("snapshot", snapshot)):
                started = time.perf_counter()
                sub = neighbourhood(store, seeds, hops, config, keep, held)
                personalised_pagerank(sub, {seed: 1.0 for seed in seeds}, config)
                laps[way].append((time.perf_counter() - started) * 1000)
            sizes.append((len(sub.nodes), len(sub.edges)))
        nodes, rels = np.median(np.array(sizes), axis=0)
        for way, found in laps.items():
            ranked = sorted(found)
            print(f"{name:30} {way:10} median {statistics.median(found):6.1f} ms, p95 {ranked[int(0.95 * len(ranked)) - 1]:6.1f} ms "
                  f"(median subgraph {nodes:.0f} nodes, {rels:.0f} relationships)")


if __name__ == "__main__":
    main()
