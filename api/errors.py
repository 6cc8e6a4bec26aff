"""One JSON error shape for every failure: {"error": {"code", "message", "detail"?}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.job_runner import JobConflict
from graph.entities_md import InvalidEntityId
from graph.errors import GraphStoreError, GraphUnavailable, NoteFormatError, NoteNotFound, QueryInputError, VectorIndexError, WikigraphError
from graph.retrieval.errors import EntityNotFound
from ingest.sources import SourcesError
from ingest.state import SourceStateError

log = logging.getLogger(__name__)

_STATUS = {
    NoteNotFound: (404, "not_found"),
    EntityNotFound: (404, "not_found"),
    InvalidEntityId: (404, "not_found"),
    JobConflict: (409, "conflict"),
    SourcesError: (500, "bad_sources_file"),
    SourceStateError: (500, "bad_feed_state"),
    NoteFormatError: (422, "bad_page"),
    QueryInputError: (422, "invalid_request"),
    GraphUnavailable: (503, "graph_unavailable"),
    GraphStoreError: (500, "graph_error"),
    VectorIndexError: (503, "vectors_unavailable"),
}

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}


def error_body(code: str, message: str, detail: object | None = None) -> dict:
    body: dict = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return {"error": body}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WikigraphError)
    async def _domain_error(request: Request, exc: WikigraphError) -> JSONResponse:
        status, code = next(((s, c) for kind, (s, c) in _STATUS.items() if isinstance(exc, kind)), (500, "internal"))
        if status >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return JSONResponse(error_body(code, str(exc)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]} for error in exc.errors()
        ]
        summary = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return JSONResponse(error_body("invalid_request", summary, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the trace for operators; clients get no stack trace.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal server error"), status_code=500)
