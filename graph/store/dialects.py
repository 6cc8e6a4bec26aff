"""What differs between backends: schema DDL, schema introspection and full-text search.

This module holds every backend-specific statement, for both dialects. The common statements,
written in the Cypher subset both engines run, live next to the code that sends them
(`graph/queries.py`, `graph/migrations.py`, `graph/sync_queries.py`, `graph/analytics_queries.py`,
`graph/patterns.py`, `graph/read_queries.py`, `graph/retrieval/cypher.py`).
Labels and property names are not parameterisable in DDL, so every statement here is built
from the allow-lists in `graph/schema.py`; values still travel as `$parameters`.

`all_statements(dialect)` is the catalogue: every Cypher string the code can send to a backend,
common and dialect-specific; a test has Neo4j's own parser check each of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graph import analytics_queries, migrations, patterns, queries, read_queries, schema, sync_queries

FALKORDB = "falkordb"
NEO4J = "neo4j"
DIALECTS = (FALKORDB, NEO4J)


@dataclass(frozen=True)
class SchemaStatement:
    """One named DDL statement; `key` identifies what it creates, e.g. ("RANGE", "Note", "published")."""

    name: str
    key: tuple[str, str, str]
    cypher: str
    params: tuple[tuple[str, Any], ...] = ()

    def params_dict(self) -> dict[str, Any]:
        return dict(self.params)


# --- FalkorDB -------------------------------------------------------------------------------

FALKOR_LIST_INDEXES = """
CALL db.indexes() YIELD label, properties, types, entitytype
RETURN label, properties, types, entitytype
"""

FALKOR_LIST_CONSTRAINTS = """
CALL db.constraints() YIELD type, label, properties, entitytype, status
RETURN type, label, properties, entitytype, status
"""

FALKOR_FULLTEXT_QUERY = """
CALL db.idx.fulltext.queryNodes($label, $query) YIELD node, score
RETURN node.id AS id, node.title AS title, score
ORDER BY score DESC, id
LIMIT $limit
"""


def falkor_range_index(label: str, prop: str) -> SchemaStatement:
    label, prop = schema.check_any_label(label), schema.check_property(prop)
    return SchemaStatement(
        name=f"FALKOR_RANGE_INDEX[{label}.{prop}]",
        key=("RANGE", label, prop),
        cypher=f"CREATE INDEX FOR (n:{label}) ON (n.{prop})",
    )


def falkor_fulltext_index(label: str, prop: str) -> SchemaStatement:
    label, prop = schema.check_label(label), schema.check_property(prop)
    return SchemaStatement(
        name=f"FALKOR_FULLTEXT_INDEX[{label}.{prop}]",
        key=("FULLTEXT", label, prop),
        cypher="CALL db.idx.fulltext.createNodeIndex($label, $property)",
        params=(("label", label), ("property", prop)),
    )


def falkor_unique_id_command(graph_name: str, label: str) -> tuple[Any, ...]:
    """The redis command (not Cypher: FalkorDB has no constraint DDL) making `id` unique per label.

    FalkorDB requires a range index on the property first; `falkor_schema()` lists it earlier.
    """
    label = schema.check_any_label(label)
    return ("GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, "id")


def falkor_drop_unique_id_command(graph_name: str, label: str) -> tuple[Any, ...]:
    label = schema.check_any_label(label)
    return ("GRAPH.CONSTRAINT", "DROP", graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, "id")


def falkor_schema(
    unique_ids: tuple[str, ...] | None = None,
    range_indexes: tuple[tuple[str, str], ...] | None = None,
    fulltext_indexes: tuple[tuple[str, str], ...] | None = None,
) -> list[SchemaStatement]:
    """Indexes in creation order: the `id` range index of each unique label, then the others.

    Without arguments: every object of every migration (what a fully migrated graph holds).
    """
    unique_ids, range_indexes, fulltext_indexes = _objects(unique_ids, range_indexes, fulltext_indexes)
    steps = [falkor_range_index(label, "id") for label in unique_ids]
    steps += [falkor_range_index(label, prop) for label, prop in range_indexes]
    steps += [falkor_fulltext_index(label, prop) for label, prop in fulltext_indexes]
    return steps


# --- Neo4j ----------------------------------------------------------------------------------

NEO4J_AWAIT_INDEXES = "CALL db.awaitIndexes($timeout_s)"

NEO4J_FULLTEXT_QUERY = """
CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit}) YIELD node, score
RETURN node.id AS id, node.title AS title, score
ORDER BY score DESC, id
"""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def neo4j_fulltext_index_name(label: str, prop: str) -> str:
    return f"{_snake(schema.check_label(label))}_{schema.check_property(prop)}_fulltext"


def neo4j_unique_id(label: str) -> SchemaStatement:
    label = schema.check_any_label(label)
    name = f"{_snake(label)}_id_unique"
    return SchemaStatement(
        name=f"NEO4J_UNIQUE_ID[{label}]",
        key=("UNIQUE", label, "id"),
        cypher=f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE",
    )


def neo4j_range_index(label: str, prop: str) -> SchemaStatement:
    label, prop = schema.check_label(label), schema.check_property(prop)
    name = f"{_snake(label)}_{prop}_range"
    return SchemaStatement(
        name=f"NEO4J_RANGE_INDEX[{label}.{prop}]",
        key=("RANGE", label, prop),
        cypher=f"CREATE RANGE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})",
    )


def neo4j_fulltext_index(label: str, prop: str) -> SchemaStatement:
    label, prop = schema.check_label(label), schema.check_property(prop)
    return SchemaStatement(
        name=f"NEO4J_FULLTEXT_INDEX[{label}.{prop}]",
        key=("FULLTEXT", label, prop),
        cypher=(
            f"CREATE FULLTEXT INDEX {neo4j_fulltext_index_name(label, prop)} IF NOT EXISTS "
            f"FOR (n:{label}) ON EACH [n.{prop}]"
        ),
    )


def neo4j_schema(
    unique_ids: tuple[str, ...] | None = None,
    range_indexes: tuple[tuple[str, str], ...] | None = None,
    fulltext_indexes: tuple[tuple[str, str], ...] | None = None,
) -> list[SchemaStatement]:
    """Constraints first: each one brings its own index on `id`. Without arguments: every migration's objects."""
    unique_ids, range_indexes, fulltext_indexes = _objects(unique_ids, range_indexes, fulltext_indexes)
    steps = [neo4j_unique_id(label) for label in unique_ids]
    steps += [neo4j_range_index(label, prop) for label, prop in range_indexes]
    steps += [neo4j_fulltext_index(label, prop) for label, prop in fulltext_indexes]
    return steps


