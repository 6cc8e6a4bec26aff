"""The synthesis paragraph of an entity page: what the notes mentioning it have in common, by an LLM.

`graph/` asks no LLM itself: the entry point hands `regenerate_pages` a `Synthesizer` (built in
`ingest/` on the configured LLM) or nothing. What the synthesizer is given (`SynthesisRequest`: the
entity, its most salient and newest notes with their TL;DRs, the papers tracked) and the model's name
go into the page's hash, so unchanged inputs never reach the synthesizer; it keeps its own cache too.
A paragraph may cite only the notes it was given: other ids are dropped here again, whatever the
synthesizer checked, and a paragraph left citing none is not shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol

from graph.errors import WikigraphError

if TYPE_CHECKING:
    from graph.page_gather import PageInputs
    from graph.page_inputs import EntityKey, VaultFacts

SYNTHESIS_VERSION = 1  # bump when the request or the rendering changes, so pages are asked again once
MIN_NOTES = 2  # one note has nothing in common with anything
MAX_NOTES = 12
MAX_TLDR_CHARS = 600
MAX_PAPERS = 10
MAX_PAPER_CHARS = 200
MAX_PARAGRAPH_CHARS = 1200


@dataclass(frozen=True)
class SynthesisNote:
    id: str
    title: str
    published: str  # ISO date
    tldr: str


@dataclass(frozen=True)
class SynthesisRequest:
    """What one page's synthesis is written from; nothing else reaches the model."""

    type: str
    id: str
    name: str
    notes: tuple[SynthesisNote, ...]  # most salient first, then newest
    papers: tuple[str, ...]  # "Title — gist" of the papers tracked


@dataclass(frozen=True)
class Synthesis:
    paragraph: str
    cites: tuple[str, ...]  # ids of notes of the request
    model: str


class SynthesisFailed(WikigraphError):
    """No paragraph for this page. `retry_later`: the service failed (ask again on the next run) rather
    than the model (its invalid answer is final for these inputs)."""

    def __init__(self, message: str, retry_later: bool = False) -> None:
        super().__init__(message)
        self.retry_later = retry_later


class Synthesizer(Protocol):
    model: str  # names the writer on the page; part of the page's hash

    def __call__(self, request: SynthesisRequest) -> Synthesis | None: ...


@dataclass(frozen=True)
class PageSynthesis:
    """A synthesis checked against its request, ready to render."""

    paragraph: str
    notes: list[tuple[str, str]]  # (note id, title) cited, in the model's order
    model: str


def synthesis_request(facts: VaultFacts, key: EntityKey, inputs: PageInputs) -> SynthesisRequest | None:
    """The request for this page, or None when fewer than MIN_NOTES readable notes mention it."""
    notes = []
    for note, _ in facts.notes_of(key):
        parsed = facts.note_text(note.id)
        if parsed is None:
            continue
        notes.append(SynthesisNote(note.id, note.title, note.published, clip(parsed.tldr, MAX_TLDR_CHARS)))
        if len(notes) == MAX_NOTES:
            break
    if len(notes) < MIN_NOTES:
        return None
    papers = tuple(clip(f"{p.name} — {p.gist}" if p.gist else p.name, MAX_PAPER_CHARS) for p in inputs.papers[:MAX_PAPERS])
    return SynthesisRequest(key[0], key[1], inputs.name, tuple(notes), papers)


def page_digest(inputs_digest: str, request: SynthesisRequest | None, model: str | None) -> str:
    """The page's hash: the block's inputs alone when there is no synthesis to write (as without an LLM)."""
    if request is None or model is None:
        return inputs_digest
    payload = json.dumps([inputs_digest, SYNTHESIS_VERSION, model, asdict(request)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def checked(synthesis: Synthesis, request: SynthesisRequest) -> PageSynthesis | None:
    """The synthesis citing only the request's notes (each once), or None when nothing is left to show."""
    titles = {note.id: note.title for note in request.notes}
    cited = list(dict.fromkeys(note_id for note_id in synthesis.cites if note_id in titles))
    paragraph = clip(tidy(synthesis.paragraph), MAX_PARAGRAPH_CHARS)
    if not paragraph or not cited:
        return None
    return PageSynthesis(paragraph, [(note_id, titles[note_id]) for note_id in cited], synthesis.model)


def tidy(text: str) -> str:
    """One line of prose: no link brackets or HTML comments that could break the page or its markers."""
    for token in ("[[", "]]", "<!--", "-->"):
        text = text.replace(token, " ")
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
