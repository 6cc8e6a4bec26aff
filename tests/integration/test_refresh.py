"""refresh_source through the real loopback server: conditional GET, new/changed/unchanged posts, feed problems
recorded on the source's state, validators saved only after the entries."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from graph.vault import Vault
from ingest.fetch import Fetcher, make_http_client
from ingest.identity import entry_identity
from ingest.posts import RawIndex, read_raw_posts
from ingest.refresh import RefreshPolicy, refresh_source
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
    assert state.next_check is None  # a first failure is retried on the usual schedule
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
    failed = env.refresh()
    assert failed.ok and failed.new == [] and len(failed.failed) == 2
    state = env.state.get("gradient-notes")
    assert state.etag is None and state.body_hash is None
    assert "2 entries could not be stored" in state.warning and "Error" in state.warning
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


SAME_POST_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://{site}/</link>
  <item>
    <title>{item_title}</title>
    <link>{link}</link>
    <guid isPermaLink="{permalink}">{guid}</guid>
    <pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate>
    <description><![CDATA[<p>{body}</p>]]></description>
  </item>
</channel></rss>
"""
# The same post in its own feed (a tag: guid) and in a digest (the link as guid, with the digest's tracking tags).
ORIGINAL = SAME_POST_FEED.format(
    title="Gradient Notes", site="gradient-notes.example", item_title="One post, two feeds",
    link="https://gradient-notes.example/p/same", permalink="false", guid="tag:gradient-notes.example,2024:same",
    body="The original, in full.")
DIGEST = SAME_POST_FEED.format(
    title="Weekly Digest", site="digest.example", item_title="Gradient Notes: one post, two feeds",
    link="https://Gradient-Notes.example/p/same?utm_source=rss&amp;utm_campaign=weekly", permalink="true",
    guid="https://Gradient-Notes.example/p/same?utm_source=rss&amp;utm_campaign=weekly", body="A digest's copy.")


@pytest.mark.parametrize("digest_first", [False, True])
def test_same_post_through_two_feeds_is_one_raw_post_whatever_the_order(env, digest_first):
    env.server.add("/feed", ORIGINAL)
    env.server.add("/digest", DIGEST)
    digest = Source(id="weekly-digest", name="Weekly Digest", feed_url=env.server.url("/digest"), tier=3,
                    domains=("digest",), allow_private=True)
    order = [digest, env.source] if digest_first else [env.source, digest]
    index = RawIndex(env.vault)  # one index for the run, as the pipeline shares it
    first, second = (env.refresh(source=source, index=index) for source in order)
    assert [len(first.new), len(second.changed), len(second.new)] == [1, 1, 0]
    [post] = read_raw_posts(env.vault)
    assert post.sources == [source.id for source in order]
    assert post.canonical_url == "https://gradient-notes.example/p/same"
    owner_link = "https://Gradient-Notes.example/p/same?utm_source=rss&utm_campaign=weekly" if digest_first \
        else "https://gradient-notes.example/p/same"
    assert post.url == owner_link and post.body == first.new[0].body  # the first feed's post, its id and file
    original_id = entry_identity("tag:gradient-notes.example,2024:same", None, "", "")  # strong guids decide alone
    digest_id = entry_identity("https://Gradient-Notes.example/p/same?utm_source=rss&utm_campaign=weekly", None, "", "")
    owner, joined = (digest_id, original_id) if digest_first else (original_id, digest_id)
    assert (post.id, post.merged_ids, post.path) == (owner, [joined], first.new[0].path)
    files = env.files()
    # Next run, the other order, a fresh index per source, full fetches: nothing flips, nothing is written.
    for source in reversed(order):
        again = env.refresh(LATER, source=source, force=True)
        assert (again.new, again.changed, again.unchanged) == ([], [], 1)
    assert env.files() == files and len(read_raw_posts(env.vault)) == 1


def test_vault_written_before_canonical_url_is_left_as_it_is(env):
    env.server.add("/feed", TWO_POSTS)
    env.refresh()
    for path in env.vault.raw_paths():  # as the files were written before: `url` held the cleaned link
        post = next(p for p in read_raw_posts(env.vault) if p.path.endswith(path.name))
        text = path.read_text(encoding="utf-8").replace(f"url: {post.url}\ncanonical_url: {post.canonical_url}\n",
                                                        f"url: {post.canonical_url}\n")
        assert "canonical_url" not in text
        path.write_text(text, encoding="utf-8")
    files = {path.name: path.read_bytes() for path in env.vault.raw_paths()}
    again = env.refresh(LATER, force=True)
    assert (again.new, again.changed, again.unchanged) == ([], [], 2)
    assert {path.name: path.read_bytes() for path in env.vault.raw_paths()} == files


