"""Benchmark: vault → graph (+ vectors) sync on the embedded backend, full reindex and incremental.

The vaults (1k and 10k notes by default) are generated from the real archive posts (see
sync_corpus.py) once and cached in the work directory. Each measurement runs in its own process,
so its peak memory is its own:

  reindex      delete everything, sync every page (graph only, or graph + Qdrant local + embeddings)
  incremental  then edit 1% of the notes (new TL;DR, one mention fewer) and sync again
  no change    then sync once more with nothing changed (the cost of looking)

Derived edges and analytics run at the end of every sync that changed the graph; their time is
reported inside each figure ("analytics"). Embedding dominates whenever vectors are on, hence the
separate graph-only and with-vectors rows.

    WIKIGRAPH_EMBED_MODEL_PATH=../shared/models/all-MiniLM-L6-v2 \\
        python tests/benchmarks/bench_sync.py [--sizes 1000 10000] [--vector-sizes 1000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from graph.model import SourceRecord  # noqa: E402
from graph.store import GraphStoreConfig  # noqa: E402
from graph.store.falkordb import FalkorStore  # noqa: E402
from graph.sync import reindex, sync_vault  # noqa: E402
from graph.vault import Vault  # noqa: E402
from tests.benchmarks.sync_corpus import SOURCES, load_posts, touch_notes, write_vault  # noqa: E402

ARCHIVE = REPO.parent / "shared" / "corpora" / "interconnects-archive" / "public"
SOURCE_RECORDS = [SourceRecord(s, s.replace("-", " ").title(), f"http://127.0.0.1/{s}.xml", 1, ("ml",)) for s in SOURCES]
TOUCHED_SHARE = 0.01


def cached_vault(workdir: Path, size: int) -> Path:
    root = workdir / f"vault-{size}"
    done = root / ".complete"
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        counts = write_vault(Vault(root), size, load_posts(ARCHIVE))
        done.write_text(json.dumps(counts))
        print(f"generated {size} notes, {counts['pages']} entity pages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return root


def measure(workdir: Path, size: int, vectors: bool) -> dict:
    """One process, one vault copy, fresh stores: reindex, then 1% incremental, then no-change."""
    run_dir = Path(tempfile.mkdtemp(dir=workdir, prefix=f"run-{size}-"))
    try:
        vault = Vault(run_dir / "wiki")
        shutil.copytree(cached_vault(workdir, size), vault.root)
        store = FalkorStore.start(GraphStoreConfig(data_dir=run_dir / "data"))
        index = embedder = None
        try:
            store.ensure_schema()
            if vectors:
                index, embedder = _vectors(run_dir)
            result = {"size": size, "vectors": vectors, "pages": json.loads((vault.root / ".complete").read_text())["pages"]}
            result["reindex"] = _timed(lambda: reindex(vault, store, index, embedder, SOURCE_RECORDS))
            touched = touch_notes(vault, TOUCHED_SHARE)
            result["incremental"] = _timed(lambda: sync_vault(vault, store, index, embedder, SOURCE_RECORDS))
            result["incremental"]["touched"] = len(touched)
            result["no_change"] = _timed(lambda: sync_vault(vault, store, index, embedder, SOURCE_RECORDS))
            result["graph"] = store.counts()
            result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            result["server_peak_rss_mb"] = _peak_rss_mb(store.server.pid)
        finally:
            if index is not None:
                index.close()
            store.close()
        return result
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _vectors(run_dir: Path):
    from graph.embed import EmbedConfig, Embedder
    from graph.vectors import VectorConfig, VectorIndex

    model = os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH")
    embedder = Embedder.load(EmbedConfig(model_path=Path(model) if model else None))
    return VectorIndex.open(VectorConfig(path=run_dir / "qdrant"), embedder.dimension), embedder


def _timed(run) -> dict:
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "notes": len(report.upserted),
        "chunks": report.chunks,
        "analyzed": report.analyzed,
        "errors": len(report.errors),
        "phases": {phase: round(value, 2) for phase, value in sorted(report.timings.items())},
    }


def _peak_rss_mb(pid: int | None) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def print_table(results: list[dict]) -> None:
    print("| notes | pages | vectors | full reindex | notes/s | incremental (1%) | notes/s | no-change sync | peak RSS (ours / graph server) |")
    print("|---:|---:|:---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        full, incr, idle = r["reindex"], r["incremental"], r["no_change"]
        print(
            f"| {r['size']:,} | {r['pages']:,} | {'yes' if r['vectors'] else 'no'} | {full['seconds']:.1f} s | "
            f"{full['notes'] / full['seconds']:.0f} | {incr['seconds']:.2f} s ({incr['touched']} notes) | "
            f"{incr['touched'] / incr['seconds']:.1f} | {idle['seconds']:.2f} s | "
            f"{r['peak_rss_mb']:.0f} / {r['server_peak_rss_mb'] or 0:.0f} MB |"
        )
    for r in results:
        print(f"\n{r['size']} notes, vectors {'on' if r['vectors'] else 'off'}: graph {r['graph']}")
        for name in ("reindex", "incremental", "no_change"):
            print(f"  {name}: {r[name]['phases']} (chunks {r[name]['chunks']}, errors {r[name]['errors']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000], help="vault sizes, graph only")
    parser.add_argument("--vector-sizes", type=int, nargs="*", default=[1000], help="vault sizes, graph and vectors")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "wikigraph-bench-sync")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--with-vectors", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(measure(args.workdir, args.one, args.with_vectors)))
        return
    if not ARCHIVE.is_dir():
        sys.exit(f"the archive posts are not here: {ARCHIVE} (../shared is only on developer machines and CI)")
    results = []
    for size, vectors in [(s, False) for s in args.sizes] + [(s, True) for s in args.vector_sizes]:
        cached_vault(args.workdir, size)
        command = [sys.executable, __file__, "--one", str(size), "--workdir", str(args.workdir)]
        done = subprocess.run(command + (["--with-vectors"] if vectors else []), check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"done: {size} notes, vectors {'on' if vectors else 'off'}", file=sys.stderr)
    print_table(results)


if __name__ == "__main__":
    main()
