"""The long-lived clients of one process, opened once by the entry point and passed down."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from api.settings import Settings
from graph.embed import Embedder
from graph.retrieval import RetrievalDeps
from graph.store import GraphStore, open_store
from graph.vault import Vault
from graph.vectors import VectorIndex
from ingest.pipeline import Projection

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    vault: Vault
    store: GraphStore
    index: VectorIndex
    embedder: Embedder
    # Held by whoever is ingesting (POST /ingest's job, the `serve --watch` poller): one ingest at a time.
    ingest_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def open(cls, settings: Settings) -> "Services":
        data_dir = settings.paths.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        embedder = Embedder.load(settings.embed.embed_config())
        store = open_store(settings.graph.store_config(data_dir))
        try:
            store.ensure_schema()
            index = VectorIndex.open(settings.vectors.vector_config(data_dir), embedder.dimension)
        except BaseException:
            store.close()
            raise
        return cls(settings, Vault(settings.paths.wiki_dir), store, index, embedder)

    @property
    def projection(self) -> Projection:
        return Projection(self.vault, self.store, self.index, self.embedder)

    @property
    def retrieval(self) -> RetrievalDeps:
        return RetrievalDeps(self.store, self.index, self.embedder)

    def close(self) -> None:
        try:
            self.index.close()
        finally:
            self.store.close()
