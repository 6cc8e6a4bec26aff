"""Edges the pages do not state but the notes show, marked `origin: 'derived'`.

Declared edges (from entity pages, `origin: 'declared'`) always win: a derived edge is never made
where a declared one of the same type joins the same pair. The rules, on the MENTIONS of all notes:

- `(Paper)-[:ABOUT {origin, notes}]->(Concept)` and `(PolicyEvent)-[:CONCERNS {origin, notes}]->(Concept)`:
  the two are both mentioned with salience >= COMENTION_MIN_SALIENCE in at least
  COMENTION_MIN_NOTES notes (`notes` = how many). A paper central to a post that is also
  centrally about a concept, more than once, is about that concept.
- `(Concept)-[:RELATED_TO {origin, weight, notes}]->(Concept)`: co-occurrence across notes (any
  salience). `weight` is the Ochiai coefficient n_ab / sqrt(n_a * n_b) — the cosine of the two
  concepts' note sets, in (0, 1], 1 when they always appear together — rounded to 6 places.
  Kept when n_ab >= RELATED_MIN_NOTES and weight >= RELATED_MIN_WEIGHT and the pair is among
  the RELATED_TOP_K heaviest of either concept (ties broken by id). One edge per pair, from the
  smaller id to the larger: the relationship is symmetric, read it in both directions.

Recomputed from scratch each time (a diff is written), so the result depends only on the mentions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from graph import analytics_queries as aq
from graph import sync_queries as q
from graph.store.base import GraphStore

COMENTION_MIN_SALIENCE = 0.2
COMENTION_MIN_NOTES = 2
RELATED_MIN_NOTES = 2
RELATED_MIN_WEIGHT = 0.1
RELATED_TOP_K = 10
WEIGHT_DIGITS = 6

Pair = tuple[str, str]


@dataclass(frozen=True)
class DerivedReport:
    created: int
    updated: int
    deleted: int


def refresh_derived(store: GraphStore) -> DerivedReport:
    mentions = q.run(store, aq.ENTITY_MENTIONS, labels=["Paper", "PolicyEvent", "Concept"])
    existing = {shape: q.run(store, aq.read_links(*shape)) for shape in aq.DERIVED_LINKS}
    wanted = desired_edges(mentions, {shape: _declared(rows) for shape, rows in existing.items()})
    created = updated = deleted = 0
    for shape in aq.DERIVED_LINKS:
        have = {(row["source"], row["target"]): _props(row["props"]) for row in existing[shape] if row["origin"] == "derived"}
        want = wanted[shape]
        gone = [{"source": s, "target": t} for s, t in sorted(set(have) - set(want))]
        write = [{"source": s, "target": t, "props": props} for (s, t), props in sorted(want.items()) if have.get((s, t)) != props]
        q.run_batches(store, aq.delete_derived(*shape), "rows", gone)
        q.run_batches(store, aq.upsert_derived(*shape), "rows", write)
        created += sum(1 for row in write if (row["source"], row["target"]) not in have)
        updated += sum(1 for row in write if (row["source"], row["target"]) in have)
        deleted += len(gone)
    return DerivedReport(created, updated, deleted)


def _declared(rows: list[dict]) -> set[Pair]:
    return {(row["source"], row["target"]) for row in rows if row["origin"] != "derived"}


def _props(props: dict) -> dict:
    return {key: value for key, value in props.items() if key != "origin"}


def desired_edges(mentions: list[dict], declared: dict[tuple[str, str, str], set[Pair]]) -> dict[tuple[str, str, str], dict[Pair, dict]]:
    """{shape: {(source id, target id): properties}} from mention rows {note, label, id, salience}."""
    by_note: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
    for row in mentions:
        by_note[row["note"]][row["label"]].append((row["id"], row["salience"] or 0.0))
    wanted: dict[tuple[str, str, str], dict[Pair, dict]] = {}
    for shape in aq.DERIVED_LINKS:
        rel_type, source, target = shape
        if rel_type == "RELATED_TO":
            found = related_concepts(by_note)
        else:
            found = co_mentions(by_note, source, target)
        wanted[shape] = {pair: props for pair, props in found.items() if pair not in declared.get(shape, set())}
    return wanted


def co_mentions(by_note, source: str, target: str) -> dict[Pair, dict]:
    counts: dict[Pair, int] = defaultdict(int)
    for labels in by_note.values():
        sources = {eid for eid, salience in labels.get(source, []) if salience >= COMENTION_MIN_SALIENCE}
        targets = {eid for eid, salience in labels.get(target, []) if salience >= COMENTION_MIN_SALIENCE}
        for pair in ((s, t) for s in sources for t in targets):
            counts[pair] += 1
    return {pair: {"notes": n} for pair, n in counts.items() if n >= COMENTION_MIN_NOTES}


def related_concepts(by_note) -> dict[Pair, dict]:
    notes_of: dict[str, int] = defaultdict(int)
    together: dict[Pair, int] = defaultdict(int)
    for labels in by_note.values():
        concepts = sorted({eid for eid, _ in labels.get("Concept", [])})
        for concept in concepts:
            notes_of[concept] += 1
        for pair in combinations(concepts, 2):
            together[pair] += 1
    scored = {
        pair: round(n / math.sqrt(notes_of[pair[0]] * notes_of[pair[1]]), WEIGHT_DIGITS)
        for pair, n in together.items()
        if n >= RELATED_MIN_NOTES
    }
    scored = {pair: weight for pair, weight in scored.items() if weight >= RELATED_MIN_WEIGHT}
    best: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (a, b), weight in scored.items():
        best[a].append((-weight, b))
        best[b].append((-weight, a))
    top = {concept: {other for _, other in sorted(ranked)[:RELATED_TOP_K]} for concept, ranked in best.items()}
    return {
        (a, b): {"weight": weight, "notes": together[(a, b)]}
        for (a, b), weight in scored.items()
        if b in top[a] or a in top[b]
    }
