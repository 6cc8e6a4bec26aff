"""Generated sections of entity pages (Concept, Paper, PolicyEvent, Organization), kept current.

Each page gets a block between the markers of graph/page_blocks.py: a short summary (only when the
person has not written the page's first paragraph: theirs is the definition), the timeline of dated
notes and papers, the papers tracked with a one-line gist, related concepts (weighted, from the graph),
policy events, the notes' open questions de-duplicated, and the sources by tier. Every line cites the
note it comes from. Text outside the markers is never touched.

When the entry point passes a `Synthesizer` (an LLM is configured), a page that at least two notes
mention also gets a paragraph on what those notes have in common (graph/page_synthesis.py), citing
the notes it draws on and naming the model that wrote it. A synthesis that fails leaves the rest of
the block as it would be without it, and a warning in the report.

Regeneration is incremental and idempotent: the block's inputs (graph/page_gather.py, plus the
synthesis request and the model's name) are hashed and the hash kept in the page's front matter as
`generated_hash`; a page whose hash is unchanged is not rewritten and its synthesizer not called,
and an unchanged input always renders to the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from graph.entities_md import entity_path, render_entity
from graph.errors import WikigraphError
from graph.page_blocks import generated_part, splice
from graph.page_gather import Linked, PageInputs, gather
from graph.page_inputs import EntityKey, VaultFacts, read_vault_facts
from graph.page_synthesis import (
    PageSynthesis,
    SynthesisFailed,
    SynthesisRequest,
    Synthesizer,
    checked,
    page_digest,
    synthesis_request,
)
from graph.vault import Vault, atomic_write_text
from graph.wikilinks import FORBIDDEN_IN_LABEL, format_wikilink

if TYPE_CHECKING:
    from graph.store.base import GraphStore

log = logging.getLogger(__name__)
PAGE_TYPES = ("Concept", "Paper", "PolicyEvent", "Organization")
HASH_KEY = "generated_hash"
SYNTHESIS_TITLE = "What the notes have in common"
FOLDERS = {"Concept": "concepts", "Paper": "papers", "PolicyEvent": "policy", "Organization": "orgs"}


@dataclass
class PagesReport:
    written: list[str] = field(default_factory=list)  # "Type/id" of pages rewritten
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # pages written without the synthesis they should have had


def regenerate_pages(
    vault: Vault,
    store: GraphStore | None,
    only: Iterable[EntityKey] | None = None,
    force: bool = False,
    facts: VaultFacts | None = None,
    synthesizer: Synthesizer | None = None,
) -> PagesReport:
    """Regenerate the blocks of every page of PAGE_TYPES (or of the pages `only` names that exist)."""
    facts = facts or read_vault_facts(vault)
    report = PagesReport(errors=list(facts.errors))
    wanted = set(only) if only is not None else None
    for key in sorted(facts.entities):
        if key[0] not in PAGE_TYPES or (wanted is not None and key not in wanted):
            continue
        try:
            changed = regenerate_page(vault, store, facts, key, force, synthesizer, report.warnings)
        except WikigraphError as exc:
            log.warning("pages: %s", exc)
            report.errors.append(str(exc))
            continue
        if changed:
            report.written.append(f"{key[0]}/{key[1]}")
        else:
            report.unchanged += 1
    return report


def regenerate_page(
    vault: Vault,
    store: GraphStore | None,
    facts: VaultFacts,
    key: EntityKey,
    force: bool = False,
    synthesizer: Synthesizer | None = None,
    warnings: list[str] | None = None,
) -> bool:
    """Write the page's block if its inputs changed (or `force`); True if the file changed."""
    entity = facts.entities[key]
    where = vault.relative(entity_path(vault, *key))
    current = generated_part(entity.body, where)  # first: broken markers are refused before any work
    inputs = gather(facts, store, key)
    request = synthesis_request(facts, key, inputs) if synthesizer is not None else None
    digest = page_digest(inputs.digest(), request, synthesizer.model if synthesizer is not None else None)
    if not force and entity.extra.get(HASH_KEY) == digest and current is not None:
        return False
    synthesis = None
    if request is not None:
        synthesis, complete = _synthesise(synthesizer, request, f"{key[0]}/{key[1]}", warnings)
        if not complete:
            digest = inputs.digest()  # the page as written without it: the next run asks again
    body = splice(entity.body, render_block(inputs, synthesis), where)
    updated = replace(entity, body=body, extra={**entity.extra, HASH_KEY: digest})
    changed = atomic_write_text(entity_path(vault, *key), render_entity(updated))
    facts.entities[key] = updated
    return changed


