"""The docs and the settings agree.

Every setting is in docs/configuration.md; every `WIKIGRAPH_*` name any page mentions is a real
setting or one of the test-only variables below (and then only where tests are the subject); the
defaults the tables show are the settings' defaults. Settings are read from the environment and
from a `.env` file in the working directory, the environment winning.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from api.settings import SETTINGS_CLASSES, Settings

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "configuration.md"
README = REPO / "README.md"
NAME = re.compile(r"WIKIGRAPH_[A-Z0-9_]+")
# Environment variables only tests read, never the application; each is named in docs only in a
# section about tests (its heading or its line says "test").
TEST_ONLY = {"WIKIGRAPH_SCREENSHOT_DIR"}
# A table row naming a setting: | `WIKIGRAPH_X` | default | what it does |
ROW = re.compile(r"^\|\s*`(WIKIGRAPH_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|", re.MULTILINE)


def _defaults() -> dict[str, object]:
    return {f"WIKIGRAPH_{name.upper()}": field.default for cls in SETTINGS_CLASSES for name, field in cls.model_fields.items()}


def _pages() -> list[Path]:
    pages = [README, *sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "tests").glob("*/README.md"))]
    assert DOC in pages and len(pages) > 3
    return pages


def _mentions() -> dict[str, list[tuple[Path, str, str]]]:
    """Each WIKIGRAPH_* name → (page, nearest heading above, line) for every line naming it."""
    found: dict[str, list[tuple[Path, str, str]]] = {}
    for page in _pages():
        heading = ""
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                heading = line
            for name in NAME.findall(line):
                found.setdefault(name, []).append((page, heading, line))
    return found


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(re.findall(r"`(WIKIGRAPH_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    assert set(_defaults()) - documented == set(), "settings missing from docs/configuration.md"
    assert documented - set(_defaults()) == set(), "docs/configuration.md names settings that do not exist"


def test_every_name_the_docs_mention_is_a_setting_or_test_only() -> None:
    mentions = _mentions()
    unknown = {name: sorted({str(page.relative_to(REPO)) for page, _, _ in where})
               for name, where in mentions.items() if name not in _defaults() and name not in TEST_ONLY}
    assert unknown == {}, "pages name WIKIGRAPH_* variables that are not settings"


@pytest.mark.parametrize("name", sorted(TEST_ONLY))
def test_test_only_variables_are_read_by_tests_and_documented_as_such(name) -> None:
    assert name not in _defaults(), f"{name} is a setting now: take it off the test-only list"
    readers = [path for path in (REPO / "tests").rglob("*.py") if "node_modules" not in path.parts
               and f'"{name}"' in path.read_text(encoding="utf-8")]
    assert readers, f"no test reads {name}: take it off the test-only list and out of the docs"
    where = _mentions().get(name, [])
    outside = [f"{page.relative_to(REPO)}: {line}" for page, heading, line in where
               if "test" not in heading.lower() and "test" not in line.lower()]
    assert outside == [], f"{name} is mentioned where tests are not the subject"


def _shows_default(cell: str, default: object) -> bool:
    """Whether a table's default cell (`value`, unset, empty; `text (…)` abbreviates) shows `default`."""
    if cell == "unset":
        return default is None
    if cell == "empty":
        return default == ""
    value = cell.strip("`")
    if not (cell.startswith("`") and cell.endswith("`")) or default is None:
        return False
    if isinstance(default, bool):
        return value == str(default).lower()
    if isinstance(default, int | float):
        return float(value) == float(default)
    if "…" in value:
        return str(default).startswith(value.split("…")[0])
    return value == str(default)


def test_shows_default_reads_the_table_notation() -> None:
    assert _shows_default("unset", None) and not _shows_default("unset", "x")
    assert _shows_default("`20`", 20.0) and not _shows_default("`20`", 21.0)
    assert _shows_default("`false`", False) and not _shows_default("`true`", False)
    assert _shows_default("`wikigraph/0.1 (…)`", "wikigraph/0.1 (+https://x)") and not _shows_default("`other (…)`", "wikigraph")
    assert _shows_default("`.wikigraph`", Path(".wikigraph")) and not _shows_default(".wikigraph", Path(".wikigraph"))


