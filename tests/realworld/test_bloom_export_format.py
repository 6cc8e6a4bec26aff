"""Our perspective has the shape of a real Bloom 2.x export (../shared/corpora/bloom-perspectives).

The 2.21 export there is what Bloom writes today: every key it has at each level (perspective,
category, caption, property, relationship type, search phrase, parameter, metadata) must be in
ours too, with a value of the same JSON type, or Bloom's import would find a field missing.
"""

from __future__ import annotations

import json

import pytest

from graph.bloom import perspective

pytestmark = pytest.mark.realworld


@pytest.fixture(scope="module")
def exports(shared_dir) -> dict[str, dict]:
    folder = shared_dir / "corpora" / "bloom-perspectives"
    found = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}
    assert found, f"no Bloom exports in {folder}"
    return found


@pytest.fixture(scope="module")
def current(exports) -> dict:
    """The newest 2.x export of the corpus."""
    two = [export for export in exports.values() if str(export.get("version", "")).startswith("2.")]
    assert two, "the corpus holds no Bloom 2.x export"
    return max(two, key=lambda export: tuple(int(part) for part in export["version"].split(".")))


def _same_kind(ours, theirs) -> bool:
    return theirs is None or ours is None or isinstance(ours, type(theirs)) or (isinstance(ours, (int, float)) and isinstance(theirs, (int, float)))


def _check(ours: dict, theirs: dict, where: str) -> list[str]:
    problems = []
    for key, value in theirs.items():
        if key not in ours:
            problems.append(f"{where}: missing {key!r}")
        elif not _same_kind(ours[key], value):
            problems.append(f"{where}.{key}: {type(ours[key]).__name__}, the export has {type(value).__name__}")
    return problems


def test_our_perspective_has_every_field_of_a_current_export(current):
    ours = perspective.build()
    problems = _check(ours, current, "perspective")
    pairs = [
        (ours["categories"][0], current["categories"][0], "category"),
        (ours["categories"][0]["properties"][0], current["categories"][0]["properties"][0], "category property"),
        (ours["categories"][0]["captions"][0], current["categories"][0]["captions"][0], "label caption"),
        (ours["categories"][0]["captions"][1], current["categories"][0]["captions"][1], "property caption"),
        (ours["labels"]["Note"][0], next(iter(current["labels"].values()))[0], "label property key"),
        (ours["relationshipTypes"][1], current["relationshipTypes"][1], "relationship type"),
        (ours["relationshipTypes"][1]["properties"][0], current["relationshipTypes"][1]["properties"][0], "relationship property"),
        (ours["relationshipTypes"][0]["captions"][0], current["relationshipTypes"][0]["captions"][0], "relationship caption"),
        (ours["templates"][0], current["templates"][0], "search phrase"),
        (ours["templates"][0]["params"][0], current["templates"][0]["params"][0], "search phrase parameter"),
        (ours["palette"], current["palette"], "palette"),
        (ours["metadata"], current["metadata"], "metadata"),
        (ours["metadata"]["pathSegments"][0], current["metadata"]["pathSegments"][0], "path segment"),
        (ours["metadata"]["indexes"][0], current["metadata"]["indexes"][0], "index"),
        (ours["metadata"]["indexes"][0]["propertyKeys"][0], current["metadata"]["indexes"][0]["propertyKeys"][0], "index key"),
    ]
    for mine, theirs, where in pairs:
        problems += _check(mine, theirs, where)
    assert not problems, "\n".join(problems)
    assert ours["version"] == current["version"] and ours["type"] == current["type"]


def test_older_exports_are_not_what_we_follow(exports):
    # The 1.x exports use another caption scheme (`caption` lists, `isCaption` on properties).
    old = [export for export in exports.values() if str(export.get("version", "")).startswith("1.")]
    assert old and all("captions" not in category for export in old for category in export["categories"])
    assert all("captions" in category for category in perspective.build()["categories"])
