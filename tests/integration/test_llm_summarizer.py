"""The LLM summarizer over real HTTP, against our OpenAI-protocol stub on loopback.

The real llama-index clients (OpenAI-like and Anthropic) talk to the stub; the stub plays valid,
broken, slow and failing answers on cue. Fallbacks use the real extractive summarizer.
"""

from __future__ import annotations

import json
import time
from datetime import date

import pytest

from ingest.summarize.base import KnownEntity, RelatedNote, SummaryContext
from ingest.summarize.extractive import ExtractiveSummarizer
from ingest.summarize.llm import LLMSummarizer
from ingest.summarize.llm_client import LLMConfig, LLMUnavailable
from tests.support.openai_stub import Scripted

TITLE = "Draft models make decoding cheaper"
BODY = """Speculative decoding pairs a small draft model with a large target model. The draft proposes
several tokens and the target checks them in one forward pass, keeping the ones it agrees with.

In our measurements the acceptance rate stayed above seventy percent on code, but fell to half on
open-ended chat. That gap matters, because latency savings scale with how many drafted tokens survive.

We have not tested drafts smaller than one hundred million parameters. Would a distilled draft keep
its acceptance rate on domains it never saw? It remains unclear how the method behaves under batching."""

EARLIER = RelatedNote("2026-01-05-draft-models", "Draft Models", date(2026, 1, 5), "Small models draft tokens for big ones.", 0.8)
CONCEPT = KnownEntity("Concept", "speculative-decoding", "Speculative decoding", "concepts/speculative-decoding.md", 3, 2)
CONTEXT = SummaryContext(related=[EARLIER], known_entities=[CONCEPT])


def answer(**changes) -> str:
    value = {
        "tldr": "A small draft model proposes tokens that the large model verifies in one pass.",
        "why_it_matters": "Latency savings depend on acceptance rates, which differ by domain.",
        "connections": [
            {"target": "2026-01-05-draft-models", "reason": "extends the earlier note with measurements", "date": "1999-01-01"},
            {"target": "concepts/speculative-decoding", "reason": "the technique itself", "date": "2026-02-01"},
            {"target": "Invented Page", "reason": "a page that does not exist"},
        ],
        "research_angle": ["Test drafts below one hundred million parameters."],
        "open_questions": ["Does a distilled draft keep its acceptance rate out of domain?"],
    }
    value.update(changes)
    return json.dumps(value)


@pytest.fixture
def make(stub, tmp_path, embedder, count_tokens):
    def build(**overrides) -> LLMSummarizer:
        # A timeout no loopback answer comes near, however busy the machine: only the tests of timeouts set a short one.
        settings = dict(provider="openai-like", model="stub-model", base_url=stub.base_url, timeout=30.0, max_retries=2,
                        retry_backoff=0.0, max_output_tokens=512, token_budget=4000,
                        price_prompt_per_1k=0.5, price_completion_per_1k=1.5)
        settings.update(overrides)
        config = LLMConfig(**settings)
        from ingest.summarize.llm_cache import LLMCache
        from ingest.summarize.llm_client import ChatClient, build_llm

        return LLMSummarizer(config, ChatClient(build_llm(config), config), LLMCache(tmp_path / "llm_cache"),
                             ExtractiveSummarizer(embedder), count_tokens)

    return build


