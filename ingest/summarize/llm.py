"""The LLM summarizer: a validated JSON answer from any configured LLM, or the offline summarizer.

Per post: serve the cached answer if this content was summarised before by this model and prompt
(zero requests); otherwise ask, repair and validate the JSON, retry with the validation error
(up to `max_retries` more requests), and when no valid answer comes, fall back to the offline
summarizer. Either way the note records what happened in its front matter: `llm` (model, tokens,
estimated cost, attempts, repairs, truncation, dropped connections) and, on fallback,
`llm_fallback` with the reason. Connections may only point at pages offered in the prompt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from graph.model import Connection
from ingest.summarize.base import Summarizer, Summary, SummaryContext
from ingest.summarize.llm_cache import LLMCache, content_key
from ingest.summarize.llm_client import CallFailed, ChatClient, LLMConfig, LLMUnavailable, Reply, build_llm
from ingest.summarize.llm_prompt import (
    PROMPT_VERSION,
    Budget,
    Prompt,
    Target,
    TokenCount,
    build_prompt,
    catalogue,
    follow_up,
    resolve_target,
)
from ingest.summarize.llm_schema import AnswerInvalid, SummaryAnswer, parse_answer

log = logging.getLogger(__name__)
MAX_REASON = 300  # characters of a failure kept in the note's front matter


def default_token_count() -> TokenCount:
    """Tokens by the cl100k encoding that llama-index ships (offline); an estimate for other models."""
    from llama_index.core.utils import get_tokenizer

    encode = get_tokenizer()
    return lambda text: len(encode(text))


@dataclass(frozen=True)
class PostEstimate:
    cached: bool  # answered before: costs nothing
    prompt_tokens: int
    max_completion_tokens: int
    truncated: bool


class LLMSummarizer:
    name = "llm"

    def __init__(
        self,
        config: LLMConfig,
        client: ChatClient,
        cache: LLMCache,
        fallback: Summarizer,
        count_tokens: TokenCount,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._client = client
        self._cache = cache
        self._fallback = fallback
        self._count = count_tokens
        self._sleep = sleep
        self._budget = Budget(config.token_budget, config.max_output_tokens, retries=config.max_retries > 0)

    @classmethod
    def create(cls, config: LLMConfig, cache_dir: Path, fallback: Summarizer) -> "LLMSummarizer":
        return cls(config, ChatClient(build_llm(config), config), LLMCache(cache_dir), fallback, default_token_count())

    def summarize(self, title: str, body_markdown: str, context: SummaryContext) -> Summary:
        key = content_key(title, body_markdown, self.config.provider, self.config.model)
        entry = self._cache.get(key)
        if entry is not None:
            log.info("LLM summary of %r served from the cache", title)
        else:
            entry, cacheable = self._ask(title, body_markdown, context)
            if cacheable:
                self._cache.put(key, entry)
        return self._summary(entry, title, body_markdown, context)

    def estimate(self, title: str, body_markdown: str, context: SummaryContext) -> PostEstimate:
        """What summarising this post would cost, without asking the LLM."""
        key = content_key(title, body_markdown, self.config.provider, self.config.model)
        if key in self._cache:
            return PostEstimate(True, 0, 0, False)
        prompt = build_prompt(title, body_markdown, context, self._budget, self._count)
        return PostEstimate(False, prompt.tokens, self.config.max_output_tokens, prompt.truncated)

    # -- asking -----------------------------------------------------------------------------

    def _ask(self, title: str, body: str, context: SummaryContext) -> tuple[dict[str, Any], bool]:
        """The cache entry for this post and whether it may be cached (not when the service failed)."""
        prompt = build_prompt(title, body, context, self._budget, self._count)
        record = _Record(self.config, prompt)
        messages = prompt.messages
        for attempt in range(1, self.config.max_retries + 2):
            record.attempts = attempt
            try:
                reply = self._client.chat(messages)
            except CallFailed as failure:
                record.failure, record.failure_kind = str(failure), failure.kind
                log.warning("LLM request %d for %r failed: %s", attempt, title, failure)
                if not failure.retryable:
                    break
                if attempt <= self.config.max_retries:
                    self._sleep(self.config.retry_backoff * 2 ** (attempt - 1))
                continue
            record.add_usage(reply, messages, self._count)
            try:
                answer, repaired = parse_answer(reply.text)
            except AnswerInvalid as invalid:
                record.failure, record.failure_kind = f"invalid output: {invalid}", "invalid"
                log.warning("LLM answer %d for %r is invalid: %s", attempt, title, invalid)
                messages = follow_up(prompt, reply.text, str(invalid))
                continue
            return record.success(answer, repaired, catalogue(context)), True
        if record.failure_kind == "connection":
            raise LLMUnavailable(f"{record.failure} (after {record.attempts} attempts)")
        return record.failed(), record.failure_kind == "invalid"

    # -- answering --------------------------------------------------------------------------

    def _summary(self, entry: dict[str, Any], title: str, body: str, context: SummaryContext) -> Summary:
        meta = _front_matter_meta(entry)
        answer = entry.get("answer")
        if answer is None:
            summary = self._fallback.summarize(title, body, context)
            summary.summarizer = self._fallback.name
            summary.extra = {"llm": meta, "llm_fallback": entry["failure"]}
            return summary
        return Summary(
            tldr=answer["tldr"],
            why_it_matters=answer["why_it_matters"],
            connections=[_connection(item) for item in answer["connections"]],
            research_angle=list(answer["research_angle"]),
            open_questions=list(answer["open_questions"]),
            summarizer=self.name,
            extra={"llm": meta},
        )


class _Record:
    """What one post's requests did, gathered as they happen; becomes the cache entry."""

    def __init__(self, config: LLMConfig, prompt: Prompt) -> None:
        self.config = config
        self.prompt = prompt
        self.attempts = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.usage_estimated = False
        self.failure: str | None = None
        self.failure_kind: str | None = None

    def add_usage(self, reply: Reply, messages: list[tuple[str, str]], count: TokenCount) -> None:
        if reply.prompt_tokens is None or reply.completion_tokens is None:
            self.usage_estimated = True  # the server reports no usage: count it ourselves
            self.prompt_tokens += sum(count(text) + 4 for _, text in messages)
            self.completion_tokens += count(reply.text)
        else:
            self.prompt_tokens += reply.prompt_tokens
            self.completion_tokens += reply.completion_tokens

    def base(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "provider": self.config.provider,
            "model": self.config.model,
            "prompt_version": PROMPT_VERSION,
            "attempts": self.attempts,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.config.cost_usd(self.prompt_tokens, self.completion_tokens),
            "usage_estimated": self.usage_estimated,
            "truncated": None,
            "repaired": False,
            "dropped_connections": [],
            "answer": None,
            "failure": None,
        }
        if self.prompt.truncated:
            entry["truncated"] = {"body_tokens": self.prompt.body_tokens, "kept_tokens": self.prompt.kept_tokens}
        return entry

    def success(self, answer: SummaryAnswer, repaired: bool, targets: list[Target]) -> dict[str, Any]:
        connections, dropped = _checked_connections(answer, targets)
        entry = self.base()
        entry.update(repaired=repaired, dropped_connections=dropped)
        entry["answer"] = {
            "tldr": answer.tldr,
            "why_it_matters": answer.why_it_matters,
            "connections": connections,
            "research_angle": answer.research_angle,
            "open_questions": answer.open_questions,
        }
        return entry

    def failed(self) -> dict[str, Any]:
        entry = self.base()
        reason = self.failure if len(self.failure) <= MAX_REASON else self.failure[:MAX_REASON] + " …"
        entry["failure"] = f"{reason} (after {self.attempts} attempt{'s' if self.attempts > 1 else ''})"
        return entry


