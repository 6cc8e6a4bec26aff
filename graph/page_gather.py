"""The inputs of one entity's generated block, gathered from the vault facts and the graph.

Everything a block shows is in `PageInputs`, so a hash of it decides whether the page must be
written again; rendering (graph/page_render.py) is a pure function of it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from graph.page_blocks import first_paragraph
from graph.page_inputs import EntityKey, NoteFacts, VaultFacts, mentioning_sentence, names_pattern
from graph.read import entity_neighbours

if TYPE_CHECKING:
    from graph.store.base import GraphStore

GENERATOR_VERSION = 1  # bump when the block's layout changes, so every page is regenerated once
MAX_TIMELINE = 40
MAX_LISTED = 15
MAX_QUESTIONS = 10
NEAR_DUPLICATE_RATIO = 0.85  # difflib ratio of normalised questions above which two are one
COMENTION_TYPES = ("Paper", "PolicyEvent", "Concept")
_WORDS = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class Linked:
    """Another page the block links to, with what the block says about it."""

    type: str
    id: str
    name: str
    day: str | None = None
    weight: float | None = None  # RELATED_TO weight, when the graph has one
    notes: int = 0  # notes mentioning both
    gist: str = ""
    gist_note: str | None = None  # note id the gist is taken from
    gist_note_title: str | None = None


@dataclass(frozen=True)
class Cited:
    text: str
    notes: list[tuple[str, str]]  # (note id, title)


@dataclass
class PageInputs:
    type: str
    id: str
    name: str
    human_summary: str
    summary: list[Cited] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    older: int = 0
    papers: list[Linked] = field(default_factory=list)
    related: list[Linked] = field(default_factory=list)
    events: list[Linked] = field(default_factory=list)
    questions: list[Cited] = field(default_factory=list)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)  # tier → source → notes

    def digest(self) -> str:
        payload = json.dumps({"version": GENERATOR_VERSION, **asdict(self)}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def gather(facts: VaultFacts, store: GraphStore | None, key: EntityKey) -> PageInputs:
    entity = facts.entities[key]
    notes = facts.notes_of(key)
    inputs = PageInputs(type=key[0], id=key[1], name=entity.name, human_summary=first_paragraph(entity.body))
    if not inputs.human_summary:
        inputs.summary = [Cited(text, [(note.id, note.title)]) for text, note in mentioning_sentence(facts, key, limit=2)]
    neighbours = _graph_neighbours(store, key)
    co_mentioned = _co_mentions(facts, key, notes)
    inputs.papers = [_with_gist(facts, item) for item in _merge(neighbours.get("Paper", []), co_mentioned["Paper"])][:MAX_LISTED]
    inputs.events = _merge(neighbours.get("PolicyEvent", []), co_mentioned["PolicyEvent"])[:MAX_LISTED]
    # The graph's RELATED_TO (or ABOUT/CONCERNS) concepts when it has any, with their notes in common;
    # otherwise (e.g. an organisation) the concepts its notes mention.
    related = _merge(neighbours.get("Concept", []), co_mentioned["Concept"], only_graph=True)
    inputs.related = sorted(related or co_mentioned["Concept"], key=_strength)[:MAX_LISTED]
    inputs.timeline, inputs.older = _timeline(notes, inputs.papers)
    inputs.questions = _questions(facts, key, notes)
    inputs.sources = _sources(notes)
    return inputs


def _graph_neighbours(store: GraphStore | None, key: EntityKey) -> dict[str, list[Linked]]:
    """Concept, Paper and PolicyEvent neighbours, with the RELATED_TO weight where there is one."""
    if store is None:
        return {}
    found: dict[str, list[Linked]] = {}
    for group in entity_neighbours(store, key[0], key[1], per_type=100):
        if group.label not in COMENTION_TYPES:
            continue
        items = []
        for item in group.items:
            if (group.label, item["id"]) == key:
                continue
            weights = [rel["weight"] for rel in item["relationships"] if rel.get("weight") is not None]
            items.append(Linked(group.label, item["id"], item["title"], day=item.get("date"), weight=max(weights) if weights else None))
        found[group.label] = items
    return found


def _co_mentions(facts: VaultFacts, key: EntityKey, notes: list[tuple[NoteFacts, float]]) -> dict[str, list[Linked]]:
    """Entities of COMENTION_TYPES mentioned by the notes that mention this one, by how many notes."""
    counts: Counter[EntityKey] = Counter()
    for note, _ in notes:
        counts.update({(t, i) for t, i, _ in note.mentions if t in COMENTION_TYPES and (t, i) != key})
    found: dict[str, list[Linked]] = defaultdict(list)
    for (entity_type, entity_id), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        entity = facts.entities.get((entity_type, entity_id))
        if entity is None:
            continue  # no page to link to
        day = entity.first_seen.isoformat() if entity.first_seen else None
        found[entity_type].append(Linked(entity_type, entity_id, entity.name, day=day, notes=count))
    return found


def _merge(from_graph: list[Linked], from_notes: list[Linked], only_graph: bool = False) -> list[Linked]:
    """The graph's neighbours first (strongest first), then co-mentioned ones it lacks; one row per id."""
    notes_of = {item.id: item.notes for item in from_notes}
    merged = {item.id: Linked(**{**asdict(item), "notes": notes_of.get(item.id, 0)}) for item in sorted(from_graph, key=_strength)}
    if not only_graph:
        for item in from_notes:
            merged.setdefault(item.id, item)
    return list(merged.values())


