"""Three dated snapshots of a real Substack feed served in order from loopback: each refresh adds exactly the posts
not seen before, overlapping posts stay unchanged, and the bot-challenge page later served at the same URL is
recorded as 'not a feed' without touching the vault."""

from __future__ import annotations

import re
from datetime import datetime, timezone
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

SNAPSHOT = re.compile(r"_feed_(\d{4}-\d{2}-\d{2})\.xml$")
GUID = re.compile(rb"<guid[^>]*>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</guid>", re.DOTALL)


def snapshots(folder: Path) -> list[tuple[datetime, bytes]]:
    dated = []
    for path in folder.glob("*.xml"):
        match = SNAPSHOT.search(path.name)
        if match:
            day = datetime.strptime(match.group(1), "%Y-%m-%d").replace(hour=12, tzinfo=timezone.utc)
            dated.append((day, path.read_bytes()))
    return sorted(dated)


def guids(feed: bytes) -> set[str]:
    """Read straight from the XML, independently of the parser under test."""
    return {match.decode("utf-8").strip() for match in GUID.findall(feed)}


def prose(markdown: str) -> str:
    """The Markdown without its code blocks and code spans (posts may quote HTML source as code)."""
    kept, in_code = [], False
    for line in markdown.splitlines():
        bare = re.sub(r"^(?:>\s?)+", "", line).lstrip()
        if bare.startswith("```"):
            in_code = not in_code
        elif not in_code:
            kept.append(line)
    return re.sub(r"`[^`]*`", "", "\n".join(kept))


def test_snapshots_in_order_then_a_bot_challenge(shared_dir, tmp_path):
    folder = shared_dir / "corpora" / "feeds" / "simonw_substack"
    dated = snapshots(folder)
    assert len(dated) == 3, f"expected three dated snapshots in {folder}"
    [challenge] = folder.glob("*CLOUDFLARE_CHALLENGE.html")

    vault = Vault(tmp_path / "wiki_content")
    state = SourceStateStore(tmp_path / "data")
    seen: set[str] = set()
    with FeedServer() as server, make_http_client() as client:
        source = Source(id="simonw", name="Simon Willison", feed_url=server.url("/feed"), tier=1, domains=("ai",),
                        allow_private=True)
        fetcher = Fetcher(client)
        index = RawIndex(vault)
        for day, body in dated:
            server.add("/feed", body)
            result = refresh_source(source, fetcher, state, vault, day, index=index, policy=NO_ARTICLES)
            expected_new = guids(body) - seen
            assert result.ok, result.error
            assert {post.guid for post in result.new} == expected_new, day
            assert result.changed == [], f"{day}: posts already stored were rewritten"
            assert result.unchanged == len(guids(body) & seen)
            seen |= guids(body)
            again = refresh_source(source, fetcher, state, vault, day, index=index, policy=NO_ARTICLES)
            assert again.not_modified

        posts = read_raw_posts(vault)
        assert len(posts) == len(seen) == len(list(vault.raw_paths()))
        assert {post.guid for post in posts} == seen
        for post in posts:
            assert post.body and post.url == post.guid
            assert "<svg" not in prose(post.body) and "<script" not in prose(post.body)
            assert post.path.startswith(f"raw/rss/{post.published:%Y-%m-%d}-simonw-")

        files = {path: path.stat().st_mtime_ns for path in vault.raw_paths()}
        server.add("/feed", challenge.read_bytes(), content_type="text/html; charset=UTF-8")
        blocked = refresh_source(source, fetcher, state, vault, datetime.now(timezone.utc), index=index, policy=NO_ARTICLES)
        assert "not a feed" in blocked.error and "Just a moment" in blocked.error
        assert state.get("simonw").error_count == 1
        assert {path: path.stat().st_mtime_ns for path in vault.raw_paths()} == files
