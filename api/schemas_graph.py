"""Response models of /entities, /concepts, /sources, /stats and the ingest jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api import examples


class EntitySummaryPublic(BaseModel):
    type: str
    id: str
    name: str
    aliases: list[str]
    has_page: bool = Field(description="False for an entity only notes mention, with no page in the vault yet")
    mention_count: int | None
    degree: int | None
    pagerank: float | None
    first_seen: str | None
    last_seen: str | None


class EntitiesPublic(BaseModel):
    """A page of entities, by name (case-insensitive), then type, then id."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTITIES]})

    data: list[EntitySummaryPublic]
    count: int = Field(description="Entities matching the filters, over all pages")
    page: int
    page_size: int
    pages: int


class RelationshipPublic(BaseModel):
    type: str
    direction: str = Field(description='"out": from this entity to the neighbour; "in": from the neighbour to it')
    salience: float | None = None
    weight: float | None = None
    reason: str | None = None


class NeighbourPublic(BaseModel):
    id: str
    title: str
    date: str | None
    relationships: list[RelationshipPublic]


class NeighbourGroupPublic(BaseModel):
    total: int = Field(description="How many neighbours of this type there are")
    data: list[NeighbourPublic] = Field(description="The strongest ties first (salience or weight, then pagerank)")


class EntityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTITY]})

    type: str
    id: str
    name: str
    aliases: list[str]
    external_ids: dict[str, str] = Field(description="arxiv, doi, … as the page declares them")
    metrics: dict[str, Any] = Field(description="mention_count, degree, pagerank, community, first_seen, last_seen")
    properties: dict[str, Any] = Field(description="Other facts from the page's front matter (published, kind, jurisdiction…)")
    page_path: str | None = Field(description="The entity's page, relative to the vault; null when it has none yet")
    markdown: str | None = Field(description="The whole page (front matter and body) when it exists")
    neighbours: dict[str, NeighbourGroupPublic] = Field(description="Neighbours by their type")


class FetchStatePublic(BaseModel):
    status: str = Field(description="new (never fetched), ok, warning, failing or backing off")
    last_fetch: datetime | None
    last_success: datetime | None
    error_count: int = Field(description="Failures in a row")
    last_error: str | None
    warning: str | None
    next_check: datetime | None = Field(description="When the poller checks it next; null: at its next pass")
    moved_to: str | None = Field(description="Where the feed permanently moved, if it did")


class SourcePublic(BaseModel):
    id: str
    name: str
    feed_url: str
    url: str | None
    tier: int
    domains: list[str]
    poll_interval_minutes: int
    notes: int = Field(description="Notes of this source in the graph")
    latest_note: str | None
    fetch: FetchStatePublic


class SourcesPublic(BaseModel):
    """Every configured source, in sources.yaml order."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SOURCES]})

    data: list[SourcePublic]
    count: int


class LastIngestPublic(BaseModel):
    last_fetch: datetime | None = Field(description="The latest fetch of any source (by any process)")
    last_success: datetime | None
    failing_sources: list[str]
    last_job: str | None = Field(description="Id of the latest POST /ingest job of this server process")


class StatsPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.STATS]})

    nodes: dict[str, int] = Field(description="Nodes by label")
    relationships: dict[str, int] = Field(description="Relationships by type")
    notes_by_tier: dict[str, int]
    notes_by_source: dict[str, int]
    earliest_note: str | None
    latest_note: str | None
    vector_points: int | None = Field(description="Note chunks in the vector index")
    vector_entities: int | None
    ingest: LastIngestPublic


class JobPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.JOB]})

    id: str
    kind: str
    status: str = Field(description="queued, running, succeeded or failed")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stage: str | None = Field(description="The stage in progress or last reported: fetch, summarise, sync")
    progress: dict[str, dict[str, int]] = Field(description="Per stage: {done, total}")
    result: dict[str, Any] | None = Field(description="What the ingest did, once it succeeded")
    error: str | None = Field(description="Why it failed")
