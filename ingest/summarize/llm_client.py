"""One chat request to the configured LLM, through llama-index's LLM interface.

Providers: any OpenAI-compatible endpoint (`openai-like`: Ollama, vLLM, llama.cpp server, LM Studio,
OpenRouter), OpenAI itself, and Anthropic. The LLM object is built here from explicit values and
passed on; nothing relies on llama-index's global Settings or on the SDKs' environment variables
(an unset key is sent as a placeholder, never looked up, so a key meant for one service cannot
reach another). The SDKs' own retries are off: the summarizer decides what is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

from graph.errors import WikigraphError

PROVIDERS = ("openai-like", "openai", "anthropic")
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}
PLACEHOLDER_KEY = "unused"  # local servers ignore the key, but the SDKs insist on one


class LLMUnavailable(WikigraphError):
    """The LLM cannot be used at all (unreachable, key refused, unknown model): the ingest stops."""


@dataclass(frozen=True)
class LLMConfig:
    provider: str
    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 120.0
    max_retries: int = 2
    retry_backoff: float = 1.0
    temperature: float = 0.2
    max_output_tokens: int = 1024
    token_budget: int = 8000
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0
    json_mode: bool = False  # ask OpenAI-protocol servers for JSON output (response_format)

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"unknown LLM provider {self.provider!r}; expected one of {', '.join(PROVIDERS)}")
        if self.provider == "openai-like" and not self.base_url:
            raise ValueError("the openai-like provider needs a base URL (e.g. http://127.0.0.1:11434/v1 for Ollama)")

    @property
    def endpoint(self) -> str:
        return self.base_url or DEFAULT_BASE_URLS[self.provider]

    def cost_usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        cost = prompt_tokens / 1000 * self.price_prompt_per_1k + completion_tokens / 1000 * self.price_completion_per_1k
        return round(cost, 6)


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int | None  # None: the server did not report usage
    completion_tokens: int | None


class CallFailed(Exception):
    """One request failed in a way that concerns this request only."""

    def __init__(self, kind: Literal["timeout", "connection", "server", "rejected"], message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        return self.kind != "rejected"


def build_llm(config: LLMConfig) -> Any:
    """The llama-index LLM object for `config` (no I/O: clients connect on first request)."""
    key = config.api_key or PLACEHOLDER_KEY
    common = dict(model=config.model, temperature=config.temperature, max_tokens=config.max_output_tokens,
                  timeout=config.timeout, max_retries=0)
    if config.provider == "anthropic":
        from llama_index.llms.anthropic import Anthropic

        return _tolerate_new_models(Anthropic, config)(api_key=key, base_url=config.endpoint, **common)
    if config.provider == "openai":
        from llama_index.llms.openai import OpenAI

        return _tolerate_new_models(OpenAI, config)(
            api_key=key, api_base=config.endpoint, additional_kwargs=_json_mode(config), **common
        )
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        api_key=key, api_base=config.endpoint, is_chat_model=True, context_window=config.token_budget,
        additional_kwargs=_json_mode(config), **common,
    )


def _json_mode(config: LLMConfig) -> dict[str, Any]:
    # Servers that honour it (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) then constrain decoding to JSON.
    return {"response_format": {"type": "json_object"}} if config.json_mode else {}


def _tolerate_new_models(llm_class: type, config: LLMConfig) -> type:
    """`llm_class` whose metadata does not fail on a model name newer than the installed integration.

    The integrations look model names up in a fixed table on every request and raise on names they do
    not know; a model released after the package would otherwise be unusable.
    """
    from llama_index.core.llms import LLMMetadata

    class Tolerant(llm_class):
        @property
        def metadata(self) -> LLMMetadata:
            try:
                return super().metadata
            except ValueError:
                return LLMMetadata(
                    context_window=config.token_budget, num_output=config.max_output_tokens,
                    is_chat_model=True, model_name=self.model,
                )

    Tolerant.__name__ = f"Tolerant{llm_class.__name__}"
    return Tolerant


class ChatClient:
    """Sends (role, text) messages, returns the reply text and its token usage."""

    def __init__(self, llm: Any, config: LLMConfig) -> None:
        self._llm = llm
        self._config = config
        self._sdk = import_module("anthropic" if config.provider == "anthropic" else "openai")

    def chat(self, messages: list[tuple[str, str]]) -> Reply:
        from llama_index.core.llms import ChatMessage

        chat_messages = [ChatMessage(role=role, content=text) for role, text in messages]
        try:
            response = self._llm.chat(chat_messages)
        except self._sdk.APIError as exc:
            raise self._classify(exc) from exc
        prompt_tokens, completion_tokens = _usage(response)
        return Reply(response.message.content or "", prompt_tokens, completion_tokens)

    def _classify(self, exc: Exception) -> Exception:
        sdk, where = self._sdk, f"{self._config.provider} endpoint {self._config.endpoint}"
        if isinstance(exc, sdk.APITimeoutError):
            return CallFailed("timeout", f"no answer within {self._config.timeout:g} s")
        if isinstance(exc, sdk.APIConnectionError):
            return CallFailed("connection", f"cannot reach the {where}: {exc}")
        status = getattr(exc, "status_code", None)
        if status in (401, 403):
            return LLMUnavailable(f"the {where} refused the API key (HTTP {status}); check WIKIGRAPH_LLM_API_KEY")
        if status == 404:
            return LLMUnavailable(f"the {where} does not know model {self._config.model!r} (HTTP 404): {exc}")
        if status is not None and (status in (408, 409, 429) or status >= 500):
            return CallFailed("server", f"HTTP {status} from the {where}")
        return CallFailed("rejected", f"the {where} rejected the request: {exc}")


def _usage(response: Any) -> tuple[int | None, int | None]:
    extra = response.additional_kwargs or {}
    if "prompt_tokens" in extra:
        return extra.get("prompt_tokens"), extra.get("completion_tokens")
    raw = response.raw
    usage = raw.get("usage") if isinstance(raw, dict) else getattr(raw, "usage", None)
    if usage is None:
        return None, None
    read = usage.get if isinstance(usage, dict) else (lambda name: getattr(usage, name, None))
    prompt = read("prompt_tokens")
    completion = read("completion_tokens")
    if prompt is None:  # Anthropic names them input/output tokens
        prompt, completion = read("input_tokens"), read("output_tokens")
    return prompt, completion
