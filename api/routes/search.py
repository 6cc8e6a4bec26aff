from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.schemas import SearchHitPublic, SearchPublic
from graph.retrieval import vector_search

router = APIRouter(tags=["search"])
MAX_QUERY_CHARS = 500


@router.get("/search", response_model=SearchPublic, summary="Search note chunks; results joined to graph nodes")
async def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Free-text query", examples=["reward hacking in RL"])],
    k: Annotated[int, Query(ge=1, le=100, description="Number of notes to return")] = 10,
) -> SearchPublic:
    hits = await run_in_threadpool(vector_search, services.store, services.index, services.embedder, q, k)
    data = [
        SearchHitPublic(
            id=hit.note_id,
            title=hit.node.get("title", hit.note_id),
            url=hit.node.get("url") or None,
            source=hit.node.get("source_name"),
            published=hit.node.get("published"),
            tier=hit.node.get("tier"),
            score=round(hit.score, 6),
            section=hit.section,
            snippet=hit.snippet,
            path=hit.node.get("path"),
            span=(hit.start, hit.end),
        )
        for hit in hits
    ]
    return SearchPublic(query=q, data=data, count=len(data))
