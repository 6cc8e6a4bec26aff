"""refresh_source through the real loopback server: conditional GET, new/changed/unchanged posts, feed problems
recorded on the source's state, validators saved only after the entries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph.vault import Vault
from ingest.fetch import Fetcher, make_http_client
from ingest.posts import RawIndex, read_raw_posts
from ingest.refresh import refresh_source
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
NOW = datetime(2024, 3, 6, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=1)
TWO_POSTS = (FIXTURES / "rss_two_posts.xml").read_text(encoding="utf-8")
THIRD_ITEM = """  <item>
    <title>Mixture of experts on a budget</title>
    <link>https://gradient-notes.example/posts/moe-budget</link>
    <guid isPermaLink="false">https://gradient-notes.example/posts/moe-budget</guid>
    <pubDate>Wed, 06 Mar 2024 07:00:00 GMT</pubDate>
    <description><![CDATA[<p>Routing tokens to two of eight experts.</p>]]></description>
  </item>
"""


class Env:
    def __init__(self, server: FeedServer, fetcher: Fetcher, tmp_path: Path) -> None:
        self.server = server
        self.fetcher = fetcher
        self.vault = Vault(tmp_path / "wiki_content")
        self.state = SourceStateStore(tmp_path / "data")
        self.source = self.source_at("/feed")

    def source_at(self, path: str) -> Source:
        return Source(id="gradient-notes", name="Gradient Notes", feed_url=self.server.url(path), tier=1,
                      domains=("ml-research",), allow_private=True)

    def refresh(self, now: datetime = NOW, source: Source | None = None, **kwargs):
        return refresh_source(source or self.source, self.fetcher, self.state, self.vault, now, **kwargs)

    def files(self) -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in self.vault.raw_paths()}


@pytest.fixture
def env(tmp_path):
    with FeedServer() as server, make_http_client() as client:
        yield Env(server, Fetcher(client), tmp_path)


def test_second_refresh_is_304_and_writes_nothing(env):
    env.server.add("/feed", TWO_POSTS)
    first = env.refresh()
    assert first.ok and not first.not_modified
    assert sorted(post.title for post in first.new) == ["Evaluating retrieval with graph paths",
                                                        "Sparse attention, revisited"]
    assert all(post.path and (env.vault.root / post.path).exists() for post in first.new)
    files = env.files()
    saved = env.state.get("gradient-notes")
    assert saved.etag and saved.last_success == NOW and saved.error_count == 0

    second = env.refresh(LATER)
    assert second.not_modified and second.ok
    assert (second.new, second.changed, second.unchanged) == ([], [], 0)
    assert env.files() == files
    assert env.server.requests_for("/feed")[1]["If-None-Match"] == saved.etag
    after = env.state.get("gradient-notes")
    assert after.etag == saved.etag and after.last_success == LATER


def test_last_modified_alone_also_gives_not_modified(env):
    env.server.add("/feed", TWO_POSTS, etag=False, last_modified="Wed, 06 Mar 2024 10:00:00 GMT")
    env.refresh()
    second = env.refresh(LATER)
    assert second.not_modified
    assert env.state.get("gradient-notes").last_modified == "Wed, 06 Mar 2024 10:00:00 GMT"


def test_new_and_changed_entries_are_told_apart(env):
    env.server.add("/feed", TWO_POSTS)
    env.refresh()
    edited = TWO_POSTS.replace("Multi-hop questions need", "Multi-hop questions often need")
    env.server.add("/feed", edited.replace("</channel>", THIRD_ITEM + "</channel>"))
    result = env.refresh(LATER)
    assert [post.title for post in result.new] == ["Mixture of experts on a budget"]
    assert [post.title for post in result.changed] == ["Evaluating retrieval with graph paths"]
    assert result.unchanged == 1
    assert len(env.files()) == 3
    by_title = {post.title: post for post in read_raw_posts(env.vault)}
    assert by_title["Sparse attention, revisited"].fetched_at == NOW  # untouched
    assert by_title["Evaluating retrieval with graph paths"].fetched_at == LATER


def test_html_page_with_status_200_is_an_error_on_the_source(env):
    env.server.add("/feed", TWO_POSTS)
    env.refresh()
    good = env.state.get("gradient-notes")
    env.server.add("/feed", (FIXTURES / "bot_challenge.html").read_bytes(), content_type="text/html; charset=utf-8")
    result = env.refresh(LATER)
    assert not result.ok
    assert "not a feed" in result.error and "Checking your browser" in result.error
    assert (result.new, result.changed) == ([], [])
    state = env.state.get("gradient-notes")
    assert state.error_count == 1 and state.last_error == result.error
    assert state.next_check == LATER + timedelta(minutes=15)
    assert (state.etag, state.last_success) == (good.etag, good.last_success)  # the last good validators stay
    assert len(env.files()) == 2


def test_malformed_feed_keeps_its_readable_entries(env):
    env.server.add("/feed", (FIXTURES / "rss_malformed.xml").read_bytes())
    result = env.refresh()
    assert result.ok
    assert sorted(post.title for post in result.new) == ["Curriculum learning notes", "Tokenizers & their discontents"]
    assert "malformed feed" in result.warning and "not well-formed" in result.warning
    assert "skipped 1 empty" in result.warning
    assert env.state.get("gradient-notes").warning == result.warning


def test_oversized_body_is_an_error_on_the_source(env):
    env.server.add("/feed", TWO_POSTS + "<!--" + "x" * 5000 + "-->", content_length=False)
    env.fetcher.max_body_bytes = 4000
    result = env.refresh()
    assert "exceeds the 4000-byte limit" in result.error
    assert env.state.get("gradient-notes").error_count == 1
    assert env.files() == {}


def test_redirected_feed_is_read_from_its_final_url(env):
    env.server.add("/moved/feed.xml", TWO_POSTS.replace("https://gradient-notes.example/posts/graph-paths",
                                                        "../posts/graph-paths"))
    env.server.add_redirect("/feed", "/moved/feed.xml", status=301)
    result = env.refresh()
    assert len(result.new) == 2
    relative = next(post for post in result.new if post.title.startswith("Evaluating"))
    assert relative.url == env.server.url("/posts/graph-paths")  # resolved against the final URL


def test_http_error_backs_off_and_success_clears_it(env):
    env.server.add("/feed", b"unavailable", status=503, headers={"Retry-After": "3600"})
    first = env.refresh()
    assert "HTTP 503" in first.error
    state = env.state.get("gradient-notes")
    assert state.error_count == 1 and state.next_check == NOW + timedelta(hours=1)
    env.server.add("/feed", TWO_POSTS)
    assert env.refresh(LATER).ok
    state = env.state.get("gradient-notes")
    assert state.error_count == 0 and state.last_error is None and state.next_check is None


def test_validators_are_saved_only_after_entries_are_written(env):
    env.server.add("/feed", TWO_POSTS)
    env.vault.root.joinpath("raw").mkdir(parents=True)
    env.vault.raw_dir.write_text("a file where the raw folder should be")  # writing posts will fail
    with pytest.raises(OSError):
        env.refresh()
    assert env.state.get("gradient-notes").etag is None
    env.vault.raw_dir.unlink()
    result = env.refresh(LATER)
    assert len(result.new) == 2
    assert "If-None-Match" not in env.server.requests_for("/feed")[1]


def test_changed_feed_url_does_not_reuse_old_validators(env):
    env.server.add("/feed", TWO_POSTS)
    env.server.add("/feed-v2", TWO_POSTS)
    env.refresh()
    result = env.refresh(LATER, source=env.source_at("/feed-v2"))
    assert not result.not_modified and result.unchanged == 2
    assert "If-None-Match" not in env.server.requests_for("/feed-v2")[0]


def test_force_ignores_validators(env):
    env.server.add("/feed", TWO_POSTS)
    env.refresh()
    result = env.refresh(LATER, force=True)
    assert not result.not_modified and result.unchanged == 2


def test_shared_index_across_sources_merges_the_same_post(env):
    env.server.add("/feed", TWO_POSTS)
    env.server.add("/mirror", TWO_POSTS)
    mirror = Source(id="mirror", name="Mirror", feed_url=env.server.url("/mirror"), tier=2, domains=("digest",),
                    allow_private=True)
    index = RawIndex(env.vault)
    env.refresh(index=index)
    result = env.refresh(source=mirror, index=index)
    assert len(result.changed) == 2 and not result.new
    assert len(env.files()) == 2
    assert all(post.sources == ["gradient-notes", "mirror"] for post in read_raw_posts(env.vault))
