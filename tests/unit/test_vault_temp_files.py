"""A write killed before its rename leaves a temp file; the next run removes it, never a live writer's."""

from __future__ import annotations

import os
import subprocess
import sys

from graph.vault import atomic_write_text, remove_stale_temp_files


def test_temp_files_of_dead_writers_go_and_live_ones_stay(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        notes = tmp_path / "notes"
        notes.mkdir()
        stale = notes / f".2025-01-01-a.md.{dead_pid}.k3j_x9q2.tmp"
        live = notes / f".2025-01-01-b.md.{sleeper.pid}.a8d7f6e5.tmp"
        ours = notes / f".2025-01-01-c.md.{os.getpid()}.zz.tmp"
        unrelated = notes / ".hidden-notes.tmp"
        for path in (stale, live, ours, unrelated):
            path.write_text("partial", encoding="utf-8")
        atomic_write_text(notes / "2025-01-01-a.md", "whole\n")

        assert remove_stale_temp_files(tmp_path) == [stale]
        assert not stale.exists() and live.exists() and ours.exists() and unrelated.exists()
        assert (notes / "2025-01-01-a.md").read_text(encoding="utf-8") == "whole\n"
        assert remove_stale_temp_files(tmp_path / "missing") == []
    finally:
        sleeper.kill()
        sleeper.wait()


def test_atomic_writes_name_their_writer(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(source, target):
        seen.append(os.path.basename(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write_text(tmp_path / "page.md", "text\n")
    [name] = seen
    assert name.startswith(f".page.md.{os.getpid()}.") and name.endswith(".tmp")
