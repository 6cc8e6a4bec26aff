from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.schemas_graph import FetchStatePublic, SourcePublic, SourcesPublic
from api.services import Services
from graph import read
from ingest.scheduler import SchedulePolicy, next_due
from ingest.sources import load_sources
from ingest.state import SourceStateStore

router = APIRouter(tags=["sources"])


def source_rows(services: Services, now: datetime) -> list[SourcePublic]:
    """Each configured source with its notes in the graph and its fetch state (as `wikigraph sources list`)."""
    sources_file = services.vault.sources_file
    sources = load_sources(sources_file) if sources_file.exists() else []
    states = SourceStateStore(services.settings.paths.data_dir)
    policy = SchedulePolicy.from_minutes(services.settings.fetch.poll_interval)
    notes = read.notes_by_source(services.store)
    rows = []
    for source in sources:
        state = states.get(source.id)
        interval = policy.interval(source)
        summary = state.summary(now, interval)
        due = next_due(source, state, policy)  # the poller's own schedule, jitter included
        fetch = FetchStatePublic(
            status=summary.status, last_fetch=summary.last_fetch, last_success=summary.last_success,
            error_count=summary.error_count, last_error=summary.last_error, warning=summary.warning,
            next_check=due if due is not None and due > now else None, moved_to=summary.moved_to,
        )
        counted = notes.get(source.id, {})
        rows.append(SourcePublic(
            id=source.id, name=source.name, feed_url=source.feed_url, url=source.url, tier=source.tier,
            domains=list(source.domains), poll_interval_minutes=int(interval.total_seconds() // 60),
            notes=counted.get("count", 0), latest_note=counted.get("latest"), fetch=fetch,
        ))
    return rows


@router.get("/sources", response_model=SourcesPublic, summary="Configured sources with their notes and fetch state")
async def list_sources(services: ServicesDep) -> SourcesPublic:
    rows = await run_in_threadpool(source_rows, services, datetime.now(timezone.utc))
    return SourcesPublic(data=rows, count=len(rows))
