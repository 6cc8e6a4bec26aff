"""What the vault holds now and what the graph last saw of it: page files, their hashes, the plan.

A page is known by its file: notes by `notes/<id>.md`, entities by `<type folder>/<id>.md`.
Its hash is of the whole file, so any edit (front matter or text) makes it "changed".

A note's raw post (`raw:` in its front matter) feeds its vector points, so when vectors are
synced a note is also "changed" when its raw post's digest differs from the `raw_hash` recorded
with its points (edited, deleted or restored on its own). The raw path is taken from the graph:
a note whose file is unchanged names the same raw post as when it was last projected.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from graph import schema
from graph import sync_queries as q
from graph.links import PageIndex
from graph.model import ENTITY_FOLDERS, ENTITY_TYPES
from graph.store.base import GraphStore
from graph.vault import Vault

EntityKey = tuple[str, str]  # (label, id)


def page_hash(text: str) -> str:
    return _digest(text.encode("utf-8"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def raw_digest(root: Path, raw: str | None) -> str:
    """The digest of a note's raw post file; "" when the note names none or it cannot be read.

    Scan and vector sync both use this one function, so they agree on every case (missing, outside
    the vault, unreadable): a raw post that cannot be read gives no chunks, and "" says exactly that."""
    if not raw:
        return ""
    relative = os.path.normpath(raw)
    if os.path.isabs(relative) or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return ""
    try:
        return _digest((root / relative).read_bytes())
    except OSError:  # missing or unreadable: the chunker indexes no paragraphs of it (and logs why)
        return ""


@dataclass(frozen=True)
class PageFile:
    path: Path
    relative: str
    digest: str


def scan_notes(vault: Vault) -> dict[str, PageFile]:
    """{note id (file stem): file}."""
    return {path.stem: _page_file(vault, path) for path in vault.note_paths()}


def scan_entities(vault: Vault) -> dict[EntityKey, PageFile]:
    """{(type, id (file stem)): file} for every entity page, in ENTITY_TYPES order."""
    pages = {}
    for entity_type in ENTITY_TYPES:
        folder = vault.root / ENTITY_FOLDERS[entity_type]
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                pages[(entity_type, path.stem)] = _page_file(vault, path)
    return pages


def page_names(vault: Vault) -> PageIndex:
    """The pages that exist, from file names alone (no file is read)."""
    notes = [path.stem for path in vault.note_paths()]
    entities = [
        (entity_type, path.stem)
        for entity_type in ENTITY_TYPES
        if (vault.root / ENTITY_FOLDERS[entity_type]).is_dir()
        for path in (vault.root / ENTITY_FOLDERS[entity_type]).glob("*.md")
    ]
    return PageIndex.of(notes, entities)


def _page_file(vault: Vault, path: Path) -> PageFile:
    return PageFile(path, _relative(vault, path), _digest(path.read_bytes()))


def _relative(vault: Vault, path: Path) -> str:
    # Listed paths sit under the vault root as given: no need to resolve them (a syscall per file).
    try:
        return path.relative_to(vault.root).as_posix()
    except ValueError:
        return vault.relative(path)


@dataclass
class SyncPlan:
    """The difference between the files and the graph, by page hash."""

    notes: dict[str, PageFile]
    entities: dict[EntityKey, PageFile]
    pages: PageIndex  # every page that exists, for resolving links
    changed_notes: list[str] = field(default_factory=list)
    deleted_notes: list[str] = field(default_factory=list)
    changed_entities: list[EntityKey] = field(default_factory=list)
    deleted_entities: list[EntityKey] = field(default_factory=list)
    # Ids of pages that appeared or disappeared: links naming them may now point elsewhere.
    appeared_or_gone: set[str] = field(default_factory=set)


def plan_sync(vault: Vault, store: GraphStore, raw_posts: bool = False) -> SyncPlan:
    """With `raw_posts` (vectors are synced too), a note whose raw post changed counts as changed."""
    notes, entities = scan_notes(vault), scan_entities(vault)
    graph_notes = {row["id"]: row for row in store.run(q.NOTE_PAGE_HASHES.name, q.NOTE_PAGE_HASHES.cypher)}
    rows = store.run(q.ENTITY_PAGE_HASHES.name, q.ENTITY_PAGE_HASHES.cypher, {"labels": list(schema.ENTITY_LABELS)})
    graph_entities = {(row["label"], row["id"]): row["page_hash"] for row in rows}
    plan = SyncPlan(notes, entities, PageIndex.of(notes, entities))
    root = vault.root if raw_posts else None
    plan.changed_notes = [note_id for note_id, page in notes.items() if _note_stale(graph_notes.get(note_id), page, root)]
    plan.deleted_notes = sorted(set(graph_notes) - set(notes))
    plan.changed_entities = [key for key, page in entities.items() if graph_entities.get(key) != page.digest]
    plan.deleted_entities = sorted(set(graph_entities) - set(entities))
    plan.appeared_or_gone = (set(notes) ^ set(graph_notes)) | {key[1] for key in set(entities) ^ set(graph_entities)}
    return plan


def plan_one_note(vault: Vault, store: GraphStore, path: Path, raw_posts: bool = False) -> SyncPlan:
    """The plan for one note file just written: other pages are left as they are."""
    page = _page_file(vault, path)
    known = store.run(q.NOTE_PAGE_HASHES_OF.name, q.NOTE_PAGE_HASHES_OF.cypher, {"ids": [path.stem]})
    plan = SyncPlan({path.stem: page}, {}, page_names(vault))
    if _note_stale(known[0] if known else None, page, vault.root if raw_posts else None):
        plan.changed_notes = [path.stem]
    if not known:
        plan.appeared_or_gone = {path.stem}
    return plan


def _note_stale(known: dict | None, page: PageFile, root: Path | None) -> bool:
    """Whether the graph's record of a note (None: no committed record) is behind its file, or
    (`root` given) behind its raw post."""
    if known is None or known["page_hash"] != page.digest:
        return True
    return root is not None and known["raw_hash"] != raw_digest(root, known["raw_path"])
