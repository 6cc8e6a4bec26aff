"""Typed errors raised by the graph layer; `api/` maps them to one JSON error shape."""

from __future__ import annotations


class WikigraphError(Exception):
    """Base class for every error this project raises on purpose."""


class NoteNotFound(WikigraphError):
    def __init__(self, note_id: str) -> None:
        super().__init__(f"no note with id {note_id!r}")
        self.note_id = note_id


class NoteFormatError(WikigraphError):
    """A note file could not be read; carries the file and line so a person can fix it."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = f"{path or '<text>'}" + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.reason = message


class GraphStoreError(WikigraphError):
    """A statement failed on the backend. The message names the statement, never its parameters."""

    def __init__(self, statement: str, detail: str) -> None:
        super().__init__(f"graph statement {statement!r} failed: {detail}")
        self.statement = statement


class QueryInputError(WikigraphError, ValueError):
    """A value cannot go into a graph statement: a label, relationship type, direction or hop
    count outside the allow-lists of `graph/schema.py`, or a parameter out of range."""


class GraphParameterError(GraphStoreError, QueryInputError):
    """A value sent with a statement is one the backends cannot store alike (a NUL character, NaN,
    a type other than JSON's): the caller's input is at fault, not the backend."""


class GraphUnavailable(WikigraphError):
    """The graph backend could not be started or reached."""


class VectorIndexError(WikigraphError):
    """The vector index could not be opened or queried."""


class EmbeddingModelError(WikigraphError):
    """The embedding model could not be loaded."""
