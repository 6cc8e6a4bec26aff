"""Chunking: note sections and raw-post paragraphs keep their exact place in their file."""

from __future__ import annotations

from datetime import date

from graph.chunking import RAW_MAX_CHARS, body_offset, entity_text, note_chunks, raw_paragraph_spans
from graph.model import Entity
from graph.notes_md import render_note
from tests.support.vault_pages import make_note, mention

RAW = """---
id: post
title: A post
---

First paragraph, short.

Second paragraph, also short but it says something about the defense trilemma.

""" + ("A long paragraph sentence that keeps going. " * 60).strip() + """

A closing paragraph of a few words.

Last words.
"""


def test_raw_spans_cover_the_body_exactly_and_respect_the_size_bounds() -> None:
    spans = raw_paragraph_spans(RAW)
    assert spans[0][0] == RAW.index("First paragraph")
    texts = [RAW[start:end] for start, end in spans]
    assert all(text == text.strip() and text for text in texts)
    assert all(len(text) <= RAW_MAX_CHARS for text in texts)
    assert "id: post" not in "".join(texts)
    # short neighbours are merged: the two first paragraphs share a chunk
    assert "First paragraph" in texts[0] and "defense trilemma" in texts[0]
    # a long paragraph is cut at sentence ends, and nothing of it is lost
    long_pieces = [text for text in texts if text.startswith("A long")]
    assert len(long_pieces) >= 2 and all(piece.endswith(".") for piece in long_pieces)
    assert sum(piece.count("A long paragraph sentence that keeps going.") for piece in long_pieces) == 60
    # a tiny last paragraph joins the chunk before it rather than standing alone
    assert texts[-1].endswith("Last words.") and "closing paragraph" in texts[-1]


def test_body_offset_skips_front_matter_only() -> None:
    assert RAW[body_offset(RAW):].lstrip().startswith("First paragraph")
    assert body_offset("no front matter") == 0


def test_note_chunks_are_sections_then_raw_paragraphs_with_exact_spans() -> None:
    note = make_note("n1", "Filters and trade-offs", published=date(2026, 3, 2),
                     entities=[mention("Concept", "defense-trilemma"), mention("Paper", "io-defense")])
    text = render_note(note)
    chunks = note_chunks(note, text, "notes/n1.md", RAW)
    sections = [c for c in chunks if c.kind == "section"]
    raws = [c for c in chunks if c.kind == "raw"]
    assert [c.section for c in sections][:2] == ["TL;DR", "Why it matters"]
    assert all(text[c.start:c.end] == c.text and c.path == "notes/n1.md" for c in sections)
    assert all(RAW[c.start:c.end] == c.text and c.path == note.raw for c in raws)
    assert [c.ordinal for c in chunks] == list(range(len(chunks))) and {c.count for c in chunks} == {len(chunks)}
    payload = chunks[0].payload
    assert payload["entities"] == ["Concept/defense-trilemma", "Paper/io-defense"]
    assert payload["published"] == 1772409600000 and payload["tier"] == 1
    assert chunks[0].embedding_text.startswith("Filters and trade-offs. ")


def test_entity_text_is_name_aliases_and_first_lines() -> None:
    entity = Entity("kd", "Concept", "Knowledge distillation", ["KD", "model distillation"],
                    body="# Knowledge distillation\n\nA student imitates a teacher.\n\n## Notes\nMore.\n")
    assert entity_text(entity) == "Knowledge distillation Also known as KD, model distillation. A student imitates a teacher. More."
