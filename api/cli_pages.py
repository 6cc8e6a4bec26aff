"""`wikigraph pages`: regenerate the generated blocks of entity pages, the index, the log and the digests,
then sync, so the graph and the vector index see the pages rewritten."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import typer

from api.settings import Settings


def pages(
    force: Annotated[bool, typer.Option("--force", help="Rewrite every generated block, even when its inputs are unchanged.")] = False,
) -> None:
    """Regenerate concept, paper, policy and organisation pages (between their markers), index.md and the digests."""
    from api.jobs import make_synthesizer, open_services, sync_all
    from graph.wiki_index import refresh_wiki
    from ingest.pipeline import NOT_QUESTIONS

    settings = Settings()
    with open_services(settings) as services:
        synthesizer = make_synthesizer(services)
        report = refresh_wiki(
            services.vault, services.store, datetime.now(timezone.utc).date(), force=force, not_questions=NOT_QUESTIONS, synthesizer=synthesizer
        )
        synced = sync_all(services) if report.pages.written else None
    typer.echo(
        f"pages: {len(report.pages.written)} rewritten, {report.pages.unchanged} unchanged; "
        f"index {'rewritten' if report.index_changed else 'unchanged'}; {len(report.digests)} digest page(s) written"
        + (f"; sync: {len(synced.entities_upserted)} entity pages projected" if synced else "")
    )
    if synthesizer is not None:
        typer.echo(synthesizer.usage.line(synthesizer.model))
    for error in report.pages.errors:
        typer.secho(f"  skipped {error}", fg=typer.colors.YELLOW, err=True)
    for warning in report.pages.warnings:
        typer.secho(f"  warning: {warning}", fg=typer.colors.YELLOW, err=True)
