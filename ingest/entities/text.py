"""A post as plain-text segments for entity extraction: title, lead and body, with links and emphasis kept as spans.

Code, images, raw HTML and attribute blocks (`{.class}` / `{#id}`, `:::` fences) are not prose and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

ZONE_WEIGHTS = {"title": 3.0, "lead": 2.0, "body": 1.0}
LEAD_PARAGRAPHS = 2
ATTRIBUTE_BLOCK_RE = re.compile(r"\{[#.][^{}]*\}")
FENCE_LINE_RE = re.compile(r"^\s*:::.*$", re.MULTILINE)
SPACES_RE = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    href: str | None = None  # links only


@dataclass
class Segment:
    """One block of prose (a paragraph, heading, list item or quote line) and where it sits in the post."""

    zone: str
    text: str
    emphasis: list[Span] = field(default_factory=list)
    links: list[Span] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return ZONE_WEIGHTS[self.zone]


_PARSER = MarkdownIt("commonmark")


def post_segments(title: str, body_markdown: str) -> list[Segment]:
    """The title, then the body's prose blocks; the first paragraphs of the body form the lead."""
    segments = [Segment("title", _squash(title))] if title.strip() else []
    cleaned = FENCE_LINE_RE.sub("", ATTRIBUTE_BLOCK_RE.sub("", body_markdown))
    paragraphs = 0
    for token in _PARSER.parse(cleaned):
        if token.type != "inline" or not token.children:
            continue
        segment = _inline_segment(token.children)
        if not segment.text:
            continue
        if paragraphs < LEAD_PARAGRAPHS and len(segment.text.split()) >= 8:
            segment.zone = "lead"
            paragraphs += 1
        segments.append(segment)
    return segments


def _inline_segment(children: list[Token]) -> Segment:
    parts: list[str] = []
    emphasis: list[Span] = []
    links: list[Span] = []
    open_emphasis: list[int] = []
    open_links: list[tuple[int, str]] = []
    length = 0

    def add(text: str) -> None:
        nonlocal length
        text = SPACES_RE.sub(" ", text)
        if parts and parts[-1].endswith(" ") and text.startswith(" "):
            text = text[1:]
        parts.append(text)
        length += len(text)

    for child in children:
        if child.type == "text":
            add(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            add(" ")
        elif child.type in ("em_open", "strong_open"):
            open_emphasis.append(length)
        elif child.type in ("em_close", "strong_close") and open_emphasis:
            emphasis.append(Span(open_emphasis.pop(), length))
        elif child.type == "link_open":
            open_links.append((length, str(child.attrs.get("href", ""))))
        elif child.type == "link_close" and open_links:
            start, href = open_links.pop()
            links.append(Span(start, length, href))
        # code_inline, image and html_inline carry no prose
    text = "".join(parts)
    stripped = text.lstrip()
    shift = len(text) - len(stripped)
    text = stripped.rstrip()

    def clip(span: Span) -> Span:
        return Span(max(0, span.start - shift), max(0, min(len(text), span.end - shift)), span.href)

    return Segment("body", text, [clip(s) for s in emphasis], [clip(s) for s in links])


def _squash(text: str) -> str:
    return " ".join(text.split())