def _objects(unique_ids, range_indexes, fulltext_indexes):
    if unique_ids is None and range_indexes is None and fulltext_indexes is None:
        return migrations.all_objects()
    return unique_ids or (), range_indexes or (), fulltext_indexes or ()


# --- full-text search terms -----------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def fulltext_terms(text: str) -> list[str]:
    """The words of a user's search text, lower-cased.

    Both engines have a query language (RediSearch, Lucene) in which punctuation and upper-case
    AND/OR/NOT are operators; we search for words only, so user text can never be an operator.
    """
    return [word.lower() for word in _WORD.findall(text)]


def fulltext_query(dialect: str, label: str, prop: str, text: str, limit: int) -> tuple[str, str, dict[str, Any]] | None:
    """(statement name, statement, params) matching titles containing every word, or None if no words."""
    terms = fulltext_terms(text)
    if not terms:
        return None
    if dialect == FALKORDB:
        # RediSearch: space-separated terms are ANDed.
        params = {"label": schema.check_label(label), "query": " ".join(terms), "limit": int(limit)}
        return "FALKOR_FULLTEXT_QUERY", FALKOR_FULLTEXT_QUERY, params
    if dialect == NEO4J:
        params = {"index": neo4j_fulltext_index_name(label, prop), "query": " AND ".join(terms), "limit": int(limit)}
        return "NEO4J_FULLTEXT_QUERY", NEO4J_FULLTEXT_QUERY, params
    raise ValueError(f"unknown dialect {dialect!r}")


