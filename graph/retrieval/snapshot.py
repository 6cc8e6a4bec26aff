"""A read-only, in-memory copy of the graph's topology for the walk: the neighbourhood without a
statement per hop.

`load` reads every node of the knowledge labels (its key and the walk's columns: degree,
pagerank, day, tier) and every relationship (type, ends, `strength` = salience or weight,
`reason`) in one statement per relationship type, and holds them as numpy arrays: an adjacency
in CSR form where each node's relationships (both directions) are already in the order
RETRIEVAL_EXPAND reads them (strongest first, then the most central neighbour, then its id).
`Snapshot.neighbourhood` answers exactly what `graph/retrieval/subgraph.py`'s statements would.

`graph/retrieval/snapshot_cache.py` keeps one per store and never serves it after the graph changed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from graph import schema
from graph.retrieval import cypher as q
from graph.retrieval import generation
from graph.retrieval.config import RetrievalConfig
from graph.retrieval.subgraph import STRENGTH_PROPERTY, Edge, NodeKey, Subgraph, fetch_nodes, frontier_order, node_of

if TYPE_CHECKING:
    from graph.store.base import GraphStore

TYPE_CODE = {rel_type: code for code, rel_type in enumerate(schema.REL_TYPES)}
_STRENGTH_NAME = [STRENGTH_PROPERTY.get(rel_type) for rel_type in schema.REL_TYPES]  # by type code
UNSET_STRENGTH = 0.5  # what EXPAND orders a relationship without salience or weight by


class Snapshot:
    def __init__(self, generation_token: str | None, nodes: list[dict[str, Any]], edges: Iterable[tuple[str, list[dict[str, Any]]]]) -> None:
        """`nodes`: RETRIEVAL_SNAPSHOT_NODES rows; `edges`: (type, its RETRIEVAL_SNAPSHOT_EDGES rows), one
        type at a time (a generator keeps only one type's rows in memory)."""
        self.generation = generation_token
        nodes = sorted(nodes, key=lambda row: (row["label"], row["id"]))  # index order = key order
        self.keys: list[NodeKey] = [(row["label"], row["id"]) for row in nodes]
        self.index: dict[NodeKey, int] = {key: i for i, key in enumerate(self.keys)}
        # The walk copies `nodes` (few columns); a node shown takes its `details` too, as RETRIEVAL_NODES reads them.
        self.nodes: list[dict[str, Any]] = [node_of({k: v for k, v in row.items() if k not in q.DETAIL_COLUMNS}) for row in nodes]
        self.details: list[dict[str, Any]] = [{k: row[k] for k in q.DETAIL_COLUMNS if row.get(k) is not None} for row in nodes]
        self.degree = np.array([_known_degree(node) for node in self.nodes], dtype=np.int64)
        self.pagerank = np.array([float(node.get("pagerank") or 0.0) for node in self.nodes])
        source, target, types, strength, self.reason = [], [], [], [], []
        for rel_type, rows in edges:
            for row in rows:
                ends = (self.index.get((row["source_label"], row["source"])), self.index.get((row["target_label"], row["target"])))
                if None in ends:  # written between the node and the relationship statements
                    continue
                source.append(ends[0])
                target.append(ends[1])
                types.append(TYPE_CODE[rel_type])
                strength.append(np.nan if row["strength"] is None else float(row["strength"]))
                self.reason.append(row["reason"])
        self.source, self.target = np.array(source, dtype=np.int64), np.array(target, dtype=np.int64)
        self.type, self.strength = np.array(types, dtype=np.int64), np.array(strength, dtype=np.float64)
        self._csr = self._sorted_adjacency(nodes)
        self._by_types: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._damping: dict[float, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def node_count(self) -> int:
        return len(self.keys)

    @property
    def edge_count(self) -> int:
        return len(self.type)

    def _sorted_adjacency(self, nodes: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(owner, neighbour, edge) per relationship end, grouped by owner in EXPAND's order."""
        loop = self.source == self.target  # a self-relationship is one entry, not two
        edge = np.concatenate([np.arange(self.edge_count), np.flatnonzero(~loop)])
        owner = np.concatenate([self.source, self.target[~loop]])
        neighbour = np.concatenate([self.target, self.source[~loop]])
        outgoing = np.concatenate([np.ones(self.edge_count, dtype=bool), np.zeros(int((~loop).sum()), dtype=bool)])
        by_id = np.empty(self.node_count, dtype=np.int64)  # EXPAND's tie-breaks: the neighbour's id, then label
        by_id[sorted(range(self.node_count), key=lambda i: (self.keys[i][1], self.keys[i][0]))] = np.arange(self.node_count)
        type_name = np.argsort(np.argsort(np.array(schema.REL_TYPES)))[self.type[edge]]  # ... then the type's name
        order_by = np.where(np.isnan(self.strength), UNSET_STRENGTH, self.strength)[edge]
        order = np.lexsort((~outgoing, type_name, by_id[neighbour], -self.pagerank[neighbour], -order_by, owner))
        return owner[order], neighbour[order], edge[order]

    def adjacency(self, types: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, neighbour, edge): the CSR adjacency over relationships of `types` only."""
        wanted = tuple(sorted(TYPE_CODE[rel_type] for rel_type in types))
        with self._lock:
            if wanted not in self._by_types:
                owner, neighbour, edge = self._csr
                keep = np.isin(self.type[edge], wanted)
                indptr = np.zeros(self.node_count + 1, dtype=np.int64)
                np.cumsum(np.bincount(owner[keep], minlength=self.node_count), out=indptr[1:])
                self._by_types[wanted] = (indptr, neighbour[keep], edge[keep])
            return self._by_types[wanted]

    def damping(self, hub_exponent: float) -> np.ndarray:
        """degree ** -hub_exponent per node with a known degree, 0 for the others (computed in
        Python floats, as subgraph.damping does, so both paths multiply the same numbers)."""
        with self._lock:
            if hub_exponent not in self._damping:
                powers = [float(d) ** -hub_exponent if d > 0 else 0.0 for d in self.degree.tolist()]
                self._damping[hub_exponent] = np.array(powers, dtype=np.float64)
            return self._damping[hub_exponent]

    def detailed_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, dict[str, Any]]:
        """What `subgraph.fetch_nodes` reads of these nodes (all their columns); keys not held are left out."""
        found = {}
        for key in keys:
            i = self.index.get(key)
            if i is not None:
                found[key] = {**self.nodes[i], **self.details[i]}
        return found

    def linking_notes(self, keys: Iterable[NodeKey], cap: int) -> dict[NodeKey, list[str]]:
        """RETRIEVAL_ENTITY_NOTES from the arrays: per node, the notes that mention or link to it, most salient first."""
        codes = [TYPE_CODE[rel_type] for rel_type in ("MENTIONS", "CONNECTS_TO")]
        found: dict[NodeKey, list[str]] = {}
        for key in keys:
            i = self.index.get(key)
            if i is None:
                continue
            at = np.flatnonzero((self.target == i) & np.isin(self.type, codes))
            best: dict[str, float] = {}
            for source, code, strength in zip(self.source[at].tolist(), self.type[at].tolist(), self.strength[at].tolist()):
                label, note_id = self.keys[source]
                if label == "Note":  # the statement's max(coalesce(r.salience, 0.0)): only a mention has a salience
                    salience = strength if code == codes[0] and not math.isnan(strength) else 0.0
                    best[note_id] = max(best.get(note_id, 0.0), salience)
            if best:
                found[key] = [note_id for note_id, _ in sorted(best.items(), key=lambda item: (-item[1], item[0]))][:cap]
        return found

    def linking_notes_among(self, edge_ids: np.ndarray, wanted: Iterable[NodeKey]) -> dict[NodeKey, list[str]]:
        """evidence._mentioning over these relationships: per wanted node, the notes with a MENTIONS or
        CONNECTS_TO to it, by salience (none: 0), then id; a note once per relationship, as there."""
        targets = [self.index[key] for key in wanted if key in self.index]
        codes = [TYPE_CODE["MENTIONS"], TYPE_CODE["CONNECTS_TO"]]
        at = edge_ids[np.isin(self.target[edge_ids], targets) & np.isin(self.type[edge_ids], codes)]
        found: dict[NodeKey, list[tuple[float, str]]] = {}
        for source, target, code, strength in zip(self.source[at].tolist(), self.target[at].tolist(), self.type[at].tolist(), self.strength[at].tolist()):
            label, note_id = self.keys[source]
            if label == "Note":
                salience = strength if code == codes[0] and not math.isnan(strength) else 0.0
                found.setdefault(self.keys[target], []).append((-salience, note_id))
        return {key: [note_id for _, note_id in sorted(notes)] for key, notes in found.items()}

    def edge(self, i: int) -> Edge:
        return self.edges([i])[0]

    def edges(self, ids: list[int]) -> list[Edge]:
        """The relationships `ids` as subgraph.Edge, with the properties EXPAND's rows give."""
        at = np.asarray(ids, dtype=np.int64)
        columns = zip(self.source[at].tolist(), self.type[at].tolist(), self.target[at].tolist(), self.strength[at].tolist(), ids)
        keys, reasons, types, found = self.keys, self.reason, schema.REL_TYPES, []
        for source, code, target, strength, i in columns:
            props: dict[str, Any] = {}
            named = _STRENGTH_NAME[code]
            if named is not None and not math.isnan(strength):  # NaN: no salience or weight
                props[named] = strength
            if reasons[i] is not None:
                props["reason"] = reasons[i]
            found.append(Edge(keys[source], types[code], keys[target], props))
        return found

    def neighbourhood(
        self,
        store: GraphStore,
        seeds: list[NodeKey],
        hops: int,
        config: RetrievalConfig,
        keep_node: Callable[[NodeKey, dict[str, Any]], bool] | None = None,
    ) -> Subgraph:
        """What `subgraph.neighbourhood` reads hop by hop, from the arrays (the seeds' own
        properties still come from the graph, in one statement, as there)."""
        hops = schema.check_hops(hops)
        sub = Subgraph()
        sub.nodes = self.detailed_nodes(seeds)
        if len(sub.nodes) < len(set(seeds)):  # a seed the snapshot does not hold (yet): as the statement path
            sub.nodes = fetch_nodes(store, seeds)
            sub.statements = 1
        sub.hops = {key: 0 for key in sub.nodes}
        types = [rel_type for rel_type in schema.REL_TYPES if config.edge_weight(rel_type) > 0]
        indptr, neighbours, edges = self.adjacency(types)
        in_sub = np.zeros(self.node_count, dtype=bool)
        frontier = [self.index[key] for key in sub.nodes if key in self.index]
        in_sub[frontier] = True
        taken = np.zeros(self.edge_count, dtype=bool)
        found: list[np.ndarray] = []
        for hop in range(1, hops + 1):
            if not frontier or not types:
                break
            starts = indptr[frontier]
            ends = np.minimum(indptr[np.asarray(frontier) + 1], starts + config.neighbours_per_node)
            at = _ranges(starts, ends)
            ends_at, edges_at = neighbours[at], edges[at]
            reached = self._reach(sub, np.unique(ends_at[~in_sub[ends_at]]), hop, keep_node, in_sub)
            new = edges_at[in_sub[ends_at] & ~taken[edges_at]]
            new = new[np.sort(np.unique(new, return_index=True)[1])]
            taken[new] = True
            found.append(new)
            frontier = self._next_frontier(reached, np.concatenate(found), config) if hop < hops else []
        sub.edges = LazyEdges(self, np.concatenate(found) if found else np.zeros(0, dtype=np.int64))
        sub.view = SubgraphView(self, np.flatnonzero(in_sub), sub.edges.ids)
        if len(sub.view.nodes) < len(sub.nodes):  # seeds the snapshot does not hold: read it all as edges
            sub.view = None
        sub.local_degree.update(sub.view.local_degree() if sub.view else _local_degree(sub.edges.values()))
        return sub

    def unknown_degree(self, nodes: np.ndarray) -> np.ndarray:
        """Those of `nodes` without a degree of their own (subgraph.degree counts their edges in hand)."""
        return nodes[self.degree[nodes] == 0]

    def _reach(self, sub: Subgraph, candidates: np.ndarray, hop: int, keep_node, in_sub: np.ndarray) -> list[int]:
        keys, nodes = self.keys, self.nodes
        reached = candidates.tolist()
        if keep_node is not None:
            reached = [i for i in reached if keep_node(keys[i], nodes[i])]
        found = [keys[i] for i in reached]
        sub.nodes.update(zip(found, [dict(nodes[i]) for i in reached]))  # copies: the snapshot's own never change
        sub.hops.update(dict.fromkeys(found, hop))
        in_sub[reached] = True
        return reached

    def _next_frontier(self, reached: list[int], edges: np.ndarray, config: RetrievalConfig) -> list[int]:
        """subgraph._next_frontier over the arrays: the same degrees, support and order."""
        if not reached:
            return []
        reached_at = np.asarray(reached, dtype=np.int64)
        ends = np.concatenate([self.source[edges], self.target[edges]])
        local = np.bincount(ends, minlength=self.node_count)[reached_at]
        known = self.degree[reached_at]
        degree = np.where(known > 0, known, np.maximum(local, 1))
        candidates = reached_at[degree <= config.hub_degree]
        if len(candidates) <= config.frontier_limit:
            return candidates.tolist()
        slot = np.full(self.node_count, -1, dtype=np.int64)
        slot[candidates] = np.arange(len(candidates))
        at = slot[ends]
        counts = np.zeros((len(candidates), len(schema.REL_TYPES)))
        np.add.at(counts, (at[at >= 0], np.concatenate([self.type[edges], self.type[edges]])[at >= 0]), 1)
        damping = [float(d) ** -config.hub_exponent for d in degree[degree <= config.hub_degree].tolist()]
        ranked = frontier_order(counts, np.array(damping), candidates, config)
        return candidates[ranked[: config.frontier_limit]].tolist()


def _known_degree(node: dict[str, Any]) -> int:
    known = node.get("degree")
    return known if isinstance(known, int) and known > 0 else 0  # as subgraph.degree reads it


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of range(start, end) for each pair, in order."""
    lengths = np.maximum(ends - starts, 0)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def _local_degree(edges) -> dict[NodeKey, int]:
    counts: dict[NodeKey, int] = {}
    for edge in edges:
        for end in (edge.source, edge.target):
            counts[end] = counts.get(end, 0) + 1
    return counts


class LazyEdges(Mapping):
    """A subgraph's edges as `subgraph.Subgraph.edges` has them, built from the arrays on first use."""

    def __init__(self, snapshot: Snapshot, ids: np.ndarray) -> None:
        self.snapshot, self.ids = snapshot, ids
        self._built: dict[tuple[NodeKey, str, NodeKey], Edge] | None = None

    def _edges(self) -> dict[tuple[NodeKey, str, NodeKey], Edge]:
        if self._built is None:
            self._built = {(edge.source, edge.type, edge.target): edge for edge in self.snapshot.edges(self.ids.tolist())}
        return self._built

    def __getitem__(self, key):
        return self._edges()[key]

    def values(self):
        return self._edges().values()

    def items(self):
        return self._edges().items()

    def __iter__(self) -> Iterator:
        return iter(self._edges())

    def __len__(self) -> int:
        return len(self.ids)


class SubgraphView:
    """A subgraph's nodes and edges as positions in the snapshot, for the vectorised walk."""

    def __init__(self, snapshot: Snapshot, nodes: np.ndarray, edges: np.ndarray) -> None:
        self.snapshot, self.nodes, self.edges = snapshot, nodes, edges  # nodes ascending = key order

    def local_degree(self) -> dict[NodeKey, int]:
        """Edges in hand per node, for the nodes subgraph.degree asks it of: those without a degree."""
        wanted = self.snapshot.unknown_degree(self.nodes)
        if not len(wanted):
            return {}
        ends = np.concatenate([self.snapshot.source[self.edges], self.snapshot.target[self.edges]])
        counts = np.bincount(ends, minlength=self.snapshot.node_count)[wanted]
        return {self.snapshot.keys[i]: c for i, c in zip(wanted.tolist(), counts.tolist()) if c}


def load(store: GraphStore) -> Snapshot:
    """The graph's topology now. The generation is read first: a write during the load makes the
    snapshot look older than it is (reloaded at the next check), never newer."""
    token = generation.read(store)
    labels = list(schema.LABELS)
    nodes = q.run(store, q.SNAPSHOT_NODES, labels=labels)
    edges = ((rel_type, q.run(store, q.snapshot_edges(rel_type), labels=labels)) for rel_type in schema.REL_TYPES)
    return Snapshot(token, nodes, edges)

