"""The embedded backend: FalkorDB over the redis protocol, on the server `embedded.py` runs."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any

from falkordb import Edge, FalkorDB, Node, Path
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.errors import GraphStoreError, GraphUnavailable, WikigraphError
from graph.store import dialects
from graph.store.base import GraphStore, GraphStoreConfig, check_params, redact
from graph.store.embedded import EmbeddedServer

CONSTRAINT_TIMEOUT_S = 60.0
# A short-lived key whose write, followed by WAITAOF on the same connection, proves that the
# AOF has been fsynced up to that point (and so past every earlier write of every client).
DURABILITY_MARK_KEY = "wikigraph:durability-mark"
MAX_DETAIL_CHARS = 400


class FalkorStore(GraphStore):
    backend = "falkordb"
    dialect = dialects.FALKORDB

    def __init__(self, server: EmbeddedServer, client: FalkorDB, graph_name: str) -> None:
        self._server = server
        self._client = client
        self._graph_name = graph_name
        self._graph = client.select_graph(graph_name)
        self._closed = False

    @classmethod
    def start(cls, config: GraphStoreConfig) -> FalkorStore:
        """Reuse or start the embedded server of `config.data_dir` and connect to it."""
        server = EmbeddedServer.ensure_running(config.data_dir)
        try:
            client = FalkorDB(unix_socket_path=str(server.paths.connect_path))
            return cls(server, client, config.graph_name)
        except (RedisError, OSError) as exc:
            server.stop()
            raise GraphUnavailable(f"could not connect to embedded FalkorDB on {server.paths.socket}: {exc}") from exc

    @property
    def server(self) -> EmbeddedServer:
        return self._server

    def run(self, name: str, statement: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        check_params(name, params)
        try:
            result = self._graph.query(statement, params)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise GraphUnavailable(
                f"graph statement {name!r}: embedded FalkorDB on {self._server.paths.socket} is not answering ({exc})"
            ) from None
        except (RedisError, ValueError, TypeError) as exc:
            # `from None`: the original message may quote the parameter header the client builds.
            raise GraphStoreError(name, redact(_error_detail(exc), params)) from None
        columns = [column[1] if isinstance(column, (list, tuple)) else column for column in result.header]
        return [dict(zip(columns, (to_plain(value) for value in row))) for row in result.result_set]

    def apply_schema(self, unique_ids, range_indexes, fulltext_indexes) -> None:
        existing = self._existing_indexes()
        for step in dialects.falkor_schema(unique_ids, range_indexes, fulltext_indexes):
            if step.key not in existing:
                self._create_index(step)
        self._ensure_unique_ids(unique_ids)

    def _existing_indexes(self) -> set[tuple[str, str, str]]:
        keys = set()
        for row in self.run("FALKOR_LIST_INDEXES", dialects.FALKOR_LIST_INDEXES):
            if row["entitytype"] != "NODE":
                continue
            for prop, kinds in row["types"].items():
                keys.update((kind, row["label"], prop) for kind in kinds)
        return keys

    def _create_index(self, step: dialects.SchemaStatement) -> None:
        try:
            self.run(step.name, step.cypher, step.params_dict())
        except GraphStoreError:
            # Another process may have created it between our look and our create.
            if step.key not in self._existing_indexes():
                raise

    def _unique_id_constraints(self) -> dict[str, str]:
        """{label: status} of the UNIQUE constraints on exactly (id) over node labels."""
        rows = self.run("FALKOR_LIST_CONSTRAINTS", dialects.FALKOR_LIST_CONSTRAINTS)
        return {
            row["label"]: row["status"]
            for row in rows
            if row["type"] == "UNIQUE" and row["entitytype"] == "NODE" and list(row["properties"]) == ["id"]
        }

    def _ensure_unique_ids(self, labels: tuple[str, ...]) -> None:
        present = self._unique_id_constraints()
        for label in labels:
            if label not in present:
                self._create_unique_id(label)
        self._wait_for_constraints()

    def _create_unique_id(self, label: str) -> None:
        try:
            self._client.connection.execute_command(*dialects.falkor_unique_id_command(self._graph_name, label))
        except ResponseError as exc:
            if label not in self._unique_id_constraints():
                raise GraphStoreError(f"FALKOR_UNIQUE_ID[{label}]", _error_detail(exc)) from None

    def _wait_for_constraints(self) -> None:
        """FalkorDB builds constraints in the background; wait until all hold, or report the one that cannot."""
        deadline = time.monotonic() + CONSTRAINT_TIMEOUT_S
        while True:
            status = self._unique_id_constraints()
            failed = [label for label, state in status.items() if state == "FAILED"]
            for label in failed:
                # Dropped so that the next ensure_schema, after the duplicates are fixed, retries it.
                self._client.connection.execute_command(*dialects.falkor_drop_unique_id_command(self._graph_name, label))
            if failed:
                raise GraphStoreError(
                    f"FALKOR_UNIQUE_ID[{failed[0]}]",
                    f"cannot make id unique: nodes labelled {', '.join(failed)} share an id; remove the duplicates and retry",
                )
            if all(state == "OPERATIONAL" for state in status.values()):
                return
            if time.monotonic() > deadline:
                raise GraphStoreError("FALKOR_UNIQUE_ID", f"constraints not built within {CONSTRAINT_TIMEOUT_S:.0f} s: {status}")
            time.sleep(0.05)

    def wait_durable(self, timeout_s: float = 5.0) -> None:
        """Block until the AOF is fsynced past every write made so far (WAITAOF, Redis >= 7.2)."""
        pipe = self._client.connection.pipeline(transaction=False)
        pipe.set(DURABILITY_MARK_KEY, time.time_ns(), px=60_000)
        pipe.execute_command("WAITAOF", 1, 0, int(timeout_s * 1000))
        try:
            _, (local, _replicas) = pipe.execute()
        except RedisError as exc:
            raise GraphStoreError("WAITAOF", _error_detail(exc)) from None
        if local < 1:
            raise GraphStoreError("WAITAOF", f"the append-only file was not fsynced within {timeout_s} s")

    def health(self) -> dict[str, Any]:
        try:
            state = "ok" if self.ping() else "error: unexpected PING reply"
        except WikigraphError as exc:
            state = f"error: {exc}"
        return {
            "backend": self.backend,
            "state": state,
            "socket": str(self._server.paths.socket),
            "pid": self._server.pid,
            "started_here": self._server.started_here,
        }

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._client.close()
        finally:
            self._server.stop()


_ERROR_CONTEXT = re.compile(r"\s*errCtx:.*", re.DOTALL)


def _error_detail(exc: BaseException) -> str:
    """The backend's message without the echo of the query text, which starts with the parameters."""
    detail = _ERROR_CONTEXT.sub("", str(exc)).strip() or type(exc).__name__
    return detail[:MAX_DETAIL_CHARS]


def to_plain(value: Any) -> Any:
    """FalkorDB client values as plain Python: nodes, edges and paths become dicts, times ISO strings.

    Internal FalkorDB ids are dropped: nodes are identified by their `id` property.
    """
    if isinstance(value, Node):
        return {"labels": list(value.labels or []), "properties": to_plain(value.properties)}
    if isinstance(value, Edge):
        return {"type": value.relation, "properties": to_plain(value.properties)}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes()], "relationships": [to_plain(e) for e in value.edges()]}
    if isinstance(value, Mapping):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, (datetime, date, clock_time)):
        return value.isoformat()
    return value
