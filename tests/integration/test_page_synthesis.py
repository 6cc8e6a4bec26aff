"""The synthesis paragraph of entity pages over real HTTP, against our OpenAI-protocol stub on loopback.

The real llama-index OpenAI-like client talks to the stub, which plays valid, invalid and failing
answers; pages are regenerated into a real vault and read back from the files.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from graph.entities_md import entity_path, parse_entity
from graph.page_blocks import BEGIN_MARKER, END_MARKER, generated_part
from graph.pages import SYNTHESIS_TITLE, regenerate_pages
from graph.vault import Vault
from ingest.summarize.llm_cache import LLMCache
from ingest.summarize.llm_client import ChatClient, LLMConfig, build_llm
from ingest.summarize.synthesis import LLMSynthesizer
from tests.support.openai_stub import Scripted
from tests.support.vault_pages import (
    make_entity,
    make_note,
    mention,
    write_entity,
    write_note,
)

LISTED = re.compile(r'^- id: "([^"]+)"', re.MULTILINE)
SPARSE = mention("Concept", "sparse-attention", "Sparse attention", salience=0.6)
KV = mention("Concept", "kv-cache", "KV cache", salience=0.3)
PAPER = mention("Paper", "strided-sparse", "Strided Sparse Attention", salience=0.4)
HEADING = f"## {SYNTHESIS_TITLE}"


def first_prompt(request: dict) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def answer_citing_listed(request: dict) -> str:
    """A valid answer naming the page, citing the first two listed notes and one id that was never listed."""
    prompt = first_prompt(request)
    name = re.search(r'page about "([^"]+)"', prompt).group(1)
    listed = LISTED.findall(prompt)
    return json.dumps({
        "paragraph": f"The notes on {name} agree that it trades memory for speed, and disagree on the cost at long context.",
        "cites": [f"notes/{listed[0]}", "n99", listed[1]],
    })


@pytest.fixture
def make(stub, tmp_path, count_tokens):
    def build(model: str = "stub-model") -> LLMSynthesizer:
        config = LLMConfig(provider="openai-like", model=model, base_url=stub.base_url, timeout=30.0, max_retries=2,
                           retry_backoff=0.0, max_output_tokens=512, token_budget=4000, price_prompt_per_1k=1.0)
        return LLMSynthesizer(config, ChatClient(build_llm(config), config), LLMCache(tmp_path / "llm_cache"), count_tokens)

    return build


@pytest.fixture
def synthesizer(make):
    return make()


@pytest.fixture
def vault(tmp_path):
    vault = Vault(tmp_path / "wiki")
    for note_id, title, day, entities, tldr in (
        ("n1", "Sparse attention at long context", date(2026, 3, 2), [SPARSE, KV, PAPER],
         "Sparse attention lets each query attend to a few keys. It keeps quality at 128k tokens."),
        ("n2", "Memory bills of sparse attention", date(2026, 3, 9), [SPARSE, KV], "Sparse attention still pays for a full KV cache."),
        ("n3", "Caching keys and values", date(2026, 2, 20), [KV], "Paging the KV cache cuts serving memory by half."),
    ):
        write_note(vault, make_note(note_id, title, published=day, entities=entities, tldr=tldr))
    write_entity(vault, make_entity("Concept", "sparse-attention", "Sparse attention"))
    write_entity(vault, make_entity("Concept", "kv-cache", "KV cache"))
    write_entity(vault, make_entity("Paper", "strided-sparse", "Strided Sparse Attention", first_seen=date(2026, 2, 28)))
    return vault


def page(vault, entity_type, entity_id) -> str:
    return entity_path(vault, entity_type, entity_id).read_text(encoding="utf-8")


def block(text: str) -> str:
    return generated_part(parse_entity(text).body)


def snapshot(vault) -> dict:
    return {path: path.read_bytes() for path in vault.root.rglob("*.md")}


def test_a_valid_synthesis_is_rendered_citing_only_the_notes_it_was_given(vault, stub, synthesizer):
    stub.respond = answer_citing_listed
    report = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert report.errors == [] and report.warnings == [] and len(report.written) == 3
    assert stub.calls == 2  # the two concepts; the paper has one note, nothing to have in common
    sparse = block(page(vault, "Concept", "sparse-attention"))
    paragraph, written_by = sparse.split(HEADING + "\n\n")[1].split("\n\n")[0:2]
    # In the model's order; "n99" was never offered and is dropped.
    assert paragraph == (
        "The notes on Sparse attention agree that it trades memory for speed, and disagree on the cost at long context. "
        "([[notes/n2|Memory bills of sparse attention]], [[notes/n1|Sparse attention at long context]])"
    )
    assert written_by == "_Written by the language model stub-model from the notes it cites; check them before relying on it._"
    assert sparse.index(HEADING) < sparse.index("## Timeline")
    assert HEADING not in block(page(vault, "Paper", "strided-sparse"))

    prompts = [first_prompt(request) for request in stub.requests]
    kv_prompt = next(p for p in prompts if '"KV cache"' in p)
    # Most salient first (n1 and n2 mention the KV cache at 0.3 like n3; then newest first), with TL;DRs and papers.
    assert LISTED.findall(kv_prompt) == ["n2", "n1", "n3"]
    assert "Paging the KV cache cuts serving memory by half." in kv_prompt and "Strided Sparse Attention" in kv_prompt
    assert synthesizer.usage.requests == 2 and synthesizer.usage.prompt_tokens > 0 and synthesizer.usage.cost_usd > 0


def test_unchanged_inputs_make_no_request_and_the_same_bytes_and_the_persons_text_survives(vault, stub, synthesizer):
    stub.respond = answer_citing_listed
    regenerate_pages(vault, None, synthesizer=synthesizer)
    path = entity_path(vault, "Concept", "sparse-attention")
    head, rest = path.read_text(encoding="utf-8").split(BEGIN_MARKER)
    above, below = "\nAttention where each query looks at a handful of keys.\n\n", "\n## My reading list\n\n- ask Dana  \n"
    path.write_text(head + above + BEGIN_MARKER + rest + below, encoding="utf-8")

    # The person's paragraph replaces the block's Summary; the synthesis, whose inputs are the same, comes from the cache.
    edited = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert edited.written == ["Concept/sparse-attention"] and stub.calls == 2 and synthesizer.usage.cached == 1
    before = snapshot(vault)
    again = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert again.written == [] and again.unchanged == 3 and stub.calls == 2 and snapshot(vault) == before
    forced = regenerate_pages(vault, None, force=True, synthesizer=synthesizer)
    assert forced.written == [] and stub.calls == 2 and synthesizer.usage.cached == 3 and snapshot(vault) == before

    write_note(vault, make_note("n4", "Sparse attention in production", published=date(2026, 3, 12), entities=[SPARSE],
                                tldr="Sparse attention ships in production at last."))
    third = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert third.written == ["Concept/sparse-attention"] and stub.calls == 3
    assert "Sparse attention ships in production at last." in first_prompt(stub.requests[-1])
    text = path.read_text(encoding="utf-8")
    assert "\n# Sparse attention\n\n" + above + BEGIN_MARKER in text and text.endswith(END_MARKER + "\n" + below)
    assert HEADING in block(text) and "## Summary" not in block(text)


def test_invalid_answers_are_retried_once_then_the_page_goes_without_a_paragraph(vault, stub, synthesizer):
    unknown_only = json.dumps({"paragraph": "These notes share a common thread about attention and memory budgets.",
                               "cites": ["n42", "a-note-nobody-wrote"]})
    fenced_short = '```json\n{"paragraph": "Too short.", "cites": ["n1",]}\n```'
    # Pages in order: the KV cache's (unknown ids, then prose), sparse attention's (too short, then unknown ids).
    stub.reply(unknown_only, "Sorry, I can only answer in prose.", fenced_short, unknown_only)
    report = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert stub.calls == 4 and len(report.written) == 3 and report.errors == []
    retry = stub.requests[1]["messages"]
    assert retry[-2]["content"] == unknown_only
    assert "none of ['n42', 'a-note-nobody-wrote'] is a listed note id" in retry[-1]["content"]
    assert "paragraph: String should have at least 40 characters" in stub.requests[3]["messages"][-1]["content"]
    assert len(report.warnings) == 2 and all("no synthesis paragraph" in w and "invalid output" in w for w in report.warnings)
    for entity_id in ("kv-cache", "sparse-attention"):
        text = block(page(vault, "Concept", entity_id))
        assert HEADING not in text and "## Timeline" in text and "## Sources" in text

    before = snapshot(vault)
    again = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert stub.calls == 4 and again.written == [] and snapshot(vault) == before  # a final answer is not paid for twice
    assert regenerate_pages(vault, None, force=True, synthesizer=synthesizer).warnings and stub.calls == 4


def test_a_failing_service_leaves_the_page_without_a_paragraph_until_a_later_run(vault, stub, synthesizer):
    stub.reply(*[Scripted(status=503, content="overloaded")] * 4)
    first = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert stub.calls == 4 and len(first.written) == 3
    assert all("asked again next run" in warning for warning in first.warnings) and len(first.warnings) == 2
    assert HEADING not in page(vault, "Concept", "kv-cache")

    stub.respond = answer_citing_listed
    later = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert sorted(later.written) == ["Concept/kv-cache", "Concept/sparse-attention"] and later.warnings == []
    assert stub.calls == 6 and HEADING in page(vault, "Concept", "kv-cache")


def test_pages_without_a_synthesis_are_the_same_bytes_with_or_without_an_llm(vault, stub, synthesizer):
    stub.respond = answer_citing_listed
    regenerate_pages(vault, None)
    without = snapshot(vault)
    report = regenerate_pages(vault, None, synthesizer=synthesizer)
    assert sorted(report.written) == ["Concept/kv-cache", "Concept/sparse-attention"]  # the paper's inputs did not change
    paper = entity_path(vault, "Paper", "strided-sparse")
    assert paper.read_bytes() == without[paper]
    # The LLM switched off again: the pages go back to exactly what they were without it.
    assert sorted(regenerate_pages(vault, None).written) == ["Concept/kv-cache", "Concept/sparse-attention"]
    assert snapshot(vault) == without


def test_a_model_name_is_part_of_the_pages_hash(vault, stub, synthesizer, make):
    stub.respond = answer_citing_listed
    regenerate_pages(vault, None, synthesizer=synthesizer)
    other = make("other-model")
    report = regenerate_pages(vault, None, synthesizer=other)
    assert sorted(report.written) == ["Concept/kv-cache", "Concept/sparse-attention"] and stub.calls == 4
    assert "other-model" in page(vault, "Concept", "kv-cache")
