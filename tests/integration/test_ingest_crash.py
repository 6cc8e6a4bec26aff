"""Kill a real `wikigraph ingest` process with SIGKILL at several moments, run it again, and get exactly the files
(and graph and vectors) of a run that was never interrupted: nothing lost, nothing duplicated, no temp files left.

The moments are chosen by watching the filesystem: while raw posts are being written, while notes are being
written (each is projected into the graph right after), and once every note exists (the final sync). The
embedded graph server the killed process started outlives it; the next run must find and reuse it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from api.jobs import open_services
from api.settings import Settings
from graph.sync import page_hash
from tests.conftest import embed_config
from tests.support.feed_server import FeedServer
from tests.support.generated_feeds import generated_posts, rss

POSTS_PER_FEED = 15
FEEDS = ("alpha", "beta")
RUN = [sys.executable, "-c", "from api.cli import main; main()", "ingest"]
# Differs between runs by design: when the post was fetched, and the day a note was logged (the runs may
# straddle midnight).
RUN_DEPENDENT = re.compile(r"^fetched_at: .*$", re.MULTILINE)
LOGGED_ON = re.compile(r"^- \d{4}-\d{2}-\d{2} · ", re.MULTILINE)
TEMP_FILE = re.compile(r"^\..*\.tmp$")


@pytest.fixture
def feeds():
    with FeedServer() as server:
        for seed, name in enumerate(FEEDS, start=1):
            site = f"https://{name}.example"
            posts = generated_posts(POSTS_PER_FEED, seed=seed, site=site, paragraphs=1)
            server.add(f"/{name}.xml", rss(name.title(), posts, site))
        yield server


def workspace(root: Path, server: FeedServer) -> dict[str, str]:
    wiki = root / "wiki_content"
    wiki.mkdir(parents=True)
    entries = [{"name": name.title(), "feed_url": server.url(f"/{name}.xml"), "tier": 2, "domains": ["ml"],
                "allow_private": True} for name in FEEDS]
    (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": entries}, sort_keys=False), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIKIGRAPH_")}
    env.update(WIKIGRAPH_WIKI_DIR=str(wiki), WIKIGRAPH_DATA_DIR=str(root / "data"),
               WIKIGRAPH_EMBED_MODEL_PATH=str(embed_config().model_path or ""))
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def start(root: Path, env: dict[str, str]) -> subprocess.Popen:
    # cwd is the workspace, so no .env of the developer's is read.
    return subprocess.Popen(RUN, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def run_to_end(root: Path, env: dict[str, str]) -> str:
    child = start(root, env)
    output, _ = child.communicate(timeout=300)
    assert child.returncode == 0, output.decode("utf-8", "replace")[-3000:]
    return output.decode("utf-8", "replace")


def kill_when(root: Path, env: dict[str, str], moment, what: str) -> None:
    child = start(root, env)
    deadline = time.monotonic() + 300
    while not moment(root):
        if child.poll() is not None:
            raise AssertionError(f"the ingest ended before {what}: {child.stdout.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()


def count(root: Path, folder: str) -> int:
    return len(list((root / "wiki_content" / folder).glob("*.md")))


def files(root: Path) -> dict[str, str]:
    wiki = root / "wiki_content"
    return {path.relative_to(wiki).as_posix(): run_independent(path, wiki) for path in sorted(wiki.rglob("*.md"))}


def run_independent(path: Path, wiki: Path) -> str:
    text = RUN_DEPENDENT.sub("fetched_at: <run>", path.read_text(encoding="utf-8"))
    return LOGGED_ON.sub("- <day> · ", text) if path == wiki / "log.md" else text


def temp_files(root: Path) -> list[str]:
    return [str(path.relative_to(root)) for path in root.rglob("*") if TEMP_FILE.match(path.name)]


def projection(env: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """What the graph holds for each note (its page hash) and which notes the vector index has."""
    settings = Settings(wiki_dir=env["WIKIGRAPH_WIKI_DIR"], data_dir=env["WIKIGRAPH_DATA_DIR"],
                        embed_model_path=embed_config().model_path)
    with open_services(settings) as services:
        return services.store.note_page_hashes(), services.index.note_ids()


def file_hashes(root: Path) -> dict[str, str]:
    return {path.stem: page_hash(path.read_text(encoding="utf-8"))
            for path in (root / "wiki_content" / "notes").glob("*.md")}


def kill_leftover_servers(root: Path) -> None:
    """The servers our killed processes left running: stop them so they do not outlive the test."""
    for pidfile in root.rglob("redis.pid"):
        pid = int(pidfile.read_text().strip() or 0)
        if not pid:
            continue
        try:
            if "redis" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace"):
                os.kill(pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError):
            continue


@pytest.mark.slow
def test_killed_ingest_reruns_to_the_same_files(tmp_path, feeds):
    total = POSTS_PER_FEED * len(FEEDS)
    reference_root, crashed_root = tmp_path / "reference", tmp_path / "crashed"
    reference_env, crashed_env = workspace(reference_root, feeds), workspace(crashed_root, feeds)
    try:
        run_to_end(reference_root, reference_env)
        expected = files(reference_root)
        assert sum(name.startswith("raw/rss/") for name in expected) == total
        assert sum(name.startswith("notes/") for name in expected) == total

        kill_when(crashed_root, crashed_env, lambda root: count(root, "raw/rss") >= 12, "raw posts being written")
        assert count(crashed_root, "notes") < total
        kill_when(crashed_root, crashed_env, lambda root: count(root, "notes") >= 8, "notes being written")
        assert count(crashed_root, "raw/rss") == total and count(crashed_root, "notes") < total
        kill_when(crashed_root, crashed_env, lambda root: count(root, "notes") == total, "the final sync")
        run_to_end(crashed_root, crashed_env)

        assert files(crashed_root) == expected, "the interrupted runs left different files"
        assert temp_files(crashed_root) == [] and temp_files(reference_root) == []
        # The graph and the vectors hold exactly the notes on disk, as they are on disk (the files are the
        # reference's, so this is the reference's projection too).
        graph_hashes, vector_ids = projection(crashed_env)
        assert graph_hashes == file_hashes(crashed_root) and len(graph_hashes) == total
        assert vector_ids == set(graph_hashes)
    finally:
        kill_leftover_servers(tmp_path)
