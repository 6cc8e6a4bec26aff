"""What the generated pages are made from, read from the vault: the notes' mentions and text, the entity pages.

Notes are read in two steps: every note's front matter once (who mentions what, when, at which tier),
then the full page only of the notes an entity page being generated needs (TL;DR, open questions).
A note or page that cannot be read is reported in `errors` and left out, never fatal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from graph.entities_md import read_entities
from graph.errors import NoteFormatError
from graph.model import Entity, Note
from graph.notes_md import parse_note
from graph.vault import Vault, split_front_matter

EntityKey = tuple[str, str]  # (type, id)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")


@dataclass(frozen=True)
class NoteFacts:
    """A note as its front matter gives it: enough to list it on a page."""

    id: str
    title: str
    published: str  # ISO date
    tier: int
    domain: str
    source: str  # how the page names the source
    mentions: tuple[tuple[str, str, float], ...]  # (type, id, salience)


@dataclass(frozen=True)
class Mentioned:
    note: str
    salience: float


@dataclass
class VaultFacts:
    notes: dict[str, NoteFacts] = field(default_factory=dict)
    entities: dict[EntityKey, Entity] = field(default_factory=dict)
    mentioned_by: dict[EntityKey, list[Mentioned]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    vault: Vault | None = None
    not_questions: frozenset[str] = frozenset()  # summarizer placeholders that stand in for "no question"
    _texts: dict[str, Note | None] = field(default_factory=dict)

    def note_text(self, note_id: str) -> Note | None:
        """The fully parsed note (cached), or None when it cannot be read (recorded in `errors`)."""
        if note_id not in self._texts:
            path = self.vault.note_path(note_id)
            try:
                self._texts[note_id] = parse_note(path.read_text(encoding="utf-8"), path=self.vault.relative(path))
            except (NoteFormatError, OSError, UnicodeDecodeError) as exc:
                self.errors.append(f"{self.vault.relative(path)}: {exc}")
                self._texts[note_id] = None
        return self._texts[note_id]

    def notes_of(self, key: EntityKey) -> list[tuple[NoteFacts, float]]:
        """(note, salience) of the notes mentioning the entity: most salient first, then newest, then id."""
        found = [(self.notes[m.note], m.salience) for m in self.mentioned_by.get(key, []) if m.note in self.notes]
        return sorted(found, key=lambda pair: (-pair[1], _negated(pair[0].published), pair[0].id))


def _negated(day: str) -> str:
    # Newest first inside an ascending sort: invert each digit of the ISO date.
    return day.translate(str.maketrans("0123456789", "9876543210"))


def read_vault_facts(vault: Vault, not_questions: frozenset[str] = frozenset()) -> VaultFacts:
    facts = VaultFacts(vault=vault, not_questions=frozenset(" ".join(text.split()) for text in not_questions))
    page_errors: list[NoteFormatError] = []
    for entity in read_entities(vault, errors=page_errors):
        facts.entities[(entity.type, entity.id)] = entity
    facts.errors.extend(str(error) for error in page_errors)
    for path in vault.note_paths():
        try:
            note = _note_facts(path)
        except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
            facts.errors.append(f"{vault.relative(path)}: front matter unreadable ({exc})")
            continue
        facts.notes[note.id] = note
        for entity_type, entity_id, salience in note.mentions:
            facts.mentioned_by[(entity_type, entity_id)].append(Mentioned(note.id, salience))
    return facts


def _note_facts(path: Path) -> NoteFacts:
    meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    published = meta["published"]
    mentions = []
    for item in meta.get("entities") or []:
        if isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(item.get("id"), str):
            mentions.append((item["type"], item["id"], float(item.get("salience") or 0.0)))
    return NoteFacts(
        id=path.stem,
        title=str(meta["title"]),
        published=published.isoformat() if isinstance(published, date) else str(published),
        tier=int(meta["tier"]),
        domain=str(meta.get("domain") or "general"),
        source=str(meta.get("source_name") or meta["source"]),
        mentions=tuple(mentions),
    )


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [part.strip() for part in SENTENCE_END.split(flat) if part.strip()]


def names_pattern(entity: Entity | None, fallback: str) -> re.Pattern[str]:
    """Matches the entity's name or any alias as whole words, ignoring case."""
    names = [fallback] if entity is None else [entity.name, *entity.aliases]
    names = sorted({name.strip() for name in names if name and len(name.strip()) > 1}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names) or re.escape(fallback)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def mentioning_sentence(facts: VaultFacts, key: EntityKey, limit: int = 3) -> list[tuple[str, NoteFacts]]:
    """Up to `limit` sentences of the notes' TL;DR and Why-it-matters naming the entity (one per note), with
    the note each comes from. A sentence that starts with the name (it is the subject: the likeliest
    definition) comes first, then the notes' order: most salient, then newest."""
    entity = facts.entities.get(key)
    pattern = names_pattern(entity, key[1].replace("-", " "))
    found = []
    for note, _ in facts.notes_of(key):
        parsed = facts.note_text(note.id)
        if parsed is None:
            continue
        # A sentence holding a [[link]] points at other pages (the summarizer's "ties to" lines): not a statement.
        naming = [s for s in sentences(parsed.tldr + " " + parsed.why_it_matters) if pattern.search(s) and "[[" not in s]
        if naming:
            subject = next((s for s in naming if pattern.match(s)), None)
            found.append((subject is None, len(found), subject or naming[0], note))
    return [(sentence, note) for _, _, sentence, note in sorted(found, key=lambda item: item[:2])[:limit]]
