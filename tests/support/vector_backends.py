"""Open a fresh vector index for a test, in every mode that is available.

Qdrant local mode always; a Qdrant server when WIKIGRAPH_QDRANT_URL points at one (skipped with a
message otherwise). On a server each test gets collections of its own, dropped afterwards, so a
shared server keeps nothing of the tests and wikigraph's own collections are never touched.
Test modules parametrise a fixture over VECTOR_BACKENDS.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph.vectors import VectorConfig

QDRANT_SKIP = "Qdrant server mode not tested: set WIKIGRAPH_QDRANT_URL (and WIKIGRAPH_QDRANT_API_KEY if it needs one) to a Qdrant server"
VECTOR_BACKENDS = ["local", "server"]


@contextmanager
def vector_config(backend: str, tmp_path: Path) -> Iterator[VectorConfig]:
    """A VectorConfig for `backend` with nothing in it yet; server collections are dropped on exit."""
    if backend == "local":
        yield VectorConfig(path=tmp_path / "qdrant")
        return
    url = os.environ.get("WIKIGRAPH_QDRANT_URL")
    if not url:
        pytest.skip(QDRANT_SKIP)
    api_key = os.environ.get("WIKIGRAPH_QDRANT_API_KEY") or None
    prefix = f"wikigraph_test_{uuid.uuid4().hex[:12]}"
    config = VectorConfig(path=tmp_path / "qdrant", url=url, api_key=api_key,
                          collection=f"{prefix}_chunks", entity_collection=f"{prefix}_entities")
    try:
        yield config
    finally:
        from qdrant_client import QdrantClient

        client = QdrantClient(url=url, api_key=api_key)
        try:
            for name in (config.collection, config.entity_collection):
                if client.collection_exists(name):
                    client.delete_collection(name)
        finally:
            client.close()
