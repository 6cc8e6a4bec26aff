"""Every Cypher statement the graph layer sends, in the subset both Neo4j 5 and FalkorDB run.

Values are always `$parameters`. Statements are looked up by name so errors can name the
statement without leaking its parameters. Backend-specific statements (index DDL, full-text)
live in `graph/store/dialects.py`.
"""

from __future__ import annotations

UPSERT_SOURCES = """
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
SET s += row.props
"""

UPSERT_NOTES = """
UNWIND $rows AS row
MERGE (n:Note {id: row.id})
SET n += row.props
WITH n, row
MERGE (s:Source {id: row.source_id})
ON CREATE SET s.name = row.source_id, s.referenced_only = true
MERGE (s)-[:PUBLISHED]->(n)
"""

DELETE_NOTES = """
UNWIND $ids AS note_id
MATCH (n:Note {id: note_id})
DETACH DELETE n
"""

GET_NOTE = """
MATCH (n:Note {id: $id})
OPTIONAL MATCH (s:Source)-[:PUBLISHED]->(n)
RETURN n {.*} AS note, s.id AS source_id, s.name AS source_name
"""

GET_NOTES_BY_IDS = """
UNWIND $ids AS note_id
MATCH (n:Note {id: note_id})
OPTIONAL MATCH (s:Source)-[:PUBLISHED]->(n)
RETURN n {.*} AS note, s.id AS source_id, s.name AS source_name
"""

NOTE_PAGE_HASHES = """
MATCH (n:Note)
RETURN n.id AS id, n.page_hash AS page_hash
"""

# Bookkeeping nodes (schema.SYSTEM_LABELS) are not part of the knowledge graph: not counted,
# and a migrated schema's records survive DELETE_ALL, as its indexes do.
COUNT_NODES_BY_LABEL = """
MATCH (n)
WHERE NOT n:SchemaMigration AND NOT n:SyncState
RETURN labels(n)[0] AS label, count(n) AS count
"""

COUNT_EDGES_BY_TYPE = """
MATCH ()-[r]->()
RETURN type(r) AS type, count(r) AS count
"""

PUBLISHED_PAIRS = """
MATCH (s:Source)-[:PUBLISHED]->(n:Note)
RETURN s.id AS source_id, n.id AS note_id
ORDER BY source_id, note_id
"""

PING = "RETURN 1 AS ok"

DELETE_ALL = "MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n"

STATEMENTS: dict[str, str] = {
    name: value
    for name, value in globals().items()
    if name.isupper() and isinstance(value, str)
}
