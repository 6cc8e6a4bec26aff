"""Teaser detection: paywall markers, "Read more" endings, trailing ellipses in short texts; whole posts pass."""

from __future__ import annotations

import pytest

from ingest.truncation import much_longer, paywall_reason, truncation_reason

LONG = "<p>" + " ".join(["word"] * 400) + " …</p>"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ('<p>Intro.</p><p><a href="/p">Read more</a></p>', "ends with 'Read more'"),
        ("<p>Intro.</p><p>Read more »</p>", "ends with 'Read more »'"),
        ("<p>Intro.</p><p>Continue reading <span>Sparse attention</span> →</p>", "ends with 'Continue reading"),
        ("<p>Intro.</p><p>Keep reading</p>", "ends with 'Keep reading'"),
        ("<p>Intro.</p><p>(more…)</p>", "ends with '(more…)'"),
        ("<p>Intro<br>Read the full story</p>", "ends with 'Read the full story'"),
        ("<p>The model routes tokens to experts […]</p>", "ends with an ellipsis"),
        ("<p>The model routes tokens to experts...</p>", "ends with an ellipsis"),
        ('<p>Free part.</p><div class="paywall-jump" data-component-name="PaywallToDOM"></div>', "paywall marker"),
        ("<p>Free part.</p><h3>This post is for paid subscribers</h3>", "paywall notice"),
        ("<p>Free part.</p><p>Keep reading with a 7-day free trial</p>", "paywall notice"),
    ],
)
def test_teasers(html, reason):
    assert truncation_reason(html).startswith(reason)


@pytest.mark.parametrize(
    "html",
    [
        "", "   ", "<p>A whole short post.</p>",
        "<p>Intro.</p><p>Read more about the method in the paper.</p>",
        "<p>More importantly, it works.</p>",
        "<p>Keep reading</p>",  # a one-line entry that says only that is a title-like stub, not a teaser ending
        LONG,  # a long post may end by quoting "…"
        '<p>Pricing: <a href="/more">more</a> plans soon.</p>',
    ],
)
def test_whole_posts(html):
    assert truncation_reason(html) is None


def test_page_paywall_ignores_endings():
    assert paywall_reason("<html><body><p>Text</p><footer>Read more</footer></body></html>") is None
    assert paywall_reason('<div class="paywall"><p>Subscribe to keep reading</p></div>') == "paywall marker"
    assert paywall_reason("") is None


@pytest.mark.parametrize(("article", "feed", "expected"), [(400, 30, True), (400, 250, False), (120, 10, False)])
def test_much_longer_needs_both_ratio_and_margin(article, feed, expected):
    assert much_longer(article, feed) is expected
