"""Named, ordered schema migrations, each recorded in the graph once applied.

`migrate(store)` is the one way the schema is set up: `wikigraph graph init` runs it, and so does
every entry point that opens the store (`GraphStore.ensure_schema`). Each migration is idempotent
(every object is created only if missing), so re-running one, or two processes racing, is harmless;
the record is a `(:SchemaMigration {id})` node written after the migration's objects exist.

A migration, once released, never changes: a new index is a new migration appended here (and
added to the vocabulary in `graph/schema.py`; a test checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from graph import schema

if TYPE_CHECKING:
    from graph.store.base import GraphStore

MIGRATION_LABEL = "SchemaMigration"


@dataclass(frozen=True)
class Migration:
    """Schema objects to create: `id` unique per label, range indexes, full-text indexes."""

    id: str
    description: str
    unique_ids: tuple[str, ...] = ()
    range_indexes: tuple[tuple[str, str], ...] = ()
    fulltext_indexes: tuple[tuple[str, str], ...] = ()


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001-unique-ids",
        "application id unique per label",
        unique_ids=(*schema.LABELS, *schema.SYSTEM_LABELS),
    ),
    Migration(
        "0002-lookup-indexes",
        "range indexes on the properties lookups and filters use",
        range_indexes=(
            ("Note", "published_ms"),
            ("Note", "domain"),
            ("Paper", "arxiv_id"),
            ("Concept", "name"),
        ),
        fulltext_indexes=(("Note", "title"),),
    ),
    Migration(
        "0003-entity-lookups",
        "range indexes on entity and source names, note paths",
        range_indexes=(
            ("Source", "name"),
            ("Paper", "name"),
            ("PolicyEvent", "name"),
            ("Organization", "name"),
            ("Person", "name"),
            ("Model", "name"),
            ("Note", "path"),
        ),
    ),
    Migration(
        "0004-search-indexes",
        "full-text indexes on entity names and aliases and on source names (Bloom's search)",
        fulltext_indexes=(
            *((label, prop) for label in schema.ENTITY_LABELS for prop in ("name", "aliases_text")),
            ("Source", "name"),
        ),
    ),
)


def all_objects() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(unique-id labels, range indexes, full-text indexes) over every migration, in order."""
    uniques = tuple(label for m in MIGRATIONS for label in m.unique_ids)
    ranges = tuple(index for m in MIGRATIONS for index in m.range_indexes)
    fulltexts = tuple(index for m in MIGRATIONS for index in m.fulltext_indexes)
    return uniques, ranges, fulltexts


# Statements on the migration records. The label is a constant from SYSTEM_LABELS.
LIST_APPLIED = """
MATCH (m:SchemaMigration)
RETURN m.id AS id, m.applied_at AS applied_at
ORDER BY id
"""

RECORD_APPLIED = """
MERGE (m:SchemaMigration {id: $id})
ON CREATE SET m.applied_at = $applied_at, m.applied_at_ms = $applied_at_ms, m.description = $description, m.position = $position
"""

STATEMENTS: dict[str, str] = {"MIGRATIONS_LIST_APPLIED": LIST_APPLIED, "MIGRATIONS_RECORD_APPLIED": RECORD_APPLIED}


def applied(store: GraphStore) -> dict[str, str]:
    """{migration id: ISO time applied} of the migrations recorded in the graph."""
    return {row["id"]: row["applied_at"] for row in store.run("MIGRATIONS_LIST_APPLIED", LIST_APPLIED)}


def pending(store: GraphStore) -> list[Migration]:
    done = applied(store)
    return [migration for migration in MIGRATIONS if migration.id not in done]


def migrate(store: GraphStore) -> list[str]:
    """Apply every pending migration in order and record it; return the ids applied now."""
    done = set(applied(store))
    ran = []
    for position, migration in enumerate(MIGRATIONS, start=1):
        if migration.id in done:
            continue
        store.apply_schema(migration.unique_ids, migration.range_indexes, migration.fulltext_indexes)
        now = datetime.now(timezone.utc)
        params = {
            "id": migration.id,
            "applied_at": now.isoformat(timespec="seconds"),
            "applied_at_ms": int(now.timestamp() * 1000),
            "description": migration.description,
            "position": position,
        }
        store.run("MIGRATIONS_RECORD_APPLIED", RECORD_APPLIED, params)
        ran.append(migration.id)
    return ran
