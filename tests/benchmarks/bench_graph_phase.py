"""The graph phase of retrieval with and without the in-memory snapshot, on a built corpus.

    python tests/benchmarks/bench_graph_phase.py /tmp/wikigraph-bench-latency/corpus-1000 [requests]

The corpus is one `bench_latency.py --build-one N` made (its `wiki/` and `data/`; nothing else may
have its Qdrant folder open). Each request runs twice in a row, once reading the neighbourhood
hop by hop from the graph and once from the snapshot, so load on a shared machine hits both alike.
Prints the snapshot's size, load time and memory, then per request kind the median and p95 of the
graph phase (free-text and "connected" searches) or of the whole call (`connected`), and of the
same walks replayed back to back (the graph phase's own work, without the CPU the phases before it
leave busy: the embedding runtime's threads).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_latency import _settings, request_sets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("requests", type=int, nargs="?", default=30)
    args = parser.parse_args()

    from api.services import Services
    from graph.retrieval import service
    from graph.retrieval.snapshot_cache import SnapshotCache

    services = Services.open(_settings(args.corpus))
    try:
        report_load(services.store)
        with_snapshot = services.retrieval
        by_statements = replace(with_snapshot, snapshots=None)
        assert isinstance(with_snapshot.snapshots, SnapshotCache)
        with_snapshot.snapshots.wait()  # the first load runs in the background
        assert with_snapshot.snapshots.current() is not None
        sets = request_sets(args.corpus / "wiki", args.requests)
        for kind, requests in sets.items():
            walks = _recording_walks(lambda kind=kind, requests=requests: _run(service, kind, requests, with_snapshot, by_statements))
            _replay(kind, walks, with_snapshot)
    finally:
        services.close()


def report_load(store, runs: int = 3):
    """Load the snapshot `runs` times and once more under tracemalloc; print the times and memory, return it."""
    from graph.retrieval.snapshot import load

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load(store)
        times.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    snapshot = load(store)
    snapshot.adjacency(["MENTIONS", "CONNECTS_TO", "ABOUT", "CONCERNS", "AFFILIATED_WITH", "RELATED_TO"])
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"snapshot: {snapshot.node_count} nodes, {snapshot.edge_count} relationships; load {min(times):.2f} s "
          f"(of {', '.join(f'{t:.2f}' for t in times)}); held {held / 1e6:.1f} MB, peak while loading {peak / 1e6:.1f} MB")
    return snapshot


def _run(service, kind: str, requests, with_snapshot, by_statements) -> None:
    laps: dict[str, list[float]] = {"statements": [], "snapshot": []}
    for path, params in requests:
        for name, deps in (("statements", by_statements), ("snapshot", with_snapshot)):
            started = time.perf_counter()
            if path == "/search":
                response = service.search(deps, params["q"], k=params["k"])
                laps[name].append(response.timings_ms.get("graph", 0.0))
            else:
                service.connected(deps, path.split("/")[2], None, params["type"], params["max_hops"], params["limit"])
                laps[name].append((time.perf_counter() - started) * 1000)
    what = "whole call" if kind == "connected" else "graph phase"
    for name, found in laps.items():
        ranked = sorted(found)
        print(f"{kind:18} {name:10} {what}: median {statistics.median(found):7.1f} ms, p95 {ranked[int(0.95 * len(ranked)) - 1]:7.1f} ms")


def _recording_walks(run) -> list[tuple]:
    """Run, keeping the arguments of every walk the snapshot runs took."""
    from graph.retrieval import engine

    walks, original = [], engine.neighbourhood

    def recording(store, seeds, hops, config, keep_node=None, snapshot=None):
        if snapshot is not None:
            walks.append((store, seeds, hops, config, keep_node))
        return original(store, seeds, hops, config, keep_node, snapshot)

    engine.neighbourhood = recording
    try:
        run()
    finally:
        engine.neighbourhood = original
    return walks


def _replay(kind: str, walks: list[tuple], with_snapshot) -> None:
    """The same walks (neighbourhood + PageRank) again, back to back and alternating, three times:
    the graph phase's own work, without what the phases before it leave running on the CPU."""
    from graph.retrieval.ppr import personalised_pagerank
    from graph.retrieval.subgraph import neighbourhood

    snapshot = with_snapshot.snapshots.current()
    laps: dict[str, list[float]] = {"statements": [], "snapshot": []}
    for _ in range(3):
        for store, seeds, hops, config, keep in walks:
            for name, held in (("statements", None), ("snapshot", snapshot)):
                started = time.perf_counter()
                sub = neighbourhood(store, seeds, hops, config, keep, held)
                personalised_pagerank(sub, {seed: 1.0 for seed in seeds}, config)
                laps[name].append((time.perf_counter() - started) * 1000)
    for name, found in laps.items():
        print(f"{kind:18} {name:10} replayed walk: median {statistics.median(found):7.1f} ms, p95 {sorted(found)[int(0.95 * len(found)) - 1]:7.1f} ms")


if __name__ == "__main__":
    main()
