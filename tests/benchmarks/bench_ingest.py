"""Benchmark: the real ingest over a Substack-style feed of the 196 archive posts, served from loopback.

Two modes:
  fetch  fetch + parse + raw post files only (refresh_source): the part of the pipeline that is ours to make fast;
  full   api.jobs.ingest_once: fetch, summarise (extractive, with the embedding model), graph and vector sync.
Each is measured cold (fresh directories: every post new) and warm (the same directories again, with the feed's
lastBuildDate moved on as Substack does on every request, so the feed is downloaded and parsed again but every
post is unchanged). A warm run must write nothing: the vault's files keep their bytes and mtimes, and no note is
written, upserted into the graph or the vector index (exit status 1 otherwise). Only the per-source fetch state
(last fetch time, validators) is rewritten, as it should be.

    WIKIGRAPH_EMBED_MODEL_PATH=../shared/models/all-MiniLM-L6-v2 \\
        python tests/benchmarks/bench_ingest.py [--mode fetch|full|both] [--runs 3] [--full-runs 1] [--limit 196]

Prints posts/s (median of the runs), peak RSS of the process and, for fetch mode, the peak of Python allocations
(tracemalloc, measured in a separate run because tracing slows everything down).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.etree import ElementTree as ET

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

from graph.vault import Vault  # noqa: E402
from ingest.fetch import Fetcher, make_http_client  # noqa: E402
from ingest.posts import RawIndex  # noqa: E402
from ingest.refresh import refresh_source  # noqa: E402
from ingest.sources import Source  # noqa: E402
from ingest.state import SourceStateStore  # noqa: E402
from tests.support.feed_server import FeedServer  # noqa: E402

SHARED = REPO.parent / "shared"
ARCHIVE = SHARED / "corpora" / "interconnects-archive" / "public"
SITE = "https://www.interconnects.ai"
NS = {"content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/",
      "atom": "http://www.w3.org/2005/Atom"}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class ArchivePost:
    title: str
    subtitle: str
    slug: str
    published: datetime
    html: str


def load_posts(limit: int) -> list[ArchivePost]:
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    posts = []
    for path in sorted(ARCHIVE.rglob("*.md"))[:limit]:
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        day = date.fromisoformat(str(meta["date"]))
        published = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        slug = str(meta.get("post_id", path.stem)).split(".", 1)[-1]
        posts.append(ArchivePost(str(meta["title"]), str(meta.get("subtitle") or ""), slug, published,
                                 renderer.render(body)))
    return posts


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """The archive's front matter, read line by line: a few of its titles are not valid YAML (doubled quotes)."""
    head, _, body = text.removeprefix("---\n").partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.isidentifier():
            meta[key] = value.strip().strip('"').strip("'").strip()
    return meta, body


