"""The Bloom perspective's questions, on a graph with known answers, on every available backend.

Each question is asked twice: through `graph/questions.py` (the common-subset BLOOM_* statement,
rows) and, for search phrases, with the very Cypher the perspective ships (paths, as Bloom draws
them). Both must name the same nodes, and those must be the known answer. The search-phrase
Cypher and the name-suggestion query are in the common subset, so the embedded engine runs them
verbatim; scene actions start from `elementId(n) IN $nodes`, which exists only on Neo4j, and run
there when one is configured.
"""

from __future__ import annotations

import json

import pytest

from graph import patterns, queries, questions
from graph.bloom import cypher, perspective
from graph.errors import QueryInputError
from tests.support import sample_graph
from tests.support.graph_backends import BACKENDS, open_test_store

# (question, arguments, expected rows' ids in order)
KNOWN_ANSWERS = [
    # A paper ABOUT the concept, one co-mentioned in a note linking to it; not the paper two hops
    # away through a related concept. The alias and the id find the same concept.
    (questions.papers_connected_to, ("knowledge DISTILLATION",), ["borrowed-reasoning", "spec-gaming"]),
    (questions.papers_connected_to, ("kd",), ["borrowed-reasoning", "spec-gaming"]),
    (questions.papers_connected_to, ("acme-lab",), ["borrowed-reasoning", "compute-thresholds"]),
    (questions.papers_connected_to, ("no such thing",), []),
    (questions.notes_about, ("Knowledge distillation",), ["distillation-rules", "reward-hacking", "small-students"]),
    (questions.notes_about, ("export controls",), ["export-turn", "distillation-rules"]),
    (questions.timeline_of, ("knowledge-distillation",), ["borrowed-reasoning", "small-students", "reward-hacking", "gpai-code", "distillation-rules"]),
    (questions.source_said_about, ("Policy Wire", "KD"), ["distillation-rules"]),
    (questions.source_said_about, ("lab-blog", "knowledge distillation"), ["reward-hacking", "small-students"]),
    (questions.source_said_about, ("Lab Blog", "export controls"), []),
    (questions.policy_events_about, ("chip export controls",), ["hr-4821"]),
    (questions.policy_events_about, ("Knowledge distillation",), ["gpai-code"]),
    (questions.related_concepts, ("KD",), ["export-controls", "reward-hacking"]),
    # A note's id equals a concept's: the label decides which node the action starts from.
    (questions.expand_to_notes, ([("Concept", "reward-hacking")],), ["reward-hacking"]),
    (questions.expand_to_notes, ([("Note", "reward-hacking")],), ["small-students"]),
    (questions.expand_to_notes, ([("Source", "lab-blog"), ("Concept", "export-controls")],), ["export-turn", "distillation-rules", "needles", "reward-hacking", "small-students"]),
    (questions.expand_to_papers, ([("Concept", "knowledge-distillation")],), ["borrowed-reasoning", "spec-gaming"]),
    (questions.expand_to_papers, ([("Source", "policy-wire")],), ["borrowed-reasoning", "compute-thresholds"]),
    (questions.expand_to_papers, ([("Person", "ada-example")],), []),
]

# Search phrase → (question, arguments, the labels of the answer nodes in Bloom's paths)
PHRASE_RUNS = {
    "BLOOM_PAPERS_CONNECTED_TO": (questions.papers_connected_to, {"name": "Acme Lab"}, {"Paper"}),
    "BLOOM_NOTES_ABOUT": (questions.notes_about, {"concept": "KD"}, {"Note"}),
    "BLOOM_TIMELINE_OF": (questions.timeline_of, {"concept": "knowledge distillation"}, {"Note", "Paper", "PolicyEvent"}),
    "BLOOM_SOURCE_SAID_ABOUT": (questions.source_said_about, {"source": "lab blog", "concept": "KD"}, {"Note"}),
    "BLOOM_POLICY_EVENTS_ABOUT": (questions.policy_events_about, {"concept": "export-controls"}, {"PolicyEvent"}),
    "BLOOM_RELATED_CONCEPTS": (questions.related_concepts, {"concept": "reward hacking"}, {"Concept"}),
}


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    graph = open_test_store(request.param, tmp_path_factory.mktemp(request.param))
    sample_graph.build(graph)
    yield graph
    graph.close()


