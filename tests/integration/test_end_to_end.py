"""The walking skeleton, end to end on the embedded default.

A loopback HTTP server serves a fixture feed → ingest → raw posts and notes on disk → Source and
Note nodes with PUBLISHED edges in the embedded graph → /search over the ASGI transport finds the
right note for a paraphrase → a second ingest writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.jobs import ingest_once, open_services
from graph.notes_md import parse_note
from tests.support.lamplight import lamplight_workspace

SECTIONS = ("## TL;DR", "## Why it matters", "## Connections", "## Research angle", "## Open questions")


def _snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def workspace(tmp_path):
    with lamplight_workspace(tmp_path) as opened:
        yield opened


async def test_feed_to_search_end_to_end(workspace) -> None:
    settings, server = workspace
    wiki = settings.paths.wiki_dir
    with open_services(settings) as services:
        first = ingest_once(services)
        assert first.errors == {}
        raw = sorted((wiki / "raw" / "rss").glob("*.md"))
        notes = sorted((wiki / "notes").glob("*.md"))
        assert len(raw) == len(notes) == 4
        assert [p.name for p in raw] == [p.name for p in notes]
        for path in notes:
            text = path.read_text(encoding="utf-8")
            positions = [text.index(heading) for heading in SECTIONS]
            assert positions == sorted(positions), f"{path.name}: sections out of order"
            note = parse_note(text)
            assert note.tldr and note.why_it_matters and note.research_angle and note.open_questions
            assert text.splitlines()[text.splitlines().index("---", 1) + 1].startswith("ml-systems · ")
            assert (wiki / note.raw).is_file()

        counts = services.store.counts()
        assert counts["nodes"] == {"Source": 1, "Note": 4}
        # Each note's Connections bullets link to earlier notes: one CONNECTS_TO per bullet.
        connections = sum(len(parse_note(path.read_text(encoding="utf-8")).connections) for path in notes)
        assert counts["edges"] == {"PUBLISHED": 4} | ({"CONNECTS_TO": connections} if connections else {})
        assert {pair[0] for pair in services.store.published_pairs()} == {"lamplight-review"}

        app = create_app(settings, services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            response = await client.get("/search", params={"q": "making a language model generate faster by letting a small model guess tokens", "k": 3})
            assert response.status_code == 200
            hits = response.json()["data"]
            assert hits[0]["title"] == "Draft Models and Speculative Decoding"
            assert hits[0]["source"] == "lamplight-review" and hits[0]["url"].startswith("http")
            note = (await client.get(f"/notes/{hits[0]['id']}")).json()
            assert note["title"] == hits[0]["title"] and note["markdown"].startswith("---\n")
            health = (await client.get("/health")).json()
            assert health["status"] == "ok"
            assert health["graph"]["backend"] == "falkordb" and health["vectors"]["backend"] == "qdrant-local"

        before = _snapshot(wiki)
        second = ingest_once(services)
        assert not second.wrote_anything
        assert _snapshot(wiki) == before
        assert services.store.counts() == counts
        assert services.index.note_ids() == {p.stem for p in notes}
    # The second fetch was conditional and answered 304.
    assert any("If-None-Match" in headers for path, headers in server.requests if path == "/lamplight.xml")


async def test_api_errors_have_one_shape(workspace) -> None:
    settings, _ = workspace
    with open_services(settings) as services:
        app = create_app(settings, services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            missing = await client.get("/notes/no-such-note")
            assert missing.status_code == 404
            assert missing.json()["error"]["code"] == "not_found"
            traversal = await client.get("/notes/..%2F..%2Fsources")
            assert traversal.status_code in (404, 422) and "error" in traversal.json()
            too_many = await client.get("/search", params={"q": "x", "k": 1000})
            assert too_many.status_code == 422
            assert "k" in too_many.json()["error"]["message"]
            empty = await client.get("/search", params={"q": ""})
            assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_request"
            docs = await client.get("/openapi.json")
            assert {"/health", "/search", "/notes/{note_id}"} <= set(docs.json()["paths"])
