"""How many sources one pass fetches at once (`workers`; the setting `WIKIGRAPH_FETCH_WORKERS`), on real loopback
servers under two host names, so the per-host limit does not make them take turns."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from api.settings import FetchSettings
from graph.vault import Vault
from ingest.fetch import Fetcher, make_http_client
from ingest.pipeline import refresh_sources
from ingest.refresh import RefreshPolicy
from ingest.sources import Source
from ingest.state import SourceStateStore
from tests.support.feed_server import FeedServer

NOW = datetime(2024, 3, 6, 12, 0, tzinfo=timezone.utc)
ANSWER_DELAY = 0.5


def feed(slug: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Workers</title>'
        "<link>https://workers.example/</link><description>d</description>"
        f"<item><title>Post {slug}</title><link>https://workers.example/{slug}</link>"
        f"<guid>https://workers.example/{slug}</guid><description>Words about {slug}.</description></item>"
        "</channel></rss>"
    )


def two_sources(first: FeedServer, second: FeedServer, **resource) -> list[Source]:
    urls = [first.add("/feed", feed("one"), **resource), second.add("/feed", feed("two"), **resource)]
    urls[1] = urls[1].replace("127.0.0.1", "localhost")
    return [
        Source(id=f"source-{n}", name=f"Source {n}", feed_url=url, tier=2, domains=("ml",), allow_private=True)
        for n, url in enumerate(urls)
    ]


def refresh(sources: list[Source], tmp_path, workers: int):
    with make_http_client() as client:
        return refresh_sources(
            sources, Fetcher(client), SourceStateStore(tmp_path / "data"), Vault(tmp_path / "wiki_content"), NOW,
            policy=RefreshPolicy(max_articles=0), workers=workers,
        )


def test_two_workers_fetch_two_sources_at_once(tmp_path):
    # Each request is held until the other is in flight too: fetched in turn, both would fail.
    both_in_flight = threading.Barrier(2, timeout=30)
    with FeedServer() as first, FeedServer() as second:
        results = refresh(two_sources(first, second, hold=both_in_flight.wait), tmp_path, workers=2)
    assert [(r.ok, len(r.new)) for r in results] == [(True, 1), (True, 1)]


def test_one_worker_fetches_one_source_after_the_other(tmp_path):
    with FeedServer() as first, FeedServer() as second:
        results = refresh(two_sources(first, second, delay=ANSWER_DELAY), tmp_path, workers=1)
        arrivals = sorted([first.visits[0].arrived, second.visits[0].arrived])
    assert [(r.ok, len(r.new)) for r in results] == [(True, 1), (True, 1)]
    # The first answer takes ANSWER_DELAY after its request arrives; the second request waits for it.
    assert arrivals[1] - arrivals[0] >= ANSWER_DELAY


@pytest.mark.parametrize("workers", [0, 33])
def test_the_setting_refuses_a_worker_count_out_of_range(workers):
    with pytest.raises(ValidationError, match="fetch_workers"):
        FetchSettings(fetch_workers=workers)