@pytest.mark.parametrize("page", [README, DOC], ids=["README", "configuration"])
def test_tables_show_the_settings_defaults(page) -> None:
    rows = ROW.findall(page.read_text(encoding="utf-8"))
    assert len(rows) >= 10, f"expected a settings table in {page.name}"
    defaults = _defaults()
    wrong = {name: (cell, defaults.get(name, "not a setting")) for name, cell in rows
             if name not in defaults or not _shows_default(cell, defaults[name])}
    assert wrong == {}, f"{page.name}: table defaults that are not the settings' (shown, real)"


def test_readme_lists_what_a_first_time_user_sets() -> None:
    listed = {name for name, _ in ROW.findall(README.read_text(encoding="utf-8"))}
    first_needs = {"WIKIGRAPH_WIKI_DIR", "WIKIGRAPH_DATA_DIR", "WIKIGRAPH_EMBED_MODEL_PATH", "WIKIGRAPH_HOST", "WIKIGRAPH_PORT",
                   "WIKIGRAPH_API_KEY", "WIKIGRAPH_SUMMARIZER", "WIKIGRAPH_LLM_BASE_URL", "WIKIGRAPH_LLM_MODEL",
                   "WIKIGRAPH_NEO4J_URI", "WIKIGRAPH_QDRANT_URL"}
    assert first_needs - listed == set()


@pytest.fixture
def clean_environment(monkeypatch, tmp_path) -> Path:
    """No WIKIGRAPH_* variable set, and an empty working directory (where `.env` is looked for)."""
    for name in list(os.environ):
        if name.startswith("WIKIGRAPH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_read_the_environment(clean_environment, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(tmp_path / "vault"))
    monkeypatch.setenv("WIKIGRAPH_PORT", "9123")
    monkeypatch.setenv("WIKIGRAPH_NEO4J_PASSWORD", "s3cret")
    settings = Settings(host="0.0.0.0")
    assert settings.paths.wiki_dir == tmp_path / "vault"
    assert settings.server.port == 9123 and settings.server.host == "0.0.0.0"
    assert "s3cret" not in repr(settings.graph)  # secrets never show up in logs or reprs
    assert settings.graph.store_config(tmp_path).neo4j_password == "s3cret"


def test_a_dotenv_file_in_the_working_directory_is_read(clean_environment) -> None:
    (clean_environment / ".env").write_text(
        "WIKIGRAPH_PORT=9321\nWIKIGRAPH_WIKI_DIR=from-dotenv\nWIKIGRAPH_SUMMARIZER=llm\n"
        "WIKIGRAPH_LLM_BASE_URL=http://127.0.0.1:11434/v1\nWIKIGRAPH_LLM_MODEL=qwen2.5:7b\n"
        "WIKIGRAPH_QDRANT_API_KEY=dotenv-secret\nOTHER_TOOL_SETTING=ignored\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.server.port == 9321
    assert settings.paths.wiki_dir == Path("from-dotenv")
    assert settings.summarizer.summarizer == "llm" and settings.summarizer.llm_config().model == "qwen2.5:7b"
    assert settings.vectors.vector_config(Path("data")).api_key == "dotenv-secret"
    assert settings.server.host == "127.0.0.1"  # what the file does not set keeps its default


def test_the_environment_overrides_the_dotenv_file_and_arguments_override_both(clean_environment, monkeypatch) -> None:
    (clean_environment / ".env").write_text("WIKIGRAPH_PORT=9321\nWIKIGRAPH_HOST=0.0.0.0\n", encoding="utf-8")
    monkeypatch.setenv("WIKIGRAPH_PORT", "9555")
    settings = Settings()
    assert settings.server.port == 9555 and settings.server.host == "0.0.0.0"
    assert Settings(port=9777).server.port == 9777  # a command-line option wins over both


def test_a_dotenv_file_elsewhere_is_not_read(clean_environment) -> None:
    (clean_environment / "elsewhere").mkdir()
    (clean_environment / "elsewhere" / ".env").write_text("WIKIGRAPH_PORT=9321\n", encoding="utf-8")
    assert Settings().server.port == 8000
