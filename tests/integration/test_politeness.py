"""Per-host politeness, measured by the loopback server: requests in flight per host, pauses between article pages."""

from __future__ import annotations

import threading
import time

import pytest

from ingest.fetch import Fetcher, FetchError, make_http_client
from ingest.politeness import HostLimiter
from tests.support.feed_server import FeedServer

PAGE = b"<html><body><p>page</p></body></html>"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def fetch_in_threads(fetcher: Fetcher, urls: list[str]) -> None:
    errors: list[BaseException] = []

    def run(url: str) -> None:
        try:
            fetcher.fetch(url, allow_private=True)
        except BaseException as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.parametrize(("per_host", "expected"), [(1, 1), (2, 2)])
def test_requests_in_flight_per_host_are_limited(server, per_host, expected):
    urls = [server.add(f"/feed{n}", b"<rss/>", delay=0.15) for n in range(4)]
    with make_http_client() as client:
        fetch_in_threads(Fetcher(client, limiter=HostLimiter(per_host)), urls)
    assert len(server.requests) == 4
    assert server.max_in_flight == expected


def test_different_hosts_do_not_wait_for_each_other():
    with FeedServer() as one, FeedServer() as other, make_http_client() as client:
        first = one.add("/feed", b"<rss/>", delay=0.3)
        # Same machine, another host name for it: 127.0.0.1 and localhost are separate hosts to the limiter.
        second = other.add("/feed", b"<rss/>", delay=0.3).replace("127.0.0.1", "localhost")
        fetch_in_threads(Fetcher(client), [first, second])
        assert one.visits[0].arrived < other.visits[0].finished
        assert other.visits[0].arrived < one.visits[0].finished


def test_article_pages_on_one_host_are_spaced(server):
    urls = [server.add(f"/post{n}", PAGE, content_type="text/html") for n in range(3)]
    with make_http_client() as client:
        fetcher = Fetcher(client, article_interval=0.25)
        for url in urls:
            fetcher.fetch_page(url, allow_private=True)
    gaps = [later.arrived - earlier.finished for earlier, later in zip(server.visits, server.visits[1:])]
    assert len(gaps) == 2 and all(gap >= 0.24 for gap in gaps), gaps
    assert "text/html" in server.requests_for("/post0")[0]["Accept"]


def test_feed_requests_are_not_spaced(server):
    urls = [server.add(f"/feed{n}", b"<rss/>") for n in range(3)]
    with make_http_client() as client:
        fetcher = Fetcher(client, article_interval=5.0)
        for url in urls:
            fetcher.fetch(url, allow_private=True)
    gaps = [later.arrived - earlier.finished for earlier, later in zip(server.visits, server.visits[1:])]
    assert all(gap < 1.0 for gap in gaps), gaps


def test_limiter_rejects_a_zero_limit():
    with pytest.raises(ValueError, match="at least 1"):
        HostLimiter(0)


def test_a_refused_connection_owes_no_pause(server):
    with FeedServer() as closed:
        dead = closed.url("/post")  # same host (127.0.0.1), nothing listening any more
    page = server.add("/post", PAGE, content_type="text/html")
    with make_http_client() as client:
        fetcher = Fetcher(client, article_interval=3.0)
        with pytest.raises(FetchError) as refused:
            fetcher.fetch_page(dead, allow_private=True)
        assert refused.value.unreachable
        started = time.monotonic()
        fetcher.fetch_page(page, allow_private=True)
        assert time.monotonic() - started < 2.0  # well short of the 3 s pause, with room for a busy machine
        started = time.monotonic()
        fetcher.fetch_page(page, allow_private=True)  # after a real request the pause is owed
        assert time.monotonic() - started >= 2.9


def test_http_errors_are_not_unreachable(server):
    url = server.add("/gone", b"", status=410)
    with make_http_client() as client, pytest.raises(FetchError) as caught:
        Fetcher(client).fetch(url, allow_private=True)
    assert caught.value.status == 410 and not caught.value.unreachable
