"""Progress for long jobs: a rich bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from collections.abc import Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger("wikigraph")


@contextmanager
def progress_reporter() -> Iterator:
    """Yield a callback(stage, done, total)."""
    if not sys.stderr.isatty():
        last: dict[str, int] = {}

        def plain(stage: str, done: int, total: int) -> None:
            # One line per 10% (and the last), so logs stay readable.
            step = max(1, total // 10)
            if done == total or done - last.get(stage, 0) >= step:
                last[stage] = done
                log.info("%s: %d/%d", stage, done, total)

        yield plain
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False) as bar:
        tasks: dict[str, int] = {}

        def rich(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield rich
