"""What retrieval returns: plain frozen objects, `asdict`-able, no HTTP types."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

SHAPES = ("free", "connected", "timeline", "said_about", "since")
MODES = ("hybrid", "vector", "graph")


@dataclass(frozen=True)
class PathNode:
    id: str
    type: str
    title: str


@dataclass(frozen=True)
class PathEdge:
    """One relationship of a path. `direction` is "out" when it points from the path node before it
    to the node after it, "in" when it points back; `properties` are the relationship's (reason, salience…)."""

    type: str
    direction: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultPath:
    """From an entity the query named (or a best text match) to the result: nodes[0] … nodes[-1]."""

    nodes: tuple[PathNode, ...]
    edges: tuple[PathEdge, ...]
    strength: float  # product of the step probabilities of the walk along it; higher is closer


@dataclass(frozen=True)
class Evidence:
    """Text a result rests on: `open(path).read()[start:end] == text` (path relative to the vault)."""

    text: str
    path: str
    start: int
    end: int
    note_id: str
    section: str
    kind: str  # "section" of a note, or "raw" post paragraph
    score: float


@dataclass(frozen=True)
class ScoreParts:
    """Each part in [0, 1]; `Result.score` is their sum weighted by `RetrievalConfig`."""

    text: float
    graph: float
    tier: float
    recency: float


@dataclass(frozen=True)
class Result:
    id: str
    type: str  # graph label: Note, Paper, Concept, …
    title: str
    url: str | None
    score: float
    parts: ScoreParts
    paths: tuple[ResultPath, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    date: str | None = None  # ISO day: a note's publication, an entity's own date or when the wiki first saw it
    source: str | None = None  # notes: the source's id
    tier: int | None = None
    source_name: str | None = None  # notes: the source as the note names it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Resolution:
    """How text in the query was matched to a graph node."""

    surface: str  # the words of the query (or the name given)
    id: str
    type: str
    name: str
    method: str  # "id", "alias" (exact name or alias), "fuzzy", "embedding"
    score: float  # 1.0 for exact; the fuzzy ratio / 100 or the cosine otherwise


@dataclass(frozen=True)
class Interpretation:
    """What the query was read as. `shape` is one of SHAPES; `resolutions` the entities it names."""

    shape: str
    target_types: tuple[str, ...] = ()
    entity_text: str | None = None
    speaker_text: str | None = None
    since: date | None = None
    until: date | None = None
    resolutions: tuple[Resolution, ...] = ()
    speaker: Resolution | None = None


@dataclass(frozen=True)
class SearchResponse:
    query: str
    mode: str
    interpretation: Interpretation
    results: tuple[Result, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
