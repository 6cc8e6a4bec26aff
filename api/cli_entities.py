"""`wikigraph entities …`: review ambiguous entity matches, merge duplicate entity pages, fill page properties."""

from __future__ import annotations

import functools
from typing import Annotated

import typer

from api.settings import Settings
from graph.errors import WikigraphError
from graph.vault import Vault
from ingest.entities.merge import merge_entities
from ingest.entities.properties import fill_properties
from ingest.entities.review import load_queue, save_queue

entities_app = typer.Typer(help="Review ambiguous entity matches and merge duplicate entity pages.", no_args_is_help=True)


def _command(name: str):
    """Register a command whose typed errors end it with their message and exit code 1."""

    def register(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except WikigraphError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(1) from exc

        return entities_app.command(name)(run)

    return register


def _vault() -> Vault:
    return Vault(Settings().paths.wiki_dir)


@_command("review")
def review(
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Merge the pair: the second page into the first (repeatable).")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="The pair are different entities; never ask again (repeatable).")] = None,
) -> None:
    """List pending matches; with --accept/--reject, decide them (no prompts, so scripts can use it)."""
    vault = _vault()
    queue = load_queue(vault)
    for item_id in reject or []:
        item = queue.decide(item_id, "rejected")
        typer.echo(f"rejected {item.id}: {item.other} stays apart from {item.keep}")
    if reject:
        save_queue(vault, queue)
    for item_id in accept or []:
        item = queue.find(item_id)
        report = merge_entities(vault, item.keep, item.other)
        typer.echo(f"accepted {item.id}: merged {report.removed} into {report.kept} ({len(report.files_changed)} files changed)")
        queue = load_queue(vault)
    if accept or reject:
        return
    if not queue.pending:
        typer.echo("no entity matches waiting for review")
        return
    for item in queue.pending:
        seen = f" (seen in {', '.join(item.seen_in)})" if item.seen_in else ""
        typer.echo(f"{item.id}  {item.type:<12} {item.keep}  <-  {item.other}  [{item.method} {item.score}]{seen}")


@_command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The page that stays, e.g. orgs/acme-labs")],
    other: Annotated[str, typer.Argument(help="The page merged into it and removed")],
) -> None:
    """Merge page OTHER into page KEEP: aliases, external ids and body move over, links are rewritten."""
    report = merge_entities(_vault(), keep, other)
    typer.echo(f"merged {report.removed} into {report.kept}")
    for path in report.files_changed:
        typer.echo(f"  rewrote {path}")


@_command("fill")
def fill() -> None:
    """Give every Paper and PolicyEvent page the properties it lacks (pages written before they existed).

    Values a person set are kept; the next `wikigraph graph sync` (or ingest) projects the pages."""
    errors: list[WikigraphError] = []
    written = fill_properties(_vault(), errors)
    for path in written:
        typer.echo(f"  filled {path}")
    for error in errors:
        typer.echo(f"skipped: {error}", err=True)
    typer.echo(f"{len(written)} pages filled, {len(errors)} skipped")
