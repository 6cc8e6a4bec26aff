"""The Cypher of vault sync, in the subset both engines run (derived edges and analytics: `graph/analytics_queries.py`).

Statements that name a label or relationship type are built per allow-listed name by the
functions below (`Stmt(name, cypher)`; the name says which label, e.g.
`SYNC_UPSERT_ENTITIES[Concept]`). Values are always `$parameters`. `statements()` lists every
one of them for the lint test.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from graph import schema
from graph.model import ENTITY_LINK_FIELDS

# Relationship types a note writes, and those an entity page declares: (type, from, to).
NOTE_LINK_TYPES = ("MENTIONS", "CONNECTS_TO")
DECLARED_LINKS: tuple[tuple[str, str, str], ...] = tuple(
    (rel_type, source, target) for source, fields in ENTITY_LINK_FIELDS.items() for rel_type, target in fields.values()
)
CONNECTION_TARGETS: tuple[str, ...] = ("Note", *schema.ENTITY_LABELS)


@dataclass(frozen=True)
class Stmt:
    name: str
    cypher: str


# --- fixed statements ---------------------------------------------------------------------------

NOTE_PAGE_HASHES = Stmt("SYNC_NOTE_PAGE_HASHES", """
MATCH (n:Note)
WHERE n.page_hash IS NOT NULL
RETURN n.id AS id, n.page_hash AS page_hash, n.raw_path AS raw_path, n.raw_hash AS raw_hash
""")

NOTE_PAGE_HASHES_OF = Stmt("SYNC_NOTE_PAGE_HASHES_OF", """
UNWIND $ids AS note_id
MATCH (n:Note {id: note_id})
WHERE n.page_hash IS NOT NULL
RETURN n.id AS id, n.page_hash AS page_hash, n.raw_path AS raw_path, n.raw_hash AS raw_hash
""")

ENTITY_PAGE_HASHES = Stmt("SYNC_ENTITY_PAGE_HASHES", """
MATCH (e)
WHERE e.page_hash IS NOT NULL AND labels(e)[0] IN $labels
RETURN labels(e)[0] AS label, e.id AS id, e.page_hash AS page_hash
""")

UPSERT_NOTES = Stmt("SYNC_UPSERT_NOTES", """
UNWIND $rows AS row
MERGE (n:Note {id: row.id})
SET n = row.props
""")

UNLINK_PUBLISHED = Stmt("SYNC_UNLINK_PUBLISHED", """
UNWIND $ids AS note_id
MATCH (:Source)-[r:PUBLISHED]->(:Note {id: note_id})
DELETE r
""")

LINK_PUBLISHED = Stmt("SYNC_LINK_PUBLISHED", """
UNWIND $rows AS row
MATCH (n:Note {id: row.id})
MERGE (s:Source {id: row.source_id})
ON CREATE SET s.name = row.source_id, s.referenced_only = true
MERGE (s)-[:PUBLISHED]->(n)
""")

NOTE_LINK_TARGETS = Stmt("SYNC_NOTE_LINK_TARGETS", """
UNWIND $ids AS note_id
MATCH (:Note {id: note_id})-[:MENTIONS|CONNECTS_TO]->(t)
WHERE NOT t:Note
RETURN DISTINCT labels(t)[0] AS label, t.id AS id
""")

UNLINK_NOTES = Stmt("SYNC_UNLINK_NOTES", """
UNWIND $ids AS note_id
MATCH (:Note {id: note_id})-[r:MENTIONS|CONNECTS_TO]->()
DELETE r
""")

SET_NOTE_HASHES = Stmt("SYNC_SET_NOTE_HASHES", """
UNWIND $rows AS row
MATCH (n:Note {id: row.id})
SET n.page_hash = row.page_hash, n.raw_hash = row.raw_hash
""")

DEPENDENT_NOTES = Stmt("SYNC_DEPENDENT_NOTES", """
MATCH (n:Note)
WHERE any(key IN coalesce(n.link_keys, []) WHERE key IN $keys)
RETURN n.id AS id
""")

DELETE_NOTES = Stmt("SYNC_DELETE_NOTES", """
UNWIND $ids AS note_id
MATCH (n:Note {id: note_id})
DETACH DELETE n
""")

SOURCE_STATE = Stmt("SYNC_SOURCE_STATE", """
MATCH (s:Source)
RETURN s.id AS id, s {.name, .feed_url, .url, .tier, .domains, .referenced_only} AS props,
       size([(s)-[:PUBLISHED]->(:Note) | 1]) AS published
""")

UPSERT_SOURCES = Stmt("SYNC_UPSERT_SOURCES", """
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
SET s += row.props
""")

REPLACE_SOURCES = Stmt("SYNC_REPLACE_SOURCES", """
UNWIND $rows AS row
MATCH (s:Source {id: row.id})
SET s = row.props
""")

DELETE_SOURCES = Stmt("SYNC_DELETE_SOURCES", """
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
DETACH DELETE s
""")

FIXED: tuple[Stmt, ...] = tuple(value for value in list(globals().values()) if isinstance(value, Stmt))


# --- per label ----------------------------------------------------------------------------------


@cache
def upsert_entities(label: str) -> Stmt:
    """Entity pages: every property replaced by the page's (so a field removed from the page goes)."""
    label = schema.check_label(label)
    return Stmt(f"SYNC_UPSERT_ENTITIES[{label}]", f"""
UNWIND $rows AS row
MERGE (e:{label} {{id: row.id}})
SET e = row.props
""")


