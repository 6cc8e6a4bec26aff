"""Pages as graph rows: node properties, mentions and connections, checked on the way.

Node properties never hold None (a property is absent instead) or a map (Neo4j cannot store
one): external ids are flattened to `<key>_id` properties, dates are ISO text plus `<name>_ms`.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timezone
from typing import Any

from graph.entities_md import ENTITY_ID_RE
from graph.entity_fields import paper_title
from graph.errors import NoteFormatError
from graph.links import PageIndex, link_keys
from graph.model import ENTITY_LINK_FIELDS, ENTITY_TYPES, Entity, Note, SourceRecord
from graph.schema import MAX_ID_BYTES

ALIASES_SEPARATOR = " | "
_YEAR_MONTH = re.compile(r"[1-9]\d{3}-(?:0[1-9]|1[0-2])")  # `published: 2015-03`: ordered and filtered as its first day
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Properties sync and analytics own on entity nodes: a page's extra front matter never overrides them.
RESERVED_ENTITY_PROPERTIES = frozenset(
    {
        "id", "name", "title", "aliases", "aliases_text", "path", "page_hash", "referenced_only",
        "page_first_seen", "page_last_seen", "first_seen", "first_seen_ms", "last_seen", "last_seen_ms",
        "degree", "pagerank", "mention_count", "community",
    }
)


def epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=timezone.utc).timestamp() * 1000)


def note_props(note: Note, path: str, keys: set[str]) -> dict[str, Any]:
    """Every property of a Note node except `page_hash` (written last, as the commit marker)."""
    props = {
        "id": note.id,
        "title": note.title,
        "url": note.url,
        "published": note.published.isoformat(),
        "published_ms": epoch_ms(note.published),
        "tier": note.tier,
        "domain": note.domain,
        "topics": list(note.topics),
        "author": note.author,
        "source_name": note.source_name,
        "path": path,
        "raw_path": note.raw,
        "tldr": note.tldr,
        "content_hash": note.content_hash,
        "summarizer": note.summarizer,
        "link_keys": sorted(keys),
    }
    return {key: value for key, value in props.items() if value is not None}


def entity_props(entity: Entity, path: str) -> dict[str, Any]:
    """Every property of an entity node from its page, except `page_hash`."""
    props: dict[str, Any] = {}
    for key, value in entity.extra.items():
        _flatten_into(props, key, value)
    for key, value in entity.external_ids.items():
        name = _snake(key)
        _flatten_into(props, name if name.endswith("_id") else f"{name}_id", value)
    props.update(
        id=entity.id,
        name=entity.name,
        aliases=list(entity.aliases),
        aliases_text=ALIASES_SEPARATOR.join(entity.aliases),
        path=path,
        referenced_only=False,
    )
    if entity.type == "Paper":
        # The page's own `title` (null: none); a page that predates the field: the name when it is a title.
        title = entity.extra["title"] if "title" in entity.extra else paper_title(entity.name, entity.aliases)
        if isinstance(title, str) and title.strip():
            props["title"] = title
    if entity.first_seen is not None:
        props["page_first_seen"] = entity.first_seen.isoformat()
    if entity.last_seen is not None:
        props["page_last_seen"] = entity.last_seen.isoformat()
    return props


def _flatten_into(props: dict[str, Any], key: str, value: Any) -> None:
    """Keep a front matter value a graph property can hold; drop maps, mixed lists and reserved names."""
    if not isinstance(key, str) or not _PROPERTY.match(key) or key in RESERVED_ENTITY_PROPERTIES:
        return
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        props[key], props[f"{key}_ms"] = value.isoformat(), epoch_ms(value)
    elif isinstance(value, str) and _YEAR_MONTH.fullmatch(value):
        props[key], props[f"{key}_ms"] = value, epoch_ms(date.fromisoformat(f"{value}-01"))
    elif isinstance(value, bool | int | str) or (isinstance(value, float) and math.isfinite(value)):
        props[key] = value
    elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        props[key] = list(value)


def _snake(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_") or "external"


def declared_rows(entity: Entity) -> dict[str, list[dict[str, str]]]:
    """{relationship type: [{source, target}]} for the links the page declares."""
    rows: dict[str, list[dict[str, str]]] = {}
    for key, (rel_type, _target_type) in ENTITY_LINK_FIELDS[entity.type].items():
        for target in dict.fromkeys(entity.links.get(key, [])):
            if ENTITY_ID_RE.fullmatch(target) and ".." not in target:
                rows.setdefault(rel_type, []).append({"source": entity.id, "target": target})
    return rows


def mention_rows(note: Note, path: str) -> dict[str, list[dict[str, Any]]]:
    """{entity label: [{note, id, name, count, salience}]}; one row per entity (a repeat adds its count,
    keeps the higher salience and the first name). A malformed mention makes the note unreadable."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for position, mention in enumerate(note.entities, start=1):
        row = _mention(note, mention, position, path)
        key = (mention["type"], row["id"])
        if key in merged:
            merged[key]["count"] += row["count"]
            merged[key]["salience"] = max(merged[key]["salience"], row["salience"])
        else:
            merged[key] = row
    rows: dict[str, list[dict[str, Any]]] = {}
    for (label, _), row in merged.items():
        rows.setdefault(label, []).append(row)
    return rows


