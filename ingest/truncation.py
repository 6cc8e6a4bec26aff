"""Is a feed entry (or an article page) cut short? Paywall markers, "Read more" endings, trailing ellipses.

Judged on the HTML before cleaning, because the clearest signs (Substack's paywall elements) are page chrome that
the Markdown conversion removes.
"""

from __future__ import annotations

import re
from html import unescape

from bs4 import BeautifulSoup

# Elements a publishing platform puts where the free part of a post ends.
PAYWALL_CLASSES = frozenset({"paywall", "paywall-jump", "paywall-cta", "paywall-title", "paywall-content"})
_PAYWALL_COMPONENT = re.compile(r"""data-component-name\s*=\s*["']Paywall(?:ToDOM)?["']""")
PAYWALL_TEXT = re.compile(
    r"this post is for paid subscribers|this post is for paying subscribers|keep reading with a \d+-day free trial|"
    r"subscribe to (?:keep|continue) reading|upgrade to paid to read|"
    r"the rest of this (?:post|article) is for (?:paid )?(?:subscribers|members)",
)  # matched against lowercased text
# The last line of a teaser: "Read more", "Read more »", "Continue reading <title> →", "Keep reading", "(more…)".
# Nothing may follow the phrase but punctuation, so a whole post ending "Read more about it in the paper." is not one.
_TAIL = r"[\s\]).:…»→›>-]*$"
READ_MORE = re.compile(
    r"^[\s\[(]*(?:"
    r"(?:read more|read the rest(?: of (?:this|the) (?:post|story|article))?|read the full (?:post|story|article|text)|"
    r"read full (?:post|story|article)|keep reading|continue reading)" + _TAIL
    + r"|continue reading\s.{1,120}[…»→›]\s*$"
    + r"|more\s*[…»→›]" + _TAIL + r")",
    re.IGNORECASE | re.DOTALL,
)
_BLOCKS = ["p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article",
           "figure", "footer", "header", "tr", "dd", "dt"]
ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\[&hellip;\])\s*$")
TAIL_CHARS = 2000
_TAGS = re.compile(r"<[^>]*>")
_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
# A trailing ellipsis marks a teaser only in a short text; a long post may well end by quoting "…".
TEASER_MAX_WORDS = 300
# An article counts as "much longer" than the feed's text past both thresholds.
LONGER_FACTOR = 2.0
LONGER_MIN_WORDS = 150


def truncation_reason(html: str) -> str | None:
    """Why `html` (a feed entry's content) looks like a teaser for a longer post, or None when it looks whole."""
    if not html or not html.strip():
        return None
    reason = paywall_reason(html)
    if reason:
        return reason
    # Only the end of the text can say "Read more": the tail is enough to find the last line, and parsing only
    # the tail keeps this cheap for long posts.
    tail = _block_text(BeautifulSoup(html[-TAIL_CHARS:], "html.parser"))
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    several_lines = len(lines) > 1 or len(html) > TAIL_CHARS
    if lines and several_lines and READ_MORE.match(lines[-1]):
        return f"ends with {lines[-1][:40]!r}"
    if lines and ELLIPSIS_END.search(lines[-1]) and word_count(_TAGS.sub(" ", html)) < TEASER_MAX_WORDS:
        return "ends with an ellipsis"
    return None


def paywall_reason(html: str) -> str | None:
    """Why a post or page looks paywalled: a platform's paywall element, or its notice in the text. (A page's
    last line says nothing: pages end in footers and menus.)"""
    if not html:
        return None
    for match in _CLASS_ATTRIBUTE.finditer(html):
        if PAYWALL_CLASSES.intersection(match.group(2).split()):
            return "paywall marker"
    if _PAYWALL_COMPONENT.search(html):
        return "paywall marker"
    lowered = html.lower()
    if any(word in lowered for word in ("subscri", "paid", "trial", "members")):
        if PAYWALL_TEXT.search(" ".join(unescape(_TAGS.sub(" ", lowered)).split())):
            return "paywall notice"
    return None


def _block_text(soup: BeautifulSoup) -> str:
    """The text with a line break after every block (inline tags such as links stay inside their line)."""
    for tag in soup.find_all(_BLOCKS):
        if tag.name == "br":
            tag.replace_with("\n")
        else:
            tag.append("\n")
    return soup.get_text()


def word_count(text: str) -> int:
    return len(text.split())


def much_longer(article_words: int, feed_words: int) -> bool:
    """The article page has far more text than the feed gave: the feed carried a teaser."""
    return article_words >= LONGER_FACTOR * feed_words and article_words - feed_words >= LONGER_MIN_WORDS
