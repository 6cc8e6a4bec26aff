"""`wikigraph demo`: our sample feeds served from a loopback HTTP server into a throwaway wiki.

The feeds go through the real fetch path (HTTP, conditional GET, parsing), so the demo shows
exactly what an ingest of real sources does.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from graph.vault import atomic_write_text
from ingest.demo import build_feed, demo_sources


@dataclass(frozen=True)
class DemoWorkspace:
    root: Path
    wiki_dir: Path
    data_dir: Path
    feed_base_url: str


def _feed_server(feeds: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            body = feeds.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            return

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@contextmanager
def demo_workspace(keep: bool = False, concepts: Path | None = None) -> Iterator[DemoWorkspace]:
    """A throwaway wiki whose sources are our sample feeds, served on loopback while it is open. `concepts`: a folder
    of concept pages to start from (the shipped starter vocabulary), so the sample posts link to known concepts."""
    root = Path(tempfile.mkdtemp(prefix="wikigraph-demo-"))
    feeds: dict[str, bytes] = {}
    server = _feed_server(feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        base_url = f"http://{host}:{port}"
        entries = []
        for source in demo_sources():
            feeds[source["path"]] = build_feed(source["name"], base_url)
            entries.append(
                {
                    "name": source["name"],
                    "feed_url": base_url + source["path"],
                    "tier": source["tier"],
                    "domains": list(source["domains"]),
                    # The demo feeds live on loopback; real sources may not (see sources.yaml docs).
                    "allow_private": True,
                }
            )
        workspace = DemoWorkspace(root, root / "wiki_content", root / "data", base_url)
        if concepts is not None and concepts.is_dir():
            shutil.copytree(concepts, workspace.wiki_dir / "concepts", ignore=shutil.ignore_patterns(".*"))
        atomic_write_text(workspace.wiki_dir / "sources.yaml", yaml.safe_dump({"sources": entries}, sort_keys=False))
        yield workspace
    finally:
        server.shutdown()
        server.server_close()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
