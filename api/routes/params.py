"""Query parameters several routes share: list values, ids by pattern, limits."""

from __future__ import annotations

from graph import schema
from graph.errors import QueryInputError

MAX_QUERY_CHARS = 500
MAX_NAME_CHARS = 200
NOTE_ID = r"^[a-z0-9][a-z0-9-]{0,199}$"
ENTITY_ID = r"^[a-z0-9][a-z0-9._-]{0,199}$"
SOURCE_ID = r"^[a-z0-9][a-z0-9-]{0,199}$"
JOB_ID = r"^[0-9a-f]{32}$"
ENTITY_TYPES_TEXT = ", ".join(schema.ENTITY_LABELS)
ALL_TYPES_TEXT = ", ".join(schema.LABELS)


def split_values(values: list[str] | None) -> list[str]:
    """`?types=Paper&types=Note` and `?types=Paper,Note` alike."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def node_types(values: list[str] | None, name: str = "types") -> set[str] | None:
    found = split_values(values)
    unknown = [value for value in found if value not in schema.LABELS]
    if unknown:
        raise QueryInputError(f"{name}: unknown type(s) {', '.join(unknown)}; expected {ALL_TYPES_TEXT}")
    return set(found) or None


def tiers(values: list[str] | None) -> set[int] | None:
    found = split_values(values)
    bad = [value for value in found if not value.isdigit() or int(value) < 1]
    if bad:
        raise QueryInputError(f"tier: {', '.join(bad)} is not a tier; tiers are whole numbers from 1")
    return {int(value) for value in found} or None
