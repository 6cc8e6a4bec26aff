"""The questions the Bloom perspective asks, as functions over any graph store.

"Papers connected to X", "notes about X", "timeline of X", "what S said about X", "policy
events about X", "concepts related to X", and the two scene actions that expand selected nodes
to their papers and notes. The statements are the BLOOM_* ones of `graph/queries.py`; Bloom runs
their Neo4j form (graph/bloom/cypher.py), which draws exactly the nodes these functions return.

A name is matched ignoring case, against a node's name, its aliases or its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph import queries, schema
from graph.patterns import check_limit
from graph.store.base import GraphStore

Rows = list[dict[str, Any]]


def papers_connected_to(store: GraphStore, name: str, limit: int = 50) -> Rows:
    """[{id, name, pagerank}] of papers linked to the entity named `name` directly (e.g. a paper
    ABOUT a concept) or through a note mentioning both; highest PageRank first."""
    return _ask(store, "BLOOM_PAPERS_CONNECTED_TO", {"name": name}, limit)


def notes_about(store: GraphStore, concept: str, limit: int = 50) -> Rows:
    """[{id, title, published}] of notes mentioning or linking to the concept, newest first."""
    return _ask(store, "BLOOM_NOTES_ABOUT", {"concept": concept}, limit)


def timeline_of(store: GraphStore, concept: str, limit: int = 200) -> Rows:
    """[{id, label, title, day}] of dated notes, papers and policy events about the concept, oldest first."""
    return _ask(store, "BLOOM_TIMELINE_OF", {"concept": concept}, limit)


def source_said_about(store: GraphStore, source: str, concept: str, limit: int = 50) -> Rows:
    """[{id, title, published, tldr}] of the notes a source published about a concept, newest first."""
    return _ask(store, "BLOOM_SOURCE_SAID_ABOUT", {"source": source, "concept": concept}, limit)


def policy_events_about(store: GraphStore, concept: str, limit: int = 50) -> Rows:
    """[{id, name, day, jurisdiction}] of policy events concerning the concept, oldest first."""
    return _ask(store, "BLOOM_POLICY_EVENTS_ABOUT", {"concept": concept}, limit)


def related_concepts(store: GraphStore, concept: str, limit: int = 50) -> Rows:
    """[{id, name, weight}] of concepts RELATED_TO the concept, strongest first."""
    return _ask(store, "BLOOM_RELATED_CONCEPTS", {"concept": concept}, limit)


def expand_to_papers(store: GraphStore, refs: Iterable[tuple[str, str]], limit: int = 200) -> Rows:
    """[{id, name}] of papers next to the nodes `refs` ((label, id) pairs), or one note away."""
    return _ask(store, "BLOOM_EXPAND_TO_PAPERS", {"refs": _refs(refs)}, limit)


def expand_to_notes(store: GraphStore, refs: Iterable[tuple[str, str]], limit: int = 200) -> Rows:
    """[{id, title, published}] of notes next to the nodes `refs` ((label, id) pairs), newest first."""
    return _ask(store, "BLOOM_EXPAND_TO_NOTES", {"refs": _refs(refs)}, limit)


def _ask(store: GraphStore, name: str, params: dict[str, Any], limit: int) -> Rows:
    return store.run(name, queries.STATEMENTS[name], {**params, "limit": check_limit(limit)})


def _refs(refs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    # The label travels as a value compared with labels(n)[0]; checking it here turns a typo
    # into an error instead of an empty answer.
    return [{"label": schema.check_label(label), "id": node_id} for label, node_id in refs]