def substack_feed(posts: list[ArchivePost], built: datetime) -> bytes:
    """RSS 2.0 the way Substack writes it: content:encoded with the whole post, dc:creator, a self link, and a
    lastBuildDate that moves on every request."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (("title", "Interconnects"), ("link", SITE), ("description", "The archive, as a feed"),
                      ("generator", "Substack"), ("lastBuildDate", format_datetime(built, usegmt=True))):
        ET.SubElement(channel, tag).text = text
    ET.SubElement(channel, f"{{{NS['atom']}}}link", {"href": f"{SITE}/feed", "rel": "self",
                                                     "type": "application/rss+xml"})
    for post in sorted(posts, key=lambda p: p.published, reverse=True):
        item = ET.SubElement(channel, "item")
        url = f"{SITE}/p/{post.slug}"
        for tag, text in (("title", post.title), ("description", post.subtitle), ("link", url)):
            ET.SubElement(item, tag).text = text
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = url
        ET.SubElement(item, f"{{{NS['dc']}}}creator").text = "Nathan Lambert"
        ET.SubElement(item, "pubDate").text = format_datetime(post.published, usegmt=True)
        ET.SubElement(item, f"{{{NS['content']}}}encoded").text = post.html
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


@dataclass
class Run:
    seconds: float
    posts: int
    new: int
    unchanged: int

    @property
    def rate(self) -> float:
        return self.posts / self.seconds


def vault_snapshot(wiki: Path) -> dict[str, tuple[int, str]]:
    return {str(path.relative_to(wiki)): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(wiki.rglob("*")) if path.is_file()}


class Bench:
    def __init__(self, server: FeedServer, posts: list[ArchivePost]) -> None:
        self.server, self.posts = server, posts
        self.requests = 0

    def serve_feed(self) -> str:
        """A fresh copy of the feed: same posts, a later lastBuildDate (so a new ETag: no 304 shortcut)."""
        self.requests += 1
        built = datetime(2025, 9, 1, tzinfo=UTC) + timedelta(minutes=self.requests)
        return self.server.add("/feed", substack_feed(self.posts, built))


def fetch_mode(bench: Bench, workdir: Path, runs: int) -> tuple[list[Run], list[Run], int]:
    """Cold and warm runs of refresh_source alone; returns them and the tracemalloc peak of one cold run."""
    cold, warm = [], []
    for run in range(runs):
        root = workdir / f"fetch-{run}"
        cold.append(_refresh(bench, root))
        before = vault_snapshot(root / "wiki")
        result = _refresh(bench, root)
        if result.new or vault_snapshot(root / "wiki") != before:
            raise SystemExit("FAIL: the warm fetch run wrote to the vault")
        warm.append(result)
    tracemalloc.start()
    _refresh(bench, workdir / "fetch-traced")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return cold, warm, peak


def _refresh(bench: Bench, root: Path) -> Run:
    vault, state = Vault(root / "wiki"), SourceStateStore(root / "data")
    source = Source(id="interconnects", name="Interconnects", feed_url=bench.serve_feed(), tier=1,
                    domains=("llms",), allow_private=True)
    with make_http_client() as client:
        started = time.perf_counter()
        result = refresh_source(source, Fetcher(client), state, vault, datetime.now(UTC), index=RawIndex(vault))
        seconds = time.perf_counter() - started
    if result.error:
        raise SystemExit(f"FAIL: {result.error}")
    total = len(result.new) + len(result.changed) + result.unchanged
    return Run(seconds, total, len(result.new), result.unchanged)


def full_mode(bench: Bench, workdir: Path, cold_runs: int, warm_runs: int) -> tuple[list[Run], list[Run]]:
    from api.jobs import ingest_once, open_services
    from api.settings import Settings

    cold, warm = [], []
    for run in range(cold_runs):
        root = workdir / f"full-{run}"
        wiki = root / "wiki"
        wiki.mkdir(parents=True)
        source = {"name": "Interconnects", "feed_url": bench.server.url("/feed"), "tier": 1, "domains": ["llms"],
                  "allow_private": True}
        (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
        settings = Settings(wiki_dir=wiki, data_dir=root / "data", embed_model_path=_model_path())
        with open_services(settings) as services:
            cold.append(_ingest(bench, services, ingest_once))
            if run == 0:  # warm runs over the first cold run's directories
                for _ in range(warm_runs):
                    warm.append(_warm_ingest(bench, services, ingest_once))
    return cold, warm


def _ingest(bench: Bench, services, ingest_once: Callable) -> Run:
    bench.serve_feed()
    started = time.perf_counter()
    report = ingest_once(services)
    seconds = time.perf_counter() - started
    if report.errors:
        raise SystemExit(f"FAIL: {report.errors}")
    [result] = report.refreshed
    return Run(seconds, len(result.new) + len(result.changed) + result.unchanged, len(result.new), result.unchanged)


def _warm_ingest(bench: Bench, services, ingest_once: Callable) -> Run:
    wiki = services.settings.paths.wiki_dir
    before = vault_snapshot(wiki)
    counts, vectors = services.store.counts(), services.index.note_ids()
    bench.serve_feed()
    started = time.perf_counter()
    report = ingest_once(services)
    seconds = time.perf_counter() - started
    problems = []
    if report.wrote_anything or report.notes_written or report.sync.upserted or report.sync.deleted:
        problems.append(f"report says it wrote: notes {report.notes_written[:3]}, upserted {report.sync.upserted[:3]}")
    if vault_snapshot(wiki) != before:
        problems.append("vault files changed")
    if services.store.counts() != counts or services.index.note_ids() != vectors:
        problems.append("graph or vector index changed")
    if problems:
        raise SystemExit("FAIL: the warm run wrote: " + "; ".join(problems))
    [result] = report.refreshed
    return Run(seconds, len(result.new) + len(result.changed) + result.unchanged, len(result.new), result.unchanged)


def _model_path() -> Path:
    return Path(os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH") or SHARED / "models" / "all-MiniLM-L6-v2")


def report(label: str, runs: list[Run]) -> None:
    rates = [run.rate for run in runs]
    print(f"{label:<22} runs {len(runs)}  posts {runs[0].posts} (new {runs[0].new}, unchanged {runs[0].unchanged})"
          f"  median {statistics.median(rates):8.2f} posts/s  ({statistics.median(r.seconds for r in runs):.2f} s,"
          f" {statistics.median(r.seconds / r.posts for r in runs) * 1000:.0f} ms/post)"
          f"  range {min(rates):.2f}–{max(rates):.2f}")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("fetch", "full", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3, help="fetch-mode runs, and full-mode warm runs")
    parser.add_argument("--full-runs", type=int, default=1, help="full-mode cold runs (each summarises every post)")
    parser.add_argument("--limit", type=int, default=196, help="use the first N posts")
    args = parser.parse_args()
    if not ARCHIVE.exists():
        print(f"third-party corpora not available: {ARCHIVE} is absent")
        return 2
    posts = load_posts(args.limit)
    print(f"{len(posts)} archive posts, feed of {len(substack_feed(posts, datetime.now(UTC))) / 1e6:.1f} MB")
    with FeedServer() as server, tempfile.TemporaryDirectory(prefix="wikigraph-bench-") as tmp:
        bench = Bench(server, posts)
        if args.mode in ("fetch", "both"):
            cold, warm, traced_peak = fetch_mode(bench, Path(tmp), args.runs)
            report("fetch+parse+raw cold", cold)
            report("fetch+parse+raw warm", warm)
            print(f"  tracemalloc peak (one cold run): {traced_peak / 2**20:.1f} MiB; "
                  f"process peak RSS so far: {peak_rss_mib():.0f} MiB")
        if args.mode in ("full", "both"):
            cold, warm = full_mode(bench, Path(tmp), args.full_runs, args.runs)
            report("full ingest cold", cold)
            report("full ingest warm", warm)
            print(f"  process peak RSS: {peak_rss_mib():.0f} MiB (embedding model, graph client and Qdrant included)")
        print("warm runs wrote nothing: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
