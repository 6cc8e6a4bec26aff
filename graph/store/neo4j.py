"""The server backend: Neo4j 5 over Bolt with the official driver.

Only ever pointed at a real Neo4j: FalkorDB's own Bolt endpoint is not usable, and the
embedded backend speaks the redis protocol instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship

from graph import queries
from graph.errors import GraphStoreError, GraphUnavailable, WikigraphError
from graph.store import dialects
from graph.store.base import GraphStore, GraphStoreConfig, check_params, redact

CONNECT_TIMEOUT_S = 10.0
INDEX_WAIT_S = 120
MAX_DETAIL_CHARS = 400


class Neo4jStore(GraphStore):
    backend = "neo4j"
    dialect = dialects.NEO4J

    def __init__(self, driver: Driver, database: str, uri: str) -> None:
        self._driver = driver
        self._database = database
        self._uri = uri
        self._closed = False

    @classmethod
    def connect(cls, config: GraphStoreConfig) -> Neo4jStore:
        """Create the driver and check that the server answers; raise GraphUnavailable if not."""
        if not config.neo4j_uri:
            raise GraphUnavailable("no Neo4j URI configured (WIKIGRAPH_NEO4J_URI)")
        uri = config.neo4j_uri
        auth = (config.neo4j_user, config.neo4j_password) if config.neo4j_password is not None else None
        try:
            driver = GraphDatabase.driver(uri, auth=auth, connection_timeout=CONNECT_TIMEOUT_S)
        except (DriverError, ValueError) as exc:
            raise GraphUnavailable(f"invalid Neo4j URI {redact_uri(uri)}: {exc}") from None
        try:
            driver.verify_connectivity()  # fails fast, where a query would retry for 30 s
            driver.execute_query(queries.PING, database_=config.neo4j_database)  # the database exists
        except (Neo4jError, DriverError, OSError) as exc:
            driver.close()
            raise GraphUnavailable(f"cannot reach Neo4j at {redact_uri(uri)}: {type(exc).__name__}: {_first_line(exc)}") from None
        return cls(driver, config.neo4j_database, uri)

    def run(self, name: str, statement: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        check_params(name, params)
        try:
            records, _summary, keys = self._driver.execute_query(statement, params or {}, database_=self._database)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable(f"graph statement {name!r}: Neo4j at {redact_uri(self._uri)} is unavailable ({_first_line(exc)})") from None
        except Neo4jError as exc:
            raise GraphStoreError(name, redact(f"{exc.code}: {_first_line(exc)}", params)) from None
        except DriverError as exc:
            raise GraphStoreError(name, redact(f"{type(exc).__name__}: {_first_line(exc)}", params)) from None
        return [{key: to_plain(record[key]) for key in keys} for record in records]

    def apply_schema(self, unique_ids, range_indexes, fulltext_indexes) -> None:
        # Every statement says IF NOT EXISTS, so re-running (or racing another process) is harmless.
        for step in dialects.neo4j_schema(unique_ids, range_indexes, fulltext_indexes):
            self.run(step.name, step.cypher, step.params_dict())
        self.run("NEO4J_AWAIT_INDEXES", dialects.NEO4J_AWAIT_INDEXES, {"timeout_s": INDEX_WAIT_S})

    def health(self) -> dict[str, Any]:
        try:
            state = "ok" if self.ping() else "error: unexpected reply"
        except WikigraphError as exc:
            state = f"error: {exc}"
        return {"backend": self.backend, "state": state, "uri": redact_uri(self._uri), "database": self._database}

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._driver.close()


def redact_uri(uri: str) -> str:
    """The URI without any user:password part, for messages."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _first_line(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return message.strip().splitlines()[0][:MAX_DETAIL_CHARS] if message.strip() else type(exc).__name__


def to_plain(value: Any) -> Any:
    """Driver values as plain Python, in the same shapes the FalkorDB backend produces.

    Nodes, relationships and paths become dicts (no internal element ids: nodes are
    identified by their `id` property); temporal values become ISO strings.
    """
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": to_plain(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": to_plain(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes], "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, Mapping):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration
        return value.iso_format()
    return value
