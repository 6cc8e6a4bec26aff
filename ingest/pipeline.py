"""The ingest job: refresh every source, summarise what is new or changed, project it.

Notes are derived from raw posts by content hash, so the rule "a raw post whose note is missing
or older than the post gets (re)summarised" also recovers from a crash between the two writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from graph.embed import Embedder
from graph.model import Note, SourceRecord
from graph.notes_md import NoteRenderError, render_note
from graph.page_synthesis import Synthesizer
from graph.store.base import GraphStore
from graph.sync import SyncReport, sync_note, sync_vault
from graph.vault import Vault, atomic_write_text, remove_stale_temp_files, split_front_matter
from graph.vectors import VectorIndex
from graph.wiki_index import WikiReport, refresh_wiki, unlogged_notes
from ingest.entities.link import link_post
from ingest.fetch import Fetcher
from ingest.posts import RawIndex, RawPost, RawPostError, parse_raw_post
from ingest.refresh import RefreshPolicy, RefreshResult, refresh_source
from ingest.sources import Source
from ingest.summarize.base import RelatedNote, Summarizer, SummaryContext
from ingest.summarize.inquiry import NO_QUESTIONS
from ingest.summarize.text import markdown_to_paragraphs

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
RELATED_CANDIDATES = 6
NOT_QUESTIONS = frozenset({NO_QUESTIONS})  # what a note says in Open questions when it has none
# Sources fetched at once by default (the entry points pass WIKIGRAPH_FETCH_WORKERS): a slow or hanging feed
# holds up one worker, not the pass. The Fetcher's HostLimiter
# still keeps one request in flight per host, so sources on one host take turns.
FETCH_WORKERS = 4


@dataclass
class Projection:
    """The stores a pipeline writes to, opened by the entry point."""

    vault: Vault
    store: GraphStore
    index: VectorIndex
    embedder: Embedder


@dataclass
class IngestReport:
    refreshed: list[RefreshResult] = field(default_factory=list)
    notes_written: list[str] = field(default_factory=list)
    # Raw post path → why its note could not be written; the raw post stays and the next run retries it.
    notes_failed: dict[str, str] = field(default_factory=dict)
    sync: SyncReport | None = None
    wiki: WikiReport | None = None  # entity pages, index, log and digests refreshed for the notes written

    @property
    def errors(self) -> dict[str, str]:
        return {result.source_id: result.error for result in self.refreshed if result.error}

    @property
    def wrote_anything(self) -> bool:
        new_raw = any(result.new or result.changed for result in self.refreshed)
        return new_raw or bool(self.notes_written) or bool(self.sync and self.sync.changed_anything)


def source_record(source: Source) -> SourceRecord:
    return SourceRecord(id=source.id, name=source.name, feed_url=source.feed_url, tier=source.tier, domains=tuple(source.domains))


def run_ingest(
    sources: list[Source],
    fetcher: Fetcher,
    state,
    projection: Projection,
    summarizer: Summarizer,
    now: datetime,
    progress: Progress | None = None,
    refresh: list[Source] | None = None,
    synthesizer: Synthesizer | None = None,
    policy: RefreshPolicy = RefreshPolicy(),
    workers: int = FETCH_WORKERS,
) -> IngestReport:
    """Fetch `refresh` (default: every source, `workers` at a time), then summarise and sync for all `sources`;
    `synthesizer` (given when an LLM is configured) writes the synthesis paragraphs of the entity pages regenerated."""
    # A run killed mid-write leaves the temp file of that write behind; its writer is gone, so it can go too.
    for folder in (projection.vault.root, state.directory):
        remove_stale_temp_files(folder)
    report = IngestReport()
    to_fetch = sources if refresh is None else refresh
    report.refreshed = refresh_sources(
        to_fetch, fetcher, state, projection.vault, now, policy=policy, workers=workers, progress=progress
    )
    report.notes_written = summarise_pending(sources, projection, summarizer, progress, failed=report.notes_failed)
    report.sync = sync_vault(
        projection.vault, projection.store, projection.index, projection.embedder, [source_record(s) for s in sources], progress
    )
    # Notes not in the log yet include those of a run killed before it got here. After the sync, so the pages
    # read this run's RELATED_TO weights; a second sync projects the pages rewritten.
    touched = [*report.notes_written, *unlogged_notes(projection.vault)]
    if touched:
        report.wiki = refresh_wiki(projection.vault, projection.store, now.date(), touched_notes=touched,
                                   not_questions=NOT_QUESTIONS, synthesizer=synthesizer)
        if report.wiki.pages.written:
            sync_vault(projection.vault, projection.store, projection.index, projection.embedder, [source_record(s) for s in sources])
    return report


def refresh_sources(
    sources: list[Source],
    fetcher: Fetcher,
    state,
    vault: Vault,
    now: datetime,
    *,
    policy: RefreshPolicy = RefreshPolicy(),
    workers: int = FETCH_WORKERS,
    progress: Progress | None = None,
) -> list[RefreshResult]:
    """Refresh `sources` in up to `workers` threads; results in the order of `sources`, progress as each ends.

    refresh_source records and logs a failing source itself (it never raises), so the others carry on.
    """
    if not sources:
        return []
    raw_index = RawIndex(vault)  # one scan of the raw folder, shared by every source
    results: dict[int, RefreshResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(sources))), thread_name_prefix="refresh") as pool:
        futures = {
            pool.submit(refresh_source, source, fetcher, state, vault, now, index=raw_index, policy=policy): position
            for position, source in enumerate(sources)
        }
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress("fetch", done, len(sources))
    return [results[position] for position in range(len(sources))]


def summarise_pending(
    sources: list[Source],
    projection: Projection,
    summarizer: Summarizer,
    progress: Progress | None = None,
    failed: dict[str, str] | None = None,
) -> list[str]:
    """Write a note for every raw post whose note is missing or was made from older content.

    A post whose note cannot be written (e.g. text the note format cannot hold) is recorded in
    `failed` and skipped, so one odd post never stops the others.
    """
    by_id = {source.id: source for source in sources}
    pending = pending_posts(projection.vault, failed)
    if pending:
        # A note written just before a crash may not be in the graph and index yet, and each note written now looks
        # there for the earlier notes it connects to: project the vault as it is first (unchanged notes are skipped).
        sync_vault(projection.vault, projection.store, projection.index, projection.embedder,
                   [source_record(s) for s in sources])
    written = []
    for position, (path, post) in enumerate(pending, start=1):
        try:
            note = build_note(post, path, by_id, projection, summarizer)
            note_path = projection.vault.note_path(note.id)
            atomic_write_text(note_path, render_note(note))
        except (NoteRenderError, ValueError) as exc:
            log.error("no note for %s: %s", projection.vault.relative(path), exc)
            if failed is not None:
                failed[projection.vault.relative(path)] = str(exc)
            continue
        sync_note(projection.vault, projection.store, projection.index, projection.embedder, note_path)
        written.append(note.id)
        if progress:
            progress("summarise", position, len(pending))
    return written


def pending_posts(vault: Vault, failed: dict[str, str] | None = None) -> list[tuple[Path, RawPost]]:
    """Raw posts whose note is missing or was made from older content, oldest first. A raw file that cannot be read
    (broken by hand) is reported in `failed` and left out; its note, if any, stays as it is."""
    pending = []
    for path in vault.raw_paths():
        try:
            post = parse_raw_post(path.read_text(encoding="utf-8"), path=vault.relative(path))
        except (RawPostError, UnicodeDecodeError) as exc:
            log.error("raw post %s cannot be read, no note made: %s", vault.relative(path), exc)
            if failed is not None:
                failed[vault.relative(path)] = str(exc)
            continue
        note_path = vault.note_path(path.stem)
        if not note_path.exists() or _note_content_hash(note_path) != post.content_hash:
            pending.append((path, post))
    # Oldest first, so each note can connect to the notes published before it.
    return sorted(pending, key=lambda item: (item[1].published, item[0].name))


def _note_content_hash(path: Path) -> str | None:
    meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return meta.get("content_hash")


def build_note(post: RawPost, raw_path: Path, sources: dict[str, Source], projection: Projection, summarizer: Summarizer) -> Note:
    note_id = raw_path.stem
    source = next((sources[s] for s in post.sources if s in sources), None)
    entities = link_post(projection.vault, post.title, post.body, post.published.date(), note_id, projection.embedder)
    context = replace(summary_context(post, note_id, projection), known_entities=entities.known)
    summary = summarizer.summarize(post.title, post.body, context)
    domains = list(post.domains) or (list(source.domains) if source else [])
    return Note(
        id=note_id,
        title=post.title,
        source=post.sources[0],
        source_name=source.name if source else post.sources[0],
        url=post.canonical_url or post.url or "",
        published=post.published.date(),
        tier=post.tier,
        domain=domains[0] if domains else "general",
        topics=domains,
        raw=projection.vault.relative(raw_path),
        content_hash=post.content_hash,
        summarizer=summary.summarizer or summarizer.name,
        author=post.author,
        tldr=summary.tldr,
        why_it_matters=summary.why_it_matters,
        connections=summary.connections,
        research_angle=summary.research_angle,
        open_questions=summary.open_questions,
        extra=dict(summary.extra),
        entities=entities.mentions,
    )


def summary_context(post: RawPost, note_id: str, projection: Projection) -> SummaryContext:
    """What a summarizer is told about the wiki (also used to estimate an LLM ingest's cost)."""
    return SummaryContext(related=related_notes(post, note_id, projection))


def related_notes(post: RawPost, note_id: str, projection: Projection) -> list[RelatedNote]:
    """Existing notes nearest to the post's opening, best first."""
    opening = " ".join(markdown_to_paragraphs(post.body)[:2])
    hits = projection.index.search(projection.embedder.embed_one(f"{post.title}. {opening}"), k=RELATED_CANDIDATES * 4)
    best: dict[str, float] = {}
    for hit in hits:
        if hit.note_id != note_id and hit.score > best.get(hit.note_id, -1.0):
            best[hit.note_id] = hit.score
    ranked = sorted(best, key=lambda nid: -best[nid])[:RELATED_CANDIDATES]
    nodes = projection.store.get_notes(ranked)
    return [
        RelatedNote(
            id=nid,
            title=nodes[nid]["title"],
            published=_date_or_none(nodes[nid].get("published")),
            tldr=nodes[nid].get("tldr", ""),
            score=best[nid],
        )
        for nid in ranked
        if nid in nodes
    ]


def _date_or_none(value):
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
