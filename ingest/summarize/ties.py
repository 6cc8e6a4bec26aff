"""How a post ties to what the wiki already holds: nearest earlier notes and entities that have pages.

Each tie is grounded in one of the post's own sentences: for a note, the sentence closest to the note's
title and TL;DR; for an entity, the best sentence naming it. "Why it matters" quotes the strongest ties
behind a short connective that names the page; Connections lists them with the reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from graph.model import Connection
from graph.wikilinks import format_wikilink
from ingest.summarize.analysis import Analysis, is_quotable, is_standalone
from ingest.summarize.base import KnownEntity, RelatedNote
from ingest.summarize.ranking import VectorCache
from ingest.summarize.text import key_phrases

# An earlier note ties to the post when the mean of two cosines to the note's "title. TL;DR" — the post's closest
# sentence and the post as a whole — reaches NOTE_TIE_THRESHOLD, and it is grounded only in sentences at least
# SENTENCE_TIE_THRESHOLD close. The best sentence alone over-rates notes that share one word with a long post;
# the whole post alone cannot say where the tie is. (all-MiniLM-L6-v2, measured on a one-author archive of
# 196 AI posts: posts in the same broad field score 0.40–0.50, posts on the same subject 0.55 and up.)
NOTE_TIE_THRESHOLD = 0.55
SENTENCE_TIE_THRESHOLD = 0.5
MAX_WHY_TIES = 3
MAX_ALSO_TIES = 3
MAX_CONNECTIONS = 6
NOTES_SATURATION = 10
_STAKES = re.compile(
    r"\b(?:matters?|important|importantly|implications?|means that|the point is|at stake|consequences?|crucial|"
    r"critical|significant|the key (?:is|to|question|lesson|takeaway))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Tie:
    target: str  # what Obsidian resolves: a note id, or an entity page path without ".md"
    label: str
    date: date | None
    detail: str  # the connective's parenthesis: "(3 earlier notes)", "(2026-04-01)"
    reason_head: str  # why, before the quoted sentence
    strength: float
    sentences: list[int]  # the post's sentences that ground the tie, best first


def find_ties(analysis: Analysis, related: list[RelatedNote], entities: list[KnownEntity], cache: VectorCache) -> list[Tie]:
    """Ties best first within each kind, alternating earlier notes and entity pages, notes first: an earlier note
    close to the whole post is the most specific tie, while a post's most frequent entities are often the wiki's
    most general ones. Ties no sentence grounds come last."""
    notes = sorted(_note_ties(analysis, related, cache), key=lambda tie: -tie.strength)
    named = sorted(_entity_ties(analysis, entities), key=lambda tie: -tie.strength)
    grounded = _alternate(notes, [tie for tie in named if tie.sentences])
    return grounded + [tie for tie in named if not tie.sentences]


def _alternate(first: list[Tie], second: list[Tie]) -> list[Tie]:
    merged = []
    for index in range(max(len(first), len(second))):
        merged += first[index : index + 1] + second[index : index + 1]
    return merged


def why_it_matters(analysis: Analysis, ties: list[Tie], used: set[int]) -> tuple[str, set[int]]:
    """Connective + sentence for the strongest ties, each on a different sentence that reads on its own; further
    ties named in one closing line; or, when nothing in the wiki relates, a brief statement saying so."""
    lines, quoted, also = [], set(), []
    for tie in ties:
        if len(lines) < MAX_WHY_TIES:
            position = next((p for p in tie.sentences if p not in used | quoted and _reads_alone(analysis, p)), None)
            if position is not None:
                quoted.add(position)
                lines.append(f"Ties to {_link(tie)} {tie.detail}: {analysis.sentence(position).text}")
                continue
        if len(also) < MAX_ALSO_TIES:
            also.append(f"{_link(tie)} {tie.detail}")
    if also:
        lines.append(f"{'Also ties' if lines else 'Ties'} to {', '.join(also)}.")
    if lines:
        return " ".join(lines), quoted
    text = "Nothing in the wiki relates to this post yet: no earlier note is close to it and it names no entity that has a page."
    stake = _own_stake(analysis, used)
    if stake is not None:
        quoted.add(stake)
        text += f" In the post's own words: {analysis.sentence(stake).text}"
    return text, quoted


def connections(analysis: Analysis, ties: list[Tie], avoid: set[int]) -> list[Connection]:
    """One bullet per tie, each grounded in a different sentence where the post offers one."""
    found, taken = [], set(avoid)
    for tie in ties[:MAX_CONNECTIONS]:
        position = _grounding(analysis, tie, taken)
        reason = tie.reason_head
        if position is not None:
            taken.add(position)
            reason += f"; this post: \u201c{analysis.sentence(position).text}\u201d"
        found.append(Connection(target=tie.target, label=tie.label, date=tie.date, reason=reason))
    return found


def _grounding(analysis: Analysis, tie: Tie, taken: set[int]) -> int | None:
    """The tie's best sentence that reads on its own, preferring one not quoted yet."""
    standalone = [p for p in tie.sentences if is_standalone(analysis.sentence(p))]
    fresh = [p for p in tie.sentences if p not in taken]
    preferred = [p for p in standalone if p not in taken] or standalone or fresh or tie.sentences
    return preferred[0] if preferred else None


