"""What an entity's name says about it, where the graph needs it too: whether a paper's name is its title.

Ingest writes a Paper page's `title` from this (ingest/entities/properties.py); sync falls back on it for a
page that predates the field, so the node of "arXiv 2501.01234" or "the DPO paper" carries no `title`.
"""

from __future__ import annotations

import re

# "arXiv 2501.01234": a page named by its id until a post gives the title.
_ID_NAME = re.compile(r"arxiv\s*:?\s*\S+", re.IGNORECASE)
# "DPO paper", "Gemini 2.5 technical report": how posts refer to a paper, not what it is called.
_REFERENCE_NAME = re.compile(r"\S.*\s(?:paper|technical report|report|preprint)")


def names_a_title(name: str) -> bool:
    """True unless the name is an id placeholder or a "<subject> paper" reference (lower-case head)."""
    text = " ".join(name.split())
    return bool(text) and not _ID_NAME.fullmatch(text) and not _REFERENCE_NAME.fullmatch(text)


def paper_title(name: str, aliases: list[str] | tuple[str, ...] = ()) -> str | None:
    """The paper's title: its name when that is a title, else the first alias that is one and has at least
    three words (a later post's link text for an arXiv id), else None."""
    if names_a_title(name):
        return " ".join(name.split())
    for alias in aliases:
        if len(alias.split()) >= 3 and names_a_title(alias):
            return " ".join(alias.split())
    return None
