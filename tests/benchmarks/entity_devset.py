"""Precision and recall of offline entity extraction + resolution against the hand-labelled dev set.

    python tests/benchmarks/entity_devset.py            # cold: each dev post alone, vault = starter concepts
    python tests/benchmarks/entity_devset.py --warm     # warm: the whole archive ingested oldest first

Prints a per-type table. The regression floor lives in tests/realworld/test_entity_devset.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.entity_eval import ARCHIVE, evaluate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", action="store_true", help="ingest the whole archive first, oldest post first")
    parser.add_argument("--errors", type=int, default=0, help="print this many misses and wrong predictions")
    args = parser.parse_args()
    if not ARCHIVE.exists():
        sys.exit(f"corpus not found at {ARCHIVE}")
    started = time.perf_counter()
    score = evaluate(warm=args.warm)
    print(f"{'warm' if args.warm else 'cold'} run, {time.perf_counter() - started:.1f}s")
    print(score.table())
    for file_name, entity_type, name in score.wrong[: args.errors]:
        print("wrong", entity_type, name, file_name[:40])
    for file_name, entity_type, name in score.misses[: args.errors]:
        print("miss ", entity_type, name, file_name[:40])


if __name__ == "__main__":
    main()
