"""The multihop news corpus (../shared/corpora/multihop-rag) ingested as posts from their sources.

Each corpus line is one article (url, title, source, author, category, published_at, facts). Every source gets
an RSS 2.0 feed of its articles (the facts as paragraphs of `content:encoded`), served from a loopback HTTP server
(tests/support/feed_server.py); `sources.yaml` lists the feeds and `api.jobs.ingest_once` fetches them, writes raw
posts and notes (extractive summarizer), extracts entities and syncs the graph and the vectors. The result (wiki
and data directories) is cached under the work directory, keyed by the corpus file's hash, so the quality
benchmark re-uses it on later runs.

An entry whose text looks cut short makes the pipeline fetch the article's page, which here would leave loopback:
the feeds are checked with the pipeline's own truncation test first, and a run stops if any entry would trigger it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from graph.slugs import slugify
from ingest.identity import canonical_url
from ingest.truncation import truncation_reason
from tests.support.feed_server import FeedServer

_TRAILING_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*$")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("content", CONTENT_NS)
ET.register_namespace("dc", DC_NS)


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    source: str
    author: str
    category: str
    published: datetime
    facts: tuple[str, ...]

    @property
    def text(self) -> str:
        """What every baseline indexes: the title and the facts, as the feed carries them."""
        return self.title + "\n\n" + "\n\n".join(self.facts)


def load_articles(corpus: Path) -> list[Article]:
    articles = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        articles.append(Article(row["url"], row["title"].strip(), row["source"], row.get("author") or "",
                                row.get("category") or "news", datetime.fromisoformat(row["published_at"]),
                                tuple(f.strip() for f in row["facts"] if f.strip())))
    return articles


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def item_html(article: Article) -> str:
    """The facts as paragraphs. If the last one ends like a teaser ("…"), another fact goes last (they are
    independent excerpts, so their order carries nothing); an article of one such fact loses its trailing
    ellipsis (there it marks an elision in the excerpt, not a cut-off post)."""
    for facts in (list(article.facts), [_TRAILING_ELLIPSIS.sub("", fact) for fact in article.facts]):
        for shift in range(len(facts)):
            order = facts[shift:] + facts[:shift]
            html = "".join(f"<p>{escape(fact)}</p>" for fact in order)
            if truncation_reason(html) is None:
                return html
    raise SystemExit(f"FAIL: every arrangement of {article.url} looks like a teaser; its page would be fetched")


def source_feed(name: str, articles: list[Article]) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (("title", name), ("link", "http://127.0.0.1/"), ("description", f"Articles from {name}")):
        ET.SubElement(channel, tag).text = text
    for article in sorted(articles, key=lambda a: a.published, reverse=True):
        item = ET.SubElement(channel, "item")
        for tag, text in (("title", article.title), ("link", article.url), ("category", article.category)):
            ET.SubElement(item, tag).text = text
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = article.url
        ET.SubElement(item, "pubDate").text = format_datetime(article.published, usegmt=True)
        if article.author:
            ET.SubElement(item, f"{{{DC_NS}}}creator").text = article.author
        ET.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = item_html(article)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def ingested_wiki(corpus: Path, workdir: Path, model_path: Path, rebuild: bool = False) -> Path:
    """The corpus ingested through the real pipeline, built once per corpus version; returns its root."""
    key = hashlib.sha256(corpus.read_bytes()).hexdigest()[:12]
    root = workdir / f"multihop-{key}"
    done = root / "ingested.json"
    if done.exists() and not rebuild:
        return root
    shutil.rmtree(root, ignore_errors=True)
    articles = load_articles(corpus)
    by_source: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_source[article.source].append(article)
    wiki = root / "wiki"
    wiki.mkdir(parents=True)
    started = time.perf_counter()
    with FeedServer() as server:
        sources = []
        for name, items in sorted(by_source.items()):
            path = f"/feeds/{slugify(name)}.xml"
            server.add(path, source_feed(name, items))
            domain = Counter(a.category for a in items).most_common(1)[0][0]
            sources.append({"name": name, "feed_url": server.url(path), "tier": 1, "domains": [domain], "allow_private": True})
        (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")
        report = _ingest(root, model_path)
    seconds = time.perf_counter() - started
    if report.errors or report.notes_failed:
        raise SystemExit(f"FAIL: ingest errors {report.errors} {report.notes_failed}")
    summary = {"articles": len(articles), "sources": len(by_source), "notes": len(report.notes_written),
               "seconds": round(seconds, 1), "sync": report.sync.timings}
    done.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"ingested {len(articles)} articles from {len(by_source)} feeds in {seconds:.0f} s", file=sys.stderr)
    return root


def _ingest(root: Path, model_path: Path):
    from api.jobs import ingest_once, open_services

    with open_services(wiki_settings(root, model_path)) as services:
        return ingest_once(services, progress=lambda stage, done, total: None)


def wiki_settings(root: Path, model_path: Path):
    from api.settings import Settings

    return Settings(wiki_dir=root / "wiki", data_dir=root / "data", embed_model_path=model_path)


def note_urls(wiki: Path) -> dict[str, str]:
    """note id → its article's canonical URL, read from the notes' front matter."""
    from graph.notes_md import parse_note

    found = {}
    for path in sorted((wiki / "notes").rglob("*.md")):
        note = parse_note(path.read_text(encoding="utf-8"))
        if note.url:
            found[note.id] = canonical_url(note.url)
    return found


def canonical(url: str) -> str:
    return canonical_url(url) or url
