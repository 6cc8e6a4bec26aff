"""The entities the vault already holds, indexed for extraction and resolution.

Reading every page for every post would be quadratic over an ingest, so a catalog is kept per vault and
refreshed from the pages whose size or modification time changed (hand edits included).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.entities_md import entity_page, entity_paths, read_entity
from graph.errors import NoteFormatError
from graph.model import Entity
from graph.vault import Vault, split_front_matter
from ingest.entities.gazetteer import Gazetteer, fold, key_of

Signature = tuple[int, int]


def ref_of(entity_type: str, entity_id: str) -> str:
    return f"{entity_type}/{entity_id}"


def names_of(entity: Entity) -> list[str]:
    return [entity.name, *entity.aliases]


@dataclass
class EntityCatalog:
    """Entities by reference ("Concept/rlhf"), with name and external-id indexes and a gazetteer."""

    entities: dict[str, Entity] = field(default_factory=dict)
    errors: list[NoteFormatError] = field(default_factory=list)
    note_counts: Counter = field(default_factory=Counter)  # ref → notes whose front matter mentions it
    _gazetteer: Gazetteer | None = None
    _by_name: dict[str, set[str]] | None = None
    _by_external_id: dict[tuple[str, str], str] | None = None
    vectors: dict[str, list[float]] = field(default_factory=dict)  # ref → embedding of its name (filled lazily)

    def add(self, entity: Entity) -> None:
        self.entities[ref_of(entity.type, entity.id)] = entity
        self._gazetteer = self._by_name = self._by_external_id = None

    def remove(self, ref: str) -> None:
        self.entities.pop(ref, None)
        self.vectors.pop(ref, None)
        self._gazetteer = self._by_name = self._by_external_id = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            gazetteer = Gazetteer()
            for ref, entity in sorted(self.entities.items()):
                gazetteer.add_all(ref, names_of(entity), concept=entity.type == "Concept")
            self._gazetteer = gazetteer
        return self._gazetteer

    def by_name(self, name: str) -> set[str]:
        """References whose name or alias equals `name`, ignoring case, accents and separators."""
        if self._by_name is None:
            index: dict[str, set[str]] = {}
            for ref, entity in self.entities.items():
                for alias in names_of(entity):
                    index.setdefault(name_key(alias), set()).add(ref)
            self._by_name = index
        return set(self._by_name.get(name_key(name), ()))

    def by_external_id(self, scheme: str, value: str) -> str | None:
        if self._by_external_id is None:
            self._by_external_id = {
                (key, str(item).strip().lower()): ref
                for ref, entity in sorted(self.entities.items())
                for key, item in entity.external_ids.items()
            }
        return self._by_external_id.get((scheme, value.strip().lower()))

    def of_type(self, entity_type: str) -> dict[str, Entity]:
        return {ref: entity for ref, entity in self.entities.items() if entity.type == entity_type}

    def page(self, ref: str) -> str:
        entity = self.entities[ref]
        return entity_page(entity.type, entity.id)


def name_key(name: str) -> str:
    return fold(key_of(name)).replace(" ", "")


# ------------------------------------------------------------------------------------------ loading


@dataclass
class _Cached:
    catalog: EntityCatalog
    pages: dict[Path, Signature]
    notes: dict[Path, tuple[Signature, list[str]]]


_CACHE: dict[Path, _Cached] = {}


def load_catalog(vault: Vault) -> EntityCatalog:
    """The vault's entities and note mention counts, re-reading only files that changed since the last call."""
    root = vault.root.resolve()
    cached = _CACHE.get(root) or _Cached(EntityCatalog(), {}, {})
    _refresh_pages(vault, cached)
    _refresh_note_counts(vault, cached)
    _CACHE[root] = cached
    return cached.catalog


def forget_catalog(vault: Vault) -> None:
    _CACHE.pop(vault.root.resolve(), None)


def _signature(path: Path) -> Signature:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _refresh_pages(vault: Vault, cached: _Cached) -> None:
    catalog = cached.catalog
    current = {path: _signature(path) for path in entity_paths(vault)}
    changed = [path for path, signature in current.items() if cached.pages.get(path) != signature]
    gone = [path for path in cached.pages if path not in current]
    if not changed and not gone:
        return
    by_path = {_page_path(vault, ref): ref for ref in catalog.entities}
    for path in [*gone, *changed]:
        if path in by_path:
            catalog.remove(by_path[path])
    stale = set(changed) | set(gone)
    catalog.errors = [error for error in catalog.errors if Path(error.path or "") not in stale]
    for path in sorted(changed):
        try:
            catalog.add(read_entity(vault, path))
        except NoteFormatError as exc:
            catalog.errors.append(exc)
    cached.pages = current


def _page_path(vault: Vault, ref: str) -> Path:
    from graph.entities_md import entity_path

    entity_type, entity_id = ref.split("/", 1)
    return entity_path(vault, entity_type, entity_id)


def _refresh_note_counts(vault: Vault, cached: _Cached) -> None:
    notes = {}
    for path in vault.note_paths():
        signature = _signature(path)
        previous = cached.notes.get(path)
        notes[path] = previous if previous and previous[0] == signature else (signature, _note_refs(path))
    cached.notes = notes
    cached.catalog.note_counts = Counter(ref for _, refs in notes.values() for ref in refs)


def _note_refs(path: Path) -> list[str]:
    try:
        meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, OSError, yaml.YAMLError):  # a malformed note is reported by the note reader, not here
        return []
    entries = meta.get("entities") or []
    return sorted({ref_of(str(e.get("type")), str(e.get("id"))) for e in entries if isinstance(e, dict)})
