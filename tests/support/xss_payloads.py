"""XSS payloads: feedparser's sanitisation cases (read from ../shared, never copied) and our own."""

from __future__ import annotations

from pathlib import Path

import feedparser

# Aimed at our own layers: text that feedparser leaves alone but that becomes markup after HTML→Markdown
# or inside a Markdown page (double-escaped tags, Markdown links and images with script URLs, wikilinks).
OWN_PAYLOADS = (
    "&lt;script&gt;alert('double-escaped')&lt;/script&gt;",
    "&lt;img src=x onerror=alert('double-escaped-img')&gt;",
    "<p>[click me](javascript:alert('md-link'))</p>",
    "<p>![pic](javascript:alert('md-image'))</p>",
    "<p>[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>",
    "<p>[[javascript:alert('wikilink')]] and [[x|<img src=x onerror=alert('wikilabel')>]]</p>",
    '<a href="jav&#x09;ascript:alert(\'tab\')">tabbed scheme</a>',
    '<a href=" javascript:alert(\'space\')">spaced scheme</a>',
    '<svg><script>alert("svg")</script></svg><math><mtext><img src=x onerror=alert("math")></mtext></math>',
    '<iframe src="javascript:alert(\'iframe\')"></iframe><object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>',
    '<div style="background:url(javascript:alert(1))">styled</div><style>body{background:red}</style>',
    '<a href="#" onclick="alert(\'click\')">handler</a><body onload="alert(\'body\')">',
    '<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\"></noscript>",
)
OWN_TITLE_PAYLOADS = (
    "&lt;img src=x onerror=alert('title')&gt; headline",
    "[[Title link|<script>alert('title-wikilink')</script>]]",
)


def sanitize_cases(shared: Path) -> list[Path]:
    """feedparser's sanitisation documents about entries (item_/entry_ prefixes), which reach our notes."""
    folder = shared / "corpora" / "feedparser-tests" / "tests" / "wellformed" / "sanitize"
    return sorted(path for path in folder.glob("*.xml") if path.name.startswith(("item_", "entry_")))


def entry_payloads(path: Path) -> list[str]:
    """The HTML each entry of the document carries, as the document wrote it (feedparser told not to clean it)."""
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    found = []
    for entry in parsed.entries:
        for key in ("title", "summary"):
            if entry.get(key):
                found.append(entry[key])
        found.extend(part.get("value", "") for part in entry.get("content", []))
    return [text for text in found if text.strip()]
