from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import PageDep, ServicesDep
from api.routes.params import ENTITY_ID, NOTE_ID, SOURCE_ID, tiers
from api.schemas import ConnectionPublic, ErrorPublic, NotePublic, NoteSummaryPublic, NotesPublic
from graph import read
from graph.errors import NoteNotFound
from graph.notes_md import parse_note

router = APIRouter(tags=["notes"])


@router.get("/notes", response_model=NotesPublic, summary="Summary notes, newest first, filtered by date, source, tier and concept")
async def list_notes(
    services: ServicesDep,
    paging: PageDep,
    since: Annotated[date | None, Query(description="Published on or after this day", examples=["2026-04-01"])] = None,
    until: Annotated[date | None, Query(description="Published on or before this day")] = None,
    source: Annotated[str | None, Query(pattern=SOURCE_ID, description="Source id", examples=["frontier-notes"])] = None,
    tier: Annotated[list[str] | None, Query(description="Tiers of the notes' sources (repeat or comma-separate)")] = None,
    concept: Annotated[str | None, Query(pattern=ENTITY_ID, description="Concept id the notes mention or link to",
                                         examples=["defense-trilemma"])] = None,
) -> NotesPublic:
    chosen = tiers(tier)
    where = read.NoteFilter(source, tuple(sorted(chosen)) if chosen else None, since, until, concept)
    found = await run_in_threadpool(read.list_notes, services.store, where, paging.page, paging.page_size)
    data = [NoteSummaryPublic(**row) for row in found.items]
    return NotesPublic(data=data, count=found.total, page=found.page, page_size=found.page_size, pages=found.pages)


def _read_note(services, note_id: str) -> NotePublic:
    path = services.vault.note_path(note_id)
    if not re.match(NOTE_ID, note_id) or not path.is_file():
        raise NoteNotFound(note_id)
    text = path.read_text(encoding="utf-8")
    note = parse_note(text, path=services.vault.relative(path))
    return NotePublic(
        id=note.id,
        title=note.title,
        url=note.url or None,
        source=note.source,
        published=note.published,
        tier=note.tier,
        domain=note.domain,
        topics=list(note.topics),
        raw=note.raw,
        summarizer=note.summarizer,
        tldr=note.tldr,
        why_it_matters=note.why_it_matters,
        connections=[ConnectionPublic(target=c.target, label=c.label, date=c.date, reason=c.reason) for c in note.connections],
        research_angle=list(note.research_angle),
        open_questions=list(note.open_questions),
        markdown=text,
    )


@router.get("/notes/{note_id}", response_model=NotePublic, responses={404: {"model": ErrorPublic}}, summary="One summary note: fields, sections, links and Markdown")
async def get_note(
    services: ServicesDep,
    note_id: Annotated[str, Path(pattern=NOTE_ID, description="Note id (the file name without .md)")],
) -> NotePublic:
    return await run_in_threadpool(_read_note, services, note_id)
