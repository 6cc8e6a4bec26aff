"""Directions, hop counts and relationship patterns reach Cypher only through the allow-lists."""

from __future__ import annotations

import pytest

from graph import patterns, schema
from graph.errors import QueryInputError, WikigraphError

PAYLOADS = ["out) DETACH DELETE n //", "OUT", "both ", "", "*", "1..9", "\uff07", "in\x00"]


@pytest.mark.parametrize("direction", schema.DIRECTIONS)
def test_known_directions_pass(direction):
    assert schema.check_direction(direction) == direction


@pytest.mark.parametrize("payload", PAYLOADS)
def test_anything_else_is_refused_as_a_direction(payload):
    with pytest.raises(QueryInputError):
        schema.check_direction(payload)


@pytest.mark.parametrize("hops", [1, 2, schema.MAX_HOPS])
def test_hops_up_to_the_maximum_pass(hops):
    assert schema.check_hops(hops) == hops


@pytest.mark.parametrize("hops", [0, -1, schema.MAX_HOPS + 1, 10**9, True, 2.0, "2", "1..2", None])
def test_other_hop_counts_are_refused(hops):
    with pytest.raises(QueryInputError):
        schema.check_hops(hops)


def test_refusals_are_typed_errors_that_are_also_value_errors():
    with pytest.raises(QueryInputError) as caught:
        schema.check_label("Note`) DETACH DELETE n //")
    assert isinstance(caught.value, WikigraphError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("rel_types", "direction", "hops", "expected"),
    [
        ((), "both", 1, "-[]-"),
        (("MENTIONS",), "out", 1, "-[:MENTIONS]->"),
        (("MENTIONS", "CONNECTS_TO"), "in", 2, "<-[:MENTIONS|CONNECTS_TO*1..2]-"),
        ((), "out", 3, "-[*1..3]->"),
    ],
)
def test_relationship_pattern_is_built_from_checked_parts(rel_types, direction, hops, expected):
    assert schema.relationship_pattern(rel_types, direction, hops) == expected


@pytest.mark.parametrize(
    ("rel_types", "direction", "hops"),
    [(("MENTIONS]->(m) DETACH DELETE m //",), "out", 1), ((), "sideways", 1), ((), "out", 4), (("mentions",), "out", 1)],
)
def test_relationship_pattern_refuses_anything_off_the_lists(rel_types, direction, hops):
    with pytest.raises(QueryInputError):
        schema.relationship_pattern(rel_types, direction, hops)


def test_every_declared_edge_uses_known_labels_and_types_and_every_type_has_an_edge():
    for start, rel_type, end in schema.EDGES:
        assert schema.check_label(start) and schema.check_rel_type(rel_type) and schema.check_label(end)
    assert {rel_type for _, rel_type, _ in schema.EDGES} == set(schema.REL_TYPES)
    assert len(set(schema.EDGES)) == len(schema.EDGES)


def test_edge_builders_refuse_an_undeclared_triple():
    with pytest.raises(QueryInputError):
        patterns.edge_upsert_statement("Concept", "PUBLISHED", "Note")
    name, statement = patterns.edge_upsert_statement("Paper", "ABOUT", "Concept")
    assert name == "UPSERT_EDGES[Paper-ABOUT->Concept]" and "(a)-[r:ABOUT]->(b)" in statement


@pytest.mark.parametrize("limit", [0, patterns.MAX_LIMIT + 1, True, "10", 2.5])
def test_limits_outside_the_range_are_refused(limit):
    with pytest.raises(QueryInputError):
        patterns.check_limit(limit)


def test_every_built_statement_is_catalogued_once():
    catalogue = patterns.all_statements()
    shapes = len(schema.DIRECTIONS) * schema.MAX_HOPS
    assert len(catalogue) == len(schema.LABELS) + len(schema.EDGES) + shapes
    assert all("$" in statement for statement in catalogue.values())
