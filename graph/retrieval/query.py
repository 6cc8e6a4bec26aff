"""Reading a query without an LLM: its shape, its dates, the entities it names.

Shapes (case-insensitive; "show me", "find", "list" in front and "?" at the end are ignored):
- connected:  "<type> connected to | related to | linked to | about | on | mentioning <entity>"
- timeline:   "timeline of | history of <entity>"
- said_about: "what did | does | has <source or person> say | said | write | written about <entity>"
- since:      "<type> since | after <date>"
A "since <date>" / "before <date>" / "until <date>" tail is read off any query first. Everything
else is free text, in which entities named exactly or nearly (by name or alias) are found.
A shape whose entity cannot be resolved keeps its type and dates and is searched as free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from graph.retrieval.resolution import SPEAKER_LABELS, find_mentions, resolve_name
from graph.retrieval.results import Interpretation

if TYPE_CHECKING:
    from graph.retrieval.service import RetrievalDeps

TYPE_WORDS: dict[str, str] = {
    "papers": "Paper", "paper": "Paper", "preprints": "Paper", "preprint": "Paper", "studies": "Paper",
    "notes": "Note", "note": "Note", "posts": "Note", "post": "Note", "articles": "Note", "article": "Note",
    "blog posts": "Note", "summaries": "Note",
    "concepts": "Concept", "concept": "Concept", "ideas": "Concept", "topics": "Concept", "topic": "Concept",
    "policy events": "PolicyEvent", "policy event": "PolicyEvent", "policies": "PolicyEvent", "policy": "PolicyEvent",
    "bills": "PolicyEvent", "laws": "PolicyEvent", "regulations": "PolicyEvent", "regulation": "PolicyEvent",
    "organizations": "Organization", "organisations": "Organization", "organization": "Organization",
    "organisation": "Organization", "orgs": "Organization", "labs": "Organization", "companies": "Organization",
    "people": "Person", "persons": "Person", "person": "Person", "researchers": "Person", "authors": "Person",
    "models": "Model", "model": "Model",
}
_TYPE = "|".join(sorted((re.escape(word) for word in TYPE_WORDS), key=len, reverse=True))
_LEAD = r"^(?:(?:please\s+)?(?:show|find|list|give|get)(?:\s+me)?\s+)?(?:all\s+)?(?:the\s+)?"
_MONTHS = {name: number for number, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), start=1) for name in names}
_DATE = r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}|[a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[a-z]+\.?\s+\d{4}|[a-z]+\.?\s+\d{4}"

CONNECTED = re.compile(
    _LEAD + rf"(?P<type>{_TYPE})\s+(?:(?:that|which)\s+(?:are|is)\s+)?"
    r"(?:(?:connected|related|linked|relevant)\s+(?:to|with)|about|on|mentioning|concerning)\s+(?P<entity>.+)$", re.I)
TIMELINE = re.compile(_LEAD + r"(?:timeline|history|chronology)\s+(?:of|for)\s+(?P<entity>.+)$", re.I)
SAID_ABOUT = re.compile(
    r"^what\s+(?:did|does|has|have)\s+(?P<speaker>.+?)\s+(?:say|said|write|written|wrote|think|thought|post|posted)"
    r"\s+(?:about|on|regarding)\s+(?P<entity>.+)$", re.I)
TYPE_SINCE = re.compile(_LEAD + rf"(?P<type>{_TYPE})\s*$", re.I)
DATE_TAIL = re.compile(rf"\s+(?P<word>since|after|from|before|until)\s+(?P<date>{_DATE})\s*$", re.I)


@dataclass(frozen=True)
class Shape:
    """The shape read from the text alone (no graph lookups yet)."""

    name: str
    target_types: tuple[str, ...] = ()
    entity_text: str | None = None
    speaker_text: str | None = None
    since: date | None = None
    until: date | None = None


def parse_date(text: str) -> date | None:
    """ISO day, month or year ("2026-03-01", "2026-03", "2026"), or "March 2026", "1 March 2026",
    "March 1, 2026"; None if it is none of these. A month or year means its first day."""
    text = text.strip().lower().replace(",", " ")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date(int(text[:4]), int(text[5:]), 1)
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1)
        parts = [part.rstrip(".") for part in text.split()]
        if len(parts) == 2 and parts[0] in _MONTHS and parts[1].isdigit():
            return date(int(parts[1]), _MONTHS[parts[0]], 1)
        if len(parts) == 3 and parts[2].isdigit():
            if parts[0] in _MONTHS and parts[1].isdigit():
                return date(int(parts[2]), _MONTHS[parts[0]], int(parts[1]))
            if parts[1] in _MONTHS and parts[0].isdigit():
                return date(int(parts[2]), _MONTHS[parts[1]], int(parts[0]))
    except ValueError:
        return None
    return None


def parse_shape(query: str) -> Shape:
    text = " ".join(query.split()).rstrip("?.! ")
    since = until = None
    tail = DATE_TAIL.search(text)
    if tail and (day := parse_date(tail.group("date"))) is not None:
        if tail.group("word").lower() in ("since", "after", "from"):
            since = day
        else:
            until = day
        text = text[: tail.start()]
    if match := SAID_ABOUT.match(text):
        return Shape("said_about", ("Note",), _entity(match.group("entity")), _entity(match.group("speaker")), since, until)
    if match := TIMELINE.match(text):
        return Shape("timeline", ("Note", "Paper", "PolicyEvent"), _entity(match.group("entity")), None, since, until)
    if match := CONNECTED.match(text):
        return Shape("connected", (TYPE_WORDS[match.group("type").lower()],), _entity(match.group("entity")), None, since, until)
    if (since or until) and (match := TYPE_SINCE.match(text)):
        return Shape("since", (TYPE_WORDS[match.group("type").lower()],), None, None, since, until)
    return Shape("free", (), None, None, since, until)


def _entity(text: str) -> str:
    return text.strip().strip("\"'“”‘’").strip()


def interpret(deps: RetrievalDeps, query: str) -> Interpretation:
    """The shape, plus its entity (and speaker) resolved to graph nodes; free text: the entities it names."""
    shape = parse_shape(query)
    base = Interpretation(shape.name, shape.target_types, shape.entity_text, shape.speaker_text, shape.since, shape.until)
    if shape.name == "since":
        return base
    if shape.entity_text is None:
        return replace(base, resolutions=tuple(_free_text_entities(deps, query)))
    found = resolve_name(deps, shape.entity_text, exhaustive=False)
    resolutions = tuple(r for r in found if r.score == found[0].score) if found else ()
    speaker = None
    if shape.speaker_text:
        speakers = resolve_name(deps, shape.speaker_text, SPEAKER_LABELS, exhaustive=False)
        speaker = speakers[0] if speakers else None
    return replace(base, resolutions=resolutions, speaker=speaker)


def _free_text_entities(deps: RetrievalDeps, query: str) -> list:
    found = find_mentions(deps, query)
    if found or len(query.split()) > 5:
        return found
    # A short query naming nothing exactly may still be a name, misspelt or paraphrased.
    named = resolve_name(deps, query, embedding_threshold=deps.config.short_query_embedding_threshold, exhaustive=False)
    return [named[0]] if named else []