def _mention(note: Note, mention: dict, position: int, path: str) -> dict[str, Any]:
    def fail(problem: str) -> NoteFormatError:
        return NoteFormatError(f"front matter entities, item {position}: {problem}", path)

    entity_type, entity_id = mention.get("type"), mention.get("id")
    if entity_type not in ENTITY_TYPES:
        raise fail(f"type must be one of {', '.join(ENTITY_TYPES)}, not {entity_type!r}")
    if not isinstance(entity_id, str) or not ENTITY_ID_RE.fullmatch(entity_id) or ".." in entity_id:
        raise fail(f"id must be a slug like knowledge-distillation, not {_shown(entity_id)}")
    if len(entity_id.encode("utf-8")) > MAX_ID_BYTES:
        raise fail(f"id is longer than {MAX_ID_BYTES} bytes: {_shown(entity_id)}")
    name = mention.get("name", entity_id)
    count = mention.get("count", 1)
    salience = mention.get("salience", 0.0)
    if not isinstance(name, str) or not name.strip():
        raise fail("name must be non-empty text")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise fail(f"count must be a whole number, not {count!r}")
    if isinstance(salience, bool) or not isinstance(salience, int | float) or not 0 <= salience <= 1:
        raise fail(f"salience must be a number from 0 to 1, not {salience!r}")
    return {"note": note.id, "id": entity_id, "name": name.strip(), "count": count, "salience": float(salience)}


def _shown(value: Any) -> str:
    return repr(value[:40] + "…") if isinstance(value, str) and len(value) > 40 else repr(value)


def connection_rows(note: Note, pages: PageIndex) -> tuple[dict[str, list[dict[str, str]]], set[str]]:
    """({target label: [{note, id, reason}]}, link keys). One edge per target: the first bullet's reason."""
    rows: dict[str, list[dict[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    keys: set[str] = set()
    for connection in note.connections:
        keys |= link_keys(connection.target)
        target = pages.resolve(connection.target)
        if target is None or (target.label, target.id) in seen:
            continue
        seen.add((target.label, target.id))
        rows.setdefault(target.label, []).append({"note": note.id, "id": target.id, "reason": connection.reason})
    return rows, keys


def source_props(source: SourceRecord) -> dict[str, Any]:
    return {
        "name": source.name,
        "feed_url": source.feed_url,
        "url": source.url or "",
        "tier": source.tier,
        "domains": list(source.domains),
        "referenced_only": False,
    }


def placeholder_source_props(source_id: str) -> dict[str, Any]:
    """A source only notes name (not configured): named by its id, as LINK_PUBLISHED creates it."""
    return {"id": source_id, "name": source_id, "referenced_only": True}
