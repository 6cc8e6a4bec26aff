"""Every statement retrieval sends, in the common subset (its full-text name search is per dialect: graph/store/dialects.py).

Labels appear in statements only from `graph/schema.py`'s allow-lists; relationship types,
ids, dates and limits are `$parameters`. A node is found by label and id through one
`OPTIONAL MATCH` per label (each uses the label's id index), so a statement can start from
nodes of several labels at once: the neighbourhood of a frontier is one statement per hop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from graph import schema
from graph.store import dialects

# What retrieval reads of a node, as flat columns (maps and lists cost far more to send and parse).
# `day`: a note's publication, an entity's own date, else when the wiki first saw it.
_WALK_COLUMNS = (
    "labels({v})[0] AS label, {v}.id AS id, {v}.degree AS degree, {v}.pagerank AS pagerank, "
    "coalesce({v}.published, {v}.date, {v}.first_seen) AS day, {v}.tier AS tier"
)
# … and of a node shown (a result, a node on a path), once.
_DETAIL_COLUMNS = (
    ", coalesce({v}.title, {v}.name) AS title, {v}.name AS name, {v}.aliases AS aliases, {v}.url AS url, "
    "{v}.arxiv_id AS arxiv_id, {v}.doi_id AS doi_id, {v}.source_name AS source_name, "
    "head([(s:Source)-[:PUBLISHED]->({v}) | s.id]) AS source"
)


DETAIL_COLUMNS = ("title", "name", "aliases", "url", "arxiv_id", "doi_id", "source_name", "source")


def node_columns(var: str, detail: bool = False) -> str:
    return _WALK_COLUMNS.format(v=var) + (_DETAIL_COLUMNS.format(v=var) if detail else "")


def _bind_by_key(row: str, carry: str = "") -> str:
    """Bind `n` to the node of `{row}.label` and `{row}.id`, for any label of the allow-list
    (`carry`: other variables to keep, e.g. "f, ")."""
    labels = schema.LABELS
    lines = [
        f"OPTIONAL MATCH (n{i}:{schema.check_label(label)} {{id: {row}.id}}) WHERE {row}.label = '{label}'"
        for i, label in enumerate(labels)
    ]
    lines.append(f"WITH {carry}{row}, coalesce({', '.join(f'n{i}' for i in range(len(labels)))}) AS n")
    lines.append("WHERE n IS NOT NULL")
    return "\n".join(lines)


@dataclass(frozen=True)
class Stmt:
    name: str
    cypher: str


# One hop out of a frontier: every relationship of an allowed type, the strongest first (a mention's
# salience, a relatedness weight), then the most central neighbours (pagerank), at most $cap per node:
# a capped hub keeps the notes most about it. The order is total (then by the neighbour's id and
# label, the type, outgoing first), so the cap cuts in one place: the snapshot's. One row per
# relationship: `f` the position of the node it starts from in $rows, the relationship (`strength`:
# its salience or weight), the node it reaches. As few columns as will do: every value costs.
EXPAND = Stmt("RETRIEVAL_EXPAND", f"""
UNWIND range(0, size($rows) - 1) AS f
WITH f, $rows[f] AS row
{_bind_by_key("row", carry="f, ")}
MATCH (n)-[r]-(m)
WHERE type(r) IN $types AND labels(m)[0] IN $labels
WITH f, n, r, m
ORDER BY coalesce(r.salience, r.weight, 0.5) DESC, coalesce(m.pagerank, 0.0) DESC, m.id, labels(m)[0], type(r), startNode(r) = n DESC
WITH f, n, collect(r)[..$cap] AS rels
UNWIND rels AS r
WITH f, n, r, CASE WHEN startNode(r) = n THEN endNode(r) ELSE startNode(r) END AS m
RETURN f, type(r) AS type, startNode(r) = n AS out, coalesce(r.salience, r.weight) AS strength, r.reason AS reason,
       {node_columns("m")}
