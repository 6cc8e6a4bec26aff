"""The one Markdown dialect of the vault: CommonMark + YAML front matter + `[[wikilinks]]`."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from graph.wikilinks import wikilink_plugin


def make_markdown() -> MarkdownIt:
    """A fresh parser, for callers that want to add rules of their own."""
    return MarkdownIt("commonmark").use(front_matter_plugin).use(wikilink_plugin)


@cache
def shared_markdown() -> MarkdownIt:
    """A process-wide parser for reading pages; parsing keeps no state on it, so do not add rules to it."""
    return make_markdown()
