"""HTTP fetching of feeds and article pages: conditional GET, redirects checked hop by hop, a body cap enforced
while streaming, per-host politeness, and no request to a non-public address unless the source allows it.

The httpx client is created by the entry point (one per process) and handed in; `make_http_client` builds the
right one (a transport that connects only to addresses it has checked; see ingest/netguard.py).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import httpx

from graph.errors import WikigraphError
from ingest.netguard import ALLOW_PRIVATE, AddressNotAllowed, GuardedTransport, check_url
from ingest.politeness import HostLimiter

MAX_BODY_BYTES = 15 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_SECONDS = 60.0
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# Seconds between two article-page requests to one host (feeds are one request per source and need no pause).
ARTICLE_INTERVAL = 1.0
# A server may ask us to wait (Retry-After), but one header cannot silence a feed for longer than this.
MAX_RETRY_AFTER = 7 * 24 * 3600.0
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# Failures in which no request reached the host: no politeness pause is owed after them.
_NOTHING_SENT = (httpx.ConnectError, AddressNotAllowed)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def _version() -> str:
    try:
        return metadata.version("wikigraph")
    except metadata.PackageNotFoundError:
        return "dev"


DEFAULT_USER_AGENT = f"wikigraph/{_version()} (feed reader building a personal knowledge graph)"


class FetchError(WikigraphError):
    """A feed could not be fetched. `status` is the HTTP status when there was one;
    `retry_after` the seconds the server asked us to wait (429/503 with Retry-After)."""

    def __init__(
        self,
        message: str,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
        *,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retry_after = retry_after
        # No connection could be made (the name does not resolve, the host refuses or does not answer).
        self.unreachable = unreachable


@dataclass
class FetchResult:
    url: str
    status: int
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    # Where the requested URL moved to through permanent redirects (301/308) only; None if it did not move.
    permanent_url: str | None = None

    @property
    def body_hash(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag") or None

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified") or None


def make_http_client(timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.Client:
    """The client an entry point hands to `Fetcher`: redirects are followed by the Fetcher, hop by hop, and the
    transport connects only to addresses it has checked. Proxy variables from the environment are ignored (a
    proxy would resolve names where we cannot check them)."""
    return httpx.Client(timeout=timeout, follow_redirects=False, transport=GuardedTransport(), trust_env=False)


class Fetcher:
    """Fetches feeds and pages. Share one per process (with its HostLimiter) across threads: the limiter is what
    keeps us to one request in flight per host."""

    def __init__(
        self,
        client: httpx.Client,
        user_agent: str = DEFAULT_USER_AGENT,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        max_seconds: float = MAX_SECONDS,
        limiter: HostLimiter | None = None,
        article_interval: float = ARTICLE_INTERVAL,
    ) -> None:
        self.client = client
        self.user_agent = user_agent
        self.max_body_bytes = max_body_bytes
        self.max_redirects = max_redirects
        self.max_seconds = max_seconds
        self.limiter = limiter or HostLimiter()
        self.article_interval = article_interval

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        allow_private: bool = False,
        accept: str = ACCEPT,
        min_interval: float = 0.0,
    ) -> FetchResult:
        """GET `url` with the validators from the previous fetch. A 304, or a 200 whose ETag (or, lacking one,
        Last-Modified) equals what we sent, is `not_modified`. Loopback/private hosts need `allow_private`;
        `min_interval` is the pause owed to each host since our last request to it."""
        deadline = time.monotonic() + self.max_seconds
        headers = self._request_headers(etag, last_modified, accept)
        current, permanent, moved_for_good = url, url, True
        for _ in range(self.max_redirects + 1):
            check_address_allowed(current, allow_private)
            host = urlsplit(current).hostname or ""
            try:
                with self.limiter.request(host, min_interval, unsent=_NOTHING_SENT), self.client.stream(
                    "GET", current, headers=headers, follow_redirects=False, extensions={ALLOW_PRIVATE: allow_private}
                ) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = urljoin(str(response.url), location.strip())
                        moved_for_good = moved_for_good and response.status_code in PERMANENT_REDIRECTS
                        permanent = current if moved_for_good else permanent
                        continue
                    result = self._result(response, current, etag, last_modified, deadline)
                    result.permanent_url = permanent if permanent != url else None
                    return result
            except AddressNotAllowed as exc:  # the transport's own check, at connect time
                raise FetchError(f"{current}: {exc}", current) from exc
            except httpx.TimeoutException as exc:
                unreachable = isinstance(exc, httpx.ConnectTimeout)
                raise FetchError(f"{current}: timed out ({type(exc).__name__})", current, unreachable=unreachable) from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"{current}: ConnectError: {exc}", current, unreachable=True) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"{current}: {type(exc).__name__}: {exc}", current) from exc
        raise FetchError(f"{url}: more than {self.max_redirects} redirects", url)

    def fetch_page(self, url: str, *, allow_private: bool = False) -> FetchResult:
        """An article page: asks for HTML, and waits `article_interval` since the last request to its host."""
        return self.fetch(url, allow_private=allow_private, accept=HTML_ACCEPT, min_interval=self.article_interval)

    def _request_headers(self, etag: str | None, last_modified: str | None, accept: str) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _result(
        self, response: httpx.Response, url: str, etag: str | None, last_modified: str | None, deadline: float
    ) -> FetchResult:
        headers = {key: value for key, value in response.headers.items()}
        status = response.status_code
        if status == 304:
            return FetchResult(url=url, status=status, body=None, headers=headers, not_modified=True)
        if not 200 <= status < 300:
            reason = response.reason_phrase or "error"
            retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(timezone.utc))
            raise FetchError(f"{url}: HTTP {status} {reason}", url, status=status, retry_after=retry_after)
        body = self._read_capped(response, url, deadline)
        unchanged = _validators_unchanged(headers, etag, last_modified)
        return FetchResult(url=url, status=status, body=body, headers=headers, not_modified=unchanged)

    def _read_capped(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        cap = self.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{url}: body of {int(declared)} bytes exceeds the {cap}-byte limit", url)
        chunks: list[bytes] = []
        size = 0
        # iter_bytes yields decoded (gunzipped) bytes, so the cap also stops compression bombs.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"{url}: body exceeds the {cap}-byte limit", url)
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: download took longer than {self.max_seconds:g} s", url)
            chunks.append(chunk)
        return b"".join(chunks)


def _validators_unchanged(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    """Some servers answer 200 with the same validators instead of 304; that is 'not modified' too."""
    if headers.get("etag"):
        return etag is not None and headers["etag"] == etag
    if headers.get("last-modified"):
        return last_modified is not None and headers["last-modified"] == last_modified
    return False


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now` (it may be a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def check_address_allowed(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs, and hosts resolving to loopback/private/link-local addresses unless allowed,
    so that a feed list, a feed's links or a redirect cannot point the fetcher at services inside the network."""
    try:
        check_url(url, allow_private)
    except AddressNotAllowed as exc:
        raise FetchError(str(exc), url) from exc
