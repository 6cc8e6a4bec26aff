"""OPML: what feed readers export comes in as sources; what we export comes back as the same sources."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.opml import OpmlError, plan_import, read_opml, write_opml
from ingest.sources import load_sources
from ingest.sources_edit import validated_source

SHIPPED = Path(__file__).resolve().parents[2] / "wiki_content" / "sources.yaml"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Research">
      <outline type="rss" text="Lab Notes" title="Lab Notes" xmlUrl="https://lab.example/feed.xml"
               htmlUrl="https://lab.example/"/>
      <outline text="Deep">
        <outline type="atom" text="Deep Dives" xmlUrl="https://deep.example/atom"/>
      </outline>
    </outline>
    <outline type="rss" title="Policy Watch" text="ignored when a title exists" xmlUrl="https://policy.example/rss"
             category="/Policy/EU, regulation"/>
    <outline type="rss" xmlUrl="https://untitled.example/feed"/>
    <outline type="rss" text="Lab Notes again" xmlUrl="https://lab.example/feed.xml"/>
    <outline type="rss" text="Not a URL" xmlUrl="gopher://old.example/feed"/>
    <outline type="link" text="just a bookmark" url="https://bookmark.example"/>
  </body>
</opml>
"""


def test_a_feed_readers_export_becomes_sources():
    plan = plan_import(read_opml(READER_EXPORT), existing=[], default_tier=4)
    assert [(s.name, s.feed_url, s.tier, s.domains, s.url) for s in plan.added] == [
        ("Lab Notes", "https://lab.example/feed.xml", 4, ("Research",), "https://lab.example/"),
        ("Deep Dives", "https://deep.example/atom", 4, ("Deep",), None),  # the nearest folder
        ("Policy Watch", "https://policy.example/rss", 4, ("Policy/EU", "regulation"), None),
        ("untitled.example", "https://untitled.example/feed", 4, ("general",), None),  # named after its host
    ]
    assert plan.skipped == [
        "skipped 'Lab Notes again': already present as 'Lab Notes'",
        "skipped 'Not a URL': feed_url must be an http(s) URL with a host, got 'gopher://old.example/feed'",
    ]


def test_feeds_already_in_sources_yaml_are_skipped():
    existing = [validated_source({"name": "lab notes", "feed_url": "https://elsewhere.example/f", "tier": 1,
                                  "domains": ["x"]}),
                validated_source({"name": "Old name", "feed_url": "https://policy.example/rss", "tier": 1,
                                  "domains": ["x"]})]
    plan = plan_import(read_opml(READER_EXPORT), existing)
    # "Lab Notes" clashes by name; its URL was not taken, so the later outline for it comes in.
    assert [s.name for s in plan.added] == ["Deep Dives", "untitled.example", "Lab Notes again"]
    assert "skipped 'Lab Notes': already present as 'lab notes'" in plan.skipped
    assert "skipped 'Policy Watch': already present as 'Old name'" in plan.skipped


def test_export_then_import_gives_the_same_sources():
    sources = load_sources(SHIPPED) + [
        validated_source({"name": "Local Lab", "feed_url": "http://127.0.0.1:8080/feed", "tier": 5,
                          "domains": ["Tech/AI", "ünïcode & <markup>"], "allow_private": True,
                          "fetch_full_article": True, "poll_interval": 15, "url": "http://127.0.0.1:8080/"}),
    ]
    document = write_opml(sources, "wikigraph sources", NOW)
    root = ET.fromstring(document)
    assert root.get("version") == "2.0" and root.findtext("head/dateCreated") == "Sun, 01 Mar 2026 12:00:00 GMT"
    assert [o.get("text") for o in root.iter("outline")] == [s.name for s in sources]
    plan = plan_import(read_opml(document), existing=[], default_tier=3, default_domains=("ignored",))
    assert plan.skipped == []
    assert plan.added == sources


def test_a_domain_with_a_comma_cannot_be_exported():
    odd = validated_source({"name": "Odd", "feed_url": "https://odd.example/f", "tier": 1, "domains": ["a, b"]})
    with pytest.raises(OpmlError, match="comma"):
        write_opml([odd], "t", NOW)


def test_a_bad_tier_attribute_is_a_skip_not_a_crash():
    document = (b'<opml version="2.0" xmlns:wikigraph="urn:wikigraph:opml"><body>'
                b'<outline text="T" xmlUrl="https://t.example/f" wikigraph:tier="9"/></body></opml>')
    plan = plan_import(read_opml(document), [])
    assert plan.added == [] and plan.skipped == ["skipped 'T': tier must be an integer 1..5"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<opml><body><outline", "not well-formed"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "without a <body>"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
         + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
         + b']><opml><body><outline text="&lol9;" xmlUrl="https://x.example/f"/></body></opml>', "not well-formed"),
    ],
)
def test_unreadable_files_raise_a_clear_error(document, message):
    with pytest.raises(OpmlError, match=message):
        read_opml(document)
