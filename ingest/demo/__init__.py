"""Sample content for `wikigraph demo`: three fictional sources, twelve posts, and their RSS feeds.

The posts are original text about AI research, written for this project; every person, paper,
model, bill and organisation they describe as news is fictional. `wikigraph demo` serves
`build_feeds(base_url)` from a loopback HTTP server and ingests the feeds like any others.
"""

from __future__ import annotations

from ingest.demo.catalog import (
    DEMO_SOURCES,
    DemoPost,
    DemoPostError,
    DemoSource,
    UnknownDemoSource,
    find_source,
    shipped_posts,
)
from ingest.demo.rss import rss_document

__all__ = [
    "DemoPost",
    "DemoPostError",
    "DemoSource",
    "UnknownDemoSource",
    "build_feed",
    "build_feeds",
    "demo_posts",
    "demo_sources",
]


def demo_posts() -> list[DemoPost]:
    """All demo posts, oldest first."""
    return shipped_posts()


def demo_sources() -> list[dict]:
    """Each source as {name, slug, tier, domains, url, path, description}; `path` is the feed's path."""
    return [source.as_dict() for source in DEMO_SOURCES]


def build_feed(source_name: str, base_url: str) -> bytes:
    """The RSS 2.0 feed of one demo source; `base_url` is where the feeds are served.

    Raises `UnknownDemoSource` for a name that is not a demo source.
    """
    source = find_source(source_name)
    posts = [post for post in shipped_posts() if post.source == source.name]
    return rss_document(source, posts, base_url)


def build_feeds(base_url: str) -> dict[str, bytes]:
    """Every demo feed, keyed by its path (for example "/feeds/checkpoint-dispatch.xml")."""
    return {source.feed_path: build_feed(source.name, base_url) for source in DEMO_SOURCES}
