"""Where a Connections link points: a note, an entity, or nowhere yet.

A link target is resolved against the pages that exist as files, never against what the graph
happens to hold, so the answer depends only on the vault (an incremental sync and a full reindex
agree). The rules, first match wins:

1. `<entity folder>/<id>` (e.g. `concepts/knowledge-distillation`, `.md` optional): that entity,
   whether or not its page exists (without a page it becomes a referenced-only entity).
2. `notes/<id>`: that note, if its file exists.
3. A bare name (`[[scaling-laws]]`, `[[Knowledge distillation]]`): the note whose id is the name
   or its slug; else the entity page whose id is the slug, the first in ENTITY_TYPES order
   (Concept, Paper, PolicyEvent, Organization, Person, Model).
4. Anything else is unresolved: no edge. The note keeps the name in `link_keys`, and when a page
   with that id appears (or disappears), sync re-projects the notes whose `link_keys` name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.slugs import slugify
from graph.model import ENTITY_FOLDERS, ENTITY_TYPES

NOTES_FOLDER = "notes"
SLUG_MAX_LENGTH = 60
_ENTITY_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TYPE_OF_FOLDER = {folder: entity_type for entity_type, folder in ENTITY_FOLDERS.items()}


def page_slug(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """The id a page named `text` would have: the same rule ingest uses for ids."""
    return slugify(text, max_length)


@dataclass(frozen=True)
class Target:
    """A resolved link: the node's label and id."""

    label: str
    id: str


@dataclass
class PageIndex:
    """The pages that exist as files: note ids, and entity ids with the types that have a page."""

    notes: set[str] = field(default_factory=set)
    entities: dict[str, list[str]] = field(default_factory=dict)  # id → types, in ENTITY_TYPES order

    @classmethod
    def of(cls, note_ids, entity_keys) -> PageIndex:
        entities: dict[str, list[str]] = {}
        for entity_type, entity_id in sorted(entity_keys, key=lambda key: (ENTITY_TYPES.index(key[0]), key[1])):
            entities.setdefault(entity_id, []).append(entity_type)
        return cls(set(note_ids), entities)

    def resolve(self, target: str) -> Target | None:
        path = _clean(target)
        if "/" in path:
            folder, _, rest = path.rpartition("/")
            if folder in _TYPE_OF_FOLDER and _ENTITY_ID.fullmatch(rest) and ".." not in rest:
                return Target(_TYPE_OF_FOLDER[folder], rest)
            if folder == NOTES_FOLDER and rest in self.notes:
                return Target("Note", rest)
            return None
        slug = page_slug(path)
        for candidate in (path, slug):
            if candidate in self.notes:
                return Target("Note", candidate)
        types = self.entities.get(slug)
        return Target(types[0], slug) if types else None


def link_keys(target: str) -> set[str]:
    """The page ids whose existence decides where `target` points (empty when nothing can change it)."""
    path = _clean(target)
    if "/" in path:
        folder, _, rest = path.rpartition("/")
        return {rest} if folder == NOTES_FOLDER else set()
    return {key for key in (path, page_slug(path)) if key}


def _clean(target: str) -> str:
    """Drop a `#heading` or `^block` part, surrounding slashes and spaces, and a `.md` ending."""
    path = re.split(r"[#^]", target, maxsplit=1)[0].strip().strip("/")
    return path[:-3] if path.lower().endswith(".md") else path
