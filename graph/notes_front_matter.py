"""The machine half of a summary note: its YAML front matter, to and from Note fields.

Errors name the file line of the offending key, so a person can fix a hand-edited note.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from graph.errors import NoteFormatError
from graph.model import Note

REQUIRED_TEXT = ("id", "title", "source", "url", "domain", "raw", "content_hash", "summarizer")
NON_EMPTY_TEXT = ("id", "title", "source")
OPTIONAL_TEXT = ("author", "source_name")
REQUIRED = (*REQUIRED_TEXT, "published", "tier")
KNOWN_KEYS = frozenset((*REQUIRED, *OPTIONAL_TEXT, "topics", "entities"))


def front_matter_of(note: Note) -> dict[str, Any]:
    """The front matter mapping, in the order a person reads it; unknown keys (`note.extra`) last."""
    clash = KNOWN_KEYS.intersection(note.extra)
    if clash:
        raise ValueError(f"note {note.id!r}: extra front matter repeats known keys {sorted(clash)}")
    meta: dict[str, Any] = {"id": note.id, "title": note.title, "source": note.source}
    if note.source_name is not None:
        meta["source_name"] = note.source_name
    if note.author is not None:
        meta["author"] = note.author
    meta.update(
        url=note.url,
        published=note.published,
        tier=note.tier,
        domain=note.domain,
        topics=list(note.topics),
        raw=note.raw,
        entities=[dict(entity) for entity in note.entities],
        content_hash=note.content_hash,
        summarizer=note.summarizer,
    )
    meta.update(note.extra)
    return meta


# libyaml's loader when PyYAML was built with it: several times faster, same documents and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _bad_character(exc: yaml.reader.ReaderError, content: str, first_line: int, path: str | None) -> NoteFormatError:
    line = first_line + content.count("\n", 0, exc.position)
    return NoteFormatError(f"front matter holds a character YAML does not allow: U+{exc.character:04X}", path, line)


def load_front_matter(content: str, first_line: int, path: str | None) -> tuple[dict, dict[str, int]]:
    """Parse YAML whose first line is file line `first_line`; return (mapping, key → file line)."""
    try:
        loader = _LOADER(content)
    except yaml.reader.ReaderError as exc:
        raise _bad_character(exc, content, first_line, path) from exc
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.reader.ReaderError as exc:  # libyaml finds bad characters while parsing, not up front
        raise _bad_character(exc, content, first_line, path) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        raise NoteFormatError(f"front matter is not valid YAML: {exc.problem or exc}", path, line) from exc
    except Exception as exc:  # PyYAML raises plain ValueError/AttributeError on e.g. impossible dates
        raise NoteFormatError(f"front matter is not valid YAML: {exc}", path, first_line) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise NoteFormatError("front matter must be a mapping of `key: value` lines", path, first_line)
    key_lines = {}
    for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(key_node, yaml.ScalarNode):
            key_lines.setdefault(key_node.value, first_line + key_node.start_mark.line)
    return data, key_lines


def note_fields(meta: dict, key_lines: dict[str, int], start_line: int, path: str | None) -> dict[str, Any]:
    """Check the front matter and turn it into Note keyword arguments (sections excluded)."""

    def fail(message: str, key: str | None = None) -> NoteFormatError:
        return NoteFormatError(message, path, key_lines.get(key, start_line) if key else start_line)

    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise fail(f"front matter lacks required field(s): {', '.join(missing)}")
    fields: dict[str, Any] = {}
    for key in (*REQUIRED_TEXT, *OPTIONAL_TEXT):
        value = meta.get(key)
        if value is None and key in OPTIONAL_TEXT:
            continue
        if not isinstance(value, str):
            raise fail(f"field '{key}' must be text (quote it in YAML), not {_kind(value)}", key)
        if key in NON_EMPTY_TEXT and not value.strip():
            raise fail(f"field '{key}' is empty", key)
        fields[key] = value
    fields["published"] = _published(meta["published"], lambda m: fail(m, "published"))
    tier = meta["tier"]
    if isinstance(tier, bool) or not isinstance(tier, int) or tier < 0:
        raise fail(f"field 'tier' must be a whole number, not {tier!r}", "tier")
    fields["tier"] = tier
    fields["topics"] = _text_list(meta.get("topics"), lambda m: fail(m, "topics"))
    fields["entities"] = _mapping_list(meta.get("entities"), lambda m: fail(m, "entities"))
    fields["extra"] = {key: value for key, value in meta.items() if key not in KNOWN_KEYS}
    return fields


def _published(value: Any, fail) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    message = f"field 'published' must be a date like 2026-05-04, not {value!r}"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise fail(message) from exc
    raise fail(message)


def _text_list(value: Any, fail) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(f"field 'topics' must be a list of text, not {_kind(value)}")
    return list(value)


def _mapping_list(value: Any, fail) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise fail(f"field 'entities' must be a list of mappings, not {_kind(value)}")
    return [dict(item) for item in value]


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
