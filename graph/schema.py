"""The graph's vocabulary: the only labels, relationship types and indexed properties there are.

Cypher cannot take a label, a relationship type or a property name as a `$parameter`, so
any statement that names one is built from these allow-lists and nothing else.
"""

from __future__ import annotations

import re

from graph.model import ENTITY_TYPES

LABELS: tuple[str, ...] = (
    "Source",
    "Note",
    "Concept",
    "Paper",
    "PolicyEvent",
    "Organization",
    "Person",
    "Model",
)

REL_TYPES: tuple[str, ...] = (
    "PUBLISHED",
    "MENTIONS",
    "CONNECTS_TO",
    "ABOUT",
    "CONCERNS",
    "AFFILIATED_WITH",
    "RELATED_TO",
)

# Labels of bookkeeping nodes, never part of the knowledge graph: applied schema migrations
# and sync state. Kept out of LABELS so every "one of LABELS" check (and every dump, count and
# analytic) ignores them; statements name them only through `check_any_label`.
SYSTEM_LABELS: tuple[str, ...] = ("SchemaMigration", "SyncState")

ENTITY_LABELS: tuple[str, ...] = ENTITY_TYPES  # one label per entity page type

# Every label carries a unique application `id`; these extra properties get a range index
# because lookups and filters use them (timelines by date, papers by arXiv id, entities by name).
# The full current set: `graph/migrations.py` creates them, and a test checks the two agree.
RANGE_INDEXES: tuple[tuple[str, str], ...] = (
    ("Note", "published_ms"),
    ("Note", "domain"),
    ("Paper", "arxiv_id"),
    ("Concept", "name"),
    ("Source", "name"),
    ("Paper", "name"),
    ("PolicyEvent", "name"),
    ("Organization", "name"),
    ("Person", "name"),
    ("Model", "name"),
    ("Note", "path"),
)

# Full-text indexes (Bloom's search bar and name lookups use them). List-valued aliases are
# indexed through `aliases_text`, their joined string: neither engine indexes list elements.
FULLTEXT_INDEXES: tuple[tuple[str, str], ...] = (
    ("Note", "title"),
    *((label, prop) for label in ENTITY_LABELS for prop in ("name", "aliases_text")),
    ("Source", "name"),
)

# Belt and braces: even an allow-listed name must be a plain identifier, so a future edit
# to the lists above cannot smuggle punctuation into a statement.
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def check_label(label: str) -> str:
    """Return `label` if it is one of LABELS, else raise ValueError."""
    if label not in LABELS or not _IDENTIFIER.match(label):
        raise ValueError(f"unknown node label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def check_any_label(label: str) -> str:
    """Return `label` if it is one of LABELS or SYSTEM_LABELS (schema DDL covers both), else raise ValueError."""
    if label in SYSTEM_LABELS and _IDENTIFIER.match(label):
        return label
    return check_label(label)


def check_rel_type(rel_type: str) -> str:
    """Return `rel_type` if it is one of REL_TYPES, else raise ValueError."""
    if rel_type not in REL_TYPES or not _IDENTIFIER.match(rel_type):
        raise ValueError(f"unknown relationship type {rel_type!r}; expected one of {', '.join(REL_TYPES)}")
    return rel_type


def check_property(name: str) -> str:
    """Return `name` if it is a plain identifier usable as a property key in DDL, else raise ValueError."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"invalid property name {name!r}")
    return name
