from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.schemas import BackendHealth, HealthPublic

router = APIRouter(tags=["health"])


def _backend(report: dict) -> BackendHealth:
    details = {key: value for key, value in report.items() if key not in ("backend", "state")}
    return BackendHealth(backend=report["backend"], state=report["state"], details=details)


@router.get("/health", response_model=HealthPublic, summary="Graph and vector backends and their state")
async def health(services: ServicesDep) -> HealthPublic:
    graph = await run_in_threadpool(services.store.health)
    vectors = await run_in_threadpool(services.index.health)
    snapshot = await run_in_threadpool(lambda: services.retrieval.snapshots.status())
    status = "ok" if graph["state"] == "ok" and vectors["state"] == "ok" else "degraded"
    return HealthPublic(
        status=status,
        graph=_backend(graph),
        vectors=_backend(vectors),
        embedding_model=services.embedder.name,
        wiki_dir=str(services.vault.root),
        retrieval_snapshot=snapshot,
    )