@pytest.mark.parametrize(("question", "args", "expected"), KNOWN_ANSWERS, ids=lambda value: getattr(value, "__name__", None))
def test_questions_give_the_known_answers(store, question, args, expected):
    assert [row["id"] for row in question(store, *args)] == expected


def test_rows_carry_what_the_docstrings_promise(store):
    timeline = questions.timeline_of(store, "knowledge distillation")
    assert [row["day"] for row in timeline] == sorted(row["day"] for row in timeline)
    assert {row["label"] for row in timeline} == {"Note", "Paper", "PolicyEvent"}
    related = questions.related_concepts(store, "KD")
    assert [(row["name"], row["weight"]) for row in related] == [("Export controls", 0.6), ("Reward hacking", 0.2)]
    said = questions.source_said_about(store, "policy-wire", "KD")
    assert said[0]["tldr"] == "Distillation under export rules." and said[0]["published"] == "2026-05-05"
    assert questions.policy_events_about(store, "KD")[0] == {"id": "gpai-code", "name": "GPAI Code of Practice", "day": "2026-04-01", "jurisdiction": "EU"}


def test_limit_cuts_the_answer_after_ordering(store):
    assert [row["id"] for row in questions.notes_about(store, "KD", limit=1)] == ["distillation-rules"]


@pytest.mark.parametrize("phrase", cypher.SEARCH_PHRASES)
def test_the_shipped_search_phrase_draws_exactly_the_answer(store, phrase):
    question, args, answer_labels = PHRASE_RUNS[phrase]
    rows = question(store, **args)
    assert rows, f"{phrase}: the sample graph should give this question an answer"
    paths = store.run(f"{phrase}@bloom", _shipped_cypher(phrase), args)
    drawn = {
        node["properties"]["id"]
        for row in paths
        for node in row["path"]["nodes"]
        if node["labels"][0] in answer_labels and node is not row["path"]["nodes"][_anchor_end(phrase)]
    }
    assert drawn == {row["id"] for row in rows}


def test_the_shipped_name_suggestions_offer_every_entity_most_mentioned_first(store):
    shipped = json.loads(perspective.SHIPPED.read_text(encoding="utf-8"))
    assert cypher.ENTITY_NAME_SUGGESTIONS in perspective.every_cypher(shipped).values(), "perspective.json is stale"
    names = [row["name"] for row in store.run("ENTITY_NAME_SUGGESTIONS@bloom", cypher.ENTITY_NAME_SUGGESTIONS)]
    entities = [row["props"] for rows in sample_graph.ENTITIES.values() for row in rows]
    assert names == [props["name"] for props in sorted(entities, key=lambda p: (-p.get("mention_count", 0), p["name"]))]
    assert names[:3] == ["Knowledge distillation", "Export controls", "Reward hacking"]
    # Sources and notes are not entities: "Lab Blog" and the note titled like a concept are not offered.
    assert "Lab Blog" not in names and not {title for _, _, title, _ in sample_graph.NOTES} & set(names)


