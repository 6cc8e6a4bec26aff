"""One suite for every graph backend that is available: embedded FalkorDB always, Neo4j when
WIKIGRAPH_NEO4J_URI points at a running Neo4j 5 (its data is wiped before each test).

A few tests send Cypher of their own through `run`, for what no named operation can show:
that a broken statement is reported by name, that the database itself refuses a duplicate
`id` (the named operations all MERGE), and that nodes, relationships and paths come back as
plain values (no named statement returns them yet).
"""

from __future__ import annotations

import os
import socket

import pytest

from graph import schema
from graph.errors import GraphStoreError, GraphUnavailable
from graph.store import GraphStoreConfig, open_store
from graph.store.falkordb import FalkorStore
from graph.store.neo4j import Neo4jStore

NEO4J_SKIP = "Neo4j backend not tested: set WIKIGRAPH_NEO4J_URI (and WIKIGRAPH_NEO4J_PASSWORD) to a Neo4j 5 you can wipe"


def neo4j_config(tmp_path) -> GraphStoreConfig:
    return GraphStoreConfig(
        data_dir=tmp_path,
        neo4j_uri=os.environ["WIKIGRAPH_NEO4J_URI"],
        neo4j_user=os.environ.get("WIKIGRAPH_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("WIKIGRAPH_NEO4J_PASSWORD"),
        neo4j_database=os.environ.get("WIKIGRAPH_NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    if request.param == "falkordb":
        graph = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path / "data"))
    else:
        if not os.environ.get("WIKIGRAPH_NEO4J_URI"):
            pytest.skip(NEO4J_SKIP)
        graph = Neo4jStore.connect(neo4j_config(tmp_path))
        graph.delete_all()
    graph.ensure_schema()
    yield graph
    graph.close()


def source_row(source_id: str, name: str, tier: int = 1) -> dict:
    return {"id": source_id, "props": {"name": name, "feed_url": f"http://127.0.0.1/{source_id}.xml", "tier": tier, "domains": ["ai"], "url": ""}}


def note_row(note_id: str, source_id: str, title: str, page_hash: str = "h1", **extra) -> dict:
    props = {"title": title, "published": "2024-05-01", "published_ms": 1714521600000, "tier": 1, "domain": "ai", "page_hash": page_hash}
    return {"id": note_id, "source_id": source_id, "props": {**props, **extra}}


def seed(store) -> None:
    store.upsert_sources([source_row("lab-blog", "Lab Blog"), source_row("policy-wire", "Policy Wire", tier=2)])
    store.upsert_notes(
        [
            note_row("scaling-laws", "lab-blog", "Scaling laws revisited", page_hash="a1"),
            note_row("eval-harness", "lab-blog", "An evaluation harness for agents", page_hash="b2"),
            note_row("ai-act", "policy-wire", "The AI Act enters into force", page_hash="c3"),
        ]
    )


def test_ensure_schema_twice_changes_nothing(store):
    seed(store)
    before = store.counts()
    store.ensure_schema()
    store.ensure_schema()
    assert store.counts() == before
    assert store.search_note_titles("evaluation harness")[0]["id"] == "eval-harness"


def test_upserts_are_idempotent(store):
    seed(store)
    first = (store.counts(), store.published_pairs(), store.note_page_hashes())
    seed(store)
    assert (store.counts(), store.published_pairs(), store.note_page_hashes()) == first
    assert first[0] == {"nodes": {"Source": 2, "Note": 3}, "edges": {"PUBLISHED": 3}}


def test_upsert_updates_properties_in_place(store):
    seed(store)
    store.upsert_notes([note_row("scaling-laws", "lab-blog", "Scaling laws, revised", page_hash="a9")])
    assert store.get_note("scaling-laws")["title"] == "Scaling laws, revised"
    assert store.note_page_hashes()["scaling-laws"] == "a9"
    assert store.counts()["nodes"] == {"Source": 2, "Note": 3}


def test_published_edges_link_each_note_to_its_source(store):
    seed(store)
    store.upsert_notes([note_row("orphan", "unknown-feed", "A note from a feed not configured")])
    assert store.published_pairs() == [
        ("lab-blog", "eval-harness"),
        ("lab-blog", "scaling-laws"),
        ("policy-wire", "ai-act"),
        ("unknown-feed", "orphan"),
    ]
    # A source known only through a note is created as a placeholder named after its id.
    assert store.get_note("orphan")["source_name"] == "unknown-feed"


def test_get_note_and_get_notes(store):
    seed(store)
    note = store.get_note("ai-act")
    assert note == {
        "id": "ai-act",
        "title": "The AI Act enters into force",
        "published": "2024-05-01",
        "published_ms": 1714521600000,
        "tier": 1,
        "domain": "ai",
        "page_hash": "c3",
        "source_id": "policy-wire",
        "source_name": "Policy Wire",
    }
    assert store.get_note("no-such-note") is None
    notes = store.get_notes(["ai-act", "scaling-laws", "no-such-note"])
    assert set(notes) == {"ai-act", "scaling-laws"}
    assert notes["scaling-laws"]["source_name"] == "Lab Blog"
    assert store.get_notes([]) == {}


def test_note_page_hashes(store):
    assert store.note_page_hashes() == {}
    seed(store)
    assert store.note_page_hashes() == {"scaling-laws": "a1", "eval-harness": "b2", "ai-act": "c3"}


def test_delete_notes_removes_notes_and_their_edges_only(store):
    seed(store)
    store.delete_notes(["scaling-laws", "no-such-note"])
    assert store.get_note("scaling-laws") is None
    assert store.counts() == {"nodes": {"Source": 2, "Note": 2}, "edges": {"PUBLISHED": 2}}
    store.delete_notes([])
    assert store.counts()["nodes"]["Note"] == 2


def test_duplicate_rows_in_one_batch_merge_into_one_node(store):
    store.upsert_sources([source_row("lab-blog", "Lab Blog")])
    store.upsert_notes([note_row("same", "lab-blog", "First title"), note_row("same", "lab-blog", "Second title")])
    assert store.counts() == {"nodes": {"Source": 1, "Note": 1}, "edges": {"PUBLISHED": 1}}
    assert store.get_note("same")["title"] == "Second title"


@pytest.mark.parametrize("label", schema.LABELS)
def test_uniqueness_constraint_rejects_a_second_node_with_the_same_id(store, label):
    create = f"CREATE (:{schema.check_label(label)} {{id: $id}})"
    store.run("TEST_CREATE", create, {"id": "twin"})
    with pytest.raises(GraphStoreError) as error:
        store.run("TEST_CREATE", create, {"id": "twin"})
    assert error.value.statement == "TEST_CREATE"
    assert store.counts()["nodes"] == {label: 1}


def test_bad_statement_error_names_the_statement_not_the_parameters(store):
    with pytest.raises(GraphStoreError) as error:
        store.run("BROKEN_ON_PURPOSE", "MATCH (n:Note {id: $id}) RETURN n.id +", {"id": "secret-value-1234"})
    assert error.value.statement == "BROKEN_ON_PURPOSE"
    assert "BROKEN_ON_PURPOSE" in str(error.value)
    assert "secret-value-1234" not in str(error.value)


PAYLOADS = [
    "'; MATCH (n) DETACH DELETE n; //",
    '"}) DETACH DELETE n //',
    "`}) DETACH DELETE n //",
    "}) DETACH DELETE n //",
    "\\\"}) MATCH (m) DETACH DELETE m //",
    "line one\nline two\r\n\ttabbed",
    "ünïcødé ✓ 😀",
    "$id {id: 'x'} $rows",
]


def test_parameters_are_stored_literally_and_nothing_else_changes(store):
    seed(store)
    before = {note_id: store.get_note(note_id) for note_id in ("scaling-laws", "eval-harness", "ai-act")}
    rows = [note_row(f"payload-{i}-{payload}", "lab-blog", payload, page_hash=payload) for i, payload in enumerate(PAYLOADS)]
    store.upsert_notes(rows)
    for row, payload in zip(rows, PAYLOADS):
        stored = store.get_note(row["id"])
        assert stored["id"] == row["id"]
        assert stored["title"] == payload
        assert stored["page_hash"] == payload
    assert store.counts() == {"nodes": {"Source": 2, "Note": 3 + len(PAYLOADS)}, "edges": {"PUBLISHED": 3 + len(PAYLOADS)}}
    assert {note_id: store.get_note(note_id) for note_id in before} == before
    store.delete_notes([row["id"] for row in rows])
    assert store.counts() == {"nodes": {"Source": 2, "Note": 3}, "edges": {"PUBLISHED": 3}}


@pytest.mark.parametrize("bad_value", ["nul\x00byte", float("nan"), float("inf")])
def test_values_a_backend_cannot_store_faithfully_are_refused(store, bad_value):
    seed(store)
    before = store.counts()
    with pytest.raises(GraphStoreError) as error:
        store.upsert_notes([note_row("bad", "lab-blog", "ok", extra=bad_value)])
    assert error.value.statement == "UPSERT_NOTES"
    assert store.counts() == before


def test_nodes_relationships_and_paths_come_back_as_plain_dicts(store):
    seed(store)
    rows = store.run(
        "TEST_PATH",
        "MATCH p = (s:Source {id: $source})-[r:PUBLISHED]->(n:Note {id: $note}) RETURN p, r, n, n.published_ms AS ms",
        {"source": "policy-wire", "note": "ai-act"},
    )
    assert len(rows) == 1
    row = rows[0]
    note = {"labels": ["Note"], "properties": store.get_note("ai-act") | {}}
    for key in ("source_id", "source_name"):
        note["properties"].pop(key)
    source = {"labels": ["Source"], "properties": source_row("policy-wire", "Policy Wire", tier=2)["props"] | {"id": "policy-wire"}}
    assert row["n"] == note
    assert row["r"] == {"type": "PUBLISHED", "properties": {}}
    assert row["p"] == {"nodes": [source, note], "relationships": [{"type": "PUBLISHED", "properties": {}}]}
    assert row["ms"] == 1714521600000 and type(row["ms"]) is int


def test_full_text_search_on_titles(store):
    seed(store)
    assert [hit["id"] for hit in store.search_note_titles("scaling")] == ["scaling-laws"]
    assert [hit["id"] for hit in store.search_note_titles("AI act!")] == ["ai-act"]
    # Punctuation and operators of the engines' query languages are never read as syntax:
    # if OR were an operator, "harness OR zebra" would find the harness note.
    assert store.search_note_titles('"harness" (agents)!') == store.search_note_titles("harness agents") != []
    assert store.search_note_titles("harness OR zebra") == []
    assert store.search_note_titles("-- ((( ***") == []
    assert store.search_note_titles("nothing-matches-this") == []


def test_health_reports_a_working_backend(store):
    health = store.health()
    assert health["backend"] == store.backend
    assert health["state"] == "ok"
    assert store.ping() is True


def test_open_store_picks_embedded_falkordb_without_a_neo4j_uri(tmp_path):
    graph = open_store(GraphStoreConfig(data_dir=tmp_path))
    try:
        assert graph.backend == "falkordb"
        assert graph.health()["started_here"] is True
    finally:
        graph.close()


def test_unreachable_neo4j_is_reported_as_unavailable(tmp_path):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = GraphStoreConfig(data_dir=tmp_path, neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="not-this-one")
    with pytest.raises(GraphUnavailable) as error:
        open_store(config)
    assert f"127.0.0.1:{port}" in str(error.value)
    assert "not-this-one" not in str(error.value)


def test_schema_on_a_graph_that_already_has_duplicate_ids_fails_clearly_then_recovers(tmp_path):
    graph = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path))
    try:
        for _ in range(2):
            graph.run("TEST_CREATE", "CREATE (:Concept {id: $id})", {"id": "twin"})
        with pytest.raises(GraphStoreError, match="Concept.*share an id"):
            graph.ensure_schema()
        graph.run("TEST_DEDUPLICATE", "MATCH (c:Concept {id: $id}) WITH c SKIP 1 DETACH DELETE c", {"id": "twin"})
        graph.ensure_schema()
        with pytest.raises(GraphStoreError):
            graph.run("TEST_CREATE", "CREATE (:Concept {id: $id})", {"id": "twin"})
    finally:
        graph.close()
