"""Backend errors become our typed errors, naming the statement and never what was sent with it.

Runs on every available backend (Neo4j when WIKIGRAPH_NEO4J_URI is set). The parameters carry a
secret; whatever fails, the message must name the statement and must not contain the secret.
"""

from __future__ import annotations

from datetime import date

import pytest
from neo4j import GraphDatabase

from graph.errors import GraphStoreError, GraphUnavailable, QueryInputError
from graph.store.base import redact
from graph.store.neo4j import Neo4jStore
from tests.support.graph_backends import BACKENDS, open_test_store

SECRET = "s3cret-token-0f9a2c"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    graph = open_test_store(request.param, tmp_path / "data")
    yield graph
    graph.close()


FAILING = [
    # (statement name, Cypher, parameters, the caller's input at fault): each fails for a different reason.
    ("TEST_DIVIDE_BY_ZERO", "RETURN size($secret) / 0 AS x", {"secret": SECRET}, False),
    ("TEST_SYNTAX", "MATCH (n:Note {id: $secret) RETURN n", {"secret": SECRET}, False),
    ("TEST_UNKNOWN_FUNCTION", "RETURN nosuchfunction($secret) AS x", {"secret": SECRET}, False),
    ("TEST_BAD_TYPE", "RETURN $secret AS x", {"secret": date(2026, 1, 1), "also": SECRET}, True),
    ("TEST_BYTES", "RETURN $secret AS x", {"secret": SECRET.encode()}, True),
    ("TEST_NUL", "RETURN $secret AS x", {"secret": SECRET + "\x00"}, True),
    ("TEST_HUGE_INT", "RETURN $secret AS x", {"secret": 2**70, "also": SECRET}, True),
]


@pytest.mark.parametrize(("name", "statement", "params", "input_at_fault"), FAILING, ids=[case[0] for case in FAILING])
def test_a_failing_statement_is_named_and_its_parameters_are_not(store, name, statement, params, input_at_fault):
    with pytest.raises(GraphStoreError) as caught:
        store.run(name, statement, params)
    assert caught.value.statement == name
    assert repr(name) in str(caught.value)
    assert SECRET not in str(caught.value)
    # A value no backend can take is the caller's mistake (the API answers 422), not the backend's (500).
    assert isinstance(caught.value, QueryInputError) == input_at_fault
    assert store.ping(), "a failed statement must leave the backend usable"


def test_a_constraint_violation_does_not_echo_the_duplicate_value(store):
    store.run("TEST_CREATE", "CREATE (n:Concept {id: $id})", {"id": SECRET})
    with pytest.raises(GraphStoreError) as caught:
        store.run("TEST_DUPLICATE_ID", "CREATE (n:Concept {id: $id})", {"id": SECRET})
    assert caught.value.statement == "TEST_DUPLICATE_ID" and SECRET not in str(caught.value)
    assert store.counts()["nodes"] == {"Concept": 1}


def test_neo4j_out_of_reach_is_graph_unavailable_naming_the_statement(tmp_path):
    # A real driver against a loopback port nobody listens on: the error is the driver's own.
    driver = GraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", SECRET), connection_timeout=2, max_transaction_retry_time=0.5)
    store = Neo4jStore(driver, "neo4j", f"bolt://neo4j:{SECRET}@127.0.0.1:9")
    try:
        with pytest.raises(GraphUnavailable) as caught:
            store.run("TEST_UNREACHABLE", "MATCH (n:Note {id: $id}) RETURN n", {"id": SECRET})
    finally:
        store.close()
    assert "'TEST_UNREACHABLE'" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("detail", "params", "expected"),
    [
        ("Node(0) already exists with label `Note` and property `id` = 'abc-123'", {"rows": [{"id": "abc-123"}]}, "Node(0) already exists with label `Note` and property `id` = '<parameter>'"),
        ("cut short at 'abc-12", {"id": "abc-123"}, "cut short at '<parameter>"),
        ("a short value is left alone: an", {"x": "an"}, "a short value is left alone: an"),
        ("keys count too: `secret-key`", {"map": {"secret-key": 1}}, "keys count too: `<parameter>`"),
        ("nothing to hide", None, "nothing to hide"),
    ],
)
def test_redact_hides_every_string_parameter(detail, params, expected):
    assert redact(detail, params) == expected
