"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import health, notes, search
from api.services import Services
from api.settings import Settings


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
        try:
            with background(app.state.services) if background else nullcontext():
                yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="wikigraph",
        version="0.1.0",
        summary="Graph-aware search over a wiki of AI-research notes",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
    install_error_handlers(app)
    for router in (health.router, search.router, notes.router):
        app.include_router(router)
    return app
