"""The vector index on real Qdrant (local mode; a server too when WIKIGRAPH_QDRANT_URL is set) with the real embedding model."""

from __future__ import annotations

import pytest

from graph.errors import VectorIndexError
from graph.vectors import Chunk, VectorConfig, VectorIndex
from tests.support.vector_backends import VECTOR_BACKENDS, vector_config


def _chunks(note_id: str, texts: list[str]) -> list[Chunk]:
    chunks, offset = [], 0
    for number, text in enumerate(texts):
        chunks.append(Chunk(note_id, f"section-{number}", text, offset, offset + len(text), {"tier": 1}, ordinal=number, count=len(texts)))
        offset += len(text) + 1
    return chunks


@pytest.fixture(params=VECTOR_BACKENDS)
def config(request, tmp_path):
    with vector_config(request.param, tmp_path) as fresh:
        yield fresh


@pytest.fixture
def index(config, embedder):
    opened = VectorIndex.open(config, embedder.dimension)
    yield opened
    opened.close()


def _add(index, embedder, note_id, texts):
    chunks = _chunks(note_id, texts)
    index.upsert(chunks, embedder.embed([c.text for c in chunks]))


def test_search_finds_the_closest_note(index, embedder) -> None:
    _add(index, embedder, "routing", ["Mixture-of-experts routers pick experts per token.", "Load balancing losses."])
    _add(index, embedder, "policy", ["Export controls on advanced chips were widened this spring."])
    hits = index.search(embedder.embed_one("which experts does a token get sent to?"), k=3)
    assert hits[0].note_id == "routing"
    assert hits[0].start == 0 and hits[0].end == len("Mixture-of-experts routers pick experts per token.")


def test_upsert_is_idempotent_and_delete_removes_a_note(index, embedder) -> None:
    _add(index, embedder, "a", ["first text", "second text"])
    _add(index, embedder, "a", ["first text", "second text"])
    _add(index, embedder, "b", ["other text"])
    assert index.count() == 3
    assert index.note_ids() == {"a", "b"}
    index.delete_notes(["a"])
    assert index.note_ids() == {"b"}
    assert index.health()["state"] == "ok" and index.health()["points"] == 1
    assert index.health()["backend"] == f"qdrant-{index.mode}"


def test_second_process_gets_a_clear_error(tmp_path, embedder) -> None:
    config = VectorConfig(path=tmp_path / "qdrant")
    first = VectorIndex.open(config, embedder.dimension)
    try:
        import subprocess
        import sys

        code = (
            "from pathlib import Path; from graph.vectors import VectorIndex, VectorConfig\n"
            f"VectorIndex.open(VectorConfig(path=Path({str(config.path)!r})), {embedder.dimension})"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "open in another wikigraph process" in result.stderr
    finally:
        first.close()


def test_dimension_mismatch_is_refused_until_reindexed(config, embedder) -> None:
    first = VectorIndex.open(config, embedder.dimension)
    _add(first, embedder, "a", ["first text"])
    first.close()
    index = VectorIndex.open(config, embedder.dimension + 1)
    try:
        with pytest.raises(VectorIndexError, match="reindex"):
            index.search([0.0] * (embedder.dimension + 1), k=1)
        with pytest.raises(VectorIndexError, match="reindex"):
            index.upsert(_chunks("b", ["other"]), [[0.1] * (embedder.dimension + 1)])
        assert index.health()["state"].startswith("needs reindex")
        index.reset()
        assert index.health()["state"] == "ok" and index.count() == 0
        index.upsert(_chunks("b", ["other"]), [[0.1] * (embedder.dimension + 1)])
        assert index.note_ids() == {"b"}
    finally:
        index.close()
