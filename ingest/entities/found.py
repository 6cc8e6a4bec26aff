"""What a pattern reports, and the small text helpers the patterns share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.entities.vocabulary import FUNCTION_WORDS, MONTHS_AND_DAYS

# A capitalised word ("OpenAI", "Ai2", "Ford") or a camel-case one starting in lower case ("xAI", "iRobot").
NAME_TOKEN = r"(?:[A-Z][\w&]*(?:-[A-Za-z0-9][\w&]*)*|[a-z]{1,2}[A-Z][\w&]*)"
NAME_SEQ = rf"{NAME_TOKEN}(?:[ ]{NAME_TOKEN}){{0,3}}"
CONNECTED_NAME = rf"{NAME_TOKEN}(?:[ ](?:(?:of|for|and|on|the|&)[ ]){{0,2}}{NAME_TOKEN}){{0,6}}"
SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]['\"”’)\]]*\s+|[\"“(\-—–]\s*)$")
LIST_ITEM = rf"{NAME_TOKEN}(?:[ -][A-Z0-9][\w.\-]*){{0,3}}"
LIST_RE = rf"({LIST_ITEM}(?:,[ ]{LIST_ITEM})*(?:,?[ ](?:and|or)[ ]{LIST_ITEM})?)(?!['’]s)"


@dataclass(frozen=True)
class Found:
    """One entity occurrence a pattern recognised: a proposed type and name, where, and why."""

    type: str
    name: str
    segment: int
    start: int
    end: int
    rule: str
    strength: int  # how sure the rule is of the type: 3 = by form (arXiv id, bill number), 1 = by context
    aliases: tuple[str, ...] = ()
    external_ids: tuple[tuple[str, str], ...] = ()


def at_sentence_start(text: str, start: int) -> bool:
    return bool(SENTENCE_START_RE.search(text[max(0, start - 12) : start])) or start == 0


def clean_name(name: str) -> str:
    """Drop leading function words ("The OpenAI team" → "OpenAI team"), a possessive and stray punctuation."""
    words = name.replace("’", "'").split()
    while words and words[0].lower() in FUNCTION_WORDS:
        words.pop(0)
    text = " ".join(words)
    text = re.sub(r"'s?$", "", text)
    return text.strip(" .,;:-–—'\"()[]")


def plausible_name(name: str) -> bool:
    """A proposed name that is not a lone function word, month, number or one letter."""
    words = name.split()
    if not words or len(name) < 2:
        return False
    if all(word.lower() in FUNCTION_WORDS or word.lower() in MONTHS_AND_DAYS for word in words):
        return False
    return any(ch.isalpha() for ch in name)


GENERIC_ACRONYM_RE = re.compile(r"[A-Z]{1,3}|[A-Z]{2,4}s")
BENCHMARK_MARKERS = ("bench", "eval", "exam", "qa", "arena", "leaderboard")


def weak_name(name: str) -> bool:
    """A name context alone cannot make an entity of: a short acronym ("AI", "GPUs") or a benchmark's name
    ("MMLU-style" evaluations are named *Bench, *Eval, *QA …)."""
    lowered = name.lower()
    short = GENERIC_ACRONYM_RE.fullmatch(name) or (len(name) <= 3 and name.isalpha())
    return bool(short) or any(marker in lowered for marker in BENCHMARK_MARKERS)


def split_list(text: str) -> list[str]:
    """ "A, B, and C" → ["A", "B", "C"]. (LIST_RE never takes "Meta's" as an item: "'s" ends the list.)"""
    items = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text)
    return [item.strip() for item in items if item.strip()]


def title_like(text: str, min_words: int = 1) -> bool:
    """Title Case text: most content words capitalised ("Scaling Laws for Single-Agent RL")."""
    words = re.findall(r"[\w'’\-]+", text)
    if len(words) < min_words or len(words) > 30 or not (text[:1].isupper() or text[:1].isdigit()):
        return False
    content = [word for word in words if word.lower() not in FUNCTION_WORDS]
    if not content:
        return False
    capitalised = sum(1 for word in content if word[0].isupper() or word[0].isdigit())
    return capitalised / len(content) >= 0.6
