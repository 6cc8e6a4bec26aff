"""The text each result rests on: chunks with their file and character span.

- A note the text search matched: its matching chunks, best first.
- A note reached through the graph only: its chunks closest to the query (cosine of the query
  vector and the chunk's, plus the share of the query's terms the chunk contains; for a
  "connected" question, the terms of the entities asked about).
- An entity: chunks of the notes on its paths, then of the notes that mention it most saliently,
  those containing one of its names first, then those on its paths, then the closest.
Chunks are read by point id (a lookup, not a filtered search) in one request for all results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from graph import sparse
from graph.retrieval import cypher as q
from graph.retrieval.rank import Scored
from graph.retrieval.resolution import normalize
from graph.retrieval.results import Evidence, ResultPath
from graph.retrieval.subgraph import NodeKey, Subgraph
from graph.vectors import VectorHit, VectorIndex

if TYPE_CHECKING:
    from graph.retrieval.snapshot import Snapshot
    from graph.store.base import GraphStore

NOTES_PER_ENTITY = 4
LINK_TYPES = ("MENTIONS", "CONNECTS_TO")


def gather(
    store: GraphStore,
    index: VectorIndex,
    sub: Subgraph,
    scored: list[Scored],
    paths: dict[NodeKey, list[ResultPath]],
    query_vector: list[float] | None,
    query_text: str,
    per_result: int,
    allowed_notes=None,
    snapshot: Snapshot | None = None,
) -> dict[NodeKey, list[Evidence]]:
    """`allowed_notes(note_id, payload) -> bool` keeps evidence within the notes a search may use."""
    found: dict[NodeKey, list[Evidence]] = {}
    reads: dict[NodeKey, list[str]] = {}
    path_notes: dict[NodeKey, set[str]] = {}
    names: dict[NodeKey, tuple[str, ...]] = {}
    entities = {item.candidate.key for item in scored if item.candidate.key[0] != "Note"}
    mentioning = _mentioning(sub, entities) if entities else {}
    for item in scored:
        key, candidate = item.candidate.key, item.candidate
        if key[0] == "Note":
            if candidate.hits:
                found[key] = [_evidence(hit, hit.score) for hit in sorted(candidate.hits, key=lambda h: -h.score)[:per_result]]
            else:
                reads[key] = [key[1]]
            continue
        on_paths = [n.id for path in paths.get(key, []) for n in path.nodes if n.type == "Note"]
        path_notes[key] = set(on_paths)
        node = candidate.node
        names[key] = _normalized_names(node)
        reads[key] = list(dict.fromkeys(on_paths + mentioning.get(key, [])))[:NOTES_PER_ENTITY]
    _add_mentioning_from_graph(store, snapshot, reads)
    chunks = index.note_chunks(sorted({note for notes in reads.values() for note in notes})) if reads else {}
    terms = set(sparse.terms(query_text))
    query = _unit(query_vector) if query_vector is not None else None
    relevance_of: dict[tuple[str, int], float] = {}  # a chunk shared by several results is scored once
    text_of: dict[tuple[str, int], str] = {}
    for key, notes in reads.items():
        ranked = []
        for note_id in notes:
            for hit, vector in chunks.get(note_id, []):
                if allowed_notes is not None and not allowed_notes(note_id, hit.payload):
                    continue
                at = (note_id, hit.start)
                if at not in relevance_of:
                    relevance_of[at] = _relevance(hit.text, vector, query, terms)
                relevance = relevance_of[at]
                if key[0] == "Note":
                    ranked.append(((-relevance,), hit, relevance))
                else:
                    if at not in text_of:
                        text_of[at] = f" {normalize(hit.text)} "
                    named = any(name in text_of[at] for name in names[key])
                    ranked.append(((not named, note_id not in path_notes[key], -relevance), hit, relevance))
        ranked.sort(key=lambda item: (item[0], item[1].note_id, item[1].start))
        found[key] = [_evidence(hit, relevance) for _, hit, relevance in ranked[:per_result]]
    return found


def _mentioning(sub: Subgraph, wanted: set[NodeKey]) -> dict[NodeKey, list[str]]:
    """For each wanted node, the notes that mention or link to it in the fetched neighbourhood, most salient first."""
    if sub.view is not None:  # read from the snapshot's arrays rather than building every edge
        return sub.view.snapshot.linking_notes_among(sub.view.edges, wanted)
    found: dict[NodeKey, list[tuple[float, str]]] = {}
    for edge in sub.edges.values():
        if edge.target in wanted and edge.source[0] == "Note" and edge.type in LINK_TYPES:
            found.setdefault(edge.target, []).append((-(edge.props.get("salience") or 0.0), edge.source[1]))
    return {key: [note_id for _, note_id in sorted(notes)] for key, notes in found.items()}


def _add_mentioning_from_graph(store: GraphStore, snapshot: Snapshot | None, reads: dict[NodeKey, list[str]]) -> None:
    """Entities the walk did not reach (text matches) get their mentioning notes from the graph."""
    lacking = [key for key, notes in reads.items() if not notes and key[0] != "Note"]
    if not lacking:
        return
    if snapshot is not None and all(key in snapshot.index for key in lacking):
        reads.update(snapshot.linking_notes(lacking, NOTES_PER_ENTITY))
        return
    rows = q.run(store, q.ENTITY_NOTES, rows=[{"label": label, "id": node_id} for label, node_id in lacking], cap=NOTES_PER_ENTITY)
    for row in rows:
        reads[(row["label"], row["id"])] = list(row["notes"])


def _relevance(text: str, vector: list[float], query: np.ndarray | None, terms: set[str]) -> float:
    value = float(np.dot(query, _unit(vector))) if query is not None else 0.0
    if terms:
        value += len(terms & set(sparse.terms(text))) / len(terms)
    return value


def _unit(vector) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float64)
    norm = np.linalg.norm(array)
    return array / norm if norm > 0 else array


def _normalized_names(node: dict) -> tuple[str, ...]:
    """The entity's names and aliases, normalised and padded, to be found as whole words in normalised text."""
    found = (normalize(name) for name in (node.get("name"), node.get("title"), *(node.get("aliases") or ())) if name)
    return tuple(dict.fromkeys(f" {name} " for name in found if name))


def _evidence(hit: VectorHit, score: float) -> Evidence:
    return Evidence(hit.text, hit.path, hit.start, hit.end, hit.note_id, hit.section, hit.kind, round(score, 6))
