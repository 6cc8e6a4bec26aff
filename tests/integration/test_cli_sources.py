"""`wikigraph sources …` through the real CLI: the file on disk, the feed state, OPML in and out."""

from __future__ import annotations

import json
from xml.etree import ElementTree
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from api.cli import app
from ingest.sources import load_sources
from ingest.state import SourceStateStore

START = """\
# Feeds I follow.
sources:
  # Close reading.
  - name: Alpha Notes
    feed_url: https://alpha.example/feed
    tier: 1
    domains: [ml]
"""


@pytest.fixture
def workspace(tmp_path):
    wiki, data = tmp_path / "wiki", tmp_path / "data"
    wiki.mkdir()
    (wiki / "sources.yaml").write_text(START, encoding="utf-8")
    env = {"WIKIGRAPH_WIKI_DIR": str(wiki), "WIKIGRAPH_DATA_DIR": str(data), "WIKIGRAPH_POLL_INTERVAL": "30"}
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["sources", *args], env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run, wiki / "sources.yaml", data


def test_add_list_remove(workspace):
    run, path, data = workspace
    run("add", "https://beta.example/rss", "--name", "Beta Weekly", "--tier", "2", "--domain", "policy",
        "--domain", "ml", "--interval", "15")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(START) and "# Close reading." in text
    assert [(s.name, s.tier, s.domains, s.poll_interval) for s in load_sources(path)] == [
        ("Alpha Notes", 1, ("ml",), None), ("Beta Weekly", 2, ("policy", "ml"), 15)]

    failed = run("add", "https://alpha.example/feed", "--name", "Copy", ok=False)
    assert "already in" in failed.output and "same feed URL" in failed.output
    bad = run("add", "https://gamma.example/f", "--interval", "1", ok=False)
    assert "poll_interval must be at least 5 minutes" in bad.output
    assert len(load_sources(path)) == 2  # nothing written by a refused command

    states = SourceStateStore(data)
    alpha = states.get("alpha-notes")
    fetched_at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    alpha.record_error(fetched_at, "HTTP 503 from https://alpha.example/feed", retry_after=7200)
    states.save(alpha)
    rows = {row["id"]: row for row in json.loads(run("list", "--json").stdout)}
    assert rows["alpha-notes"]["errors_in_a_row"] == 1
    assert rows["alpha-notes"]["last_error"] == "HTTP 503 from https://alpha.example/feed"
    assert rows["alpha-notes"]["last_fetch"] == "2026-03-01T12:00:00Z" and rows["alpha-notes"]["last_success"] is None
    assert rows["alpha-notes"]["next_check"] == "now"  # that Retry-After has long passed
    assert rows["alpha-notes"]["interval_minutes"] == 30 and rows["beta-weekly"]["interval_minutes"] == 15
    assert rows["beta-weekly"]["last_fetch"] is None and rows["beta-weekly"]["next_check"] == "now"

    beta = states.get("beta-weekly")
    recent = datetime.now(UTC).replace(microsecond=0)
    beta.record_success(recent, "https://beta.example/rss", None, None, "malformed feed (bozo); entries kept")
    states.save(beta)
    plain = run("list").stdout.splitlines()
    assert plain[0].startswith("id=alpha-notes\t") and "errors_in_a_row=1" in plain[0]
    next_check = datetime.fromisoformat(dict(f.split("=", 1) for f in plain[1].split("\t"))["next_check"])
    assert recent + timedelta(minutes=15) <= next_check <= recent + timedelta(minutes=17)  # interval + jitter
    assert "warning=malformed feed (bozo); entries kept" in plain[1]

    run("remove", "alpha notes")
    assert [s.name for s in load_sources(path)] == ["Beta Weekly"]
    assert "# Close reading." in path.read_text(encoding="utf-8")
    missing = run("remove", "Alpha Notes", ok=False)
    assert "no source 'Alpha Notes'" in missing.output


def test_list_shows_status_and_a_permanent_move(workspace):
    run, _, data = workspace
    states = SourceStateStore(data)
    rows = {row["id"]: row for row in json.loads(run("list", "--json").stdout)}
    assert rows["alpha-notes"]["status"] == "new" and rows["alpha-notes"]["moved_to"] is None

    alpha = states.get("alpha-notes")
    recent = datetime.now(UTC)
    alpha.record_success(recent, "https://alpha.example/feed", None, None, None, moved_to="https://alpha.example/v2")
    states.save(alpha)
    rows = {row["id"]: row for row in json.loads(run("list", "--json").stdout)}
    assert rows["alpha-notes"]["status"] == "ok" and rows["alpha-notes"]["moved_to"] == "https://alpha.example/v2"
    assert "moved_to=https://alpha.example/v2" in run("list").stdout and "status=ok" in run("list").stdout

    for _ in range(3):
        alpha.record_error(recent, "HTTP 500 from https://alpha.example/v2")
    states.save(alpha)
    row = json.loads(run("list", "--json").stdout)[0]
    assert row["status"] == "backing off" and row["errors_in_a_row"] == 3


def test_export_import_round_trip(workspace, tmp_path):
    run, path, _ = workspace
    run("add", "http://127.0.0.1:9/feed", "--name", "Local", "--tier", "5", "--domain", "lab", "--allow-private",
        "--full-article", "--url", "http://127.0.0.1:9/")
    before = load_sources(path)
    exported = run("export").stdout
    assert exported.startswith("<?xml") and 'xmlUrl="http://127.0.0.1:9/feed"' in exported
    opml = tmp_path / "subs.opml"
    run("export", str(opml))
    # The two exports may straddle a clock second, so they are compared without their creation stamps.
    feeds = _outlines(exported)
    assert {feed.get("xmlUrl") for feed in feeds} >= {"https://alpha.example/feed", "http://127.0.0.1:9/feed"}
    assert _outlines(opml.read_text(encoding="utf-8")) == feeds

    again = run("import", str(opml))
    assert "skipped 'Alpha Notes': already present" in again.output and "added 0 sources, skipped 2" in again.output

    path.write_text("sources:\n", encoding="utf-8")
    dry = run("import", str(opml), "--dry-run")
    assert "would add 2 sources" in dry.output and load_sources(path) == []
    run("import", str(opml))
    assert load_sources(path) == before


def _outlines(opml_text: str) -> list[dict[str, str]]:
    root = ElementTree.fromstring(opml_text)
    assert root.findtext("head/dateCreated")
    return [dict(outline.attrib) for outline in root.iter("outline")]


def test_import_refuses_a_file_that_is_not_opml(workspace, tmp_path):
    run, path, _ = workspace
    junk = tmp_path / "feed.xml"
    junk.write_text("<rss version='2.0'><channel/></rss>", encoding="utf-8")
    result = run("import", str(junk), ok=False)
    assert "not an OPML document" in result.output
    assert path.read_text(encoding="utf-8") == START
