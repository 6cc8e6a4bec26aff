"""Open a fresh graph store for a test, on every backend that is available.

Embedded FalkorDB always; Neo4j when WIKIGRAPH_NEO4J_URI points at a Neo4j 5 whose data may be
wiped (skipped with a message otherwise). Test modules parametrise a fixture over BACKENDS.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.store import GraphStore, GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.store.neo4j import Neo4jStore

NEO4J_SKIP = "Neo4j backend not tested: set WIKIGRAPH_NEO4J_URI (and WIKIGRAPH_NEO4J_PASSWORD) to a Neo4j 5 you can wipe"
BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def open_test_store(backend: str, data_dir: Path, migrate: bool = True) -> GraphStore:
    """A connected, empty store of `backend`, migrated unless told not to (Neo4j: every node deleted first)."""
    if backend == "falkordb":
        store: GraphStore = FalkorStore.start(GraphStoreConfig(data_dir=data_dir))
    else:
        if not os.environ.get("WIKIGRAPH_NEO4J_URI"):
            pytest.skip(NEO4J_SKIP)
        store = Neo4jStore.connect(
            GraphStoreConfig(
                data_dir=data_dir,
                neo4j_uri=os.environ["WIKIGRAPH_NEO4J_URI"],
                neo4j_user=os.environ.get("WIKIGRAPH_NEO4J_USER", "neo4j"),
                neo4j_password=os.environ.get("WIKIGRAPH_NEO4J_PASSWORD"),
                neo4j_database=os.environ.get("WIKIGRAPH_NEO4J_DATABASE", "neo4j"),
            )
        )
        store.run("TEST_WIPE", "MATCH (n) DETACH DELETE n")
    if migrate:
        store.ensure_schema()
    return store
