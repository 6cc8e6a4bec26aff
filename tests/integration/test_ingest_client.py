"""The HTTP client an ingest runs with (api/jobs.py, used by `ingest`, `watch`, `ingest --dry-run` and the API's
background ingest) checks addresses when it connects, ignores proxy variables, and keeps the configured timeout."""

from __future__ import annotations

import pytest

from api.jobs import http_client, refresh_policy
from api.settings import Settings
from ingest.netguard import ALLOW_PRIVATE, AddressNotAllowed
from ingest.refresh import RefreshPolicy
from tests.support.feed_server import FeedServer


@pytest.fixture
def server():
    with FeedServer() as running:
        running.add("/feed", b"<rss/>")
        yield running


def test_connections_to_private_addresses_are_refused_at_connect_time(server):
    # A request that never went through the Fetcher's own check (as after a DNS answer that changed since).
    with http_client(Settings()) as client:
        with pytest.raises(AddressNotAllowed):
            client.get(server.url("/feed"))
        allowed = client.get(server.url("/feed"), extensions={ALLOW_PRIVATE: True})
    assert allowed.status_code == 200
    assert len(server.requests_for("/feed")) == 1  # the refused request never reached the server


def test_proxy_variables_are_ignored(server, monkeypatch):
    with FeedServer() as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.base_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        with http_client(Settings()) as client:
            response = client.get(server.url("/feed"), extensions={ALLOW_PRIVATE: True})
        assert response.status_code == 200
        assert proxy.requests == [] and len(server.requests_for("/feed")) == 1


def test_configured_timeout_and_policy_are_used():
    settings = Settings(fetch_timeout=7.5, failures_before_backoff=5, max_articles_per_refresh=0)
    with http_client(settings) as client:
        assert client.timeout.read == 7.5 and client.timeout.connect == 10.0
    assert refresh_policy(settings) == RefreshPolicy(failures_before_backoff=5, max_articles=0)
    assert refresh_policy(Settings()) == RefreshPolicy()  # the settings' defaults are the ingest's own
