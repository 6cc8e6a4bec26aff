"""The in-memory snapshot answers the graph phase exactly as the statement-per-hop path does, and
is never stale after a sync: real embedded graph, Qdrant local mode, real model.

Equivalence is checked on the connected fixture wiki and the Bloom sample graph, for every node
as a seed (and groups of seeds), every hop count, the default bounds and tight ones (so caps,
hubs and the frontier limit all bite), with and without a tier filter; then on ranked results.
"""

from __future__ import annotations

import shutil
import time
from datetime import date

import pytest

from graph import schema
from graph.retrieval import RetrievalConfig, connected, generation, search
from graph.retrieval.rank import Filters
from graph.retrieval.snapshot import load
from graph.retrieval.snapshot_cache import SnapshotCache
from graph.retrieval import cypher as q
from graph.retrieval.subgraph import fetch_nodes, neighbourhood
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.sync import sync_vault
from tests.integration.test_store import store  # noqa: F401  (the store suite's backends fixture)
from tests.support import sample_graph
from tests.support.connected_wiki import FIXTURE
from tests.support.retrieval_world import open_world, source_records

TODAY = date(2026, 6, 15)
TIGHT = RetrievalConfig(neighbours_per_node=3, frontier_limit=4, hub_degree=6)
CONFIGS = [RetrievalConfig(), TIGHT, RetrievalConfig(neighbours_per_node=2, frontier_limit=2, hub_degree=3)]
TIER_ONE = Filters(tiers=frozenset({1})).keep_in_graph


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    opened = open_world(tmp_path_factory.mktemp("snapshot"), embedder)
    yield opened
    opened.close()


def _shape(sub) -> tuple:
    edges = {key: edge.props for key, edge in sub.edges.items()}
    return sub.nodes, edges, sub.hops


def _assert_same_neighbourhoods(graph_store, snapshot, seed_groups) -> int:
    compared = 0
    for seeds in seed_groups:
        for hops in range(1, schema.MAX_HOPS + 1):
            for config in CONFIGS:
                for keep in (None, TIER_ONE):
                    by_statements = neighbourhood(graph_store, seeds, hops, config, keep)
                    by_snapshot = neighbourhood(graph_store, seeds, hops, config, keep, snapshot)
                    assert _shape(by_snapshot) == _shape(by_statements), (seeds, hops, config, keep)
                    assert by_snapshot.statements == 0 < by_statements.statements
                    compared += 1
    return compared


def _seed_groups(keys: list) -> list[list]:
    singles = [[key] for key in keys]
    pairs = [[keys[i], keys[(i * 7 + 3) % len(keys)]] for i in range(0, len(keys), 3)]
    return singles + pairs + [keys[::5]]


def test_snapshot_neighbourhoods_equal_the_statements_on_the_connected_wiki(world) -> None:
    graph_store = world.deps.store
    snapshot = load(graph_store)
    assert snapshot.node_count == sum(graph_store.counts()["nodes"].values())
    assert snapshot.edge_count == sum(graph_store.counts()["edges"].values())
    wide = _assert_same_neighbourhoods(graph_store, snapshot, _seed_groups(snapshot.keys))
    assert wide > 1000
    # the tight bounds really cut: fewer nodes than the defaults for some seed
    hub = ("Concept", "large-language-models")
    assert len(neighbourhood(graph_store, [hub], 3, TIGHT, None, snapshot).nodes) < len(neighbourhood(graph_store, [hub], 3, RetrievalConfig(), None, snapshot).nodes)