def _strength(item: Linked) -> tuple:
    return (-(item.weight or 0.0), -item.notes, item.name.lower(), item.id)


def _with_gist(facts: VaultFacts, item: Linked) -> Linked:
    """A paper's one line: its page's own first paragraph, else the most salient note sentence naming it."""
    entity = facts.entities.get((item.type, item.id))
    own = first_paragraph(entity.body) if entity else ""
    if own:
        return Linked(**{**asdict(item), "gist": _first_sentence(own)})
    found = mentioning_sentence(facts, (item.type, item.id), limit=1)
    if found:
        text, note = found[0]
        return Linked(**{**asdict(item), "gist": text, "gist_note": note.id, "gist_note_title": note.title})
    return item


def _first_sentence(text: str) -> str:
    match = re.search(r"(?<=[.!?])\s", text)
    return text[: match.start()] if match else text


def _timeline(notes: list[tuple[NoteFacts, float]], papers: list[Linked]) -> tuple[list[dict], int]:
    rows = [
        {"day": note.published, "kind": f"Tier {note.tier}", "target": f"notes/{note.id}", "title": note.title, "by": note.source}
        for note, _ in notes
    ]
    rows += [{"day": paper.day, "kind": "paper", "target": f"papers/{paper.id}", "title": paper.name, "by": ""} for paper in papers if paper.day]
    rows.sort(key=lambda row: (row["day"], row["target"]), reverse=True)
    return rows[:MAX_TIMELINE], max(0, len(rows) - MAX_TIMELINE)


def normalise_question(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def dedupe_questions(items: list[tuple[str, tuple[str, str], str]], limit: int = MAX_QUESTIONS) -> list[Cited]:
    """Questions (text, (note id, title), note date) in order, one per meaning: equal once normalised, or
    near-equal (difflib ratio), merge. A merged question reads as its earliest asker put it; its notes
    are cited oldest first."""
    kept: list[tuple[str, list[tuple[str, str, tuple[str, str]]]]] = []  # (normalised, [(date, text, note)])
    for text, note, day in items:
        norm = normalise_question(text)
        if not norm:
            continue
        same = next((entry for entry in kept if entry[0] == norm or _near(entry[0], norm)), None)
        if same is None:
            kept.append((norm, [(day, " ".join(text.split()), note)]))
        elif all(note != asked[2] for asked in same[1]):
            same[1].append((day, " ".join(text.split()), note))
    cited = []
    for _, asked in kept[:limit]:
        asked = sorted(asked, key=lambda item: (item[0], item[2][0]))
        cited.append(Cited(asked[0][1], [note for _, _, note in asked]))
    return cited


def _near(a: str, b: str) -> bool:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO and matcher.ratio() >= NEAR_DUPLICATE_RATIO


def _questions(facts: VaultFacts, key: EntityKey, notes: list[tuple[NoteFacts, float]]) -> list[Cited]:
    """The notes' open questions: those naming the entity first, then by the notes' order (most salient,
    newest); the summarizers' "no question" placeholders left out."""
    pattern = names_pattern(facts.entities.get(key), key[1].replace("-", " "))
    items = []
    for note, _ in notes:
        parsed = facts.note_text(note.id)
        if parsed is not None:
            asked = [q for q in parsed.open_questions if " ".join(q.split()) not in facts.not_questions]
            items += [(question, (note.id, note.title), note.published) for question in asked]
    items.sort(key=lambda item: not pattern.search(item[0]))  # stable: the notes' order within each kind
    return dedupe_questions(items)


def _sources(notes: list[tuple[NoteFacts, float]]) -> dict[str, dict[str, int]]:
    by_tier: dict[str, Counter[str]] = defaultdict(Counter)
    for note, _ in notes:
        by_tier[str(note.tier)][note.source] += 1
    return {tier: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) for tier, counts in sorted(by_tier.items(), key=lambda kv: int(kv[0]))}
