"""The Cypher of derived edges, analytics and graph dumps, in the subset both engines run.

Built and named like `graph/sync_queries.py` (whose `Stmt` and runners they share); `statements()`
lists every one of them for the lint test.
"""

from __future__ import annotations

from functools import cache

from graph import schema
from graph.sync_queries import CONNECTION_TARGETS, DECLARED_LINKS, Stmt

# Computed by graph/derived.py: (type, from, to).
DERIVED_LINKS: tuple[tuple[str, str, str], ...] = (
    ("ABOUT", "Paper", "Concept"),
    ("CONCERNS", "PolicyEvent", "Concept"),
    ("RELATED_TO", "Concept", "Concept"),
)
# Every (type, from, to) the sync writes: what analytics read back.
PROJECTED_LINKS: tuple[tuple[str, str, str], ...] = (
    ("PUBLISHED", "Source", "Note"),
    *(("MENTIONS", "Note", label) for label in schema.ENTITY_LABELS),
    *(("CONNECTS_TO", "Note", label) for label in CONNECTION_TARGETS),
    *dict.fromkeys(DECLARED_LINKS + DERIVED_LINKS),
)

MARK_STALE = Stmt("ANALYTICS_MARK_STALE", """
MERGE (s:SyncState {id: $id})
SET s.stale = $stale
""")

READ_STALE = Stmt("ANALYTICS_READ_STALE", """
OPTIONAL MATCH (s:SyncState {id: $id})
RETURN s.stale AS stale
""")

ENTITY_MENTIONS = Stmt("DERIVED_ENTITY_MENTIONS", """
MATCH (n:Note)-[m:MENTIONS]->(e)
WHERE labels(e)[0] IN $labels
RETURN n.id AS note, labels(e)[0] AS label, e.id AS id, m.salience AS salience
""")

PROJECT_NODES = Stmt("ANALYTICS_PROJECT_NODES", """
MATCH (n)
WHERE labels(n)[0] IN $labels
RETURN labels(n)[0] AS label, n.id AS id, n.published AS published,
       n.page_first_seen AS page_first_seen, n.page_last_seen AS page_last_seen,
       n {.degree, .pagerank, .mention_count, .community, .first_seen, .first_seen_ms, .last_seen, .last_seen_ms} AS current
""")

DUMP_NODES = Stmt("DUMP_NODES", """
MATCH (n)
WHERE labels(n)[0] IN $labels
RETURN labels(n) AS labels, properties(n) AS props
""")

DUMP_EDGES = Stmt("DUMP_EDGES", """
MATCH (a)-[r]->(b)
WHERE labels(a)[0] IN $labels AND labels(b)[0] IN $labels
RETURN labels(a)[0] AS source_label, a.id AS source, type(r) AS type,
       labels(b)[0] AS target_label, b.id AS target, properties(r) AS props
""")

FIXED: tuple[Stmt, ...] = tuple(value for value in list(globals().values()) if isinstance(value, Stmt))


@cache
def read_links(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"DERIVED_READ_LINKS[{rel_type}]", f"""
MATCH (a:{source})-[r:{rel_type}]->(b:{target})
RETURN a.id AS source, b.id AS target, r.origin AS origin, properties(r) AS props
""")


@cache
def delete_derived(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"DERIVED_DELETE[{rel_type}]", f"""
UNWIND $rows AS row
MATCH (:{source} {{id: row.source}})-[r:{rel_type} {{origin: 'derived'}}]->(:{target} {{id: row.target}})
DELETE r
""")


@cache
def upsert_derived(rel_type: str, source: str, target: str) -> Stmt:
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    return Stmt(f"DERIVED_UPSERT[{rel_type}]", f"""
UNWIND $rows AS row
MATCH (a:{source} {{id: row.source}})
WITH a, row
MATCH (b:{target} {{id: row.target}})
MERGE (a)-[r:{rel_type} {{origin: 'derived'}}]->(b)
SET r += row.props
""")


@cache
def project_links(rel_type: str, source: str, target: str) -> Stmt:
    """One relationship shape as (source id, target id, weight): three columns keep the read-back light."""
    rel_type, source, target = schema.check_rel_type(rel_type), schema.check_label(source), schema.check_label(target)
    # Every expression reads `r`: FalkorDB returns one row per node pair, not per relationship, when
    # the relationship variable is not used (Neo4j returns one per relationship).
    weight = "r.salience" if rel_type == "MENTIONS" else "coalesce(r.weight, 1.0)"
    return Stmt(f"ANALYTICS_PROJECT_LINKS[{source}-{rel_type}->{target}]", f"""
MATCH (a:{source})-[r:{rel_type}]->(b:{target})
RETURN a.id AS source, b.id AS target, {weight} AS weight
""")


@cache
def write_properties(label: str) -> Stmt:
    label = schema.check_label(label)
    return Stmt(f"ANALYTICS_WRITE[{label}]", f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
SET n += row.props
""")


def statements() -> dict[str, str]:
    """Every statement this module can build, by name, for the lint test."""
    built = list(FIXED)
    for shape in DERIVED_LINKS:
        built += [read_links(*shape), delete_derived(*shape), upsert_derived(*shape)]
    built += [project_links(*shape) for shape in PROJECTED_LINKS]
    built += [write_properties(label) for label in schema.LABELS]
    return {stmt.name: stmt.cypher for stmt in built}