@pytest.mark.neo4j
@pytest.mark.parametrize(("action", "refs", "expected"), [
    ("BLOOM_EXPAND_TO_PAPERS", [("Concept", "knowledge-distillation")], {"borrowed-reasoning", "spec-gaming"}),
    ("BLOOM_EXPAND_TO_NOTES", [("Note", "reward-hacking")], {"small-students"}),
])
def test_the_shipped_scene_action_draws_exactly_the_answer_on_neo4j(store, action, refs, expected):
    if store.backend != "neo4j":
        pytest.skip("scene actions select nodes by elementId(), which only Neo4j has; the embedded engine runs their $refs twin")
    nodes = [
        store.run("TEST_ELEMENT_ID", "MATCH (n {id: $id}) WHERE labels(n)[0] = $label RETURN elementId(n) AS element", {"id": node_id, "label": label})[0]["element"]
        for label, node_id in refs
    ]
    paths = store.run(f"{action}@bloom", cypher.scene_action_cypher(action), {"nodes": nodes})
    answer_label = "Paper" if action == "BLOOM_EXPAND_TO_PAPERS" else "Note"
    drawn = {node["properties"]["id"] for row in paths for node in row["path"]["nodes"][1:] if node["labels"][0] == answer_label}
    assert drawn == expected


@pytest.mark.parametrize("action", cypher.SCENE_ACTIONS)
def test_scene_actions_differ_from_their_twins_only_in_how_they_select(action):
    shipped = _shipped_cypher(action)
    assert shipped.startswith(cypher.BLOOM_SELECTION)
    pattern = shipped.removeprefix(cypher.BLOOM_SELECTION).removesuffix(f"RETURN path\nLIMIT {cypher.PATH_LIMIT}\n")
    assert queries.STATEMENTS[action].startswith(queries.BLOOM_SELECTIONS["refs"] + "\n" + pattern)


def test_bad_labels_and_limits_are_refused_before_reaching_the_graph(store):
    with pytest.raises(QueryInputError):
        questions.expand_to_notes(store, [("Concept`) DETACH DELETE n //", "x")])
    with pytest.raises(QueryInputError):
        questions.notes_about(store, "KD", limit=0)
    with pytest.raises(QueryInputError):
        questions.papers_connected_to(store, "KD", limit=patterns.MAX_LIMIT + 1)


@pytest.mark.parametrize(("args", "expected"), [
    (("Concept", "knowledge-distillation", "RELATED_TO", "both", 1, None), ["export-controls", "reward-hacking"]),
    (("Concept", "knowledge-distillation", "RELATED_TO", "out", 1, None), ["export-controls"]),
    (("Concept", "knowledge-distillation", "RELATED_TO", "in", 1, None), ["reward-hacking"]),
    (("Person", "ada-example", None, "both", 3, "Paper"), ["borrowed-reasoning", "compute-thresholds"]),
    (("Person", "ada-example", None, "both", 2, "Paper"), []),
    (("Source", "policy-wire", "PUBLISHED", "out", 1, None), ["distillation-rules", "export-turn"]),
    (("Source", "policy-wire", "PUBLISHED", "in", 1, None), []),
])
def test_neighbourhood_follows_direction_hops_and_type(store, args, expected):
    label, node_id, rel_type, direction, hops, target = args
    found = patterns.neighbourhood(store, label, node_id, rel_type=rel_type, direction=direction, hops=hops, target_label=target)
    assert sorted(row["id"] for row in found) == expected


def _shipped_cypher(statement: str) -> str:
    """The Cypher of this statement in the shipped perspective.json (not a fresh build)."""
    shipped = json.loads(perspective.SHIPPED.read_text(encoding="utf-8"))
    by_cypher = perspective.every_cypher(shipped).values()
    built = cypher.search_phrase_cypher(statement) if statement in cypher.SEARCH_PHRASES else cypher.scene_action_cypher(statement)
    assert built in by_cypher, f"{statement}: the shipped perspective.json is stale (python -m graph.bloom.perspective)"
    return built


def _anchor_end(phrase: str) -> int:
    """Index, in each drawn path, of the node the question starts from (so it is not counted as an answer)."""
    return 0 if phrase in ("BLOOM_PAPERS_CONNECTED_TO", "BLOOM_SOURCE_SAID_ABOUT", "BLOOM_RELATED_CONCEPTS") else -1
