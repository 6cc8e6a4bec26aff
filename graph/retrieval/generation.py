"""The graph's generation: a token that changes whenever a sync changes the graph.

Every sync that changes the graph ends by writing a fresh token (`bump`); a reader that holds
something derived from the graph (the retrieval snapshot) compares the token it was built at with
the current one (`read`: one tiny statement). The token is random, not a counter: a reindex
wipes the bookkeeping node with everything else, and a counter starting again could repeat a
value a reader still holds.

Writes made through a store object of this process are also counted in memory (`local_changes`),
so a reader sharing that store sees them at once, without asking the graph.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import TYPE_CHECKING

from graph.retrieval import cypher as q

if TYPE_CHECKING:
    from graph.store.base import GraphStore

STATE_ID = "graph-generation"

_lock = threading.Lock()
_local: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store → bumps made through it here


def bump(store: GraphStore) -> str:
    """Give the graph a new generation (call after the writes it covers)."""
    token = uuid.uuid4().hex
    q.run(store, q.GENERATION_BUMP, id=STATE_ID, generation=token)
    with _lock:
        _local[store] = _local.get(store, 0) + 1
    return token


def read(store: GraphStore) -> str | None:
    """The graph's current generation; None for a graph no sync has stamped yet."""
    rows = q.run(store, q.GENERATION_READ, id=STATE_ID)
    return rows[0]["generation"] if rows else None


def local_changes(store: GraphStore) -> int:
    """How many times this process has bumped the generation through `store`."""
    with _lock:
        return _local.get(store, 0)
