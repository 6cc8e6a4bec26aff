"""The generated block of an entity page: spliced between its markers, the person's text kept byte for byte."""

from __future__ import annotations

import pytest

from graph.page_blocks import BEGIN_MARKER, END_MARKER, PageMarkerError, first_paragraph, generated_part, human_part, splice
from graph.page_gather import dedupe_questions


def test_a_page_without_markers_gets_the_block_after_its_text():
    body = "# Sparse attention\n\nMy own definition.\n"
    spliced = splice(body, "## Timeline\n\n- one")
    assert spliced.startswith(body.rstrip("\n") + "\n\n" + BEGIN_MARKER)
    assert spliced.endswith(END_MARKER + "\n")
    assert "- one" in generated_part(spliced)
    assert human_part(spliced).startswith(body.rstrip("\n"))


def test_text_above_and_below_the_block_survives_a_new_block_byte_for_byte():
    above = "# Sparse attention\n\nWritten above.\n\n"
    below = "\n\n## My notes\n\nWritten below, with trailing spaces.   \n"
    body = above + splice("", "old block").rstrip("\n") + below
    again = splice(body, "new block")
    assert again.startswith(above) and again.endswith(below)
    assert "new block" in again and "old block" not in again
    assert splice(again, "new block") == again


@pytest.mark.parametrize(
    "body",
    [
        f"# X\n\n{BEGIN_MARKER}\nno end\n",
        f"# X\n\n{END_MARKER}\n{BEGIN_MARKER}\n",
        f"# X\n\n{BEGIN_MARKER}\n{END_MARKER}\n{BEGIN_MARKER}\n{END_MARKER}\n",
    ],
)
def test_broken_markers_are_refused_rather_than_guessed(body):
    with pytest.raises(PageMarkerError, match="concepts/x.md"):
        splice(body, "block", "concepts/x.md")


def test_the_first_paragraph_is_the_persons_own_text_outside_the_block():
    body = splice("# Sparse attention\n\n<!-- a comment -->\nAttends to a few keys\nper query.\n\nSecond.\n", "## Summary\n\nGenerated.")
    assert first_paragraph(body) == "Attends to a few keys per query."
    assert first_paragraph(splice("# Only a title\n", "## Summary\n\nGenerated text.")) == ""


def test_questions_are_merged_when_equal_once_normalised_or_nearly_equal():
    a, b, c = ("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")
    merged = dedupe_questions(
        [
            ("does sparse attention hold at long context", b, "2026-03-05"),
            ("Does sparse attention hold at long context?", a, "2026-03-01"),
            ("Does sparse attention hold at longer contexts?", c, "2026-03-09"),
            ("Who pays for the extra memory?", b, "2026-03-05"),
        ]
    )
    # The earliest asker's wording, every asker cited oldest first.
    assert [item.text for item in merged] == ["Does sparse attention hold at long context?", "Who pays for the extra memory?"]
    assert merged[0].notes == [a, b, c] and merged[1].notes == [b]


def test_an_entity_is_embedded_as_the_persons_text_not_its_generated_block():
    from graph.chunking import entity_text
    from graph.model import Entity

    body = splice("# Sparse attention\n\nAttends to a few keys per query.\n", "## Timeline\n\n- 2026-03-02 · Tier 1 · [[notes/a|Alpha]]")
    text = entity_text(Entity(id="sparse-attention", type="Concept", name="Sparse attention", body=body))
    assert text == "Sparse attention Attends to a few keys per query."
    broken = body.replace(END_MARKER, "")
    assert "wikigraph:begin" not in entity_text(Entity(id="sparse-attention", type="Concept", name="Sparse attention", body=broken))


def test_a_merged_page_keeps_the_other_pages_own_text_but_not_its_generated_block():
    from graph.model import Entity
    from ingest.entities.merge import merged_entity

    keep = Entity(id="kd", type="Concept", name="Knowledge distillation", body=splice("# Knowledge distillation\n", "## Timeline\n\n- kept"))
    other = Entity(id="distillation", type="Concept", name="Distillation",
                   body=splice("# Distillation\n\nA student mimics a teacher.\n", "## Timeline\n\n- dropped"))
    merged = merged_entity(keep, other).body
    assert "A student mimics a teacher." in merged and "- dropped" not in merged
    assert merged.count(BEGIN_MARKER) == 1


def test_a_summary_sentence_states_something_about_the_entity_and_links_nowhere(tmp_path):
    from dataclasses import replace

    from graph.page_inputs import mentioning_sentence, read_vault_facts
    from graph.vault import Vault
    from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note

    vault = Vault(tmp_path / "wiki")
    note = make_note("a", "Alpha", entities=[mention("Organization", "acme", "Acme")],
                     tldr="Also ties to [[orgs/acme|Acme]] (3 earlier notes). Acme ships a small model. Acme is busy.")
    write_note(vault, replace(note, why_it_matters="It matters."))
    write_entity(vault, make_entity("Organization", "acme", "Acme"))
    found = mentioning_sentence(read_vault_facts(vault), ("Organization", "acme"))
    assert [(text, source.id) for text, source in found] == [("Acme ships a small model.", "a")]
