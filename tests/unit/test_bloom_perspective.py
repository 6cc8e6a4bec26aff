"""The shipped Bloom perspective: current with the schema, complete, and its Cypher Bloom-ready."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph import queries, schema
from graph.bloom import cypher, perspective

REQUIRED_PHRASES = {
    "papers connected to $name",
    "notes about $concept",
    "timeline of $concept",
    "what $source said about $concept",
    "policy events about $concept",
}
HEX_COLOUR = re.compile(r"^#[0-9A-F]{6}$")
ICON_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")  # Bloom's library ids


@pytest.fixture(scope="module")
def built() -> dict:
    return perspective.build()


def test_shipped_file_is_the_one_the_current_schema_builds():
    assert perspective.SHIPPED.read_text(encoding="utf-8") == perspective.render(), (
        "graph/bloom/perspective.json is stale: regenerate it with `python -m graph.bloom.perspective`"
    )


def test_the_build_is_reproducible():
    assert perspective.render() == perspective.render()
    assert json.loads(perspective.render()) == perspective.build()


def test_one_category_per_label_with_caption_colour_icon_and_size_rule(built):
    categories = {category["labels"][0]: category for category in built["categories"]}
    assert list(categories) == list(schema.LABELS)
    colours = [category["color"] for category in built["categories"]]
    assert len(set(colours)) == len(colours) and all(HEX_COLOUR.match(colour) for colour in colours)
    for label, category in categories.items():
        captions = [caption["key"] for caption in category["captions"] if caption["isCaption"]]
        assert captions == [perspective.STYLES[label].caption]
        assert captions[0] in {prop["name"] for prop in category["properties"]}
        assert ICON_ID.match(category["icon"]), f"{label}: {category['icon']!r} is not a Bloom icon id"
        (rule,) = category["styleRules"]
        assert rule["applySize"] and not rule["applyColor"] and rule["basedOn"] in {"pagerank", "mention_count"}
    icons = [category["icon"] for category in built["categories"]]
    assert len(set(icons)) == len(icons), "two categories share an icon"
    assert categories["Note"]["captions"][0]["key"] == "Note"  # the label entry comes first, as Bloom writes it
    assert {categories[label]["styleRules"][0]["basedOn"] for label in schema.ENTITY_LABELS} == {"mention_count"}
    assert categories["Note"]["styleRules"][0]["basedOn"] == "pagerank"


@pytest.mark.realworld
def test_every_icon_is_one_real_bloom_exports_use(built, shared_dir):
    """Bloom draws an icon only for an id of its built-in set: each of ours must appear in a real export."""
    used = set()
    for export in sorted((shared_dir / "corpora" / "bloom-perspectives").glob("*.json")):
        used |= set(re.findall(r'"icon":\s*"([^"]+)"', export.read_text(encoding="utf-8")))
    used.discard("no-icon")  # what Bloom writes for a category without an icon
    assert used, "no icon ids found in the Bloom exports"
    for category in built["categories"]:
        assert category["icon"] in used, f"{category['name']}: icon {category['icon']} is in no real Bloom export"


def test_relationship_types_and_paths_cover_the_schema(built):
    assert [rel["name"] for rel in built["relationshipTypes"]] == list(schema.REL_TYPES)
    segments = {(s["source"], s["relationshipType"], s["target"]) for s in built["metadata"]["pathSegments"]}
    assert segments == set(schema.EDGES)
    assert set(built["labels"]) == set(schema.LABELS)


def test_search_phrases_include_the_required_ones_each_backed_by_a_named_statement(built):
    texts = {template["text"] for template in built["templates"]}
    assert REQUIRED_PHRASES <= texts
    for template, phrase in zip(built["templates"], perspective.PHRASES, strict=True):
        assert phrase.statement in queries.STATEMENTS, f"{template['text']!r} has no common-subset twin"
        assert template["cypher"] == cypher.search_phrase_cypher(phrase.statement)
        names = [param["name"] for param in template["params"]]
        assert set(names) == perspective.parameters(template["cypher"]) == perspective.parameters(template["text"])
        for param in template["params"]:
            assert param["dataType"] == "String"
            assert param["cypher"] or (param["suggestionLabel"] in schema.LABELS and param["suggestionProp"] == "name")


def test_scene_actions_expand_the_selection_to_papers_and_notes(built):
    actions = {action["name"]: action["cypher"] for action in built["sceneActions"]}
    assert set(actions) == {"Expand to papers", "Expand to notes"}
    for text in actions.values():
        assert text.startswith("MATCH (n)\nWHERE elementId(n) IN $nodes\n")
        assert perspective.parameters(text) == {"$nodes"}
    assert "(paper:Paper)" in actions["Expand to papers"] and "(note:Note)" in actions["Expand to notes"]


def test_every_cypher_returns_paths_for_bloom_and_reads_only(built):
    found = perspective.every_cypher(built)
    assert len(found) == len(built["templates"]) + len(built["sceneActions"]) + 1  # + one suggestion query
    for where, text in found.items():
        assert not re.search(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|DETACH)\b", text), f"{where} writes"
        if "suggestions" not in where:
            assert text.rstrip().endswith(f"RETURN path\nLIMIT {cypher.PATH_LIMIT}"), where


def test_a_label_without_a_style_stops_the_build(monkeypatch):
    monkeypatch.setattr(schema, "LABELS", (*schema.LABELS, "Dataset"))
    with pytest.raises(KeyError, match="Dataset"):
        perspective.build()


def test_a_phrase_whose_text_and_cypher_disagree_stops_the_build(monkeypatch):
    broken = perspective.Phrase("BLOOM_NOTES_ABOUT", "notes about $topic", "mismatched", (perspective.Param("$topic", "Concept", "name"),))
    monkeypatch.setattr(perspective, "PHRASES", (broken,))
    with pytest.raises(ValueError, match="notes about"):
        perspective.build()


def test_cli_writes_the_perspective(tmp_path):
    out = tmp_path / "exports" / "wikigraph.perspective.json"
    result = CliRunner().invoke(app, ["bloom", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == perspective.render()
    built = perspective.build()
    assert f"{len(built['templates'])} search phrases, {len(built['sceneActions'])} scene actions" in result.output


def test_cli_prints_the_perspective_to_standard_output():
    result = CliRunner().invoke(app, ["bloom", "export", "-o", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == perspective.build()
