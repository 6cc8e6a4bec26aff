"""Response models of /search, /entities/{id}/connected and /resolve (read from graph.retrieval's results)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api import examples


class _FromResults(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PathNodePublic(_FromResults):
    id: str
    type: str
    title: str


class PathEdgePublic(_FromResults):
    type: str = Field(description="Relationship type: MENTIONS, CONNECTS_TO, ABOUT, …")
    direction: str = Field(description='"out": points from the node before it to the node after it; "in": back')
    properties: dict[str, Any] = Field(description="The relationship's properties (salience, reason, weight…)")


class PathPublic(_FromResults):
    nodes: list[PathNodePublic] = Field(description="From an entity the query named (or a best text match) to the result")
    edges: list[PathEdgePublic] = Field(description="edges[i] joins nodes[i] and nodes[i+1]")
    strength: float = Field(description="Product of the walk's step probabilities along the path; higher is closer")


class EvidencePublic(_FromResults):
    text: str = Field(description="Quoted exactly: the file's text from start to end")
    path: str = Field(description="File, relative to the vault")
    start: int = Field(description="Character offset in the file")
    end: int
    note_id: str
    section: str
    kind: str = Field(description='"section" of a summary note, or "raw" post paragraph')
    score: float


class ScorePartsPublic(_FromResults):
    text: float = Field(description="Dense + BM25 text match, fused by reciprocal rank, in [0, 1]")
    graph: float = Field(description="Personalised PageRank around the resolved entities, in [0, 1]")
    tier: float = Field(description="Tier prior of the result's source, in [0, 1]")
    recency: float = Field(description="Recency prior, in [0, 1]")


class ResultPublic(_FromResults):
    id: str
    type: str = Field(description="Note, Paper, Concept, PolicyEvent, Organization, Person or Model")
    title: str
    url: str | None = Field(description="Notes: the original post; papers: arXiv or DOI when known")
    score: float = Field(description="The parts weighted by the ranking configuration")
    parts: ScorePartsPublic
    paths: list[PathPublic]
    evidence: list[EvidencePublic]
    date: str | None = Field(description="ISO day: a note's publication, an entity's own date or when the wiki first saw it")
    source: str | None = Field(description="Notes: the id of their source")
    source_name: str | None = Field(None, description="Notes: their source's name")
    tier: int | None


class ResolutionPublic(_FromResults):
    surface: str = Field(description="The words of the query (or the name given) that were matched")
    id: str
    type: str
    name: str
    method: str = Field(description='"id", "alias" (exact name or alias), "fuzzy" or "embedding"')
    score: float = Field(description="1.0 for an exact match; the fuzzy ratio / 100 or the cosine otherwise")


class InterpretationPublic(_FromResults):
    shape: str = Field(description="free, connected, timeline, said_about or since")
    target_types: list[str]
    entity_text: str | None
    speaker_text: str | None
    since: date | None
    until: date | None
    resolutions: list[ResolutionPublic] = Field(description="The entities the query names, as resolved in the graph")
    speaker: ResolutionPublic | None


class SearchPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SEARCH]})

    query: str
    mode: str
    interpretation: InterpretationPublic
    data: list[ResultPublic] = Field(description="Best first")
    count: int
    timings_ms: dict[str, float]


class AnchorPublic(BaseModel):
    id: str
    type: str
    name: str


class ConnectedPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CONNECTED]})

    entity: AnchorPublic
    type: str = Field(description="The type of the results")
    max_hops: int
    data: list[ResultPublic] = Field(description="Closest in the graph first, each with its paths from the entity")
    count: int


class ResolvePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.RESOLVE]})

    name: str
    data: list[ResolutionPublic] = Field(description="The entities the name may mean, best first")
    count: int
