"""Real services for API tests: a copy of a fixture wiki, the embedded graph, Qdrant local mode, the real model."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from api.jobs import sync_all
from api.services import Services
from api.settings import Settings
from tests.conftest import embed_config


def api_settings(root: Path, **overrides) -> Settings:
    return Settings(wiki_dir=root / "wiki", data_dir=root / "data", embed_model_path=embed_config().model_path, **overrides)


@contextmanager
def fixture_services(root: Path, wiki: Path, **overrides) -> Iterator[Services]:
    """Services over a copy of `wiki` (so nothing a test does touches the fixture), synced once."""
    shutil.copytree(wiki, root / "wiki")
    services = Services.open(api_settings(root, **overrides))
    try:
        report = sync_all(services)
        assert report.errors == [], report.errors
        yield services
    finally:
        services.close()


def asgi_client(app, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://wikigraph.test")


@contextmanager
def uvicorn_server(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yield its base URL; stop it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()
