"""Patterns for papers, policy events and defined acronyms: things recognisable by their form alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entities.found import CONNECTED_NAME, NAME_TOKEN, Found, clean_name, plausible_name, title_like
from ingest.entities.text import Segment
from ingest.entities.vocabulary import (
    CONCEPT_HEADS,
    FUNCTION_WORDS,
    GENERIC_LINK_TEXT,
    ORG_HEADS,
    ORG_OPENERS,
    POLICY_HEADS,
    TOO_GENERAL,
)

ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
ARXIV_TEXT_RE = re.compile(r"\barXiv:?\s*(\d{4}\.\d{4,5})(?:v\d+)?\b", re.IGNORECASE)
# What may stand between a title and the arXiv id that follows it: "*Title* (arXiv:2401.01234)", "*Title*, arXiv 2401…".
TITLE_TO_ID_GAP_RE = re.compile(r"[\s*_\"”’']*[(\[,–—-]?\s*")
PAPER_CUE_RE = re.compile(r"\b(?:paper|papers|preprint|arxiv|report|study|publication|proceedings)\b", re.IGNORECASE)
NAMED_DOCUMENT_RE = re.compile(
    rf"\b(?:[Tt]he|[Oo]ur|[Tt]heir|[Ii]ts|{NAME_TOKEN}'s|{NAME_TOKEN}’s)\s+"
    r"((?:[A-Z0-9][\w.\-]*)(?:\s+[\w.\-]+){0,3}?)\s+"
    r"(paper|technical report|report|system card|System Card|preprint)\b"
)
BILL_RE = re.compile(r"(?<![\w.])(H\.\s?R\.|H\.\s?Res\.|S\.\s?Res\.|S\.|SB|AB|HB)\s?(\d{1,5})\b")
EXECUTIVE_ORDER_RE = re.compile(r"\bExecutive Order(?: No\.)?\s+(\d{5})\b")
NAMED_ORDER_RE = re.compile(rf"\b(?:the\s+)?({NAME_TOKEN}(?:\s{NAME_TOKEN})?)(?:'s|’s)?\s+[Ee]xecutive [Oo]rder\b")
COURT_CASE_RE = re.compile(
    rf"\b({NAME_TOKEN}(?:\s{NAME_TOKEN}){{0,3}}\s+v\.\s+{NAME_TOKEN}(?:\s{NAME_TOKEN}){{0,3}}\.?)"
)
POLICY_NAME_RE = re.compile(rf"\b({CONNECTED_NAME})\b")
ACRONYM_DEFINITION_RE = re.compile(r"\(([A-Z][A-Za-z0-9&]*[A-Z][A-Za-z0-9]*|[A-Z]{2,})(s?)\)")
WORD_RE = re.compile(r"[\w][\w'’\-]*|[,&]")


def document_patterns(index: int, segment: Segment, previous: Segment | None) -> Iterator[Found]:
    yield from _arxiv(index, segment)
    yield from _emphasised_titles(index, segment, previous)
    yield from _named_documents(index, segment)
    yield from _policy(index, segment)
    yield from _acronym_definitions(index, segment)


# ----------------------------------------------------------------------------------------------- papers


def _arxiv(index: int, segment: Segment) -> Iterator[Found]:
    linked: set[tuple[int, int]] = set()
    for link in segment.links:
        match = ARXIV_URL_RE.search(link.href or "")
        if not match:
            continue
        arxiv_id = match.group(1)
        text = segment.text[link.start : link.end].strip()
        # A short link text names the paper's subject ("QLoRA"), which elsewhere may mean a model or benchmark.
        if not _is_title(text):
            name = f"arXiv {arxiv_id}"
        elif len(text.split()) <= 2:
            name = f"{text} paper"
        else:
            name = text
        linked.add((link.start, link.end))
        yield Found("Paper", name, index, link.start, link.end, "arxiv-link", 3, (), (("arxiv", arxiv_id),))
    for match in ARXIV_TEXT_RE.finditer(segment.text):
        arxiv_id = match.group(1)
        yield Found("Paper", f"arXiv {arxiv_id}", index, match.start(), match.end(), "arxiv-id", 3, (),
                    (("arxiv", arxiv_id),))


def _is_title(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and text.lower() not in GENERIC_LINK_TEXT and title_like(text) and len(text) <= 200


def _emphasised_titles(index: int, segment: Segment, previous: Segment | None) -> Iterator[Found]:
    """An italic or bold title next to the word "paper" (or an arXiv link), in this paragraph or the one before."""
    cue = PAPER_CUE_RE.search(segment.text) or (previous is not None and PAPER_CUE_RE.search(previous.text))
    cue = cue or any(ARXIV_URL_RE.search(link.href or "") for link in segment.links)
    if not cue:
        return
    for span in segment.emphasis:
        text = segment.text[span.start : span.end].strip(" .,;*_")
        if len(text.split()) >= 3 and _is_title(text):
            arxiv_id = _arxiv_id_after(segment, span.end)
            if arxiv_id is None:
                yield Found("Paper", text, index, span.start, span.end, "emphasised-title", 2)
            else:  # the title and its id are one paper, grouped with the id's own finding by the shared id
                yield Found("Paper", text, index, span.start, span.end, "emphasised-title", 3, (), (("arxiv", arxiv_id),))


def _arxiv_id_after(segment: Segment, end: int) -> str | None:
    """The arXiv id written right after a title, as text ("(arXiv:2401.01234)") or as a link to arxiv.org."""
    gap = TITLE_TO_ID_GAP_RE.match(segment.text, end)
    start = gap.end() if gap else end
    written = ARXIV_TEXT_RE.match(segment.text, start)
    if written:
        return written.group(1)
    for link in segment.links:
        linked = ARXIV_URL_RE.search(link.href or "")
        if linked and end <= link.start <= start:
            return linked.group(1)
    return None


def _named_documents(index: int, segment: Segment) -> Iterator[Found]:
    """ "the DPO paper", "their Llama 3 paper", "the GPT-4 System Card", "the Gemini 2.5 report"."""
    for match in NAMED_DOCUMENT_RE.finditer(segment.text):
        subject = match.group(1).strip()
        if subject.split()[0].lower() in FUNCTION_WORDS or not plausible_name(subject):
            continue
        kind = match.group(2).lower()
        name = f"{subject} {'System Card' if kind == 'system card' else kind}"
        yield Found("Paper", name, index, match.start(1), match.end(2), "named-document", 2)


# ----------------------------------------------------------------------------------------------- policy


def _policy(index: int, segment: Segment) -> Iterator[Found]:
    text = segment.text
    for match in BILL_RE.finditer(text):
        prefix = re.sub(r"\s", "", match.group(1))
        if prefix == "S." and not re.match(r"\d{2,5}\b", match.group(2)):
            continue
        bill = f"{prefix} {match.group(2)}"
        yield Found("PolicyEvent", bill, index, match.start(), match.end(), "bill", 3, (), (("bill", bill),))
    for match in EXECUTIVE_ORDER_RE.finditer(text):
        number = match.group(1)
        yield Found("PolicyEvent", f"Executive Order {number}", index, match.start(), match.end(), "executive-order",
                    3, (), (("executive_order", number),))
    for match in NAMED_ORDER_RE.finditer(text):
        who = clean_name(match.group(1))
        if plausible_name(who) and who != "Executive":
            yield Found("PolicyEvent", f"{who} executive order", index, match.start(1), match.end(), "named-order", 2)
    for match in COURT_CASE_RE.finditer(text):
        case = clean_name(match.group(1)) if not match.group(1).endswith(".") else match.group(1).strip()
        case = re.sub(r"^(?:The|A|An)\s+", "", case)
        yield Found("PolicyEvent", case, index, match.start(1), match.end(1), "court-case", 3)
    for match in POLICY_NAME_RE.finditer(text):
        words = match.group(1).split()
        if len(words) >= 2 and words[-1].lower() in POLICY_HEADS and words[-1][0].isupper():
            name = clean_name(match.group(1))
            if len(name.split()) >= 2 and plausible_name(name):
                yield Found("PolicyEvent", name, index, match.start(1), match.end(1), "policy-name", 2)


# ------------------------------------------------------------------------------------------- acronyms


def _acronym_definitions(index: int, segment: Segment) -> Iterator[Found]:
    """ "Direct Preference Optimization (DPO)", "Federal Aviation Administration (FAA)": the long form is the
    shortest run of preceding words whose letters spell the acronym (Schwartz & Hearst)."""
    text = segment.text
    for match in ACRONYM_DEFINITION_RE.finditer(text):
        acronym = match.group(1)
        words = list(WORD_RE.finditer(text[: match.start()]))
        long_form = _long_form(acronym, words, text)
        if long_form is None:
            continue
        start, phrase = long_form
        if phrase.lower() in TOO_GENERAL:
            continue
        entity_type = _acronym_type(phrase, acronym)
        if entity_type is None:
            continue
        name = phrase if entity_type != "Concept" or phrase.isupper() else phrase[0].upper() + phrase[1:]
        yield Found(entity_type, name, index, start, match.end(), "acronym", 2, (acronym,))


def _long_form(acronym: str, words: list[re.Match], text: str) -> tuple[int, str] | None:
    letters = [ch.lower() for ch in acronym if ch.isalnum()]
    most = min(len(words), len(letters) + 5, 2 * len(letters))
    for count in range(1, most + 1):
        chosen = words[-count:]
        if any(word.group() in ",&" for word in chosen[:1]):
            continue
        phrase = text[chosen[0].start() : chosen[-1].end()]
        if "\n" in phrase or not chosen[0].group()[0].lower() == letters[0]:
            continue
        if chosen[0].group().lower() in FUNCTION_WORDS:
            continue
        if _spells(letters, phrase) and len(chosen) >= max(1, len(letters) // 2):
            return chosen[0].start(), phrase.strip()
    return None


def _spells(letters: list[str], phrase: str) -> bool:
    """Every letter of the acronym, in order from the right, found in the phrase; the first at a word start."""
    position = len(phrase) - 1
    for number, letter in enumerate(reversed(letters)):
        first_letter = number == len(letters) - 1
        while position >= 0 and (
            phrase[position].lower() != letter or (first_letter and position > 0 and phrase[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return False
        position -= 1
    return True


def _acronym_type(phrase: str, acronym: str) -> str | None:
    words = [word for word in re.findall(r"[\w'’]+", phrase)]
    head = words[-1].lower()
    capitalised = title_like(phrase) and len(words) > 1
    if any(word in ORG_OPENERS for word in (w.lower() for w in words[:2])) and capitalised:
        return "Organization"
    if head in ORG_HEADS and capitalised or (head == "research" and capitalised):
        return "Organization"
    if head in POLICY_HEADS and capitalised:
        return "PolicyEvent"
    if head.rstrip("s") == "model" and capitalised and any(ch.islower() for ch in acronym):
        return "Model"
    lowered = phrase[1:] == phrase[1:].lower() or not capitalised
    if head in CONCEPT_HEADS or (lowered and head.rstrip("s") in CONCEPT_HEADS):
        return "Concept"
    if not capitalised and len(words) >= 2 and words[0].lower() not in FUNCTION_WORDS:
        return "Concept"
    return None
