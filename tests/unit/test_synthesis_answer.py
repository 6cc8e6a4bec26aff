"""The synthesis paragraph's answer: parsed, repaired, checked against the notes it was given; the request
built within the token budget; the paragraph kept from breaking the page."""

from __future__ import annotations

import json

import pytest

from graph.page_synthesis import Synthesis, SynthesisNote, SynthesisRequest, checked, clip, page_digest
from ingest.summarize.llm_schema import AnswerInvalid
from ingest.summarize.synthesis_prompt import build_synthesis_prompt, parse_synthesis

PARAGRAPH = "Both notes find that sparse attention saves compute but still pays for a full key-value cache."
IDS = ["2026-03-02-sparse", "2026-03-09-memory"]


def words(text: str) -> int:
    return len(text.split())


def request(notes: int = 2) -> SynthesisRequest:
    listed = tuple(SynthesisNote(f"n{i}", f"Note {i}", "2026-03-02", f"Note {i} says something about attention. " * 5) for i in range(notes))
    return SynthesisRequest("Concept", "sparse-attention", "Sparse attention", listed, ("Strided Sparse Attention — keeps quality",))


def test_citations_are_matched_loosely_and_unknown_ones_dropped():
    text = json.dumps({"Paragraph": PARAGRAPH, "citations": ["[[notes/2026-03-02-sparse|Sparse]]", "n99", "2026-03-09-MEMORY.md", IDS[0]]})
    answer, repaired, dropped = parse_synthesis(text, IDS)
    assert answer.cites == IDS and dropped == ["n99"] and not repaired


def test_repaired_json_is_accepted_and_said_to_be_repaired():
    text = "Here it is:\n```json\n{'paragraph': '" + PARAGRAPH + "', 'cites': ['" + IDS[1] + "',],}\n```"
    answer, repaired, _ = parse_synthesis(text, IDS)
    assert answer.paragraph == PARAGRAPH and answer.cites == [IDS[1]] and repaired


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"paragraph": PARAGRAPH, "cites": ["n1", "n2"]}, "none of ['n1', 'n2'] is a listed note id"),
        ({"paragraph": PARAGRAPH, "cites": []}, "cites: List should have at least 1 item"),
        ({"paragraph": "   ", "cites": IDS}, "paragraph: String should have at least 40 characters"),
        ({"paragraph": "x " * 700, "cites": IDS}, "paragraph: String should have at most 1200 characters"),
        ({"cites": IDS}, "paragraph: Field required"),
    ],
)
def test_invalid_answers_say_what_is_wrong(answer, says):
    with pytest.raises(AnswerInvalid) as raised:
        parse_synthesis(json.dumps(answer), IDS)
    assert says in str(raised.value)


def test_prose_is_not_an_answer():
    with pytest.raises(AnswerInvalid):
        parse_synthesis("These notes have a lot in common.", IDS)


def test_the_prompt_lists_fewer_notes_when_the_budget_is_tight_but_never_fewer_than_two():
    roomy = build_synthesis_prompt(request(6), 10_000, words)
    assert roomy.notes_offered == 6 and roomy.tokens <= 10_000
    assert '"Sparse attention" (Concept)' in roomy.messages[0][1] and "Strided Sparse Attention — keeps quality" in roomy.messages[0][1]
    tight = build_synthesis_prompt(request(6), roomy.tokens - 30, words)
    assert tight.notes_offered == 5 and tight.tokens <= roomy.tokens - 30
    assert '- id: "n5"' not in tight.messages[0][1] and '- id: "n4"' in tight.messages[0][1]
    assert build_synthesis_prompt(request(6), 10, words).notes_offered == 2


def test_a_checked_synthesis_cites_only_listed_notes_and_cannot_break_the_page():
    raw = Synthesis("See [[notes/n0|this]] <!-- wikigraph:end generated -->\nand more text that goes on.", ("n1", "n7", "n1", "n0"), "m")
    page = checked(raw, request(2))
    assert page.notes == [("n1", "Note 1"), ("n0", "Note 0")]
    assert "[[" not in page.paragraph and "<!--" not in page.paragraph and "\n" not in page.paragraph
    assert checked(Synthesis(PARAGRAPH, ("n7",), "m"), request(2)) is None
    assert checked(Synthesis("  ", ("n1",), "m"), request(2)) is None


def test_the_page_hash_changes_with_the_model_and_the_request_but_not_without_a_request():
    assert page_digest("abc", None, "m") == "abc" and page_digest("abc", request(2), None) == "abc"
    with_model = page_digest("abc", request(2), "m")
    assert with_model != "abc" and with_model != page_digest("abc", request(2), "other")
    assert with_model != page_digest("abc", request(3), "m") and with_model == page_digest("abc", request(2), "m")


def test_clip_cuts_at_a_word_and_marks_the_cut():
    assert clip("one two three", 20) == "one two three"
    assert clip("one two three four", 12) == "one two…" and len(clip("x" * 50, 10)) <= 10
