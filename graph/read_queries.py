"""The read statements behind the REST API's listings and pages, in the common subset.

Labels appear only from `graph/schema.py`'s allow-lists (a statement per label, built on demand);
every value, filter, offset and limit is a `$parameter`. Listings come in pairs (a count and a
page) sharing one MATCH … WHERE, so a page and its total always agree on what matches.
Orderings are total (they end in the node id), so pages never overlap or skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from graph import schema


@dataclass(frozen=True)
class Stmt:
    name: str
    cypher: str


def _label_key(label: str | None) -> str:
    return schema.check_label(label) if label else "ANY"


def _entity_match(label: str | None) -> str:
    """Bind `e` to entities of `label`, or of every entity label."""
    if label:
        return f"MATCH (e:{schema.check_label(label)})"
    either = " OR ".join(f"e:{schema.check_label(name)}" for name in schema.ENTITY_LABELS)
    return f"MATCH (e)\nWHERE ({either})"


# $q: lower-cased text found in the name, the id or an alias (NULL: any).
_ENTITY_TEXT = (
    "($q IS NULL OR toLower(coalesce(e.name, '')) CONTAINS $q OR e.id CONTAINS $q"
    " OR toLower(coalesce(e.aliases_text, '')) CONTAINS $q)"
)


def _entity_filter(label: str | None) -> str:
    match = _entity_match(label)
    joiner = "\n  AND " if label is None else "\nWHERE "
    return match + joiner + _ENTITY_TEXT


@cache
def entity_count(label: str | None) -> Stmt:
    return Stmt(f"READ_ENTITY_COUNT[{_label_key(label)}]", f"""
{_entity_filter(label)}
RETURN count(e) AS total
""")


@cache
def entity_page(label: str | None) -> Stmt:
    """Entities by name (case-insensitive), then type, then id."""
    return Stmt(f"READ_ENTITY_PAGE[{_label_key(label)}]", f"""
{_entity_filter(label)}
WITH e, toLower(coalesce(e.name, e.id)) AS sort_name, labels(e)[0] AS type
ORDER BY sort_name, type, e.id
SKIP $skip
LIMIT $limit
RETURN type, e.id AS id, coalesce(e.name, e.id) AS name, coalesce(e.aliases, []) AS aliases,
       e.path AS path, e.mention_count AS mention_count, e.degree AS degree, e.pagerank AS pagerank,
       e.first_seen AS first_seen, e.last_seen AS last_seen
""")


@cache
def entity_by_id(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"READ_ENTITY[{label}]", f"""
MATCH (e:{label} {{id: $id}})
RETURN e {{.*}} AS node
""")


@cache
def entity_neighbours(label: str) -> Stmt:
    """The entity's neighbours grouped by their label: each with every relationship to it, strongest
    first (salience or weight, then the neighbour's pagerank), at most $cap per group, with the group's size."""
    label = schema.check_label(label)
    return Stmt(f"READ_ENTITY_NEIGHBOURS[{label}]", f"""
MATCH (e:{label} {{id: $id}})-[r]-(m)
WHERE labels(m)[0] IN $labels
WITH m, collect({{type: type(r), direction: CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END,
                 salience: r.salience, weight: r.weight, reason: r.reason}}) AS rels,
     max(coalesce(r.salience, r.weight, 0.0)) AS strength
WITH labels(m)[0] AS group, m, rels, strength
ORDER BY strength DESC, coalesce(m.pagerank, 0.0) DESC, m.id
WITH group, collect({{id: m.id, title: coalesce(m.title, m.name, m.id),
                     day: coalesce(m.published, m.date, m.first_seen), relationships: rels}}) AS found
RETURN group, size(found) AS total, found[..$cap] AS items
ORDER BY group
""")


# --- notes ------------------------------------------------------------------------------------

_NOTE_WHERE = """WHERE ($source IS NULL OR s.id = $source)
  AND ($tiers IS NULL OR n.tier IN $tiers)
  AND ($since_ms IS NULL OR n.published_ms >= $since_ms)
  AND ($until_ms IS NULL OR n.published_ms <= $until_ms)"""


def _note_match(by_concept: bool) -> str:
    if by_concept:
        # DISTINCT: a note may both mention the concept and link to its page.
        return (
            "MATCH (s:Source)-[:PUBLISHED]->(n:Note)-[:MENTIONS|CONNECTS_TO]->(:Concept {id: $concept})\n"
            f"{_NOTE_WHERE}\nWITH DISTINCT s, n"
        )
    return f"MATCH (s:Source)-[:PUBLISHED]->(n:Note)\n{_NOTE_WHERE}"


@cache
def note_count(by_concept: bool) -> Stmt:
    return Stmt(f"READ_NOTE_COUNT{'[CONCEPT]' if by_concept else ''}", f"""
{_note_match(by_concept)}
RETURN count(n) AS total
""")


@cache
def note_page(by_concept: bool) -> Stmt:
    """Notes newest first, then by id."""
    return Stmt(f"READ_NOTE_PAGE{'[CONCEPT]' if by_concept else ''}", f"""
{_note_match(by_concept)}
WITH s, n
ORDER BY n.published_ms DESC, n.id
SKIP $skip
LIMIT $limit
RETURN n.id AS id, n.title AS title, n.url AS url, n.published AS published, n.tier AS tier,
       n.domain AS domain, coalesce(n.topics, []) AS topics, n.author AS author, n.tldr AS tldr,
       n.path AS path, s.id AS source, s.name AS source_name
""")


# --- statistics -------------------------------------------------------------------------------

NOTES_BY_TIER = Stmt("READ_NOTES_BY_TIER", """
MATCH (n:Note)
RETURN n.tier AS tier, count(n) AS count
ORDER BY tier
""")

NOTES_BY_SOURCE = Stmt("READ_NOTES_BY_SOURCE", """
MATCH (s:Source)
OPTIONAL MATCH (s)-[:PUBLISHED]->(n:Note)
RETURN s.id AS source, s.name AS name, count(n) AS count, max(n.published) AS latest
ORDER BY source
""")

NOTE_DATES = Stmt("READ_NOTE_DATES", """
MATCH (n:Note)
RETURN min(n.published) AS earliest, max(n.published) AS latest
""")


def statements() -> dict[str, str]:
    """Every statement this module can send, by name, for the Cypher lint catalogue."""
    built = [NOTES_BY_TIER, NOTES_BY_SOURCE, NOTE_DATES]
    for label in (None, *schema.ENTITY_LABELS):
        built += [entity_count(label), entity_page(label)]
    for label in schema.ENTITY_LABELS:
        built += [entity_by_id(label), entity_neighbours(label)]
    built.append(entity_neighbours("Note"))  # a note's page on the web shows its neighbourhood
    for by_concept in (False, True):
        built += [note_count(by_concept), note_page(by_concept)]
    return {stmt.name: stmt.cypher for stmt in built}


def run(store, stmt: Stmt, **params) -> list[dict]:
    return store.run(stmt.name, stmt.cypher, params)
