"""Write summary notes and entity pages into a test vault through the real renderers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from graph.entities_md import entity_path, render_entity, stub_body
from graph.model import Connection, Entity, Note
from graph.notes_md import render_note
from graph.vault import Vault, atomic_write_text
from ingest.entities.catalog import forget_catalog


def mention(entity_type: str, entity_id: str, name: str | None = None, count: int = 1, salience: float = 0.3) -> dict:
    return {"type": entity_type, "id": entity_id, "name": name or entity_id.replace("-", " ").capitalize(), "count": count, "salience": salience}


def make_note(
    note_id: str,
    title: str,
    published: date = date(2026, 3, 2),
    source: str = "lab-blog",
    entities: list[dict] | None = None,
    connections: list[tuple[str, str]] | None = None,
    tldr: str | None = None,
) -> Note:
    return Note(
        id=note_id,
        title=title,
        source=source,
        url=f"https://example.org/{note_id}",
        published=published,
        tier=1,
        domain="ml",
        raw=f"raw/rss/{note_id}.md",
        content_hash=f"hash-{note_id}",
        summarizer="extractive",
        topics=["ml"],
        entities=list(entities or []),
        tldr=tldr or f"{title}: what the post argues, in two sentences. It matters for the field.",
        why_it_matters=f"Why {title.lower()} matters to people building models.",
        connections=[Connection(target=target, reason=reason) for target, reason in (connections or [])],
        research_angle=["Measure it on a held-out benchmark."],
        open_questions=["Does it hold at scale?"],
    )


def write_note(vault: Vault, note: Note) -> Path:
    path = vault.note_path(note.id)
    atomic_write_text(path, render_note(note))
    return path


def make_entity(entity_type: str, entity_id: str, name: str, aliases=(), external_ids=None, links=None, **dates) -> Entity:
    return Entity(
        id=entity_id,
        type=entity_type,
        name=name,
        aliases=list(aliases),
        external_ids=dict(external_ids or {}),
        first_seen=dates.get("first_seen"),
        last_seen=dates.get("last_seen"),
        links=dict(links or {}),
        body=stub_body(name),
    )


def write_entity(vault: Vault, entity: Entity) -> Path:
    path = entity_path(vault, entity.type, entity.id)
    atomic_write_text(path, render_entity(entity))
    return path


def fresh_vault(tmp_path: Path) -> Iterator[Vault]:
    """An empty vault for entity-linking tests; its cached entity catalogue is dropped afterwards, so no later test
    (same process, maybe the same path) sees this one's entities."""
    vault = Vault(tmp_path / "wiki")
    vault.root.mkdir()
    yield vault
    forget_catalog(vault)
