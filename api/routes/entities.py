from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import PageDep, ServicesDep
from api.routes.params import ENTITY_ID, MAX_NAME_CHARS
from api.schemas import ErrorPublic
from api.schemas_graph import EntitiesPublic, EntityPublic, EntitySummaryPublic, NeighbourGroupPublic
from api.schemas_search import AnchorPublic, ConnectedPublic, ResultPublic
from graph import read, schema
from graph.retrieval import connected as retrieval_connected

router = APIRouter(tags=["entities"])
NOT_FOUND = {404: {"model": ErrorPublic, "description": "No entity with this id (of this type)"}}
EntityType = Literal[schema.ENTITY_LABELS]  # type: ignore[valid-type]
TargetType = Literal[schema.LABELS]  # type: ignore[valid-type]
EntityIdPath = Annotated[str, Path(pattern=ENTITY_ID, description="Entity id (the page's file name without .md)",
                                   examples=["defense-trilemma"])]
TypeOfId = Annotated[EntityType | None, Query(alias="type", description="The entity's type, when its id is used by more than one")]


@router.get("/entities", response_model=EntitiesPublic, summary="Entities by name, filtered by type and text")
async def list_entities(
    services: ServicesDep,
    paging: PageDep,
    entity_type: Annotated[EntityType | None, Query(alias="type", description="Only entities of this type")] = None,
    q: Annotated[str | None, Query(max_length=MAX_NAME_CHARS, description="Text in the name, an alias or the id (any case)",
                                   examples=["trilemma"])] = None,
) -> EntitiesPublic:
    found = await run_in_threadpool(read.list_entities, services.store, entity_type, q, paging.page, paging.page_size)
    data = [EntitySummaryPublic(has_page=row["path"] is not None, **{k: v for k, v in row.items() if k != "path"}) for row in found.items]
    return EntitiesPublic(data=data, count=found.total, page=found.page, page_size=found.page_size, pages=found.pages)


def entity_public(detail: read.EntityDetail) -> EntityPublic:
    neighbours = {group.label: NeighbourGroupPublic(total=group.total, data=group.items) for group in detail.neighbours}
    return EntityPublic(
        type=detail.type, id=detail.id, name=detail.name, aliases=detail.aliases, external_ids=detail.external_ids,
        metrics=detail.metrics, properties=detail.properties, page_path=detail.page_path, markdown=detail.markdown,
        neighbours=neighbours,
    )


@router.get("/entities/{entity_id}", response_model=EntityPublic, responses=NOT_FOUND,
            summary="One entity: its page (Markdown), aliases, external ids, metrics and neighbours by type")
async def get_entity(
    services: ServicesDep,
    entity_id: EntityIdPath,
    entity_type: TypeOfId = None,
    neighbours: Annotated[int, Query(ge=1, le=100, description="At most this many neighbours of each type")] = 25,
) -> EntityPublic:
    detail = await run_in_threadpool(read.entity_detail, services.store, services.vault, entity_id, entity_type, neighbours)
    return entity_public(detail)


@router.get("/entities/{entity_id}/connected", response_model=ConnectedPublic, responses=NOT_FOUND,
            summary="Nodes of a type within a few hops of the entity, closest first, with paths and evidence")
async def connected(
    services: ServicesDep,
    entity_id: EntityIdPath,
    target: Annotated[TargetType, Query(alias="type", description="The type of the results")] = "Paper",
    max_hops: Annotated[int, Query(ge=1, le=3, description="How far from the entity to look (at most 3 hops)")] = 3,
    limit: Annotated[int, Query(ge=1, le=100, description="How many results")] = 10,
    entity_type: Annotated[EntityType | None, Query(description="The entity's type, when its id is used by more than one")] = None,
) -> ConnectedPublic:
    label, node = await run_in_threadpool(read.find_entity, services.store, entity_id, entity_type)
    results = await run_in_threadpool(retrieval_connected, services.retrieval, entity_id, label, target, max_hops, limit)
    data = [ResultPublic.model_validate(result) for result in results]
    anchor = AnchorPublic(id=entity_id, type=label, name=node.get("name") or entity_id)
    return ConnectedPublic(entity=anchor, type=target, max_hops=max_hops, data=data, count=len(data))
