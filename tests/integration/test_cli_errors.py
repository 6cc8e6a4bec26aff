"""The command line answers bad settings and bad files with one clear line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(args: list[str], env_extra: dict[str, str], cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIGRAPH_")} | env_extra
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_bad_setting_names_the_variable(tmp_path) -> None:
    result = _run(["serve"], {"WIKIGRAPH_PORT": "not-a-port"}, tmp_path)
    assert result.returncode == 2
    assert "WIKIGRAPH_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_sources_file_names_the_line(tmp_path) -> None:
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "sources.yaml").write_text("sources:\n  - name: A\n    feed_url: https://a.example/feed\n    tier: nine\n    domains: [x]\n")
    result = _run(["sources", "list"], {"WIKIGRAPH_WIKI_DIR": str(wiki), "WIKIGRAPH_DATA_DIR": str(tmp_path / "d")}, tmp_path)
    assert result.returncode != 0
    assert "sources.yaml:4" in result.stderr
    assert "Traceback" not in result.stderr
