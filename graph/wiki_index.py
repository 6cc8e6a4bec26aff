"""The vault's own pages about itself: `index.md`, `log.md` and the daily digests.

- `index.md`: every note by domain and every entity page by type, with counts; rewritten whole
  (only when its text changes).
- `log.md`: one line per ingest event (`- <date> · <kind> · <title> · [[link]]`), appended and never
  rewritten; an event already logged (the same line) is not added again.
- `digest/YYYY-MM/YYYY-MM-DD.md`: the notes published that day, by tier, each with its TL;DR.

None of these is a note or an entity page: sync reads only `notes/` and the entity folders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from graph.model import ENTITY_FOLDERS, ENTITY_TYPES
from graph.page_inputs import VaultFacts, read_vault_facts
from graph.pages import PagesReport, link, regenerate_pages
from graph.vault import Vault, atomic_write_text

if TYPE_CHECKING:
    from graph.page_synthesis import Synthesizer
    from graph.store.base import GraphStore

INDEX_FILE = "index.md"
LOG_FILE = "log.md"
DIGEST_DIR = "digest"
_LOGGED_NOTE = re.compile(r" · \[\[notes/([^\]|]+)[\]|]")
LOG_HEADER = "# Ingest log\n\nOne line per event, oldest first: date · kind · title · link.\n\n"


@dataclass(frozen=True)
class LogEvent:
    day: str  # ISO date
    kind: str  # e.g. "note"
    title: str
    target: str  # wikilink target, e.g. notes/<id>

    def line(self) -> str:
        return f"- {self.day} · {self.kind} · {' '.join(self.title.split())} · {link(self.target, self.title)}"


def write_index(vault: Vault, facts: VaultFacts) -> bool:
    """Rewrite `index.md` from the notes and entity pages; True if its text changed."""
    by_domain: dict[str, list] = defaultdict(list)
    for note in facts.notes.values():
        by_domain[note.domain].append(note)
    by_type: dict[str, list] = defaultdict(list)
    for (entity_type, _), entity in facts.entities.items():
        by_type[entity_type].append(entity)
    lines = [
        "# Index",
        "",
        f"{len(facts.notes) + len(facts.entities)} pages: {len(facts.notes)} notes, {len(facts.entities)} entity pages.",
        "",
        "## Notes by domain",
    ]
    for domain in sorted(by_domain):
        notes = sorted(by_domain[domain], key=lambda n: (n.published, n.id), reverse=True)
        lines += ["", f"### {domain} ({len(notes)})", ""]
        lines += [f"- {n.published} · Tier {n.tier} · {link(f'notes/{n.id}', n.title)}" for n in notes]
    lines += ["", "## Entity pages by type"]
    for entity_type in ENTITY_TYPES:
        entities = sorted(by_type.get(entity_type, []), key=lambda e: (e.name.lower(), e.id))
        if entities:
            folder = ENTITY_FOLDERS[entity_type]
            lines += ["", f"### {entity_type} ({len(entities)})", ""]
            lines += [f"- {link(f'{folder}/{e.id}', e.name)}" for e in entities]
    return atomic_write_text(vault.root / INDEX_FILE, "\n".join(lines) + "\n")


def append_log(vault: Vault, events: Iterable[LogEvent]) -> int:
    """Append the events not yet in `log.md`; the existing text is kept as it is. Returns how many."""
    path = vault.root / LOG_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else LOG_HEADER
    present = set(text.split("\n"))
    new = [line for line in dict.fromkeys(event.line() for event in events) if line not in present]
    if not new:
        return 0
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(path, text + "\n".join(new) + "\n")
    return len(new)


def unlogged_notes(vault: Vault) -> list[str]:
    """Notes with no line in `log.md`: written by a run that stopped before it logged them (or before the log
    existed). File names only, no note is read."""
    path = vault.root / LOG_FILE
    logged = set(_LOGGED_NOTE.findall(path.read_text(encoding="utf-8"))) if path.exists() else set()
    return [note.stem for note in vault.note_paths() if note.stem not in logged]


def digest_path(vault: Vault, day: str) -> Path:
    return vault.root / DIGEST_DIR / day[:7] / f"{day}.md"


def write_digests(vault: Vault, facts: VaultFacts, days: Iterable[str] | None = None) -> list[str]:
    """Write the digest of each day given (default: every day a note was published); the days whose
    page changed."""
    by_day: dict[str, list] = defaultdict(list)
    for note in facts.notes.values():
        by_day[note.published].append(note)
    wanted = sorted(by_day) if days is None else sorted(set(days) & set(by_day))
    return [day for day in wanted if atomic_write_text(digest_path(vault, day), _digest(facts, day, by_day[day]))]


def _digest(facts: VaultFacts, day: str, notes: list) -> str:
    by_tier: dict[int, list] = defaultdict(list)
    for note in notes:
        by_tier[note.tier].append(note)
    lines = [f"# Digest {day}", "", f"{len(notes)} note{'s' if len(notes) != 1 else ''} published this day."]
    for tier in sorted(by_tier):
        lines += ["", f"## Tier {tier} ({len(by_tier[tier])})", ""]
        for note in sorted(by_tier[tier], key=lambda n: (n.source.lower(), n.id)):
            parsed = facts.note_text(note.id)
            tldr = " ".join(parsed.tldr.split()) if parsed else ""
            lines.append(f"- {link(f'notes/{note.id}', note.title)} ({note.source})" + (f": {tldr}" if tldr else ""))
    return "\n".join(lines) + "\n"


@dataclass
class WikiReport:
    pages: PagesReport
    index_changed: bool
    logged: int
    digests: list[str]


def refresh_wiki(
    vault: Vault,
    store: GraphStore | None,
    today: date,
    touched_notes: Iterable[str] | None = None,
    force: bool = False,
    not_questions: frozenset[str] = frozenset(),
    synthesizer: Synthesizer | None = None,
) -> WikiReport:
    """Regenerate entity pages, the index, the log and the digests.

    `not_questions`: texts the summarizers write in Open questions when there is none (not listed on pages).
    `synthesizer`: writes the pages' synthesis paragraphs when an LLM is configured (None: no paragraph).
    `touched_notes` None: every page and every day. Given (an ingest's new or rewritten notes): only the
    pages of the entities those notes mention and the digests of their days, and one log line per note.
    """
    facts = read_vault_facts(vault, not_questions)
    if touched_notes is None:
        only, days, events = None, None, []
    else:
        # Oldest first, as an uninterrupted ingest writes them: a run resuming after a crash logs the same lines.
        notes = sorted((facts.notes[i] for i in set(touched_notes) if i in facts.notes), key=lambda n: (n.published, n.id))
        only = {(entity_type, entity_id) for note in notes for entity_type, entity_id, _ in note.mentions}
        days = {note.published for note in notes}
        events = [LogEvent(today.isoformat(), "note", note.title, f"notes/{note.id}") for note in notes]
    pages = regenerate_pages(vault, store, only=only, force=force, facts=facts, synthesizer=synthesizer)
    index_changed = write_index(vault, facts)
    digests = write_digests(vault, facts, days)
    # The log last: a note is logged only once everything it touches is written (see `unlogged_notes`).
    return WikiReport(pages=pages, index_changed=index_changed, logged=append_log(vault, events), digests=digests)
