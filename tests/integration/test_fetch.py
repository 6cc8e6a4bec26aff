"""The Fetcher against a real HTTP server on loopback: validators, gzip and deflate, redirects, limits, errors."""

from __future__ import annotations

import zlib

import httpx
import pytest

from ingest.fetch import Fetcher, FetchError, check_address_allowed, make_http_client
from tests.support.feed_server import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
DATE = "Sat, 01 Jun 2024 11:00:00 GMT"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def client():
    with make_http_client() as http:
        yield http


def test_plain_fetch_sends_a_descriptive_user_agent(server, client):
    url = server.add("/feed", FEED)
    result = Fetcher(client).fetch(url, allow_private=True)
    assert (result.status, result.body, result.not_modified, result.url) == (200, FEED, False, url)
    assert result.etag and result.headers["content-type"].startswith("application/rss+xml")
    [sent] = server.requests_for("/feed")
    assert sent["User-Agent"].startswith("wikigraph/")
    assert "application/rss+xml" in sent["Accept"]
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent


def test_etag_round_trip_gives_304(server, client):
    url = server.add("/feed", FEED)
    fetcher = Fetcher(client)
    first = fetcher.fetch(url, allow_private=True)
    second = fetcher.fetch(url, etag=first.etag, allow_private=True)
    assert (second.status, second.not_modified, second.body) == (304, True, None)
    assert server.requests_for("/feed")[1]["If-None-Match"] == first.etag


def test_last_modified_round_trip_gives_304(server, client):
    url = server.add("/feed", FEED, etag=False, last_modified=DATE)
    fetcher = Fetcher(client)
    first = fetcher.fetch(url, allow_private=True)
    assert first.last_modified == DATE and first.etag is None
    second = fetcher.fetch(url, last_modified=first.last_modified, allow_private=True)
    assert second.status == 304 and second.not_modified
    assert server.requests_for("/feed")[1]["If-Modified-Since"] == DATE


def test_200_with_the_same_etag_is_not_modified(server, client):
    # A server that ignores If-None-Match but sends a stable ETag.
    url = server.add("/feed", FEED, etag=False, headers={"ETag": '"v1"'})
    result = Fetcher(client).fetch(url, etag='"v1"', allow_private=True)
    assert result.status == 200 and result.not_modified
    assert not Fetcher(client).fetch(url, etag='"v0"', allow_private=True).not_modified


def test_gzip_is_decoded(server, client):
    body = FEED * 200
    url = server.add("/feed", body, gzip=True)
    result = Fetcher(client).fetch(url, allow_private=True)
    assert result.body == body
    assert result.headers["content-encoding"] == "gzip"
    assert "gzip" in server.requests_for("/feed")[0]["Accept-Encoding"]


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # no zlib header: what some servers send as "deflate"
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("compress", [zlib.compress, _raw_deflate], ids=["zlib", "raw"])
def test_deflate_is_decoded(server, client, compress):
    body = FEED * 200
    url = server.add("/feed", compress(body), headers={"Content-Encoding": "deflate"})
    result = Fetcher(client).fetch(url, allow_private=True)
    assert result.body == body
    assert "deflate" in server.requests_for("/feed")[0]["Accept-Encoding"]


def test_body_cap_applies_to_decompressed_deflate(server, client):
    url = server.add("/bomb", zlib.compress(b"\0" * 2_000_000), headers={"Content-Encoding": "deflate"})
    with pytest.raises(FetchError, match="exceeds"):
        Fetcher(client, max_body_bytes=1_000_000).fetch(url, allow_private=True)


def test_redirects_are_followed_and_the_final_url_reported(server, client):
    final = server.add("/new/feed.xml", FEED)
    server.add_redirect("/old", "/moved", status=301)
    server.add_redirect("/moved", "new/feed.xml", status=302)  # relative Location
    result = Fetcher(client).fetch(server.url("/old"), allow_private=True)
    assert result.url == final and result.body == FEED


def test_redirect_loop_is_an_error(server, client):
    server.add_redirect("/a", "/b")
    server.add_redirect("/b", "/a")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        Fetcher(client, max_redirects=3).fetch(server.url("/a"), allow_private=True)
    assert len(server.requests) == 4


def test_body_cap_enforced_while_streaming(server, client):
    url = server.add("/big", b"x" * 200_000, content_length=False)
    with pytest.raises(FetchError, match="exceeds the 100000-byte limit"):
        Fetcher(client, max_body_bytes=100_000).fetch(url, allow_private=True)


def test_body_cap_checks_declared_length_first(server, client):
    url = server.add("/big", b"x" * 200_000)
    with pytest.raises(FetchError, match="body of 200000 bytes exceeds"):
        Fetcher(client, max_body_bytes=100_000).fetch(url, allow_private=True)


def test_body_cap_applies_to_decompressed_size(server, client):
    url = server.add("/bomb", b"\0" * 2_000_000, gzip=True)  # ~2 KB on the wire
    with pytest.raises(FetchError, match="exceeds"):
        Fetcher(client, max_body_bytes=1_000_000).fetch(url, allow_private=True)


def test_default_cap_is_15_mib(client):
    assert Fetcher(client).max_body_bytes == 15 * 1024 * 1024


def test_slow_body_hits_the_total_deadline(server, client):
    url = server.add("/slow", b"x" * 20_000, chunk_delay=0.1, chunk_size=1000)
    with pytest.raises(FetchError, match="took longer than 0.3 s"):
        Fetcher(client, max_seconds=0.3).fetch(url, allow_private=True)


def test_stalled_body_hits_the_read_timeout(server):
    url = server.add("/stall", b"x" * 4000, chunk_delay=2.0, chunk_size=1000)
    with httpx.Client(timeout=httpx.Timeout(0.3)) as impatient, pytest.raises(FetchError, match="timed out"):
        Fetcher(impatient).fetch(url, allow_private=True)


def test_http_errors_carry_status_and_retry_after(server, client):
    url = server.add("/busy", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        Fetcher(client).fetch(url, allow_private=True)
    assert caught.value.status == 429 and caught.value.retry_after == 120
    assert "HTTP 429" in str(caught.value)
    with pytest.raises(FetchError, match="HTTP 404") as missing:
        Fetcher(client).fetch(server.url("/nothing-here"), allow_private=True)
    assert missing.value.status == 404


def test_connection_refused_is_a_fetch_error(client):
    with FeedServer() as closed:
        url = closed.url("/feed")
    with pytest.raises(FetchError, match="ConnectError"):
        Fetcher(client).fetch(url, allow_private=True)


def test_private_addresses_need_permission(server, client):
    url = server.add("/feed", FEED)
    with pytest.raises(FetchError, match="non-public address 127.0.0.1; set allow_private"):
        Fetcher(client).fetch(url)
    assert server.requests == []  # refused before any request was sent


@pytest.mark.parametrize(
    "url",
    ["http://localhost/", "http://10.1.2.3/", "http://192.168.0.1/", "http://169.254.169.254/latest", "http://[::1]/",
     "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/"],
)
def test_non_public_hosts_are_refused(url):
    with pytest.raises(FetchError, match="non-public address"):
        check_address_allowed(url, allow_private=False)
    check_address_allowed(url, allow_private=True)


def test_public_literal_address_is_allowed():
    check_address_allowed("https://93.184.215.14/feed", allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "not a url"])
def test_only_http_urls(url):
    with pytest.raises(FetchError, match="not an http"):
        check_address_allowed(url, allow_private=True)
