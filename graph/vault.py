"""The Markdown vault on disk: the source of truth. Atomic writes, front matter, page paths."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when PyYAML has it: page reads are most of a full reindex.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NOTES_DIR = "notes"
RAW_DIR = "raw/rss"


def atomic_write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` via a temp file + rename. Returns False (and writes nothing) if unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    # The pid in the name tells a later run whether the writer is gone (killed before its rename).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


_TEMP_FILE = re.compile(r"^\..+\.(?P<pid>\d+)\.\w+\.tmp$")


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temp files of atomic writes whose process died before renaming them (a crash, `kill -9`);
    a temp file of a process still running is left alone. Returns what was removed."""
    if not root.is_dir():
        return []
    removed = []
    for path in root.rglob(".*.tmp"):
        match = _TEMP_FILE.match(path.name)
        if match and not _process_alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


# PyYAML reads a bare NEL (and friends) in a plain or single-quoted scalar as a line break, so a string holding
# one would not come back as written; double quotes make it an escape sequence instead.
_LINE_BREAK_LOOKALIKES = frozenset("\x85\u2028\u2029")


class _FrontMatterDumper(yaml.SafeDumper):
    """Never anchors and aliases (`first_seen: &id001 …` / `last_seen: *id001`): a person edits one field, and
    Obsidian's properties view does not read them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(char in _LINE_BREAK_LOOKALIKES for char in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_FrontMatterDumper.add_representer(str, _represent_text)


def dump_front_matter(meta: dict[str, Any]) -> str:
    body = yaml.dump(meta, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{body}---\n"


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line number where the body starts). No front matter → ({}, text, 1)."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 4)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ValueError("front matter opened with '---' but never closed")
    meta = yaml.load(text[4:end], Loader=YAML_LOADER) or {}  # noqa: S506 - a safe loader, C or Python
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    body_start = end + len("\n---\n")
    return meta, text[body_start:], text[:body_start].count("\n") + 1



@dataclass(frozen=True)
class Vault:
    """Paths inside `wiki_content/`. Holds no open resources."""

    root: Path

    @property
    def notes_dir(self) -> Path:
        return self.root / NOTES_DIR

    @property
    def raw_dir(self) -> Path:
        return self.root / RAW_DIR

    @property
    def sources_file(self) -> Path:
        return self.root / "sources.yaml"

    def note_path(self, note_id: str) -> Path:
        return self.notes_dir / f"{note_id}.md"

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def note_paths(self) -> list[Path]:
        return sorted(self.notes_dir.glob("*.md")) if self.notes_dir.exists() else []

    def raw_paths(self) -> list[Path]:
        return sorted(self.raw_dir.glob("*.md")) if self.raw_dir.exists() else []
