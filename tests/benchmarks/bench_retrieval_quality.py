"""Benchmark: retrieval quality on the multihop news corpus, wikigraph against the usual baselines.

The corpus (../shared/corpora/multihop-rag: 326 articles, questions in queries-dev.jsonl with their gold
articles) is ingested as posts from their sources through the real pipeline (tests/benchmarks/multihop_wiki.py:
a feed per source on loopback, api.jobs.ingest_once, extractive summaries, entities, graph and vectors), once per
corpus version, cached in the work directory. Then every question is answered by:

  bm25         bm25s over the article texts
  dense        the same embedding model, plain cosine over article chunks
  llama-index  VectorStoreIndex.from_documents(...).as_retriever() (fastembed, local model, MockLLM)
  wikigraph hybrid / vector / graph   graph.retrieval.search(question, k=10, types={"Note"}, mode=…)

(see tests/benchmarks/quality_baselines.py). A wikigraph note is mapped back to its article by the note's url.
Reports Hits@4, Hits@10 and MRR@10 per question type and overall, for all questions and for two fixed halves
(even and odd ids: one to tune on, one to report), and writes tests/benchmarks/results/retrieval_quality.md/.json.

    WIKIGRAPH_EMBED_MODEL_PATH=../shared/models/all-MiniLM-L6-v2 \\
        python tests/benchmarks/bench_retrieval_quality.py [--rebuild] [--limit N] [--systems ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.multihop_wiki import (  # noqa: E402
    canonical, ingested_wiki, load_articles, load_queries, note_urls, wiki_settings,
)
from tests.benchmarks.quality_baselines import (  # noqa: E402
    bm25_retriever, dense_retriever, evaluate, llama_index_retriever,
)

CORPUS_DIR = REPO.parent / "shared" / "corpora" / "multihop-rag"
RESULTS = REPO / "tests" / "benchmarks" / "results"
WORKDIR = Path("/tmp") / "wikigraph-bench-quality"
K = 10
SYSTEMS = ("bm25", "dense", "llama-index", "wikigraph hybrid", "wikigraph vector", "wikigraph graph")
TYPES = ("inference_query", "comparison_query", "temporal_query", "all")


def model_path() -> Path:
    return Path(os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH") or REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2")


def wikigraph_retriever(services, mode: str, urls: dict[str, str], changes: dict[str, float]) -> Callable[[str, int], list[str]]:
    from graph.retrieval import RetrievalConfig, RetrievalDeps, search

    deps = RetrievalDeps(services.store, services.index, services.embedder, RetrievalConfig(**changes))

    def retrieve(question: str, k: int) -> list[str]:
        response = search(deps, question, k=k, types={"Note"}, mode=mode)
        return [urls[r.id] for r in response.results if r.id in urls]

    return retrieve


def rank_all(retrieve: Callable[[str, int], list[str]], queries: list[dict]) -> tuple[dict[str, list[str]], float]:
    started = time.perf_counter()
    rankings = {q["id"]: retrieve(q["question"], K) for q in queries}
    return rankings, (time.perf_counter() - started) / max(len(queries), 1) * 1000


def table(scores: dict[str, dict], title: str) -> list[str]:
    lines = [f"### {title}", "", "| system | " + " | ".join(f"{t.removesuffix('_query')} H@4 / H@10 / MRR" for t in TYPES) + " |",
             "|---|" + "---:|" * len(TYPES)]
    for system, by_type in scores.items():
        cells = [f"{by_type[t]['hits@4']:.3f} / **{by_type[t]['hits@10']:.3f}** / {by_type[t]['mrr@10']:.3f}" if t in by_type else "—"
                 for t in TYPES]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    counts = next(iter(scores.values()))
    lines += ["", "questions: " + ", ".join(f"{t} {counts[t]['n']}" for t in TYPES if t in counts), ""]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where the ingested wiki is cached")
    parser.add_argument("--rebuild", action="store_true", help="ingest again even if a cached wiki exists")
    parser.add_argument("--limit", type=int, help="only the first N questions (quick checks)")
    parser.add_argument("--systems", nargs="*", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--set", nargs="*", default=[], metavar="KNOB=VALUE",
                        help="RetrievalConfig changes for wikigraph, e.g. graph_weight=0.2 (tune on the even half only)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave tests/benchmarks/results alone")
    args = parser.parse_args()
    changes = {key: json.loads(value) for key, _, value in (item.partition("=") for item in args.set)}
    if not (CORPUS_DIR / "corpus.jsonl").exists():
        print(f"third-party corpora not available: {CORPUS_DIR} is absent (../shared is only on developer machines and CI)")
        return 2
    articles = load_articles(CORPUS_DIR / "corpus.jsonl")
    queries = load_queries(CORPUS_DIR / "queries-dev.jsonl")[: args.limit]
    root = ingested_wiki(CORPUS_DIR / "corpus.jsonl", args.workdir, model_path(), rebuild=args.rebuild)
    ingest_record = json.loads((root / "ingested.json").read_text())
    rankings, speed = {}, {}
    if {"bm25", "dense", "llama-index"} & set(args.systems):
        from graph.embed import EmbedConfig, Embedder

        builders = {
            "bm25": lambda: bm25_retriever(articles),
            "dense": lambda: dense_retriever(articles, Embedder.load(EmbedConfig(model_path=model_path()))),
            "llama-index": lambda: llama_index_retriever(articles, model_path(), EmbedConfig().model_name),
        }
        for system in [s for s in SYSTEMS if s in builders and s in args.systems]:
            rankings[system], speed[system] = rank_all(builders[system](), queries)
            print(f"{system}: done ({speed[system]:.0f} ms/question)", file=sys.stderr)
    ours = [s for s in SYSTEMS if s.startswith("wikigraph") and s in args.systems]
    if ours:
        from api.services import Services

        urls = note_urls(root / "wiki")
        missing = {canonical(a.url) for a in articles} - set(urls.values())
        print(f"{len(urls)} notes for {len(articles)} articles; articles without a note: {len(missing)}", file=sys.stderr)
        services = Services.open(wiki_settings(root, model_path()))
        try:
            for system in ours:
                rankings[system], speed[system] = rank_all(wikigraph_retriever(services, system.split()[1], urls, changes), queries)
                print(f"{system}: done ({speed[system]:.0f} ms/question)", file=sys.stderr)
        finally:
            services.close()
    halves = {"all questions": queries, "tuning half (even ids)": [q for q in queries if int(q["id"]) % 2 == 0],
              "held-out half (odd ids)": [q for q in queries if int(q["id"]) % 2 == 1]}
    scores = {name: {system: evaluate(ranked, part) for system, ranked in rankings.items()} for name, part in halves.items()}
    null = sum(1 for q in queries if not q["gold_urls"])
    lines = [f"Corpus: {len(articles)} articles from {ingest_record['sources']} sources, ingested in {ingest_record['seconds']:.0f} s; "
             f"{len(queries)} questions, {null} without gold articles (null queries) left out. "
             "Cells: Hits@4 / **Hits@10** / MRR@10."
             + (f" wikigraph with RetrievalConfig changes: {changes}." if changes else " wikigraph with its default RetrievalConfig."), ""]
    for name in halves:
        lines += table(scores[name], name)
    lines += ["Mean time per question (ms, this machine, in-process): " + ", ".join(f"{s} {ms:.0f}" for s, ms in speed.items()), ""]
    text = "\n".join(lines)
    print(text)
    tag = "-".join(f"{key}={value}" for key, value in changes.items())
    (args.workdir / f"rankings{'-' + tag if tag else ''}.json").write_text(json.dumps(rankings), encoding="utf-8")
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "retrieval_quality.md").write_text(
            "# Retrieval quality (tests/benchmarks/bench_retrieval_quality.py)\n\n" + text, encoding="utf-8")
        (RESULTS / "retrieval_quality.json").write_text(json.dumps({"scores": scores, "ms_per_question": speed}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
