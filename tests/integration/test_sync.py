"""Vault sync on every available backend: only the difference is written, entities outlive their
pages while referenced, vector points follow their notes, bad pages are reported and kept."""

from __future__ import annotations

from datetime import date

import pytest

from graph import analytics
from graph.dump import dump_graph
from graph.errors import GraphStoreError
from graph.model import SourceRecord
from graph.sync import sync_note, sync_vault
from graph.vault import Vault
from graph.vectors import VectorConfig, VectorIndex
from tests.support.graph_backends import BACKENDS, open_test_store
from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note

SOURCES = [SourceRecord("lab-blog", "Lab Blog", "http://127.0.0.1/lab.xml", 1, ("ml",))]


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path, embedder):
    store = open_test_store(request.param, tmp_path / "data")
    index = VectorIndex.open(VectorConfig(path=tmp_path / "qdrant"), embedder.dimension)
    vault = Vault(tmp_path / "wiki")
    yield vault, store, index, embedder
    index.close()
    store.close()


def sync(env):
    vault, store, index, embedder = env
    return sync_vault(vault, store, index, embedder, SOURCES)


def nodes(store) -> dict:
    return {(labels[0], node_id): props for labels, node_id, props in dump_graph(store)["nodes"]}


def test_a_second_sync_of_an_unchanged_vault_writes_nothing(env):
    vault, store, *_ = env
    write_note(vault, make_note("a", "Alpha", entities=[mention("Concept", "kd")]))
    first = sync(env)
    assert first.upserted == ["a"] and first.analyzed and first.chunks > 0
    before = dump_graph(store)
    second = sync(env)
    assert not second.changed_anything and not second.analyzed and second.unchanged == 1
    assert dump_graph(store) == before


def test_an_entity_outlives_its_page_while_referenced_then_goes(env):
    vault, store, *_ = env
    write_note(vault, make_note("a", "Alpha", entities=[mention("Concept", "kd", "Knowledge distillation")]))
    page = write_entity(vault, make_entity("Concept", "kd", "KD (page name)", aliases=["distillation"]))
    sync(env)
    assert nodes(store)[("Concept", "kd")]["name"] == "KD (page name)"
    assert nodes(store)[("Concept", "kd")]["referenced_only"] is False
    page.unlink()
    report = sync(env)
    assert report.entities_deleted == ["Concept/kd"]
    kd = nodes(store)[("Concept", "kd")]
    assert (kd["name"], kd["referenced_only"], "aliases" in kd) == ("Knowledge distillation", True, False)
    write_note(vault, make_note("a", "Alpha", entities=[]))
    sync(env)
    assert ("Concept", "kd") not in nodes(store)


def test_vector_points_follow_their_notes(env):
    vault, store, index, embedder = env
    write_note(vault, make_note("a", "Alpha"))
    write_note(vault, make_note("b", "Beta"))
    sync(env)
    assert index.note_ids() == {"a", "b"}
    before = index.count()
    write_note(vault, make_note("a", "Alpha", tldr="A different summary, with other words in it."))
    vault.note_path("b").unlink()
    report = sync(env)
    assert (report.upserted, report.deleted) == (["a"], ["b"])
    assert index.note_ids() == {"a"}
    assert index.count() == before // 2
    hit = index.search(embedder.embed_one("Alpha. A different summary, with other words in it."), k=1)[0]
    assert (hit.note_id, hit.section) == ("a", "TL;DR")


def test_an_unreadable_page_is_reported_and_keeps_its_last_state(env):
    vault, store, *_ = env
    path = write_note(vault, make_note("a", "Alpha"))
    sync(env)
    path.write_text(path.read_text(encoding="utf-8").replace("## TL;DR", "## Nothing"), encoding="utf-8")
    write_note(vault, make_note("b", "Beta")).write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    broken = write_entity(vault, make_entity("Concept", "kd", "KD"))
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: Concept", "type: Gadget"), encoding="utf-8")
    report = sync(env)
    assert len(report.errors) == 3
    assert any("notes/a.md" in error and "TL;DR" in error for error in report.errors)
    assert any("notes/b.md" in error for error in report.errors)
    assert any("concepts/kd.md" in error for error in report.errors)
    graph = nodes(store)
    assert graph[("Note", "a")]["title"] == "Alpha" and ("Note", "b") not in graph and ("Concept", "kd") not in graph
    write_note(vault, make_note("a", "Alpha, fixed"))
    assert sync(env).upserted == ["a"]
    assert nodes(store)[("Note", "a")]["title"] == "Alpha, fixed"


