from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.routes.params import MAX_NAME_CHARS
from api.schemas_search import ResolutionPublic, ResolvePublic
from graph.retrieval import resolve as retrieval_resolve

router = APIRouter(tags=["entities"])


@router.get("/resolve", response_model=ResolvePublic,
            summary="The entities a name may mean: by id, exact name or alias, fuzzy match, embedding")
async def resolve(
    services: ServicesDep,
    name: Annotated[str, Query(min_length=1, max_length=MAX_NAME_CHARS, description="A name as a person might write it",
                               examples=["defence trilema", "AdaptBench"])],
) -> ResolvePublic:
    found = await run_in_threadpool(retrieval_resolve, services.retrieval, name)
    data = [ResolutionPublic.model_validate(resolution) for resolution in found]
    return ResolvePublic(name=name, data=data, count=len(data))