def _synthesise(
    synthesizer: Synthesizer, request: SynthesisRequest, page: str, warnings: list[str] | None
) -> tuple[PageSynthesis | None, bool]:
    """The page's synthesis (None: none to show) and whether that outcome is final for these inputs."""
    try:
        answer = synthesizer(request)
    except SynthesisFailed as failure:
        _warn(warnings, f"{page}: no synthesis paragraph ({failure})" + ("; asked again next run" if failure.retry_later else ""))
        return None, not failure.retry_later
    if answer is None:
        return None, True
    synthesis = checked(answer, request)
    if synthesis is None:
        _warn(warnings, f"{page}: no synthesis paragraph (the answer cites none of the notes it was given)")
    return synthesis, True


def _warn(warnings: list[str] | None, message: str) -> None:
    log.warning("pages: %s", message)
    if warnings is not None:
        warnings.append(message)


# ---------------------------------------------------------------------------------------------- render


def render_block(inputs: PageInputs, synthesis: PageSynthesis | None = None) -> str:
    """The block's Markdown (without markers): one `## ` section per part that has anything to say."""
    parts = [
        ("Summary", [f"{item.text} ({_cite(item.notes)})" for item in inputs.summary]),
        (SYNTHESIS_TITLE, _synthesis_lines(synthesis)),
        ("Timeline", _timeline_lines(inputs)),
        ("Papers tracked", [_paper_line(paper) for paper in inputs.papers]),
        ("Related concepts", [_related_line(item) for item in inputs.related]),
        ("Policy events", [_event_line(item) for item in inputs.events]),
        ("Open questions", [f"- {item.text} ({_cite(item.notes)})" for item in inputs.questions]),
        ("Sources", _source_lines(inputs.sources)),
    ]
    sections = [f"## {title}\n\n" + "\n".join(lines) for title, lines in parts if lines]
    if not sections:
        return "_No note mentions this page yet._"
    return "\n\n".join(sections)


def _synthesis_lines(synthesis: PageSynthesis | None) -> list[str]:
    if synthesis is None:
        return []
    return [
        f"{synthesis.paragraph} ({_cite(synthesis.notes)})",
        "",
        f"_Written by the language model {_label(synthesis.model)} from the notes it cites; check them before relying on it._",
    ]


def _timeline_lines(inputs: PageInputs) -> list[str]:
    lines = []
    for row in inputs.timeline:
        by = f" — {_label(row['by'])}" if row["by"] else ""
        lines.append(f"- {row['day']} · {row['kind']} · {link(row['target'], row['title'])}{by}")
    if inputs.older:
        lines.append(f"- … and {inputs.older} older")
    return lines


def _paper_line(paper: Linked) -> str:
    line = f"- {_entity_link(paper)}"
    if paper.gist:
        line += f" — {_one_line(paper.gist)}"
        if paper.gist_note:
            line += f" ({link(f'notes/{paper.gist_note}', paper.gist_note_title or paper.gist_note)})"
    return line


def _related_line(item: Linked) -> str:
    facts = []
    if item.weight is not None:
        facts.append(f"weight {item.weight:.2f}")
    if item.notes:
        facts.append(f"{item.notes} note{'s' if item.notes != 1 else ''} in common")
    return f"- {_entity_link(item)}" + (f" ({', '.join(facts)})" if facts else "")


def _event_line(item: Linked) -> str:
    day = f"{item.day} · " if item.day else ""
    return f"- {day}{_entity_link(item)}"


def _source_lines(sources: dict[str, dict[str, int]]) -> list[str]:
    return [
        f"- Tier {tier}: " + ", ".join(f"{_label(name)} ({count})" for name, count in counts.items())
        for tier, counts in sources.items()
    ]


def _cite(notes: list[tuple[str, str]]) -> str:
    return ", ".join(link(f"notes/{note_id}", title) for note_id, title in notes)


def _entity_link(item: Linked) -> str:
    return link(f"{FOLDERS.get(item.type, item.type.lower())}/{item.id}", item.name)


def link(target: str, label: str) -> str:
    clean = _label(label)
    return format_wikilink(target, clean) if clean else format_wikilink(target)


def _label(text: str) -> str:
    for char in FORBIDDEN_IN_LABEL:
        text = text.replace(char, " ")
    return _one_line(text)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