def test_snapshot_nodes_and_linking_notes_equal_the_statements(world) -> None:
    """What a search reads besides the neighbourhood: the properties of the nodes shown, and an
    entity's mentioning notes (its evidence when the walk did not reach it)."""
    graph_store = world.deps.store
    snapshot = load(graph_store)
    assert snapshot.detailed_nodes(snapshot.keys) == fetch_nodes(graph_store, snapshot.keys)
    entities = [key for key in snapshot.keys if key[0] not in ("Note", "Source")]
    rows = q.run(graph_store, q.ENTITY_NOTES, rows=[{"label": label, "id": node_id} for label, node_id in entities], cap=4)
    by_statement = {(row["label"], row["id"]): list(row["notes"]) for row in rows}
    assert snapshot.linking_notes(entities, 4) == by_statement
    assert len(by_statement) > 10 and any(len(notes) == 4 for notes in by_statement.values())


def test_snapshot_neighbourhoods_equal_the_statements_on_the_sample_graph(store) -> None:  # noqa: F811
    sample_graph.build(store)
    snapshot = load(store)
    assert snapshot.node_count == len(sample_graph.SOURCES) + len(sample_graph.NOTES) + sum(map(len, sample_graph.ENTITIES.values()))
    assert snapshot.edge_count == len(sample_graph.EDGES) + len(sample_graph.NOTES)  # + one PUBLISHED per note
    _assert_same_neighbourhoods(store, snapshot, _seed_groups(snapshot.keys))
    assert snapshot.generation is None  # built through store operations, never synced


def _answers(deps, with_cache: SnapshotCache | None):
    deps = type(deps)(deps.store, deps.index, deps.embedder, deps.config, snapshots=with_cache)
    found = []
    for query in ("why refusal filters trade off cost against coverage", "papers connected to the Defense Trilemma",
                  "rate limits and adaptive attackers", "what regulators should ask of misuse filters", "export controls on chips",
                  "timeline of the defense trilemma", "arXiv 2604.08861"):
        for mode in ("hybrid", "graph"):
            response = search(deps, query, k=10, mode=mode, today=TODAY)
            found.append(response.results)
        found.append(search(deps, query, k=10, tier={1}, today=TODAY).results)
    for entity, label in (("defense-trilemma", "Concept"), ("large-language-models", "Concept"), ("layered-refusal", "Paper")):
        for target in ("Paper", "Concept", "Note"):
            for hops in (1, 2, 3):
                found.append(connected(deps, entity, label, target, max_hops=hops, limit=10, today=TODAY))
    return found


def test_ranked_results_are_the_same_with_the_snapshot(world) -> None:
    cache = SnapshotCache(world.deps.store, background=False)
    with_snapshot = _answers(world.deps, cache)
    assert cache.loads == 1
    by_statements = _answers(world.deps, None)
    assert sum(1 for results in by_statements if results) > 40
    assert with_snapshot == by_statements  # ids, scores, parts, paths (with edge properties), evidence


@pytest.fixture
def own_world(tmp_path, embedder):
    root = tmp_path / "wiki"
    shutil.copytree(FIXTURE, root)
    opened = open_world(tmp_path / "data", embedder, root)
    yield opened
    opened.close()


def _add_paper(root, paper_id: str) -> None:
    (root / "papers" / f"{paper_id}.md").write_text(
        f"---\ntype: Paper\nid: {paper_id}\nname: Trilemma Bounds Revisited {paper_id}\naliases: []\nabout:\n- defense-trilemma\n"
        f"published: 2026-05-01\n---\n# Trilemma Bounds Revisited\n\nTightens the three-way trade-off for filters.\n",
        encoding="utf-8",
    )


def _papers_near_the_trilemma(deps) -> list[str]:
    return [r.id for r in connected(deps, "defense-trilemma", "Concept", "Paper", max_hops=1, limit=20, today=TODAY)]


