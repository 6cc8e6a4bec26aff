"""The synthesis paragraph of entity pages, written by the configured LLM (see graph/page_synthesis.py).

Per page: serve the cached answer if this request was answered before by this model and prompt (zero
requests); otherwise ask, repair and validate the JSON, and after an invalid answer or a failed
request ask once more (with the validation error, if that was the trouble). An invalid answer is
final for this request (cached, so it is not paid for again): the page goes without a paragraph.
A service that cannot be reached is not: the page is written without one and asked again next run,
and after a refused key or unknown model no further page is asked this run. Token usage and cost
are logged per request and summed in `usage`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from graph.page_synthesis import Synthesis, SynthesisFailed, SynthesisRequest
from ingest.summarize.llm import MAX_REASON, default_token_count
from ingest.summarize.llm_cache import LLMCache
from ingest.summarize.llm_client import CallFailed, ChatClient, LLMConfig, LLMUnavailable, Reply, build_llm
from ingest.summarize.llm_prompt import Budget, TokenCount
from ingest.summarize.llm_schema import AnswerInvalid
from ingest.summarize.synthesis_prompt import SYNTHESIS_PROMPT_VERSION, build_synthesis_prompt, follow_up, parse_synthesis

log = logging.getLogger(__name__)
MAX_RETRIES = 1  # a page paragraph is worth one more request, not the summarizer's full allowance


def synthesis_key(request: SynthesisRequest, provider: str, model: str) -> str:
    payload = json.dumps(["synthesis", SYNTHESIS_PROMPT_VERSION, provider, model, asdict(request)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class SynthesisUsage:
    """What this run's synthesis requests cost (cached answers cost nothing and are counted apart)."""

    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def line(self, model: str) -> str:
        return (f"synthesis by {model}: {self.requests} request(s), {self.cached} from the cache, "
                f"{self.prompt_tokens} prompt + {self.completion_tokens} answer tokens, ${self.cost_usd:.4f}")


class LLMSynthesizer:
    """A `graph.page_synthesis.Synthesizer` on the LLM client the summarizer uses."""

    def __init__(
        self,
        config: LLMConfig,
        client: ChatClient,
        cache: LLMCache,
        count_tokens: TokenCount,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.model = config.model
        self.usage = SynthesisUsage()
        self._client = client
        self._cache = cache
        self._count = count_tokens
        self._sleep = sleep
        self._unavailable: str | None = None  # set once the service refused us: ask no further page this run

    @classmethod
    def create(cls, config: LLMConfig, cache_dir: Path) -> LLMSynthesizer:
        return cls(config, ChatClient(build_llm(config), config), LLMCache(cache_dir), default_token_count())

    def __call__(self, request: SynthesisRequest) -> Synthesis:
        key = synthesis_key(request, self.config.provider, self.config.model)
        entry = self._cache.get(key)
        if entry is not None:
            self.usage.cached += 1
        else:
            entry = self._ask(request)  # raises when the service failed: nothing to cache
            self._cache.put(key, entry)
        answer = entry.get("answer")
        if answer is None:
            raise SynthesisFailed(f"{self.model}: {entry['failure']}")
        return Synthesis(answer["paragraph"], tuple(answer["cites"]), self.model)

    def _ask(self, request: SynthesisRequest) -> dict[str, Any]:
        if self._unavailable is not None:
            raise SynthesisFailed(self._unavailable, retry_later=True)
        retries = min(MAX_RETRIES, self.config.max_retries)
        budget = Budget(self.config.token_budget, self.config.max_output_tokens, retries=retries > 0)
        prompt = build_synthesis_prompt(request, budget.prompt_limit, self._count)
        note_ids = [note.id for note in request.notes[: prompt.notes_offered]]
        messages = prompt.messages
        entry = self._entry()
        failure, invalid = "", False
        for attempt in range(1, retries + 2):
            entry["attempts"] = attempt
            self.usage.requests += 1
            try:
                reply = self._client.chat(messages)
            except LLMUnavailable as exc:
                self._unavailable = str(exc)
                raise SynthesisFailed(str(exc), retry_later=True) from exc
            except CallFailed as exc:
                failure, invalid = str(exc), False
                log.warning("LLM synthesis request %d for %s/%s failed: %s", attempt, request.type, request.id, exc)
                if not exc.retryable:
                    break
                if attempt <= retries:
                    self._sleep(self.config.retry_backoff * 2 ** (attempt - 1))
                continue
            self._add_usage(entry, reply, messages)
            try:
                answer, repaired, dropped = parse_synthesis(reply.text, note_ids)
            except AnswerInvalid as exc:
                failure, invalid = f"invalid output: {exc}", True
                log.warning("LLM synthesis %d for %s/%s is invalid: %s", attempt, request.type, request.id, exc)
                messages = follow_up(prompt, reply.text, str(exc))
                continue
            entry.update(repaired=repaired, dropped_cites=dropped, answer={"paragraph": answer.paragraph, "cites": answer.cites})
            log.info("LLM synthesis for %s/%s: %d attempt(s), %d prompt + %d answer tokens, $%.4f", request.type, request.id,
                     attempt, entry["prompt_tokens"], entry["completion_tokens"], entry["cost_usd"])
            return entry
        reason = failure if len(failure) <= MAX_REASON else failure[:MAX_REASON] + " …"
        if not invalid:
            raise SynthesisFailed(f"{reason} (after {entry['attempts']} attempt(s))", retry_later=True)
        entry["failure"] = f"{reason} (after {entry['attempts']} attempt(s))"
        return entry

    def _entry(self) -> dict[str, Any]:
        return {"provider": self.config.provider, "model": self.config.model, "prompt_version": SYNTHESIS_PROMPT_VERSION,
                "attempts": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "usage_estimated": False,
                "repaired": False, "dropped_cites": [], "answer": None, "failure": None}

    def _add_usage(self, entry: dict[str, Any], reply: Reply, messages: list[tuple[str, str]]) -> None:
        if reply.prompt_tokens is None or reply.completion_tokens is None:
            entry["usage_estimated"] = True  # the server reports no usage: count it ourselves
            prompt = sum(self._count(text) + 4 for _, text in messages)
            completion = self._count(reply.text)
        else:
            prompt, completion = reply.prompt_tokens, reply.completion_tokens
        cost = self.config.cost_usd(prompt, completion)
        entry["prompt_tokens"] += prompt
        entry["completion_tokens"] += completion
        entry["cost_usd"] = round(entry["cost_usd"] + cost, 6)
        self.usage.prompt_tokens += prompt
        self.usage.completion_tokens += completion
        self.usage.cost_usd = round(self.usage.cost_usd + cost, 6)
