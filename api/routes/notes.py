from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.schemas import ConnectionPublic, NotePublic
from graph.errors import NoteNotFound
from graph.notes_md import parse_note

router = APIRouter(tags=["notes"])
NOTE_ID = r"^[a-z0-9][a-z0-9-]{0,199}$"


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


@router.get("/notes/{note_id}", response_model=NotePublic, summary="One summary note: fields, sections, links and Markdown")
async def get_note(
    services: ServicesDep,
    note_id: Annotated[str, Path(pattern=NOTE_ID, description="Note id (the file name without .md)")],
) -> NotePublic:
    return await run_in_threadpool(_read_note, services, note_id)