def test_a_sync_in_this_process_is_seen_by_the_next_search(own_world, embedder) -> None:
    clock = [0.0]  # time stands still: only the sync itself may make the snapshot reload
    cache = SnapshotCache(own_world.deps.store, check_s=1.0, clock=lambda: clock[0], background=False)
    deps = type(own_world.deps)(own_world.deps.store, own_world.deps.index, embedder, snapshots=cache)
    before = _papers_near_the_trilemma(deps)
    assert "trilemma-bounds" not in before and cache.loads == 1
    assert _papers_near_the_trilemma(deps) == before and cache.loads == 1  # unchanged graph: no reload

    _add_paper(own_world.vault.root, "trilemma-bounds")
    report = sync_vault(own_world.vault, own_world.deps.store, own_world.deps.index, embedder, source_records())
    assert report.entities_upserted == ["Paper/trilemma-bounds"]

    after = _papers_near_the_trilemma(deps)
    assert "trilemma-bounds" in after and cache.loads == 2
    assert set(after) - set(before) == {"trilemma-bounds"}


def test_a_sync_by_another_process_is_seen_within_the_check_interval(own_world, embedder, tmp_path) -> None:
    clock = [0.0]
    graph_store = own_world.deps.store
    cache = SnapshotCache(graph_store, check_s=1.0, clock=lambda: clock[0], background=False)
    deps = type(own_world.deps)(graph_store, own_world.deps.index, embedder, snapshots=cache)
    _papers_near_the_trilemma(deps)
    held = cache.current()
    told = generation.local_changes(graph_store)

    # another writer: its own connection to the same embedded server, its own graph_store object
    other = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path / "data" / "graph"))
    try:
        _add_paper(own_world.vault.root, "trilemma-elsewhere")
        sync_vault(own_world.vault, other, None, None, source_records())
    finally:
        other.close()
    assert generation.local_changes(graph_store) == told  # nothing in this process told this graph_store
    clock[0] = 0.5
    assert cache.current() is held  # within the interval the held snapshot is served without asking
    clock[0] = 1.0
    fresh = cache.current()
    assert fresh is not held and ("Paper", "trilemma-elsewhere") in fresh.index
    assert "trilemma-elsewhere" in _papers_near_the_trilemma(deps)


def _loaded(cache: SnapshotCache):
    """The snapshot once the background load is in (a load starts at most every few load times)."""
    deadline = time.monotonic() + 30
    while (found := cache.current()) is None and time.monotonic() < deadline:
        cache.wait()
        time.sleep(0.01)
    assert found is not None, cache.last_error
    return found


def test_in_the_background_a_stale_snapshot_is_never_served_and_the_new_one_follows(own_world, embedder) -> None:
    graph_store = own_world.deps.store
    cache = SnapshotCache(graph_store)
    deps = type(own_world.deps)(graph_store, own_world.deps.index, embedder, snapshots=cache)
    assert cache.current() is None  # nothing loaded yet: the graph is read directly meanwhile
    held = _loaded(cache)
    assert cache.loads == 1
    before = _papers_near_the_trilemma(deps)

    _add_paper(own_world.vault.root, "trilemma-background")
    sync_vault(own_world.vault, graph_store, own_world.deps.index, embedder, source_records())
    assert cache.current() is None  # out of date: not served
    assert "trilemma-background" in _papers_near_the_trilemma(deps)  # answered from the graph itself
    fresh = _loaded(cache)
    assert fresh is not held and ("Paper", "trilemma-background") in fresh.index
    assert set(_papers_near_the_trilemma(deps)) - set(before) == {"trilemma-background"}


def test_every_changing_sync_bumps_the_generation_and_a_no_op_does_not(own_world, embedder) -> None:
    graph_store, vault = own_world.deps.store, own_world.vault
    first = generation.read(graph_store)
    assert first is not None
    sync_vault(vault, graph_store, own_world.deps.index, embedder, source_records())
    assert generation.read(graph_store) == first  # nothing changed
    _add_paper(vault.root, "trilemma-third")
    sync_vault(vault, graph_store, own_world.deps.index, embedder, source_records())
    second = generation.read(graph_store)
    assert second not in (None, first)
    (vault.root / "papers" / "trilemma-third.md").unlink()
    sync_vault(vault, graph_store, own_world.deps.index, embedder, source_records())
    assert generation.read(graph_store) not in (first, second)
    assert ("Paper", "trilemma-third") not in load(graph_store).index
