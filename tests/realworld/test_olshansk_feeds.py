"""Thirty-four real AI-lab feeds served from loopback, then dated snapshots of three of them in order.

Every current feed ingests with exactly as many posts as it has distinct items (counted straight from the XML,
independently of the parser under test), answers the next poll with 304 — through ETag on some feeds and
Last-Modified on the others — and a forced full re-fetch touches no file. Replaying the history snapshots, each
refresh stores exactly the items not seen before as new, rewrites exactly the items whose text changed, and an
empty snapshot in between deletes nothing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from graph.vault import Vault
from ingest.fetch import Fetcher, make_http_client
from ingest.posts import RawIndex, read_raw_posts
from ingest.refresh import RefreshPolicy, refresh_source
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

# Corpus posts cut short would send for their article pages on the real web: nothing leaves loopback here.
NO_ARTICLES = RefreshPolicy(max_articles=0)

pytestmark = pytest.mark.realworld

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ITEM_FIELDS = ("title", "link", "description", CONTENT, "pubDate", "author")
SNAPSHOT = re.compile(r"^feed_(?P<feed>.+)__(?P<when>\d{4}-\d{2}-\d{2}T\d{4})__\w+\.xml$")
LAST_MODIFIED = "Sat, 22 Aug 2026 17:06:00 GMT"


@dataclass(frozen=True)
class Item:
    key: str
    text: tuple[str, ...]


def read_items(feed: bytes) -> dict[str, Item]:
    """Distinct items by guid (else link), first occurrence kept, with the text that makes up a post."""
    items: dict[str, Item] = {}
    for element in ET.fromstring(feed).findall("./channel/item"):
        text = tuple((element.findtext(tag) or "").strip() for tag in ITEM_FIELDS)
        key = (element.findtext("guid") or "").strip() or text[1]
        if key and key not in items:
            items[key] = Item(key, text)
    return items


def built_at(feed: bytes) -> datetime:
    """When the feed was generated: the run happens just after."""
    return parsedate_to_datetime(ET.fromstring(feed).findtext("./channel/lastBuildDate")) + timedelta(hours=1)


def source_for(name: str, server: FeedServer) -> Source:
    return Source(
        id=name.replace("_", "-"), name=name, feed_url=server.url(f"/{name}.xml"), tier=3, domains=("ai",),
        allow_private=True,
    )


def mtimes(vault: Vault) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in vault.raw_paths()}


def test_every_current_feed_ingests_its_items_then_answers_304(shared_dir, tmp_path):
    folder = shared_dir / "corpora" / "feeds" / "olshansk_rss-feeds" / "current"
    feeds = sorted(folder.glob("feed_*.xml"))
    assert len(feeds) == 34, f"expected the 34 feeds of {folder}"
    vault, state = Vault(tmp_path / "wiki_content"), SourceStateStore(tmp_path / "data")
    index = RawIndex(vault)
    expected: dict[str, int] = {}
    with FeedServer() as server, make_http_client() as client:
        fetcher = Fetcher(client)
        for position, path in enumerate(feeds):
            name = path.stem.removeprefix("feed_")
            body = path.read_bytes()
            # Half the feeds validate by ETag, the other half by Last-Modified alone.
            by_etag = position % 2 == 0
            server.add(f"/{name}.xml", body, etag=by_etag, last_modified=None if by_etag else LAST_MODIFIED)
            source, now = source_for(name, server), built_at(body)
            expected[source.id] = len(read_items(body))

            first = refresh_source(source, fetcher, state, vault, now, index=index, policy=NO_ARTICLES)
            assert first.ok, f"{name}: {first.error}"
            assert len(first.new) == expected[source.id], name
            assert first.changed == [] and first.unchanged == 0, name

            again = refresh_source(source, fetcher, state, vault, now, index=index, policy=NO_ARTICLES)
            assert again.not_modified, f"{name}: the second poll was not answered 304"
            sent = server.requests_for(f"/{name}.xml")[-1]
            assert ("If-None-Match" in sent) if by_etag else ("If-Modified-Since" in sent), name

        stored = read_raw_posts(vault)
        per_source = {source_id: sum(post.sources == [source_id] for post in stored) for source_id in expected}
        assert per_source == expected
        assert len({post.id for post in stored}) == len(stored) == sum(expected.values())

        before = mtimes(vault)
        for path in feeds[::5]:  # a sample: a forced full fetch parses everything again and must write nothing
            name = path.stem.removeprefix("feed_")
            full = refresh_source(source_for(name, server), fetcher, state, vault, built_at(path.read_bytes()),
                                  index=index, force=True, policy=NO_ARTICLES)
            assert not full.not_modified and full.new == [] and full.changed == [], name
            assert full.unchanged == expected[name.replace("_", "-")], name
        assert mtimes(vault) == before


def snapshot_series(folder: Path) -> dict[str, list[tuple[datetime, Path]]]:
    series: dict[str, list[tuple[datetime, Path]]] = {}
    for path in folder.glob("*.xml"):
        match = SNAPSHOT.match(path.name)
        assert match, f"unexpected file name {path.name}"
        when = datetime.strptime(match["when"], "%Y-%m-%dT%H%M").replace(tzinfo=timezone.utc)
        series.setdefault(match["feed"], []).append((when, path))
    return {feed: sorted(snapshots) for feed, snapshots in series.items()}


def test_history_snapshots_add_only_what_is_new(shared_dir, tmp_path):
    folder = shared_dir / "corpora" / "feeds" / "olshansk_rss-feeds" / "history"
    series = snapshot_series(folder)
    counts = {feed: len(snapshots) for feed, snapshots in series.items()}
    assert counts == {"aisi": 2, "anthropic_news": 5, "openai_research": 3}
    vault, state = Vault(tmp_path / "wiki_content"), SourceStateStore(tmp_path / "data")
    index = RawIndex(vault)
    empty_snapshots = 0
    kept: dict[str, int] = {}  # posts stored per feed so far
    with FeedServer() as server, make_http_client() as client:
        fetcher = Fetcher(client)
        for name, snapshots in series.items():
            source = source_for(name, server)
            stored: dict[str, Item] = {}  # what the vault holds for this feed, by item key
            for when, path in snapshots:
                body = path.read_bytes()
                items = read_items(body)
                server.add(f"/{name}.xml", body)
                result = refresh_source(source, fetcher, state, vault, when, index=index, policy=NO_ARTICLES)
                assert result.ok, f"{path.name}: {result.error}"
                new = {key for key in items if key not in stored}
                rewritten = {key for key in items if key in stored and stored[key].text != items[key].text}
                assert len(result.new) == len(new), path.name
                assert len(result.changed) == len(rewritten), path.name
                assert result.unchanged == len(items) - len(new) - len(rewritten), path.name
                assert {post.guid or post.url for post in result.new} <= set(items), path.name
                empty_snapshots += not items
                stored.update(items)
                kept[name] = len(stored)
                assert len(vault.raw_paths()) == sum(kept.values()), f"{path.name}: the vault lost or duplicated posts"
                assert refresh_source(source, fetcher, state, vault, when, index=index, policy=NO_ARTICLES).not_modified
    assert empty_snapshots == 1, "the corpus has one empty snapshot (openai_research, May 2025)"
    posts = read_raw_posts(vault)
    per_source = {name: sum(post.sources == [name.replace("_", "-")] for post in posts) for name in kept}
    assert per_source == kept
