"""Robustness on third-party feeds: odd encodings and malformations agree with another parser's reading, both
when parsed from bytes and when fetched from loopback and stored as raw posts.
(feedparser's own ~2,100 test documents run in test_feedparser_torture.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.vault import Vault
from ingest.feeds import parse_feed
from ingest.fetch import Fetcher, make_http_client
from ingest.identity import canonical_url
from ingest.posts import read_raw_posts
from ingest.refresh import RefreshPolicy, refresh_source
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.realworld

REPO = Path(__file__).resolve().parents[2]
FASTFEEDPARSER = REPO.parent / "shared" / "corpora" / "feeds" / "fastfeedparser_integration"
# (feed file, the other parser's reading of it)
CASES = [(path.name, path.with_suffix(".json").name) for path in sorted(FASTFEEDPARSER.glob("*.xml"))]
CASES.append(("json_feed_sample.json", "json_feed_sample.expected.json"))
if len(CASES) == 1:  # ../shared is absent: one case, which the shared_dir fixture skips with its message
    CASES = [("corpus absent", "")]
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


@pytest.mark.parametrize(("feed_name", "expected_name"), CASES)
def test_agrees_with_another_parser(shared_dir, feed_name, expected_name):
    folder = shared_dir / "corpora" / "feeds" / "fastfeedparser_integration"
    expected = json.loads((folder / expected_name).read_text(encoding="utf-8"))
    feed = parse_feed((folder / feed_name).read_bytes(), {})
    assert feed.title == expected["feed"].get("title")
    assert [entry.title for entry in feed.entries] == [one_line(e.get("title")) for e in expected["entries"]]
    assert [entry.link for entry in feed.entries] == [e.get("link") for e in expected["entries"]]


@pytest.mark.parametrize(("feed_name", "expected_name"), CASES)
def test_served_feed_stores_one_post_per_entry(shared_dir, tmp_path, feed_name, expected_name):
    """Through HTTP (no charset in the Content-Type: the document decides its encoding), into raw post files."""
    folder = shared_dir / "corpora" / "feeds" / "fastfeedparser_integration"
    entries = json.loads((folder / expected_name).read_text(encoding="utf-8"))["entries"]
    distinct = {entry.get("id") or entry.get("link"): entry for entry in entries}
    content_type = "application/feed+json" if feed_name.endswith(".json") else "application/xml"
    vault = Vault(tmp_path / "wiki_content")
    with FeedServer() as server, make_http_client() as client:
        url = server.add("/feed", (folder / feed_name).read_bytes(), content_type=content_type)
        source = Source(id="corpus", name="Corpus", feed_url=url, tier=3, domains=("misc",), allow_private=True)
        # The entries link to the real web: no article pages here, the test stays on loopback.
        result = refresh_source(source, Fetcher(client), SourceStateStore(tmp_path / "data"), vault, NOW,
                                policy=RefreshPolicy(max_articles=0))
    assert result.ok, result.error
    assert len(result.new) == len(distinct)
    posts = read_raw_posts(vault)
    assert len(posts) == len(distinct)
    assert sorted(post.title for post in posts) == sorted(one_line(entry.get("title")) for entry in distinct.values())
    assert sorted(post.url for post in posts) == sorted(entry.get("link") for entry in distinct.values())
    assert sorted(post.canonical_url for post in posts) == \
        sorted(canonical_url(entry.get("link")) for entry in distinct.values())


def test_items_under_an_undeclared_prefix_are_read_and_the_feed_stays_malformed(shared_dir):
    """`<rss:item>` with `rss` never declared: read with the prefix dropped, and the warning says so."""
    folder = shared_dir / "corpora" / "feeds" / "fastfeedparser_integration"
    expected = json.loads((folder / "malformed_rss_namespaced.json").read_text(encoding="utf-8"))["entries"]
    feed = parse_feed((folder / "malformed_rss_namespaced.xml").read_bytes(), {})
    assert len(feed.entries) == len(expected) > 0
    assert feed.bozo and "not well-formed" in feed.bozo_message and "rss: prefix dropped" in feed.bozo_message
    assert [entry.published.isoformat() for entry in feed.entries] == [e["published"] for e in expected]
    assert [entry.summary_html for entry in feed.entries] == [e["description"] for e in expected]
