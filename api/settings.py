"""Settings, one class per concern, read once at the entry points and handed down as plain objects.

Every setting is an environment variable with the `WIKIGRAPH_` prefix (a `.env` file in the
working directory is read too). docs/configuration.md lists them all; a test keeps it in sync.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.embed import EmbedConfig
from graph.store import GraphStoreConfig
from graph.vectors import VectorConfig
from ingest.summarize.llm_client import LLMConfig


MIN_API_KEY_CHARS = 16


def _config() -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix="WIKIGRAPH_", env_file=".env", extra="ignore")


class PathSettings(BaseSettings):
    model_config = _config()

    wiki_dir: Path = Field(Path("wiki_content"), description="The vault: Markdown source of truth.")
    data_dir: Path = Field(Path(".wikigraph"), description="Derived state: graph data, vectors, feed state.")


class GraphSettings(BaseSettings):
    model_config = _config()

    neo4j_uri: str | None = Field(None, description="Bolt URI of a Neo4j 5 server; unset = embedded FalkorDB.")
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr | None = Field(None, description="Neo4j password (required with neo4j_uri).")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    graph_name: str = Field("wikigraph", description="Graph name inside the embedded FalkorDB.")

    def store_config(self, data_dir: Path) -> GraphStoreConfig:
        password = self.neo4j_password.get_secret_value() if self.neo4j_password else None
        return GraphStoreConfig(
            data_dir=data_dir,
            graph_name=self.graph_name,
            neo4j_uri=self.neo4j_uri,
            neo4j_user=self.neo4j_user,
            neo4j_password=password,
            neo4j_database=self.neo4j_database,
        )


class VectorSettings(BaseSettings):
    model_config = _config()

    qdrant_url: str | None = Field(None, description="URL of a Qdrant server; unset = Qdrant local mode in the data dir.")
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server.")
    qdrant_collection: str = Field("note_chunks", description="Collection holding note chunks.")

    def vector_config(self, data_dir: Path) -> VectorConfig:
        key = self.qdrant_api_key.get_secret_value() if self.qdrant_api_key else None
        return VectorConfig(
            path=data_dir / "qdrant",
            url=self.qdrant_url,
            api_key=key,
            collection=self.qdrant_collection,
        )


class EmbedSettings(BaseSettings):
    model_config = _config()

    embed_model: str = Field("sentence-transformers/all-MiniLM-L6-v2", description="fastembed model name.")
    embed_model_path: Path | None = Field(None, description="Local model directory (ONNX + tokenizer); no download when set.")

    def embed_config(self) -> EmbedConfig:
        return EmbedConfig(model_name=self.embed_model, model_path=self.embed_model_path)


class ServerSettings(BaseSettings):
    model_config = _config()

    host: str = Field("127.0.0.1", description="Interface the API listens on.")
    port: int = Field(8000, description="Port the API listens on.")
    api_key: SecretStr | None = Field(None, description="Key required by write endpoints (X-API-Key header); unset = writes refused.")
    cors_origins: str = Field("", description="Comma-separated origins browsers may call the API from (CORS); empty = none.")

    @field_validator("api_key", mode="before")
    @classmethod
    def _strong_key(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or (isinstance(text, str) and not text.strip()):
            return None  # an empty WIKIGRAPH_API_KEY= line means no key
        if isinstance(text, str) and len(text) < MIN_API_KEY_CHARS:
            raise ValueError(
                f"WIKIGRAPH_API_KEY must be at least {MIN_API_KEY_CHARS} characters; "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    def cors_origin_list(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]


class FetchSettings(BaseSettings):
    model_config = _config()

    user_agent: str = Field(
        "wikigraph/0.1 (+https://github.com/wikigraph/wikigraph; feed reader)",
        description="User-Agent sent with every feed request.",
    )
    fetch_timeout: float = Field(20.0, description="Seconds before a feed request times out.")
    poll_interval: int = Field(60, ge=5, description="Minutes between checks of a source that sets no poll_interval (watch).")
    failures_before_backoff: int = Field(3, ge=1, description="Failed fetches in a row before a source is polled less often.")
    max_articles_per_refresh: int = Field(10, ge=0, description="Article pages fetched per source and refresh (0 = none).")
    fetch_workers: int = Field(4, ge=1, le=32, description="Sources fetched at once (one request at a time per host).")


class SummarizerSettings(BaseSettings):
    model_config = _config()

    summarizer: Literal["extractive", "llm"] = Field("extractive", description="Who writes summary notes.")
    llm_provider: Literal["openai-like", "openai", "anthropic"] = Field(
        "openai-like", description="LLM API: any OpenAI-compatible endpoint, OpenAI, or Anthropic."
    )
    llm_base_url: str | None = Field(None, description="Endpoint URL (required for openai-like, e.g. Ollama's /v1).")
    llm_model: str | None = Field(None, description="Model name as the endpoint knows it (required for llm).")
    llm_api_key: SecretStr | None = Field(None, description="API key (required for openai and anthropic).")
    llm_timeout: float = Field(120.0, gt=0, description="Seconds to wait for one LLM answer.")
    llm_max_retries: int = Field(2, ge=0, le=10, description="Extra requests per post after an invalid answer or a failed request.")
    llm_retry_backoff: float = Field(1.0, ge=0, description="Seconds before retrying a failed request (doubling each time).")
    llm_temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    llm_max_output_tokens: int = Field(1024, ge=128, description="Longest answer allowed, in tokens.")
    llm_token_budget: int = Field(8000, ge=2048, description="Tokens one request for one post may use (prompt + answer).")
    llm_price_prompt_per_1k: float = Field(0.0, ge=0, description="USD per 1,000 prompt tokens, for cost estimates.")
    llm_price_completion_per_1k: float = Field(0.0, ge=0, description="USD per 1,000 answer tokens, for cost estimates.")
    llm_json_mode: bool = Field(False, description="Ask OpenAI-protocol servers for JSON output (response_format).")

    @model_validator(mode="after")
    def _complete_for_llm(self) -> "SummarizerSettings":
        if self.summarizer != "llm":
            return self
        missing = [name for name, needed in (
            ("WIKIGRAPH_LLM_MODEL", not self.llm_model),
            ("WIKIGRAPH_LLM_BASE_URL", self.llm_provider == "openai-like" and not self.llm_base_url),
            ("WIKIGRAPH_LLM_API_KEY", self.llm_provider in ("openai", "anthropic") and not self.llm_api_key),
        ) if needed]
        if missing:
            raise ValueError(f"WIKIGRAPH_SUMMARIZER=llm with provider {self.llm_provider} needs {', '.join(missing)}")
        if self.llm_token_budget < self.llm_max_output_tokens + 1024:
            raise ValueError("WIKIGRAPH_LLM_TOKEN_BUDGET must leave at least 1024 tokens for the prompt beyond the answer")
        return self

    def llm_config(self) -> LLMConfig:
        key = self.llm_api_key.get_secret_value() if self.llm_api_key else None
        return LLMConfig(
            provider=self.llm_provider,
            model=self.llm_model or "",
            base_url=self.llm_base_url,
            api_key=key,
            timeout=self.llm_timeout,
            max_retries=self.llm_max_retries,
            retry_backoff=self.llm_retry_backoff,
            temperature=self.llm_temperature,
            max_output_tokens=self.llm_max_output_tokens,
            token_budget=self.llm_token_budget,
            price_prompt_per_1k=self.llm_price_prompt_per_1k,
            price_completion_per_1k=self.llm_price_completion_per_1k,
            json_mode=self.llm_json_mode,
        )


class Settings:
    """All concerns together, as the entry points hand them down."""

    def __init__(self, **overrides: object) -> None:
        self.paths = PathSettings(**_pick(overrides, PathSettings))
        self.graph = GraphSettings(**_pick(overrides, GraphSettings))
        self.vectors = VectorSettings(**_pick(overrides, VectorSettings))
        self.embed = EmbedSettings(**_pick(overrides, EmbedSettings))
        self.server = ServerSettings(**_pick(overrides, ServerSettings))
        self.fetch = FetchSettings(**_pick(overrides, FetchSettings))
        self.summarizer = SummarizerSettings(**_pick(overrides, SummarizerSettings))


SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    PathSettings,
    GraphSettings,
    VectorSettings,
    EmbedSettings,
    ServerSettings,
    FetchSettings,
    SummarizerSettings,
)


def _pick(overrides: dict[str, object], cls: type[BaseSettings]) -> dict[str, object]:
    return {key: value for key, value in overrides.items() if key in cls.model_fields and value is not None}
