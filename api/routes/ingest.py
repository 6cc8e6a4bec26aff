from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ApiKeyDep, JobsDep, ServicesDep
from api.job_runner import Job, Progress
from api.jobs import ingest_once
from api.routes.params import JOB_ID
from api.schemas import ErrorPublic
from api.schemas_graph import JobPublic
from ingest.pipeline import IngestReport

router = APIRouter(tags=["ingest"])
LISTED = 50  # ids listed per kind in a job's result; the counts are always complete


def report_summary(report: IngestReport) -> dict[str, Any]:
    sync = report.sync
    return {
        "sources_checked": len(report.refreshed),
        "new_posts": sum(len(result.new) for result in report.refreshed),
        "changed_posts": sum(len(result.changed) for result in report.refreshed),
        "not_modified": sorted(result.source_id for result in report.refreshed if result.not_modified),
        "source_errors": dict(sorted(report.errors.items())),
        "notes_written": len(report.notes_written),
        "notes_written_ids": report.notes_written[:LISTED],
        "notes_failed": dict(list(report.notes_failed.items())[:LISTED]),
        "synced_notes": len(sync.upserted) if sync else 0,
        "deleted_notes": len(sync.deleted) if sync else 0,
        "synced_entities": len(sync.entities_upserted) if sync else 0,
        "unreadable_pages": (sync.errors[:LISTED] if sync else []),
        "wrote_anything": report.wrote_anything,
    }


def job_public(job: Job) -> JobPublic:
    return JobPublic(**asdict(job))


@router.post(
    "/ingest",
    response_model=JobPublic,
    status_code=202,
    dependencies=[ApiKeyDep],
    responses={
        401: {"model": ErrorPublic, "description": "No X-API-Key header, or the wrong key"},
        403: {"model": ErrorPublic, "description": "The server has no API key configured, so writes are disabled"},
        409: {"model": ErrorPublic, "description": "An ingest is already running"},
    },
    summary="Fetch every source, summarise new posts and sync, in the background; follow it at GET /jobs/{id}",
)
async def start_ingest(services: ServicesDep, jobs: JobsDep, response: Response) -> JobPublic:
    def work(progress: Progress) -> dict[str, Any]:
        return report_summary(ingest_once(services, progress))

    job = await run_in_threadpool(jobs.submit, "ingest", work)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_public(job)


@router.get("/jobs/{job_id}", response_model=JobPublic, responses={404: {"model": ErrorPublic}},
            summary="A background job's status, progress, result summary or error")
async def get_job(jobs: JobsDep, job_id: Annotated[str, Path(pattern=JOB_ID, description="The id POST /ingest returned")]) -> JobPublic:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job with id {job_id!r} (jobs are kept in memory: a restarted server forgets them)")
    return job_public(job)
