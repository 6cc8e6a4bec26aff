"""RSS 2.0 documents for the demo sources, built from the shipped posts."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from ingest.demo.catalog import DemoPost, DemoSource

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"

for _prefix, _uri in (("content", CONTENT_NS), ("dc", DC_NS), ("atom", ATOM_NS)):
    ET.register_namespace(_prefix, _uri)


def rss_document(source: DemoSource, posts: Iterable[DemoPost], base_url: str) -> bytes:
    """An RSS 2.0 feed of `posts`, newest first, whose self link is `base_url` + the feed path.

    The bytes depend only on the posts, never on the clock, so a server can give them a
    stable ETag and a re-run of the demo sees an unchanged feed.
    """
    items = sorted(posts, key=lambda post: post.published, reverse=True)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", source.name)
    _text(channel, "link", source.homepage)
    _text(channel, "description", source.description)
    _text(channel, "language", "en")
    if items:
        _text(channel, "lastBuildDate", format_datetime(items[0].published, usegmt=True))
    _text(channel, "generator", "wikigraph demo")
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"href": base_url.rstrip("/") + source.feed_path, "rel": "self", "type": "application/rss+xml"},
    )
    for post in items:
        _append_item(channel, post)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def _append_item(channel: ET.Element, post: DemoPost) -> None:
    item = ET.SubElement(channel, "item")
    _text(item, "title", post.title)
    _text(item, "link", post.url)
    guid = _text(item, "guid", post.guid)
    guid.set("isPermaLink", "true")
    _text(item, "pubDate", format_datetime(post.published, usegmt=True))
    _text(item, f"{{{DC_NS}}}creator", post.author)
    for category in post.categories:
        _text(item, "category", category)
    _text(item, "description", post.summary)
    _text(item, f"{{{CONTENT_NS}}}encoded", post.html)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value
    return element
