"""The demo corpus and its feeds, and the e2e feed fixtures: valid feeds with the content we claim."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from ingest.demo import (
    DemoPostError,
    UnknownDemoSource,
    build_feed,
    build_feeds,
    demo_posts,
    demo_sources,
)
from ingest.demo.catalog import parse_post, read_posts

BASE_URL = "http://127.0.0.1:8765"
E2E_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "e2e"
WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
HREF = re.compile(r'href="([^"]+)"')


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def words_in_html(html: str) -> int:
    parser = _Text()
    parser.feed(html)
    return len(WORD.findall(" ".join(parser.parts)))


def parsed(source_name: str) -> feedparser.FeedParserDict:
    return feedparser.parse(build_feed(source_name, BASE_URL))


def all_entries() -> list:
    return [entry for source in demo_sources() for entry in parsed(source["name"]).entries]


def entry_time(entry) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(entry.published_parsed), tz=timezone.utc)


SOURCE_NAMES = [source["name"] for source in demo_sources()]


def test_twelve_posts_from_three_sources_of_distinct_tiers() -> None:
    sources = demo_sources()
    assert sorted(source["tier"] for source in sources) == [1, 2, 3]
    assert len(demo_posts()) == 12
    per_source = {name: sum(post.source == name for post in demo_posts()) for name in SOURCE_NAMES}
    assert all(count >= 3 for count in per_source.values()), per_source
    for source in sources:
        assert source["path"] == f"/feeds/{source['slug']}.xml"
        assert source["domains"], source


@pytest.mark.parametrize("source_name", SOURCE_NAMES)
def test_feed_parses_cleanly_with_one_entry_per_post(source_name: str) -> None:
    feed = parsed(source_name)
    posts = {post.guid: post for post in demo_posts() if post.source == source_name}
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == source_name
    assert len(feed.entries) == len(posts)
    for entry in feed.entries:
        post = posts[entry.id]
        assert entry.title == post.title
        assert entry.author == post.author
        assert entry_time(entry) == post.published
        assert [tag.term for tag in entry.tags] == list(post.categories)
        assert entry.content[0].type == "text/html"


@pytest.mark.parametrize("source_name", SOURCE_NAMES)
def test_feed_self_link_points_at_the_serving_address(source_name: str) -> None:
    feed = parsed(source_name)
    path = next(s["path"] for s in demo_sources() if s["name"] == source_name)
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [BASE_URL + path]


def test_entries_are_newest_first_and_dated_march_to_june_2026() -> None:
    for name in SOURCE_NAMES:
        times = [entry_time(entry) for entry in parsed(name).entries]
        assert times == sorted(times, reverse=True)
    for entry in all_entries():
        when = entry_time(entry)
        assert (2026, 3) <= (when.year, when.month) <= (2026, 6), entry.title


def test_guids_and_links_are_unique_across_all_feeds() -> None:
    entries = all_entries()
    assert len(entries) == 12
    assert len({entry.id for entry in entries}) == 12
    assert len({entry.link for entry in entries}) == 12


def test_every_post_body_is_600_to_1000_words() -> None:
    counts = {entry.title: words_in_html(entry.content[0].value) for entry in all_entries()}
    out_of_range = {title: n for title, n in counts.items() if not 600 <= n <= 1000}
    assert not out_of_range, out_of_range


def test_posts_link_to_each_other_and_every_internal_link_resolves() -> None:
    urls = {post.url for post in demo_posts()}
    homepages = tuple(source["url"] for source in demo_sources())
    linked_posts = 0
    for post in demo_posts():
        internal = [href for href in HREF.findall(post.html) if href.startswith(homepages)]
        assert set(internal) <= urls, (post.slug, set(internal) - urls)
        assert post.url not in internal, f"{post.slug} links to itself"
        linked_posts += bool(internal)
    assert linked_posts >= 10


def test_some_posts_carry_headings_lists_and_links_as_html() -> None:
    bodies = [post.html for post in demo_posts()]
    assert sum("<h2>" in body for body in bodies) >= 6
    assert sum("<li>" in body for body in bodies) >= 6
    assert sum("<a href=" in body for body in bodies) >= 6


def test_a_feed_build_is_byte_for_byte_repeatable() -> None:
    assert build_feeds(BASE_URL) == build_feeds(BASE_URL)
    assert set(build_feeds(BASE_URL)) == {source["path"] for source in demo_sources()}


def test_an_unknown_source_is_refused_by_name() -> None:
    with pytest.raises(UnknownDemoSource, match="Nonexistent Weekly"):
        build_feed("Nonexistent Weekly", BASE_URL)


GOOD_HEADER = """---
title: A post
author: Some Author
published: 2026-04-01T10:00:00Z
source: Checkpoint Dispatch
categories: [evaluation]
---
Body text.
"""


@pytest.mark.parametrize(
    ("file_name", "text", "reason"),
    [
        ("2026-04-01-a-post.md", GOOD_HEADER.replace("title: A post\n", ""), "missing header keys: title"),
        ("2026-04-02-a-post.md", GOOD_HEADER, "does not match the file name"),
        ("a-post.md", GOOD_HEADER, "file name must look like"),
        ("2026-04-01-a-post.md", GOOD_HEADER.replace("Checkpoint Dispatch", "Nowhere"), "no demo source"),
        ("2026-04-01-a-post.md", GOOD_HEADER.replace("10:00:00Z", "10:00:00"), "time zone"),
        ("2026-04-01-a-post.md", GOOD_HEADER.replace("[evaluation]", "[]"), "categories"),
        ("2026-04-01-a-post.md", "no header at all\n", "YAML header"),
    ],
)
def test_a_malformed_post_file_is_reported_with_its_name(file_name: str, text: str, reason: str) -> None:
    with pytest.raises(DemoPostError, match=re.escape(reason)) as raised:
        parse_post(text, file_name)
    assert raised.value.origin == file_name


def test_a_well_formed_post_file_reads_back_its_fields() -> None:
    post = parse_post(GOOD_HEADER, "2026-04-01-a-post.md")
    assert (post.slug, post.title, post.author, post.categories) == (
        "a-post",
        "A post",
        "Some Author",
        ("evaluation",),
    )
    assert post.published == datetime(2026, 4, 1, 10, tzinfo=timezone.utc)
    assert post.url == "https://checkpoint-dispatch.example/p/a-post"


def test_two_files_with_one_slug_are_refused(tmp_path: Path) -> None:
    (tmp_path / "2026-04-01-a-post.md").write_text(GOOD_HEADER, encoding="utf-8")
    later = GOOD_HEADER.replace("2026-04-01T", "2026-04-03T")
    (tmp_path / "2026-04-03-a-post.md").write_text(later, encoding="utf-8")
    with pytest.raises(DemoPostError, match="share this slug"):
        read_posts(tmp_path)


def _e2e(name: str) -> feedparser.FeedParserDict:
    return feedparser.parse((E2E_DIR / name).read_bytes())


def test_e2e_rss_fixture_has_four_distinct_posts_of_300_to_500_words() -> None:
    feed = _e2e("lamplight.rss.xml")
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 4
    assert len({entry.id for entry in feed.entries}) == 4
    counts = {entry.title: words_in_html(entry.content[0].value) for entry in feed.entries}
    assert all(300 <= n <= 500 for n in counts.values()), counts
    assert all(entry.get("published_parsed") and entry.get("author") for entry in feed.entries)


def test_e2e_atom_fixture_repeats_two_rss_posts_with_the_same_ids_and_text() -> None:
    atom = _e2e("lamplight.atom.xml")
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.version == "atom10"
    assert len(atom.entries) == 2
    rss = {entry.id: entry for entry in _e2e("lamplight.rss.xml").entries}
    for entry in atom.entries:
        twin = rss[entry.id]
        assert (entry.title, entry.link, entry.author) == (twin.title, twin.link, twin.author)
        assert entry.published_parsed == twin.published_parsed
        assert entry.content[0].value.split() == twin.content[0].value.split()
