"""`wikigraph bloom …`: the Neo4j Bloom perspective for the graph, ready to import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from graph.bloom import perspective
from graph.vault import atomic_write_text

bloom_app = typer.Typer(help="Explore the graph in Neo4j Bloom (server mode): export the perspective.", no_args_is_help=True)

DEFAULT_OUT = Path("wikigraph.perspective.json")


@bloom_app.command("export")
def export(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="File to write ('-' for standard output).", dir_okay=False),
    ] = DEFAULT_OUT,
) -> None:
    """Write the Bloom perspective (categories, styles, search phrases, scene actions) built from the current schema."""
    text = perspective.render()
    if str(out) == "-":
        sys.stdout.write(text)
        return
    atomic_write_text(out, text)
    built = perspective.build()
    typer.echo(
        f"wrote {out}: {len(built['categories'])} categories, {len(built['templates'])} search phrases, "
        f"{len(built['sceneActions'])} scene actions"
    )
    typer.echo("import it in Bloom: Perspectives → Import (see docs/bloom.md)")