def test_notes_synced_one_by_one_leave_analytics_to_the_vault_sync(env):
    vault, store, index, embedder = env
    for note_id in ("a", "b"):
        report = sync_note(vault, store, index, embedder, write_note(vault, make_note(note_id, note_id.upper(), entities=[mention("Concept", "kd")])))
        assert report.upserted == [note_id] and not report.analyzed
    assert analytics.is_stale(store)
    assert "pagerank" not in nodes(store)[("Concept", "kd")]
    report = sync(env)
    assert report.upserted == [] and report.analyzed
    assert not analytics.is_stale(store)
    assert nodes(store)[("Concept", "kd")]["mention_count"] == 2


def test_a_value_no_backend_stores_faithfully_fails_naming_the_statement_only(env):
    vault, *_ = env
    write_note(vault, make_note("a", "secret-title-1234\x00"))
    with pytest.raises(GraphStoreError) as error:
        sync(env)
    assert error.value.statement == "SYNC_UPSERT_NOTES"
    assert "secret-title-1234" not in str(error.value)


def test_links_to_a_page_are_drawn_when_it_appears_and_dropped_when_it_goes(env):
    vault, store, *_ = env
    write_note(vault, make_note("a", "Alpha", date(2026, 1, 1), connections=[("Reward Hacking", "see"), ("b", "next")]))
    sync(env)
    assert not [e for e in dump_graph(store)["edges"] if e[2] == "CONNECTS_TO"]
    write_entity(vault, make_entity("Concept", "reward-hacking", "Reward hacking"))
    write_note(vault, make_note("b", "Beta"))
    report = sync(env)
    assert report.relinked == ["a"]
    links = {(e[3], e[4]) for e in dump_graph(store)["edges"] if e[2] == "CONNECTS_TO"}
    assert links == {("Concept", "reward-hacking"), ("Note", "b")}
    (vault.root / "concepts" / "reward-hacking.md").unlink()
    report = sync(env)
    assert report.relinked == ["a"]
    assert {(e[3], e[4]) for e in dump_graph(store)["edges"] if e[2] == "CONNECTS_TO"} == {("Note", "b")}
    assert ("Concept", "reward-hacking") not in nodes(store)


def test_every_statement_sync_sends_is_in_the_linted_catalogue(env, monkeypatch):
    from graph.store import dialects

    vault, store, *_ = env
    sent: dict[str, str] = {}
    send = store.run

    def recording(name, statement, params=None):
        sent[name] = statement
        return send(name, statement, params)

    monkeypatch.setattr(store, "run", recording)
    write_note(vault, make_note("a", "Alpha", entities=[mention("Paper", "p", salience=0.5), mention("Concept", "c", salience=0.5)],
                                connections=[("b", "next"), ("people/ada", "who")]))
    write_note(vault, make_note("b", "Beta", entities=[mention("Paper", "p", salience=0.5), mention("Concept", "c", salience=0.5)]))
    write_entity(vault, make_entity("Person", "ada", "Ada", links={"affiliated_with": ["lab"]}))
    write_entity(vault, make_entity("Paper", "p", "P", links={"about": ["c"]}))
    sync(env)
    (vault.root / "papers" / "p.md").unlink()
    vault.note_path("b").unlink()
    sync(env)
    catalogue = dialects.all_statements(store.dialect)
    assert len(sent) > 30
    assert {name: text for name, text in sent.items() if catalogue.get(name) != text} == {}
