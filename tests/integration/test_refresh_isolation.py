"""One bad entry or one bad source never costs the others: entries that break the converter, sources that fail in
unexpected ways, and sources whose server hangs, all on a real loopback HTTP server."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import httpx
import pytest

from graph.vault import Vault
from ingest.fetch import Fetcher, make_http_client
from ingest.netguard import GuardedTransport
from ingest.pipeline import refresh_sources
from ingest.posts import read_raw_posts
from ingest.refresh import RefreshPolicy, refresh_source
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

NOW = datetime(2024, 3, 6, 12, 0, tzinfo=timezone.utc)
NO_ARTICLES = RefreshPolicy(max_articles=0)


def item(slug: str, title: str, html: str) -> str:
    return f"""  <item>
    <title>{title}</title>
    <link>https://isolation.example/posts/{slug}</link>
    <guid isPermaLink="false">https://isolation.example/posts/{slug}</guid>
    <pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate>
    <description><![CDATA[{html}]]></description>
  </item>
"""


def feed(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Isolation</title>'
        "<link>https://isolation.example/</link><description>d</description>\n" + "".join(items) + "</channel></rss>"
    )


GOOD = item("good", "A good post", "<p>Plain words about retrieval.</p>")
NESTED = item("nested", "A deeply nested post", "<div>" * 600 + "<p>Words at the bottom.</p>" + "</div>" * 600)


def source(source_id: str, url: str) -> Source:
    return Source(id=source_id, name=source_id, feed_url=url, tier=2, domains=("ml",), allow_private=True)


@pytest.fixture
def vault(tmp_path) -> Vault:
    return Vault(tmp_path / "wiki_content")


@pytest.fixture
def state(tmp_path) -> SourceStateStore:
    return SourceStateStore(tmp_path / "data")


def bodies(vault: Vault) -> dict[str, str]:
    return {post.title: post.body for post in read_raw_posts(vault)}


def test_deeply_nested_entry_is_converted_next_to_a_good_one(vault, state):
    with FeedServer() as server, make_http_client() as client:
        url = server.add("/feed", feed(NESTED, GOOD))
        result = refresh_source(source("nested", url), Fetcher(client), state, vault, NOW, policy=NO_ARTICLES)
    assert result.ok and result.failed == [] and len(result.new) == 2
    assert bodies(vault) == {"A deeply nested post": "Words at the bottom.", "A good post": "Plain words about retrieval."}
    assert state.get("nested").etag is not None  # a complete refresh keeps its validators


def test_unreadable_state_of_one_source_does_not_stop_the_pass(vault, state):
    with FeedServer() as server, make_http_client() as client:
        broken = source("broken", server.add("/broken", feed(item("b", "Never read", "<p>x</p>"))))
        healthy = source("healthy", server.add("/healthy", feed(GOOD)))
        state.directory.mkdir(parents=True)
        state.path("broken").write_text("{ not json", encoding="utf-8")
        results = refresh_sources([broken, healthy], Fetcher(client), state, vault, NOW, policy=NO_ARTICLES)
    assert [r.source_id for r in results] == ["broken", "healthy"]
    assert "unreadable feed state" in results[0].error and "SourceStateError" in results[0].error
    assert results[1].ok and [post.title for post in results[1].new] == ["A good post"]
    assert state.path("broken").read_text(encoding="utf-8") == "{ not json"  # left for the user to look at


class FailingHost(httpx.BaseTransport):
    """The real guarded transport, except that requests to one host fail with an error httpx does not wrap.

    The fault is injected at the network boundary (the transport) because no loopback server can make httpx
    raise something other than its own errors; everything of ours runs unchanged."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.inner = GuardedTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == self.host:
            raise RuntimeError("transport broke")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_unexpected_failure_is_recorded_on_the_source_and_backs_off(vault, state):
    policy = RefreshPolicy(failures_before_backoff=1, max_articles=0)
    with FeedServer() as server, httpx.Client(transport=FailingHost("localhost"), trust_env=False) as client:
        failing = source("failing", server.add("/a", feed(item("a", "Lost", "<p>a</p>"))).replace("127.0.0.1", "localhost"))
        healthy = source("healthy", server.add("/b", feed(GOOD)))
        results = refresh_sources([failing, healthy], Fetcher(client), state, vault, NOW, policy=policy)
    assert results[0].error == "unexpected RuntimeError: transport broke"
    recorded = state.get("failing")
    assert recorded.error_count == 1 and recorded.last_error == results[0].error
    assert recorded.next_check is not None and recorded.next_check > NOW  # backing off, like a failing feed
    assert results[1].ok and bodies(vault) == {"A good post": "Plain words about retrieval."}


