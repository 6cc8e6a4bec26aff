"""Arguments for the query functions whose parameters are objects (filters, rows read from pages, plans,
subgraphs), with the payload in every text they carry. See tests/support/injection.py.

Each variant is (slot, build, prepare, check): `build(payload, env)` gives the keyword arguments
after the store (or retrieval deps); `prepare(env, payload)`, when given, runs first and its changes
count as the state before the attack; `check(result, payload, known ids)`, when given, replaces the
default check of what a read found.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from graph import analytics
from graph.entities_md import entity_path, render_entity
from graph.errors import QueryInputError
from graph.links import PageIndex
from graph.model import Connection, Entity, Note, SourceRecord
from graph.notes_md import render_note
from graph.read import NoteFilter
from graph.retrieval import generation
from graph.retrieval.engine import Plan
from graph.retrieval.rank import Candidate, Filters, Scored
from graph.retrieval.results import PathNode, ResultPath, ScoreParts
from graph.retrieval.subgraph import Subgraph
from graph.schema import check_node_id
from graph.sync import sync_vault
from graph.sync_entities import EntityRows, sync_sources
from graph.sync_notes import NoteRows, upsert_note_nodes
from graph.sync_rows import entity_props, note_props
from graph.vault import Vault
from graph.vectors import ChunkFilter
from tests.support.injection_env import (
    payload_entity,
    payload_note,
    sample_notes,
    sample_sources,
)

BENIGN_QUERY = "knowledge distillation"


@dataclass(frozen=True)
class Variant:
    slot: str
    build: Callable[[str, Any], dict[str, Any]]
    prepare: Callable[[Any, str], None] | None = None
    check: Callable[[Any, str, set[str]], list[str]] | None = None
    confine: Callable[[str], set[str]] | None = None


# --- reads ------------------------------------------------------------------------------------


def list_notes() -> list[Variant]:
    return [
        Variant("where.source", lambda p, env: {"where": NoteFilter(source=p)}),
        Variant("where.concept", lambda p, env: {"where": NoteFilter(concept=p)}),
        Variant("where.source+concept", lambda p, env: {"where": NoteFilter(source=p, concept=p, tiers=(1,), since=date(2020, 1, 1))}),
    ]


def gather() -> list[Variant]:
    """Evidence for results: payload note and entity keys (also as path notes), or a payload query and names."""

    def build(keys_are_payload: bool) -> Callable[[str, Any], dict[str, Any]]:
        def make(p: str, env) -> dict[str, Any]:
            note, entity = (("Note", p), ("Concept", p)) if keys_are_payload else (("Note", "small-students"), ("Concept", "knowledge-distillation"))
            name = entity[1] if keys_are_payload else p
            sub = Subgraph(nodes={note: {"id": note[1], "title": name}, entity: {"id": entity[1], "name": name, "aliases": [name]}})
            scored = [Scored(Candidate(key, sub.nodes[key]), ScoreParts(0, 0, 0, 0), 0.5) for key in (note, entity)]
            path = ResultPath((PathNode(note[1], "Note", name), PathNode(entity[1], "Concept", name)), (), 1.0)
            return {"index": env.index, "sub": sub, "scored": scored, "paths": {entity: [path]}, "query_vector": None,
                    "query_text": BENIGN_QUERY if keys_are_payload else p, "per_result": 3}

        return make

    return [Variant("scored[].key+paths", build(True), check=_evidence_check), Variant("query_text+names", build(False), check=_evidence_check)]


def _evidence_check(result: dict, payload: str, known: set[str]) -> list[str]:
    problems = [f"evidence for {key!r}" for key, found in result.items() if found and key[1] not in known]
    return problems + [f"evidence from unknown note {e.note_id!r}" for found in result.values() for e in found if e.note_id not in known]


def engine_run() -> list[Variant]:
    def plan(**fields) -> Callable[[str, Any], dict[str, Any]]:
        return lambda p, env: {"plan": Plan(k=5, filters=_filters(fields, p), **_plan_fields(fields, p)), "today": date(2026, 7, 1)}

    return [
        Variant("plan.query_text+evidence_text", plan(query_text=True, evidence_text=True)),
        Variant("plan.anchors{(Concept, payload)}", plan(anchor_id=True)),
        Variant("plan.anchors{(payload, id)}", plan(anchor_label=True)),
        Variant("plan.filters.notes+types", plan(filter_notes=True)),
        Variant("plan.chunk_filter", plan(chunk_filter=True)),
    ]


def _filters(fields: dict, p: str) -> Filters:
    return Filters(types=frozenset({p}), notes=frozenset({p})) if fields.get("filter_notes") else Filters()


def _plan_fields(fields: dict, p: str) -> dict[str, Any]:
    found: dict[str, Any] = {"query_text": p if fields.get("query_text") else BENIGN_QUERY}
    if fields.get("evidence_text"):
        found["evidence_text"] = p
    if fields.get("anchor_id"):
        found.update(anchors={("Concept", p): 1.0}, use_text=False)
    if fields.get("anchor_label"):
        found.update(anchors={(p, "knowledge-distillation"): 1.0}, use_text=False)
    if fields.get("chunk_filter"):
        found["chunk_filter"] = ChunkFilter(note_ids=(p,), sources=(p,), entities=(f"Concept/{p}",), or_note_ids=(p,))
    return found


# --- writes -----------------------------------------------------------------------------------


def project_pages() -> list[Variant]:
    def changed(p: str, env) -> dict[str, Any]:
        entity = payload_entity(p, "Paper")
        rows = EntityRows(entity, p, entity_props(entity, p), {"ABOUT": [{"source": p, "target": p}]})
        return {"changed": [rows], "deleted": []}

    def typed(p: str, env) -> dict[str, Any]:
        entity = payload_entity("payload-typed", "Concept")
        entity.type = p
        return {"changed": [EntityRows(entity, p, entity_props(entity, p))], "deleted": []}

    return [
        Variant("changed[] (id, name, aliases, ids, extra, declared link)", changed),
        Variant("changed[].entity.type", typed),
        Variant("deleted[(Concept, payload)]", lambda p, env: {"changed": [], "deleted": [("Concept", p)]}),
        Variant("deleted[(payload, id)]", lambda p, env: {"changed": [], "deleted": [(p, "knowledge-distillation")]}),
    ]


def reconcile_entities() -> list[Variant]:
    return [
        Variant("touched{(Concept, payload)}", lambda p, env: {"touched": {("Concept", p)}, "pages": PageIndex()}),
        Variant("touched{(payload, id)}", lambda p, env: {"touched": {(p, "payload-label")}, "pages": PageIndex()}),
        Variant("pages", lambda p, env: {"touched": {("Concept", p)}, "pages": PageIndex({p}, {p: ["Concept", p]})}),
    ]


def sync_sources_variants() -> list[Variant]:
    """The configured sources plus one made of the payload; prepared so the configured ones are already in sync."""

    def prepare(env, payload: str) -> None:
        sync_sources(env.store, sample_sources())

    def build(p: str, env) -> dict[str, Any]:
        return {"sources": [*sample_sources(), SourceRecord(p, p, p, 1, (p,), p)]}

    return [Variant("sources[] (id, name, feed_url, url, domains)", build, prepare)]


def _note_rows(p: str, source: str) -> NoteRows:
    note = payload_note(p, source)
    return NoteRows(note, p, p, note_props(note, p, {p}))


def upsert_note_nodes_variants() -> list[Variant]:
    return [
        Variant("changed[] (id, every text, source)", lambda p, env: {"changed": [_note_rows(p, p)]}),
        Variant("changed[] (id, every text) from a configured source", lambda p, env: {"changed": [_note_rows(p, "lab-blog")]}),
    ]


def link_notes() -> list[Variant]:
    """The payload note exists first (as sync writes it), then its links are drawn."""

    def prepare(env, payload: str) -> None:
        try:
            check_node_id(payload)
        except QueryInputError:
            return  # no note can have this id: the attack below must be refused on its own
        upsert_note_nodes(env.store, [_note_rows(payload, "lab-blog")])

    def rows(p: str, mention_label: str, connection_label: str) -> NoteRows:
        found = _note_rows(p, "lab-blog")
        found.mentions = {mention_label: [_link(p, p, "name", p), _link(p, "knowledge-distillation", "name", p)]}
        found.connections = {connection_label: [_link(p, p, "reason", p)], "Note": [_link(p, "small-students", "reason", p)]}
        return found

    return [
        Variant("notes[] (id, mentions, connections, reasons)", lambda p, env: {"notes": [rows(p, "Concept", "Paper")], "commit": True}, prepare),
        Variant("notes[].mentions{label}", lambda p, env: {"notes": [rows(p, p, "Paper")], "commit": True}, prepare),
        Variant("notes[].connections{label}", lambda p, env: {"notes": [rows(p, "Concept", p)], "commit": True}, prepare),
    ]


def _link(note: str, target: str, text_key: str, text: str) -> dict[str, Any]:
    return {"note": note, "id": target, text_key: text, "count": 1, "salience": 0.5}


# --- the vault ----------------------------------------------------------------------------------

# The files the payload goes into (their names are slugs: the file system decides what a name can be).
VAULT_NOTE, VAULT_CONCEPT, VAULT_PAGE = "zz-payload-note", "zz-payload-concept", "zz-payload-page"
BOOKKEEPING = {analytics.STATE_ID, generation.STATE_ID}  # sync state a sync that changed anything rewrites


def vault_sync() -> list[Variant]:
    """Sync of a vault of the sample notes, to which a note and an entity page full of payloads are added."""

    def build(p: str, env) -> dict[str, Any]:
        vault = _write_payload_pages(env, p)
        return {"vault": vault, "index": None, "embedder": None, "sources": [*sample_sources(), SourceRecord(p, p, p, 1, (p,), p)],
                "refresh_derived": False}

    return [Variant("vault files (note, entity page) + sources[]", build, _sync_benign_vault, confine=_vault_ids)]


def vault_sync_note() -> list[Variant]:
    def build(p: str, env) -> dict[str, Any]:
        vault = _write_payload_pages(env, p)
        return {"vault": vault, "index": None, "embedder": None, "path": vault.root / "notes" / f"{VAULT_NOTE}.md"}

    return [Variant("note file (every field)", build, _sync_benign_vault, confine=_vault_ids)]


def _vault_ids(payload: str) -> set[str]:
    return {VAULT_NOTE, VAULT_CONCEPT, VAULT_PAGE, payload, *BOOKKEEPING}


def _attack_vault(env) -> Vault:
    return Vault(env.data_dir / "attack-vault")


def _sync_benign_vault(env, payload: str) -> None:
    """A fresh vault of the sample notes, synced: the state the payload files are added to."""
    vault = _attack_vault(env)
    if vault.root.exists():
        shutil.rmtree(vault.root)
    (vault.root / "notes").mkdir(parents=True)
    for note in sample_notes():
        (vault.root / "notes" / f"{note.id}.md").write_text(render_note(note), encoding="utf-8")
    sync_vault(vault, env.store, None, None, sample_sources(), refresh_derived=False)


def _write_payload_pages(env, p: str) -> Vault:
    vault = _attack_vault(env)
    note = Note(id=VAULT_NOTE, title=p, source=p, url=p, published=date(2026, 7, 1), tier=1, domain=p, raw=p, content_hash=p,
                summarizer=p, author=p, topics=[p], tldr=p, why_it_matters=p, research_angle=[p], open_questions=[p], source_name=p,
                entities=[{"type": "Concept", "id": VAULT_CONCEPT, "name": p, "count": 1, "salience": 0.5},
                          {"type": "Concept", "id": "knowledge-distillation", "name": p, "count": 1, "salience": 0.5}],
                connections=[Connection("notes/small-students", p), Connection(p, p)])
    page = Entity(VAULT_PAGE, "Paper", p or "(empty)", [p], {"arxiv": p}, links={"about": [p, "knowledge-distillation"]},
                  body=f"# {p}\n\n{p}\n", extra={"kind": p, "title": p})
    _write(vault.root / "notes" / f"{VAULT_NOTE}.md", note, render_note, lambda: note.connections.pop())
    _write(entity_path(vault, "Paper", VAULT_PAGE), page, render_entity, None)
    return vault


def _write(path: Path, page, render, without_payload_link) -> None:
    """Write the page; a payload that cannot be a link target at all (a newline, nothing) stays out of the links."""
    try:
        text = render(page)
    except ValueError:
        if without_payload_link is None:
            return
        without_payload_link()
        text = render(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


HAND_BUILT: dict[str, Callable[[], list[Variant]]] = {
    "graph.read.list_notes": list_notes,
    "graph.retrieval.evidence.gather": gather,
    "graph.retrieval.engine.run": engine_run,
    "graph.sync_entities.project_pages": project_pages,
    "graph.sync_entities.reconcile_entities": reconcile_entities,
    "graph.sync_entities.sync_sources": sync_sources_variants,
    "graph.sync_notes.upsert_note_nodes": upsert_note_nodes_variants,
    "graph.sync_notes.link_notes": link_notes,
    "graph.sync.sync_vault": vault_sync,
    "graph.sync.sync_note": vault_sync_note,
}
