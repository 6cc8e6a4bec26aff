"""Labels and relationship types reach Cypher only through the allow-lists."""

from __future__ import annotations

import pytest

from graph import schema
from graph.store import dialects

PAYLOADS = ["Note`) DETACH DELETE n //", "Note:Source", "note", "", "Note ", "Nöte", "Note\x00"]


@pytest.mark.parametrize("label", schema.LABELS)
def test_known_labels_pass(label):
    assert schema.check_label(label) == label


@pytest.mark.parametrize("payload", PAYLOADS)
def test_anything_else_is_refused_as_label_and_relationship_type(payload):
    with pytest.raises(ValueError):
        schema.check_label(payload)
    with pytest.raises(ValueError):
        schema.check_rel_type(payload)


@pytest.mark.parametrize("rel_type", schema.REL_TYPES)
def test_known_relationship_types_pass(rel_type):
    assert schema.check_rel_type(rel_type) == rel_type


@pytest.mark.parametrize("payload", ["id) DETACH DELETE n //", "a-b", "1st", ""])
def test_ddl_builders_refuse_bad_names(payload):
    with pytest.raises(ValueError):
        dialects.falkor_range_index(payload, "id")
    with pytest.raises(ValueError):
        dialects.neo4j_range_index("Note", payload)
    with pytest.raises(ValueError):
        dialects.falkor_unique_id_command("wikigraph", payload)


def test_every_index_names_a_known_label():
    for label, prop in schema.RANGE_INDEXES + schema.FULLTEXT_INDEXES:
        assert schema.check_label(label) and schema.check_property(prop)


def test_neo4j_ddl_is_named_and_idempotent():
    for step in dialects.neo4j_schema():
        assert " IF NOT EXISTS " in step.cypher
    names = [step.cypher.split()[2 if step.cypher.startswith("CREATE CONSTRAINT") else 3] for step in dialects.neo4j_schema()]
    assert len(names) == len(set(names)), "two schema objects share a name"
    assert "policy_event_id_unique" in names


def test_fulltext_terms_are_words_only():
    assert dialects.fulltext_terms('GPT-4 "AND" (o1)* | -x') == ["gpt", "4", "and", "o1", "x"]
    assert dialects.fulltext_query(dialects.NEO4J, "Note", "title", "a b", 5)[2]["query"] == "a AND b"
    assert dialects.fulltext_query(dialects.FALKORDB, "Note", "title", "a b", 5)[2]["query"] == "a b"
    assert dialects.fulltext_query(dialects.FALKORDB, "Note", "title", "!?", 5) is None