# --- nothing to do, in every form -----------------------------------------------------------------------------------

def test_same_body_without_validators_is_nothing_to_do(env):
    env.server.add("/feed", TWO_POSTS, etag=False)  # no ETag, no Last-Modified: only the bytes can tell
    env.refresh()
    files = env.files()
    second = env.refresh(LATER)
    assert second.not_modified and (second.new, second.changed, second.unchanged) == ([], [], 0)
    assert env.files() == files
    assert env.state.get("gradient-notes").last_success == LATER
    env.server.add("/feed", TWO_POSTS.replace("</channel>", THIRD_ITEM + "</channel>"), etag=False)
    third = env.refresh(LATER + timedelta(hours=1))
    assert not third.not_modified and len(third.new) == 1 and third.unchanged == 2


def test_200_with_the_etag_we_sent_is_nothing_to_do(env):
    # A server that ignores If-None-Match and answers 200 with the same ETag every time.
    env.server.add("/feed", TWO_POSTS, etag=False, headers={"ETag": '"stable"'})
    env.refresh()
    files = env.files()
    second = env.refresh(LATER)
    assert second.not_modified and env.files() == files
    assert env.server.requests_for("/feed")[1]["If-None-Match"] == '"stable"'


def test_304_refreshes_last_modified(env):
    env.server.add("/feed", TWO_POSTS, last_modified="Wed, 06 Mar 2024 10:00:00 GMT")
    env.refresh()
    # Same body (so the ETag still matches and the answer is 304), newer Last-Modified on the 304.
    env.server.resources["/feed"].last_modified = "Wed, 06 Mar 2024 11:00:00 GMT"
    assert env.refresh(LATER).not_modified
    state = env.state.get("gradient-notes")
    assert state.last_modified == "Wed, 06 Mar 2024 11:00:00 GMT" and state.etag
    env.refresh(LATER + timedelta(hours=1))
    assert env.server.requests_for("/feed")[2]["If-Modified-Since"] == "Wed, 06 Mar 2024 11:00:00 GMT"


def test_changed_post_rewrites_its_file_and_leaves_the_others_untouched(env):
    env.server.add("/feed", TWO_POSTS)
    env.refresh()
    # Stamp the files far in the past: any rewrite shows, however coarse the file system's clock.
    for path in env.vault.raw_paths():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = env.files()
    env.server.add("/feed", TWO_POSTS.replace("Multi-hop questions need", "Multi-hop questions often need"))
    result = env.refresh(LATER)
    after = env.files()
    [changed] = result.changed
    changed_name = Path(changed.path).name
    assert after[changed_name] > before[changed_name]
    assert {name: mtime for name, mtime in after.items() if name != changed_name} == \
        {name: mtime for name, mtime in before.items() if name != changed_name}
    stored = {post.title: post for post in read_raw_posts(env.vault)}
    assert "often need" in stored["Evaluating retrieval with graph paths"].body


# --- moves, refusals and backoff --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_recorded_and_followed_next_time(env, status, caplog):
    env.server.add("/new/feed.xml", TWO_POSTS)
    env.server.add_redirect("/feed", "/new/feed.xml", status=status)
    first = env.refresh()
    assert first.moved_to == env.server.url("/new/feed.xml") and len(first.new) == 2
    assert "moved permanently" in caplog.text and "update feed_url in sources.yaml" in caplog.text
    state = env.state.get("gradient-notes")
    assert state.moved_to == env.server.url("/new/feed.xml") and state.feed_url == env.source.feed_url
    assert state.summary(LATER).moved_to == env.server.url("/new/feed.xml")
    second = env.refresh(LATER)
    assert second.not_modified
    assert len(env.server.requests_for("/feed")) == 1  # the old address is not asked again
    assert env.server.requests_for("/new/feed.xml")[1]["If-None-Match"]


def test_temporary_redirect_is_not_recorded(env):
    env.server.add("/elsewhere", TWO_POSTS)
    env.server.add_redirect("/feed", "/elsewhere", status=302)
    assert env.refresh().moved_to is None
    assert env.state.get("gradient-notes").moved_to is None
    env.refresh(LATER)
    assert len(env.server.requests_for("/feed")) == 2


