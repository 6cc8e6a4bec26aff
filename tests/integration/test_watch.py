"""The watch loop against a real loopback server, with intervals of seconds.

A good feed is polled on its interval (never sooner, and not much later) while, on the same host, one feed
answers 500 and another never finishes its body in time: neither holds the good one up, each is retried only when
its own schedule and backoff say so, and a post added to the good feed becomes a note without a restart. The same
loop runs inside the API (`serve --watch`) and stops with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli_watch import scheduler_for
from api.jobs import open_services
from api.settings import Settings
from ingest.scheduler import SchedulePolicy
from ingest.state import SourceStateStore
from tests.conftest import embed_config
from tests.support.feed_server import FeedServer
from tests.support.generated_feeds import generated_posts, rss

INTERVAL = 2.0
QUICK = SchedulePolicy(default_interval=timedelta(seconds=INTERVAL), jitter=0.1, min_wait=0.05, max_wait=0.25)
POSTS = generated_posts(4, seed=11)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class TimedRequests(list):
    """The server's request log, noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str]] = []

    def append(self, request) -> None:
        self.times.append((time.monotonic(), request[0]))
        super().append(request)


def arrivals(server: FeedServer, path: str) -> list[float]:
    return [moment for moment, requested in server.requests.times if requested == path]


@pytest.fixture
def workspace(tmp_path):
    with FeedServer() as server:
        server.requests = TimedRequests()
        server.add("/broken.xml", b"internal error", status=500, etag=False, content_type="text/plain")
        server.add("/slow.xml", rss("Slow", generated_posts(2, seed=5)), chunk_delay=5.0, chunk_size=32)
        server.add("/good.xml", rss("Good", POSTS[:3]))
        wiki = tmp_path / "wiki_content"
        wiki.mkdir()
        entries = [{"name": name.title(), "feed_url": server.url(f"/{name}.xml"), "tier": 2, "domains": ["ml"],
                    "allow_private": True} for name in ("broken", "slow", "good")]
        (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": entries}, sort_keys=False), encoding="utf-8")
        settings = Settings(wiki_dir=wiki, data_dir=tmp_path / "data", embed_model_path=embed_config().model_path,
                            fetch_timeout=1.0)
        yield settings, server


def timed(job, starts: list[float]):
    def run(now):
        starts.append(time.monotonic())
        return job(now)

    return run


def notes(settings: Settings) -> list[Path]:
    return sorted((settings.paths.wiki_dir / "notes").glob("*.md"))


def test_a_failing_source_does_not_hold_up_a_good_one(workspace):
    settings, server = workspace
    pass_starts: list[float] = []
    with open_services(settings) as services:
        scheduler = scheduler_for(services, QUICK)
        scheduler.job = timed(scheduler.job, pass_starts)
        with scheduler:
            wait_for(lambda: len(notes(settings)) == 3, 60, "the first pass to write three notes")
            server.add("/good.xml", rss("Good", POSTS))  # a fourth post appears
            wait_for(lambda: len(notes(settings)) == 4, 60, "the new post to become a note")
            # From the next poll on, passes have nothing to summarise: their spacing shows the schedule alone.
            quiet_from = len(arrivals(server, "/good.xml")) + 1
            wait_for(lambda: len(arrivals(server, "/good.xml")) >= quiet_from + 2, 60, "quiet polls of the good feed")
        assert not scheduler.running and scheduler.failed_passes == 0
        assert services.store.counts()["nodes"]["Note"] == 4

    good = arrivals(server, "/good.xml")
    # The interval counts from the start of the pass that fetched the feed: those passes are never closer than it.
    fetched_in = [max(start for start in pass_starts if start <= arrival) for arrival in good]
    assert all(later - earlier >= INTERVAL - 0.01 for earlier, later in zip(fetched_in, fetched_in[1:])), fetched_in
    # Measured from the request itself, a poll never comes sooner than the interval after the pass before it began.
    # (Raw request-to-request gaps can be shorter: the first pass may take a while to reach its first request.)
    assert all(later - started >= INTERVAL - 0.01 for started, later in zip(fetched_in, good[1:])), (fetched_in, good)
    gaps = [later - earlier for earlier, later in zip(good, good[1:])]
    # The requests themselves go first in each pass, before the failing sources. When there is nothing to summarise,
    # they come later than the interval by at most the jitter, a loop tick, a failing source's timeout and a quiet pass.
    quiet = gaps[quiet_from - 1:]
    assert len(quiet) >= 2 and max(quiet) <= INTERVAL * 1.1 + QUICK.max_wait + settings.fetch.fetch_timeout + 2.5, gaps

    states = SourceStateStore(settings.paths.data_dir)
    for name in ("broken", "slow"):
        state, tried = states.get(name), arrivals(server, f"/{name}.xml")
        assert state.error_count == len(tried) >= 1 and state.last_success is None
        # Its interval counts from the start of the pass too. Within a pass, sources are fetched in parallel and take
        # turns on their shared host (all of them are on this one loopback server), in no fixed order, so the raw gap
        # between two of its requests can be shorter by another source's timeout; measure from the pass instead.
        passes = [max(start for start in pass_starts if start <= arrival) for arrival in tried]
        assert all(later - earlier >= INTERVAL - 0.01 for earlier, later in zip(passes, passes[1:])), passes
        assert all(later - started >= INTERVAL - 0.01 for started, later in zip(passes, tried[1:])), (passes, tried)
        if state.next_check and state.next_check > datetime.now(UTC):
            # Backed off: it was not asked again once its next check was pushed past the end of the run.
            assert len(tried) < len(good)
    assert "500" in states.get("broken").last_error
    assert states.get("good").error_count == 0


def test_serve_watch_runs_the_loop_inside_the_api(workspace):
    settings, server = workspace
    server.resources.pop("/broken.xml"), server.resources.pop("/slow.xml")  # 404s now: still only errors
    application = create_app(settings, background=lambda services: scheduler_for(services, QUICK))
    with TestClient(application) as client:
        wait_for(lambda: len(notes(settings)) == 3, 60, "the background loop to write three notes")
        hits = client.get("/search", params={"q": POSTS[0].title, "k": 3})
        assert hits.status_code == 200 and hits.json()["count"] >= 1
        assert client.get("/health").json()["status"] == "ok"
    # Shut down with the app (its pass in progress, if any, finished): no poll after it stopped.
    polled = len(arrivals(server, "/good.xml"))
    time.sleep(INTERVAL * 1.5)
    assert len(arrivals(server, "/good.xml")) == polled


def test_wikigraph_watch_command_polls_then_stops_cleanly_on_sigterm(workspace):
    settings, server = workspace
    for name in ("broken", "slow"):
        server.resources.pop(f"/{name}.xml")
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIKIGRAPH_")}
    env.update(WIKIGRAPH_WIKI_DIR=str(settings.paths.wiki_dir), WIKIGRAPH_DATA_DIR=str(settings.paths.data_dir),
               WIKIGRAPH_EMBED_MODEL_PATH=str(settings.embed.embed_model_path),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "watch"],
                             cwd=settings.paths.data_dir.parent, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: len(notes(settings)) == 3, 90, "`wikigraph watch` to write three notes")
        [pidfile] = settings.paths.data_dir.rglob("redis.pid")
        graph_server = int(pidfile.read_text().strip())
        assert is_redis(graph_server)
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    text = output.decode("utf-8", "replace")
    assert child.returncode == 0, text[-2000:]
    assert "checked 3 sources: 3 new or changed posts, 3 notes written" in text
    assert "stopped watching sources" in text
    wait_for(lambda: not is_redis(graph_server), 10, "the embedded graph server it started to stop with it")


def is_redis(pid: int) -> bool:
    try:
        return b"redis" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
