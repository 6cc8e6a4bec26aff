"""/search, /entities/{id}/connected and /resolve over the ASGI transport, on the connected fixture wiki.

What the answers must be follows from the fixture's structure (tests/support/connected_wiki.py):
the Defense Trilemma's papers, nearest first, are io-defense-impossibility (declared ABOUT it),
then layered-refusal and adaptive-attack-suite; tiny-teachers and compute-thresholds are three
hops away, through the hub concept.
"""

from __future__ import annotations

from datetime import date

from graph.retrieval import connected as core_connected
from tests.support.api_world import asgi_client

TRILEMMA = "defense-trilemma"
NEAREST = ["io-defense-impossibility", "layered-refusal", "adaptive-attack-suite"]
THROUGH_HUB = {"tiny-teachers", "compute-thresholds"}


def _assert_evidence_is_exact(services, results: list[dict]) -> None:
    for result in results:
        assert result["evidence"], f"{result['id']} has no evidence"
        for item in result["evidence"]:
            text = (services.vault.root / item["path"]).read_bytes().decode("utf-8")
            assert text[item["start"] : item["end"]] == item["text"]


def _assert_paths_lead_from(anchor: str, result: dict) -> None:
    assert result["paths"], f"{result['id']} has no path"
    for path in result["paths"]:
        assert path["nodes"][0]["id"] == anchor and path["nodes"][-1]["id"] == result["id"]
        assert len(path["edges"]) == len(path["nodes"]) - 1
        assert all(edge["direction"] in ("in", "out") and edge["type"] for edge in path["edges"])


async def test_connected_papers_query_is_read_resolved_and_answered_with_paths(app, services) -> None:
    async with asgi_client(app) as client:
        response = await client.get("/search", params={"q": "papers connected to the Defense Trilemma", "k": 10})
    assert response.status_code == 200
    body = response.json()
    reading = body["interpretation"]
    assert reading["shape"] == "connected" and reading["target_types"] == ["Paper"]
    assert [(r["id"], r["type"]) for r in reading["resolutions"]] == [(TRILEMMA, "Concept")]
    assert reading["resolutions"][0]["method"] in ("alias", "id")
    results = body["data"]
    assert body["count"] == len(results) > 0 and body["mode"] == "hybrid"
    assert [r["id"] for r in results][:3] == NEAREST
    assert all(r["type"] == "Paper" for r in results)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert results[0]["url"] == "https://arxiv.org/abs/2603.04411"
    assert set(results[0]["parts"]) == {"text", "graph", "tier", "recency"}
    for result in results:
        _assert_paths_lead_from(TRILEMMA, result)
    _assert_evidence_is_exact(services, results)
    assert body["timings_ms"]["total"] > 0


async def test_free_text_question_finds_notes_and_entities_with_evidence(app, services) -> None:
    async with asgi_client(app) as client:
        body = (await client.get("/search", params={"q": "how do refusal stacks hold up against red teams", "k": 5})).json()
    ids = [r["id"] for r in body["data"]]
    assert body["interpretation"]["shape"] == "free"
    assert {"n04-red-teams-refusal-gaps", "layered-refusal"} <= set(ids[:3])
    note = next(r for r in body["data"] if r["type"] == "Note")
    assert note["url"].startswith("https://") and note["source"] and note["tier"] in (1, 2, 3)
    _assert_evidence_is_exact(services, body["data"])


async def test_search_filters_types_tiers_and_dates(app) -> None:
    query = "jailbreak robustness of refusal checks"
    async with asgi_client(app) as client:
        notes = (await client.get("/search", params={"q": query, "types": "Note", "k": 20})).json()["data"]
        both = (await client.get("/search", params=[("q", query), ("types", "Note"), ("types", "Paper"), ("k", 20)])).json()["data"]
        tier_one = (await client.get("/search", params={"q": query, "types": "Note", "tier": "1", "k": 20})).json()["data"]
        recent = (await client.get("/search", params={"q": query, "types": "Note", "since": "2026-04-10", "k": 20})).json()["data"]
    assert notes and {r["type"] for r in notes} == {"Note"}
    assert {r["type"] for r in both} == {"Note", "Paper"}
    assert tier_one and {r["tier"] for r in tier_one} == {1} and len(tier_one) < len(notes)
    assert recent and all(date.fromisoformat(r["date"]) >= date(2026, 4, 10) for r in recent) and len(recent) < len(notes)


async def test_modes_use_only_their_signal(app) -> None:
    query = "why input filters cannot be complete"
    async with asgi_client(app) as client:
        vector = (await client.get("/search", params={"q": query, "mode": "vector"})).json()
        graph = (await client.get("/search", params={"q": query, "mode": "graph"})).json()
    assert vector["mode"] == "vector" and vector["data"] and all(r["parts"]["graph"] == 0 for r in vector["data"])
    assert graph["mode"] == "graph" and graph["data"] and all(r["parts"]["text"] == 0 for r in graph["data"])


async def test_connected_endpoint_answers_as_the_retrieval_core_does(app, services) -> None:
    async with asgi_client(app) as client:
        response = await client.get(f"/entities/{TRILEMMA}/connected", params={"type": "Paper", "max_hops": 3, "limit": 10})
        one_hop = (await client.get(f"/entities/{TRILEMMA}/connected", params={"max_hops": 1})).json()
        two_hops = (await client.get(f"/entities/{TRILEMMA}/connected", params={"max_hops": 2})).json()
        notes = (await client.get(f"/entities/{TRILEMMA}/connected", params={"type": "Note", "limit": 3})).json()
    assert response.status_code == 200
    body = response.json()
    assert body["entity"] == {"id": TRILEMMA, "type": "Concept", "name": "The Defense Trilemma"}
    assert body["type"] == "Paper" and body["max_hops"] == 3
    ids = [r["id"] for r in body["data"]]
    assert ids[:3] == NEAREST and THROUGH_HUB <= set(ids)
    direct = core_connected(services.retrieval, TRILEMMA, "Concept", "Paper", 3, 10)
    assert ids == [r.id for r in direct]
    for result in body["data"]:
        _assert_paths_lead_from(TRILEMMA, result)
        assert all(len(path["edges"]) <= 3 for path in result["paths"])
    _assert_evidence_is_exact(services, body["data"])
    assert [r["id"] for r in one_hop["data"]] == [NEAREST[0]]
    assert "compute-thresholds" not in {r["id"] for r in two_hops["data"]}  # three hops away, through the hub
    assert notes["count"] == 3 and {r["type"] for r in notes["data"]} == {"Note"}


async def test_resolve_shows_how_a_misspelt_name_was_matched(app) -> None:
    async with asgi_client(app) as client:
        fuzzy = (await client.get("/resolve", params={"name": "defence trilema"})).json()
        alias = (await client.get("/resolve", params={"name": "AdaptBench"})).json()
        nothing = (await client.get("/resolve", params={"name": "zzqx"})).json()
    assert fuzzy["data"][0]["id"] == TRILEMMA and fuzzy["data"][0]["method"] == "fuzzy" and 0 < fuzzy["data"][0]["score"] < 1
    assert (alias["data"][0]["id"], alias["data"][0]["type"], alias["data"][0]["method"]) == ("adaptive-attack-suite", "Paper", "alias")
    assert alias["data"][0]["score"] == 1.0
    assert nothing == {"name": "zzqx", "data": [], "count": 0}
