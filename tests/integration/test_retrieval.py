"""Graph-aware retrieval on the connected fixture wiki: real embedded graph, Qdrant local mode, real model.

The expected answers follow from the fixture's structure, described in tests/support/connected_wiki.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import QueryInputError
from graph.retrieval import EntityNotFound, RetrievalConfig, connected, resolve, search
from graph.retrieval.config import DEFAULT_EDGE_WEIGHTS
from tests.support.retrieval_world import open_world

TODAY = date(2026, 6, 15)
TRILEMMA = "defense-trilemma"
NEAR_PAPERS = ["io-defense-impossibility", "layered-refusal", "adaptive-attack-suite", "scaling-laws-revisited"]
HUB = "large-language-models"


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    opened = open_world(tmp_path_factory.mktemp("retrieval"), embedder)
    yield opened
    opened.close()


def _ids(results) -> list[str]:
    return [result.id for result in results]


def _assert_evidence_is_exact(world, results) -> None:
    for result in results:
        assert result.evidence, f"{result.id} has no evidence"
        for item in result.evidence:
            assert world.file_text(item.path)[item.start : item.end] == item.text


def test_the_fixture_projects_cleanly(world) -> None:
    assert world.report.errors == []
    assert world.deps.index.entity_count() == 18
    kinds = {hit.kind for hit in world.deps.index.search_chunks(None, "defense trilemma", 100, mode="sparse")}
    assert kinds == {"section", "raw"}


def test_papers_connected_to_a_concept_in_order_with_paths_and_evidence(world) -> None:
    results = connected(world.deps, TRILEMMA, "Concept", "Paper", max_hops=3, limit=10, today=TODAY)
    ids = _ids(results)
    assert ids[:4] == NEAR_PAPERS
    assert set(ids[4:]) == {"tiny-teachers", "compute-thresholds"}  # reached only through the hub concept
    assert all(r.type == "Paper" and r.parts.text == 0 and r.parts.graph > 0 for r in results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    declared, via_notes, via_related = (results[0].paths[0], results[1].paths[0], results[2].paths[0])
    assert [(n.id, n.type) for n in declared.nodes] == [(TRILEMMA, "Concept"), ("io-defense-impossibility", "Paper")]
    assert [(e.type, e.direction) for e in declared.edges] == [("ABOUT", "in")]
    assert via_notes.nodes[1].type == "Note" and via_notes.nodes[1].id in {"n02-layered-refusal-trilemma", "n04-red-teams-refusal-gaps"}
    assert via_notes.edges[0].type == "MENTIONS" and via_notes.edges[0].properties["salience"] > 0
    assert [n.id for n in via_related.nodes] == [TRILEMMA, "adaptive-attacks", "adaptive-attack-suite"]
    assert [e.type for e in via_related.edges] == ["RELATED_TO", "ABOUT"] and via_related.edges[0].properties["weight"] > 0
    for result in results:
        for path in result.paths:
            assert path.nodes[0].id == TRILEMMA and path.nodes[-1].id == result.id
            assert len(path.edges) == len(path.nodes) - 1 <= 3
    assert results[0].url == "https://arxiv.org/abs/2603.04411"
    assert results[2].url == "https://doi.org/10.5555/adaptbench.2026"
    _assert_evidence_is_exact(world, results)
    assert "Layered Refusal" in results[1].evidence[0].text


def test_hop_limit_bounds_the_answer(world) -> None:
    assert _ids(connected(world.deps, TRILEMMA, None, "Paper", max_hops=1, today=TODAY)) == ["io-defense-impossibility"]
    two = _ids(connected(world.deps, TRILEMMA, None, "Paper", max_hops=2, today=TODAY))
    assert two[:3] == NEAR_PAPERS[:3] and "compute-thresholds" not in two  # three hops away, through the hub


def test_search_answers_the_connected_shape_like_connected(world) -> None:
    response = search(world.deps, "papers connected to the Defense Trilemma", k=10, today=TODAY)
    reading = response.interpretation
    assert reading.shape == "connected" and reading.target_types == ("Paper",)
    assert [(r.surface, r.id, r.type, r.method) for r in reading.resolutions] == [("the Defense Trilemma", TRILEMMA, "Concept", "alias")]
    direct = connected(world.deps, TRILEMMA, "Concept", "Paper", max_hops=3, limit=10, today=TODAY)
    assert _ids(response.results) == _ids(direct)
    assert [r.paths for r in response.results] == [r.paths for r in direct]
    misspelt = search(world.deps, "papers related to the defence trilema", k=4, today=TODAY)
    assert misspelt.interpretation.resolutions[0].method == "fuzzy"
    assert _ids(misspelt.results) == NEAR_PAPERS


def test_hub_damping_keeps_a_generic_concept_from_connecting_everything(world) -> None:
    damped = _ids(connected(world.deps, TRILEMMA, "Concept", "Concept", today=TODAY))
    plain_deps = type(world.deps)(world.deps.store, world.deps.index, world.deps.embedder, RetrievalConfig(hub_exponent=0.0))
    plain = _ids(connected(plain_deps, TRILEMMA, "Concept", "Concept", today=TODAY))
    assert damped[:3] == ["adaptive-attacks", "jailbreak-robustness", HUB]
    assert plain[:3] == ["adaptive-attacks", HUB, "jailbreak-robustness"]


def test_free_text_ranks_by_text_and_graph(world) -> None:
    query = "why refusal filters trade off cost against coverage"
    hybrid = search(world.deps, query, k=10, today=TODAY)
    vector = search(world.deps, query, k=10, mode="vector", today=TODAY)
    assert hybrid.interpretation.shape == "free" and hybrid.interpretation.resolutions == ()
    top = hybrid.results[0]
    assert top.id == "n01-input-filters-trilemma" and top.parts.text > 0.9 and top.parts.graph > 0.5
    assert all(r.parts.graph == 0 for r in vector.results)
    # the paper the filter notes are about is pulled up by the graph
    assert _ids(hybrid.results).index("layered-refusal") < _ids(vector.results).index("layered-refusal")
    assert TRILEMMA in _ids(hybrid.results) and TRILEMMA not in _ids(vector.results)
    weights = RetrievalConfig()
    for result in hybrid.results:
        parts = result.parts
        total = weights.text_weight + weights.graph_weight + weights.tier_weight + weights.recency_weight
        expected = (weights.text_weight * parts.text + weights.graph_weight * parts.graph + weights.tier_weight * parts.tier
                    + weights.recency_weight * parts.recency) / total
        assert abs(result.score - expected) < 1e-5
    _assert_evidence_is_exact(world, hybrid.results)
    note = next(r for r in hybrid.results if r.type == "Note")
    assert note.url.startswith("https://frontier-notes.example/posts/") and note.tier == 1
    assert (note.source, note.source_name) == ("frontier-notes", "Frontier Notes")


def test_entities_named_in_free_text_seed_the_graph(world) -> None:
    response = search(world.deps, "rate limits and adaptive attackers", k=5, today=TODAY)
    (named,) = response.interpretation.resolutions
    assert (named.surface, named.id, named.method) == ("adaptive attackers", "adaptive-attacks", "alias")
    assert response.results[0].id in {"adaptive-attack-suite", "adaptive-attacks", "n05-adaptive-benchmarks"}
    with_path = [r for r in response.results if r.paths]
    assert with_path and all(r.paths[0].nodes[0].id == "adaptive-attacks" for r in with_path)


def test_hybrid_mode_fuses_dense_and_bm25_by_reciprocal_rank(world) -> None:
    index, embedder = world.deps.index, world.deps.embedder
    text = "arXiv 2604.08861"
    vector = embedder.embed_one(text)
    keys = lambda hits: [(h.note_id, h.payload["ordinal"]) for h in hits]  # noqa: E731
    dense = keys(index.search_chunks(vector, text, 30, mode="dense"))
    sparse = keys(index.search_chunks(vector, text, 30, mode="sparse"))
    hybrid = index.search_chunks(vector, text, 30, mode="hybrid", rrf_k=60)
    for hit in hybrid:
        key = (hit.note_id, hit.payload["ordinal"])
        expected = sum(1.0 / (60 + ranks.index(key)) for ranks in (dense, sparse) if key in ranks)  # ranks from 0
        assert abs(hit.score - expected) < 1e-9
    # an identifier the embedding barely sees: BM25 brings both paragraphs citing it into the top three
    citing = lambda hits: {(h.note_id, h.section) for h in hits[:3] if "2604.08861" in h.text}  # noqa: E731
    both = {("n02-layered-refusal-trilemma", "raw 1"), ("n04-red-teams-refusal-gaps", "raw 1")}
    assert citing(hybrid) == both
    assert len(citing(index.search_chunks(vector, text, 3, mode="dense"))) < 2
    response = search(world.deps, "arXiv 2604.08861", k=3, today=TODAY)
    assert _ids(response.results)[:2] == ["n02-layered-refusal-trilemma", "n04-red-teams-refusal-gaps"]


def test_local_mode_bm25_and_fusion_agree_with_qdrants_own(world) -> None:
    """Local mode answers BM25 from its in-memory mirror and fuses in Python; Qdrant's own sparse
    search and RrfQuery (what a server runs) give the same points in the same order."""
    from qdrant_client import models

    index, embedder = world.deps.index, world.deps.embedder
    name = index.config.collection
    for text in ("adaptive attackers and rate limits", "arXiv 2604.08861", "export controls on chips"):
        vector, terms = embedder.embed_one(text), sparse_query(text)
        ours = index.search_chunks(vector, text, 20, mode="sparse")
        theirs = index._client.query_points(name, query=terms, using="bm25", limit=20, with_payload=True).points
        assert [(h.note_id, h.payload["ordinal"]) for h in ours] == [(p.payload["note_id"], p.payload["ordinal"]) for p in theirs]
        assert all(abs(h.score - p.score) < 1e-5 * p.score for h, p in zip(ours, theirs))
        fused = [(h.note_id, h.payload["ordinal"]) for h in index.search_chunks(vector, text, 20, mode="hybrid", rrf_k=60)]
        prefetch = [models.Prefetch(query=vector, using="dense", limit=20), models.Prefetch(query=terms, using="bm25", limit=20)]
        qdrant = index._client.query_points(name, prefetch=prefetch, query=models.RrfQuery(rrf=models.Rrf(k=60)), limit=20, with_payload=True).points
        assert fused == [(p.payload["note_id"], p.payload["ordinal"]) for p in qdrant]


def sparse_query(text: str):
    from qdrant_client import models

    from graph import sparse

    vector = sparse.query_vector(text)
    return models.SparseVector(indices=vector.indices, values=vector.values)


def test_type_date_and_tier_filters(world) -> None:
    papers = search(world.deps, "attacks on refusal filters", k=10, types={"Paper"}, today=TODAY).results
    assert papers and {r.type for r in papers} == {"Paper"}
    window = search(world.deps, "defense trilemma", k=10, since=date(2026, 3, 15), until=date(2026, 4, 30), today=TODAY).results
    assert window and all("2026-03-15" <= r.date <= "2026-04-30" for r in window)
    query = "what regulators should ask of misuse filters"
    everything = _ids(search(world.deps, query, k=10, today=TODAY).results)
    tier_one = search(world.deps, query, k=10, tier={1}, today=TODAY).results
    assert "n03-regulators-impossibility" in everything  # tier 2
    assert "n03-regulators-impossibility" not in _ids(tier_one)
    assert all(r.tier == 1 for r in tier_one if r.type == "Note")
    assert all(e.note_id.startswith(("n01", "n02", "n04", "n05", "n06", "n07", "n09", "n11", "n18", "n20"))
               for r in tier_one for e in r.evidence)
    since = search(world.deps, "papers since 2026-03-01", k=10, today=TODAY)
    assert since.interpretation.shape == "since"
    assert sorted(_ids(since.results)) == ["compute-thresholds", "layered-refusal"]


def test_timeline_and_what_a_source_said(world) -> None:
    timeline = search(world.deps, "timeline of the defense trilemma", k=8, today=TODAY)
    days = [r.date for r in timeline.results]
    assert timeline.interpretation.shape == "timeline" and days == sorted(days)
    assert {"n01-input-filters-trilemma", "io-defense-impossibility"} <= set(_ids(timeline.results))
    said = search(world.deps, "what did Policy Digest say about export controls", k=10, today=TODAY)
    assert said.interpretation.speaker.id == "policy-digest"
    assert said.results and all(r.type == "Note" and r.source == "policy-digest" for r in said.results)
    assert _ids(said.results)[:2] == ["n14-compute-thresholds", "n13-chip-rule-lands"]
    person = search(world.deps, "what did Bo Chen say about the defense trilemma", k=10, today=TODAY)
    assert person.interpretation.speaker.type == "Person" and person.results[0].id == "n06-trilemma-critics"


def test_resolve_by_id_alias_fuzzy_and_embedding(world) -> None:
    def best(name):
        found = resolve(world.deps, name)
        return (found[0].id, found[0].method) if found else None

    assert best("defense-trilemma") == (TRILEMMA, "id")
    assert best("KD") == ("knowledge-distillation", "alias")
    assert best("AdaptBench") == ("adaptive-attack-suite", "alias")
    assert best("defence trilema") == (TRILEMMA, "fuzzy")
    assert best("Scaling laws") == ("scaling-laws-revisited", "fuzzy")
    assert best("teaching small students with small teachers") == ("tiny-teachers", "embedding")
    assert resolve(world.deps, "quantum gravity in black holes") == []


def test_bad_input_is_refused_clearly(world) -> None:
    with pytest.raises(QueryInputError, match="k must be"):
        search(world.deps, "x", k=0)
    with pytest.raises(QueryInputError, match="unknown node label"):
        search(world.deps, "x", types={"Papers"})
    with pytest.raises(QueryInputError, match="mode"):
        search(world.deps, "x", mode="magic")
    with pytest.raises(QueryInputError, match="after until"):
        search(world.deps, "x", since=date(2026, 5, 1), until=date(2026, 4, 1))
    with pytest.raises(QueryInputError, match="empty"):
        search(world.deps, "   ")
    with pytest.raises(QueryInputError, match="hop count"):
        connected(world.deps, TRILEMMA, None, "Paper", max_hops=4)
    with pytest.raises(EntityNotFound, match="no-such-thing"):
        connected(world.deps, "no-such-thing", None, "Paper")
    with pytest.raises(QueryInputError, match="edge weights"):
        RetrievalConfig(edge_weights={**DEFAULT_EDGE_WEIGHTS, "LIKES": 1.0})
