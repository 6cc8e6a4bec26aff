"""The API's contract: one error shape (404/405/422/401/403/409/500), input limits, the API key,
CORS, the OpenAPI document, and a real uvicorn server on loopback."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.deps import get_services
from api.settings import Settings
from tests.support.api_world import asgi_client, uvicorn_server

KEY = "k3y-for-tests-0123456789"


def _assert_error(response: httpx.Response, status: int, code: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]) <= {"code", "message", "detail"}
    assert body["error"]["code"] == code
    for word in words:
        assert word in body["error"]["message"], body["error"]["message"]
    return body["error"]


def _app_with(services, **settings):
    base = services.settings
    configured = Settings(wiki_dir=base.paths.wiki_dir, data_dir=base.paths.data_dir, embed_model_path=base.embed.embed_model_path, **settings)
    return create_app(configured, services=services)


@pytest.mark.parametrize(
    ("url", "params", "words"),
    [
        ("/search", {"q": "x", "k": 101}, ["query.k", "100"]),
        ("/search", {"q": "x" * 501}, ["query.q", "500"]),
        ("/search", {"q": ""}, ["query.q"]),
        ("/search", {}, ["query.q", "Field required"]),
        ("/search", {"q": "x", "mode": "fuzzy"}, ["query.mode", "hybrid"]),
        ("/search", {"q": "x", "types": "Paper,Bogus"}, ["types", "Bogus"]),
        ("/search", {"q": "x", "since": "last week"}, ["query.since"]),
        ("/search", {"q": "x", "since": "2026-05-01", "until": "2026-04-01"}, ["since", "after"]),
        ("/search", {"q": "x", "tier": "first"}, ["tier", "first"]),
        ("/entities/defense-trilemma/connected", {"max_hops": 4}, ["query.max_hops", "3"]),
        ("/entities/defense-trilemma/connected", {"limit": 0}, ["query.limit"]),
        ("/entities/defense-trilemma/connected", {"type": "Planet"}, ["query.type"]),
        ("/entities/Not_An_Id", {}, ["path.entity_id"]),
        ("/entities", {"page_size": 101}, ["query.page_size", "100"]),
        ("/entities", {"page": 0}, ["query.page"]),
        ("/entities", {"type": "Note"}, ["query.type"]),
        ("/notes", {"source": "../etc"}, ["query.source"]),
        ("/notes", {"since": "2026-05-01", "until": "2026-04-01"}, ["since", "after"]),
        ("/resolve", {"name": "n" * 201}, ["query.name", "200"]),
        ("/jobs/not-a-job", {}, ["path.job_id"]),
    ],
)
async def test_bad_input_gets_a_422_that_says_what_is_wrong(app, url, params, words) -> None:
    async with asgi_client(app) as client:
        _assert_error(await client.get(url, params=params), 422, "invalid_request", *words)


async def test_not_found_and_wrong_method_have_the_error_shape(app) -> None:
    async with asgi_client(app) as client:
        _assert_error(await client.get("/no/such/route"), 404, "not_found")
        _assert_error(await client.get("/entities/no-such-entity"), 404, "not_found", "no-such-entity")
        _assert_error(await client.get("/entities/no-such-entity/connected"), 404, "not_found")
        _assert_error(await client.get("/notes/no-such-note"), 404, "not_found")
        _assert_error(await client.get("/jobs/" + "0" * 32), 404, "not_found")
        _assert_error(await client.get("/entities/..%2F..%2Fsources"), 404, "not_found")
        _assert_error(await client.post("/search", params={"q": "x"}), 405, "method_not_allowed")
        _assert_error(await client.delete("/notes/anything"), 405, "method_not_allowed")


async def test_ingest_is_refused_without_a_configured_key_and_with_a_wrong_one(app, services) -> None:
    async with asgi_client(app) as client:
        _assert_error(await client.post("/ingest", headers={"X-API-Key": KEY}), 403, "forbidden", "WIKIGRAPH_API_KEY")
    keyed = _app_with(services, api_key=KEY)
    async with asgi_client(keyed) as client:
        missing = await client.post("/ingest")
        _assert_error(missing, 401, "unauthorized", "X-API-Key")
        assert missing.headers["www-authenticate"] == "X-API-Key"
        _assert_error(await client.post("/ingest", headers={"X-API-Key": KEY[:-1] + "!"}), 401, "unauthorized", "wrong")
        # The poller's pass holds the ingest lock: a request with the right key is told to wait.
        with services.ingest_lock:
            _assert_error(await client.post("/ingest", headers={"X-API-Key": KEY}), 409, "conflict", "already running")


def test_a_short_api_key_is_refused_at_start(tmp_path) -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(wiki_dir=tmp_path, api_key="secret")
    assert Settings(wiki_dir=tmp_path, api_key="").server.api_key is None


async def test_an_unexpected_failure_is_a_500_without_internals(app) -> None:
    def broken_dependency():
        raise RuntimeError("connection to /var/lib/secret failed with password hunter2")

    app.dependency_overrides[get_services] = broken_dependency
    async with asgi_client(app, raise_app_exceptions=False) as client:
        response = await client.get("/stats")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": "internal server error"}}
    assert "hunter2" not in response.text and "Traceback" not in response.text and "secret" not in response.text


async def test_a_broken_sources_file_is_reported_with_its_line(app, services) -> None:
    sources_file = services.vault.sources_file
    original = sources_file.read_text(encoding="utf-8")
    sources_file.write_text(original + "  - name: Missing Feed\n    tier: 2\n", encoding="utf-8")
    try:
        async with asgi_client(app) as client:
            error = _assert_error(await client.get("/sources"), 500, "bad_sources_file", "sources.yaml:")
    finally:
        sources_file.write_text(original, encoding="utf-8")
    assert "Traceback" not in error["message"]


async def test_cors_is_off_by_default_and_follows_the_setting(app, services) -> None:
    preflight = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
    async with asgi_client(app) as client:
        plain = await client.get("/health", headers={"Origin": "http://localhost:5173"})
        refused = await client.options("/search", headers=preflight)
    assert "access-control-allow-origin" not in plain.headers and "access-control-allow-origin" not in refused.headers
    allowed = _app_with(services, cors_origins="http://localhost:5173, https://wiki.example.org/")
    async with asgi_client(allowed) as client:
        answer = await client.options("/search", headers=preflight)
        simple = await client.get("/health", headers={"Origin": "https://wiki.example.org"})
        other = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert simple.headers["access-control-allow-origin"] == "https://wiki.example.org"
    assert "access-control-allow-origin" not in other.headers


async def test_openapi_documents_every_endpoint_with_examples(app) -> None:
    async with asgi_client(app) as client:
        document = (await client.get("/openapi.json")).json()
    expected = {"/search", "/entities", "/entities/{entity_id}", "/entities/{entity_id}/connected", "/resolve", "/notes",
                "/notes/{note_id}", "/concepts/{concept_id}", "/sources", "/stats", "/health", "/ingest", "/jobs/{job_id}"}
    assert expected <= set(document["paths"])
    assert set(document["paths"]["/ingest"]) == {"post"} and all(set(item) == {"get"} for path, item in document["paths"].items() if path != "/ingest")
    q = next(p for p in document["paths"]["/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 500 and q["schema"].get("examples") or q.get("examples")
    schemas = document["components"]["schemas"]
    for name in ("SearchPublic", "ConnectedPublic", "EntityPublic", "JobPublic", "ErrorPublic"):
        assert schemas[name].get("examples"), f"{name} has no example"
    assert document["components"]["securitySchemes"]["APIKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                                                        "description": "The server's WIKIGRAPH_API_KEY"}
    assert {"401", "403", "409"} <= set(document["paths"]["/ingest"]["post"]["responses"])


def test_real_uvicorn_server_on_loopback(app) -> None:
    with uvicorn_server(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        assert client.get("/health").json()["status"] == "ok"
        search = client.get("/search", params={"q": "papers connected to the Defense Trilemma", "k": 3})
        assert search.status_code == 200 and search.json()["data"][0]["id"] == "io-defense-impossibility"
        assert client.get("/entities", params={"type": "Paper"}).json()["count"] > 0
        _assert_error(client.get("/search", params={"q": "x", "k": 0}), 422, "invalid_request", "query.k")
        _assert_error(client.post("/ingest"), 403, "forbidden")
