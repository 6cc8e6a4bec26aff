"""What each web page shows, gathered from the vault and the graph (blocking: run in a thread)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from api.routes.sources import source_rows
from api.services import Services
from api.web.graph_data import as_attribute, neighbourhood
from api.web.render import LinkResolver, node_url, render_markdown
from graph import read
from graph import read_queries as rq
from graph import schema
from graph.errors import NoteNotFound
from graph.model import ENTITY_FOLDERS
from graph.notes_md import parse_note
from graph.retrieval import search as retrieval_search
from graph.retrieval.errors import EntityNotFound
from graph.sync_scan import page_names
from graph.vault import split_front_matter

NOTES_PER_TIER = 8
SEARCH_RESULTS = 20
DIGEST_DIR = "digest"
_NOTE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
TYPE_OF_FOLDER = {folder: label for label, folder in ENTITY_FOLDERS.items()}


@dataclass(frozen=True)
class Backlink:
    type: str
    title: str
    url: str | None
    relationships: list[str]


@dataclass
class NodePage:
    type: str
    id: str
    title: str
    html: str
    facts: dict[str, Any] = field(default_factory=dict)
    backlinks: list[Backlink] = field(default_factory=list)
    graph_json: str = "{}"


def _without_title(body: str, title: str) -> str:
    """The page body without its first `# Title` line when the page header already shows that title."""
    lines = body.lstrip("\n").split("\n", 1)
    if lines[0].strip() == f"# {title}".strip():
        return lines[1] if len(lines) > 1 else ""
    return body


def resolver_for(services: Services) -> LinkResolver:
    return LinkResolver(services.vault, page_names(services.vault))


# --- home -------------------------------------------------------------------------------------


def home(services: Services, today: date) -> dict[str, Any]:
    tiers = [row["tier"] for row in rq.run(services.store, rq.NOTES_BY_TIER) if row["tier"] is not None]
    by_tier = []
    for tier in tiers:
        found = read.list_notes(services.store, read.NoteFilter(tiers=(tier,)), 1, NOTES_PER_TIER)
        by_tier.append({"tier": tier, "total": found.total, "notes": [_note_row(row) for row in found.items]})
    digest_day, digest_html = _digest(services, today)
    return {"by_tier": by_tier, "digest_day": digest_day, "digest_html": digest_html, "today": today}


def _note_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "href": node_url("Note", row["id"])}


def _digest(services: Services, today: date) -> tuple[date | None, str | None]:
    """Today's digest page, or else the latest one; (None, None) when the wiki has none."""
    folder = services.vault.root / DIGEST_DIR
    todays = folder / f"{today:%Y-%m}" / f"{today.isoformat()}.md"
    pages = [todays] if todays.is_file() else sorted(folder.glob("*/*.md"), reverse=True)[:1] if folder.is_dir() else []
    for path in pages:
        try:
            day = date.fromisoformat(path.stem)
        except ValueError:
            continue
        _, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
        return day, render_markdown(body, resolver_for(services))
    return None, None


# --- notes and entities -----------------------------------------------------------------------


def note_page(services: Services, note_id: str) -> NodePage:
    path = services.vault.note_path(note_id)
    if not _NOTE_ID.fullmatch(note_id) or not path.is_file():
        raise NoteNotFound(note_id)
    text = path.read_text(encoding="utf-8")
    note = parse_note(text, path=services.vault.relative(path))
    _, body, _ = split_front_matter(text)
    groups = _neighbours(services, "Note", note_id)
    facts = {"source": note.source, "published": note.published, "tier": note.tier, "domain": note.domain,
             "original": note.url or None}
    return NodePage("Note", note.id, note.title, render_markdown(body, resolver_for(services)), facts,
                    _backlinks(groups), as_attribute(neighbourhood("Note", note.id, note.title, groups)))


def entity_page(services: Services, folder: str, entity_id: str) -> NodePage:
    label = TYPE_OF_FOLDER.get(folder)
    if label is None:
        raise EntityNotFound(entity_id, None)
    detail = read.entity_detail(services.store, services.vault, entity_id, label)
    if detail.markdown is not None:
        _, body, _ = split_front_matter(detail.markdown)
        html = render_markdown(_without_title(body, detail.name), resolver_for(services))
    else:
        html = ""
    properties = {key: value for key, value in detail.properties.items() if not key.endswith("_hash")}  # bookkeeping
    facts = {"aliases": ", ".join(detail.aliases) or None, **detail.external_ids, **properties}
    graph = neighbourhood(label, detail.id, detail.name, detail.neighbours)
    return NodePage(label, detail.id, detail.name, html, {k: v for k, v in facts.items() if v not in (None, "", [])},
                    _backlinks(detail.neighbours), as_attribute(graph))


def _neighbours(services: Services, label: str, node_id: str) -> list[read.NeighbourGroup]:
    rows = rq.run(services.store, rq.entity_neighbours(label), id=node_id, labels=list(schema.LABELS), cap=read.NEIGHBOURS_PER_TYPE)
    return [read.NeighbourGroup(row["group"], row["total"], [_neighbour(item) for item in row["items"]]) for row in rows]


def _neighbour(item: dict[str, Any]) -> dict[str, Any]:
    relationships = [{key: value for key, value in rel.items() if value is not None} for rel in item["relationships"]]
    return {"id": item["id"], "title": item["title"], "date": item.get("day"), "relationships": relationships}


def _backlinks(groups: list[read.NeighbourGroup]) -> list[Backlink]:
    """Nodes with a relationship pointing at this one (a note mentioning or linking to it, a paper about it…)."""
    links = []
    for group in groups:
        for item in group.items:
            incoming = sorted({rel["type"] for rel in item["relationships"] if rel["direction"] == "in"})
            if incoming:
                links.append(Backlink(group.label, item["title"], node_url(group.label, item["id"]), incoming))
    return links


# --- search and sources -----------------------------------------------------------------------


def search_page(services: Services, query: str) -> dict[str, Any]:
    if not query.strip():
        return {"query": "", "results": [], "interpretation": None}
    response = retrieval_search(services.retrieval, query, SEARCH_RESULTS, None, None, None, None, "hybrid")
    results = [_result_view(result) for result in response.results]
    return {"query": response.query, "results": results, "interpretation": response.interpretation}


def _result_view(result) -> dict[str, Any]:
    paths = [
        [{"title": node.title, "type": node.type, "url": node_url(node.type, node.id),
          "edge": (path.edges[i].type, path.edges[i].direction) if i < len(path.edges) else None}
         for i, node in enumerate(path.nodes)]
        for path in result.paths
    ]
    evidence = [{"text": item.text, "section": item.section, "url": node_url("Note", item.note_id)} for item in result.evidence]
    return {"title": result.title, "type": result.type, "url": node_url(result.type, result.id), "score": result.score,
            "date": result.date, "source": result.source_name, "tier": result.tier, "paths": paths, "evidence": evidence}


def sources_page(services: Services) -> dict[str, Any]:
    return {"sources": source_rows(services, datetime.now(timezone.utc))}


def static_dir() -> Path:
    return Path(__file__).resolve().parent / "static"
