"""Project the vault into the graph store and the vector index, applying only the difference.

What changed is decided by page hash (of the whole file), for notes and entity pages alike, and,
when vectors are synced, by the digest of each note's raw post (`graph/sync_scan.py`):
- a new or changed page is read and upserted (batched `UNWIND` statements, one per label and
  relationship type); its old edges are replaced by the ones the page now gives;
- a deleted (or renamed: deleted + new) page loses its node and edges; an entity node stays as a
  referenced-only entity while other pages still reference it (see `graph/sync_entities.py`);
- when a page appears or goes, the notes whose links name it are re-linked (`graph/links.py`);
- vectors of changed notes are replaced, those of deleted notes removed, before the graph write
  whose `page_hash` commits them (see `graph/sync_notes.py`);
- a page that cannot be read is reported in `SyncReport.errors` and left as the graph last had it.

Derived edges and analytics are graph-wide, so they are not recomputed on every page write: any
sync that changes the graph marks them stale (in the graph, so a crash cannot lose the mark) and
`sync_vault` recomputes them once at its end (`graph/analytics.py`). `sync_note`, run by ingest
after each note it writes, leaves them stale for the `sync_vault` that ends every ingest.

`reindex` rebuilds both stores from the files; an incremental sync yields the same graph and
points (tests/integration/test_sync_equivalence.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph import analytics
from graph.embed import Embedder
from graph.errors import NoteFormatError
from graph.model import SourceRecord
from graph.retrieval import generation
from graph.store.base import GraphStore
from graph.sync_entities import EntityRows, project_pages, read_entity_page, reconcile_entities, sync_sources
from graph.sync_notes import (
    NoteRows,
    delete_notes,
    dependent_notes,
    link_notes,
    read_note,
    upsert_note_nodes,
)
from graph.sync_scan import SyncPlan, page_hash, plan_one_note, plan_sync
from graph.vault import Vault
from graph.vector_sync import VectorSink
from graph.vectors import VectorIndex

__all__ = ["SyncReport", "page_hash", "reindex", "sync_note", "sync_vault"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
COMMIT_BATCH_NOTES = 256  # notes embedded, linked and committed together


@dataclass
class SyncReport:
    upserted: list[str] = field(default_factory=list)  # notes whose file was new or changed
    deleted: list[str] = field(default_factory=list)  # notes whose file is gone
    unchanged: int = 0
    relinked: list[str] = field(default_factory=list)  # unchanged notes whose links were redrawn
    entities_upserted: list[str] = field(default_factory=list)  # "Type/id" of new or changed pages
    entities_deleted: list[str] = field(default_factory=list)  # "Type/id" of pages gone
    entities_demoted: int = 0  # page-less entities (re)set to referenced-only
    entities_removed: int = 0  # page-less entities nothing references any more
    sources_changed: bool = False
    chunks: int = 0
    errors: list[str] = field(default_factory=list)  # pages that could not be read, with file and line
    analyzed: bool = False  # derived edges and analytics recomputed
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.upserted or self.deleted or self.relinked or self.entities_upserted or self.entities_deleted
            or self.entities_demoted or self.entities_removed or self.sources_changed
        )

    @contextmanager
    def timing(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started


def sync_vault(
    vault: Vault,
    store: GraphStore,
    index: VectorIndex | None,
    embedder: Embedder | None,
    sources: list[SourceRecord],
    progress: Progress | None = None,
    refresh_derived: bool = True,
) -> SyncReport:
    """Bring graph and vectors in step with every page of the vault; `index`/`embedder` None: graph only."""
    report = SyncReport()
    with report.timing("scan"):
        plan = plan_sync(vault, store, raw_posts=index is not None)
    report.unchanged = len(plan.notes) - len(plan.changed_notes)
    _apply(plan, store, _sink(index, embedder, vault), report, progress)
    with report.timing("graph"):
        report.sources_changed = sync_sources(store, sources)
    _finish(store, report, refresh_derived)
    return report


def sync_note(vault: Vault, store: GraphStore, index: VectorIndex | None, embedder: Embedder | None, path: Path) -> SyncReport:
    """Project one note file now (right after it is written, so later posts can connect to it)."""
    report = SyncReport()
    _apply(plan_one_note(vault, store, path, raw_posts=index is not None), store, _sink(index, embedder, vault), report, None)
    _finish(store, report, refresh_derived=False)
    return report


def reindex(
    vault: Vault,
    store: GraphStore,
    index: VectorIndex | None,
    embedder: Embedder | None,
    sources: list[SourceRecord],
    progress: Progress | None = None,
) -> SyncReport:
    """Drop both projections and rebuild them from the files."""
    store.delete_all()
    if index is not None:
        index.reset()
    report = sync_vault(vault, store, index, embedder, sources, progress)
    generation.bump(store)  # the graph was wiped even if the vault is empty
    return report


def _sink(index: VectorIndex | None, embedder: Embedder | None, vault: Vault) -> VectorSink | None:
    if (index is None) != (embedder is None):
        raise ValueError("give both the vector index and the embedder, or neither (graph only)")
    return VectorSink(index, embedder, vault.root) if index is not None else None


def _apply(plan: SyncPlan, store: GraphStore, vectors: VectorSink | None, report: SyncReport, progress: Progress | None) -> None:
    with report.timing("read"):
        pages = [rows for key in plan.changed_entities if (rows := _read(report, read_entity_page, plan.entities[key], key))]
        notes = [rows for note_id in plan.changed_notes if (rows := _read(report, read_note, plan.notes[note_id], plan.pages))]
        changed = set(plan.changed_notes)
        dependents = [nid for nid in dependent_notes(store, plan.appeared_or_gone) if nid in plan.notes and nid not in changed]
        relinked = [rows for nid in dependents if (rows := _read(report, read_note, plan.notes[nid], plan.pages))]
    if vectors is not None:  # before the graph: a deleted note's points must not outlive its node
        with report.timing("vectors"):
            vectors.delete(plan.deleted_notes)
            vectors.delete_entities(plan.deleted_entities)
            vectors.replace_entities(pages)
    with report.timing("graph"):
        touched = project_pages(store, pages, plan.deleted_entities)
        touched |= delete_notes(store, plan.deleted_notes)
        upsert_note_nodes(store, notes)
    for start in range(0, len(notes), COMMIT_BATCH_NOTES):
        batch = notes[start : start + COMMIT_BATCH_NOTES]
        if vectors is not None:
            with report.timing("vectors"):
                report.chunks += vectors.replace(batch)
        with report.timing("graph"):
            touched |= link_notes(store, batch, commit=True)
        if progress:
            progress("sync", start + len(batch), len(notes))
    with report.timing("graph"):
        touched |= link_notes(store, relinked, commit=False)
        report.entities_demoted, report.entities_removed = reconcile_entities(store, touched, plan.pages)
    report.upserted = [rows.id for rows in notes]
    report.deleted = list(plan.deleted_notes)
    report.relinked = [rows.id for rows in relinked]
    report.entities_upserted = [f"{rows.entity.type}/{rows.entity.id}" for rows in pages]
    report.entities_deleted = [f"{label}/{entity_id}" for label, entity_id in plan.deleted_entities]


def _read(report: SyncReport, reader, *args) -> NoteRows | EntityRows | None:
    try:
        return reader(*args)
    except NoteFormatError as exc:
        log.warning("sync: %s", exc)
        report.errors.append(str(exc))
        return None


def _finish(store: GraphStore, report: SyncReport, refresh_derived: bool) -> None:
    with report.timing("graph"):
        if report.changed_anything:
            analytics.mark_stale(store)
    if refresh_derived and analytics.is_stale(store):
        with report.timing("analytics"):
            analytics.refresh(store)
        report.analyzed = True
    if report.changed_anything or report.analyzed:  # last: what a reader of the new generation sees is complete
        generation.bump(store)
