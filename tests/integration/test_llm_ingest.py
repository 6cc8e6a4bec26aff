"""An ingest with `WIKIGRAPH_SUMMARIZER=llm`, end to end against the OpenAI-protocol stub.

Loopback feed → raw posts → the LLM (our stub, over real HTTP) → notes whose front matter records
the model, tokens and cost → graph and vectors. Then: every note deleted and the ingest run again
makes zero LLM requests and writes the same notes; `wikigraph ingest --dry-run` estimates the cost
without a request and without a note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from api.jobs import dry_run_ingest, ingest_once, open_services
from api.settings import Settings
from graph.notes_md import parse_note
from tests.conftest import embed_config
from tests.support.feed_server import FeedServer
from tests.support.openai_stub import OpenAIStub

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "e2e" / "lamplight.rss.xml"
LISTED_ID = re.compile(r'^- id: "([^"]+)"', re.MULTILINE)


def answer_for(request: dict) -> str:
    """A valid answer that connects to the first page the prompt lists (and to one that does not exist)."""
    prompt = next(m["content"] for m in request["messages"] if m["role"] == "user")
    title = re.search(r"^Post title: (.+)$", prompt, re.MULTILINE).group(1)
    listed = LISTED_ID.findall(prompt)
    connections = [{"target": "A Page Nobody Wrote", "reason": "invented by the model"}]
    if listed:
        connections.insert(0, {"target": listed[0], "reason": f"an earlier post near {title}"})
    return json.dumps({
        "tldr": f"The post titled {title} makes one claim and backs it with measurements.",
        "why_it_matters": "It changes what practitioners should measure first.",
        "connections": connections,
        "research_angle": ["Repeat the measurement on a second workload."],
        "open_questions": ["Does the result hold at ten times the scale?"],
    })


@pytest.fixture
def workspace(tmp_path):
    with FeedServer() as feeds, OpenAIStub() as llm:
        feed_url = feeds.add("/lamplight.xml", FIXTURE.read_bytes())
        wiki = tmp_path / "wiki_content"
        wiki.mkdir()
        sources = {"sources": [{"name": "Lamplight Review", "feed_url": feed_url, "tier": 2, "domains": ["ml-systems"],
                                "allow_private": True}]}
        (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        env = {
            "wiki_dir": wiki, "data_dir": tmp_path / "data", "embed_model_path": embed_config().model_path,
            "summarizer": "llm", "llm_model": "stub-model", "llm_base_url": llm.base_url, "llm_timeout": 30.0,
            "llm_retry_backoff": 0.0, "llm_price_prompt_per_1k": 1.0, "llm_price_completion_per_1k": 2.0,
        }
        yield env, llm


def test_llm_ingest_writes_recorded_notes_and_never_asks_twice(workspace) -> None:
    env, llm = workspace
    llm.respond = answer_for
    llm.reply("Sorry, I can only answer in prose.")  # the first post's first answer is invalid: one retry
    settings = Settings(**env)
    wiki = settings.paths.wiki_dir
    with open_services(settings) as services:
        report = ingest_once(services)
        assert report.errors == {} and len(report.notes_written) == 4
        assert llm.calls == 5
        paths = sorted((wiki / "notes").glob("*.md"))
        first_texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
        notes = [parse_note(text) for text in first_texts.values()]
        note_ids = {note.id for note in notes}
        for note in notes:
            assert note.summarizer == "llm"
            meta = note.extra["llm"]
            assert meta["model"] == "stub-model" and meta["prompt_tokens"] > 0 and meta["completion_tokens"] > 0
            assert meta["cost_usd"] == pytest.approx(meta["prompt_tokens"] / 1000 + 2 * meta["completion_tokens"] / 1000)
            assert meta["dropped_connections"] == ["A Page Nobody Wrote"]
            assert note.tldr.startswith(f"The post titled {note.title}")
            assert all(c.target in note_ids - {note.id} for c in note.connections)
        assert sorted(n.extra["llm"]["attempts"] for n in notes) == [1, 1, 1, 2]
        assert sum(bool(n.connections) for n in notes) == 3  # every post after the first links an earlier note

        for path in paths:
            path.unlink()
        again = ingest_once(services)
        assert sorted(again.notes_written) == sorted(note_ids)
        assert llm.calls == 5, "unchanged posts are served from the cache, even with their notes deleted"
        assert {p.name: p.read_text(encoding="utf-8") for p in sorted((wiki / "notes").glob("*.md"))} == first_texts


def test_dry_run_estimates_without_asking_or_writing(workspace) -> None:
    env, llm = workspace
    settings = Settings(**env)
    with open_services(settings) as services:
        run = dry_run_ingest(services)
    estimate = run.estimate
    assert llm.calls == 0
    assert not (settings.paths.wiki_dir / "notes").exists() or not any((settings.paths.wiki_dir / "notes").iterdir())
    assert len(list((settings.paths.wiki_dir / "raw").rglob("*.md"))) == 4  # fetched, as an ingest would
    assert (estimate.posts, estimate.cached, estimate.asked) == (4, 0, 4)
    assert estimate.prompt_tokens > 4 * 300 and estimate.max_completion_tokens == 4 * 1024
    assert estimate.max_cost_usd == pytest.approx(estimate.prompt_tokens / 1000 + 2 * 4 * 1024 / 1000, abs=1e-5)
    text = "\n".join(run.lines())
    assert "4 post(s) would be summarised by openai-like:stub-model: 4 request(s), 0 answered from the cache" in text
    assert f"${estimate.max_cost_usd:.4f}" in text


def test_cli_dry_run_prints_the_estimate(workspace) -> None:
    env, llm = workspace
    variables = {f"WIKIGRAPH_{key.upper()}": str(value) for key, value in env.items()}
    result = CliRunner().invoke(app, ["ingest", "--dry-run"], env=variables)
    assert result.exit_code == 0, result.output
    assert "lamplight-review: 4 new, 0 changed" in result.output
    assert "no LLM asked, no note written" in result.output and "estimated cost: $" in result.output
    assert llm.calls == 0


def test_incomplete_llm_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="WIKIGRAPH_LLM_MODEL, WIKIGRAPH_LLM_BASE_URL"):
        Settings(summarizer="llm")
    with pytest.raises(ValueError, match="WIKIGRAPH_LLM_API_KEY"):
        Settings(summarizer="llm", llm_provider="anthropic", llm_model="some-model")
