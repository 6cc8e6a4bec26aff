"""`wikigraph serve`, `run` and `ingest` as a person runs them: real processes, real HTTP on loopback.

`--host`/`--port` must reach the server that listens (over `WIKIGRAPH_PORT`, which loses to them),
and `ingest`'s summary line counts what the run put into the graph and vectors.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from tests.support.cli_process import cli_env, free_port, free_ports, served_cli
from tests.support.feed_server import FeedServer

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "rss_two_posts.xml"


@pytest.fixture
def feeds():
    with FeedServer() as server:
        yield server


@pytest.fixture
def wiki_env(tmp_path, feeds) -> dict[str, str]:
    """A wiki whose sources.yaml follows one loopback feed of two posts; the settings that point at it."""
    wiki = tmp_path / "wiki_content"
    wiki.mkdir()
    source = {"name": "Two Posts", "feed_url": feeds.add("/two.xml", FEED.read_bytes()), "tier": 2,
              "domains": ["ml-systems"], "allow_private": True}
    (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    return cli_env(WIKIGRAPH_WIKI_DIR=str(wiki), WIKIGRAPH_DATA_DIR=str(tmp_path / "data"))


def test_serve_listens_on_the_host_and_port_given(tmp_path, wiki_env) -> None:
    port, other = free_ports(2)
    env = wiki_env | {"WIKIGRAPH_PORT": str(other)}  # the option wins over the setting
    with served_cli(["serve", "--host", "127.0.0.1", "--port", str(port)], port, env, tmp_path) as served:
        health = httpx.get(served.url + "/health", timeout=10).json()
        assert health["status"] == "ok" and health["wiki_dir"] == wiki_env["WIKIGRAPH_WIKI_DIR"]
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{other}/health", timeout=2)
    assert served.returncode == 0, served.errors()[-3000:]
    assert f"http://127.0.0.1:{port}" in served.errors()  # uvicorn says where it listens


def test_run_ingests_then_serves_on_the_host_and_port_given(tmp_path, wiki_env) -> None:
    port = free_port()
    with served_cli(["run", "--host", "127.0.0.1", "--port", str(port)], port, wiki_env, tmp_path) as served:
        notes = httpx.get(served.url + "/notes", timeout=10).json()
        assert notes["count"] == 2
    assert served.returncode == 0, served.errors()[-3000:]
    assert "notes written: 2; graph/vector sync this run: 2 upserted, 0 deleted, 0 unchanged" in served.output()


def test_ingest_summary_counts_what_this_run_changed(wiki_env, feeds) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["ingest"], env=wiki_env)
    assert first.exit_code == 0, first.output
    assert "notes written: 2; graph/vector sync this run: 2 upserted, 0 deleted, 0 unchanged" in first.output
    again = runner.invoke(app, ["ingest"], env=wiki_env)
    assert again.exit_code == 0, again.output
    assert "notes written: 0; graph/vector sync this run: 0 upserted, 0 deleted, 2 unchanged" in again.output
    wiki = Path(wiki_env["WIKIGRAPH_WIKI_DIR"])
    min((wiki / "notes").glob("*.md")).unlink()  # a note deleted by hand: written again from its raw post
    third = runner.invoke(app, ["ingest"], env=wiki_env)
    assert "notes written: 1; graph/vector sync this run: 1 upserted, 0 deleted, 1 unchanged" in third.output