def _checked_connections(answer: SummaryAnswer, targets: list[Target]) -> tuple[list[dict], list[str]]:
    """Connections to listed pages (deduplicated); the targets of the others, which are dropped."""
    kept: dict[str, dict] = {}
    dropped: list[str] = []
    for item in answer.connections:
        target = resolve_target(item.target, targets)
        if target is None:
            dropped.append(item.target)
            continue
        when = target.date if target.kind == "note" else item.date  # a note's own date beats the model's
        kept.setdefault(target.target, {
            "target": target.target, "label": target.label, "reason": item.reason,
            "date": when.isoformat() if when else None,
        })
    return list(kept.values()), dropped


def _connection(item: dict[str, Any]) -> Connection:
    when = date.fromisoformat(item["date"]) if item.get("date") else None
    return Connection(target=item["target"], reason=item["reason"], label=item.get("label"), date=when)


def _front_matter_meta(entry: dict[str, Any]) -> dict[str, Any]:
    """The note's `llm:` mapping: always model, tokens and cost; the rest only when it says something."""
    meta = {key: entry[key] for key in ("provider", "model", "attempts", "prompt_tokens", "completion_tokens", "cost_usd")}
    for flag in ("repaired", "usage_estimated"):
        if entry.get(flag):
            meta[flag] = True
    if entry.get("truncated"):
        meta["truncated"] = dict(entry["truncated"])
    if entry.get("dropped_connections"):
        meta["dropped_connections"] = list(entry["dropped_connections"])
    return meta
