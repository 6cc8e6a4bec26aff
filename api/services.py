"""The long-lived clients of one process, opened once by the entry point and passed down."""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from api.settings import Settings
from graph.embed import Embedder
from graph.retrieval import RetrievalDeps
from graph.retrieval.snapshot_cache import SnapshotCache
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
    # The graph's topology in memory for retrieval, reloaded when a sync changes the graph.
    _snapshots: SnapshotCache | None = field(default=None, init=False, repr=False, compare=False)
    _snapshots_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @classmethod
    def open(cls, settings: Settings) -> "Services":
        data_dir = settings.paths.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        embedder = Embedder.load(settings.embed.embed_config())
        store = open_store(settings.graph.store_config(data_dir))
        try:
            store.ensure_schema()
            index = VectorIndex.open(settings.vectors.vector_config(data_dir), embedder.dimension)
            if index.mode == "local":
                index = OneCallAtATime(index)
        except BaseException:
            store.close()
            raise
        return cls(settings, Vault(settings.paths.wiki_dir), store, index, embedder)

    @property
    def projection(self) -> Projection:
        return Projection(self.vault, self.store, self.index, self.embedder)

    @property
    def retrieval(self) -> RetrievalDeps:
        with self._snapshots_lock:
            if self._snapshots is None:
                self._snapshots = SnapshotCache(self.store)
                self._snapshots.current()  # starts loading it in the background
        return RetrievalDeps(self.store, self.index, self.embedder, snapshots=self._snapshots)

    def close(self) -> None:
        if self._snapshots is not None:
            self._snapshots.close()  # a load under way reads the store about to close
        try:
            self.index.close()
        finally:
            self.store.close()


class OneCallAtATime:
    """A vector index whose methods run one at a time, across threads.

    Qdrant local mode is not thread-safe: a search while another thread upserts fails with numpy
    shape errors (qdrant-client 1.20, measured), and the index's in-memory BM25 mirror is plain
    Python structures. The API searches in request threads while an ingest writes in a job thread,
    so each call on a local index holds one lock; a call takes milliseconds (an upsert batch a
    little more). A Qdrant server needs none of this and is not wrapped.
    """

    def __init__(self, index: VectorIndex) -> None:
        self._index = index
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._index, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return locked
