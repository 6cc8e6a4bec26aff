"""Entity pages as Markdown files: `wiki_content/<type-folder>/<id>.md`.

The front matter is the machine truth (type, id, name, aliases, external ids, first/last seen, declared
links); everything after it is the person's page, kept byte for byte. `parse_entity(render_entity(e)) == e`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.errors import NoteFormatError, WikigraphError
from graph.model import (
    ENTITY_FOLDERS,
    ENTITY_LINK_FIELDS,
    ENTITY_PROPERTY_FIELDS,
    ENTITY_TYPES,
    Entity,
)
from graph.notes_front_matter import load_front_matter
from graph.vault import Vault, dump_front_matter

ENTITY_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
FENCE_RE = re.compile(r"---[ \t]*\r?")
BASE_KEYS = ("type", "id", "name", "aliases", "external_ids", "first_seen", "last_seen")


class InvalidEntityId(WikigraphError):
    """An entity id that is not a slug, so it cannot name a file."""


def check_entity_id(entity_id: str) -> str:
    if not isinstance(entity_id, str) or not ENTITY_ID_RE.fullmatch(entity_id) or ".." in entity_id:
        raise InvalidEntityId(f"entity id must be a slug (lowercase letters, digits, '-', '.', '_'), not {entity_id!r}")
    return entity_id


def entity_folder(vault: Vault, entity_type: str) -> Path:
    if entity_type not in ENTITY_FOLDERS:
        raise InvalidEntityId(f"unknown entity type {entity_type!r} (one of {', '.join(ENTITY_TYPES)})")
    return vault.root / ENTITY_FOLDERS[entity_type]


def entity_path(vault: Vault, entity_type: str, entity_id: str) -> Path:
    return entity_folder(vault, entity_type) / f"{check_entity_id(entity_id)}.md"


def entity_page(entity_type: str, entity_id: str) -> str:
    """Vault-relative path of an entity's page, e.g. `concepts/knowledge-distillation.md`."""
    return f"{ENTITY_FOLDERS[entity_type]}/{check_entity_id(entity_id)}.md"


# ---------------------------------------------------------------------------------------------- render


def front_matter_of_entity(entity: Entity) -> dict[str, Any]:
    """The front matter mapping in reading order: the type's property fields after the external ids, other
    keys of `entity.extra` last."""
    link_keys = ENTITY_LINK_FIELDS.get(entity.type, {})
    stray = set(entity.links) - set(link_keys)
    if stray:
        raise ValueError(f"entity {entity.id!r}: a {entity.type} page cannot declare {sorted(stray)}")
    clash = set(entity.extra) & {*BASE_KEYS, *link_keys}
    if clash:
        raise ValueError(f"entity {entity.id!r}: extra front matter repeats known keys {sorted(clash)}")
    meta: dict[str, Any] = {
        "type": entity.type,
        "id": entity.id,
        "name": entity.name,
        "aliases": list(entity.aliases),
        "external_ids": dict(entity.external_ids),
    }
    extra = dict(entity.extra)
    for key in ENTITY_PROPERTY_FIELDS.get(entity.type, ()):
        if key in extra:
            meta[key] = extra.pop(key)
    if entity.first_seen is not None:
        meta["first_seen"] = entity.first_seen
    if entity.last_seen is not None:
        meta["last_seen"] = entity.last_seen
    for key in link_keys:
        if key in entity.links:
            meta[key] = list(entity.links[key])
    meta.update(extra)
    return meta


def render_entity(entity: Entity) -> str:
    """The whole file. The body is written as it is; a new page's body is usually `# <name>\\n`."""
    if entity.type not in ENTITY_FOLDERS:
        raise InvalidEntityId(f"unknown entity type {entity.type!r}")
    check_entity_id(entity.id)
    if not entity.name.strip():
        raise ValueError(f"entity {entity.id!r} has an empty name")
    return dump_front_matter(front_matter_of_entity(entity)) + entity.body


def stub_body(name: str) -> str:
    return f"# {' '.join(name.split())}\n"


# ----------------------------------------------------------------------------------------------- parse


