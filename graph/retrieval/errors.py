"""Errors retrieval raises on purpose (all WikigraphError, so `api/` maps them to its error shape)."""

from __future__ import annotations

from graph.errors import WikigraphError


class EntityNotFound(WikigraphError):
    """No entity with this id (of this type, when one is given)."""

    def __init__(self, entity_id: str, entity_type: str | None = None) -> None:
        kind = entity_type or "entity"
        super().__init__(f"no {kind} with id {entity_id!r}")
        self.entity_id = entity_id
        self.entity_type = entity_type
