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


def in_pairs() -> threading.Barrier:
    """Hold each request until a second one is in flight with it. Waiting on that (not on a guessed delay) shows
    two requests overlap however slowly a busy machine starts the threads; if the limiter never lets two through
    together, the barrier times out and the requests get no answer."""
    return threading.Barrier(2, timeout=30)


def test_a_limit_of_one_keeps_one_request_in_flight_per_host(server):
    # Each answer takes a while, so a limiter letting more through would show more in flight.
    urls = [server.add(f"/feed{n}", b"<rss/>", delay=0.15) for n in range(4)]
    with make_http_client() as client:
        fetch_in_threads(Fetcher(client, limiter=HostLimiter(1)), urls)
    assert len(server.requests) == 4
    assert server.max_in_flight == 1


def test_a_higher_limit_lets_that_many_requests_through_together(server):
    pairs = in_pairs()
    urls = [server.add(f"/feed{n}", b"<rss/>", hold=pairs.wait, delay=0.15) for n in range(4)]
    with make_http_client() as client:
        fetch_in_threads(Fetcher(client, limiter=HostLimiter(2)), urls)
    assert len(server.requests) == 4
    assert server.max_in_flight == 2


def test_different_hosts_do_not_wait_for_each_other():
    pairs = in_pairs()
    with FeedServer() as one, FeedServer() as other, make_http_client() as client:
        first = one.add("/feed", b"<rss/>", hold=pairs.wait)
        # Same machine, another host name for it: 127.0.0.1 and localhost are separate hosts to the limiter.
        second = other.add("/feed", b"<rss/>", hold=pairs.wait).replace("127.0.0.1", "localhost")
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


def recorded_pauses() -> tuple[HostLimiter, list[float]]:
    """A limiter that notes each pause it takes (and still takes it): whether a pause was owed does not depend
    on how quickly a busy machine runs the requests."""
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    return HostLimiter(sleep=pause), pauses


def test_feed_requests_are_not_spaced(server):
    urls = [server.add(f"/feed{n}", b"<rss/>") for n in range(3)]
    limiter, pauses = recorded_pauses()
    with make_http_client() as client:
        fetcher = Fetcher(client, limiter=limiter, article_interval=30.0)
        for url in urls:
            fetcher.fetch(url, allow_private=True)
    assert pauses == []
    gaps = [later.arrived - earlier.finished for earlier, later in zip(server.visits, server.visits[1:])]
    assert all(gap < 10.0 for gap in gaps), gaps  # nor any pause taken elsewhere: far short of the 30 s interval


def test_limiter_rejects_a_zero_limit():
    with pytest.raises(ValueError, match="at least 1"):
        HostLimiter(0)


def test_a_refused_connection_owes_no_pause(server):
    with FeedServer() as closed:
        dead = closed.url("/post")  # same host (127.0.0.1), nothing listening any more
    page = server.add("/post", PAGE, content_type="text/html")
    limiter, pauses = recorded_pauses()
    with make_http_client() as client:
        fetcher = Fetcher(client, limiter=limiter, article_interval=3.0)
        with pytest.raises(FetchError) as refused:
            fetcher.fetch_page(dead, allow_private=True)
        assert refused.value.unreachable
        fetcher.fetch_page(page, allow_private=True)
        assert pauses == []
        fetcher.fetch_page(page, allow_private=True)  # after a real request the pause is owed
    assert len(pauses) == 1 and 0 < pauses[0] <= 3.0
    first, second = server.visits
    assert second.arrived - first.finished >= 2.99


def test_http_errors_are_not_unreachable(server):
    url = server.add("/gone", b"", status=410)
    with make_http_client() as client, pytest.raises(FetchError) as caught:
        Fetcher(client).fetch(url, allow_private=True)
    assert caught.value.status == 410 and not caught.value.unreachable
