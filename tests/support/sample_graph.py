"""A small knowledge graph of our own with known answers, built through the store's operations.

Two sources, five notes, three concepts, three papers, two policy events, an organisation, a
person and a model. It is shaped so each Bloom question has a distinct, checkable answer, and
so the wrong answers are near: a paper two hops away through a concept (not through a note), a
note whose id equals a concept's id, a concept reached only by its alias.
"""

from __future__ import annotations

from collections import defaultdict

from graph import patterns
from graph.store.base import GraphStore

SOURCES = [
    {"id": "lab-blog", "props": {"name": "Lab Blog", "feed_url": "http://127.0.0.1/lab.xml", "url": "", "tier": 1, "domains": ["ai"]}},
    {"id": "policy-wire", "props": {"name": "Policy Wire", "feed_url": "http://127.0.0.1/policy.xml", "url": "", "tier": 2, "domains": ["policy"]}},
]

# (id, source, title, published): "reward-hacking" is also a concept's id, on purpose.
NOTES = [
    ("small-students", "lab-blog", "Small students borrow reasoning", "2026-03-09"),
    ("reward-hacking", "lab-blog", "Reward hacking is a specification problem", "2026-03-24"),
    ("export-turn", "policy-wire", "The export control turn", "2026-06-16"),
    ("distillation-rules", "policy-wire", "Distillation under export rules", "2026-05-05"),
    ("needles", "lab-blog", "Needles are easy, haystacks are hard", "2026-04-21"),
]

ENTITIES = {
    "Concept": [
        {"id": "knowledge-distillation", "props": {"name": "Knowledge distillation", "aliases": ["KD", "model distillation"], "mention_count": 3}},
        {"id": "reward-hacking", "props": {"name": "Reward hacking", "aliases": [], "mention_count": 1}},
        {"id": "export-controls", "props": {"name": "Export controls", "aliases": ["chip export controls"], "mention_count": 2}},
    ],
    "Paper": [
        {"id": "borrowed-reasoning", "props": {"name": "Borrowed Reasoning in Small Students", "published": "2026-03-01", "pagerank": 0.3}},
        {"id": "spec-gaming", "props": {"name": "Specification Gaming in RL", "published": "2025-11-12", "pagerank": 0.2}},
        {"id": "compute-thresholds", "props": {"name": "Compute Thresholds", "published": "2026-06-01", "pagerank": 0.1}},
    ],
    "PolicyEvent": [
        {"id": "hr-4821", "props": {"name": "H.R. 4821", "date": "2026-06-10", "jurisdiction": "US", "kind": "bill"}},
        {"id": "gpai-code", "props": {"name": "GPAI Code of Practice", "date": "2026-04-01", "jurisdiction": "EU", "kind": "guidance"}},
    ],
    "Organization": [{"id": "acme-lab", "props": {"name": "Acme Lab", "aliases": []}}],
    "Person": [{"id": "ada-example", "props": {"name": "Ada Example", "aliases": []}}],
    "Model": [{"id": "tiny-7b", "props": {"name": "Tiny-7B", "aliases": []}}],
}

# (start label, start id, type, end label, end id, props)
EDGES = [
    ("Note", "small-students", "MENTIONS", "Concept", "knowledge-distillation", {"count": 4, "salience": 0.6}),
    ("Note", "small-students", "MENTIONS", "Paper", "borrowed-reasoning", {"count": 2, "salience": 0.3}),
    ("Note", "small-students", "MENTIONS", "Organization", "acme-lab", {"count": 1, "salience": 0.1}),
    ("Note", "small-students", "MENTIONS", "Model", "tiny-7b", {"count": 1, "salience": 0.1}),
    ("Note", "reward-hacking", "MENTIONS", "Concept", "reward-hacking", {"count": 5, "salience": 0.8}),
    ("Note", "reward-hacking", "MENTIONS", "Paper", "spec-gaming", {"count": 1, "salience": 0.2}),
    ("Note", "reward-hacking", "CONNECTS_TO", "Concept", "knowledge-distillation", {"reason": "same students"}),
    ("Note", "reward-hacking", "CONNECTS_TO", "Note", "small-students", {"reason": "earlier post"}),
    ("Note", "export-turn", "MENTIONS", "Concept", "export-controls", {"count": 3, "salience": 0.7}),
    ("Note", "export-turn", "MENTIONS", "PolicyEvent", "hr-4821", {"count": 2, "salience": 0.5}),
    ("Note", "export-turn", "MENTIONS", "Organization", "acme-lab", {"count": 1, "salience": 0.1}),
    ("Note", "export-turn", "MENTIONS", "Paper", "compute-thresholds", {"count": 1, "salience": 0.2}),
    ("Note", "distillation-rules", "MENTIONS", "Concept", "knowledge-distillation", {"count": 2, "salience": 0.4}),
    ("Note", "distillation-rules", "MENTIONS", "Concept", "export-controls", {"count": 2, "salience": 0.4}),
    ("Note", "distillation-rules", "MENTIONS", "Paper", "borrowed-reasoning", {"count": 1, "salience": 0.2}),
    ("Paper", "borrowed-reasoning", "ABOUT", "Concept", "knowledge-distillation", {}),
    ("Paper", "spec-gaming", "ABOUT", "Concept", "reward-hacking", {}),
    ("Paper", "compute-thresholds", "ABOUT", "Concept", "export-controls", {}),
    ("PolicyEvent", "hr-4821", "CONCERNS", "Concept", "export-controls", {}),
    ("PolicyEvent", "gpai-code", "CONCERNS", "Concept", "knowledge-distillation", {}),
    ("Person", "ada-example", "AFFILIATED_WITH", "Organization", "acme-lab", {}),
    ("Concept", "knowledge-distillation", "RELATED_TO", "Concept", "export-controls", {"weight": 0.6}),
    ("Concept", "reward-hacking", "RELATED_TO", "Concept", "knowledge-distillation", {"weight": 0.2}),
]


def note_rows() -> list[dict]:
    rows = []
    for note_id, source_id, title, published in NOTES:
        props = {"title": title, "published": published, "tier": 1, "domain": "ai", "tldr": f"{title}.", "page_hash": note_id[:8]}
        rows.append({"id": note_id, "source_id": source_id, "props": props})
    return rows


def build(store: GraphStore) -> None:
    """Write the sample graph into `store` (idempotent)."""
    store.upsert_sources(SOURCES)
    store.upsert_notes(note_rows())
    for label, rows in ENTITIES.items():
        patterns.upsert_nodes(store, label, rows)
    by_shape = defaultdict(list)
    for start_label, start, rel_type, end_label, end, props in EDGES:
        by_shape[(start_label, rel_type, end_label)].append({"start": start, "end": end, "props": props})
    for shape, rows in by_shape.items():
        linked = patterns.upsert_edges(store, *shape, rows)
        assert linked == len(rows), f"a sample {shape} edge found no node at one end"


def dump(store: GraphStore) -> dict[str, list]:
    """Every node (labels, properties) and relationship (type, ends, properties), sorted: the whole graph.

    Unlike `graph.dump.dump_graph`, bookkeeping nodes (applied migrations, sync state) are included:
    an injection that touched them must show too.
    """
    nodes = store.run("TEST_DUMP_NODES", "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    edges = store.run(
        "TEST_DUMP_EDGES",
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS a_label, a.id AS a_id, type(r) AS type, properties(r) AS props, "
        "labels(b)[0] AS b_label, b.id AS b_id",
    )
    return {"nodes": sorted(nodes, key=repr), "edges": sorted(edges, key=repr)}