def _note_ties(analysis: Analysis, related: list[RelatedNote], cache: VectorCache) -> list[Tie]:
    notes = [note for note in related if note.title.strip() or note.tldr.strip()]
    usable = [row for row, p in enumerate(analysis.ranked) if is_quotable(analysis.sentence(p))]
    if not notes or not usable:
        return []
    note_vectors = cache.vectors([_note_text(note) for note in notes])
    closeness = analysis.vectors[usable] @ note_vectors.T  # usable sentences × notes
    ties = []
    whole_post = note_vectors @ analysis.centroid
    for column, note in enumerate(notes):
        order = np.argsort(-closeness[:, column])
        strength = (float(closeness[order[0], column]) + float(whole_post[column])) / 2
        grounded = [analysis.ranked[usable[row]] for row in order[:8] if closeness[row, column] >= SENTENCE_TIE_THRESHOLD]
        if strength < NOTE_TIE_THRESHOLD or not grounded:
            continue
        detail = f"(earlier note, {note.published.isoformat()})" if note.published else "(earlier note)"
        ties.append(
            Tie(
                target=note.id,
                label=link_label(note.title),
                date=note.published,
                detail=detail,
                reason_head=_shared_ground(analysis.sentence(grounded[0]).text, note),
                strength=strength,
                sentences=grounded,
            )
        )
    return ties


def _note_text(note: RelatedNote) -> str:
    return f"{note.title}. {note.tldr}".strip(". ") if note.tldr.strip() else note.title


def _shared_ground(sentence: str, note: RelatedNote) -> str:
    theirs = set(key_phrases(f"{note.title} {note.tldr}"))
    shared: list[str] = []
    for phrase in key_phrases(sentence):
        if phrase in theirs and not any(phrase in kept for kept in shared):
            shared.append(phrase)
    return f"shared ground on {', '.join(shared[:3])}" if shared else "the nearest earlier note on this theme"


def _entity_ties(analysis: Analysis, entities: list[KnownEntity]) -> list[Tie]:
    ties = []
    most_mentioned = max((entity.mentions for entity in entities), default=1) or 1
    for entity in entities:
        mentions = _mentioning(analysis, entity)
        earlier = f"{entity.notes} earlier note{'s' if entity.notes != 1 else ''}"
        ties.append(
            Tie(
                target=entity_target(entity),
                label=link_label(entity.name),
                date=None,
                detail=f"({earlier})" if entity.notes else "(a page in the wiki)",
                reason_head=f"{entity.type} named {_times(entity.mentions)} here and in {earlier}",
                strength=_entity_strength(entity, most_mentioned, analysis.quality(mentions[0]) if mentions else 0.0),
                sentences=mentions,
            )
        )
    return ties


def _entity_strength(entity: KnownEntity, most_mentioned: int, best_sentence: float) -> float:
    """Entities the wiki keeps returning to weigh more (saturating at ten notes: beyond that an entity is general
    rather than more related), as do entities this post dwells on and names in a central sentence. Scaled to
    the range of note ties (about 0.4–0.75) so the two kinds compare."""
    held = math.log1p(min(entity.notes, NOTES_SATURATION)) / math.log1p(NOTES_SATURATION)
    dwelt = entity.mentions / most_mentioned
    return (0.4 + 0.2 * held + 0.15 * dwelt) * (0.7 + 0.3 * best_sentence)


def entity_target(entity: KnownEntity) -> str:
    page = entity.page.replace("\\", "/")
    return page.removesuffix(".md")


def _mentioning(analysis: Analysis, entity: KnownEntity) -> list[int]:
    """Sentences naming the entity, the clearest first (standalone, central, not a question or a quote)."""
    patterns = [_name_pattern(name) for name in (entity.name, *entity.aliases) if name.strip()]
    found = [s for s in analysis.document.sentences if any(p.search(s.text) for p in patterns)]

    def clarity(sentence) -> float:
        return analysis.quality(sentence.position) + (0.6 if is_standalone(sentence) else 0.3 if is_quotable(sentence) else 0.0)

    return [s.position for s in sorted(found, key=lambda s: -clarity(s)) if is_quotable(s, min_words=5, max_words=80)]


def _name_pattern(name: str) -> re.Pattern[str]:
    escaped = r"\s+".join(re.escape(part) for part in name.split())
    # Short all-capital names (acronyms) must match exactly; other names in any case, plural allowed.
    flags = 0 if (name.isupper() and len(name) <= 6) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){escaped}(?:s|es)?(?![\w-])", flags)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _link(tie: Tie) -> str:
    return format_wikilink(tie.target, tie.label if tie.label and tie.label != tie.target else None)


def link_label(text: str) -> str:
    """A page title as a wikilink label: one line, no square brackets."""
    return " ".join(text.replace("[", "(").replace("]", ")").split()) or "untitled"


def _reads_alone(analysis: Analysis, position: int) -> bool:
    return is_standalone(analysis.sentence(position), min_words=6, max_words=60)


def _own_stake(analysis: Analysis, used: set[int]) -> int | None:
    """The post's own statement of what is at stake, when it makes one."""
    scored = [
        (len(_STAKES.findall(s.text)) + analysis.quality(s.position), s.position)
        for s in analysis.document.sentences
        if s.position not in used and is_standalone(s) and _STAKES.search(s.text)
    ]
    return max(scored)[1] if scored else None
