"""Background jobs of the API process (an ingest started by POST /ingest), one at a time.

The embedded graph and Qdrant local mode belong to one process, so an ingest asked for over HTTP
runs here, in a worker thread, on the services the API already holds. The `exclusive` lock is
shared with the `serve --watch` poller: whoever holds it is the only one ingesting. A job's
state is kept in memory (the last `keep` jobs): a restart forgets them, the vault and the
feed state on disk say what was done.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from graph.errors import WikigraphError

log = logging.getLogger("wikigraph.jobs")

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Work = Callable[[Progress], dict[str, Any]]  # does the job, returns its summary


class JobConflict(WikigraphError):
    """Another ingest holds the lock: a job of ours or the feed poller's pass."""

    def __init__(self, message: str, running: str | None = None) -> None:
        super().__init__(message)
        self.running = running


@dataclass(frozen=True)
class StageProgress:
    done: int
    total: int


@dataclass(frozen=True)
class Job:
    """A snapshot of one job; `status` is queued, running, succeeded or failed."""

    id: str
    kind: str
    status: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stage: str | None = None
    progress: dict[str, StageProgress] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None


class JobRegistry:
    def __init__(self, exclusive: threading.Lock, keep: int = 100) -> None:
        self._exclusive = exclusive
        self._keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._threads: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()  # guards _jobs and _threads

    def submit(self, kind: str, work: Work) -> Job:
        """Start `work` in a worker thread and return its job, or raise JobConflict if an ingest is running."""
        if not self._exclusive.acquire(blocking=False):
            raise self._conflict(kind)
        try:
            job = Job(id=uuid.uuid4().hex, kind=kind, status="queued", created_at=_now())
            thread = threading.Thread(target=self._run, args=(job.id, work), name=f"wikigraph-{kind}-{job.id[:8]}", daemon=True)
            with self._guard:
                self._jobs[job.id] = job
                self._threads[job.id] = thread
                self._forget_old()
            thread.start()
        except BaseException:
            self._exclusive.release()
            raise
        return job

    def get(self, job_id: str) -> Job | None:
        with self._guard:
            return self._jobs.get(job_id)

    def running(self) -> Job | None:
        with self._guard:
            return next((job for job in reversed(self._jobs.values()) if job.status in ("queued", "running")), None)

    def latest(self) -> Job | None:
        with self._guard:
            return next(reversed(self._jobs.values()), None)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for every job thread to end; False if one is still running after `timeout` seconds."""
        with self._guard:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in threads)

    # --- the worker thread ------------------------------------------------------------------

    def _run(self, job_id: str, work: Work) -> None:
        outcome: dict[str, Any] = {"status": "failed", "error": "interrupted before it finished"}
        try:
            self._update(job_id, status="running", started_at=_now())
            result = work(lambda stage, done, total: self._progress(job_id, stage, done, total))
            outcome = {"status": "succeeded", "result": result}
        except WikigraphError as exc:  # a failure we named: its message is meant for people
            log.error("job %s failed: %s", job_id, exc)
            outcome = {"status": "failed", "error": str(exc)}
        except Exception as exc:
            log.exception("job %s failed", job_id)
            outcome = {"status": "failed", "error": f"internal error ({type(exc).__name__}); the server log has the details"}
        finally:
            self._update(job_id, finished_at=_now(), **outcome)
            with self._guard:
                self._threads.pop(job_id, None)
            self._exclusive.release()

    def _progress(self, job_id: str, stage: str, done: int, total: int) -> None:
        with self._guard:
            job = self._jobs[job_id]
            self._jobs[job_id] = replace(job, stage=stage, progress={**job.progress, stage: StageProgress(done, total)})

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._guard:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _forget_old(self) -> None:
        finished = [key for key, job in self._jobs.items() if job.status in ("succeeded", "failed")]
        for key in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[key]

    def _conflict(self, kind: str) -> JobConflict:
        running = self.running()
        if running is not None:
            return JobConflict(
                f"an {running.kind} is already running (job {running.id}); follow it at GET /jobs/{running.id}", running.id
            )
        return JobConflict(f"an {kind} is already running (the feed poller's scheduled pass); try again when it ends")


def _now() -> datetime:
    return datetime.now(timezone.utc)