def test_valid_answer_becomes_the_summary_with_usage_and_cost(stub, make) -> None:
    stub.reply(Scripted(answer(), prompt_tokens=1200, completion_tokens=300))
    summary = make().summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "llm"
    assert summary.tldr.startswith("A small draft model")
    assert [(c.target, c.label, c.date) for c in summary.connections] == [
        ("2026-01-05-draft-models", "Draft Models", date(2026, 1, 5)),  # a note's own date, not the model's
        ("concepts/speculative-decoding", "Speculative decoding", date(2026, 2, 1)),
    ]
    meta = summary.extra["llm"]
    assert meta["prompt_tokens"] == 1200 and meta["completion_tokens"] == 300
    assert meta["cost_usd"] == pytest.approx(1200 / 1000 * 0.5 + 300 / 1000 * 1.5)
    assert meta["attempts"] == 1 and meta["model"] == "stub-model"
    assert meta["dropped_connections"] == ["Invented Page"]
    assert "repaired" not in meta and "llm_fallback" not in summary.extra
    sent = stub.requests[0]
    assert sent["_path"] == "/v1/chat/completions" and sent["model"] == "stub-model" and sent["max_tokens"] == 512
    user = sent["messages"][-1]["content"]
    assert '"2026-01-05-draft-models"' in user and '"concepts/speculative-decoding"' in user and "acceptance rate" in user


def test_broken_json_is_repaired_without_another_request(stub, make) -> None:
    broken = "```json\n" + answer()[:-1] + ",}\n```"
    stub.reply(broken)
    summary = make().summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "llm" and summary.extra["llm"]["repaired"] is True
    assert stub.calls == 1


def test_invalid_answer_is_retried_with_the_validation_error(stub, make) -> None:
    stub.reply(answer(tldr="Short."), answer())
    summary = make().summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "llm" and summary.extra["llm"]["attempts"] == 2
    retry = stub.requests[1]["messages"]
    assert retry[-2]["role"] == "assistant" and "Short." in retry[-2]["content"]
    assert retry[-1]["role"] == "user" and "tldr" in retry[-1]["content"] and "at least 20 characters" in retry[-1]["content"]
    # usage adds up over both requests
    assert summary.extra["llm"]["completion_tokens"] == sum(len(a.split()) for a in (answer(tldr="Short."), answer()))


def test_answers_that_never_validate_fall_back_to_extractive_and_are_cached(stub, make) -> None:
    stub.reply("I cannot do that.", '{"tldr": "nope"}')
    summarizer = make(max_retries=1)
    summary = summarizer.summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "extractive"
    assert summary.extra["llm_fallback"].startswith("invalid output: ") and "after 2 attempts" in summary.extra["llm_fallback"]
    assert summary.extra["llm"]["attempts"] == 2 and summary.extra["llm"]["completion_tokens"] > 0
    assert summary.tldr and summary.research_angle and summary.open_questions
    assert all(sentence in BODY.replace("\n", " ") for sentence in [summary.tldr.split(". ")[0]])
    again = make(max_retries=1).summarize(TITLE, BODY, CONTEXT)  # a new process, same data dir
    assert stub.calls == 2, "an answer that never validated is not asked for again"
    assert again.tldr == summary.tldr and again.extra == summary.extra


def test_slow_answer_times_out_and_is_retried(stub, make) -> None:
    # The retry's quick answer must also come within the timeout: 3 s leaves a busy machine room for it, and
    # the slow answer (never sent before the stub stops) is far beyond both.
    stub.reply(Scripted(answer(), delay=120), answer())
    started = time.perf_counter()
    summary = make(timeout=3.0).summarize(TITLE, BODY, CONTEXT)
    assert 3.0 <= time.perf_counter() - started < 60
    assert summary.summarizer == "llm" and summary.extra["llm"]["attempts"] == 2


def test_timeouts_fall_back_and_are_not_cached(stub, make) -> None:
    stub.reply(Scripted("", delay=120), Scripted("", delay=120))
    summary = make(timeout=0.5, max_retries=1).summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "extractive" and "no answer within 0.5 s" in summary.extra["llm_fallback"]
    stub.reply(answer())
    retried = make(max_retries=1).summarize(TITLE, BODY, CONTEXT)  # the cache key has no timeout in it
    assert retried.summarizer == "llm" and stub.calls == 3


