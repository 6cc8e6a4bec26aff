"""`.ci/run`'s own logic, with stand-ins for `python3` and `make` (so no venv is built and no suite runs):
it fails when the tests fail and when no test ran, passes otherwise, and leaves no scratch directory behind."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "run"

# `python3 -m venv DIR` makes DIR/bin/python, which accepts the pip installs.
FAKE_PYTHON3 = """#!/bin/sh
mkdir -p "$3/bin"
printf '#!/bin/sh\\nexit 0\\n' > "$3/bin/python"
chmod +x "$3/bin/python"
"""
# `make test` says what FAKE_MAKE_SAYS holds and exits with FAKE_MAKE_STATUS; it leaves a file in the venv.
FAKE_MAKE = """#!/bin/sh
touch "$VENV/made"
printf '%s\\n' "$FAKE_MAKE_SAYS"
exit "$FAKE_MAKE_STATUS"
"""


@pytest.fixture
def run_ci(tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    for name, body in (("python3", FAKE_PYTHON3), ("make", FAKE_MAKE)):
        (tools / name).write_text(body)
        (tools / name).chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir()

    def run(says: str, status: int) -> tuple[subprocess.CompletedProcess, list[Path]]:
        env = {"PATH": f"{tools}:{os.environ['PATH']}", "TMPDIR": str(scratch), "HOME": str(tmp_path),
               "FAKE_MAKE_SAYS": says, "FAKE_MAKE_STATUS": str(status)}
        done = subprocess.run([shutil.which("bash"), str(SCRIPT)], check=False, env=env, capture_output=True, text=True, timeout=60)
        return done, list(scratch.iterdir())

    return run


def test_passes_when_tests_ran_and_passed(run_ci) -> None:
    done, left = run_ci("===== 812 passed, 9 skipped in 600.00s =====", 0)
    assert done.returncode == 0, done.stderr
    assert "812 passed" in done.stdout
    assert left == [], "the scratch directory (venv, log) was left behind"


def test_fails_with_the_tests_status_when_tests_fail(run_ci) -> None:
    done, left = run_ci("===== 1 failed, 811 passed in 600.00s =====", 2)
    assert done.returncode == 2
    assert "CI: tests failed (exit 2)" in done.stderr
    assert left == []


def test_fails_when_no_test_ran(run_ci) -> None:
    done, left = run_ci("===== no tests ran in 0.01s =====", 0)
    assert done.returncode == 1
    assert "CI: no test ran" in done.stderr
    assert left == []


def test_the_stand_ins_were_used(run_ci, tmp_path) -> None:
    """The fake make really ran inside the scratch venv (else the tests above would prove nothing)."""
    marker = tmp_path / "tools" / "make"
    marker.write_text(FAKE_MAKE.replace('touch "$VENV/made"', f'cp -r "$VENV" "{tmp_path}/venv-copy"'))
    done, _ = run_ci("3 passed", 0)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "venv-copy" / "bin" / "python").exists()
