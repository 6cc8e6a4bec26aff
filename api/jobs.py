"""Jobs the entry points run (CLI today, the API's background tasks later), wired from settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from api.progress import progress_reporter
from api.services import Services
from api.settings import Settings
from graph.sync import SyncReport, reindex, sync_vault
from ingest.fetch import Fetcher, make_http_client
from ingest.estimate import SummaryEstimate, estimate_summaries
from ingest.pipeline import IngestReport, refresh_sources, run_ingest, source_record
from ingest.refresh import RefreshPolicy, RefreshResult
from ingest.scheduler import SchedulePolicy, due_sources
from ingest.sources import Source, load_sources
from ingest.state import SourceStateStore
from ingest.summarize.base import Summarizer
from ingest.summarize.extractive import ExtractiveSummarizer
from ingest.summarize.llm import LLMSummarizer
from ingest.summarize.synthesis import LLMSynthesizer


@contextmanager
def open_services(settings: Settings) -> Iterator[Services]:
    services = Services.open(settings)
    try:
        yield services
    finally:
        services.close()


ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)


def ingest_once(services: Services, progress: ProgressCallback | None = None) -> IngestReport:
    """Fetch every source, summarise new posts and sync; `progress` defaults to a bar or log lines."""
    return _ingest(services, load_sources(services.vault.sources_file), datetime.now(timezone.utc), progress=progress)


def ingest_due(services: Services, now: datetime, policy: SchedulePolicy | None = None) -> IngestReport:
    """Like ingest_once, but fetch only the sources whose next check has come (the watch loop's job)."""
    sources = load_sources(services.vault.sources_file)
    policy = policy or SchedulePolicy.from_minutes(services.settings.fetch.poll_interval)
    due = due_sources(sources, SourceStateStore(services.settings.paths.data_dir), now, policy)
    return _ingest(services, sources, now, refresh=due) if due else IngestReport()


def _ingest(
    services: Services, sources: list[Source], now: datetime, refresh: list[Source] | None = None, progress: ProgressCallback | None = None
) -> IngestReport:
    settings = services.settings
    state = SourceStateStore(settings.paths.data_dir)
    reporter: AbstractContextManager = nullcontext(progress) if progress else progress_reporter()
    with http_client(settings) as client, reporter as progress:
        fetcher = Fetcher(client, user_agent=settings.fetch.user_agent)
        summarizer = make_summarizer(services)
        return run_ingest(
            sources, fetcher, state, services.projection, summarizer, now, progress, refresh=refresh,
            synthesizer=make_synthesizer(services), policy=refresh_policy(settings), workers=settings.fetch.fetch_workers,
        )


def http_client(settings: Settings) -> httpx.Client:
    """The one client of an ingest: guarded against private addresses at connect time, proxies ignored."""
    return make_http_client(httpx.Timeout(settings.fetch.fetch_timeout, connect=10.0))


def refresh_policy(settings: Settings) -> RefreshPolicy:
    return RefreshPolicy(
        failures_before_backoff=settings.fetch.failures_before_backoff,
        max_articles=settings.fetch.max_articles_per_refresh,
    )


def make_summarizer(services: Services) -> Summarizer:
    """The summarizer the settings ask for; an LLM one falls back to the extractive one."""
    extractive = ExtractiveSummarizer(services.embedder)
    settings = services.settings
    if settings.summarizer.summarizer != "llm":
        return extractive
    cache_dir = settings.paths.data_dir / "llm_cache"
    return LLMSummarizer.create(settings.summarizer.llm_config(), cache_dir, fallback=extractive)


def make_synthesizer(services: Services) -> LLMSynthesizer | None:
    """The writer of entity pages' synthesis paragraphs: the configured LLM, or None (no paragraph)."""
    settings = services.settings
    if settings.summarizer.summarizer != "llm":
        return None
    return LLMSynthesizer.create(settings.summarizer.llm_config(), settings.paths.data_dir / "llm_cache")


@dataclass
class DryRun:
    refreshed: list[RefreshResult]
    estimate: SummaryEstimate

    def lines(self) -> list[str]:
        fetched = [
            f"  {r.source_id}: " + (f"error: {r.error}" if r.error else f"{len(r.new)} new, {len(r.changed)} changed")
            for r in self.refreshed
        ]
        return fetched + ["dry run: no LLM asked, no note written"] + self.estimate.lines()


def dry_run_ingest(services: Services) -> DryRun:
    """Fetch every source (raw posts are kept, as an ingest would), then estimate the summaries
    without asking the LLM, writing notes or touching the graph and vectors."""
    settings = services.settings
    state = SourceStateStore(settings.paths.data_dir)
    now = datetime.now(timezone.utc)
    with http_client(settings) as client:
        fetcher = Fetcher(client, user_agent=settings.fetch.user_agent)
        refreshed = refresh_sources(
            load_sources(services.vault.sources_file), fetcher, state, services.vault, now, policy=refresh_policy(settings),
            workers=settings.fetch.fetch_workers,
        )
    return DryRun(refreshed, estimate_summaries(services.projection, make_summarizer(services)))


def reindex_all(services: Services) -> SyncReport:
    """Drop both projections and rebuild them from the files."""
    sources = load_sources(services.vault.sources_file) if services.vault.sources_file.exists() else []
    with progress_reporter() as progress:
        return reindex(
            services.vault, services.store, services.index, services.embedder, [source_record(s) for s in sources], progress
        )


def sync_all(services: Services) -> SyncReport:
    """Apply the vault's changes since the last sync to both projections."""
    sources = load_sources(services.vault.sources_file) if services.vault.sources_file.exists() else []
    with progress_reporter() as progress:
        return sync_vault(
            services.vault, services.store, services.index, services.embedder, [source_record(s) for s in sources], progress
        )
