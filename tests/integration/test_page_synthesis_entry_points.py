"""Synthesis paragraphs from the entry points with `WIKIGRAPH_SUMMARIZER=llm`: an ingest writes them into the
pages it regenerates, and `wikigraph pages` afterwards asks the LLM nothing and rewrites nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from api.cli import app
from api.jobs import ingest_once, open_services
from api.settings import Settings
from graph.entities_md import entity_path, parse_entity
from graph.page_blocks import generated_part
from graph.pages import SYNTHESIS_TITLE
from graph.vault import Vault
from tests.conftest import embed_config
from tests.integration.test_llm_ingest import answer_for
from tests.support.feed_server import FeedServer
from tests.support.openai_stub import OpenAIStub
from tests.support.vault_pages import make_entity, write_entity

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "e2e" / "lamplight.rss.xml"
LISTED = re.compile(r'^- id: "([^"]+)"', re.MULTILINE)
CONCEPTS = {"training": "Training", "tokens": "Tokens", "speculative-decoding": "Speculative decoding"}


def respond(request: dict) -> str:
    """A post gets a summary; a page gets a paragraph citing the first two notes listed."""
    prompt = next(m["content"] for m in request["messages"] if m["role"] == "user")
    if "Post title:" in prompt:
        return answer_for(request)
    return json.dumps({"paragraph": "These posts share one concern: what running and training models really costs.",
                       "cites": LISTED.findall(prompt)[:2]})


def test_an_llm_ingest_writes_synthesis_paragraphs_and_the_pages_command_then_asks_nothing(tmp_path):
    with FeedServer() as feeds, OpenAIStub() as llm:
        feed_url = feeds.add("/lamplight.xml", FIXTURE.read_bytes())
        wiki = tmp_path / "wiki_content"
        wiki.mkdir()
        sources = {"sources": [{"name": "Lamplight Review", "feed_url": feed_url, "tier": 2, "domains": ["ml"], "allow_private": True}]}
        (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        vault = Vault(wiki)
        for entity_id, name in CONCEPTS.items():
            write_entity(vault, make_entity("Concept", entity_id, name))
        env = {"wiki_dir": wiki, "data_dir": tmp_path / "data", "embed_model_path": embed_config().model_path, "summarizer": "llm",
               "llm_model": "stub-model", "llm_base_url": llm.base_url, "llm_timeout": 30.0, "llm_retry_backoff": 0.0}
        llm.respond = respond
        with open_services(Settings(**env)) as services:
            report = ingest_once(services, progress=lambda *args: None)
        assert len(report.notes_written) == 4 and report.wiki.pages.warnings == []

        with_paragraph = []
        for entity_id in CONCEPTS:
            block = generated_part(parse_entity(entity_path(vault, "Concept", entity_id).read_text(encoding="utf-8")).body)
            notes = len(re.findall(r"^- \d{4}-\d\d-\d\d · Tier", block, re.MULTILINE))
            assert (f"## {SYNTHESIS_TITLE}" in block) == (notes >= 2), entity_id
            if notes >= 2:
                with_paragraph.append(entity_id)
                assert "These posts share one concern" in block and "stub-model" in block
        assert sorted(with_paragraph) == ["tokens", "training"]  # speculative decoding: one post only
        assert llm.calls == 4 + 2

        before = {path: path.read_bytes() for path in wiki.rglob("*.md")}
        variables = {f"WIKIGRAPH_{key.upper()}": str(value) for key, value in env.items()}
        result = CliRunner().invoke(app, ["pages"], env=variables)
        assert result.exit_code == 0, result.output
        assert "pages: 0 rewritten" in result.output and "synthesis by stub-model: 0 request(s), 0 from the cache" in result.output
        assert llm.calls == 6 and {path: path.read_bytes() for path in wiki.rglob("*.md")} == before
