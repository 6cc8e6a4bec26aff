"""Graph stores: one interface, an embedded FalkorDB backend and a Neo4j backend."""

from graph.store.base import GraphStore, GraphStoreConfig

__all__ = ["GraphStore", "GraphStoreConfig", "open_store"]


def open_store(config: GraphStoreConfig) -> GraphStore:
    """Open the backend the configuration names (Neo4j when a URI is set, else embedded FalkorDB)."""
    if config.neo4j_uri:
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.connect(config)
    from graph.store.falkordb import FalkorStore

    return FalkorStore.start(config)