def test_permanent_then_temporary_redirect_records_only_the_permanent_part(env):
    env.server.add("/final", TWO_POSTS)
    env.server.add_redirect("/feed", "/moved", status=301)
    env.server.add_redirect("/moved", "/final", status=307)
    assert env.refresh().moved_to == env.server.url("/moved")


def test_editing_the_feed_url_drops_a_recorded_move(env):
    env.server.add("/new/feed.xml", TWO_POSTS)
    env.server.add("/feed-v2", TWO_POSTS)
    env.server.add_redirect("/feed", "/new/feed.xml", status=301)
    env.refresh()
    env.refresh(LATER, source=env.source_at("/feed-v2"))
    assert env.server.requests_for("/feed-v2") and env.state.get("gradient-notes").moved_to is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_pushes_the_next_check_back(env, status):
    env.server.add("/feed", b"busy", status=status, headers={"Retry-After": "5400"})
    result = env.refresh()
    assert f"HTTP {status}" in result.error
    state = env.state.get("gradient-notes")
    assert state.next_check == NOW + timedelta(minutes=90) and state.error_count == 1
    assert state.last_error == result.error and not state.is_due(NOW + timedelta(minutes=89))


def test_retry_after_as_an_http_date(env):
    wall_clock = datetime.now(timezone.utc)
    env.server.add("/feed", b"busy", status=503,
                   headers={"Retry-After": format_datetime(wall_clock + timedelta(hours=3), usegmt=True)})
    env.refresh()
    waited = env.state.get("gradient-notes").next_check - NOW
    assert timedelta(hours=2, minutes=59) <= waited <= timedelta(hours=3)


def test_an_absurd_retry_after_is_capped_at_a_week(env):
    env.server.add("/feed", b"busy", status=429, headers={"Retry-After": str(10 * 365 * 24 * 3600)})
    env.refresh()
    assert env.state.get("gradient-notes").next_check == NOW + timedelta(days=7)


def test_backoff_starts_after_the_configured_number_of_failures(env):
    env.server.add("/feed", b"gone", status=500)
    policy = RefreshPolicy(failures_before_backoff=2)
    checks = []
    for hour in range(4):
        env.refresh(NOW + timedelta(hours=hour), policy=policy)
        checks.append(env.state.get("gradient-notes").next_check)
    assert checks[0] is None
    assert [check - (NOW + timedelta(hours=n)) for n, check in enumerate(checks) if n] == \
        [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert env.state.get("gradient-notes").error_count == 4


def test_feed_on_a_private_address_needs_allow_private(env):
    env.server.add("/feed", TWO_POSTS)
    result = env.refresh(source=replace(env.source, allow_private=False))
    assert "non-public address 127.0.0.1; set allow_private" in result.error
    assert env.server.requests == [] and env.files() == {}


def test_impossible_dates_are_flagged_on_the_raw_post(env):
    env.server.add("/feed", ATOM_WITH_DATES, content_type="application/atom+xml")
    result = env.refresh()
    by_title = {post.title: post for post in result.new}
    assert by_title["From year one"].published == NOW and "before 1990" in by_title["From year one"].date_flag
    assert by_title["From the future"].published == NOW and "more than a day" in by_title["From the future"].date_flag
    assert by_title["On time"].published == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)
    assert by_title["On time"].date_flag is None
    env.server.add("/feed", ATOM_WITH_DATES + "\n", content_type="application/atom+xml")  # new bytes, same entries
    again = env.refresh(LATER)
    assert again.unchanged == 3 and not again.changed


ATOM_WITH_DATES = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Dates</title><id>tag:dates.example,2024:feed</id>
<updated>2024-03-06T00:00:00Z</updated>
<entry><id>tag:dates.example,2024:1</id><title>From year one</title><link href="https://dates.example/1"/>
<updated>0001-01-01T00:00:00Z</updated><content type="html">&lt;p&gt;Epoch zero.&lt;/p&gt;</content></entry>
<entry><id>tag:dates.example,2024:2</id><title>From the future</title><link href="https://dates.example/2"/>
<updated>2099-12-31T23:59:59+05:00</updated><content type="html">&lt;p&gt;Tomorrow's news.&lt;/p&gt;</content></entry>
<entry><id>tag:dates.example,2024:3</id><title>On time</title><link href="https://dates.example/3"/>
<updated>2024-03-05T10:30:00+02:00</updated><content type="html">&lt;p&gt;Today's news.&lt;/p&gt;</content></entry>
</feed>
"""
