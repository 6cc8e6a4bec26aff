"""`wikigraph graph …` and `wikigraph reindex` through the real CLI, on the embedded backend."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph import migrations
from graph.vault import Vault
from tests.conftest import embed_config
from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note


@pytest.fixture
def cli(tmp_path):
    wiki, data = tmp_path / "wiki", tmp_path / "data"
    vault = Vault(wiki)
    write_note(vault, make_note("a", "Alpha", entities=[mention("Concept", "kd", "Knowledge distillation")]))
    write_entity(vault, make_entity("Concept", "kd", "Knowledge distillation"))
    env = {"WIKIGRAPH_WIKI_DIR": str(wiki), "WIKIGRAPH_DATA_DIR": str(data)}
    model = embed_config().model_path
    if model is not None:
        env["WIKIGRAPH_EMBED_MODEL_PATH"] = str(model)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def test_init_applies_the_migrations_once_and_status_reports_them(cli):
    first = cli("graph", "init")
    for migration in migrations.MIGRATIONS:
        assert f"{migration.id}: {migration.description} (applied now)" in first
    assert f"{len(migrations.MIGRATIONS)} migration(s) applied now" in first
    assert "0 migration(s) applied now" in cli("graph", "init")
    status = cli("graph", "status")
    assert "migrations: all applied" in status and "nodes: none" in status


def test_sync_status_analyze_and_reindex(cli):
    synced = cli("graph", "sync")
    assert "notes: 1 upserted" in synced and "entity pages: 1 upserted" in synced and "analytics recomputed" in synced
    status = cli("graph", "status")
    assert "Concept 1, Note 1" in status and "MENTIONS 1" in status and "analytics: up to date" in status
    assert "0 upserted" in cli("graph", "sync") and "analytics unchanged" in cli("graph", "sync")
    assert "analysed 3 nodes, 2 relationships: 0 nodes updated" in cli("graph", "analyze")
    assert "reindexed 1 notes" in cli("reindex")
