"""Schema migrations: applied in order, once, recorded in the graph, on every backend."""

from __future__ import annotations

import pytest

from graph import migrations
from graph.errors import GraphStoreError
from graph.store import dialects
from tests.support.graph_backends import BACKENDS, open_test_store

MIGRATION_IDS = [migration.id for migration in migrations.MIGRATIONS]


@pytest.fixture(params=BACKENDS)
def bare_store(request, tmp_path):
    store = open_test_store(request.param, tmp_path / "data", migrate=False)
    yield store
    store.close()


def test_a_fresh_graph_gets_every_migration_in_order_then_none(bare_store):
    assert migrations.pending(bare_store) == list(migrations.MIGRATIONS)
    assert bare_store.ensure_schema() == MIGRATION_IDS
    assert sorted(migrations.applied(bare_store)) == MIGRATION_IDS
    assert migrations.pending(bare_store) == []
    assert bare_store.ensure_schema() == []
    # The records are bookkeeping, not knowledge: not counted, and they outlive delete_all.
    assert bare_store.counts() == {"nodes": {}, "edges": {}}
    bare_store.delete_all()
    assert sorted(migrations.applied(bare_store)) == MIGRATION_IDS


def test_a_partly_migrated_graph_gets_only_the_missing_migrations(bare_store):
    bare_store.ensure_schema()
    later = MIGRATION_IDS[2:]
    bare_store.run("TEST_FORGET", "MATCH (m:SchemaMigration) WHERE m.id IN $ids DELETE m", {"ids": later})
    assert [m.id for m in migrations.pending(bare_store)] == later
    assert bare_store.ensure_schema() == later
    assert migrations.pending(bare_store) == []


def test_migrated_graph_searches_entity_names_and_aliases(bare_store):
    bare_store.ensure_schema()
    bare_store.run(
        "TEST_CREATE",
        "CREATE (:Concept {id: $id, name: $name, aliases_text: $aliases})",
        {"id": "knowledge-distillation", "name": "Knowledge distillation", "aliases": "KD | teacher-student training"},
    )
    bare_store.run("TEST_CREATE", "CREATE (:Concept {id: 'other', name: 'Reward hacking'})")
    for prop, text in (("name", "distillation"), ("aliases_text", "teacher student")):
        name, statement, params = dialects.fulltext_query(bare_store.dialect, "Concept", prop, text, 5)
        rows = bare_store.run(name, statement, params)
        assert [row["id"] for row in rows] == ["knowledge-distillation"], prop


@pytest.mark.parametrize("label", ["SchemaMigration", "SyncState"])
def test_bookkeeping_labels_have_unique_ids_too(bare_store, label):
    bare_store.ensure_schema()
    create = f"CREATE (:{label} {{id: $id}})"
    bare_store.run("TEST_CREATE", create, {"id": "twin"})
    with pytest.raises(GraphStoreError):
        bare_store.run("TEST_CREATE", create, {"id": "twin"})
