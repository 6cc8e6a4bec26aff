"""Feed bytes → ParsedFeed: feeds of each kind parse, malformed ones keep what can be read, pages are not feeds."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest.feeds import NotAFeed, parse_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss_with_full_content():
    feed = parse_feed(fixture("rss_two_posts.xml"), {"Content-Type": "application/rss+xml; charset=utf-8"})
    assert feed.title == "Gradient Notes" and feed.version == "rss20"
    assert not feed.bozo and feed.bozo_message is None
    first, second = feed.entries
    assert first.guid == "https://gradient-notes.example/posts/sparse-attention"
    assert first.title == "Sparse attention, revisited"
    assert first.published == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)  # +0100 normalised to UTC
    assert first.author == "Ada Fixture"
    assert "<strong>local windows</strong>" in first.content_html
    assert first.summary_html == "A short look back at block-sparse attention."
    assert second.published == datetime(2024, 3, 4, 18, 0, tzinfo=timezone.utc)


def test_atom_with_relative_links_html_title_and_undated_entry():
    feed = parse_feed(fixture("atom_relative_links.xml"), {"content-type": "application/atom+xml"})
    first, undated = feed.entries
    assert first.title == "Distillation without a teacher"  # an HTML title loses its tags
    assert first.link == "https://lab-log.example/entries/self-distillation"
    assert 'href="https://lab-log.example/entries/ensembles"' in first.content_html
    assert undated.published is None
    assert undated.content_html == ""
    assert undated.summary_html == "<p>Only a summary here, and no date at all.</p>"  # plain text made HTML


def test_relative_links_resolve_against_content_location():
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title><link>/posts/a</link>'
        b"<description>&lt;a href=&quot;b&quot;&gt;b&lt;/a&gt;</description></item></channel></rss>"
    )
    feed = parse_feed(body, {"content-location": "https://site.example/feed/"})
    assert feed.entries[0].link == "https://site.example/posts/a"
    assert 'href="https://site.example/feed/b"' in feed.entries[0].summary_html


def test_malformed_feed_is_data_not_an_error():
    feed = parse_feed(fixture("rss_malformed.xml"), {})
    assert feed.bozo
    assert "not well-formed" in feed.bozo_message
    titles = [entry.title for entry in feed.entries]
    assert titles[:2] == ["Tokenizers & their discontents", "Curriculum learning notes"]


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", ""])
def test_html_page_is_not_a_feed(content_type):
    with pytest.raises(NotAFeed, match="HTML page titled 'Checking your browser'"):
        parse_feed(fixture("bot_challenge.html"), {"Content-Type": content_type})


@pytest.mark.parametrize("body", [b"", b"  \n", b'{"not": "a feed"}', b"plain words"])
def test_other_non_feeds(body):
    with pytest.raises(NotAFeed):
        parse_feed(body, {})


def test_bytes_naming_a_file_are_not_opened(tmp_path):
    # feedparser opens a bytes argument that names an existing file; a body must never be taken for a path.
    secret = tmp_path / "feed.xml"
    secret.write_bytes(fixture("rss_two_posts.xml"))
    with pytest.raises(NotAFeed):
        parse_feed(str(secret).encode(), {})


def test_empty_feed_is_a_feed():
    feed = parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>', {})
    assert feed.title == "Quiet" and feed.entries == []


def test_json_feed():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": '
        b'[{"id": "1", "url": "https://j.example/1", "title": "One", "content_html": "<p>x</p>",'
        b' "date_published": "2024-05-01T10:00:00Z"}]}'
    )
    feed = parse_feed(body, {"content-type": "application/feed+json"})
    [item] = feed.entries
    assert (item.guid, item.title, item.link) == ("1", "One", "https://j.example/1")
    assert item.published == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def test_json_feed_with_text_content_and_numeric_ids():
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "home_page_url": "https://j.example/", "items": '
        b'[{"id": 7, "url": "/p/7", "content_text": "First para.\\n\\nSecond <para>.", "author": {"name": "Jo"}}]}'
    )
    [item] = parse_feed(body, {}).entries
    assert item.guid == "7" and item.link == "https://j.example/p/7" and item.author == "Jo"
    assert item.content_html == "<p>First para.</p><p>Second &lt;para&gt;.</p>"
    assert item.published is None
