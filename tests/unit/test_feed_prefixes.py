"""Feeds whose items carry a namespace prefix they never declare (`<rss:item>`, `<atom:entry>`): feedparser's lenient
reader finds no entry in them, so they are read again with the prefix dropped, and stay marked malformed."""

from __future__ import annotations

import pytest

from ingest.feeds import NotAFeed, parse_feed

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss rss:version="2.0"><rss:channel><rss:title>Prefixed</rss:title><rss:link>https://prefixed.example/</rss:link>
<rss:item><rss:title>First</rss:title><rss:link>https://prefixed.example/1</rss:link>
<rss:description>&lt;p&gt;One.&lt;/p&gt;</rss:description><rss:pubDate>Mon, 01 Jan 2024 12:00:00 GMT</rss:pubDate></rss:item>
<rss:item><rss:title>Second</rss:title><rss:link>https://prefixed.example/2</rss:link></rss:item>
</rss:channel></rss>
"""
ATOM = b"""<?xml version="1.0"?><atom:feed><atom:title>Prefixed Atom</atom:title>
<atom:entry><atom:id>tag:prefixed.example,2024:1</atom:id><atom:title>Only</atom:title>
<atom:link href="https://prefixed.example/only"/><atom:updated>2024-01-01T00:00:00Z</atom:updated></atom:entry>
</atom:feed>
"""


def test_prefixed_rss_items_are_read():
    feed = parse_feed(RSS, {})
    assert feed.title == "Prefixed"
    assert [(e.title, e.link) for e in feed.entries] == [("First", "https://prefixed.example/1"),
                                                         ("Second", "https://prefixed.example/2")]
    assert feed.entries[0].summary_html == "<p>One.</p>" and feed.entries[0].published.year == 2024
    assert feed.bozo and "rss: prefix dropped" in feed.bozo_message


def test_prefixed_atom_entries_are_read_and_the_feed_stays_malformed():
    feed = parse_feed(ATOM, {})
    assert [(e.guid, e.title, e.link) for e in feed.entries] == [
        ("tag:prefixed.example,2024:1", "Only", "https://prefixed.example/only")]
    # Without its prefix the document parses cleanly; the first reading's problem is what the feed is marked with.
    assert feed.bozo and feed.bozo_message.startswith("SAXParseException") and "atom: prefix dropped" in feed.bozo_message


def test_a_declared_prefix_is_read_as_it_is():
    declared = RSS.replace(b'rss:version="2.0"', b'xmlns:rss="http://backend.userland.com/rss2" version="2.0"')
    feed = parse_feed(declared, {})
    assert len(feed.entries) == 2 and "prefix dropped" not in (feed.bozo_message or "")


def test_prefixed_elements_other_than_items_change_nothing():
    # Only the channel is prefixed and there are no items at all: a malformed, empty feed, read once.
    empty = b'<?xml version="1.0"?><rss version="2.0"><rss:channel><rss:title>Nothing</rss:title></rss:channel></rss>'
    feed = parse_feed(empty, {})
    assert feed.entries == [] and "prefix dropped" not in (feed.bozo_message or "")


def test_a_prefixed_page_that_is_no_feed_is_still_refused():
    with pytest.raises(NotAFeed):
        parse_feed(b"<html><body><x:item>not a feed</x:item></body></html>", {"content-type": "text/html"})