def test_hanging_source_does_not_hold_up_the_others(vault, state):
    # Fetched in parallel, the healthy post is written well within this; fetched in turn after the hanging
    # source, it would come only after it. Seconds, so a busy machine still writes it in time.
    timeout = 5.0
    with FeedServer() as slow, FeedServer() as fast:
        # Two host names, so the per-host limit does not make them take turns.
        hanging = source("hanging", slow.add("/feed", feed(item("h", "Late", "<p>h</p>")), delay=timeout * 3))
        healthy = source("healthy", fast.add("/feed", feed(GOOD)).replace("127.0.0.1", "localhost"))
        written: list[float] = []

        def watch_for_the_healthy_post() -> None:
            deadline = time.monotonic() + timeout * 4
            while not written and time.monotonic() < deadline:
                if vault.raw_dir.is_dir() and any(vault.raw_dir.rglob("*.md")):
                    written.append(time.monotonic())
                time.sleep(0.01)

        watcher = threading.Thread(target=watch_for_the_healthy_post)
        watcher.start()
        with make_http_client(httpx.Timeout(timeout, connect=timeout)) as client:
            # The hanging source comes first: fetched in turn, it would hold the healthy one up by its timeout.
            results = refresh_sources([hanging, healthy], Fetcher(client), state, vault, NOW, policy=NO_ARTICLES)
        watcher.join()
    assert "timed out" in results[0].error and state.get("hanging").error_count == 1
    assert results[1].ok and len(results[1].new) == 1
    hang_started = slow.visits[0].arrived
    assert written and written[0] < hang_started + timeout  # written while the hanging request was still open


def test_sources_sharing_posts_in_parallel_store_each_post_once(vault, state):
    posts = [item(f"p{n}", f"Shared post {n}", f"<p>Body {n}.</p>") for n in range(8)]
    with FeedServer() as one, FeedServer() as other, make_http_client() as client:
        first = source("first", one.add("/feed", feed(*posts), delay=0.2))
        second = source("second", other.add("/feed", feed(*posts), delay=0.2).replace("127.0.0.1", "localhost"))
        results = refresh_sources([first, second], Fetcher(client), state, vault, NOW, policy=NO_ARTICLES)
    assert all(result.ok for result in results)
    assert len(results[0].new) + len(results[1].new) == 8  # each post is new once, whichever source got there first
    stored = read_raw_posts(vault)
    assert len(stored) == 8 and all(sorted(post.sources) == ["first", "second"] for post in stored)


def test_progress_is_reported_once_per_source(vault, state):
    calls: list[tuple[str, int, int]] = []
    with FeedServer() as server, make_http_client() as client:
        sources = [source(f"s{n}", server.add(f"/f{n}", feed(item(f"x{n}", f"Post {n}", "<p>x</p>")))) for n in range(5)]
        refresh_sources(sources, Fetcher(client), state, vault, NOW, policy=NO_ARTICLES,
                        progress=lambda *args: calls.append(args))
    assert calls == [("fetch", n, 5) for n in range(1, 6)]


def test_no_sources_is_nothing_to_do(vault, state):
    with make_http_client() as client:
        assert refresh_sources([], Fetcher(client), state, vault, NOW) == []


def test_a_broken_raw_file_holds_back_only_the_entry_that_would_land_on_it(vault, state):
    """A raw post edited by hand into a state that cannot be read is left as it is: the entry whose file it is waits
    (writing beside it would duplicate the post, over it would lose the edit), the others are stored, and once the
    file is fixed the next refresh goes on."""
    with FeedServer() as server, make_http_client() as client:
        url = server.add("/feed", feed(item("held", "A held post", "<p>Held back.</p>"), GOOD))
        first = refresh_source(source("broken-raw", url), Fetcher(client), state, vault, NOW, policy=NO_ARTICLES)
        held = next(path for path in vault.raw_paths() if "held" in path.name)
        held.write_text("---\ntitle: [unclosed\n---\nA hand edit.\n", encoding="utf-8")
        (vault.root / "raw" / "rss" / next(p.name for p in vault.raw_paths() if "good" in p.name)).unlink()

        second = refresh_source(source("broken-raw", url), Fetcher(client), state, vault, NOW, policy=NO_ARTICLES, force=True)
        assert held.read_text(encoding="utf-8") == "---\ntitle: [unclosed\n---\nA hand edit.\n"
        assert [post.title for post in second.new] == ["A good post"]
        assert len(second.failed) == 1 and held.name in second.failed[0] and "fix or delete it" in second.failed[0]
        assert len(list(vault.raw_paths())) == 2  # nothing written beside the broken file

        held.unlink()
        third = refresh_source(source("broken-raw", url), Fetcher(client), state, vault, NOW, policy=NO_ARTICLES, force=True)
    assert first.ok and [post.title for post in third.new] == ["A held post"] and third.failed == []
