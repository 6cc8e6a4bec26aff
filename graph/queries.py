"""The store's own statements (upserts, deletes, note reads, counts) and the Bloom questions,
in the Cypher subset both Neo4j 5 and FalkorDB run.

Values are always `$parameters`. Statements are looked up by name so errors can name the
statement without leaking its parameters. Other common statements live beside the code that
sends them (migrations, sync, analytics, patterns, reads, retrieval); backend-specific ones
(index DDL, full-text) in `graph/store/dialects.py`, whose `all_statements(dialect)` gathers
them all into the one catalogue the Cypher lint checks.
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

# --- Bloom -------------------------------------------------------------------------------------
# The questions of graph/bloom/perspective.json, in the common subset. Each is a pattern binding
# `path` (BLOOM_PATTERNS; a dict, so not itself a statement) followed by the rows it answers with.
# graph/bloom/cypher.py builds the Neo4j form Bloom runs from the same pattern: it returns `path`
# for Bloom to draw, and its scene actions start from Bloom's selection (`elementId(n) IN $nodes`)
# where these take `$refs`, rows {label, id}. A name matches ignoring case, or an alias, or the id.

# How a scene action binds its start nodes `n` (a dict, so not itself a statement).
BLOOM_SELECTIONS: dict[str, str] = {"refs": "UNWIND $refs AS ref\nMATCH (n {id: ref.id})\nWHERE labels(n)[0] = ref.label\n"}

BLOOM_PATTERNS: dict[str, str] = {
    "BLOOM_PAPERS_CONNECTED_TO": """
MATCH (e)
WHERE (e:Concept OR e:Paper OR e:PolicyEvent OR e:Organization OR e:Person OR e:Model)
  AND (toLower(e.name) = toLower($name) OR e.id = $name
       OR any(alias IN coalesce(e.aliases, []) WHERE toLower(alias) = toLower($name)))
MATCH path = (e)-[*1..2]-(paper:Paper)
WHERE paper <> e AND (length(path) = 1 OR 'Note' IN labels(nodes(path)[1]))
""",
    "BLOOM_NOTES_ABOUT": """
MATCH (concept:Concept)
WHERE toLower(concept.name) = toLower($concept) OR concept.id = $concept
   OR any(alias IN coalesce(concept.aliases, []) WHERE toLower(alias) = toLower($concept))
MATCH path = (note:Note)-[:MENTIONS|CONNECTS_TO]->(concept)
""",
    "BLOOM_TIMELINE_OF": """
MATCH (concept:Concept)
WHERE toLower(concept.name) = toLower($concept) OR concept.id = $concept
   OR any(alias IN coalesce(concept.aliases, []) WHERE toLower(alias) = toLower($concept))
MATCH path = (item)-[:MENTIONS|CONNECTS_TO|ABOUT|CONCERNS]->(concept)
WHERE (item:Note OR item:Paper OR item:PolicyEvent)
  AND coalesce(item.published, item.date, item.first_seen) IS NOT NULL
""",
    "BLOOM_SOURCE_SAID_ABOUT": """
MATCH (source:Source)
WHERE toLower(source.name) = toLower($source) OR source.id = $source
MATCH (concept:Concept)
WHERE toLower(concept.name) = toLower($concept) OR concept.id = $concept
   OR any(alias IN coalesce(concept.aliases, []) WHERE toLower(alias) = toLower($concept))
MATCH path = (source)-[:PUBLISHED]->(note:Note)-[:MENTIONS|CONNECTS_TO]->(concept)
""",
    "BLOOM_POLICY_EVENTS_ABOUT": """
MATCH (concept:Concept)
WHERE toLower(concept.name) = toLower($concept) OR concept.id = $concept
   OR any(alias IN coalesce(concept.aliases, []) WHERE toLower(alias) = toLower($concept))
MATCH path = (event:PolicyEvent)-[:CONCERNS]->(concept)
""",
    "BLOOM_RELATED_CONCEPTS": """
MATCH (concept:Concept)
WHERE toLower(concept.name) = toLower($concept) OR concept.id = $concept
   OR any(alias IN coalesce(concept.aliases, []) WHERE toLower(alias) = toLower($concept))
MATCH path = (concept)-[related:RELATED_TO]-(other:Concept)
WHERE other <> concept
""",
    # Scene actions: a selection binding `n` comes first.
    "BLOOM_EXPAND_TO_PAPERS": """
MATCH path = (n)-[*1..2]-(paper:Paper)
WHERE paper <> n AND (length(path) = 1 OR 'Note' IN labels(nodes(path)[1]))
""",
    "BLOOM_EXPAND_TO_NOTES": """
MATCH path = (n)--(note:Note)
WHERE note <> n
""",
}

BLOOM_PAPERS_CONNECTED_TO = BLOOM_PATTERNS["BLOOM_PAPERS_CONNECTED_TO"] + """WITH DISTINCT paper
RETURN paper.id AS id, paper.name AS name, paper.pagerank AS pagerank
ORDER BY coalesce(pagerank, 0.0) DESC, id
LIMIT $limit
"""

BLOOM_NOTES_ABOUT = BLOOM_PATTERNS["BLOOM_NOTES_ABOUT"] + """WITH DISTINCT note
RETURN note.id AS id, note.title AS title, note.published AS published
ORDER BY published DESC, id
LIMIT $limit
"""

BLOOM_TIMELINE_OF = BLOOM_PATTERNS["BLOOM_TIMELINE_OF"] + """WITH DISTINCT item
RETURN item.id AS id, labels(item)[0] AS label, coalesce(item.title, item.name) AS title,
       coalesce(item.published, item.date, item.first_seen) AS day
ORDER BY day, label, id
LIMIT $limit
"""

BLOOM_SOURCE_SAID_ABOUT = BLOOM_PATTERNS["BLOOM_SOURCE_SAID_ABOUT"] + """WITH DISTINCT note
RETURN note.id AS id, note.title AS title, note.published AS published, note.tldr AS tldr
ORDER BY published DESC, id
LIMIT $limit
"""

BLOOM_POLICY_EVENTS_ABOUT = BLOOM_PATTERNS["BLOOM_POLICY_EVENTS_ABOUT"] + """WITH DISTINCT event
RETURN event.id AS id, event.name AS name, event.date AS day, event.jurisdiction AS jurisdiction
ORDER BY day, id
LIMIT $limit
"""

BLOOM_RELATED_CONCEPTS = BLOOM_PATTERNS["BLOOM_RELATED_CONCEPTS"] + """WITH other, max(related.weight) AS weight
RETURN other.id AS id, other.name AS name, weight
ORDER BY coalesce(weight, 0.0) DESC, id
LIMIT $limit
"""

BLOOM_EXPAND_TO_PAPERS = BLOOM_SELECTIONS["refs"] + BLOOM_PATTERNS["BLOOM_EXPAND_TO_PAPERS"] + """WITH DISTINCT paper
RETURN paper.id AS id, paper.name AS name
ORDER BY id
LIMIT $limit
"""

BLOOM_EXPAND_TO_NOTES = BLOOM_SELECTIONS["refs"] + BLOOM_PATTERNS["BLOOM_EXPAND_TO_NOTES"] + """WITH DISTINCT note
RETURN note.id AS id, note.title AS title, note.published AS published
ORDER BY published DESC, id
LIMIT $limit
"""

STATEMENTS: dict[str, str] = {
    name: value
    for name, value in globals().items()
    if name.isupper() and isinstance(value, str)
}
