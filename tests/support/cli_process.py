"""Run `wikigraph …` as a real process, wait until it serves on loopback, stop it with Ctrl-C (SIGINT).

Output goes to files (read them with `Served.output()`), so a chatty process never blocks on a full pipe.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import embed_config

CLI = [sys.executable, "-c", "from api.cli import main; main()"]


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different loopback ports nothing listens on now. The probes stay bound until all are picked:
    one probe closed before the next is bound may be given the same port again."""
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def cli_env(**settings: str) -> dict[str, str]:
    """This environment without any WIKIGRAPH_* variable, plus the offline model and `settings`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WIKIGRAPH_")}
    model = embed_config().model_path
    if model is not None:
        env["WIKIGRAPH_EMBED_MODEL_PATH"] = str(model)
    return env | settings


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    stdout: Path
    stderr: Path
    returncode: int | None = None

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def errors(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")


@contextmanager
def served_cli(args: list[str], port: int, env: dict[str, str], cwd: Path, timeout: float = 120.0) -> Iterator[Served]:
    """Start `wikigraph <args>`; yield once http://127.0.0.1:<port>/health answers 200; then Ctrl-C it and wait."""
    stdout, stderr = cwd / "cli.stdout", cwd / "cli.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([*CLI, *args], cwd=cwd, env=env, stdout=out, stderr=err)
    served = Served(process, f"http://127.0.0.1:{port}", stdout, stderr)
    try:
        _wait_for_health(served, timeout)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            served.returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            served.returncode = process.wait()
            raise AssertionError(f"`wikigraph {' '.join(args)}` did not stop within 60 s of Ctrl-C") from None


def _wait_for_health(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"exited with {served.process.returncode} before serving:\n{served.output()}\n{served.errors()[-3000:]}")
        if _health_status(served.url) == 200:
            return
        time.sleep(0.25)
    raise AssertionError(f"nothing answered on {served.url} within {timeout:.0f} s:\n{served.output()}\n{served.errors()[-3000:]}")


def _health_status(url: str) -> int | None:
    """/health's status code, or None while nothing listens yet."""
    try:
        return httpx.get(url + "/health", timeout=2.0).status_code
    except httpx.TransportError:
        return None
