"""The web pages: home, notes, entity pages, search, sources. HTML only; the JSON API lives in api/routes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.routes.params import MAX_QUERY_CHARS
from api.web import pages
from graph.entities_md import InvalidEntityId
from graph.errors import NoteNotFound
from graph.retrieval.errors import EntityNotFound

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html
router = APIRouter(include_in_schema=False)

# No inline script or style anywhere: everything comes from /static, so the policy can forbid the rest.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
NOT_FOUND = (NoteNotFound, EntityNotFound, InvalidEntityId)


def _page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status_code, headers=SECURITY_HEADERS)


async def _node(request: Request, load, *args) -> HTMLResponse:
    try:
        page = await run_in_threadpool(load, *args)
    except NOT_FOUND as missing:
        return _page(request, "missing.html", 404, message=str(missing))
    return _page(request, "node.html", page=page)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, services: ServicesDep) -> HTMLResponse:
    context = await run_in_threadpool(pages.home, services, date.today())
    return _page(request, "home.html", **context)


@router.get("/wiki/notes/{note_id}", response_class=HTMLResponse)
async def note(request: Request, services: ServicesDep, note_id: str) -> HTMLResponse:
    return await _node(request, pages.note_page, services, note_id)


@router.get("/wiki/search", response_class=HTMLResponse)
async def search(request: Request, services: ServicesDep,
                 q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "") -> HTMLResponse:
    context = await run_in_threadpool(pages.search_page, services, q)
    return _page(request, "search.html", **context)


@router.get("/wiki/sources", response_class=HTMLResponse)
async def sources(request: Request, services: ServicesDep) -> HTMLResponse:
    context = await run_in_threadpool(pages.sources_page, services)
    return _page(request, "sources.html", **context)


@router.get("/wiki/{folder}/{entity_id}", response_class=HTMLResponse)
async def entity(request: Request, services: ServicesDep, folder: str, entity_id: str) -> HTMLResponse:
    return await _node(request, pages.entity_page, services, folder, entity_id)


def install(app: FastAPI) -> None:
    """Add the web pages and their static files to the app."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
