"""`wikigraph watch` and `serve --watch`: poll the sources on their intervals in the process that holds the stores.

The embedded graph and Qdrant local mode allow one process per data directory, so the poller never runs beside an
API in another process: `serve --watch` runs it as a background thread of the API, `watch` on its own.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from api.jobs import ingest_due, open_services
from api.services import Services
from api.settings import Settings
from graph.vault import Vault
from ingest.pipeline import IngestReport
from ingest.scheduler import SchedulePolicy, Scheduler
from ingest.sources import load_sources
from ingest.state import SourceStateStore

log = logging.getLogger("wikigraph.watch")


def scheduler_for(services: Services, policy: SchedulePolicy | None = None) -> Scheduler:
    """A scheduler over the services' sources; use it as a context manager to run it in a worker thread."""
    settings = services.settings
    policy = policy or SchedulePolicy.from_minutes(settings.fetch.poll_interval)

    def job(now) -> None:
        with services.ingest_lock:  # an ingest started through POST /ingest finishes first
            _log_pass(ingest_due(services, now, policy))

    return Scheduler(
        job=job,
        load_sources=lambda: load_sources(services.vault.sources_file),
        states=SourceStateStore(settings.paths.data_dir),
        policy=policy,
    )


def _log_pass(report: IngestReport) -> None:
    new = sum(len(result.new) + len(result.changed) for result in report.refreshed)
    failed = ", ".join(f"{source} ({error})" for source, error in report.errors.items())
    log.info(
        "checked %d sources: %d new or changed posts, %d notes written%s",
        len(report.refreshed), new, len(report.notes_written), f"; failing: {failed}" if failed else "",
    )


def watch() -> None:
    """Poll every source on its interval (with jitter) until interrupted; Ctrl-C finishes the pass in progress."""
    from api.cli import _setup_logging

    _setup_logging()
    settings = Settings()
    # A broken sources.yaml stops us here, with its line number, rather than failing every pass of the loop.
    load_sources(Vault(settings.paths.wiki_dir).sources_file)
    signal.signal(signal.SIGTERM, _terminate)
    with open_services(settings) as services, scheduler_for(services) as scheduler:
        try:
            while not scheduler.wait(1.0):
                pass
        except KeyboardInterrupt:
            log.info("stopping: finishing the pass in progress")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C: stores closed, server shut down