@cache
def set_entity_hashes(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"SYNC_SET_ENTITY_HASHES[{label}]", f"""
UNWIND $rows AS row
MATCH (e:{label} {{id: row.id}})
SET e.page_hash = row.page_hash
""")


@cache
def create_mentions(label: str) -> Stmt:
    """MENTIONS from notes; an entity without a page is created referenced-only, named as the note names it."""
    label = schema.check_label(label)
    return Stmt(f"SYNC_CREATE_MENTIONS[{label}]", f"""
UNWIND $rows AS row
MATCH (n:Note {{id: row.note}})
MERGE (e:{label} {{id: row.id}})
ON CREATE SET e.name = row.name, e.referenced_only = true
CREATE (n)-[:MENTIONS {{count: row.count, salience: row.salience, name: row.name}}]->(e)
""")


@cache
def create_connections(label: str) -> Stmt:
    """CONNECTS_TO from a note's Connections: to an existing note, or to an entity (created referenced-only)."""
    label = schema.check_label(label)
    if label == "Note":
        target = "MATCH (t:Note {id: row.id})"
    else:
        target = f"MERGE (t:{label} {{id: row.id}})\nON CREATE SET t.name = row.id, t.referenced_only = true"
    return Stmt(f"SYNC_CREATE_CONNECTIONS[{label}]", f"""
UNWIND $rows AS row
MATCH (n:Note {{id: row.note}})
{target}
CREATE (n)-[:CONNECTS_TO {{reason: row.reason}}]->(t)
""")


@cache
def declared_targets(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"SYNC_DECLARED_TARGETS[{rel_type}]", f"""
UNWIND $ids AS entity_id
MATCH (:{source} {{id: entity_id}})-[:{rel_type} {{origin: 'declared'}}]->(t:{target})
RETURN DISTINCT t.id AS id
""")


@cache
def unlink_declared(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"SYNC_UNLINK_DECLARED[{rel_type}]", f"""
UNWIND $ids AS entity_id
MATCH (:{source} {{id: entity_id}})-[r:{rel_type} {{origin: 'declared'}}]->(:{target})
DELETE r
""")


@cache
def link_declared(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"SYNC_LINK_DECLARED[{rel_type}]", f"""
UNWIND $rows AS row
MATCH (e:{source} {{id: row.source}})
MERGE (t:{target} {{id: row.target}})
ON CREATE SET t.name = row.target, t.referenced_only = true
MERGE (e)-[:{rel_type} {{origin: 'declared'}}]->(t)
""")


@cache
def entity_page_hashes(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"SYNC_ENTITY_PAGE_HASHES_OF[{label}]", f"""
UNWIND $ids AS entity_id
MATCH (e:{label} {{id: entity_id}})
RETURN e.id AS id, e.page_hash AS page_hash
""")


@cache
def entity_references(label: str) -> Stmt:
    """What keeps a page-less entity alive: incoming MENTIONS, CONNECTS_TO and declared links."""
    label = schema.check_label(label)
    return Stmt(f"SYNC_ENTITY_REFERENCES[{label}]", f"""
UNWIND $ids AS entity_id
MATCH (e:{label} {{id: entity_id}})
RETURN e.id AS id,
       [(n:Note)-[m:MENTIONS]->(e) | [n.id, m.name]] AS mentions,
       size([(x)-[r]->(e) WHERE type(r) IN $referencing OR r.origin = 'declared' | 1]) AS references
""")


@cache
def replace_entities(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"SYNC_REPLACE_ENTITIES[{label}]", f"""
UNWIND $rows AS row
MATCH (e:{label} {{id: row.id}})
SET e = row.props
""")


@cache
def delete_entities(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"SYNC_DELETE_ENTITIES[{label}]", f"""
UNWIND $ids AS entity_id
MATCH (e:{label} {{id: entity_id}})
DETACH DELETE e
""")


def statements() -> dict[str, str]:
    """Every statement this module can build, by name, for the lint test."""
    built = list(FIXED)
    for label in schema.ENTITY_LABELS:
        built += [upsert_entities(label), set_entity_hashes(label), create_mentions(label)]
        built += [entity_page_hashes(label), entity_references(label), replace_entities(label), delete_entities(label)]
    built += [create_connections(label) for label in CONNECTION_TARGETS]
    for shape in DECLARED_LINKS:
        built += [declared_targets(*shape), unlink_declared(*shape), link_declared(*shape)]
    return {stmt.name: stmt.cypher for stmt in built}


# --- running them -------------------------------------------------------------------------------

BATCH_ROWS = 1000  # rows per UNWIND statement: large enough to amortise a round trip, small enough to stream


# Row keys that hold the id of a node a sync statement MERGEs or matches.
ROW_ID_KEYS = frozenset({"id", "source_id", "target"})


def run(store, stmt: Stmt, **params) -> list[dict]:
    return store.run(stmt.name, stmt.cypher, params)


def run_batches(store, stmt: Stmt, key: str, items: list, **params) -> list[dict]:
    """Run `stmt` once per BATCH_ROWS items of `items`, passed as `$<key>`; nothing when empty.

    Every id a row names is checked first (schema.check_node_id), before any batch is sent: an empty
    or over-long id (a mention's id in a note's front matter has no length limit) brings the
    embedded server down under its unique constraint when a statement MERGEs on it.
    """
    for item in items:
        if isinstance(item, dict):
            for id_key in ROW_ID_KEYS.intersection(item):
                schema.check_node_id(item[id_key])
    rows: list[dict] = []
    for start in range(0, len(items), BATCH_ROWS):
        rows += store.run(stmt.name, stmt.cypher, {key: items[start : start + BATCH_ROWS], **params})
    return rows
