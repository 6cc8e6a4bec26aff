from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import JobsDep, ServicesDep
from api.job_runner import JobRegistry
from api.schemas_graph import LastIngestPublic, StatsPublic
from api.services import Services
from graph import read
from ingest.state import SourceStateStore

router = APIRouter(tags=["stats"])


def gather_stats(services: Services, jobs: JobRegistry) -> StatsPublic:
    graph = read.graph_stats(services.store)
    states = SourceStateStore(services.settings.paths.data_dir).all()
    fetches = [state.last_fetch for state in states if state.last_fetch]
    successes = [state.last_success for state in states if state.last_success]
    vectors = services.index.health()
    latest_job = jobs.latest()
    return StatsPublic(
        nodes=graph["nodes"],
        relationships=graph["relationships"],
        notes_by_tier={str(tier): count for tier, count in sorted(graph["notes_by_tier"].items())},
        notes_by_source={source: row["count"] for source, row in graph["notes_by_source"].items()},
        earliest_note=graph["earliest_note"],
        latest_note=graph["latest_note"],
        vector_points=vectors.get("points"),
        vector_entities=vectors.get("entities"),
        ingest=LastIngestPublic(
            last_fetch=max(fetches, default=None),
            last_success=max(successes, default=None),
            failing_sources=sorted(state.source_id for state in states if state.error_count),
            last_job=latest_job.id if latest_job else None,
        ),
    )


@router.get("/stats", response_model=StatsPublic, summary="What the graph and the index hold, and when sources were last fetched")
async def stats(services: ServicesDep, jobs: JobsDep) -> StatsPublic:
    return await run_in_threadpool(gather_stats, services, jobs)
