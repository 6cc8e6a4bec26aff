"""The real Substack feed snapshots, converted entry by entry: no subscribe widget, button or tracker survives,
nothing a Markdown renderer would pass through as HTML, and the post's own links, images and videos are all kept."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from ingest.feeds import parse_feed
from ingest.posts import post_from_entry
from ingest.sources import Source

pytestmark = pytest.mark.realworld

SOURCE = Source(id="simonw", name="Simon Willison", feed_url="https://simonw.substack.com/feed", tier=1,
                domains=("ai",))
FETCHED = datetime(2024, 12, 13, 12, tzinfo=timezone.utc)
WIDGET_TEXT = ("Thanks for reading", "Subscribe for free", "receive new posts and support my work")


def entries(shared_dir: Path):
    folder = shared_dir / "corpora" / "feeds" / "simonw_substack"
    paths = sorted(folder.glob("*_feed_*.xml"))
    assert paths, f"no feed snapshots in {folder}"
    for path in paths:
        for entry in parse_feed(path.read_bytes(), {"content-type": "application/rss+xml"}).entries:
            yield path.name, entry


def html_passthrough(markdown: str) -> list[str]:
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        found.extend(child.content for child in token.children or [] if child.type == "html_inline")
    return found


def test_no_widget_or_active_html_survives_and_content_is_kept(shared_dir):
    checked = widgets_seen = videos = 0
    for name, entry in entries(shared_dir):
        post = post_from_entry(entry, SOURCE, FETCHED)
        where = f"{name}: {entry.title}"
        source = BeautifulSoup(entry.content_html, "html.parser")
        widgets_seen += len(source.select(".subscription-widget-wrap, .subscription-widget-wrap-editor"))

        for text in WIDGET_TEXT:
            assert text not in post.body, where
        assert not re.search(r"^\s*(?:Subscribe|Share|Subscribe now)\s*$", post.body, re.MULTILINE), where
        assert html_passthrough(post.body) == [], where
        assert not post.truncated, f"{where}: a whole post was taken for a teaser"

        for image in source.find_all("img"):
            src = image.get("src") or ""
            if src.startswith("https://substackcdn.com/image/"):
                assert f"]({src}" in post.body, f"{where}: image {src[:80]} lost"
        for anchor in source.select("p > a[href^='http']"):
            assert f"]({anchor['href']}" in post.body or f"<{anchor['href']}>" in post.body, \
                f"{where}: link {anchor['href']} lost"
        for player in source.select("div.youtube-wrap[id^='youtube2-']"):
            video = player["id"].removeprefix("youtube2-")
            assert f"(https://www.youtube.com/watch?v={video})" in post.body, where
            videos += 1
        checked += 1
    assert checked >= 60 and widgets_seen >= 70 and videos >= 15
