"""Benchmark: summarise every post of the third-party archive offline with the extractive summarizer.

Posts are summarised oldest first into a temporary vault; each is offered what the pipeline would offer it —
the earlier notes nearest to it (an in-memory stand-in for the vector index) and the entities it mentions that
already have pages (the real entity linker, starting from the shipped concepts) — so Connections and "Why it
matters" are exercised as in a growing wiki. The summarizer alone is timed. Every note
is checked for the properties the realworld test checks on a sample. Prints throughput, per-post latency,
peak memory and how often each section found something to say; exits 1 if any note fails a check.

    WIKIGRAPH_EMBED_MODEL_PATH=../shared/models/all-MiniLM-L6-v2 \\
        python tests/benchmarks/bench_summarize.py [--runs 3] [--limit 196] [--samples /tmp/sample_notes]

Sample notes are written outside the repository: they are derived from third-party text.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from graph.embed import EmbedConfig, Embedder  # noqa: E402
from ingest.summarize.extractive import ExtractiveSummarizer  # noqa: E402
from ingest.summarize.inquiry import NO_ANGLE, NO_QUESTIONS  # noqa: E402
from tests.support.archive_summaries import NOTHING_RELATES, ArchiveWiki, load_archive, summary_problems  # noqa: E402

SHARED = REPO.parent / "shared"
# Three posts of different kinds: an early essay, a technical explainer, a long interview transcript.
DEFAULT_SAMPLES = (
    "2021-02-26-countingdownuntilconsumerdronesarebannedincities",
    "2025-01-21-deepseekr1srecipetoreplicateo1andthefutureofreason",
    "2025-07-29-interviewingrosstayloronthestateofaichineseopenmod",
)


def main() -> int:
    args = _arguments()
    if not SHARED.exists():
        print(f"third-party corpora not available: {SHARED} is absent")
        return 2
    model_path = os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH") or str(SHARED / "models" / "all-MiniLM-L6-v2")
    embedder = Embedder.load(EmbedConfig(model_path=Path(model_path)))
    posts = load_archive(SHARED)[: args.limit]
    rss_after_load = _peak_rss_mib()
    print(f"{len(posts)} posts, {sum(len(p.body.split()) for p in posts)} words; load average {os.getloadavg()[0]:.2f}")

    runs, cpu, context_seconds, notes, problems = [], [], [], {}, {}
    for run in range(args.runs):
        summarizer = ExtractiveSummarizer(embedder)  # a fresh cache each run: no vector reused across runs
        timings, cpu_timings = [], []
        with tempfile.TemporaryDirectory(prefix="bench-summarize-") as root:
            wiki = ArchiveWiki(embedder, Path(root), entities=not args.no_entities)
            for post in posts:
                started = time.perf_counter()
                context = wiki.context(post)
                context_seconds.append(time.perf_counter() - started)
                started, cpu_started = time.perf_counter(), time.process_time()
                summary = summarizer.summarize(post.title, post.body, context)
                timings.append(time.perf_counter() - started)
                cpu_timings.append(time.process_time() - cpu_started)
                page = wiki.add(post, summary, summarizer.name)
                if run == 0:
                    notes[post.id] = (post, summary, context, page)
                    found = summary_problems(post, summary, summarizer.name)
                    if found:
                        problems[post.id] = found
        runs.append(timings)
        cpu.append(cpu_timings)
        print(
            f"run {run + 1}: {len(posts) / sum(timings):.2f} posts/s, median {statistics.median(timings) * 1000:.0f} ms/post; "
            f"{summarizer.embedded_texts} texts embedded; load average {os.getloadavg()[0]:.2f}"
        )

    _report(runs, cpu, context_seconds, posts, notes, problems, rss_after_load)
    if args.samples:
        _write_samples(Path(args.samples), notes, args.sample_ids)
    if args.all_notes:
        _write_samples(Path(args.all_notes), notes, list(notes))
    return 1 if problems else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="full passes, each with a cold vector cache")
    parser.add_argument("--limit", type=int, default=None, help="only the first N posts (oldest first)")
    parser.add_argument("--samples", default=None, help="directory to write three generated notes to")
    parser.add_argument("--sample-ids", nargs=3, default=DEFAULT_SAMPLES, help="post ids of the sample notes")
    parser.add_argument("--all-notes", default=None, help="directory to write every generated note to")
    parser.add_argument("--no-entities", action="store_true", help="offer no entities (skip the entity linker)")
    return parser.parse_args()


def _report(runs, cpu, context_seconds, posts, notes, problems, rss_after_load) -> None:
    throughputs = sorted(len(posts) / sum(timings) for timings in runs)
    every_post = sorted(t for timings in runs for t in timings)
    summaries = [summary for _, summary, _, _ in notes.values()]
    contexts = [context for _, _, context, _ in notes.values()]
    count = len(summaries) or 1
    print("\n== extractive summarizer over the archive ==")
    print(f"posts/s (median of {len(runs)} run(s)): {statistics.median(throughputs):.2f}")
    print(
        f"per post: median {statistics.median(every_post) * 1000:.0f} ms, "
        f"p90 {every_post[int(0.9 * (len(every_post) - 1))] * 1000:.0f} ms, max {every_post[-1] * 1000:.0f} ms"
    )
    print(f"CPU per post (all threads): median {statistics.median(t for c in cpu for t in c) * 1000:.0f} ms")
    print(f"context per post (nearest notes + entity linking, not the summarizer's): median "
          f"{statistics.median(context_seconds) * 1000:.0f} ms")
    print(f"peak RSS: {_peak_rss_mib():.0f} MiB (after loading the model: {rss_after_load:.0f} MiB)")
    print(f"context offered: {sum(len(c.related) for c in contexts) / count:.1f} earlier notes and "
          f"{sum(len(c.known_entities) for c in contexts) / count:.1f} known entities per post")
    entity_links = [sum("/" in c.target for c in s.connections) for s in summaries]
    print(f"connections to entity pages: {sum(entity_links)} in {sum(map(bool, entity_links))} notes")
    print(f"notes with connections: {sum(bool(s.connections) for s in summaries)}/{len(summaries)}, "
          f"mean {sum(len(s.connections) for s in summaries) / count:.1f} per note")
    print(f"'Why it matters' tied to the wiki: {sum(NOTHING_RELATES not in s.why_it_matters for s in summaries)}/{len(summaries)}")
    print(f"research angle found: {sum(s.research_angle != [NO_ANGLE] for s in summaries)}/{len(summaries)}; "
          f"open questions found: {sum(s.open_questions != [NO_QUESTIONS] for s in summaries)}/{len(summaries)}")
    print(f"notes failing a check: {len(problems)}/{len(summaries)}")
    for post_id, found in sorted(problems.items()):
        print(f"  {post_id}: " + "; ".join(found))


def _write_samples(folder: Path, notes, sample_ids) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for post_id in sample_ids:
        if post_id not in notes:
            print(f"sample {post_id} not summarised (outside --limit?)")
            continue
        (folder / f"{post_id}.md").write_text(notes[post_id][3], encoding="utf-8")
    print(f"{len(sample_ids)} notes in {folder}")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


if __name__ == "__main__":
    raise SystemExit(main())
