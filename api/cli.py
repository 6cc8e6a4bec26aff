"""The `wikigraph` command line: the entry point that reads settings and wires the layers."""

from __future__ import annotations

import logging
import time
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli_bloom import bloom_app
from api.cli_entities import entities_app
from api.cli_graph import graph_app
from api.cli_pages import pages as pages_command
from api.cli_sources import sources_app
from api.settings import Settings

app = typer.Typer(help="wikigraph: a knowledge-graph wiki of AI-research feeds.", no_args_is_help=True, add_completion=False)
app.add_typer(sources_app, name="sources")
app.add_typer(bloom_app, name="bloom")
app.add_typer(graph_app, name="graph")
app.add_typer(entities_app, name="entities")
app.command("pages")(pages_command)
log = logging.getLogger("wikigraph")

HostOpt = Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")]


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command()
def ingest(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fetch, then print what summarising would cost; ask no LLM, write no notes.")] = False,
) -> None:
    """Fetch every configured source, write raw posts and notes, project them into graph and vectors."""
    _setup_logging()
    settings = Settings()
    from api.jobs import dry_run_ingest, ingest_once, open_services

    with open_services(settings) as services:
        if dry_run:
            typer.echo("\n".join(dry_run_ingest(services).lines()))
            return
        report = ingest_once(services)
    _print_ingest(report)
    if report.errors and len(report.errors) == len(report.refreshed):
        raise typer.Exit(code=2)


@app.command()
def serve(
    host: HostOpt = None,
    port: PortOpt = None,
    watch: Annotated[bool, typer.Option("--watch", help="Also poll the sources on their intervals, in this process.")] = False,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    _setup_logging()
    settings = Settings(host=host, port=port)
    _serve(settings, services=None, watch=watch)


@app.command("watch")
def watch() -> None:
    """Poll every source on its interval (with jitter) until interrupted; Ctrl-C finishes the pass in progress."""
    from api.cli_watch import watch as run_watch

    run_watch()


@app.command()
def run(host: HostOpt = None, port: PortOpt = None) -> None:
    """Ingest the configured sources, then serve the API in the same process."""
    _setup_logging()
    settings = Settings(host=host, port=port)
    from api.jobs import ingest_once, open_services

    with open_services(settings) as services:
        _print_ingest(ingest_once(services))
        _serve(settings, services)


@app.command()
def demo(
    host: HostOpt = None,
    port: PortOpt = None,
    keep: Annotated[bool, typer.Option(help="Keep the throwaway directory after stopping.")] = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Ingest the sample feeds, print a summary and exit.")] = False,
) -> None:
    """Ingest our sample feeds (served from a local HTTP server) into a throwaway wiki, then serve it."""
    _setup_logging()
    from api.demo import demo_workspace
    from api.jobs import ingest_once, open_services

    started = time.perf_counter()
    # The configured vault's concept pages (the repository ships a starter vocabulary there) seed the demo wiki.
    with demo_workspace(keep=keep, concepts=Settings().paths.wiki_dir / "concepts") as workspace:
        settings = Settings(host=host, port=port, wiki_dir=workspace.wiki_dir, data_dir=workspace.data_dir)
        with open_services(settings) as services:
            report = ingest_once(services)
            _print_ingest(report)
            if report.errors:
                raise _fail(f"demo feeds failed: {report.errors}")
            elapsed = time.perf_counter() - started
            typer.echo(f"demo ready in {elapsed:.1f} s: wiki in {workspace.wiki_dir}")
            if no_serve:
                return
            url, note = browsable_url(settings.server.host, settings.server.port)
            typer.echo(f"open {url}/ (the wiki), {url}/docs (the API) or try {url}/search?q=papers+connected+to+reward+hacking{note}")
            _serve(settings, services)


@app.command()
def reindex() -> None:
    """Rebuild the graph and the vector index from the Markdown files."""
    _setup_logging()
    settings = Settings()
    from api.jobs import open_services, reindex_all

    with open_services(settings) as services:
        report = reindex_all(services)
    typer.echo(f"reindexed {len(report.upserted)} notes ({report.chunks} chunks)")


ALL_INTERFACES = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


def browsable_url(host: str, port: int) -> tuple[str, str]:
    """The address a browser on this machine can open for a server bound to `host`, and a note when
    the server listens on all interfaces (a browser cannot open 0.0.0.0)."""
    if host in ALL_INTERFACES:
        return f"http://{ALL_INTERFACES[host]}:{port}", f" (listening on all interfaces, port {port})"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}", ""


def _serve(settings: Settings, services, watch: bool = False) -> None:
    import uvicorn

    from api.app import create_app
    from api.cli_watch import scheduler_for

    application = create_app(settings, services=services, background=scheduler_for if watch else None)
    uvicorn.run(application, host=settings.server.host, port=settings.server.port, log_level="info")


def _print_ingest(report) -> None:
    for result in report.refreshed:
        status = f"error: {result.error}" if result.error else (
            "not modified" if result.not_modified else f"{len(result.new)} new, {len(result.changed)} changed, {result.unchanged} unchanged"
        )
        typer.echo(f"  {result.source_id}: {status}")
    written, sync = set(report.notes_written), report.sync
    # Each note written was synced as soon as it was written, so the final sync counts it unchanged:
    # count it with the notes this run put into the graph and vectors, not with the untouched ones.
    synced_early = written - set(sync.upserted)
    typer.echo(
        f"notes written: {len(written)}; graph/vector sync this run: {len(written | set(sync.upserted))} upserted, "
        f"{len(sync.deleted)} deleted, {max(sync.unchanged - len(synced_early), 0)} unchanged"
    )


def main() -> None:
    from graph.errors import WikigraphError

    try:
        app()
    except WikigraphError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(1) from exc
    except ValidationError as exc:
        # Bad settings (environment or .env): name each variable and what is wrong, without a traceback.
        for problem in exc.errors():
            field = ".".join(str(part) for part in problem["loc"])
            where = f"setting WIKIGRAPH_{field.upper()}: " if field else "settings: "
            typer.secho(f"error: {where}{problem['msg']}", fg=typer.colors.RED, err=True)
        raise SystemExit(2) from exc
