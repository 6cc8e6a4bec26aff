"""A real HTTP server on loopback that serves fixture feeds (with ETag / Last-Modified / 304 support).

Per resource it can also gzip the body, leave out Content-Length, send the body slowly in chunks, wait before
answering, or hold the answer until a condition the test controls is met (`hold`: a Barrier's or an Event's wait);
`add_redirect` serves a redirect to another URL. The server notes when each request arrived and
finished, and the most requests it ever had waiting for their answer at once (to check a client's per-host
politeness).
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    # Sent as Last-Modified; a matching If-Modified-Since gets a 304 (when no ETag decides first).
    last_modified: str | None = None
    # Compress the body when the client accepts gzip.
    gzip: bool = False
    # False: no Content-Length, the body ends when the connection closes.
    content_length: bool = True
    # > 0: send the body in `chunk_size` pieces with this many seconds between them.
    chunk_delay: float = 0.0
    chunk_size: int = 1024
    # Seconds to wait before answering at all.
    delay: float = 0.0
    # Called before answering (before `delay`); the request waits until it returns. A condition to wait on rather
    # than a guessed delay: e.g. `threading.Barrier(2, timeout=30).wait` holds each request until another is in
    # flight too, however slowly the client's threads get to it. If it raises, the request gets no answer.
    hold: Callable[[], object] | None = None


@dataclass
class Visit:
    path: str
    arrived: float  # time.monotonic()
    finished: float | None = None
    # Set once the answer starts: the request no longer counts as in flight (see `FeedServer._answering`).
    answered: bool = False


class _QuietOnDisconnect(ThreadingHTTPServer):
    """A client that hangs up mid-response (a fetcher giving up on a slow server, as it should) is not an error;
    anything else is still reported."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class FeedServer:
    """Serve `resources[path]`; count requests per path. Use as a context manager."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.visits: list[Visit] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                self.visit = server._arrive(self.path, dict(self.headers))
                try:
                    self._answer()
                finally:
                    server._leave(self.visit)

            def send_response(self, code: int, message: str | None = None) -> None:
                server._answering(self.visit)
                super().send_response(code, message)

            def _answer(self) -> None:
                resource = server.resources.get(self.path)
                if resource is None:
                    self.send_error(404)
                    return
                if resource.hold is not None:
                    resource.hold()
                if resource.delay > 0:
                    time.sleep(resource.delay)
                tag = '"' + hashlib.sha1(resource.body).hexdigest() + '"'
                if _not_modified(resource, tag, self.headers):
                    self.send_response(304)
                    if resource.etag:
                        self.send_header("ETag", tag)
                    if resource.last_modified:
                        self.send_header("Last-Modified", resource.last_modified)
                    self.end_headers()
                    return
                body = resource.body
                gzipped = resource.gzip and "gzip" in self.headers.get("Accept-Encoding", "")
                if gzipped:
                    body = gzip.compress(body)
                self.send_response(resource.status)
                self.send_header("Content-Type", resource.content_type)
                if resource.content_length:
                    self.send_header("Content-Length", str(len(body)))
                if gzipped:
                    self.send_header("Content-Encoding", "gzip")
                if resource.etag:
                    self.send_header("ETag", tag)
                if resource.last_modified:
                    self.send_header("Last-Modified", resource.last_modified)
                for key, value in resource.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self._send_body(body, resource)

            def _send_body(self, body: bytes, resource: Resource) -> None:
                if resource.chunk_delay <= 0:
                    self.wfile.write(body)
                    return
                try:
                    for start in range(0, len(body), resource.chunk_size):
                        self.wfile.write(body[start : start + resource.chunk_size])
                        self.wfile.flush()
                        time.sleep(resource.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (as a fetcher with a deadline should)

            def log_message(self, *args) -> None:  # keep test output quiet
                return

        self._httpd = _QuietOnDisconnect(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True  # a slow response in progress must not hold up shutdown
        # A short poll interval makes shutdown (every test teardown) quick.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _arrive(self, path: str, headers: dict[str, str]) -> Visit:
        visit = Visit(path, time.monotonic())
        with self._lock:
            self.requests.append((path, headers))
            self.visits.append(visit)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        return visit

    def _answering(self, visit: Visit) -> None:
        """A request stops counting as in flight when its answer starts, not when this thread is done with it:
        the client may read the whole answer, and send its next request, before this thread runs again."""
        with self._lock:
            if not visit.answered:
                visit.answered = True
                self._in_flight -= 1

    def _leave(self, visit: Visit) -> None:
        self._answering(visit)  # a request answered with nothing (a failed `hold`) stops counting too
        with self._lock:
            visit.finished = time.monotonic()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: bytes | str, **kwargs) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = Resource(data, **kwargs)
        return self.url(path)

    def add_redirect(self, path: str, location: str, status: int = 301) -> str:
        """Answer `path` with a redirect to `location` (a path on this server or any URL)."""
        self.resources[path] = Resource(b"", status=status, headers={"Location": location}, etag=False)
        return self.url(path)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]

    def __enter__(self) -> "FeedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _not_modified(resource: Resource, tag: str, headers) -> bool:
    if resource.status != 200:
        return False
    if resource.etag and headers.get("If-None-Match") is not None:
        return headers.get("If-None-Match") == tag
    if resource.last_modified and headers.get("If-Modified-Since") is not None:
        return headers.get("If-Modified-Since") == resource.last_modified
    return False
