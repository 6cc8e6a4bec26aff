"""`wikigraph graph …`: set up the graph schema, sync the vault, recompute analytics, show state."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from api.settings import Settings
from graph import analytics, migrations
from graph.store import GraphStore, open_store

graph_app = typer.Typer(help="The knowledge graph: schema migrations, sync, analytics.", no_args_is_help=True)


@contextmanager
def _store(settings: Settings) -> Iterator[GraphStore]:
    """The graph store alone (no embedding model, no vector index): enough for schema and analytics."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.paths.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.graph.store_config(settings.paths.data_dir))
    try:
        yield store
    finally:
        store.close()


@graph_app.command("init")
def init() -> None:
    """Apply the pending schema migrations (constraints, indexes); safe to run again."""
    with _store(Settings()) as store:
        ran = migrations.migrate(store)
        done = migrations.applied(store)
    for migration in migrations.MIGRATIONS:
        state = "applied now" if migration.id in ran else f"applied {done.get(migration.id)}"
        typer.echo(f"  {migration.id}: {migration.description} ({state})")
    typer.echo(f"schema ready: {len(ran)} migration(s) applied now, {len(done)} in total")


@graph_app.command("status")
def status() -> None:
    """Migrations, node and relationship counts, and whether analytics are up to date."""
    with _store(Settings()) as store:
        pending = migrations.pending(store)
        counts = store.counts()
        stale = analytics.is_stale(store)
    typer.echo(f"backend: {store.backend}")
    typer.echo("migrations: " + ("all applied" if not pending else "pending " + ", ".join(m.id for m in pending)))
    typer.echo("nodes: " + _counts(counts["nodes"]))
    typer.echo("relationships: " + _counts(counts["edges"]))
    typer.echo("analytics: " + ("stale (run `wikigraph graph analyze`)" if stale else "up to date"))


@graph_app.command("analyze")
def analyze() -> None:
    """Recompute derived edges and node analytics (degree, PageRank, mentions, first/last seen, community)."""
    with _store(Settings()) as store:
        store.ensure_schema()
        report = analytics.refresh(store)
    derived = report.derived
    typer.echo(
        f"analysed {report.nodes} nodes, {report.edges} relationships: {report.written} nodes updated, "
        f"{report.communities} communities; derived edges +{derived.created} ~{derived.updated} -{derived.deleted}"
    )


@graph_app.command("sync")
def sync() -> None:
    """Apply the vault's changes since the last sync to the graph and the vector index."""
    settings = Settings()
    from api.jobs import open_services, sync_all

    with open_services(settings) as services:
        report = sync_all(services)
    typer.echo(
        f"notes: {len(report.upserted)} upserted, {len(report.deleted)} deleted, {len(report.relinked)} relinked, "
        f"{report.unchanged} unchanged; entity pages: {len(report.entities_upserted)} upserted, "
        f"{len(report.entities_deleted)} deleted; analytics {'recomputed' if report.analyzed else 'unchanged'}"
    )
    for error in report.errors:
        typer.secho(f"  skipped {error}", fg=typer.colors.YELLOW, err=True)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"
