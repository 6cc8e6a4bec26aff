"""The neighbourhood of a node as plain nodes and typed edges, for the page's small interactive graph."""

from __future__ import annotations

import json
from typing import Any

from api.web.render import node_url
from graph.read import NeighbourGroup

MAX_PER_TYPE = 8


def neighbourhood(center_label: str, center_id: str, center_title: str, groups: list[NeighbourGroup],
                  per_type: int = MAX_PER_TYPE) -> dict[str, Any]:
    """{nodes: [{id, type, title, url, center?}], edges: [{source, target, type}]}, at most `per_type` neighbours of each type."""
    center_key = f"{center_label}:{center_id}"
    nodes = [{"key": center_key, "type": center_label, "title": center_title, "url": node_url(center_label, center_id), "center": True}]
    edges = []
    for group in groups:
        for item in group.items[:per_type]:
            key = f"{group.label}:{item['id']}"
            nodes.append({"key": key, "type": group.label, "title": item["title"], "url": node_url(group.label, item["id"])})
            for rel in item["relationships"]:
                out = rel["direction"] == "out"
                edges.append({"source": center_key if out else key, "target": key if out else center_key, "type": rel["type"]})
    return {"nodes": nodes, "edges": edges}


def as_attribute(data: dict[str, Any]) -> str:
    """JSON for a `data-` attribute (Jinja escapes it): the page carries its data, not an inline script."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
