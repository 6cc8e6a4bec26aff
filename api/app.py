"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api.errors import install_error_handlers
from api.job_runner import JobRegistry
from api.routes import concepts, entities, health, ingest, notes, resolve, search, sources, stats
from api.schemas import ErrorPublic
from api.services import Services
from api.settings import Settings
from api.web import routes as web

log = logging.getLogger("wikigraph.api")

DESCRIPTION = """\
Graph-aware search over a wiki of AI-research notes. Every endpoint is read-only except
`POST /ingest`, which needs the server's API key in the `X-API-Key` header.

- **Errors** always have one shape: `{"error": {"code", "message", "detail"?}}`.
- **Listings** (`/entities`, `/notes`) are paged with `page` (from 1) and `page_size` (at most 100),
  in a stable order: entities by name (case-insensitive), then type, then id; notes newest first, then by id.
  Each page says `count` (all matches), `page`, `page_size` and `pages`.
- **Limits**: `k` and `limit` at most 100, `max_hops` at most 3, a query at most 500 characters;
  ids must look like ids. A request outside them gets a 422 saying which parameter and why.
"""

ROUTERS = (health, search, entities, resolve, notes, concepts, sources, stats, ingest)
COMMON_ERRORS = {
    422: {"model": ErrorPublic, "description": "A parameter is missing, malformed or out of range"},
    500: {"model": ErrorPublic, "description": "Something failed on the server (no internals are shown)"},
}


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    background: Callable[[Services], AbstractContextManager] | None = None,
) -> FastAPI:
    """Build the app. With `services`, the caller owns them (and closes them); otherwise the app opens and closes its own.
    `background(services)` is entered while the app runs (e.g. the feed poller of `serve --watch`)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = services is None
        if owned:
            app.state.services = Services.open(settings)
            app.state.jobs = JobRegistry(app.state.services.ingest_lock)
            # Local mode's search mirror is read now (and the model run once): the first request need not wait for them.
            await asyncio.to_thread(app.state.services.index.warm)
            await asyncio.to_thread(app.state.services.embedder.embed_one, "warm-up")
            # What is loaded so far (models, the vector mirror: millions of objects) lives as long as the server: kept
            # out of the cyclic collector's full passes, which otherwise stall a request for up to a second at 10k notes.
            gc.freeze()
        try:
            with background(app.state.services) if background else nullcontext():
                yield
        finally:
            try:
                await _finish_jobs(app.state.jobs)
            finally:
                if owned:
                    app.state.services.close()

    app = FastAPI(
        title="wikigraph",
        version="0.1.0",
        summary="Graph-aware search over a wiki of AI-research notes",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=COMMON_ERRORS,
    )
    app.state.settings = settings
    if services is not None:
        app.state.services = services
        app.state.jobs = JobRegistry(services.ingest_lock)
    install_error_handlers(app)
    origins = settings.server.cors_origin_list()
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
            expose_headers=["Location"],
        )
    for module in ROUTERS:
        app.include_router(module.router)
    web.install(app)
    return app


async def _finish_jobs(jobs: JobRegistry) -> None:
    """Let a running ingest finish before the stores close under it (as `watch` finishes its pass)."""
    running = jobs.running()
    if running is not None:
        log.info("waiting for %s job %s to finish before stopping", running.kind, running.id)
        await run_in_threadpool(jobs.wait)
