"""Schema migrations: applied in order, once, recorded in the graph, on every backend."""

from __future__ import annotations

import asyncio

import pytest

from api.app import create_app
from api.jobs import open_services
from api.settings import Settings
from graph import migrations
from graph.errors import GraphStoreError
from graph.store import dialects
from tests.conftest import embed_config
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


def fresh_settings(root) -> Settings:
    """Settings as an entry point assembles them, over a data directory that does not exist yet."""
    assert not (root / "data").exists()
    return Settings(wiki_dir=root / "wiki", data_dir=root / "data", embed_model_path=embed_config().model_path)


def test_the_command_entry_points_migrate_a_fresh_data_dir_on_open(tmp_path):
    """ingest, reindex, run, watch and the CLI's serve open their services this way."""
    with open_services(fresh_settings(tmp_path)) as services:
        assert migrations.pending(services.store) == []
        assert sorted(migrations.applied(services.store)) == MIGRATION_IDS
        assert services.store.backend == "falkordb"


def test_the_app_migrates_a_fresh_data_dir_when_it_starts(tmp_path):
    """The app opening its own services (an ASGI server running `create_app`) migrates before serving."""
    settings = fresh_settings(tmp_path)
    app = create_app(settings)

    async def pending_once_started() -> list:
        async with app.router.lifespan_context(app):
            return migrations.pending(app.state.services.store)

    assert asyncio.run(pending_once_started()) == []
    with open_services(settings) as services:  # recorded in the graph: the next start finds them applied
        assert sorted(migrations.applied(services.store)) == MIGRATION_IDS
