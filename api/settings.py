"""Settings, one class per concern, read once at the entry points and handed down as plain objects.

Every setting is an environment variable with the `WIKIGRAPH_` prefix (a `.env` file in the
working directory is read too). docs/configuration.md lists them all; a test keeps it in sync.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.embed import EmbedConfig
from graph.store import GraphStoreConfig
from graph.vectors import VectorConfig


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
    api_key: SecretStr | None = Field(None, description="Key required by write endpoints (X-API-Key header).")


class FetchSettings(BaseSettings):
    model_config = _config()

    user_agent: str = Field(
        "wikigraph/0.1 (+https://github.com/wikigraph/wikigraph; feed reader)",
        description="User-Agent sent with every feed request.",
    )
    fetch_timeout: float = Field(20.0, description="Seconds before a feed request times out.")
    poll_interval: int = Field(60, ge=5, description="Minutes between checks of a source that sets no poll_interval (watch).")


class Settings:
    """All concerns together, as the entry points hand them down."""

    def __init__(self, **overrides: object) -> None:
        self.paths = PathSettings(**_pick(overrides, PathSettings))
        self.graph = GraphSettings(**_pick(overrides, GraphSettings))
        self.vectors = VectorSettings(**_pick(overrides, VectorSettings))
        self.embed = EmbedSettings(**_pick(overrides, EmbedSettings))
        self.server = ServerSettings(**_pick(overrides, ServerSettings))
        self.fetch = FetchSettings(**_pick(overrides, FetchSettings))


SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    PathSettings,
    GraphSettings,
    VectorSettings,
    EmbedSettings,
    ServerSettings,
    FetchSettings,
)


def _pick(overrides: dict[str, object], cls: type[BaseSettings]) -> dict[str, object]:
    return {key: value for key, value in overrides.items() if key in cls.model_fields and value is not None}
