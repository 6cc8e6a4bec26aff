"""The guarded transport against a real loopback server: it connects only to addresses it checked (no second DNS
lookup to rebind), and private-allowed requests never share connections with the others."""

from __future__ import annotations

import httpx
import pytest

from ingest.fetch import Fetcher, FetchError, make_http_client
from ingest.netguard import ALLOW_PRIVATE, AddressNotAllowed, GuardedTransport, check_url
from tests.support.feed_server import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def server():
    with FeedServer() as running:
        running.add("/feed", FEED)
        yield running


def client_resolving(answers):
    """A client whose transport resolves names through `answers` (a name → list of addresses, or a callable)."""

    def resolver(host, port):
        value = answers[host] if isinstance(answers, dict) else answers(host)
        return list(value)

    return httpx.Client(transport=GuardedTransport(resolver=resolver), follow_redirects=False), resolver


def test_connects_to_the_address_it_resolved_not_to_the_name(server):
    port = server.base_url.rsplit(":", 1)[1]
    client, _ = client_resolving({"feeds.internal.test": ["127.0.0.1"]})
    with client:
        # The name exists only in our resolver: the request can only succeed through the checked address.
        response = client.get(f"http://feeds.internal.test:{port}/feed", extensions={ALLOW_PRIVATE: True})
        assert response.status_code == 200 and response.content == FEED
        assert server.requests_for("/feed")[0]["Host"] == f"feeds.internal.test:{port}"
        with pytest.raises(AddressNotAllowed, match="non-public address 127.0.0.1"):
            client.get(f"http://feeds.internal.test:{port}/feed")
    assert len(server.requests) == 1


def test_dns_rebinding_is_caught_at_connect_time(server):
    port = server.base_url.rsplit(":", 1)[1]
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])  # public for the check, loopback for the connection
    client, resolver = client_resolving(lambda host: next(answers))
    url = f"http://rebind.test:{port}/feed"
    with client:
        check_url(url, allow_private=False, resolver=resolver)  # the first answer passes the check
        with pytest.raises(AddressNotAllowed, match="non-public address 127.0.0.1"):
            client.get(url)
    assert server.requests == []


def test_a_private_connection_is_never_reused_for_a_public_only_request(server):
    with make_http_client() as client:
        assert client.get(server.url("/feed"), extensions={ALLOW_PRIVATE: True}).status_code == 200
        with pytest.raises(AddressNotAllowed):
            client.get(server.url("/feed"))  # same origin, kept-alive connection available: still refused
        assert client.get(server.url("/feed"), extensions={ALLOW_PRIVATE: True}).status_code == 200
    assert len(server.requests) == 2


def test_fetcher_reports_a_connection_refused_by_the_transport_as_a_fetch_error(server):
    # The early check sees a public literal address; the transport's own resolution says loopback (as a
    # rebinding name would) and refuses to connect.
    port = server.base_url.rsplit(":", 1)[1]
    client, _ = client_resolving({"93.184.215.14": ["127.0.0.1"]})
    with client, pytest.raises(FetchError, match="non-public address 127.0.0.1"):
        Fetcher(client).fetch(f"http://93.184.215.14:{port}/feed")
    assert server.requests == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "gopher://127.0.0.1:6379/_INFO"])
def test_every_redirect_hop_is_checked(server, target):
    server.add_redirect("/moved", target)
    with make_http_client() as client, pytest.raises(FetchError, match="not an http"):
        Fetcher(client).fetch(server.url("/moved"), allow_private=True)
