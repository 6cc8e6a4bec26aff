"""Backend-specific Cypher lives in graph/store/dialects.py only, and the catalogue lists it per dialect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.errors import QueryInputError
from graph.store import dialects

GRAPH = Path(__file__).resolve().parents[2] / "graph"
DIALECTS_MODULE = GRAPH / "store" / "dialects.py"
# What only one backend understands: its procedures and its index/constraint DDL.
BACKEND_SPECIFIC = re.compile(
    r"db\.idx\.|db\.index\.|db\.indexes\(|db\.constraints\(|db\.awaitIndexes|GRAPH\.CONSTRAINT"
    r"|CREATE (?:RANGE |FULLTEXT )?INDEX|CREATE CONSTRAINT|SHOW (?:INDEXES|CONSTRAINTS)"
)
FALKOR_ONLY = re.compile(r"db\.idx\.|db\.indexes\(|db\.constraints\(")
NEO4J_ONLY = re.compile(r"db\.index\.|db\.awaitIndexes|IF NOT EXISTS")


def test_backend_specific_cypher_is_only_in_the_dialects_module() -> None:
    found = {
        f"{path.relative_to(GRAPH.parent)}:{number}": line.strip()
        for path in sorted(GRAPH.rglob("*.py"))
        if path != DIALECTS_MODULE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BACKEND_SPECIFIC.search(line)
    }
    assert found == {}, "backend-specific Cypher outside graph/store/dialects.py"
    assert BACKEND_SPECIFIC.search(DIALECTS_MODULE.read_text(encoding="utf-8"))  # the pattern does find it there


@pytest.mark.parametrize("dialect", dialects.DIALECTS)
def test_catalogue_holds_the_dialects_name_search_and_nothing_of_the_other(dialect) -> None:
    catalogue = dialects.all_statements(dialect)
    name, cypher, _ = dialects.name_search_query(dialect, ("Concept",), ["routing"], 5)
    assert catalogue[name] == cypher
    other = NEO4J_ONLY if dialect == dialects.FALKORDB else FALKOR_ONLY
    assert [name for name, text in catalogue.items() if other.search(text)] == []


def test_name_search_terms_per_dialect() -> None:
    words = ["routing", "moe", "routing", "x", "2025"]  # a repeat, a one-letter word, a long number
    _, _, falkor = dialects.name_search_query(dialects.FALKORDB, ("Concept", "Paper"), words, 7)
    assert falkor == {"labels": ["Concept", "Paper"], "query": "%routing% | moe | 2025", "limit": 7}
    _, _, neo4j = dialects.name_search_query(dialects.NEO4J, ("Concept",), words, 7)
    assert neo4j["query"] == "routing~1 OR moe OR 2025" and neo4j["limit"] == 7
    assert neo4j["indexes"] and all(index.startswith("concept_") for index in neo4j["indexes"])


def test_name_search_refuses_what_it_cannot_send() -> None:
    assert dialects.name_search_query(dialects.FALKORDB, ("Concept",), ["x"], 5) is None
    assert dialects.name_search_query(dialects.FALKORDB, (), ["routing"], 5) is None
    with pytest.raises(QueryInputError, match="unknown node label"):
        dialects.name_search_query(dialects.FALKORDB, ("Concept) DETACH DELETE (n",), ["routing"], 5)
    with pytest.raises(ValueError, match="unknown dialect"):
        dialects.name_search_query("sqlite", ("Concept",), ["routing"], 5)
