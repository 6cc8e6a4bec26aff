"""`[[Page]]` and `[[slug|Label]]` links: a markdown-it inline rule and helpers to read and write them.

A link is one line long; the target may not contain `[`, `]` or `|`, the label may not contain `[` or `]`.
Both are stripped of surrounding spaces; an empty target is not a link, an empty label means "no label".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]*))?\]\]")
FORBIDDEN_IN_TARGET = ("[", "]", "|", "\n", "\r")
FORBIDDEN_IN_LABEL = ("[", "]", "\n", "\r")


@dataclass(frozen=True)
class WikiLink:
    target: str
    label: str | None
    line: int  # 1-based line in the text it was found in


@dataclass(frozen=True)
class LinkMatch:
    target: str
    label: str | None
    end: int  # index just past the closing `]]`


def match_wikilink(text: str, pos: int = 0) -> LinkMatch | None:
    """The wikilink starting exactly at `pos`, or None."""
    found = WIKILINK_RE.match(text, pos)
    if found is None:
        return None
    target = found.group(1).strip()
    if not target:
        return None
    label = (found.group(2) or "").strip() or None
    return LinkMatch(target, label, found.end())


def format_wikilink(target: str, label: str | None = None) -> str:
    """`[[target]]` or `[[target|label]]`; refuses text that would not read back as the same link."""
    clean_target = target.strip()
    if not clean_target or clean_target != target or any(c in target for c in FORBIDDEN_IN_TARGET):
        raise ValueError(f"not a valid wikilink target: {target!r}")
    if label is None:
        return f"[[{target}]]"
    if not label.strip() or label.strip() != label or any(c in label for c in FORBIDDEN_IN_LABEL):
        raise ValueError(f"not a valid wikilink label: {label!r}")
    return f"[[{target}|{label}]]"


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    found = match_wikilink(state.src, state.pos)
    if found is None or found.end > state.posMax:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.markup = state.src[state.pos : found.end]
        token.content = found.label or found.target
        # Inline content keeps the block's line breaks, so this counts lines from the block's first line.
        token.meta = {
            "target": found.target,
            "label": found.label,
            "line_offset": state.src.count("\n", 0, state.pos),
        }
    state.pos = found.end
    return True


def _render_wikilink(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    target = escape(token.meta["target"])
    return f'<a class="wikilink" data-target="{target}">{escape(token.content)}</a>'


def wikilink_plugin(md: MarkdownIt) -> None:
    """Adds the `wikilink` inline token (meta: target, label, line_offset) ahead of ordinary links."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)


def iter_wikilink_tokens(tokens: list[Token]):
    """Yield (inline token, wikilink token) for every wikilink in a parsed token stream."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for child in block.children:
            if child.type == "wikilink":
                yield block, child


def extract_wikilinks(markdown: str) -> list[WikiLink]:
    """Every wikilink in a Markdown page, in order, with its 1-based line; code spans and blocks are skipped."""
    from graph.markdown import shared_markdown  # graph.markdown imports this module for the plugin

    links = []
    for block, token in iter_wikilink_tokens(shared_markdown().parse(markdown)):
        first_line = block.map[0] if block.map else 0
        line = first_line + token.meta["line_offset"] + 1
        links.append(WikiLink(token.meta["target"], token.meta["label"], line))
    return links
