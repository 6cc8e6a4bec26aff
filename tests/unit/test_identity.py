"""The identity ladder (guid → guid+link → link → title+content) and URL cleaning."""

from __future__ import annotations

import re

import pytest

from ingest.identity import canonical_url, entry_identity, is_site_root, is_strong_guid

LINK = "https://gradient-notes.example/posts/a"


def test_ids_are_short_hex_and_stable():
    first = entry_identity("tag:gradient-notes.example,2024:1", LINK, "Title", "<p>x</p>")
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert entry_identity("tag:gradient-notes.example,2024:1", LINK, "Title", "<p>x</p>") == first


def test_strong_guid_alone_decides():
    guid = "tag:gradient-notes.example,2024:1"
    base = entry_identity(guid, LINK, "Title", "body")
    assert entry_identity(guid, LINK + "-moved", "New title", "new body") == base
    assert entry_identity(guid, None, "Title", "body") == base
    assert entry_identity("tag:gradient-notes.example,2024:2", LINK, "Title", "body") != base


def test_weak_guid_is_combined_with_the_link():
    # Two feeds numbering their posts "42" must not collide.
    assert not is_strong_guid("42")
    one = entry_identity("42", "https://a.example/p", "T", "b")
    other = entry_identity("42", "https://b.example/p", "T", "b")
    assert one != other
    assert entry_identity("42", "https://a.example/p", "Retitled", "edited") == one


def test_link_decides_without_guid():
    base = entry_identity(None, LINK, "Title", "body")
    assert entry_identity(None, LINK, "Retitled", "edited body") == base
    assert entry_identity("", LINK, "Title", "body") == base
    assert entry_identity(None, LINK + "?utm_source=rss#comments", "Title", "body") == base
    assert entry_identity(None, LINK + "-2", "Title", "body") != base


def test_title_and_content_when_nothing_else():
    base = entry_identity(None, None, "Title", "body")
    assert entry_identity(None, None, "Title", "body") == base
    assert entry_identity(None, None, "Title", "other body") != base
    assert entry_identity(None, None, "Other", "body") != base


def test_rungs_do_not_collide_with_each_other():
    # The same text as a guid, as a link and as a title must give three different ids.
    text = "https://gradient-notes.example/posts/a"
    ids = {entry_identity(text, None, "", ""), entry_identity(None, text, "", ""), entry_identity(None, None, text, "")}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a/B?utm_source=x&id=a%20b&flag#frag", "https://example.com/a/B?id=a%20b&flag"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x?fbclid=1", "http://example.com:8080/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("  ", None),
        (None, None),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://example.com/", True),
        ("https://example.com", True),
        ("https://example.com/?p=42", False),  # a blog without pretty links: the query names the post
        ("https://example.com/posts/a", False),
        ("https://example.com/#comments", True),
    ],
)
def test_site_root(url, root):
    assert is_site_root(url) is root
