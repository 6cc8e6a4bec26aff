"""The shape an LLM's answer must have, validated with pydantic before it becomes a note.

Text is tidied to what a note section can hold (one paragraph, or one line per list item);
keys are matched loosely ("TL;DR", "Why it matters") because small models vary them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ingest.summarize.json_repair import AnswerNotJson, parse_json_object

AnswerModel = TypeVar("AnswerModel", bound=BaseModel)

MAX_PARAGRAPH = 1500
MAX_ITEM = 500
_KEY_ALIASES = {"tl_dr": "tldr", "summary": "tldr", "why": "why_it_matters", "connection": "connections",
                "research_angles": "research_angle", "open_question": "open_questions", "questions": "open_questions"}


# What each field should hold, as the prompt shows it. A small model may copy these back instead of
# answering; an answer that does is refused (and retried) rather than written as a note.
FIELD_HINTS = {
    "tldr": "2-3 sentences: the post's main claim and the evidence it gives",
    "why_it_matters": "2-4 sentences: why a researcher should care; tie it to the listed pages where the post connects to them",
    "target": "<an id copied exactly from the list of existing pages>",
    "reason": "one sentence: how this post relates to that page",
    "research_angle": "1-3 concrete follow-up studies or experiments the post suggests",
    "open_questions": "1-4 questions the post leaves open",
}


def normalise_keys(data: Any, aliases: dict[str, str]) -> Any:
    """A model's answer object with its keys in snake case ("Why it matters" → why_it_matters) and the usual
    other names mapped to ours; anything but an object is left for validation to refuse."""
    if not isinstance(data, dict):
        return data
    keys = {re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_"): value for key, value in data.items()}
    return {aliases.get(key, key): value for key, value in keys.items()}


class AnswerInvalid(ValueError):
    """The answer is not a valid summary; the message says why, in words a model can act on."""


def _one_line(text: str) -> str:
    # A note section cannot hold headings or list syntax from the model; keep plain prose.
    text = re.sub(r"^\s*(#+|[-*]|\d+[.)])\s+", "", str(text), flags=re.MULTILINE)
    return " ".join(text.split())


class AnswerConnection(BaseModel):
    model_config = ConfigDict(extra="ignore")

    target: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=3, max_length=MAX_ITEM)
    date: dt.date | None = None

    @field_validator("target", "reason", mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        return _one_line(value) if isinstance(value, str) else value

    @field_validator("date", mode="before")
    @classmethod
    def _blank_date(cls, value: Any) -> Any:
        # "", "n/a" and the like mean "no date"; a malformed real date is still an error.
        if isinstance(value, str) and not re.search(r"\d", value):
            return None
        return value


class SummaryAnswer(BaseModel):
    """tldr, why_it_matters, connections [{target, reason, date?}], research_angle [..], open_questions [..]."""

    model_config = ConfigDict(extra="ignore")

    tldr: str = Field(min_length=20, max_length=MAX_PARAGRAPH)
    why_it_matters: str = Field(min_length=20, max_length=MAX_PARAGRAPH)
    connections: list[AnswerConnection] = Field(default_factory=list, max_length=8)
    research_angle: list[str] = Field(min_length=1, max_length=6)
    open_questions: list[str] = Field(min_length=1, max_length=6)

    @model_validator(mode="before")
    @classmethod
    def _normalise_keys(cls, data: Any) -> Any:
        return normalise_keys(data, _KEY_ALIASES)

    @field_validator("tldr", "why_it_matters", mode="before")
    @classmethod
    def _paragraph(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = " ".join(value)
        return _one_line(value) if isinstance(value, str) else value

    @field_validator("research_angle", "open_questions", mode="before")
    @classmethod
    def _items(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value
        items = [_one_line(item) if isinstance(item, str) else item for item in value]
        return [item for item in items if item != ""]

    @field_validator("research_angle", "open_questions")
    @classmethod
    def _item_length(cls, items: list[str]) -> list[str]:
        for item in items:
            if not 3 <= len(item) <= MAX_ITEM:
                raise ValueError(f"each item must be 3 to {MAX_ITEM} characters, got {len(item)}")
        return items


def _copied_hints(answer: SummaryAnswer) -> list[str]:
    texts = {"tldr": [answer.tldr], "why_it_matters": [answer.why_it_matters],
             "research_angle": answer.research_angle, "open_questions": answer.open_questions,
             "reason": [c.reason for c in answer.connections]}
    return [field for field, values in texts.items() if any(_copies(FIELD_HINTS[field], value) for value in values)]


def _copies(hint: str, value: str) -> bool:
    # The hint whole, or its description without the "2-3 sentences:" lead-in.
    value = value.lower()
    return any(part[:30].strip().lower() in value for part in {hint, hint.split(": ", 1)[-1]})


def parse_validated(text: str, model: type[AnswerModel]) -> tuple[AnswerModel, bool]:
    """`text` (a model's answer) as a valid `model` and whether its JSON needed repair; `AnswerInvalid` says
    what is wrong."""
    try:
        data, repaired = parse_json_object(text)
    except AnswerNotJson as exc:
        raise AnswerInvalid(str(exc)) from exc
    try:
        return model.model_validate(data), repaired
    except ValidationError as exc:
        raise AnswerInvalid(describe_errors(exc)) from exc


def parse_answer(text: str) -> tuple[SummaryAnswer, bool]:
    """The validated answer and whether its JSON needed repair; `AnswerInvalid` says what is wrong."""
    answer, repaired = parse_validated(text, SummaryAnswer)
    copied = _copied_hints(answer)
    if copied:
        raise AnswerInvalid(f"{', '.join(copied)}: repeats the instructions instead of summarising the post")
    return answer, repaired


def describe_errors(exc: ValidationError, limit: int = 8) -> str:
    lines = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)
