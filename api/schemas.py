"""Response models (separate from the domain objects so the API can evolve on its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BackendHealth(BaseModel):
    backend: str
    state: str
    details: dict[str, Any] = Field(default_factory=dict)


class HealthPublic(BaseModel):
    status: str = Field(description='"ok" when both stores answer, else "degraded"')
    graph: BackendHealth
    vectors: BackendHealth
    embedding_model: str
    wiki_dir: str
    retrieval_snapshot: dict = Field(
        default_factory=dict,
        description='the in-memory copy of the graph searches read: state "ready", or "loading" (searches read the graph '
        "meanwhile, slower), with its node and relationship counts and how long its last load took",
    )


class ConnectionPublic(BaseModel):
    target: str
    label: str | None
    date: date | None
    reason: str


class NotePublic(BaseModel):
    id: str
    title: str
    url: str | None
    source: str
    published: date
    tier: int
    domain: str
    topics: list[str]
    raw: str
    summarizer: str
    tldr: str
    why_it_matters: str
    connections: list[ConnectionPublic]
    research_angle: list[str]
    open_questions: list[str]
    markdown: str


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code: not_found, invalid_request, unauthorized, forbidden, conflict, internal, …")
    message: str = Field(description="What went wrong, for a person")
    detail: Any | None = Field(None, description="Structured detail when there is any (e.g. each invalid parameter)")


class ErrorPublic(BaseModel):
    """Every error the API answers with has this shape."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"error": {"code": "invalid_request", "message": "query.k: Input should be less than or equal to 100",
                                                    "detail": [{"where": "query.k", "problem": "Input should be less than or equal to 100"}]}}]}
    )

    error: ErrorBody


class NoteSummaryPublic(BaseModel):
    id: str
    title: str
    url: str | None
    published: str
    tier: int | None
    domain: str | None
    topics: list[str]
    author: str | None
    tldr: str | None
    path: str | None = Field(description="The note's file, relative to the vault")
    source: str = Field(description="Id of the source that published it")
    source_name: str | None


class NotesPublic(BaseModel):
    """A page of notes, newest first (then by id)."""

    data: list[NoteSummaryPublic]
    count: int = Field(description="Notes matching the filters, over all pages")
    page: int
    page_size: int
    pages: int
