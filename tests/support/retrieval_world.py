"""The connected fixture wiki projected into a real embedded graph and Qdrant local mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.embed import Embedder
from graph.model import SourceRecord
from graph.retrieval import RetrievalDeps
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.sync import SyncReport, sync_vault
from graph.vault import Vault
from graph.vectors import VectorConfig, VectorIndex
from tests.support.connected_wiki import FIXTURE, SOURCES


def source_records() -> list[SourceRecord]:
    return [SourceRecord(source, name, f"https://{source}.example/feed.xml", tier, (domain,)) for source, (name, tier, domain) in SOURCES.items()]


@dataclass
class World:
    deps: RetrievalDeps
    report: SyncReport
    vault: Vault

    def file_text(self, relative: str) -> str:
        return (self.vault.root / relative).read_bytes().decode("utf-8")

    def close(self) -> None:
        try:
            self.deps.index.close()
        finally:
            self.deps.store.close()


def open_world(data_dir: Path, embedder: Embedder, root: Path = FIXTURE) -> World:
    store = FalkorStore.start(GraphStoreConfig(data_dir=data_dir / "graph"))
    try:
        store.ensure_schema()
        index = VectorIndex.open(VectorConfig(path=data_dir / "qdrant"), embedder.dimension)
    except BaseException:
        store.close()
        raise
    vault = Vault(root)
    report = sync_vault(vault, store, index, embedder, source_records())
    return World(RetrievalDeps(store, index, embedder), report, vault)