def test_server_errors_are_retried_after_a_growing_pause(stub, make) -> None:
    stub.reply(Scripted("overloaded", status=503), Scripted("slow down", status=429), answer())
    started = time.perf_counter()
    summary = make(retry_backoff=0.2).summarize(TITLE, BODY, CONTEXT)
    assert time.perf_counter() - started >= 0.2 + 0.4
    assert summary.summarizer == "llm" and summary.extra["llm"]["attempts"] == 3


def test_a_refused_key_stops_the_ingest(stub, make) -> None:
    stub.reply(Scripted("bad key", status=401))
    with pytest.raises(LLMUnavailable, match="refused the API key"):
        make().summarize(TITLE, BODY, CONTEXT)
    assert stub.calls == 1


def test_an_unreachable_endpoint_stops_the_ingest(make) -> None:
    summarizer = make(base_url="http://127.0.0.1:9/v1", max_retries=1)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        summarizer.summarize(TITLE, BODY, CONTEXT)


def test_unchanged_posts_are_never_asked_twice(stub, make) -> None:
    stub.reply(answer())
    first = make().summarize(TITLE, BODY, CONTEXT)
    second = make().summarize(TITLE, BODY, CONTEXT)
    assert stub.calls == 1 and second == first
    assert make().estimate(TITLE, BODY, CONTEXT).cached
    stub.reply(answer(), answer())
    assert make(model="another-model").summarize(TITLE, BODY, CONTEXT).summarizer == "llm"  # a new model asks again
    assert make().summarize(TITLE, BODY + "\n\nA correction was added.", CONTEXT).summarizer == "llm"  # so does new content
    assert stub.calls == 3


def test_long_posts_are_cut_to_the_token_budget(stub, make, count_tokens) -> None:
    long_body = "\n\n".join(BODY for _ in range(30))
    stub.reply(answer())
    summarizer = make(token_budget=3000, max_output_tokens=512)
    estimate = summarizer.estimate(TITLE, long_body, CONTEXT)
    summary = summarizer.summarize(TITLE, long_body, CONTEXT)
    truncated = summary.extra["llm"]["truncated"]
    assert truncated["body_tokens"] == count_tokens(long_body) > truncated["kept_tokens"] > 0
    sent = stub.requests[0]["messages"]
    prompt_tokens = sum(count_tokens(m["content"]) + 4 for m in sent)
    assert prompt_tokens + 512 <= 3000
    assert "post cut to fit the token budget" in sent[-1]["content"]
    assert estimate.truncated and estimate.prompt_tokens == pytest.approx(prompt_tokens, abs=5)


def test_servers_without_usage_figures_get_counted_usage(stub, make) -> None:
    stub.reply(Scripted(answer(), usage=False))
    meta = make().summarize(TITLE, BODY, CONTEXT).extra["llm"]
    assert meta["usage_estimated"] is True and meta["prompt_tokens"] > 100 and meta["completion_tokens"] > 20


def test_anthropic_provider_speaks_the_messages_api(stub, make) -> None:
    stub.reply(Scripted(answer(), prompt_tokens=900, completion_tokens=250))
    summary = make(provider="anthropic", model="claude-model-from-the-future", base_url=stub.anthropic_url,
                   api_key="test-key").summarize(TITLE, BODY, CONTEXT)
    assert summary.summarizer == "llm"
    assert (summary.extra["llm"]["prompt_tokens"], summary.extra["llm"]["completion_tokens"]) == (900, 250)
    sent = stub.requests[0]
    assert sent["_path"] == "/v1/messages" and "research wiki" in sent["messages"][0]["content"][0]["text"]


def test_json_mode_asks_the_server_for_json(stub, make) -> None:
    stub.reply(answer(), answer())
    make(json_mode=True).summarize(TITLE, BODY, CONTEXT)
    make(json_mode=False, model="plain").summarize(TITLE, BODY, CONTEXT)
    assert stub.requests[0]["response_format"] == {"type": "json_object"}
    assert "response_format" not in stub.requests[1]
