"""`wikigraph sources …`: list the feeds with their fetch state, add and remove them, exchange them as OPML.

sources.yaml is edited line by line (comments and order kept) and validated before it is written.
"""

from __future__ import annotations

import functools
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from api.settings import Settings
from graph.errors import WikigraphError
from graph.vault import Vault, atomic_write_text
from ingest.opml import plan_import, read_opml, write_opml
from ingest.scheduler import SchedulePolicy, next_due
from ingest.sources import Source, SourcesError, parse_sources
from ingest.sources_edit import add_sources, read_sources_text, remove_source, validated_source, write_sources
from ingest.state import SourceStateStore

sources_app = typer.Typer(help="List, add, remove, import and export the feeds in sources.yaml.", no_args_is_help=True)


def _command(name: str):
    """Register a sources command whose typed errors end it with their message and exit code 1."""

    def register(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except WikigraphError as exc:
                raise _fail(str(exc)) from exc

        return sources_app.command(name)(run)

    return register

TierOpt = Annotated[int, typer.Option("--tier", min=1, max=5, help="1 = most trusted, up to 5.")]
DomainOpt = Annotated[list[str] | None, typer.Option("--domain", help="A topic the source covers (repeatable).")]


def _sources_file(settings: Settings) -> Path:
    return Vault(settings.paths.wiki_dir).sources_file


def _current(path: Path) -> tuple[str, list[Source]]:
    text = read_sources_text(path)
    return text, (parse_sources(text, path) if text.strip() else [])


@_command("list")
def list_sources(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source, for scripts.")] = False,
) -> None:
    """Each source with its fetch state: last fetch, last success, errors in a row, last error, next check."""
    settings = Settings()
    _, sources = _current(_sources_file(settings))
    states = SourceStateStore(settings.paths.data_dir)
    policy = SchedulePolicy.from_minutes(settings.fetch.poll_interval)
    now = datetime.now(timezone.utc)
    rows = [_row(source, states, policy, now) for source in sources]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        _print_table(rows)
    else:
        for row in rows:
            typer.echo("\t".join(f"{key}={_plain(value)}" for key, value in row.items()))
    if not sources:
        typer.echo(f"no sources in {_sources_file(settings)}", err=True)


def _row(source: Source, states: SourceStateStore, policy: SchedulePolicy, now: datetime) -> dict[str, object]:
    state = states.get(source.id)
    due = next_due(source, state, policy)
    fetched_from = state.url_to_fetch(source.feed_url)
    return {
        "id": source.id,
        "name": source.name,
        "tier": source.tier,
        "domains": list(source.domains),
        "feed_url": source.feed_url,
        # Where a permanent redirect sent the feed (fetched from there until feed_url is edited), else None.
        "moved_to": fetched_from if fetched_from != source.feed_url else None,
        "status": state.summary(now, policy.interval(source)).status,
        "interval_minutes": int(policy.interval(source).total_seconds() // 60),
        "last_fetch": _iso(state.last_fetch),
        "last_success": _iso(state.last_success),
        "errors_in_a_row": state.error_count,
        "last_error": state.last_error,
        "warning": state.warning,
        "next_check": "now" if due is None or due <= now else _iso(due),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "-" if value is None else " ".join(str(value).split())


def _print_table(rows: list[dict[str, object]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="sources")
    columns = ("source", "tier", "status", "every", "last fetch", "last success", "errors", "last error / warning", "next")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        problem = row["last_error"] or row["warning"] or ""
        style = "red" if row["last_error"] else ("yellow" if row["warning"] else None)
        # A server's redirect chose moved_to: escaped, so that no text of its own is read as markup.
        moved = f"\n[yellow]moved to {escape(str(row['moved_to']))}[/yellow]" if row["moved_to"] else ""
        table.add_row(
            f"{escape(str(row['name']))}\n[dim]{escape(str(row['feed_url']))}[/dim]{moved}",
            str(row["tier"]),
            str(row["status"]),
            f"{row['interval_minutes']} min",
            _short(row["last_fetch"]),
            _short(row["last_success"]),
            str(row["errors_in_a_row"]),
            f"[{style}]{problem}[/{style}]" if style else "",
            _short(row["next_check"]),
        )
    Console().print(table)


def _short(value: object) -> str:
    """An ISO time to the minute, UTC ("2026-03-01 12:00"); other values as they are."""
    if value is None:
        return "never"
    text = str(value)
    return text[:16].replace("T", " ") if text.endswith("Z") else text


@_command("add")
def add(
    feed_url: Annotated[str, typer.Argument(help="The RSS, Atom or JSON Feed URL.")],
    name: Annotated[str | None, typer.Option("--name", help="Shown on notes; its slug is the source id.")] = None,
    tier: TierOpt = 3,
    domain: DomainOpt = None,
    url: Annotated[str | None, typer.Option("--url", help="The site itself.")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="The feed is on this machine or LAN.")] = False,
    full_article: Annotated[bool, typer.Option("--full-article", help="Fetch each post's page.")] = False,
    interval: Annotated[int | None, typer.Option("--interval", help="Minutes between checks (at least 5).")] = None,
) -> None:
    """Add one feed to sources.yaml."""
    settings = Settings()
    path = _sources_file(settings)
    fields: dict[str, object] = {
        "name": name or _host(feed_url), "feed_url": feed_url, "tier": tier, "domains": domain or ["general"],
    }
    optional = {"url": url, "allow_private": allow_private or None, "fetch_full_article": full_article or None,
                "poll_interval": interval}
    fields.update({key: value for key, value in optional.items() if value is not None})
    try:
        source = validated_source(fields)
    except SourcesError as exc:
        raise _fail(exc.reason) from exc
    text, _ = _current(path)
    write_sources(path, add_sources(text, [source], path))
    typer.echo(f"added {source.name!r} (id {source.id}, tier {source.tier}) to {path}")


def _host(feed_url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(feed_url).hostname or feed_url


@_command("remove")
def remove(which: Annotated[str, typer.Argument(help="The source's name, id or feed URL.")]) -> None:
    """Remove one feed from sources.yaml (its notes and raw posts stay in the wiki)."""
    settings = Settings()
    path = _sources_file(settings)
    text, _ = _current(path)
    edited, removed = remove_source(text, which, path)
    write_sources(path, edited)
    typer.echo(f"removed {removed.name!r} (id {removed.id}) from {path}; its posts and notes stay in the wiki")


@_command("import")
def import_opml(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An OPML file from a feed reader.")],
    tier: Annotated[int, typer.Option("--tier", min=1, max=5, help="Tier of feeds the file gives none.")] = 3,
    domain: DomainOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")] = False,
) -> None:
    """Add the feeds of an OPML file; feeds already present are skipped with a message."""
    settings = Settings()
    path = _sources_file(settings)
    text, existing = _current(path)
    plan = plan_import(read_opml(file.read_bytes()), existing, tier, tuple(domain or ["general"]))
    for message in plan.skipped:
        typer.echo(message, err=True)
    for source in plan.added:
        typer.echo(f"{'would add' if dry_run else 'adding'} {source.name!r} ({source.feed_url}, tier {source.tier})")
    if plan.added and not dry_run:
        write_sources(path, add_sources(text, plan.added, path))
    verb = "would add" if dry_run else "added"
    typer.echo(f"{verb} {len(plan.added)} sources, skipped {len(plan.skipped)} ({path})")


@_command("export")
def export_opml(
    file: Annotated[Path | None, typer.Argument(dir_okay=False, help="Where to write; standard output if omitted.")]
    = None,
) -> None:
    """Write every source as OPML 2.0 (tier and options kept, for a round trip through `sources import`)."""
    settings = Settings()
    _, sources = _current(_sources_file(settings))
    document = write_opml(sources, "wikigraph sources", datetime.now(timezone.utc))
    if file is None:
        typer.echo(document.decode("utf-8"), nl=False)
        return
    atomic_write_text(file, document.decode("utf-8"))
    typer.echo(f"wrote {len(sources)} sources to {file}", err=True)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)
