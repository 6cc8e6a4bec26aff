"""One retrieval run: text candidates, the graph around the seeds, scores, paths, evidence.

`Plan` says what to do (the public functions in `graph/retrieval/service.py` build it from the
query); `run` does it and returns the results, best first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from graph.retrieval import evidence as evidence_mod
from graph.retrieval.ppr import Walk, as_path, best_routes, personalised_pagerank, title_of
from graph.retrieval.rank import Candidate, Filters, Scored, node_date, result_url, score
from graph.retrieval.results import Result, ResultPath
from graph.retrieval.subgraph import NodeKey, Subgraph, fetch_nodes, neighbourhood
from graph.vectors import ChunkFilter

if TYPE_CHECKING:
    from graph.retrieval.snapshot import Snapshot
    from graph.retrieval.service import RetrievalDeps

TEXT_SEED_SHARE = 0.5  # a text match seeds the walk with half the weight of an entity the query names


@dataclass
class Plan:
    k: int
    filters: Filters
    query_text: str = ""  # searched as text (dense + BM25)
    query_vector: list[float] | None = None
    anchors: dict[NodeKey, float] = field(default_factory=dict)  # entities the query names → resolution score
    use_text: bool = True
    use_graph: bool = True
    text_mode: str = "hybrid"  # or "dense"
    hops: int = 2
    exclude_anchors: bool = False
    chunk_filter: ChunkFilter | None = None
    search_entities: bool = True
    seed_with_text: bool = True  # when the query names no entity, seed the walk with the best text matches
    evidence_text: str = ""
    fixed: list[Candidate] | None = None  # candidates given up front (dated listings): no search, no walk


@dataclass
class Run:
    results: list[Result]
    timings_ms: dict[str, float]
    subgraph_statements: int = 0


def run(deps: RetrievalDeps, plan: Plan, today: date) -> Run:
    clock = _Clock()
    # One snapshot for the whole run (None while it loads): the neighbourhood and the nodes shown come from it.
    snapshot = deps.snapshots.current() if deps.snapshots is not None else None
    candidates: dict[NodeKey, Candidate] = {}
    if plan.fixed is not None:
        candidates = {c.key: c for c in plan.fixed}
    elif plan.use_text or (plan.use_graph and not plan.anchors and plan.seed_with_text):
        candidates = _text_candidates(deps, plan)
        clock.lap("text")
    sub, walk = Subgraph(), None
    if plan.use_graph and plan.fixed is None:
        seeds = _seeds(plan, candidates, deps.config.text_seeds)
        if seeds:
            sub = neighbourhood(deps.store, list(seeds), plan.hops, deps.config, plan.filters.keep_in_graph, snapshot)
            walk = personalised_pagerank(sub, seeds, deps.config)
            clock.lap("graph")
        if not plan.use_text:  # text matches only seeded the walk
            candidates = {}
    _add_graph_candidates(candidates, sub, walk, plan)
    _fill_nodes(deps, snapshot, candidates, sub)
    kept = [c for c in candidates.values() if c.node and c.key[0] != "Source" and plan.filters.accepts(c.key, c.node)]
    if plan.exclude_anchors:
        kept = [c for c in kept if c.key not in plan.anchors]
    top = score(kept, deps.config, today, plan.use_text, plan.use_graph, limit=plan.k)
    clock.lap("rank")
    routes = best_routes(walk, [s.candidate.key for s in top], deps.config.paths_per_result, plan.hops) if walk else {}
    _add_details(deps, snapshot, [item.candidate for item in top], sub, {key for found in routes.values() for _, route in found for key in route})
    paths = {key: [as_path(sub, walk, route) for route in found] for key, found in routes.items()}
    clock.lap("paths")
    found = evidence_mod.gather(
        deps.store, deps.index, sub, top, paths, plan.query_vector, plan.evidence_text or plan.query_text,
        deps.config.evidence_per_result, _note_allowed(plan), snapshot,
    )
    clock.lap("evidence")
    results = [_result(item, paths.get(item.candidate.key, []), found.get(item.candidate.key, [])) for item in top]
    return Run(results, clock.laps, sub.statements)


def _note_allowed(plan: Plan):
    """Evidence comes only from notes the search may use (tiers, a speaker's notes)."""
    filters = plan.filters
    if filters.tiers is None and filters.notes is None:
        return None
    return lambda note_id, payload: filters.keep_in_graph(("Note", note_id), {"tier": payload.get("tier")})


def _text_candidates(deps: RetrievalDeps, plan: Plan) -> dict[NodeKey, Candidate]:
    config = deps.config
    found: dict[NodeKey, Candidate] = {}
    if plan.query_vector is None and plan.text_mode == "dense":
        return found
    mode = plan.text_mode if plan.query_vector is not None else "sparse"
    hits = deps.index.search_chunks(plan.query_vector, plan.query_text, config.chunk_candidates, plan.chunk_filter, mode, config.rrf_k)
    for hit in hits:
        candidate = found.setdefault(("Note", hit.note_id), Candidate(("Note", hit.note_id)))
        candidate.text = max(candidate.text, hit.score)
        candidate.hits.append(hit)
    if plan.search_entities:
        types = tuple(sorted(plan.filters.types - {"Note", "Source"})) if plan.filters.types is not None else None
        if types is None or types:
            entities = deps.index.search_entities(plan.query_vector, plan.query_text, config.entity_candidates, types, mode, config.rrf_k)
            for hit in entities:
                candidate = found.setdefault((hit.type, hit.entity_id), Candidate((hit.type, hit.entity_id)))
                candidate.text = max(candidate.text, hit.score)
    return found


def _seeds(plan: Plan, candidates: dict[NodeKey, Candidate], count: int) -> dict[NodeKey, float]:
    seeds = dict(plan.anchors)
    if plan.anchors or not plan.seed_with_text:
        return seeds
    ranked = sorted(candidates.values(), key=lambda c: (-c.text, c.key))[:count]
    best = ranked[0].text if ranked and ranked[0].text > 0 else 1.0
    for candidate in ranked:
        seeds[candidate.key] = max(seeds.get(candidate.key, 0.0), TEXT_SEED_SHARE * candidate.text / best)
    return seeds


def _add_graph_candidates(candidates: dict[NodeKey, Candidate], sub: Subgraph, walk: Walk | None, plan: Plan) -> None:
    if walk is None:
        return
    for key, node in sub.nodes.items():
        candidate = candidates.setdefault(key, Candidate(key))
        candidate.node = node
        candidate.graph = walk.inflow.get(key, 0.0)


def read_nodes(deps: RetrievalDeps, snapshot: Snapshot | None, keys: list[NodeKey]) -> dict[NodeKey, dict]:
    """All the properties of these nodes: from the snapshot when it holds them, else in one statement."""
    found = snapshot.detailed_nodes(keys) if snapshot is not None else {}
    rest = [key for key in keys if key not in found]
    if rest:
        found.update(fetch_nodes(deps.store, rest))
    return found


def _fill_nodes(deps: RetrievalDeps, snapshot: Snapshot | None, candidates: dict[NodeKey, Candidate], sub: Subgraph) -> None:
    missing = [key for key, c in candidates.items() if not c.node and key not in sub.nodes]
    nodes = read_nodes(deps, snapshot, missing) if missing else {}
    for key, candidate in candidates.items():
        if not candidate.node:
            # A point whose node is gone (deleted mid-sync) stays without one and is dropped.
            candidate.node = sub.nodes.get(key) or nodes.get(key, {})
            candidate.detailed = key in nodes


def _add_details(deps: RetrievalDeps, snapshot: Snapshot | None, candidates: list[Candidate], sub: Subgraph, on_paths: set[NodeKey]) -> None:
    """The walk reads few properties per node; the nodes shown (results, nodes on their paths) get the rest."""
    wanted = [c.key for c in candidates if not c.detailed] + sorted(key for key in on_paths if "title" not in sub.nodes.get(key, {}))
    found = read_nodes(deps, snapshot, wanted) if wanted else {}
    for key, node in found.items():
        if key in sub.nodes:
            sub.nodes[key] = {**sub.nodes[key], **node}
    for candidate in candidates:
        if candidate.key in found:
            candidate.node = {**candidate.node, **found[candidate.key]}
            candidate.detailed = True


def _result(item: Scored, paths: list[ResultPath], evidence: list) -> Result:
    candidate = item.candidate
    label, node_id = candidate.key
    node = candidate.node
    day = node_date(node)
    return Result(
        id=node_id,
        type=label,
        title=title_of(node, node_id),
        url=result_url(label, node),
        score=item.score,
        parts=item.parts,
        paths=tuple(paths),
        evidence=tuple(evidence),
        date=day.isoformat() if day else None,
        source=node.get("source") if label == "Note" else None,
        tier=node.get("tier") if label == "Note" else None,
        source_name=node.get("source_name") if label == "Note" else None,
    )


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + (now - self._last) * 1000, 3)
        self._last = now
