"""What sync writes to the vector index (raw paragraphs, entity pages), and an index of an older layout."""

from __future__ import annotations

import pytest

from graph.errors import VectorIndexError
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.sync import reindex, sync_vault
from graph.vault import Vault, atomic_write_text
from graph.vectors import DENSE, VectorConfig, VectorIndex
from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note

RAW_POST = """---
id: filters
title: Filters
---

The adaptive attacker probes the filter until a phrasing slips through, which takes fewer queries than people expect.

Rate limits slow the attacker down but do not change what the filter can and cannot catch.
"""


@pytest.fixture
def stores(tmp_path, embedder):
    store = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path / "graph"))
    store.ensure_schema()
    index = VectorIndex.open(VectorConfig(path=tmp_path / "qdrant"), embedder.dimension)
    yield store, index
    index.close()
    store.close()


def _vault(tmp_path) -> Vault:
    vault = Vault(tmp_path / "wiki")
    note = make_note("filters", "Filters and their attackers", entities=[mention("Concept", "adaptive-attacks")])
    write_note(vault, note)
    atomic_write_text(vault.root / note.raw, RAW_POST)
    write_entity(vault, make_entity("Concept", "adaptive-attacks", "Adaptive attacks", aliases=["adaptive attacker"]))
    write_entity(vault, make_entity("Paper", "adaptbench", "AdaptBench: tuned attacks on guardrails"))
    return vault


def test_sync_indexes_raw_paragraphs_and_entity_pages_and_follows_their_changes(tmp_path, stores, embedder) -> None:
    store, index = stores
    vault = _vault(tmp_path)
    sync_vault(vault, store, index, embedder, [])
    raw = [hit for hit in index.search_chunks(None, "rate limits attacker", 10, mode="sparse") if hit.kind == "raw"]
    assert raw and raw[0].path == "raw/rss/filters.md"
    assert RAW_POST[raw[0].start : raw[0].end] == raw[0].text
    assert index.entity_count() == 2
    found = index.search_entities(embedder.embed_one("benchmark of attacks on guardrails"), None, 1, mode="dense")
    assert [(hit.type, hit.entity_id) for hit in found] == [("Paper", "adaptbench")]

    (vault.root / "papers" / "adaptbench.md").unlink()
    write_entity(vault, make_entity("Concept", "adaptive-attacks", "Adaptive attacks", aliases=["attacks tuned to the defense"]))
    sync_vault(vault, store, index, embedder, [])
    assert index.entity_count() == 1
    (hit,) = index.search_entities(None, "tuned defense", 5, mode="sparse")
    assert hit.entity_id == "adaptive-attacks" and hit.aliases == ("attacks tuned to the defense",)


def test_an_index_of_an_older_layout_asks_for_reindex_and_reindex_rebuilds_it(tmp_path, stores, embedder) -> None:
    from qdrant_client import QdrantClient, models

    store, index = stores
    index.close()
    old = QdrantClient(path=str(tmp_path / "old-qdrant"))  # dense vectors only, as before BM25 was added
    old.create_collection("note_chunks", vectors_config={DENSE: models.VectorParams(size=embedder.dimension, distance=models.Distance.COSINE)})
    old.upsert("note_chunks", [models.PointStruct(id=1, vector={DENSE: [0.1] * embedder.dimension}, payload={"note_id": "old"})])
    old.close()
    index = VectorIndex.open(VectorConfig(path=tmp_path / "old-qdrant"), embedder.dimension)
    try:
        with pytest.raises(VectorIndexError, match="older wikigraph.*wikigraph reindex"):
            index.search_chunks(embedder.embed_one("attacks"), "attacks", 5)
        assert index.health()["state"].startswith("needs reindex")
        vault = _vault(tmp_path)
        with pytest.raises(VectorIndexError, match="reindex"):
            sync_vault(vault, store, index, embedder, [])  # an ordinary sync cannot write into it
        report = reindex(vault, store, index, embedder, [])
        assert report.errors == [] and index.health()["state"] == "ok"
        assert index.note_ids() == {"filters"} and index.entity_count() == 2
    finally:
        index.close()


def test_an_empty_collection_of_an_older_layout_is_rebuilt_on_first_write(tmp_path, embedder) -> None:
    from qdrant_client import QdrantClient, models

    old = QdrantClient(path=str(tmp_path / "q"))
    old.create_collection("note_chunks", vectors_config=models.VectorParams(size=embedder.dimension, distance=models.Distance.COSINE))
    old.close()
    index = VectorIndex.open(VectorConfig(path=tmp_path / "q"), embedder.dimension)
    try:
        assert "note_chunks" in index.layout_problems
        vault = _vault(tmp_path)
        store = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path / "graph"))
        try:
            store.ensure_schema()
            sync_vault(vault, store, index, embedder, [])
        finally:
            store.close()
        assert index.layout_problems == {} and index.note_ids() == {"filters"}
    finally:
        index.close()
