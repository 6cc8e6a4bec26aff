"""Full-article fetch through the loopback server: teasers replaced by the page's text, paywalls marked, pages
fetched once, a budget per refresh, failures recorded, and links in feed content kept out of private networks."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph.vault import Vault
from ingest.article import ArticleFetcher, articles_may_be_private, fetch_article
from ingest.feeds import FeedEntry
from ingest.fetch import Fetcher, make_http_client
from ingest.posts import post_from_entry, read_raw_posts
from ingest.refresh import RefreshPolicy, refresh_source
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2024, 3, 6, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=1)
ARTICLE = (FIXTURES / "articles" / "sparse-attention.html").read_bytes()
PAYWALLED = (FIXTURES / "articles" / "scaling-notes-paywalled.html").read_bytes()
EXTRA_ITEM = """  <item>
    <title>Routing tokens</title>
    <link>{base}/posts/routing</link>
    <guid>{base}/posts/routing</guid>
    <pubDate>Wed, 06 Mar 2024 08:00:00 GMT</pubDate>
    <description><![CDATA[<p>Routing tokens to experts, briefly.</p><p><a href="{base}/posts/routing">Continue reading →</a></p>]]></description>
  </item>
"""


class Env:
    def __init__(self, server: FeedServer, fetcher: Fetcher, tmp_path: Path) -> None:
        self.server = server
        self.fetcher = fetcher
        self.vault = Vault(tmp_path / "wiki_content")
        self.state = SourceStateStore(tmp_path / "data")
        self.source = Source(id="teaser-weekly", name="Teaser Weekly", feed_url=server.url("/feed"), tier=2,
                             domains=("ml-research",), allow_private=True)

    def serve_feed(self, extra: str = "") -> None:
        text = (FIXTURES / "feeds" / "rss_teasers.xml").read_text(encoding="utf-8")
        text = text.replace("</channel>", extra + "</channel>").replace("{base}", self.server.base_url)
        self.server.add("/feed", text)

    def serve_pages(self) -> None:
        self.server.add("/posts/sparse-attention", ARTICLE, content_type="text/html; charset=utf-8")
        self.server.add("/posts/scaling-notes", PAYWALLED, content_type="text/html; charset=utf-8")
        self.server.add("/posts/short-note", ARTICLE, content_type="text/html; charset=utf-8")
        self.server.add("/posts/routing", ARTICLE.replace(b"Sparse attention, revisited", b"Routing tokens"),
                        content_type="text/html")

    def refresh(self, now: datetime = NOW, source: Source | None = None, **kwargs):
        return refresh_source(source or self.source, self.fetcher, self.state, self.vault, now, **kwargs)

    def posts(self) -> dict[str, object]:
        return {post.title: post for post in read_raw_posts(self.vault)}

    def page_requests(self) -> list[str]:
        return [path for path, _ in self.server.requests if path.startswith("/posts/")]


@pytest.fixture
def env(tmp_path):
    with FeedServer() as server, make_http_client() as client:
        yield Env(server, Fetcher(client, article_interval=0.0), tmp_path)


def test_teasers_get_the_article_text_and_whole_entries_are_left_alone(env):
    env.serve_feed()
    env.serve_pages()
    result = env.refresh()
    assert result.ok and len(result.new) == 3
    posts = env.posts()
    sparse = posts["Sparse attention, revisited"]
    assert sparse.full_article == "fetched" and sparse.truncated and not sparse.excerpt
    assert "## What the windows miss" in sparse.body
    assert "[paper notes](" + env.server.url("/papers/block-sparse") + ")" in sparse.body
    assert "![accuracy by attention pattern](" + env.server.url("/img/windows.png") + ")" in sparse.body
    for chrome in ("Home", "Archive", "Related", "Copyright", "Subscribe", "Share on X", "pixel.wp.com",
                   "window.analytics", "font-family", "# Sparse attention, revisited"):
        assert chrome not in sparse.body, chrome
    assert sparse.feed_hash and sparse.feed_hash != sparse.content_hash
    paywalled = posts["Members only: scaling notes"]
    assert paywalled.truncated and paywalled.full_article == "fetched"
    assert "repeating the data stops helping" in paywalled.body and "paid subscribers" not in paywalled.body
    short = posts["A complete short note"]
    assert (short.full_article, short.truncated, short.excerpt) == (None, False, True)
    assert sorted(env.page_requests()) == ["/posts/scaling-notes", "/posts/sparse-attention"]
    assert "text/html" in env.server.requests_for("/posts/sparse-attention")[0]["Accept"]


def test_pages_are_not_fetched_again_while_the_entry_is_unchanged(env):
    env.serve_feed()
    env.serve_pages()
    env.refresh()
    files = {path.name: path.stat().st_mtime_ns for path in env.vault.raw_paths()}
    env.serve_feed(EXTRA_ITEM)  # the feed changes (a new post), the old entries do not
    result = env.refresh(LATER)
    assert [post.title for post in result.new] == ["Routing tokens"]
    assert result.unchanged == 3 and not result.changed
    assert env.page_requests().count("/posts/sparse-attention") == 1
    assert env.page_requests().count("/posts/routing") == 1
    after = {path.name: path.stat().st_mtime_ns for path in env.vault.raw_paths()}
    assert {name: after[name] for name in files} == files


def test_fetch_full_article_sources_fetch_every_entry(env):
    env.serve_feed()
    env.serve_pages()
    env.refresh(source=replace(env.source, fetch_full_article=True))
    short = env.posts()["A complete short note"]
    assert short.full_article == "fetched" and "## What to try next" in short.body
    assert short.truncated  # the page had far more text than the entry: the feed was cutting it short
    assert len(env.page_requests()) == 3


def test_a_page_with_no_more_text_than_the_feed_is_not_used_and_clears_a_false_alarm(env):
    env.serve_feed()
    env.server.add("/posts/sparse-attention", b"<html><body><p>Block-sparse attention.</p></body></html>",
                   content_type="text/html")
    env.server.add("/posts/scaling-notes", PAYWALLED, content_type="text/html")
    env.refresh()
    sparse = env.posts()["Sparse attention, revisited"]
    assert sparse.full_article.startswith("not used") and not sparse.truncated
    assert "Read more" in sparse.body  # the feed's own text, as it came


def test_budget_per_refresh_leaves_the_rest_for_later(env):
    env.serve_feed()
    env.serve_pages()
    result = env.refresh(policy=RefreshPolicy(max_articles=1))
    assert "1 article pages left for a later refresh (at most 1 per refresh)" in result.warning
    assert len(env.page_requests()) == 1
    pending = [post for post in env.posts().values() if post.truncated and not post.full_article]
    assert len(pending) == 1
    env.serve_feed(EXTRA_ITEM)
    second = env.refresh(LATER, policy=RefreshPolicy(max_articles=5))
    assert [post.title for post in second.changed] == [pending[0].title]  # now completed: re-summarised later
    assert all(post.full_article == "fetched" for post in env.posts().values() if post.truncated)


def test_a_failed_page_is_recorded_and_retried_only_when_forced(env):
    env.serve_feed()
    env.server.add("/posts/sparse-attention", b"gone", status=404)
    env.server.add("/posts/scaling-notes", PAYWALLED, content_type="text/html")
    result = env.refresh()
    assert result.ok and "1 article pages could not be used" in result.warning
    sparse = env.posts()["Sparse attention, revisited"]
    assert sparse.full_article.startswith("failed: ") and "HTTP 404" in sparse.full_article
    assert "Read more" in sparse.body and sparse.truncated
    env.serve_feed(EXTRA_ITEM)
    env.serve_pages()
    env.refresh(LATER)
    assert env.page_requests().count("/posts/sparse-attention") == 1  # not retried for an unchanged entry
    env.refresh(LATER + timedelta(hours=1), force=True)
    assert env.posts()["Sparse attention, revisited"].full_article == "fetched"


def test_a_page_that_is_not_html_is_not_used(env):
    env.serve_feed()
    env.server.add("/posts/sparse-attention", b"%PDF-1.7", content_type="application/pdf")
    env.server.add("/posts/scaling-notes", PAYWALLED, content_type="text/html")
    env.refresh()
    assert "not an HTML page (application/pdf)" in env.posts()["Sparse attention, revisited"].full_article


def test_another_sources_post_is_not_completed_by_us(env):
    env.serve_feed()
    env.serve_pages()
    env.refresh()
    mirror = replace(env.source, id="mirror", name="Mirror", fetch_full_article=True)
    requests_before = len(env.page_requests())
    env.refresh(source=mirror)
    assert len(env.page_requests()) == requests_before
    assert all(post.sources == ["teaser-weekly", "mirror"] for post in env.posts().values())


# --- where article links may lead ---------------------------------------------------------------------------------

def test_links_in_a_public_feed_never_reach_a_private_address(env):
    env.serve_pages()
    public = replace(env.source, feed_url="https://93.184.215.14/feed.xml", allow_private=True)
    assert not articles_may_be_private(public)  # allow_private covers the feed, not what its entries link to
    articles = ArticleFetcher(env.fetcher, public)
    teaser = _teaser(env.server.url("/posts/sparse-attention"))
    completed = articles.complete(teaser, None)
    assert completed.full_article.startswith("failed: ") and "non-public address 127.0.0.1" in completed.full_article
    for sneaky in ("http://2130706433:{port}/posts/sparse-attention", "http://[::ffff:127.0.0.1]:{port}/posts/x",
                   "http://0x7f.1:{port}/posts/x"):
        url = sneaky.format(port=env.server.base_url.rsplit(":", 1)[1])
        assert "non-public address" in articles.complete(replace(teaser, url=url), None).full_article
    assert env.page_requests() == []


def test_a_feed_on_the_users_own_network_may_link_to_it(env):
    env.serve_pages()
    assert articles_may_be_private(env.source)  # loopback feed with allow_private: true
    assert not articles_may_be_private(replace(env.source, allow_private=False))
    article = fetch_article(env.fetcher, env.server.url("/posts/sparse-attention"), allow_private=True,
                            title="Sparse attention, revisited")
    assert article.markdown.startswith("Block-sparse attention keeps only local windows") and not article.paywalled


def _teaser(url: str):
    entry = FeedEntry(guid=url, title="Sparse attention, revisited", link=url, published=NOW, author=None,
                      content_html="", summary_html=f'<p>Block-sparse attention.</p><p><a href="{url}">Read more</a></p>')
    return post_from_entry(entry, Source(id="public", name="Public", feed_url="https://93.184.215.14/feed.xml",
                                         tier=1, domains=("x",), allow_private=True), NOW)


def test_an_unreachable_host_defers_its_pages_and_other_hosts_carry_on(env):
    with FeedServer() as closed:
        dead = closed.base_url.replace("127.0.0.1", "localhost")  # nothing listens there once closed
    extra = "".join(
        f"""<item><title>Dead link {n}</title><link>{dead}/posts/{n}</link><guid>{dead}/posts/{n}</guid>
        <description><![CDATA[<p>Teaser {n}.</p><p><a href="{dead}/posts/{n}">Read more</a></p>]]></description></item>"""
        for n in range(3)
    )
    env.serve_feed(extra)
    env.serve_pages()
    result = env.refresh()
    assert "could not reach localhost; their article pages wait for a later refresh" in result.warning
    dead_posts = [post for post in env.posts().values() if post.title.startswith("Dead link")]
    assert len(dead_posts) == 3
    assert all(post.full_article is None and post.truncated for post in dead_posts)  # not marked failed: retried
    assert env.posts()["Sparse attention, revisited"].full_article == "fetched"  # other hosts carry on


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=windows-1252"])
def test_page_encoding_comes_from_the_header_or_the_page(env, content_type):
    words = "Café naïve résumé, the model’s déjà vu. " * 20
    page = f'<html><head><meta charset="windows-1252"></head><body><article><p>{words}</p></article></body></html>'
    url = env.server.add("/posts/cafe", page.encode("cp1252"), content_type=content_type)
    article = fetch_article(env.fetcher, url, allow_private=True)
    assert article.markdown.startswith("Café naïve résumé, the model’s déjà vu.")
