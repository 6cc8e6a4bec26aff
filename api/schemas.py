"""Response models (separate from the domain objects so the API can evolve on its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


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


class SearchHitPublic(BaseModel):
    id: str
    type: str = "Note"
    title: str
    url: str | None
    source: str | None
    published: str | None
    tier: int | None
    score: float
    section: str
    snippet: str
    path: str | None
    span: tuple[int, int]


class SearchPublic(BaseModel):
    query: str
    data: list[SearchHitPublic]
    count: int


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
