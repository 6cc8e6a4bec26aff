"""`wikigraph demo` end to end, as a real process: sample feeds over loopback HTTP → a throwaway wiki
of 12 notes with every section → served where `--host`/`--port` say → Ctrl-C removes the throwaway
directory. Also the workspace it builds, on its own (quick): its feeds, and `--keep`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from api.demo import demo_workspace
from graph.notes_md import parse_note
from tests.support.cli_process import cli_env, free_ports, served_cli

DEMO_NOTES = 12  # the posts of the sample feeds (ingest/demo/posts)
STARTER_WIKI = Path(__file__).resolve().parents[2] / "wiki_content"
SECTIONS = ("## TL;DR", "## Why it matters", "## Connections", "## Research angle", "## Open questions")


@pytest.mark.slow
def test_demo_ingests_the_sample_feeds_serves_them_and_cleans_up(tmp_path) -> None:
    port, setting = free_ports(2)
    # `--port` wins over the setting; the repository's vault lends its starter concepts (and is left untouched).
    env = cli_env(WIKIGRAPH_PORT=str(setting), WIKIGRAPH_WIKI_DIR=str(STARTER_WIKI))
    with served_cli(["demo", "--host", "127.0.0.1", "--port", str(port)], port, env, tmp_path, timeout=300) as served:
        output = served.output()
        ready = re.search(r"demo ready in [0-9.]+ s: wiki in (\S+)", output)
        assert ready, output
        wiki = Path(ready.group(1))
        assert f"open http://127.0.0.1:{port}/ (the wiki)" in output
        assert f"notes written: {DEMO_NOTES}; graph/vector sync this run: {DEMO_NOTES} upserted" in output

        notes = sorted((wiki / "notes").glob("*.md"))
        assert len(notes) == DEMO_NOTES
        for path in notes:
            text = path.read_text(encoding="utf-8")
            assert [heading for heading in SECTIONS if f"\n{heading}" not in text] == [], path.name
            note = parse_note(text, path=path.name)
            assert note.tldr and note.why_it_matters and note.research_angle and note.open_questions, path.name
        assert sum(1 for path in notes if parse_note(path.read_text(encoding="utf-8")).connections) > DEMO_NOTES // 2

        assert httpx.get(served.url + "/notes", timeout=10).json()["count"] == DEMO_NOTES
        search = httpx.get(served.url + "/search", params={"q": "papers connected to reward hacking"}, timeout=60)
        assert search.status_code == 200
        assert search.json()["count"] > 0 and {result["type"] for result in search.json()["data"]} == {"Paper"}
        [resolved] = search.json()["interpretation"]["resolutions"]
        assert (resolved["type"], resolved["id"]) == ("Concept", "reward-hacking")  # a starter concept, not a title
    assert served.returncode == 0, served.errors()[-3000:]
    assert not wiki.parent.exists(), "the throwaway directory outlived the demo"


@pytest.mark.parametrize("keep", [False, True])
def test_demo_workspace_serves_its_feeds_and_keeps_the_directory_only_when_asked(keep) -> None:
    with demo_workspace(keep=keep) as workspace:
        sources = yaml.safe_load((workspace.wiki_dir / "sources.yaml").read_text(encoding="utf-8"))["sources"]
        assert len(sources) >= 3
        for source in sources:
            assert source["feed_url"].startswith(workspace.feed_base_url) and workspace.feed_base_url.startswith("http://127.0.0.1:")
            feed = httpx.get(source["feed_url"], timeout=10)
            assert feed.status_code == 200 and b"<rss" in feed.content and b"<item>" in feed.content
    try:
        assert workspace.root.exists() is keep
    finally:
        if keep:
            shutil.rmtree(workspace.root)


def test_demo_workspace_starts_from_the_given_concept_pages(tmp_path) -> None:
    concepts = tmp_path / "concepts"
    concepts.mkdir()
    (concepts / "reward-hacking.md").write_text("---\ntype: Concept\nid: reward-hacking\nname: Reward hacking\n---\n", encoding="utf-8")
    (concepts / ".draft.md.tmp").write_text("half written", encoding="utf-8")
    with demo_workspace(concepts=concepts) as workspace:
        copied = sorted(path.name for path in (workspace.wiki_dir / "concepts").iterdir())
    assert copied == ["reward-hacking.md"]
    with demo_workspace(concepts=tmp_path / "absent") as workspace:
        assert not (workspace.wiki_dir / "concepts").exists()
