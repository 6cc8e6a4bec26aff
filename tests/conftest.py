"""Shared fixtures: the real embedding model, fresh real stores per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.embed import EmbedConfig, Embedder

# The LLM tests' loopback OpenAI-protocol stub and token counter (`stub`, `count_tokens`).
pytest_plugins = ["tests.support.llm_fixtures"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def embed_config() -> EmbedConfig:
    configured = os.environ.get("WIKIGRAPH_EMBED_MODEL_PATH")
    local = SHARED / "models" / "all-MiniLM-L6-v2"
    if configured:
        return EmbedConfig(model_path=Path(configured))
    if local.exists():
        return EmbedConfig(model_path=local)
    return EmbedConfig()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder.load(embed_config())


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"third-party corpora not available: {SHARED} is absent (only developer machines and CI have it)")
    return SHARED
