"""Listings and pages (/entities, /entities/{id}, /concepts/{id}, /notes, /sources, /stats, /health)
over the ASGI transport, checked against the fixture's own files rather than against remembered answers."""

from __future__ import annotations

from datetime import date, datetime, timezone

from graph.entities_md import parse_entity
from graph.notes_md import parse_note
from ingest.sources import load_sources
from ingest.state import SourceStateStore
from tests.support.api_world import asgi_client

TRILEMMA = "defense-trilemma"


def _notes(services) -> list:
    return [parse_note(path.read_text(encoding="utf-8")) for path in services.vault.note_paths()]


def _entities(services) -> list:
    root = services.vault.root
    return [parse_entity(path.read_text(encoding="utf-8"), path=path)
            for folder in ("concepts", "papers", "policy", "orgs", "people", "models") for path in sorted((root / folder).glob("*.md"))]


async def _all_pages(client, url: str, params: dict, page_size: int) -> tuple[list[dict], list[dict]]:
    first = (await client.get(url, params={**params, "page_size": page_size})).json()
    pages = [first]
    for number in range(2, first["pages"] + 1):
        pages.append((await client.get(url, params={**params, "page": number, "page_size": page_size})).json())
    return [item for page in pages for item in page["data"]], pages


async def test_entities_are_paged_by_name_without_overlap(app, services) -> None:
    pages_expected = _entities(services)
    async with asgi_client(app) as client:
        items, pages = await _all_pages(client, "/entities", {}, page_size=5)
        beyond = (await client.get("/entities", params={"page": pages[0]["pages"] + 1, "page_size": 5})).json()
    assert pages[0]["count"] == len(pages_expected) == len(items)
    assert pages[0]["pages"] == -(-len(pages_expected) // 5) and all(len(page["data"]) <= 5 for page in pages)
    assert {(e["type"], e["id"]) for e in items} == {(e.type, e.id) for e in pages_expected}
    keys = [(e["name"].lower(), e["type"], e["id"]) for e in items]
    assert keys == sorted(keys)
    assert all(e["has_page"] for e in items)
    assert beyond["data"] == [] and beyond["count"] == len(pages_expected)


async def test_entities_filter_by_type_and_text(app, services) -> None:
    papers = sorted(e.id for e in _entities(services) if e.type == "Paper")
    async with asgi_client(app) as client:
        by_type = (await client.get("/entities", params={"type": "Paper", "page_size": 100})).json()
        by_alias = (await client.get("/entities", params={"q": "adaptbench"})).json()
        by_name = (await client.get("/entities", params={"q": "TRILEMMA", "type": "Concept"})).json()
    assert sorted(e["id"] for e in by_type["data"]) == papers and by_type["count"] == len(papers)
    assert [e["id"] for e in by_alias["data"]] == ["adaptive-attack-suite"]
    assert [e["id"] for e in by_name["data"]] == [TRILEMMA]


async def test_entity_page_has_markdown_aliases_ids_and_neighbours(app, services) -> None:
    async with asgi_client(app) as client:
        paper = (await client.get("/entities/layered-refusal")).json()
        concept = (await client.get(f"/entities/{TRILEMMA}", params={"neighbours": 2})).json()
        typed = await client.get(f"/entities/{TRILEMMA}", params={"type": "Paper"})
    page = services.vault.root / "papers" / "layered-refusal.md"
    entity = parse_entity(page.read_text(encoding="utf-8"), path=page)
    assert paper["type"] == "Paper" and paper["name"] == entity.name and paper["aliases"] == entity.aliases
    assert paper["external_ids"] == entity.external_ids and paper["properties"]["published"] == str(entity.extra["published"])
    assert paper["markdown"] == page.read_text(encoding="utf-8") and paper["page_path"] == "papers/layered-refusal.md"
    assert paper["metrics"]["mention_count"] >= 1 and paper["metrics"]["degree"] >= 1
    assert [n["id"] for n in paper["neighbours"]["Concept"]["data"]] == entity.links["about"]
    assert paper["neighbours"]["Concept"]["data"][0]["relationships"] == [{"type": "ABOUT", "direction": "out", "salience": None,
                                                                           "weight": None, "reason": None}]
    discussing = {n.id for n in _notes(services) if any(m["id"] == TRILEMMA for m in n.entities)
                  or any(c.target.endswith(TRILEMMA) for c in n.connections)}
    notes = concept["neighbours"]["Note"]
    assert notes["total"] == len(discussing) and len(notes["data"]) == 2
    assert {n["id"] for n in notes["data"]} <= discussing
    strongest = [max(r.get("salience") or 0 for r in n["relationships"]) for n in notes["data"]]
    assert strongest == sorted(strongest, reverse=True)
    assert typed.status_code == 404 and typed.json()["error"]["code"] == "not_found"


async def test_concept_page_as_json_and_markdown(app, services) -> None:
    async with asgi_client(app) as client:
        concept = (await client.get(f"/concepts/{TRILEMMA}")).json()
        not_a_concept = await client.get("/concepts/layered-refusal")
    page = services.vault.root / "concepts" / f"{TRILEMMA}.md"
    assert concept["type"] == "Concept" and concept["markdown"] == page.read_text(encoding="utf-8")
    assert {"Note", "Paper", "Concept"} <= set(concept["neighbours"])
    assert not_a_concept.status_code == 404


async def test_notes_newest_first_paged_and_filtered(app, services) -> None:
    notes = _notes(services)
    discussing = {n.id for n in notes if any(m["id"] == TRILEMMA and m["type"] == "Concept" for m in n.entities)}
    async with asgi_client(app) as client:
        items, pages = await _all_pages(client, "/notes", {}, page_size=6)
        by_source = (await client.get("/notes", params={"source": "policy-digest", "page_size": 100})).json()
        by_tier = (await client.get("/notes", params={"tier": "1,3", "page_size": 100})).json()
        in_april = (await client.get("/notes", params={"since": "2026-04-01", "until": "2026-04-30", "page_size": 100})).json()
        by_concept = (await client.get("/notes", params={"concept": TRILEMMA, "page_size": 100})).json()
    assert pages[0]["count"] == len(notes) == len(items) == len({n["id"] for n in items})
    keys = [(-date.fromisoformat(n["published"]).toordinal(), n["id"]) for n in items]
    assert keys == sorted(keys)
    assert {n["id"] for n in by_source["data"]} == {n.id for n in notes if n.source == "policy-digest"}
    assert {n["source"] for n in by_source["data"]} == {"policy-digest"} and by_source["data"][0]["source_name"] == "Policy Digest"
    assert {n["id"] for n in by_tier["data"]} == {n.id for n in notes if n.tier in (1, 3)}
    assert {n["id"] for n in in_april["data"]} == {n.id for n in notes if date(2026, 4, 1) <= n.published <= date(2026, 4, 30)}
    assert {n["id"] for n in by_concept["data"]} == discussing and by_concept["count"] == len(discussing)


async def test_one_note_with_sections_and_markdown(app, services) -> None:
    path = services.vault.note_paths()[0]
    async with asgi_client(app) as client:
        note = (await client.get(f"/notes/{path.stem}")).json()
    parsed = parse_note(path.read_text(encoding="utf-8"))
    assert note["title"] == parsed.title and note["tldr"] == parsed.tldr and note["markdown"] == path.read_text(encoding="utf-8")
    assert [c["target"] for c in note["connections"]] == [c.target for c in parsed.connections]


async def test_sources_show_notes_and_fetch_state(app, services) -> None:
    configured = load_sources(services.vault.sources_file)
    states = SourceStateStore(services.settings.paths.data_dir)
    failing = states.get(configured[1].id)
    failing.record_error(datetime.now(timezone.utc), "HTTP 503 from the feed")
    states.save(failing)
    try:
        async with asgi_client(app) as client:
            body = (await client.get("/sources")).json()
            counts = {s.id: (await client.get("/notes", params={"source": s.id})).json()["count"] for s in configured}
    finally:
        states.path(configured[1].id).unlink()
    assert [s["id"] for s in body["data"]] == [s.id for s in configured] and body["count"] == len(configured)
    assert {s["id"]: s["notes"] for s in body["data"]} == counts
    first, second = body["data"][0], body["data"][1]
    assert first["fetch"]["status"] == "new" and first["fetch"]["last_fetch"] is None
    assert first["poll_interval_minutes"] == services.settings.fetch.poll_interval
    assert second["fetch"]["status"] == "failing" and second["fetch"]["error_count"] == 1
    assert second["fetch"]["last_error"] == "HTTP 503 from the feed"


async def test_stats_agree_with_the_listings(app, services) -> None:
    async with asgi_client(app) as client:
        stats = (await client.get("/stats")).json()
        notes = (await client.get("/notes")).json()
        entities = {label: (await client.get("/entities", params={"type": label})).json()["count"]
                    for label in ("Concept", "Paper", "PolicyEvent", "Organization", "Person", "Model")}
        health = (await client.get("/health")).json()
    assert stats["nodes"]["Note"] == notes["count"] == sum(stats["notes_by_tier"].values()) == sum(stats["notes_by_source"].values())
    assert {label: stats["nodes"].get(label, 0) for label in entities} == entities
    assert stats["relationships"]["PUBLISHED"] == notes["count"]
    assert stats["earliest_note"] <= stats["latest_note"] == notes["data"][0]["published"]
    assert stats["vector_points"] > notes["count"] and stats["vector_entities"] == sum(entities.values())
    assert stats["ingest"] == {"last_fetch": None, "last_success": None, "failing_sources": [], "last_job": None}
    assert health["status"] == "ok" and health["graph"]["backend"] == "falkordb"


async def test_health_reports_the_retrieval_snapshot_once_loaded(app, services) -> None:
    async with asgi_client(app) as client:
        first = (await client.get("/health")).json()["retrieval_snapshot"]
        assert first["state"] in ("ready", "loading")
        services.retrieval.snapshots.wait()
        ready = (await client.get("/health")).json()["retrieval_snapshot"]
        stats = (await client.get("/stats")).json()
    assert ready["state"] == "ready" and ready["loads"] >= 1 and ready["last_load_s"] > 0
    assert ready["nodes"] == sum(stats["nodes"].values())
    assert ready["relationships"] == sum(stats["relationships"].values())
