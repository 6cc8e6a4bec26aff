"""The prose of a post: Markdown parsed with markdown-it-py into blocks of plain text a summary may quote.

Dropped, because a summary must never quote them: code, tables, raw HTML, embeds (pandoc fenced divs),
footnotes and footnote markers, image captions, transcript timestamps and speaker labels, and the
subscribe/share boilerplate newsletters append.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARAGRAPH, ITEM, QUOTE = "paragraph", "item", "quote"


@dataclass(frozen=True)
class Block:
    """One paragraph, list item or quoted paragraph of prose, with the heading it sits under."""

    text: str
    kind: str
    section: str
    aside: bool = False  # wholly emphasised: an editor's note, a caption-like aside, not the argument


_FENCED_DIV = re.compile(r"^\s*(:{3,})\s*(.*?)\s*$")
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:")
_TIMESTAMP = re.compile(r"\\?\[\d{1,2}:\d{2}(?::\d{2})?\\?\]\s*")
_ATTRIBUTES = re.compile(r"\{[#.][^{}]*\}")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]]+\]")
# "Jane Doe: …" opening a paragraph of a transcript names the speaker.
_SPEAKER = re.compile(r"^(?:[A-Z][\w.'-]*\s){1,3}[A-Z][\w.'-]*:\s+(?=\S)")
_CAPTION_MAX_WORDS = 30
_BOILERPLATE_MAX_WORDS = 40
_BOILERPLATE = re.compile(
    r"^(?:subscribe|share|leave a comment|comment|like|restack|upgrade|listen now|watch now|read more|continue reading|"
    r"get \d+% off|give a gift)\b|thanks for reading|forwarded this|subscribe (?:now|here|to|for)|free subscriber|"
    r"paid subscri|subscriber[- ]only|receive new posts|support my work|share this post|feel free to share|"
    r"(?:listen|watch|available|find (?:it|us|me)) (?:\w+ ){0,3}(?:on|in) (?:apple|google|spotify|youtube|podcast)|"
    r"discord (?:server|invite|community)|podcast players|this (?:post|episode) is (?:also )?(?:on|available)",
    re.IGNORECASE,
)


def prose_blocks(markdown: str) -> list[Block]:
    """Blocks of plain-text prose in document order."""
    return list(_prose_blocks(markdown))


@lru_cache(maxsize=64)
def _prose_blocks(markdown: str) -> tuple[Block, ...]:
    tokens = _parser().parse(_strip_non_prose_lines(markdown))
    return tuple(_blocks(tokens))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


def is_boilerplate(text: str) -> bool:
    return len(text.split()) <= _BOILERPLATE_MAX_WORDS and bool(_BOILERPLATE.search(text))


def _strip_non_prose_lines(markdown: str) -> str:
    """Line-level removals the Markdown grammar cannot see: pandoc fenced divs (embeds), footnote definitions."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Unbalanced fences are not pandoc divs: drop the fence lines but keep what they would have enclosed.
    divs_close = _divs_balance(lines)
    kept, open_divs, in_footnote = [], 0, False
    for line in lines:
        div = _FENCED_DIV.match(line)
        if div:
            if divs_close:
                open_divs = open_divs + 1 if div.group(2) else max(open_divs - 1, 0)
            continue
        if _FOOTNOTE_DEFINITION.match(line):
            in_footnote = True
            continue
        if in_footnote and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        in_footnote = False
        if open_divs == 0:
            kept.append(_TIMESTAMP.sub("", line))
    return "\n".join(kept)


def _divs_balance(lines: list[str]) -> bool:
    depth = 0
    for line in lines:
        div = _FENCED_DIV.match(line)
        if div:
            depth = depth + 1 if div.group(2) else depth - 1
            if depth < 0:
                return False
    return depth == 0


def _blocks(tokens: list[Token]):
    section, quote_depth, list_depth, in_table, in_heading = "", 0, 0, False, False
    after_image, after_footnote_marker = False, False
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif kind in ("table_open", "table_close"):
            in_table = kind == "table_open"
        elif kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind == "inline" and not in_table:
            text, images, footnote_backlink, emphasised = _flatten(token.children or [])
            if in_heading:
                section = text
                after_image = False
                continue
            if footnote_backlink:
                after_footnote_marker = True
                continue
            words = len(text.split())
            is_caption = (after_image or images) and words <= _CAPTION_MAX_WORDS
            after_image = bool(images) and words == 0
            if after_footnote_marker or is_caption or not _is_prose(text):
                after_footnote_marker = False
                continue
            block_kind = QUOTE if quote_depth else ITEM if list_depth else PARAGRAPH
            text = _SPEAKER.sub("", text)
            yield Block(text=text, kind=block_kind, section=section, aside=emphasised >= 0.9 * len(text))


def _is_prose(text: str) -> bool:
    if len(re.findall(r"[A-Za-z]{2,}", text)) < 3:
        return False
    if text.count(" | ") >= 2:  # a navigation strip or a table the grammar did not recognise
        return False
    return not is_boilerplate(text)


def _flatten(children: list[Token]) -> tuple[str, int, bool, int]:
    """Plain text of an inline token; also how many images it held, whether it is a footnote back-link,
    and how many of its characters were emphasised."""
    parts: list[str] = []
    images, skipping_link, index, emphasis, emphasised = 0, False, 0, 0, 0
    only_backlinks = bool(children)
    while index < len(children):
        child = children[index]
        if skipping_link:
            skipping_link = child.type != "link_close"
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            label = children[index + 1].content if index + 1 < len(children) else ""
            if _is_footnote_link(href, label):
                skipping_link = True
                only_backlinks = only_backlinks and "footnote-anchor" in href
            else:
                only_backlinks = False
        elif child.type == "strong_open" and not "".join(parts).strip() and _speaker_label_end(children, index):
            index = _speaker_label_end(children, index)
        elif child.type in ("em_open", "strong_open"):
            emphasis += 1
        elif child.type in ("em_close", "strong_close"):
            emphasis = max(emphasis - 1, 0)
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
            emphasised += len(child.content.strip()) if emphasis else 0
            only_backlinks = only_backlinks and not child.content.strip()
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            images += 1
            only_backlinks = False
        index += 1
    return _tidy("".join(parts)), images, only_backlinks, emphasised


def _is_footnote_link(href: str, label: str) -> bool:
    return "#footnote" in href or "#fn" in href or (label.strip().isdigit() and "#" in href and len(label.strip()) <= 3)


def _speaker_label_end(children: list[Token], index: int) -> int:
    """Where a bold 'Name:' opening a transcript paragraph ends (0 if it is not one): it labels, it is not said."""
    close = next((i for i in range(index, len(children)) if children[i].type == "strong_close"), None)
    if close is None:
        return 0
    label = "".join(c.content for c in children[index + 1 : close] if c.type == "text").strip()
    return close if label.endswith(":") and 1 <= len(label.split()) <= 5 else 0


def _tidy(text: str) -> str:
    text = _ATTRIBUTES.sub("", text)
    text = _FOOTNOTE_REFERENCE.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("---", "—").replace(" -- ", " – ")
    text = " ".join(text.split())
    return re.sub(r"\s+([,.;:!?])", r"\1", text)
