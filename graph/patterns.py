"""Statements whose label, relationship type, direction or hop count is chosen at run time.

Cypher takes none of these as a `$parameter`, so each statement here is built from the
allow-lists of `graph/schema.py` and nothing else; every value still travels as a parameter.
`all_statements()` lists every statement these builders can produce, for the Cypher lint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph import schema
from graph.errors import QueryInputError

if TYPE_CHECKING:
    from graph.store.base import GraphStore

MAX_LIMIT = 1000


def check_limit(limit: int) -> int:
    """Return `limit` if it is an int from 1 to MAX_LIMIT, else raise QueryInputError."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryInputError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def check_edge(start_label: str, rel_type: str, end_label: str) -> tuple[str, str, str]:
    """Return the triple if the graph declares it (schema.EDGES), else raise QueryInputError."""
    edge = (schema.check_label(start_label), schema.check_rel_type(rel_type), schema.check_label(end_label))
    if edge not in schema.EDGES:
        raise QueryInputError(f"the graph has no ({start_label})-[:{rel_type}]->({end_label}) relationship")
    return edge


# --- builders -------------------------------------------------------------------------------


def node_upsert_statement(label: str) -> tuple[str, str]:
    label = schema.check_label(label)
    return f"UPSERT_NODES[{label}]", f"UNWIND $rows AS row\nMERGE (n:{label} {{id: row.id}})\nSET n += row.props\n"


def edge_upsert_statement(start_label: str, rel_type: str, end_label: str) -> tuple[str, str]:
    start, rel, end = check_edge(start_label, rel_type, end_label)
    return (
        f"UPSERT_EDGES[{start}-{rel}->{end}]",
        f"UNWIND $rows AS row\nMATCH (a:{start} {{id: row.start}})\nMATCH (b:{end} {{id: row.end}})\n"
        f"MERGE (a)-[r:{rel}]->(b)\nSET r += row.props\nRETURN count(r) AS linked\n",
    )


def neighbourhood_statement(direction: str, hops: int) -> tuple[str, str]:
    """Nodes within `hops` of one node, one way or both; labels and relationship type are values.

    Only the shape (direction, hop count) is spliced in, so there are 9 statements in all. The start
    node is found by `id` and label without a label index: fine for the graph sizes this serves.
    """
    pattern = schema.relationship_pattern((), direction, hops)
    return f"NEIGHBOURHOOD[{direction}|{hops}]", (
        "MATCH (n {id: $id})\n"
        "WHERE labels(n)[0] = $label\n"
        f"MATCH path = (n){pattern}(m)\n"
        "WHERE m <> n AND ($rel_type IS NULL OR all(r IN relationships(path) WHERE type(r) = $rel_type))\n"
        "  AND ($target_label IS NULL OR labels(m)[0] = $target_label)\n"
        "WITH DISTINCT m\n"
        "RETURN labels(m)[0] AS label, m.id AS id, coalesce(m.name, m.title) AS name\n"
        "ORDER BY label, id\n"
        "LIMIT $limit\n"
    )


def all_statements() -> dict[str, str]:
    """Every statement the builders above can produce, by name."""
    built = [node_upsert_statement(label) for label in schema.LABELS]
    built += [edge_upsert_statement(*edge) for edge in schema.EDGES]
    built += [neighbourhood_statement(direction, hops) for direction in schema.DIRECTIONS for hops in range(1, schema.MAX_HOPS + 1)]
    return dict(built)


# --- operations -----------------------------------------------------------------------------


def upsert_nodes(store: GraphStore, label: str, rows: list[dict[str, Any]]) -> None:
    """rows: {id, props}; MERGE by `id`, then set the properties given (others stay)."""
    name, statement = node_upsert_statement(label)
    for row in rows:
        schema.check_node_id(row["id"])
        if "id" in row["props"]:
            raise QueryInputError("a node's id is set by the row's `id`, not among its props")
    if rows:
        store.run(name, statement, {"rows": list({row["id"]: row for row in rows}.values())})


def upsert_edges(store: GraphStore, start_label: str, rel_type: str, end_label: str, rows: list[dict[str, Any]]) -> int:
    """rows: {start, end, props}; one relationship per pair, its properties set. Returns how many
    rows found both ends (a row naming a missing node links nothing)."""
    name, statement = edge_upsert_statement(start_label, rel_type, end_label)
    if not rows:
        return 0
    unique = list({(row["start"], row["end"]): row for row in rows}.values())
    return store.run(name, statement, {"rows": unique})[0]["linked"]


def neighbourhood(
    store: GraphStore,
    label: str,
    node_id: str,
    rel_type: str | None = None,
    direction: str = "both",
    hops: int = 1,
    target_label: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """[{label, id, name}] of the nodes within `hops` of (label {id: node_id}), every relationship on
    the way of type `rel_type` (any if None), ending on `target_label` (any if None)."""
    name, statement = neighbourhood_statement(direction, hops)
    params = {
        "id": node_id,
        "label": schema.check_label(label),
        "rel_type": schema.check_rel_type(rel_type) if rel_type is not None else None,
        "target_label": schema.check_label(target_label) if target_label is not None else None,
        "limit": check_limit(limit),
    }
    return store.run(name, statement, params)
