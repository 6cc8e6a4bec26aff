"""Shared request dependencies: the services, pagination, the API key, the job registry."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader

from api.job_runner import JobRegistry
from api.services import Services
from graph.read import MAX_PAGE_SIZE

MAX_PAGE = 10_000


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_jobs(request: Request) -> JobRegistry:
    return request.app.state.jobs


ServicesDep = Annotated[Services, Depends(get_services)]
JobsDep = Annotated[JobRegistry, Depends(get_jobs)]


@dataclass(frozen=True)
class PageParams:
    page: int
    page_size: int


def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1", examples=[1])] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})", examples=[20])] = 20,
) -> PageParams:
    return PageParams(page, page_size)


PageDep = Annotated[PageParams, Depends(page_params)]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The server's WIKIGRAPH_API_KEY")


def require_api_key(request: Request, given: Annotated[str | None, Security(_api_key_header)]) -> None:
    """Write endpoints: refused (403) when the server has no key, 401 without the right one."""
    configured = request.app.state.settings.server.api_key
    if configured is None:
        raise HTTPException(
            403,
            "this endpoint is disabled: the server has no API key. Set WIKIGRAPH_API_KEY (16 characters or more) "
            "where the server runs, restart it, and send the key in the X-API-Key header",
        )
    if not given:
        raise HTTPException(401, "missing API key: send it in the X-API-Key header", headers={"WWW-Authenticate": "X-API-Key"})
    # Constant time, so the answer's timing says nothing about how much of a guess was right.
    if not hmac.compare_digest(given.encode("utf-8"), configured.get_secret_value().encode("utf-8")):
        raise HTTPException(401, "wrong API key", headers={"WWW-Authenticate": "X-API-Key"})


ApiKeyDep = Depends(require_api_key)
