"""What the LLM is asked for an entity page's synthesis paragraph, and the shape its answer must have.

The prompt lists the notes (id, date, title, TL;DR) and the papers tracked; the answer is one JSON
object {"paragraph": …, "cites": [note ids]}. Citations are checked against the listed ids: unknown
ones are dropped, and an answer left citing none is invalid, as is an empty or overlong paragraph.
Bump SYNTHESIS_PROMPT_VERSION whenever the wording changes: it is part of the cache key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from graph.page_synthesis import MAX_PARAGRAPH_CHARS, SynthesisRequest, tidy
from ingest.summarize.llm_prompt import (
    FOLLOW_UP_ANSWER_CHARS,
    MESSAGE_OVERHEAD,
    TokenCount,
)
from ingest.summarize.llm_schema import AnswerInvalid, normalise_keys, parse_validated

SYNTHESIS_PROMPT_VERSION = 1
MIN_PARAGRAPH_CHARS = 40
_KEY_ALIASES = {"synthesis": "paragraph", "text": "paragraph", "summary": "paragraph", "citations": "cites",
                "cited": "cites", "notes": "cites", "note_ids": "cites", "sources": "cites", "cite": "cites"}

SYSTEM = f"""You write one paragraph for a research wiki page about "{{name}}" ({{type}}). Below are the \
notes that mention it. Say what these notes have in common: the shared claim, trend or disagreement, \
in 3 to 6 sentences of plain prose (at most {MAX_PARAGRAPH_CHARS} characters). Use only what the notes \
say; never invent numbers, names or dates. Answer with ONE JSON object and nothing else, no code fence:
{{{{"paragraph": "<the paragraph>", "cites": ["<id of each note the paragraph draws on, copied exactly>"]}}}}
Cite at least two notes, and only ids from the list."""


@dataclass(frozen=True)
class SynthesisPrompt:
    messages: list[tuple[str, str]]
    tokens: int
    notes_offered: int  # notes listed (fewer than the request's when the token budget is tight)


class SynthesisAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    paragraph: str = Field(min_length=MIN_PARAGRAPH_CHARS, max_length=MAX_PARAGRAPH_CHARS)
    cites: list[str] = Field(min_length=1, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _normalise_keys(cls, data: Any) -> Any:
        return normalise_keys(data, _KEY_ALIASES)

    @field_validator("paragraph", mode="before")
    @classmethod
    def _one_paragraph(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = " ".join(value)
        return tidy(value) if isinstance(value, str) else value

    @field_validator("cites", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


def parse_synthesis(text: str, note_ids: list[str]) -> tuple[SynthesisAnswer, bool, list[str]]:
    """The valid answer citing only `note_ids`, whether its JSON was repaired, and the citations dropped."""
    answer, repaired = parse_validated(text, SynthesisAnswer)
    known = {_loose(note_id): note_id for note_id in note_ids}
    kept = list(dict.fromkeys(known[_loose(cite)] for cite in answer.cites if _loose(cite) in known))
    dropped = [cite for cite in answer.cites if _loose(cite) not in known]
    if not kept:
        listed = ", ".join(json.dumps(note_id) for note_id in note_ids)
        raise AnswerInvalid(f"cites: none of {answer.cites!r} is a listed note id; cite ids from: {listed}")
    return answer.model_copy(update={"cites": kept}), repaired, dropped


def _loose(cite: str) -> str:
    """A note id however the model wrote it: "n1", "notes/n1", "[[notes/n1|Title]]"."""
    text = str(cite).strip().strip("[]").split("|", 1)[0].removesuffix(".md").strip()
    return text.removeprefix("notes/").lower()


def build_synthesis_prompt(request: SynthesisRequest, prompt_limit: int, count: TokenCount) -> SynthesisPrompt:
    """One user message (instructions included: some chat templates drop system messages) within
    `prompt_limit` tokens, listing fewer notes (the least salient go first) when it must."""
    notes = list(request.notes)
    while True:
        text = _text(request, notes)
        tokens = count(text) + MESSAGE_OVERHEAD
        if tokens <= prompt_limit or len(notes) <= 2:
            return SynthesisPrompt([("user", text)], tokens, len(notes))
        notes.pop()


def _text(request: SynthesisRequest, notes: list) -> str:
    lines = [SYSTEM.format(name=request.name, type=request.type), "", "Notes (most relevant first):"]
    for note in notes:
        lines.append(f"- id: {json.dumps(note.id)} ({note.published}) {note.title}: {note.tldr}")
    if request.papers:
        lines += ["", "Papers tracked on the page:"] + [f"- {paper}" for paper in request.papers]
    return "\n".join(lines)


def follow_up(prompt: SynthesisPrompt, answer: str, error: str) -> list[tuple[str, str]]:
    """The first request again, the invalid answer (shortened) and what was wrong with it."""
    quoted = answer if len(answer) <= FOLLOW_UP_ANSWER_CHARS else answer[:FOLLOW_UP_ANSWER_CHARS] + " …"
    correction = (
        f"That answer is not valid: {error[:1000]}\n"
        'Reply again with only the corrected JSON object, with the keys "paragraph" and "cites".'
    )
    return [*prompt.messages, ("assistant", quoted), ("user", correction)]
