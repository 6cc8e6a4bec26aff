"""Names typed by their neighbours: in "OpenAI, Anthropic, and Google" one known organisation types the others,
and in "OpenAI's o1" a known model makes its owner an organisation. Runs after the other patterns, with what
they and the vault already know."""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.entities.extract import Proposal, name_group
from ingest.entities.found import NAME_SEQ, NAME_TOKEN, Found, clean_name, plausible_name, weak_name
from ingest.entities.patterns_names import common_word
from ingest.entities.text import Segment
from ingest.entities.vocabulary import FUNCTION_WORDS, ORG_HEADS, PERSON_TITLES

ITEM = rf"(?:{NAME_TOKEN}|o\d[\w-]*)(?:[ -][A-Z0-9][\w.\-]*){{0,3}}"
COORDINATION_RE = re.compile(
    rf"(?<![\w-])({ITEM}(?:,[ ]{ITEM})+,?[ ](?:and|or)[ ]{ITEM}|{ITEM}[ ](?:and|or|vs\.?|versus|/)[ ]{ITEM})(?![\w-])"
)
POSSESSIVE_RE = re.compile(rf"\b({NAME_SEQ})(?:'s|’s)\s+({ITEM})")
SPREADING_TYPES = ("Organization", "Model", "Person")

TypeOf = Callable[[str], str | None]


def coordinated(segments: list[Segment], type_of: TypeOf) -> list[Found]:
    found: list[Found] = []
    for index, segment in enumerate(segments):
        found.extend(_lists(index, segment, type_of))
        found.extend(_owners(index, segment, type_of))
    return found


def type_lookup(proposals: list[Proposal], catalog_types: Callable[[str], set[str]]) -> TypeOf:
    """The type a name already has in this post's proposals or in the vault (None if unknown or contested)."""
    by_name = {name_group(p.name): p.type for p in proposals}

    def type_of(name: str) -> str | None:
        known = by_name.get(name_group(name))
        if known:
            return known
        types = catalog_types(name)
        return next(iter(types)) if len(types) == 1 else None

    return type_of


def _items(text: str) -> list[tuple[str, int]]:
    items, position = [], 0
    for part in re.split(r"(,\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus|/)\s+)", text):
        if part and not re.fullmatch(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus|/)\s+", part):
            items.append((part.strip(), position))
        position += len(part)
    return items


def _lists(index: int, segment: Segment, type_of: TypeOf) -> list[Found]:
    found = []
    for match in COORDINATION_RE.finditer(segment.text):
        items = [(clean_name(item), match.start(1) + offset) for item, offset in _items(match.group(1))]
        known = [type_of(name) for name, _ in items]
        types = set(known) - {None}
        # Two names joined by "and" are often of different kinds ("ChatGPT and Google"); a longer list seldom is,
        # nor is a pair beside an organisation ("Acme and Zorbo"): companies are compared with companies.
        if len(types) != 1 or next(iter(types)) not in SPREADING_TYPES:
            continue
        if len(items) < 3 and types != {"Organization"}:
            continue
        if re.match(r"['’]s\b", segment.text[match.end(1) :]):
            continue
        entity_type = next(iter(types))
        for name, start in items:
            if type_of(name) is None and _acceptable(name, segment.text, start):
                found.append(Found(entity_type, name, index, start, start + len(name), "coordination", 1))
    return found


def _owners(index: int, segment: Segment, type_of: TypeOf) -> list[Found]:
    """ "OpenAI's o1": a known model makes its owner an organisation; "OpenAI's Codex": a known organisation
    makes the one capitalised word it owns a model (not a team or title: those are in ORG_HEADS/PERSON_TITLES)."""
    found = []
    for match in POSSESSIVE_RE.finditer(segment.text):
        owner, owned = clean_name(match.group(1)), match.group(2).split()
        if any(type_of(" ".join(owned[:n])) == "Model" for n in range(len(owned), 0, -1)):
            if type_of(owner) is None and _acceptable(owner, segment.text, match.start(1)):
                found.append(Found("Organization", owner, index, match.start(1), match.start(1) + len(owner), "owner", 1))
        elif type_of(owner) == "Organization" and len(owned) == 1 and _product(owned[0], segment.text, match.start(2)):
            start = match.start(2)
            found.append(Found("Model", owned[0], index, start, start + len(owned[0]), "owned", 1))
    return found


def _product(word: str, text: str, start: int) -> bool:
    lowered = word.lower()
    return (
        _acceptable(word, text, start)
        and lowered not in ORG_HEADS
        and lowered not in PERSON_TITLES
        and not word.isupper()
    )


def _acceptable(name: str, text: str, start: int) -> bool:
    return (
        plausible_name(name)
        and (name[:1].isupper() or bool(re.match(r"o\d", name)))
        and not weak_name(name)
        and name.lower() not in FUNCTION_WORDS
        and not common_word(name, text, start)
        and len(name.split()) <= 4
    )