""")

NODES = Stmt("RETRIEVAL_NODES", f"""
UNWIND $rows AS row
{_bind_by_key("row")}
RETURN {node_columns("n", detail=True)}
""")

# The notes that mention or link to each entity, most salient first, at most $cap each.
ENTITY_NOTES = Stmt("RETRIEVAL_ENTITY_NOTES", f"""
UNWIND $rows AS row
{_bind_by_key("row")}
MATCH (note:Note)-[r:MENTIONS|CONNECTS_TO]->(n)
WITH n, note, max(coalesce(r.salience, 0.0)) AS salience
ORDER BY salience DESC, note.id
WITH n, collect(note.id)[..$cap] AS notes
RETURN labels(n)[0] AS label, n.id AS id, notes
""")

SOURCE_NOTES = Stmt("RETRIEVAL_SOURCE_NOTES", """
MATCH (:Source {id: $id})-[:PUBLISHED]->(n:Note)
RETURN n.id AS id
""")

PERSON_NOTES = Stmt("RETRIEVAL_PERSON_NOTES", """
MATCH (n:Note)-[:MENTIONS]->(:Person {id: $id})
RETURN n.id AS id
UNION
MATCH (n:Note)
WHERE toLower(n.author) = toLower($name)
RETURN n.id AS id
""")


# --- the snapshot: the whole topology the walk reads, in a few bulk statements -----------------
# (graph/retrieval/snapshot.py). Nodes with the walk's columns; relationships one type at a time,
# with what EXPAND reads of them (`strength`, `reason`) and both ends by key.

SNAPSHOT_NODES = Stmt("RETRIEVAL_SNAPSHOT_NODES", f"""
MATCH (v)
WHERE labels(v)[0] IN $labels
RETURN {node_columns("v", detail=True)}
""")


@cache
def snapshot_edges(rel_type: str) -> Stmt:
    """Every relationship of `rel_type` between nodes of the knowledge labels."""
    rel_type = schema.check_rel_type(rel_type)
    return Stmt(f"RETRIEVAL_SNAPSHOT_EDGES[{rel_type}]", f"""
MATCH (a)-[r:{rel_type}]->(b)
WHERE labels(a)[0] IN $labels AND labels(b)[0] IN $labels
RETURN labels(a)[0] AS source_label, a.id AS source, labels(b)[0] AS target_label, b.id AS target,
       coalesce(r.salience, r.weight) AS strength, r.reason AS reason
""")


# The graph's generation: a fresh token written at the end of every sync that changed the graph,
# on a bookkeeping node (schema.SYSTEM_LABELS), so a snapshot knows when it is out of date.
GENERATION_BUMP = Stmt("RETRIEVAL_GENERATION_BUMP", """
MERGE (s:SyncState {id: $id})
SET s.generation = $generation
""")

GENERATION_READ = Stmt("RETRIEVAL_GENERATION_READ", """
OPTIONAL MATCH (s:SyncState {id: $id})
RETURN s.generation AS generation
""")


@cache
def dated(label: str) -> Stmt:
    """Nodes of `label` whose own date (published, else date, else first seen) is within the bounds."""
    label = schema.check_label(label)
    return Stmt(f"RETRIEVAL_DATED[{label}]", f"""
MATCH (m:{label})
WITH m, coalesce(m.published_ms, m.date_ms, m.first_seen_ms) AS day_ms
WHERE day_ms IS NOT NULL AND ($since_ms IS NULL OR day_ms >= $since_ms) AND ($until_ms IS NULL OR day_ms <= $until_ms)
RETURN {node_columns("m", detail=True)}
ORDER BY coalesce(pagerank, 0.0) DESC, day DESC, id
LIMIT $limit
""")


# --- full text: names and aliases (the statements are per dialect, in graph/store/dialects.py) ---


def name_search(dialect: str, labels: tuple[str, ...], words: list[str], limit: int) -> tuple[Stmt, dict[str, Any]] | None:
    """Nodes of `labels` whose name or aliases contain any of `words` (long words also with one typo)."""
    found = dialects.name_search_query(dialect, labels, words, limit)
    if found is None:
        return None
    name, cypher, params = found
    return Stmt(name, cypher), params


def run(store, stmt: Stmt, **params) -> list[dict]:
    return store.run(stmt.name, stmt.cypher, params)


def statements() -> dict[str, str]:
    """Every statement this module can send (to either backend), for the Cypher lint."""
    built = [EXPAND, NODES, ENTITY_NOTES, SOURCE_NOTES, PERSON_NOTES, *(dated(label) for label in schema.LABELS)]
    built += [SNAPSHOT_NODES, *(snapshot_edges(rel_type) for rel_type in schema.REL_TYPES), GENERATION_BUMP, GENERATION_READ]
    return {stmt.name: stmt.cypher for stmt in built}
