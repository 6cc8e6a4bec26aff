"""Every setting is documented in docs/configuration.md, and the docs name no setting that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from api.settings import SETTINGS_CLASSES, Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def _setting_names() -> set[str]:
    return {f"WIKIGRAPH_{field.upper()}" for cls in SETTINGS_CLASSES for field in cls.model_fields}


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(re.findall(r"`(WIKIGRAPH_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    assert _setting_names() - documented == set(), "settings missing from docs/configuration.md"
    assert documented - _setting_names() == set(), "docs/configuration.md names settings that do not exist"


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(tmp_path / "vault"))
    monkeypatch.setenv("WIKIGRAPH_PORT", "9123")
    monkeypatch.setenv("WIKIGRAPH_NEO4J_PASSWORD", "s3cret")
    settings = Settings(host="0.0.0.0")
    assert settings.paths.wiki_dir == tmp_path / "vault"
    assert settings.server.port == 9123 and settings.server.host == "0.0.0.0"
    assert "s3cret" not in repr(settings.graph)  # secrets never show up in logs or reprs
    assert settings.graph.store_config(tmp_path).neo4j_password == "s3cret"