# --- full-text search of entity names and aliases (retrieval's entity resolution) ------------

FALKOR_NAME_SEARCH = """
UNWIND $labels AS label
CALL db.idx.fulltext.queryNodes(label, $query) YIELD node, score
RETURN label, node.id AS id, node.name AS name, node.aliases AS aliases, score
ORDER BY score DESC, id
LIMIT $limit
"""

NEO4J_NAME_SEARCH = """
UNWIND $indexes AS index
CALL db.index.fulltext.queryNodes(index, $query, {limit: $limit}) YIELD node, score
RETURN labels(node)[0] AS label, node.id AS id, node.name AS name, node.aliases AS aliases, score
ORDER BY score DESC, id
LIMIT $limit
"""

FUZZY_MIN_LENGTH = 5  # shorter words only match exactly: one edit in four letters is another word


def name_search_query(
    dialect: str, labels: tuple[str, ...], words: list[str], limit: int
) -> tuple[str, str, dict[str, Any]] | None:
    """(statement name, statement, params) finding nodes of `labels` whose name or aliases contain any
    of `words` (long words also with one typo), or None if there is nothing to search for."""
    words = [word for word in dict.fromkeys(words) if len(word) > 1]
    if not words or not labels:
        return None
    for label in labels:
        schema.check_label(label)
    if dialect == FALKORDB:
        # RediSearch: `|` is OR, `%word%` allows one edit.
        terms = [f"%{word}%" if _fuzzy(word) else word for word in words]
        params = {"labels": list(labels), "query": " | ".join(terms), "limit": int(limit)}
        return "FALKOR_NAME_SEARCH", FALKOR_NAME_SEARCH, params
    if dialect == NEO4J:
        # Lucene: `word~1` allows one edit.
        terms = [f"{word}~1" if _fuzzy(word) else word for word in words]
        indexes = [neo4j_fulltext_index_name(label, prop) for label, prop in schema.FULLTEXT_INDEXES if label in labels]
        params = {"indexes": indexes, "query": " OR ".join(terms), "limit": int(limit)}
        return "NEO4J_NAME_SEARCH", NEO4J_NAME_SEARCH, params
    raise ValueError(f"unknown dialect {dialect!r}")


def _fuzzy(word: str) -> bool:
    return len(word) >= FUZZY_MIN_LENGTH and not word.isdigit()


# --- the catalogue the lint test reads ------------------------------------------------------


def all_statements(dialect: str) -> dict[str, str]:
    """Every Cypher statement the code can send to `dialect`, by name: common ones plus the dialect's."""
    from graph.retrieval import cypher as retrieval_cypher  # here, not at the top: retrieval imports the store

    statements = dict(queries.STATEMENTS)
    statements.update(migrations.STATEMENTS)
    statements.update(sync_queries.statements())
    statements.update(analytics_queries.statements())
    statements.update(patterns.all_statements())
    statements.update(retrieval_cypher.statements())
    statements.update(read_queries.statements())
    if dialect == FALKORDB:
        statements.update({step.name: step.cypher for step in falkor_schema()})
        statements["FALKOR_LIST_INDEXES"] = FALKOR_LIST_INDEXES
        statements["FALKOR_LIST_CONSTRAINTS"] = FALKOR_LIST_CONSTRAINTS
        statements["FALKOR_FULLTEXT_QUERY"] = FALKOR_FULLTEXT_QUERY
        statements["FALKOR_NAME_SEARCH"] = FALKOR_NAME_SEARCH
    elif dialect == NEO4J:
        statements.update({step.name: step.cypher for step in neo4j_schema()})
        statements["NEO4J_AWAIT_INDEXES"] = NEO4J_AWAIT_INDEXES
        statements["NEO4J_FULLTEXT_QUERY"] = NEO4J_FULLTEXT_QUERY
        statements["NEO4J_NAME_SEARCH"] = NEO4J_NAME_SEARCH
    else:
        raise ValueError(f"unknown dialect {dialect!r}")
    return statements
