"""POST /ingest and GET /jobs/{id}: a real ingest of a loopback feed, run in the API's process,
one at a time, followed to its end; then the read endpoints see what it wrote."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import yaml

from api.app import create_app
from api.services import Services
from graph.vector_types import EntityPoint
from tests.support.api_world import api_settings, asgi_client
from tests.support.feed_server import FeedServer

FEED = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "e2e" / "lamplight.rss.xml"
KEY = "an-api-key-for-the-ingest-tests"
SOURCE = "lamplight-review"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-ingest")
    with FeedServer() as server:
        # The feed is answered only once the test opens the gate, so a second request certainly arrives while the
        # first ingest still runs, however slowly a busy machine gets to it. A forgotten gate costs 60 s, not a hang.
        gate = threading.Event()
        feed_url = server.add("/lamplight.xml", FEED.read_bytes(), hold=lambda: gate.wait(60))
        wiki = root / "wiki"
        wiki.mkdir()
        sources = {"sources": [{"name": "Lamplight Review", "feed_url": feed_url, "tier": 2, "domains": ["ml-systems"], "allow_private": True}]}
        (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        services = Services.open(api_settings(root, api_key=KEY))
        try:
            yield services, server, gate
        finally:
            services.close()


async def _finished(client, job_id: str, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await client.get(f"/jobs/{job_id}")).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


async def test_ingest_runs_in_the_background_once_at_a_time_and_is_visible_after(world) -> None:
    services, server, gate = world
    app = create_app(services.settings, services=services)
    headers = {"X-API-Key": KEY}
    async with asgi_client(app) as client:
        started = await client.post("/ingest", headers=headers)
        assert started.status_code == 202
        job = started.json()
        assert job["kind"] == "ingest" and job["status"] in ("queued", "running") and job["result"] is None
        assert started.headers["location"] == f"/jobs/{job['id']}"

        second = await client.post("/ingest", headers=headers)
        gate.set()  # from here on the feed is answered at once
        assert second.status_code == 409 and second.json()["error"]["code"] == "conflict"
        assert job["id"] in second.json()["error"]["message"]

        done = await _finished(client, job["id"])
        notes = sorted(path.stem for path in services.vault.note_paths())
        assert done["status"] == "succeeded" and done["error"] is None, done
        assert done["result"]["notes_written"] == len(notes) == 4 and sorted(done["result"]["notes_written_ids"]) == notes
        assert done["result"]["new_posts"] == 4 and done["result"]["source_errors"] == {} and done["result"]["wrote_anything"]
        assert done["progress"]["fetch"] == {"done": 1, "total": 1} and done["progress"]["summarise"] == {"done": 4, "total": 4}
        assert done["started_at"] <= done["finished_at"]

        listed = (await client.get("/notes")).json()
        sources = (await client.get("/sources")).json()["data"]
        stats = (await client.get("/stats")).json()
        hit = (await client.get("/search", params={"q": "letting a small model guess tokens so a big one generates faster", "k": 3})).json()
        assert sorted(n["id"] for n in listed["data"]) == notes and listed["count"] == 4
        assert sources[0]["id"] == SOURCE and sources[0]["fetch"]["status"] == "ok" and sources[0]["notes"] == 4
        assert sources[0]["fetch"]["last_fetch"] is not None and sources[0]["fetch"]["next_check"] is not None
        assert stats["ingest"]["last_job"] == job["id"] and stats["ingest"]["last_success"] is not None
        assert stats["nodes"]["Note"] == 4
        assert hit["data"][0]["title"] == "Draft Models and Speculative Decoding"

        again = await client.post("/ingest", headers=headers)
        assert again.status_code == 202
        repeat = await _finished(client, again.json()["id"])
    assert repeat["status"] == "succeeded" and repeat["result"]["not_modified"] == [SOURCE]
    assert repeat["result"]["notes_written"] == 0 and not repeat["result"]["wrote_anything"]
    assert any("If-None-Match" in headers for path, headers in server.requests if path == "/lamplight.xml")


async def test_a_failed_ingest_reports_why_and_frees_the_lock(world) -> None:
    services, _, gate = world
    gate.set()  # nothing to hold up here
    sources_file = services.vault.sources_file
    original = sources_file.read_text(encoding="utf-8")
    app = create_app(services.settings, services=services)
    async with asgi_client(app) as client:
        broken = yaml.safe_load(original)
        broken["sources"].append({"name": "No Feed Given", "tier": 1})
        sources_file.write_text(yaml.safe_dump(broken), encoding="utf-8")
        try:
            failed = await _finished(client, (await client.post("/ingest", headers={"X-API-Key": KEY})).json()["id"])
        finally:
            sources_file.write_text(original, encoding="utf-8")
        assert failed["status"] == "failed" and failed["result"] is None
        assert "sources.yaml:" in failed["error"] and "feed_url" in failed["error"]
        after = await client.post("/ingest", headers={"X-API-Key": KEY})
        assert after.status_code == 202
        assert (await _finished(client, after.json()["id"]))["status"] == "succeeded"


def _hammer(index, vector: list[float], rounds: int = 40) -> list[str]:
    """One thread adds and removes entity points while two search; returns the searches' errors."""
    errors: list[str] = []
    done = threading.Event()

    def write() -> None:
        try:
            for step in range(rounds):
                points = [EntityPoint(f"stress-{step}-{n}", "Concept", "Stress", (), f"concepts/stress-{step}-{n}.md", "stress test")
                          for n in range(4)]
                index.upsert_entities(points, [vector] * len(points))
                if step % 10 == 9:
                    index.delete_entities([("Concept", f"stress-{old}-{n}") for old in range(step - 9, step + 1) for n in range(4)])
        finally:
            done.set()

    def search() -> None:
        while not done.is_set():
            try:
                index.search_entities(vector, "stress test", 5)
                index.search_chunks(vector, "stress test", 5)
            except Exception as exc:  # collected: the assertion below shows them all
                errors.append(repr(exc))

    threads = [threading.Thread(target=write), *(threading.Thread(target=search) for _ in range(2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_searches_while_an_ingest_writes_do_not_collide(world) -> None:
    """Request threads search the local vector index while the job thread writes to it."""
    services, _, _ = world
    before = services.index.entity_count()
    errors = _hammer(services.index, services.embedder.embed_one("stress test"))
    assert errors == []
    assert services.index.entity_count() == before
