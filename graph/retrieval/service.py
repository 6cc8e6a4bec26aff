"""The public retrieval API: `search`, `connected`, `resolve`. Dependencies are passed in.

Modes of `search`:
- "hybrid" (default): text (dense + BM25, RRF-fused) and graph (personalised PageRank around the
  entities the query names, else around the best text matches), with tier and recency priors;
- "vector": dense text similarity and the priors only;
- "graph": graph proximity and the priors only (text matches only seed the walk when the query
  names no entity).
Shapes ("papers connected to X", "timeline of X", "what did S say about X", "papers since D")
are answered as described in `graph/retrieval/query.py` and docs/retrieval.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from graph import schema
from graph.chunking import epoch_ms
from graph.errors import QueryInputError
from graph.retrieval import cypher as q
from graph.retrieval.config import RetrievalConfig
from graph.retrieval.engine import Plan, run
from graph.retrieval.errors import EntityNotFound
from graph.retrieval.query import interpret
from graph.retrieval.rank import Candidate, Filters
from graph.retrieval.resolution import ENTITY_LABELS, resolve_name
from graph.retrieval.results import MODES, Interpretation, Resolution, Result, SearchResponse
from graph.retrieval.subgraph import fetch_nodes, node_of
from graph.vectors import ChunkFilter

if TYPE_CHECKING:
    from graph.embed import Embedder
    from graph.retrieval.snapshot_cache import SnapshotCache
    from graph.store.base import GraphStore
    from graph.vectors import VectorIndex

MAX_K = 100
MAX_QUERY_CHARS = 1000
DATED_POOL = 500  # nodes read per type for a "<type> since <date>" listing, most central first


@dataclass
class RetrievalDeps:
    store: GraphStore
    index: VectorIndex
    embedder: Embedder
    config: RetrievalConfig = field(default_factory=RetrievalConfig)
    # The graph's topology in memory (graph/retrieval/snapshot.py); None: every hop is a statement.
    snapshots: SnapshotCache | None = None


def search(
    deps: RetrievalDeps,
    query: str,
    k: int = 10,
    types: set[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    tier: set[int] | None = None,
    mode: str = "hybrid",
    *,
    today: date | None = None,
) -> SearchResponse:
    """Notes and entities for `query`, best first. Explicit filters win over those read from the query."""
    started = time.perf_counter()
    query = _check_query(query)
    _check_k(k)
    if mode not in MODES:
        raise QueryInputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    today = today or datetime.now(timezone.utc).date()
    deps = replace(deps, embedder=_OnceEmbedder(deps.embedder))  # query understanding and search embed the same text
    reading = interpret(deps, query)
    interpreted_ms = round((time.perf_counter() - started) * 1000, 3)
    chosen = _check_types(types) or (frozenset(reading.target_types) if reading.target_types else None)
    filters = Filters(chosen, since or reading.since, until or reading.until, _check_tiers(tier))
    _check_dates(filters.since, filters.until)
    planning = time.perf_counter()
    plan = _plan(deps, query, reading, filters, k, mode)  # embeds the query, unless the graph alone answers it
    planned_ms = round((time.perf_counter() - planning) * 1000, 3)
    done = run(deps, plan, today)
    results = done.results
    if reading.shape == "timeline" and reading.resolutions:
        results = sorted(results, key=lambda r: (r.date is None, r.date or "", r.type, r.id))
    timings = {"interpret": interpreted_ms, "plan": planned_ms, **done.timings_ms, "total": round((time.perf_counter() - started) * 1000, 3)}
    return SearchResponse(query, mode, reading, tuple(results), timings)


def connected(
    deps: RetrievalDeps,
    entity_id: str,
    entity_type: str | None,
    target_type: str,
    max_hops: int = 3,
    limit: int = 10,
    *,
    today: date | None = None,
) -> list[Result]:
    """Nodes of `target_type` within `max_hops` of the entity, ranked by graph proximity (and priors),
    each with its paths from the entity and the note text it rests on."""
    schema.check_label(target_type)
    schema.check_hops(max_hops)
    _check_k(limit, "limit")
    anchor = _find_entity(deps, entity_id, entity_type)
    node = fetch_nodes(deps.store, [anchor])[anchor]
    names = " ".join([node.get("name") or node.get("title") or entity_id, *(node.get("aliases") or ())])
    plan = Plan(
        k=limit, filters=Filters(types=frozenset({target_type})), anchors={anchor: 1.0}, use_text=False,
        hops=max_hops, exclude_anchors=True, evidence_text=names,
    )
    return run(deps, plan, today or datetime.now(timezone.utc).date()).results


def resolve(deps: RetrievalDeps, name: str) -> list[Resolution]:
    """The entities `name` may mean, best first: by id, exact name or alias, fuzzy match, embedding."""
    return resolve_name(deps, _check_query(name))


# --- planning ---------------------------------------------------------------------------------


def _plan(deps: RetrievalDeps, query: str, reading: Interpretation, filters: Filters, k: int, mode: str) -> Plan:
    anchors = {(r.type, r.id): r.score for r in reading.resolutions}
    answered_by_graph = bool(anchors) and (mode == "graph" or (reading.shape == "connected" and mode != "vector"))
    vector = None if answered_by_graph else deps.embedder.embed_one(reading.entity_text or query)
    base = Plan(
        k=k, filters=filters, query_text=query, query_vector=vector, anchors=anchors,
        use_text=mode != "graph", use_graph=mode != "vector", text_mode="dense" if mode == "vector" else "hybrid",
        hops=deps.config.search_hops, chunk_filter=_chunk_filter(filters),
    )
    if mode == "vector":
        return replace(base, anchors={}, seed_with_text=False)
    if reading.shape == "connected" and anchors:
        names = " ".join(r.name for r in reading.resolutions)
        return replace(base, use_text=False, hops=schema.MAX_HOPS, exclude_anchors=True, evidence_text=names, query_vector=None)
    if reading.shape == "timeline" and anchors:
        return replace(base, query_text=reading.entity_text or query, exclude_anchors=True)
    if reading.shape == "said_about":
        return _said_about(deps, base, reading)
    if reading.shape == "since":
        return replace(base, fixed=_dated(deps, filters))
    return base


def _said_about(deps: RetrievalDeps, base: Plan, reading: Interpretation) -> Plan:
    speaker = reading.speaker
    if speaker is None:
        return base
    if speaker.type == "Source":
        rows = q.run(deps.store, q.SOURCE_NOTES, id=speaker.id)
        where = replace(base.chunk_filter or ChunkFilter(), sources=(speaker.id,))
    else:
        rows = q.run(deps.store, q.PERSON_NOTES, id=speaker.id, name=speaker.name)
        where = replace(base.chunk_filter or ChunkFilter(), note_ids=tuple(sorted(row["id"] for row in rows)))
    notes = frozenset(row["id"] for row in rows)
    filters = replace(base.filters, notes=notes)
    return replace(base, filters=filters, chunk_filter=where, query_text=reading.entity_text or base.query_text, search_entities=False)


def _dated(deps: RetrievalDeps, filters: Filters) -> list[Candidate]:
    """A "<type> since <date>" listing: nodes of the type within the dates, the graph part their pagerank."""
    since = epoch_ms(filters.since) if filters.since else None
    until = epoch_ms(filters.until) if filters.until else None
    found = []
    for label in sorted(filters.types or ()):
        for row in q.run(deps.store, q.dated(label), since_ms=since, until_ms=until, limit=DATED_POOL):
            node = node_of(row)
            found.append(Candidate((row["label"], row["id"]), node, graph=float(node.get("pagerank") or 0.0), detailed=True))
    return found


def _chunk_filter(filters: Filters) -> ChunkFilter | None:
    """Tier always narrows note chunks; dates only when notes are all that is asked for (an entity's
    date is not its notes' dates, and older notes still lead to it)."""
    notes_only = filters.types == frozenset({"Note"})
    since = epoch_ms(filters.since) if filters.since and notes_only else None
    until = epoch_ms(filters.until) if filters.until and notes_only else None
    tiers = tuple(sorted(filters.tiers)) if filters.tiers is not None else None
    if tiers is None and since is None and until is None:
        return None
    return ChunkFilter(tiers=tiers, since_ms=since, until_ms=until)


def _find_entity(deps: RetrievalDeps, entity_id: str, entity_type: str | None) -> tuple[str, str]:
    labels = (schema.check_label(entity_type),) if entity_type else ENTITY_LABELS
    found = fetch_nodes(deps.store, [(label, entity_id) for label in labels])
    for label in labels:  # an id shared by several types: the first in ENTITY_TYPES order
        if (label, entity_id) in found:
            return (label, entity_id)
    raise EntityNotFound(entity_id, entity_type)


class _OnceEmbedder:
    """Embeds each text once per search."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self._seen: dict[str, list[float]] = {}
        self.dimension = embedder.dimension

    def embed_one(self, text: str) -> list[float]:
        if text not in self._seen:
            self._seen[text] = self._embedder.embed_one(text)
        return self._seen[text]


# --- input checks -----------------------------------------------------------------------------


def _check_query(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise QueryInputError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryInputError(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    return query.strip()


def _check_k(k: int, name: str = "k") -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QueryInputError(f"{name} must be an integer from 1 to {MAX_K}, got {k!r}")


def _check_types(types: set[str] | None) -> frozenset[str] | None:
    if not types:
        return None
    return frozenset(schema.check_label(label) for label in types)


def _check_tiers(tiers: set[int] | None) -> frozenset[int] | None:
    if not tiers:
        return None
    if any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in tiers):
        raise QueryInputError(f"tiers must be positive integers, got {sorted(tiers, key=str)}")
    return frozenset(tiers)


def _check_dates(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise QueryInputError(f"since ({since}) is after until ({until})")
