from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.routes.entities import NOT_FOUND, entity_public
from api.routes.params import ENTITY_ID
from api.schemas_graph import EntityPublic
from graph import read

router = APIRouter(tags=["entities"])


@router.get("/concepts/{concept_id}", response_model=EntityPublic, responses=NOT_FOUND,
            summary="One concept: its page as JSON and Markdown (when it has one), related concepts, papers and notes")
async def get_concept(
    services: ServicesDep,
    concept_id: Annotated[str, Path(pattern=ENTITY_ID, description="Concept id", examples=["defense-trilemma"])],
    neighbours: Annotated[int, Query(ge=1, le=100, description="At most this many neighbours of each type")] = 25,
) -> EntityPublic:
    detail = await run_in_threadpool(read.entity_detail, services.store, services.vault, concept_id, "Concept", neighbours)
    return entity_public(detail)
