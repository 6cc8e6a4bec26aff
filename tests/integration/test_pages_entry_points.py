"""Generated pages from the entry points: `wikigraph pages` on the CLI, and an ingest regenerating the pages
of the entities its new notes mention, then syncing them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.jobs import ingest_once, open_services
from graph.entities_md import entity_path
from graph.notes_md import parse_note
from graph.page_blocks import BEGIN_MARKER
from graph.sync_scan import plan_sync
from graph.vault import Vault
from tests.conftest import embed_config
from tests.support.lamplight import lamplight_workspace
from tests.support.vault_pages import (
    make_entity,
    make_note,
    mention,
    write_entity,
    write_note,
)


def test_the_pages_command_writes_blocks_index_and_digests_and_syncs_them(tmp_path):
    wiki, data = tmp_path / "wiki", tmp_path / "data"
    vault = Vault(wiki)
    write_note(vault, make_note("a", "Alpha", entities=[mention("Concept", "kd", "Knowledge distillation")]))
    page = write_entity(vault, make_entity("Concept", "kd", "Knowledge distillation"))
    env = {"WIKIGRAPH_WIKI_DIR": str(wiki), "WIKIGRAPH_DATA_DIR": str(data)}
    if embed_config().model_path is not None:
        env["WIKIGRAPH_EMBED_MODEL_PATH"] = str(embed_config().model_path)
    runner = CliRunner()
    first = runner.invoke(app, ["pages"], env=env)
    assert first.exit_code == 0, first.output
    assert "pages: 1 rewritten, 0 unchanged; index rewritten; 1 digest page(s) written; sync: 1 entity pages projected" in first.output
    assert BEGIN_MARKER in page.read_text(encoding="utf-8") and "[[notes/a|Alpha]]" in page.read_text(encoding="utf-8")
    assert (wiki / "index.md").is_file() and (wiki / "digest" / "2026-03" / "2026-03-02.md").is_file()
    second = runner.invoke(app, ["pages"], env=env)
    assert "pages: 0 rewritten, 1 unchanged; index unchanged; 0 digest page(s) written" in second.output


@pytest.fixture
def settings(tmp_path):
    with lamplight_workspace(tmp_path) as (opened, _):
        yield opened


def test_an_ingest_regenerates_the_pages_its_notes_mention_logs_them_and_syncs(settings):
    wiki = settings.paths.wiki_dir
    vault = Vault(wiki)
    # A concept the wiki already has a page for, which one of the feed's posts is about.
    write_entity(vault, make_entity("Concept", "speculative-decoding", "Speculative decoding"))
    with open_services(settings) as services:
        report = ingest_once(services, progress=lambda *args: None)
        assert report.errors == {} and len(report.notes_written) == 4
        notes = [parse_note(path.read_text(encoding="utf-8")) for path in sorted((wiki / "notes").glob("*.md"))]
        mentioned = {(m["type"], m["id"]) for note in notes for m in note.entities if m["type"] in ("Concept", "Paper", "PolicyEvent", "Organization")}
        assert ("Concept", "speculative-decoding") in mentioned
        for key in mentioned:
            assert BEGIN_MARKER in entity_path(vault, *key).read_text(encoding="utf-8"), key
        assert sorted(report.wiki.pages.written) == sorted(f"{t}/{i}" for t, i in mentioned)
        plan = plan_sync(vault, services.store)
        assert plan.changed_entities == [] and plan.changed_notes == []  # the rewritten pages were projected
        log = (wiki / "log.md").read_text(encoding="utf-8")
        assert sum(line.startswith("- ") and " · note · " in line for line in log.splitlines()) == 4
        days = {note.published.isoformat() for note in notes}
        assert {path.stem for path in (wiki / "digest").rglob("*.md")} == days
        second = ingest_once(services, progress=lambda *args: None)
        assert second.notes_written == [] and second.wiki is None
        assert (wiki / "log.md").read_text(encoding="utf-8") == log
