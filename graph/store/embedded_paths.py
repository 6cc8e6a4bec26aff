"""Where the embedded server keeps its files, and how a client reaches its socket.

Deep data directories: a unix socket path is limited to 107 bytes on Linux (103 on macOS,
where pytest's and many apps' directories are already ~100 bytes deep). The server binds
its socket by a relative name inside the data directory (it runs there), so the socket file
always lives with the data. When the absolute path is too long to connect to, clients go
through a symlink `/tmp/wikigraph-<uid>/<hash of the data dir>` -> `<data_dir>/falkordb`:
the symlink is the recorded mapping, any process recomputes and, if a tmp cleaner removed
it, recreates it. The directory holding it must be ours and private (0700), so no other
local user can redirect us to a server of theirs.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from graph.errors import GraphUnavailable

SOCKET_NAME = "redis.sock"
# sockaddr_un.sun_path is 108 bytes on Linux and 104 on macOS, including the final NUL.
MAX_SOCKET_PATH_BYTES = 103 if sys.platform == "darwin" else 107
# Not tempfile.gettempdir(): on macOS that is itself ~50 bytes deep.
SHORT_LINK_DIR = Path("/tmp")


@dataclass(frozen=True)
class ServerPaths:
    """Where the embedded server keeps its files, all under one directory."""

    root: Path

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> ServerPaths:
        return cls(Path(data_dir).expanduser().resolve() / "falkordb")

    @property
    def socket(self) -> Path:
        """Where the socket file is (the server binds it by its relative name, from `root`)."""
        return self.root / SOCKET_NAME

    @property
    def connect_path(self) -> Path:
        """The path clients connect to: the socket itself, or through the short symlink if too long."""
        if _fits(self.socket):
            return self.socket
        return self.short_link / SOCKET_NAME

    @property
    def short_link(self) -> Path:
        digest = hashlib.sha256(os.fsencode(str(self.root))).hexdigest()[:16]
        return SHORT_LINK_DIR / f"wikigraph-{os.getuid()}" / digest

    @property
    def pidfile(self) -> Path:
        return self.root / "redis.pid"

    @property
    def lockfile(self) -> Path:
        return self.root / "start.lock"

    @property
    def logfile(self) -> Path:
        return self.root / "redis.log"

    @property
    def conffile(self) -> Path:
        return self.root / "redis.conf"


def _fits(socket: Path) -> bool:
    return len(os.fsencode(str(socket))) <= MAX_SOCKET_PATH_BYTES


def ensure_short_link(paths: ServerPaths) -> None:
    """Create (or repair) the short symlink to a data directory too deep for a socket path."""
    if _fits(paths.socket):
        return
    link = paths.short_link
    _private_dir(link.parent)
    _remove_dangling_links(link.parent)
    if link.is_symlink() and Path(os.readlink(link)) == paths.root:
        return
    staging = link.with_name(f"{link.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    os.symlink(paths.root, staging)
    os.replace(staging, link)  # atomic, so a concurrent process never sees a missing or half link
    if not _fits(paths.connect_path):  # pragma: no cover - only with an absurdly long /tmp
        raise GraphUnavailable(f"cannot make a unix socket path short enough for {paths.root}")


def _remove_dangling_links(directory: Path) -> None:
    """Links to data directories that no longer exist (deleted test or scratch dirs)."""
    for entry in directory.iterdir():
        if entry.is_symlink() and not entry.exists():
            entry.unlink(missing_ok=True)


def _private_dir(directory: Path) -> None:
    directory.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise GraphUnavailable(
            f"{directory} must be a directory owned by this user with mode 0700 (it holds links to the "
            f"embedded graph's socket); remove it or fix its permissions, or use a shorter data directory"
        )