def parse_entity(text: str, path: str | Path | None = None) -> Entity:
    """Read an entity page; anything malformed raises NoteFormatError naming the file and line."""
    where = str(path) if path is not None else None
    meta_text, body = _split(text.removeprefix("\ufeff"), where)
    meta, key_lines = load_front_matter(meta_text, 2, where)

    def fail(message: str, key: str | None = None) -> NoteFormatError:
        return NoteFormatError(message, where, key_lines.get(key, 1) if key else 1)

    missing = [key for key in ("type", "id", "name") if key not in meta]
    if missing:
        raise fail(f"entity front matter lacks required field(s): {', '.join(missing)}")
    entity_type = meta["type"]
    if entity_type not in ENTITY_FOLDERS:
        raise fail(f"field 'type' must be one of {', '.join(ENTITY_TYPES)}, not {entity_type!r}", "type")
    entity_id = meta["id"]
    if not isinstance(entity_id, str) or not ENTITY_ID_RE.fullmatch(entity_id) or ".." in entity_id:
        raise fail(f"field 'id' must be a slug like knowledge-distillation, not {entity_id!r}", "id")
    name = meta["name"]
    if not isinstance(name, str) or not name.strip():
        raise fail("field 'name' must be non-empty text (quote it in YAML)", "name")
    link_keys = ENTITY_LINK_FIELDS[entity_type]
    links = {key: _text_list(meta[key], key, fail) for key in link_keys if key in meta}
    known = {*BASE_KEYS, *link_keys}
    entity = Entity(
        id=entity_id,
        type=entity_type,
        name=name,
        aliases=_text_list(meta.get("aliases"), "aliases", fail),
        external_ids=_external_ids(meta.get("external_ids"), fail),
        first_seen=_date(meta.get("first_seen"), "first_seen", fail),
        last_seen=_date(meta.get("last_seen"), "last_seen", fail),
        links=links,
        body=body,
        extra={key: value for key, value in meta.items() if key not in known},
    )
    if path is not None:
        _check_place(Path(path), entity_type, entity_id, fail)
    return entity


def _split(text: str, where: str | None) -> tuple[str, str]:
    """(YAML text, body verbatim). The front matter is the lines between a first `---` and the next `---`."""
    lines = text.split("\n")
    if not FENCE_RE.fullmatch(lines[0]):
        raise NoteFormatError("an entity page must start with YAML front matter between '---' lines", where, 1)
    for number in range(1, len(lines)):
        if FENCE_RE.fullmatch(lines[number]):
            return "\n".join(lines[1:number]) + "\n", "\n".join(lines[number + 1 :])
    raise NoteFormatError("front matter opened with '---' is never closed by a '---' line", where, 1)


def _check_place(path: Path, entity_type: str, entity_id: str, fail) -> None:
    if path.stem != entity_id:
        raise fail(f"field 'id' is {entity_id!r} but the file is named {path.name!r}", "id")
    folder = path.parent.name
    if folder in ENTITY_FOLDERS.values() and folder != ENTITY_FOLDERS[entity_type]:
        raise fail(f"a {entity_type} page belongs in {ENTITY_FOLDERS[entity_type]}/, not {folder}/", "type")


def _text_list(value: Any, key: str, fail) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # a hand-written `aliases: RLHF` means one alias
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(f"field '{key}' must be a list of text, like [a, b] (quote numbers)", key)
    return list(value)


def _external_ids(value: Any, fail) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail("field 'external_ids' must be a mapping, like {arxiv: \"2401.01234\"}", "external_ids")
    ids = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            # An unquoted arXiv id reads as a number and loses its trailing zeros: refuse rather than guess.
            raise fail(f"external id {key!r} must be quoted text, like {key}: \"{item}\"", "external_ids")
        ids[key] = item
    return ids


def _date(value: Any, key: str, fail) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"field '{key}' must be a date like 2026-05-04, not {value!r}", key)


# ------------------------------------------------------------------------------------------------ read


def entity_paths(vault: Vault) -> list[Path]:
    """Every entity page, folder by folder in ENTITY_TYPES order, files sorted by name."""
    paths: list[Path] = []
    for entity_type in ENTITY_TYPES:
        folder = entity_folder(vault, entity_type)
        if folder.is_dir():
            paths.extend(sorted(folder.glob("*.md")))
    return paths


def read_entity(vault: Vault, path: Path) -> Entity:
    return parse_entity(path.read_text(encoding="utf-8"), path=path)


def read_entities(vault: Vault, errors: list[NoteFormatError] | None = None) -> list[Entity]:
    """All entity pages of the vault. A malformed page raises, unless `errors` is given: then it is
    appended there and skipped, so one bad hand edit does not hide every other page."""
    entities = []
    for path in entity_paths(vault):
        try:
            entities.append(read_entity(vault, path))
        except NoteFormatError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return entities
