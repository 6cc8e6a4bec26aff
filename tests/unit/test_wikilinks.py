"""The `[[wikilink]]` inline rule and helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.markdown import make_markdown
from graph.wikilinks import WikiLink, extract_wikilinks, format_wikilink, match_wikilink


def test_extracts_targets_labels_and_lines():
    page = "\n".join(
        [
            "---",
            "aliases: ['[[not a link]]']",
            "---",
            "# Heading with [[One]]",
            "",
            "A paragraph `[[in code]]` and",
            "a second line with [[Two|Label two]] and [[ Three | spaced ]].",
            "",
            "- item [[Four#Section]]",
            "  continued [[Five]]",
            "",
            "```",
            "[[fenced]]",
            "```",
            "",
            "    [[indented code]]",
            "",
            "> quoted [[Six]]",
        ]
    )
    assert extract_wikilinks(page) == [
        WikiLink("One", None, 4),
        WikiLink("Two", "Label two", 7),
        WikiLink("Three", "spaced", 7),
        WikiLink("Four#Section", None, 9),
        WikiLink("Five", None, 10),
        WikiLink("Six", None, 18),
    ]


@pytest.mark.parametrize("text", ["[[]]", "[[ ]]", "[[a\nb]]", "[[a]b]]", "[x](y)", "[[a", "[single]"])
def test_not_links(text):
    assert extract_wikilinks(text) == []


def test_empty_label_means_no_label_and_label_may_hold_a_pipe():
    assert extract_wikilinks("[[a|]] [[b|c|d]]") == [WikiLink("a", None, 1), WikiLink("b", "c|d", 1)]


def test_wikilink_inside_an_ordinary_link_text():
    assert extract_wikilinks("[see [[Page]]](https://example.org)") == [WikiLink("Page", None, 1)]


def test_renders_as_an_anchor_with_escaped_text():
    html = make_markdown().render("x [[A<b>|la<bel]] y")
    assert html == '<p>x <a class="wikilink" data-target="A&lt;b&gt;">la&lt;bel</a> y</p>\n'


def test_format_refuses_what_would_not_read_back():
    assert format_wikilink("Page") == "[[Page]]"
    assert format_wikilink("slug", "Label") == "[[slug|Label]]"
    for target, label in [("a|b", None), ("a]]", None), (" a", None), ("", None), ("a", "x]"), ("a", " ")]:
        with pytest.raises(ValueError):
            format_wikilink(target, label)


targets = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s == s.strip() and not any(c in s for c in "[]|")
)
labels = st.none() | targets


@given(targets, labels)
def test_format_then_match_is_identity(target, label):
    link = format_wikilink(target, label)
    found = match_wikilink(link)
    assert (found.target, found.label, found.end) == (target, label, len(link))
