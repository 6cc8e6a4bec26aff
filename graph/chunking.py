"""What gets indexed: a note's sections, its raw post's paragraphs, an entity page's opening.

Every chunk keeps where its text sits: the file (vault-relative) and the character span, so
`file_text[start:end] == chunk.text` and a search result can quote its evidence exactly.

- Note sections: one chunk per `## ` section with a body (TL;DR, Why it matters, …).
- Raw post paragraphs: the raw post's body (after its front matter) cut at blank lines; short
  neighbours are merged up to RAW_MIN_CHARS (a one-line paragraph embeds poorly), and a paragraph
  longer than RAW_MAX_CHARS is cut at the last sentence end (else the last space) before it, since
  the embedding model reads only its first ~256 tokens.
- Entity pages: name, aliases and the first lines of the page, as one text (not chunked).

Both kinds of note chunk are embedded with the note's title in front (`Chunk.embedding_text`):
a paragraph rarely names what the post is about.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from graph.model import Entity, Note
from graph.notes_md import note_sections
from graph.page_blocks import without_generated

log = logging.getLogger(__name__)

RAW_MIN_CHARS = 300
RAW_MAX_CHARS = 1200
ENTITY_TEXT_CHARS = 600
ENTITY_BODY_LINES = 6
SECTION = "section"
RAW = "raw"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?][)\"'”’]?\s")


@dataclass(frozen=True)
class Chunk:
    """One indexed span of a file: `file_text[start:end] == text`."""

    note_id: str
    section: str
    text: str
    start: int
    end: int
    payload: dict[str, Any] = field(default_factory=dict)
    kind: str = SECTION
    path: str = ""
    context: str = ""  # embedded in front of the text: the note's title
    ordinal: int = 0  # position among the note's chunks (its point id is derived from it)
    count: int = 1  # how many chunks the note has

    @property
    def embedding_text(self) -> str:
        return f"{self.context}. {self.text}" if self.context else self.text


def epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=timezone.utc).timestamp() * 1000)


def entity_keys(note: Note) -> list[str]:
    """`Type/id` of every entity the note's front matter mentions, once each, in order."""
    keys = (f"{m.get('type')}/{m.get('id')}" for m in note.entities if isinstance(m, dict) and m.get("type") and m.get("id"))
    return list(dict.fromkeys(keys))


def note_payload(note: Note) -> dict[str, Any]:
    return {
        "source": note.source,
        "tier": note.tier,
        "domain": note.domain,
        "published": epoch_ms(note.published),
        "entities": entity_keys(note),
    }


def note_chunks(note: Note, text: str, note_path: str, raw_text: str | None = None) -> list[Chunk]:
    """The note's section chunks, then its raw post's paragraph chunks (when `raw_text` is given)."""
    payload = note_payload(note)
    chunks = []
    for section in note_sections(text):
        body = section.text.strip()
        if not body:
            continue
        start = section.start_char + section.text.index(body)
        chunks.append(Chunk(note.id, section.name, body, start, start + len(body), payload, SECTION, note_path, note.title))
    if raw_text is not None:
        for number, (start, end) in enumerate(raw_paragraph_spans(raw_text), start=1):
            chunks.append(Chunk(note.id, f"raw {number}", raw_text[start:end], start, end, payload, RAW, note.raw, note.title))
    return [replace(chunk, ordinal=ordinal, count=len(chunks)) for ordinal, chunk in enumerate(chunks)]


def read_raw_text(root: Path, note: Note) -> str | None:
    """The note's raw post file, or None when it is missing, unreadable or outside the vault."""
    if not note.raw:
        return None
    root = root.resolve()
    path = (root / note.raw).resolve()
    if not path.is_relative_to(root):
        log.warning("note %s: raw path %r leaves the vault; its paragraphs are not indexed", note.id, note.raw)
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("note %s: raw post %s unreadable (%s); its paragraphs are not indexed", note.id, note.raw, exc)
        return None


def body_offset(text: str) -> int:
    """Where the text after a `---` front matter block starts (0 without one)."""
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 3)
    if end == -1:
        return len(text) if text.endswith("\n---") else 0
    return end + len("\n---\n")


def raw_paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each chunk of the body: paragraphs cut at RAW_MAX_CHARS, then short pieces merged
    with the one before while the two fit in RAW_MAX_CHARS."""
    pieces = [piece for span in _paragraphs(text, body_offset(text)) for piece in _cut(text, *span)]
    spans: list[tuple[int, int]] = []
    for start, end in pieces:
        short = spans and (spans[-1][1] - spans[-1][0] < RAW_MIN_CHARS or end - start < RAW_MIN_CHARS // 3)
        if short and end - spans[-1][0] <= RAW_MAX_CHARS:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _paragraphs(text: str, offset: int) -> list[tuple[int, int]]:
    found = []
    position = offset
    for gap in [*_BLANK_LINE.finditer(text, offset), None]:
        stop = gap.start() if gap else len(text)
        piece = text[position:stop]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            found.append((position + lead, position + len(piece.rstrip())))
        if gap:
            position = gap.end()
    return found


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > RAW_MAX_CHARS:
        window = text[start : start + RAW_MAX_CHARS]
        sentence_ends = [match.end() for match in _SENTENCE_END.finditer(window) if match.end() > RAW_MIN_CHARS]
        cut = sentence_ends[-1] if sentence_ends else (window.rfind(" ") if window.rfind(" ") > RAW_MIN_CHARS else RAW_MAX_CHARS)
        piece_end = start + len(text[start : start + cut].rstrip())
        pieces.append((start, piece_end))
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def entity_text(entity: Entity) -> str:
    """What an entity is embedded (and term-indexed) as: name, aliases, the page's first lines."""
    # The generated block (graph/pages.py) lists notes, not what the entity is: only the person's text is embedded.
    lines = [line.strip() for line in without_generated(entity.body).splitlines()]
    opening = [line for line in lines if line and not line.startswith("#")][:ENTITY_BODY_LINES]
    parts = [entity.name.strip()]
    aliases = [alias for alias in entity.aliases if alias.strip() and alias.strip() != entity.name.strip()]
    if aliases:
        parts.append("Also known as " + ", ".join(aliases) + ".")
    parts.extend(opening)
    return " ".join(parts)[:ENTITY_TEXT_CHARS]
