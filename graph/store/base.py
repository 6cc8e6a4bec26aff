"""The graph store interface. Backends implement `run`; everything else is shared.

Callers use the named operations below, never raw Cypher: the statements stay in the graph/
modules that own them (`graph/queries.py` for these operations; the common subset) and in
`graph/store/dialects.py` (per backend), whose `all_statements(dialect)` is the catalogue of
every statement a backend can receive.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph import migrations, queries, schema
from graph.errors import GraphParameterError
from graph.store import dialects


@dataclass(frozen=True)
class GraphStoreConfig:
    """Plain configuration handed down from the entry point's settings."""

    data_dir: Path
    graph_name: str = "wikigraph"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"


class GraphStore(ABC):
    """Operations on the knowledge graph, identical across backends."""

    backend: str = "abstract"
    dialect: str = "abstract"

    @abstractmethod
    def run(self, name: str, statement: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement; return rows as plain dicts. Raise GraphStoreError naming `name` on failure."""

    @abstractmethod
    def apply_schema(
        self,
        unique_ids: tuple[str, ...],
        range_indexes: tuple[tuple[str, str], ...],
        fulltext_indexes: tuple[tuple[str, str], ...],
    ) -> None:
        """Create these constraints and indexes where missing (idempotent). Called by `graph.migrations`."""

    def ensure_schema(self) -> list[str]:
        """Apply the pending schema migrations (idempotent); return the ids applied now."""
        return migrations.migrate(self)

    @abstractmethod
    def health(self) -> dict[str, Any]:
        """Backend name, state ("ok" or an error) and where it lives."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (and stop an embedded server this process started)."""

    def _named(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.run(name, queries.STATEMENTS[name], params)

    def upsert_sources(self, rows: list[dict[str, Any]]) -> None:
        """rows: {id, props: {name, feed_url, tier, domains, url}}"""
        if rows:
            _check_ids(rows, "id")
            self._named("UPSERT_SOURCES", {"rows": _last_row_per_id(rows)})

    def upsert_notes(self, rows: list[dict[str, Any]]) -> None:
        """rows: {id, source_id, props: {...note properties}}; links each note to its source."""
        if rows:
            _check_ids(rows, "id", "source_id")
            self._named("UPSERT_NOTES", {"rows": _last_row_per_id(rows)})

    def delete_notes(self, ids: list[str]) -> None:
        if ids:
            self._named("DELETE_NOTES", {"ids": list(ids)})

    def get_note(self, note_id: str) -> dict[str, Any] | None:
        rows = self._named("GET_NOTE", {"id": note_id})
        return _note_row(rows[0]) if rows else None

    def get_notes(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        rows = self._named("GET_NOTES_BY_IDS", {"ids": list(ids)}) if ids else []
        return {row["note"]["id"]: _note_row(row) for row in rows}

    def note_page_hashes(self) -> dict[str, str]:
        """Hash of each note's file as last synced: how sync tells changed pages from unchanged ones."""
        return {row["id"]: row["page_hash"] for row in self._named("NOTE_PAGE_HASHES")}

    def counts(self) -> dict[str, dict[str, int]]:
        nodes = {row["label"]: row["count"] for row in self._named("COUNT_NODES_BY_LABEL")}
        edges = {row["type"]: row["count"] for row in self._named("COUNT_EDGES_BY_TYPE")}
        return {"nodes": nodes, "edges": edges}

    def published_pairs(self) -> list[tuple[str, str]]:
        return [(row["source_id"], row["note_id"]) for row in self._named("PUBLISHED_PAIRS")]

    def ping(self) -> bool:
        return self._named("PING")[0]["ok"] == 1

    def delete_all(self) -> None:
        self._named("DELETE_ALL")

    def search_note_titles(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Notes whose title contains every word of `text`, best first: [{id, title, score}]."""
        label, prop = schema.FULLTEXT_INDEXES[0]
        query = dialects.fulltext_query(self.dialect, label, prop, text, limit)
        if query is None:
            return []
        name, statement, params = query
        return self.run(name, statement, params)

    def wait_durable(self, timeout_s: float = 5.0) -> None:
        """Return once every write made so far would survive the backend process being killed.

        A committed Neo4j transaction already is; the embedded backend overrides this.
        """


def _check_ids(rows: list[dict[str, Any]], *keys: str) -> None:
    """Every id a write MERGEs on must be one the engines can hold (schema.check_node_id)."""
    for row in rows:
        for key in keys:
            schema.check_node_id(row[key])


def _last_row_per_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per id, the last one given: FalkorDB applies only the first SET when one
    UNWIND batch MERGEs the same node twice, Neo4j the last; deduplicating makes both agree."""
    return list({row["id"]: row for row in rows}.values())


def check_params(statement: str, params: dict[str, Any] | None) -> None:
    """Refuse values one backend would mangle, so both backends behave alike.

    FalkorDB receives parameters as text in front of the query, where a NUL byte ends the
    string early, NaN/Infinity have no spelling, and a value of any other type is spelled by
    its `str()` (so a date becomes arithmetic and an object its own text, straight into the
    statement). Neo4j would store or refuse them. Only JSON-like values pass: None, bool, 64-bit
    int, finite float, str, and lists and maps of those.
    """
    problem = _bad_value(params or {})
    if problem:
        raise GraphParameterError(statement, f"a parameter {problem}")


_INT64 = range(-(2**63), 2**63)


def _bad_value(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return "contains a NUL character" if "\x00" in value else None
    if isinstance(value, int):
        return None if value in _INT64 else "is an integer outside the 64-bit range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "is not a finite number"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key or "`" in key or "\x00" in key:
                return "has a map key that is empty, not a string, or contains a backtick or NUL"
            problem = _bad_value(item)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        return next((problem for item in value if (problem := _bad_value(item))), None)
    return f"has a type a graph cannot store ({type(value).__name__})"


def redact(detail: str, params: dict[str, Any] | None, min_chars: int = 3) -> str:
    """`detail` (a backend's error message) with every string parameter value it quotes replaced.

    Backends echo values in some messages (Neo4j: "…already exists with label `Note` and property
    `id` = '…'"); a typed error names the statement, never what was sent with it. Values shorter
    than `min_chars` are left: they cannot carry anything and would blank out ordinary words.
    """
    values = sorted({text for text in _strings(params or {}) if len(text) >= min_chars}, key=len, reverse=True)
    for text in values:
        detail = detail.replace(text, "<parameter>")
    # A message cut to length may end in the first part of a value.
    for text in values:
        for cut in range(min(len(text), len(detail)) - 1, min_chars - 1, -1):
            if detail.endswith(text[:cut]):
                return detail[:-cut] + "<parameter>"
    return detail


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _note_row(row: dict[str, Any]) -> dict[str, Any]:
    note = dict(row["note"])
    note["source_id"] = row.get("source_id")
    note["source_name"] = row.get("source_name")
    return note
