"""Benchmark: latency of GET /search and GET /entities/{id}/connected through a real uvicorn server on loopback.

Corpora of 1k and 10k notes (+ their entity pages) are generated from the real archive posts by the sync
benchmark's generator (tests/benchmarks/sync_corpus.py: re-dated, recombined posts) and projected into the
embedded backend (FalkorDB + Qdrant local mode, with the embedding model) once; both are cached under the work
directory, so a second run only serves and measures. The server is `wikigraph serve` in its own process,
configured by environment variables like a user's; the load generator is an httpx async client with bounded
concurrency sending a fixed number of requests per endpoint (after a few unmeasured warm-up requests):

  search free     /search?q=<an archive post's title, or a sentence of a paragraph>   (hybrid mode)
  search connected /search?q=papers connected to <a concept's name>
  connected       /entities/<concept, organisation or paper id>/connected?type=Paper&max_hops=3

    WIKIGRAPH_EMBED_MODEL_PATH=../shared/models/all-MiniLM-L6-v2 \\
        python tests/benchmarks/bench_latency.py [--sizes 1000 10000] [--requests 200] [--concurrency 1 4]

Prints the corpus build times, a table of p50/p95/p99 per size, endpoint and concurrency, and the server's
own median phase timings (the `timings_ms` of /search answers) so a missed target says where the time goes;
writes the same to tests/benchmarks/results/latency.md (and .json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from tests.benchmarks.bench_sync import ARCHIVE, SOURCE_RECORDS, cached_vault  # noqa: E402

RESULTS = REPO / "tests" / "benchmarks" / "results"
WORKDIR = Path(tempfile.gettempdir()) / "wikigraph-bench-latency"
TARGET_P95_MS = 50.0
WARMUP = 10
SEED = 5


# --- the corpus ---------------------------------------------------------------------------------


def built_corpus(workdir: Path, size: int) -> dict:
    """Generated vault + graph + vectors for `size` notes, built once (in a child process, so the graph server
    and Qdrant's lock are released when it ends) and cached; returns the build record."""
    root = workdir / f"corpus-{size}"
    record = root / "built.json"
    if not record.exists():
        command = [sys.executable, __file__, "--build-one", str(size), "--workdir", str(workdir)]
        subprocess.run(command, check=True)
    return json.loads(record.read_text())


def build_one(workdir: Path, size: int) -> None:
    from api.services import Services
    from graph.sync import reindex

    root = workdir / f"corpus-{size}"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    template = cached_vault(workdir / "vaults", size)  # the sync benchmark's generator and cache layout
    shutil.copytree(template, root / "wiki")
    generated = time.perf_counter() - started
    services = Services.open(_settings(root))
    try:
        started = time.perf_counter()
        report = reindex(services.vault, services.store, services.index, services.embedder, SOURCE_RECORDS)
        projected = time.perf_counter() - started
        counts = services.store.counts()
    finally:
        services.close()
    if report.errors:
        raise SystemExit(f"FAIL: the corpus did not sync cleanly: {report.errors[:3]}")
    built = {
        "size": size, "pages": json.loads((template / ".complete").read_text())["pages"], "chunks": report.chunks,
        "generate_s": round(generated, 1), "project_s": round(projected, 1),
        "phases_s": {phase: round(value, 1) for phase, value in sorted(report.timings.items())}, "graph": counts,
    }
    (root / "built.json").write_text(json.dumps(built, indent=1))


def _settings(root: Path):
    from api.settings import Settings

    return Settings(wiki_dir=root / "wiki", data_dir=root / "data", embed_model_path=_model_path())


def _model_path() -> Path:
    return Path(os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH") or REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2")


# --- the requests -------------------------------------------------------------------------------


def request_sets(wiki: Path, count: int) -> dict[str, list[tuple[str, dict]]]:
    """`count` requests per endpoint, drawn (with a fixed seed) from the corpus itself."""
    rng = random.Random(SEED)
    titles = sorted({_front(path)["title"].rsplit(" (", 1)[0] for path in (wiki / "notes").glob("*.md")})
    sentences = _sentences(wiki, rng)
    concepts = _entities(wiki / "concepts")
    anchors = concepts + _entities(wiki / "orgs") + _entities(wiki / "papers")
    free = [rng.choice(titles) if i % 2 else rng.choice(sentences) for i in range(count)]
    return {
        "search free": [("/search", {"q": q, "k": 10}) for q in free],
        "search connected": [("/search", {"q": f"papers connected to {rng.choice(concepts)[1]}", "k": 10}) for _ in range(count)],
        "connected": [(f"/entities/{rng.choice(anchors)[0]}/connected", {"type": "Paper", "max_hops": 3, "limit": 10})
                      for _ in range(count)],
    }


def _front(path: Path) -> dict[str, str]:
    head = path.read_text(encoding="utf-8").split("---\n", 2)[1]
    return {k.strip(): v.strip().strip("'\"") for k, _, v in (line.partition(":") for line in head.splitlines()) if v}


def _sentences(wiki: Path, rng: random.Random) -> list[str]:
    """Sentences of 8–25 words from the TL;DRs of a sample of notes: questions in the corpus's own words."""
    found = []
    for path in rng.sample(sorted((wiki / "notes").glob("*.md")), 200):
        tldr = path.read_text(encoding="utf-8").split("## TL;DR", 1)[-1].split("\n## ", 1)[0]
        found += [s for s in re.split(r"(?<=[.!?])\s+", tldr.strip()) if 8 <= len(s.split()) <= 25 and len(s) < 400]
    return found


def _entities(folder: Path) -> list[tuple[str, str]]:
    return sorted((path.stem, _front(path).get("name", path.stem)) for path in folder.glob("*.md"))


# --- the server and the load --------------------------------------------------------------------


class Server:
    """`wikigraph serve` on a free loopback port, in its own process, over a built corpus."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = root / "server.log"

    def __enter__(self) -> "Server":
        env = {**os.environ, "WIKIGRAPH_WIKI_DIR": str(self.root / "wiki"), "WIKIGRAPH_DATA_DIR": str(self.root / "data"),
               "WIKIGRAPH_EMBED_MODEL_PATH": str(_model_path()), "WIKIGRAPH_HOST": "127.0.0.1", "WIKIGRAPH_PORT": str(self.port)}
        command = [str(Path(sys.executable).with_name("wikigraph")), "serve"]
        with self.log.open("w") as log:  # cwd = the corpus root: no stray .env is read
            self.process = subprocess.Popen(command, env=env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT)
        started = time.monotonic()
        deadline = started + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"FAIL: the server exited ({self.process.returncode}); see {self.log}")
            try:
                health = httpx.get(self.url + "/health", timeout=10)
                # Measured once searches read the in-memory snapshot; until then they read the graph (slower).
                if health.status_code == 200 and health.json().get("retrieval_snapshot", {}).get("state") == "ready":
                    self.ready_s = time.monotonic() - started
                    self.snapshot = health.json()["retrieval_snapshot"]
                    return self
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.2)
        raise SystemExit(f"FAIL: the server was not ready (/health with a loaded snapshot) within 600 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # uvicorn shuts down cleanly on SIGTERM; the lifespan closes the stores
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def load(url: str, requests: list[tuple[str, dict]], concurrency: int) -> dict:
    """Send every request once, at most `concurrency` at a time; latencies in ms, server phase timings."""
    latencies: list[float] = []
    phases: dict[str, list[float]] = defaultdict(list)
    limit = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def one(path: str, params: dict, measured: bool) -> None:
            async with limit:
                started = time.perf_counter()
                response = await client.get(path, params=params)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"FAIL: {path} {params} → {response.status_code}: {response.text[:300]}")
            if measured:
                latencies.append(elapsed)
                for phase, ms in response.json().get("timings_ms", {}).items():
                    phases[phase].append(ms)

        for path, params in requests[:WARMUP]:
            await one(path, params, measured=False)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        await asyncio.gather(*(one(path, params, measured=True) for path, params in requests))
        wall = time.perf_counter() - started
    return {
        "count": len(latencies), "p50": _pct(latencies, 50), "p95": _pct(latencies, 95), "p99": _pct(latencies, 99),
        "mean": statistics.fmean(latencies), "max": max(latencies), "rps": len(latencies) / wall,
        "phases": {phase: round(statistics.median(values), 2) for phase, values in phases.items()},
        "load": round(max(load_before, os.getloadavg()[0]), 1),  # other work on the machine inflates every figure
    }


def repeated(url: str, requests: list[tuple[str, dict]], concurrency: int, runs: int) -> dict:
    """`runs` passes over the same requests; each figure is the median of the passes' (this machine is noisy),
    with the spread of p95 across passes."""
    passes = [asyncio.run(load(url, requests, concurrency)) for _ in range(runs)]
    found = {key: statistics.median(p[key] for p in passes) for key in ("p50", "p95", "p99", "mean", "max", "rps", "load")}
    found["count"] = passes[0]["count"]
    found["runs"] = runs
    found["p95_range"] = (min(p["p95"] for p in passes), max(p["p95"] for p in passes))
    found["phases"] = {phase: statistics.median(p["phases"].get(phase, 0.0) for p in passes) for phase in passes[0]["phases"]}
    return found


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]  # nearest rank


# --- report -------------------------------------------------------------------------------------


def report(builds: list[dict], rows: list[dict]) -> str:
    lines = ["## Corpus build (generate + project into FalkorDB and Qdrant local, embedding included)", "",
             "| notes | entity pages | chunks | generate | project (graph + vectors) | of which vectors (embedding + Qdrant) |",
             "|---:|---:|---:|---:|---:|---:|"]
    for b in builds:
        embed = b["phases_s"].get("vectors")
        lines.append(f"| {b['size']:,} | {b['pages']:,} | {b['chunks']:,} | {b['generate_s']:.0f} s | {b['project_s']:.0f} s | "
                     f"{f'{embed:.0f} s' if embed is not None else '—'} |")
    lines += ["", "## Server start (`wikigraph serve` until /health reports the retrieval snapshot ready)", "",
              "| notes | ready after | snapshot nodes | snapshot relationships | snapshot load |", "|---:|---:|---:|---:|---:|"]
    for b in builds:
        if "snapshot" in b:
            snap = b["snapshot"]
            lines.append(f"| {b['size']:,} | {b['ready_s']:.1f} s | {snap.get('nodes', 0):,} | {snap.get('relationships', 0):,} | "
                         f"{snap.get('last_load_s', 0):.1f} s |")
    lines += ["", f"## Latency through `wikigraph serve` (uvicorn) on loopback; target p95 ≤ {TARGET_P95_MS:.0f} ms at 10k notes", "",
              "Each figure is the median over the passes (`runs`) of that pass's percentile; 'p95 range' is the lowest and "
              "highest p95 of the passes.", "",
              "| notes | endpoint | concurrency | requests × runs | p50 ms | p95 ms | p95 range | p99 ms | max ms | req/s | load avg |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["stats"]
        low, high = s["p95_range"]
        lines.append(f"| {r['size']:,} | {r['endpoint']} | {r['concurrency']} | {s['count']} × {s['runs']} | {s['p50']:.1f} | "
                     f"{s['p95']:.1f} | {low:.0f}–{high:.0f} | {s['p99']:.1f} | {s['max']:.1f} | {s['rps']:.1f} | {s['load']} |")
    lines += ["", f"Machine: {os.cpu_count()} cores; 'load avg' is the 1-minute load average around the run (above the core count, "
              "other processes were competing for the CPU and every figure is inflated accordingly).", ""]
    lines += ["", "## Server-side phases (median ms per request, from `timings_ms`; concurrency 1)", ""]
    for r in rows:
        if r["concurrency"] == min(x["concurrency"] for x in rows) and r["stats"]["phases"]:
            lines.append(f"- {r['size']:,} notes, {r['endpoint']}: " + ", ".join(f"{k} {v:.1f}" for k, v in r["stats"]["phases"].items()))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint and concurrency")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 4])
    parser.add_argument("--runs", type=int, default=3, help="passes per endpoint and concurrency; figures are their medians")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where built corpora are cached")
    parser.add_argument("--no-write", action="store_true", help="print only; leave tests/benchmarks/results alone")
    parser.add_argument("--build-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.build_one:
        build_one(args.workdir, args.build_one)
        return 0
    if not ARCHIVE.is_dir():
        print(f"third-party corpora not available: {ARCHIVE} is absent (../shared is only on developer machines and CI)")
        return 2
    builds, rows = [], []
    for size in args.sizes:
        builds.append(built_corpus(args.workdir, size))
        root = args.workdir / f"corpus-{size}"
        print(f"corpus {size}: {json.dumps(builds[-1])}", file=sys.stderr)
        with Server(root) as server:
            builds[-1]["ready_s"], builds[-1]["snapshot"] = round(server.ready_s, 1), server.snapshot
            for endpoint, requests in request_sets(root / "wiki", args.requests).items():
                for concurrency in args.concurrency:
                    stats = repeated(server.url, requests, concurrency, args.runs)
                    rows.append({"size": size, "endpoint": endpoint, "concurrency": concurrency, "stats": stats})
                    print(f"{size} {endpoint} c={concurrency}: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms", file=sys.stderr)
    text = report(builds, rows)
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latency.md").write_text("# Latency benchmark (tests/benchmarks/bench_latency.py)\n\n" + text, encoding="utf-8")
        (RESULTS / "latency.json").write_text(json.dumps({"builds": builds, "rows": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
