"""The whole knowledge graph as plain, sorted data: for comparing two graphs and for inspection.

Bookkeeping nodes (schema.SYSTEM_LABELS) are left out; everything else is there, every property
of every node and relationship, in an order that does not depend on the backend.
"""

from __future__ import annotations

import json
from typing import Any

from graph import analytics_queries as aq
from graph import schema
from graph import sync_queries as q
from graph.store.base import GraphStore


def dump_graph(store: GraphStore) -> dict[str, list[Any]]:
    """{"nodes": [(labels, id, properties)], "edges": [(source label, source id, type, target label, target id, properties)]}."""
    labels = list(schema.LABELS)
    nodes = [(sorted(row["labels"]), row["props"].get("id"), row["props"]) for row in q.run(store, aq.DUMP_NODES, labels=labels)]
    edges = [
        (row["source_label"], row["source"], row["type"], row["target_label"], row["target"], row["props"])
        for row in q.run(store, aq.DUMP_EDGES, labels=labels)
    ]
    return {"nodes": sorted(nodes, key=_order), "edges": sorted(edges, key=_order)}


def _order(item: tuple) -> str:
    return json.dumps(item, sort_keys=True, default=str)
