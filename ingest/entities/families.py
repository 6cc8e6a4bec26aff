"""Model families: a post that names "Zeta 3.5 Pro" makes "Zeta" a model family, so "Zeta" alone and
"Zeta Nano" (the family followed by a capitalised product word) are models in that post too."""

from __future__ import annotations

import re

from ingest.entities.found import Found, weak_name
from ingest.entities.text import Segment
from ingest.entities.vocabulary import (
    FUNCTION_WORDS,
    MONTHS_AND_DAYS,
    NUMBERED_NOUNS,
    ORG_HEADS,
    ORG_SUFFIX_AI,
    PERSON_TITLES,
)

VERSIONED_RULES = frozenset({"model-version", "model-hyphen", "model-size"})
# The family name is what comes before the first token holding a digit ("Zeta-2", "Zeta 3.5", "Zeta V3").
FAMILY_RE = re.compile(r"^((?:[A-Za-z][\w]*[ -])+?)(?=[A-Za-z]?\d)")
PRODUCT_WORD = r"[A-Z][A-Za-z]+"


def family_mentions(segments: list[Segment], found: list[Found]) -> list[Found]:
    families = _families(found)
    if not families:
        return []
    pattern = re.compile(
        rf"(?<![\w-])((?i:{'|'.join(map(re.escape, sorted(families, key=len, reverse=True)))}))"
        rf"((?: {PRODUCT_WORD}){{0,2}})(?![\w-])(?!\s?[-.]?\d)"
    )
    mentions = []
    for index, segment in enumerate(segments):
        for match in pattern.finditer(segment.text):
            if not match.group(1)[:1].isupper():
                continue
            name, end = match.group(1), match.end(1)
            if _organisation_follows(match.group(2)) or re.match(r" [A-Z0-9]", segment.text[match.end():]):
                continue  # "Zeta Research" is the family's maker; "Zeta Open Eval Board" a longer name
            product = _product_words(match.group(2))
            if product:
                name = f"{name} {product}"
                end = match.end(1) + 1 + len(product)
            mentions.append(Found("Model", name, index, match.start(1), end, "model-family", 1))
    return mentions


def _families(found: list[Found]) -> set[str]:
    """Family names of the versioned models the post names, less those the post also calls an organisation."""
    organisations = {item.name.lower() for item in found if item.type == "Organization"}
    versions: dict[str, set[str]] = {}
    strong: set[str] = set()
    for item in found:
        if item.type != "Model" or item.rule not in VERSIONED_RULES:
            continue
        match = FAMILY_RE.match(item.name)
        if not match:
            continue
        family = match.group(1).split()[0].rstrip("-")
        lowered = family.lower()
        if (
            len(family) < 3
            or weak_name(family)
            or not family[:1].isupper()
            or lowered in FUNCTION_WORDS | MONTHS_AND_DAYS | NUMBERED_NOUNS | organisations
        ):
            continue
        versions.setdefault(family, set()).add(item.name)
        if item.strength >= 2:
            strong.add(family)
    # One context-guessed version ("Log 1") is too little to call a word a model family.
    return {family for family, names in versions.items() if family in strong or len(names) >= 2}


def _organisation_follows(text: str) -> bool:
    words = text.split()
    return bool(words) and (words[0] in ORG_SUFFIX_AI or words[0].lower() in ORG_HEADS)


def _product_words(text: str) -> str:
    """ "Pro Max" after a family name, stopping at a function word or a title ("Zeta CEO")."""
    words = []
    for word in text.split():
        if word.lower() in FUNCTION_WORDS or word.lower() in PERSON_TITLES or word.isupper():
            break
        words.append(word)
    return " ".join(words)

