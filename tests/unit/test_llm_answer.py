"""Reading a model's answer: JSON repair, validation against the summary schema, the prompt's budget."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingest.summarize.base import KnownEntity, RelatedNote, SummaryContext
from ingest.summarize.json_repair import AnswerNotJson, parse_json_object
from ingest.summarize.llm_prompt import Budget, build_prompt, catalogue, follow_up, resolve_target, truncate_to_tokens
from ingest.summarize.llm_schema import AnswerInvalid, parse_answer

VALID = {
    "tldr": "Speculative decoding lets a small draft model propose tokens that the large model verifies.",
    "why_it_matters": "It cuts latency without changing the output distribution of the large model.",
    "connections": [{"target": "draft-models", "reason": "the same technique at a larger scale", "date": None}],
    "research_angle": ["Measure acceptance rates across domains."],
    "open_questions": ["How small can the draft model be?"],
}


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": [1, 2,],}\n```', {"a": [1, 2]}),
        ('Here is the summary:\n{"a": "x" "b": true} Hope it helps!', {"a": "x", "b": True}),
        ("{'a': 'it's fine', 'b': None, 'c': False}", {"a": "it's fine", "b": None, "c": False}),
        ('{"a": "the "best" model", "b": ["x", "y"', {"a": 'the "best" model', "b": ["x", "y"]}),
        ('{tldr: "x", "c": [{"t": 1} {"t": 2}]}', {"tldr": "x", "c": [{"t": 1}, {"t": 2}]}),
        ('{"a": "line one\nline two", "b": ', {"a": "line one\nline two", "b": None}),
        ('[{"a": 1}]', {"a": 1}),
    ],
)
def test_json_repair_reads_what_small_models_write(text, expected) -> None:
    value, repaired = parse_json_object(text)
    assert value == expected
    assert repaired == (text not in ('{"a": 1}', '[{"a": 1}]'))


@pytest.mark.parametrize("text", ["no json here", "", "[1, 2]", '{"a": @@@}'])
def test_json_repair_refuses_what_is_not_an_object(text) -> None:
    with pytest.raises(AnswerNotJson):
        parse_json_object(text)


def test_answer_validates_and_tidies_the_sections() -> None:
    loose = dict(VALID)
    loose["TL;DR"] = loose.pop("tldr")
    loose["Why it matters"] = ["It cuts latency", "without changing the output distribution."]
    loose["research_angle"] = "## Measure\n- acceptance rates across domains."
    loose["open_questions"] = ["How small can the draft model be?", "  "]
    answer, repaired = parse_answer(json.dumps(loose))
    assert not repaired
    assert answer.tldr == VALID["tldr"]
    assert answer.why_it_matters == "It cuts latency without changing the output distribution."
    assert answer.research_angle == ["Measure acceptance rates across domains."]  # no heading or bullet syntax left
    assert answer.open_questions == ["How small can the draft model be?"]
    assert answer.connections[0].date is None


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"tldr": "Too short."}, "tldr"),
        ({"open_questions": []}, "open_questions"),
        ({"connections": [{"target": "x"}]}, "connections.0.reason"),
        ({"connections": [{"target": "x", "reason": "same idea", "date": "2026-13-45"}]}, "connections.0.date"),
    ],
)
def test_invalid_answers_say_which_field_is_wrong(change, complaint) -> None:
    with pytest.raises(AnswerInvalid) as caught:
        parse_answer(json.dumps({**VALID, **change}))
    assert complaint in str(caught.value)


def test_missing_keys_are_named() -> None:
    with pytest.raises(AnswerInvalid) as caught:
        parse_answer('{"tldr": "A summary that is long enough to pass."}')
    for key in ("why_it_matters", "research_angle", "open_questions"):
        assert key in str(caught.value)


def _context() -> SummaryContext:
    return SummaryContext(
        related=[RelatedNote("2026-01-05-draft-models", "Draft Models", date(2026, 1, 5), "Small models draft tokens.", 0.8)],
        known_entities=[KnownEntity("Concept", "speculative-decoding", "Speculative decoding", "concepts/speculative-decoding.md", 3, 2)],
    )


def test_targets_resolve_by_id_page_or_title_and_nothing_else() -> None:
    targets = catalogue(_context())
    assert [t.target for t in targets] == ["2026-01-05-draft-models", "concepts/speculative-decoding"]
    for text in ("2026-01-05-draft-models", "[[Draft Models]]", "draft models", "concepts/speculative-decoding.md",
                 "speculative-decoding", "Speculative Decoding"):
        assert resolve_target(text, targets) is not None, text
    assert resolve_target("Some Other Page", targets) is None


def test_prompt_lists_existing_pages_and_fits_the_budget() -> None:
    body = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(40))
    budget = Budget(total=2600, max_output=512, retries=True)
    prompt = build_prompt("A Title", body, _context(), budget, words)
    user = prompt.messages[0][1]
    assert '"2026-01-05-draft-models"' in user and '"concepts/speculative-decoding"' in user
    assert prompt.truncated and prompt.kept_tokens < prompt.body_tokens == words(body)
    assert prompt.tokens <= budget.prompt_limit + 20  # the cut marker is the only extra
    assert "post cut to fit the token budget" in user
    assert user.rstrip().split("\n\n")[-2].startswith("Paragraph")  # cut at a paragraph boundary


def test_short_posts_are_sent_whole() -> None:
    prompt = build_prompt("T", "A short post.", SummaryContext(), Budget(8000, 1024, True), words)
    assert [role for role, _ in prompt.messages] == ["user"]  # instructions included: some templates drop system turns
    assert prompt.messages[0][1].startswith("You write summary notes") and prompt.tokens == words(prompt.messages[0][1]) + 4
    assert not prompt.truncated and "A short post." in prompt.messages[0][1]
    assert "none yet" in prompt.messages[0][1]


def test_truncation_cuts_inside_a_long_first_paragraph() -> None:
    kept, total, kept_tokens = truncate_to_tokens("word " * 500, 120, words)
    assert total == 500 and kept_tokens == 120 and kept.split() == ["word"] * 120


def test_follow_up_quotes_the_answer_and_the_error() -> None:
    prompt = build_prompt("T", "Body.", SummaryContext(), Budget(8000, 1024, True), words)
    messages = follow_up(prompt, "not json" * 1000, "tldr: Field required")
    assert messages[:1] == prompt.messages
    assert messages[1][0] == "assistant" and len(messages[1][1]) < 1600
    assert messages[2][0] == "user" and "tldr: Field required" in messages[2][1]


def test_an_answer_that_copies_the_instructions_is_refused() -> None:
    from ingest.summarize.llm_prompt import SYSTEM

    echoed = SYSTEM[SYSTEM.index("{"):SYSTEM.index("\"]}\n") + 3]  # the schema as the prompt shows it
    with pytest.raises(AnswerInvalid, match="repeats the instructions") as caught:
        parse_answer(echoed)
    assert "tldr" in str(caught.value) and "open_questions" in str(caught.value)


def test_a_hint_copied_without_its_lead_in_is_refused_too() -> None:
    copied = dict(VALID, tldr="The post's main claim and the evidence it gives")
    with pytest.raises(AnswerInvalid, match="tldr: repeats the instructions"):
        parse_answer(json.dumps(copied))
