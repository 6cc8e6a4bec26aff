"""Offline extraction: pattern findings grouped into proposals (one per entity the post names), and mention
counts over the whole post once every name is known."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ingest.entities.found import Found, at_sentence_start
from ingest.entities.gazetteer import Gazetteer, fold, key_of
from ingest.entities.patterns_docs import document_patterns
from ingest.entities.patterns_names import name_patterns
from ingest.entities.text import Segment

# When two rules disagree on a name's type with equal weight, the more specific type wins.
LOWER_WORD_RE = re.compile(r"\b[a-z][a-z]+\b")
TYPE_ORDER = ("Paper", "PolicyEvent", "Model", "Organization", "Concept", "Person")
PATTERNS = (document_patterns, name_patterns)


@dataclass
class Proposal:
    """An entity the post names, as the patterns (or an LLM extractor) see it, before resolution."""

    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    external_ids: dict[str, str] = field(default_factory=dict)
    found: list[Found] = field(default_factory=list)
    strength: int = 1


def find_all(segments: list[Segment]) -> list[Found]:
    found: list[Found] = []
    for index, segment in enumerate(segments):
        previous = segments[index - 1] if index else None
        here = [item for patterns in PATTERNS for item in patterns(index, segment, previous)]
        found.extend(item for item in here if not _overruled(item, here))
    return found


def _overruled(item: Found, others: list[Found]) -> bool:
    """A context guess ("Meta Ray" as a person) inside a span a form-based rule typed otherwise."""
    return item.strength < 2 and any(
        other.strength >= 2 and other.type != item.type and other.start < item.end and item.start < other.end
        for other in others
    )


def propose(segments: list[Segment]) -> list[Proposal]:
    return group(find_all(segments))


def group(found: list[Found]) -> list[Proposal]:
    """Group findings by external id, else by name; each group takes the type its rules weigh most."""
    groups: dict[str, list[Found]] = defaultdict(list)
    by_external: dict[tuple[str, str], str] = {}
    for item in found:
        key = next((by_external[pair] for pair in item.external_ids if pair in by_external), None)
        key = key or name_group(item.name)
        for pair in item.external_ids:
            by_external.setdefault(pair, key)
        groups[key].append(item)
    proposals = [_proposal(found) for _, found in sorted(groups.items())]
    return [proposal for proposal in proposals if proposal is not None]


def name_group(name: str) -> str:
    return fold(key_of(name)).replace(" ", "")


def _proposal(found: list[Found]) -> Proposal | None:
    weight: dict[str, int] = defaultdict(int)
    for item in found:
        weight[item.type] += item.strength
    entity_type = min(weight, key=lambda t: (-weight[t], TYPE_ORDER.index(t)))
    typed = [item for item in found if item.type == entity_type]
    names = sorted({item.name for item in typed}, key=lambda n: (-_name_quality(n), n))
    external_ids: dict[str, str] = {}
    for item in typed:
        for scheme, value in item.external_ids:
            external_ids.setdefault(scheme, value)
    aliases = sorted({alias for item in typed for alias in item.aliases} | set(names[1:]) - {names[0]})
    return Proposal(entity_type, names[0], aliases, external_ids, typed, max(item.strength for item in typed))


def _name_quality(name: str) -> int:
    """Prefer a real title to "arXiv 2401.01234", and the longer of two spellings."""
    return (0 if name.startswith("arXiv ") else 1000) + len(name)


# -------------------------------------------------------------------------------------------- counting


@dataclass
class Count:
    count: int = 0
    weight: float = 0.0
    surfaces: set[str] = field(default_factory=set)


def count_mentions(
    segments: list[Segment],
    gazetteer: Gazetteer,
    found_by_ref: dict[str, list[Found]],
    prefer: set[str],
    standing: dict[str, int] | None = None,
) -> dict[str, Count]:
    """Mentions per entity reference: every gazetteer match, plus pattern findings no match covers
    (an arXiv link whose text is just "paper"). A name shared by several entities goes to the one the post
    itself proposed, else to the one most notes mention (`standing`), else to the first by reference order."""
    standing = standing or {}
    counts: dict[str, Count] = defaultdict(Count)
    covered: dict[str, set[tuple[int, int, int]]] = defaultdict(set)
    lower_words = {word for segment in segments for word in LOWER_WORD_RE.findall(segment.text)}
    for index, segment in enumerate(segments):
        for hit, refs in gazetteer.find(segment.text):
            if _ordinary_word(hit.surface, segment.text, hit.start, lower_words):
                continue
            chosen = sorted(refs & prefer) or sorted(refs, key=lambda r: (-standing.get(r, 0), r))
            ref = chosen[0]
            _add(counts[ref], segment, hit.surface)
            covered[ref].add((index, hit.start, hit.end))
    for ref, items in found_by_ref.items():
        for item in items:
            spans = covered[ref]
            if any(i == item.segment and s < item.end and item.start < e for i, s, e in spans):
                continue
            spans.add((item.segment, item.start, item.end))
            segment = segments[item.segment]
            _add(counts[ref], segment, segment.text[item.start : item.end])
    return dict(counts)


def _ordinary_word(surface: str, text: str, start: int, lower_words: set[str]) -> bool:
    """ "Scale matters" is not Scale AI: a one-word Title-case name opening a sentence, in a post that
    also writes the word in lower case, is read as the ordinary word."""
    if not surface.isalpha() or not surface[:1].isupper() or surface[1:] != surface[1:].lower():
        return False
    return surface.lower() in lower_words and at_sentence_start(text, start)


def _add(count: Count, segment: Segment, surface: str) -> None:
    count.count += 1
    count.weight += segment.weight
    count.surfaces.add(surface)
