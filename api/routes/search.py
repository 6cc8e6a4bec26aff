from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.routes.params import ALL_TYPES_TEXT, MAX_QUERY_CHARS, node_types, tiers
from api.schemas_search import InterpretationPublic, ResultPublic, SearchPublic
from graph.retrieval import search as retrieval_search

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    response_model=SearchPublic,
    summary="Notes and entities for a question, ranked by text and graph",
    description=(
        "Reads the query for the entities it names (resolved by alias, fuzzy match and embedding; shown in "
        "`interpretation`) and for a shape: \"papers connected to X\", \"timeline of X\", \"what did S say about X\", "
        "\"papers since 2026-03-01\"; anything else is free text. Each result carries its score parts, the graph "
        "paths that connect it and the evidence text it rests on (file and character span). Explicit filters win "
        "over those read from the query."
    ),
)
async def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The question",
                            examples=["papers connected to the Defense Trilemma", "how do refusal stacks hold up against red teams"])],
    k: Annotated[int, Query(ge=1, le=100, description="How many results")] = 10,
    types: Annotated[list[str] | None, Query(description=f"Only these types (repeat or comma-separate): {ALL_TYPES_TEXT}",
                                             examples=[["Paper", "Note"]])] = None,
    since: Annotated[date | None, Query(description="Only items dated on or after this day", examples=["2026-03-01"])] = None,
    until: Annotated[date | None, Query(description="Only items dated on or before this day")] = None,
    tier: Annotated[list[str] | None, Query(description="Only notes from sources of these tiers (repeat or comma-separate)",
                                            examples=[["1", "2"]])] = None,
    mode: Annotated[Literal["hybrid", "vector", "graph"], Query(description="hybrid: text and graph; vector: dense text only; "
                                                                          "graph: graph proximity only")] = "hybrid",
) -> SearchPublic:
    response = await run_in_threadpool(
        retrieval_search, services.retrieval, q, k, node_types(types), since, until, tiers(tier), mode
    )
    data = [ResultPublic.model_validate(result) for result in response.results]
    return SearchPublic(
        query=response.query,
        mode=response.mode,
        interpretation=InterpretationPublic.model_validate(response.interpretation),
        data=data,
        count=len(data),
        timings_ms=response.timings_ms,
    )
