"""The wiki in a real browser: headless Chromium, driven by playwright-core, reads the pages a person would.

Needs Debian's `chromium` (.ci/install-system-deps.sh --with-browser) and node with npm; installs
playwright-core from tests/browser/package-lock.json with `npm ci` when it is missing. Screenshots go
to a temporary directory (printed), or to WIKIGRAPH_SCREENSHOT_DIR when that is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from api.app import create_app
from tests.support.api_world import uvicorn_server

BROWSER_DIR = Path(__file__).resolve().parents[2] / "browser"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("no Chromium: install it with .ci/install-system-deps.sh --with-browser (Debian's chromium package)")


def _node_and_modules() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("the browser test needs node (>= 18) and npm on PATH")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, capture_output=True, text=True,
                                   timeout=600, check=False)
        assert installed.returncode == 0, f"npm ci in {BROWSER_DIR} failed:\n{installed.stdout}\n{installed.stderr}"
    return node


def test_a_reader_follows_links_searches_and_opens_a_concept(services, tmp_path) -> None:
    chromium = _chromium()
    node = _node_and_modules()
    shots = Path(os.environ.get("WIKIGRAPH_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with uvicorn_server(create_app(services.settings, services=services)) as base_url:
        run = subprocess.run([node, "check_pages.cjs", base_url, str(shots), chromium], cwd=BROWSER_DIR,
                             capture_output=True, text=True, timeout=180, check=False)
    print(f"screenshots in {shots}")
    assert run.returncode != 2, f"the browser check crashed:\n{run.stderr[-3000:]}"
    report = json.loads(run.stdout)
    assert report["ok"], f"{report.get('error')}; problems: {report.get('problems')}\n{run.stderr[-2000:]}"
    steps = {step["page"]: step for step in report["steps"]}
    assert steps["search"]["results"][0] == "Impossibility Results for Input-Output Defenses"
    assert steps["concept"]["title"] == "The Defense Trilemma" and steps["concept"]["graphNodes"] > 3
    assert {path.name for path in shots.glob("*.png")} == {"home.png", "search.png", "concept.png"}
    assert all(path.stat().st_size > 10_000 for path in shots.glob("*.png"))
