"""Every Cypher statement the graph layer can send, for both dialects, checked by Neo4j's own parser.

No Neo4j server runs on the machines that build this project, so this is how the Neo4j side
is kept honest without one: `@neo4j-cypher/language-support` (`lintCypherQuery`) is the
parser and semantic analysis Neo4j's tools use. It runs offline under Node; the test installs
it from tests/cypher_lint/package-lock.json with `npm ci` when it is missing.

How diagnostics are judged:
- any error fails the test: syntax errors, and Neo4j's semantic errors (undefined variable,
  unknown function, wrong argument count), except in one case:
- a FalkorDB-dialect statement calling a FalkorDB procedure (`db.idx.fulltext.*`,
  `db.indexes`, `db.constraints`) gets "Procedure … is not present in the database". That is
  a fact about Neo4j's catalogue, not about the syntax: the statement parsed, as a procedure
  call. Only those named procedures, and only in that dialect, are let through;
- a warning that a label or relationship type "is not present in the database" fails the
  test too: the linter is given our allow-lists, so it means a statement names a label
  outside them (a typo, or a label nobody added to graph/schema.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graph import queries, schema
from graph.bloom import cypher, perspective
from graph.store import dialects

LINT_DIR = Path(__file__).resolve().parents[1] / "cypher_lint"
LINTER_PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"

FALKORDB_ONLY_PROCEDURES = {
    "db.idx.fulltext.createNodeIndex",
    "db.idx.fulltext.queryNodes",
    "db.indexes",
    "db.constraints",
}
UNKNOWN_PROCEDURE = re.compile(r"^Procedure (\S+) is not present in the database")
OUTSIDE_ALLOW_LIST = re.compile(r"^(Label|Relationship type) (\S+) is not present in the database")


@pytest.fixture(scope="module")
def lint():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("the Cypher lint needs node (>= 18.18) and npm on PATH, and this machine has neither or only one")
    if not LINTER_PACKAGE.is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], check=False, cwd=LINT_DIR, capture_output=True, text=True, timeout=600
        )
        assert installed.returncode == 0, f"npm ci in {LINT_DIR} failed:\n{installed.stdout}\n{installed.stderr}"

    def run(statements: dict[str, str]) -> dict[str, list[dict]]:
        payload = {"labels": [*schema.LABELS, *schema.SYSTEM_LABELS], "relationshipTypes": list(schema.REL_TYPES), "statements": statements}
        done = subprocess.run(
            [node, "lint.cjs"], check=False, cwd=LINT_DIR, input=json.dumps(payload), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"lint.cjs failed:\n{done.stderr}"
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="module")
def linted(lint) -> dict[str, list[dict]]:
    """Diagnostics by statement text, for the statements of every dialect, in one linter run."""
    texts = {text for dialect in dialects.DIALECTS for text in dialects.all_statements(dialect).values()}
    texts = sorted(texts | set(_bloom_cypher().values()))
    results = lint({str(position): text for position, text in enumerate(texts)})
    return {text: results[str(position)] for position, text in enumerate(texts)}


def problems(dialect: str, diagnostics: list[dict]) -> list[dict]:
    """The diagnostics that mean the statement would not run on Neo4j (or names a label we do not have)."""
    found = []
    for diagnostic in diagnostics:
        message = diagnostic["message"]
        procedure = UNKNOWN_PROCEDURE.match(message)
        if diagnostic["severity"] == "error":
            if dialect == dialects.FALKORDB and procedure and procedure.group(1) in FALKORDB_ONLY_PROCEDURES:
                continue
            found.append(diagnostic)
        elif OUTSIDE_ALLOW_LIST.match(message):
            found.append(diagnostic)
    return found


@pytest.mark.parametrize("dialect", dialects.DIALECTS)
def test_catalogue_covers_common_queries_and_schema_of_every_label(dialect):
    statements = dialects.all_statements(dialect)
    assert statements, "the statement catalogue is empty: the lint below would prove nothing"
    assert set(queries.STATEMENTS) <= set(statements)
    ddl = " ".join(statements.values())
    for label in schema.LABELS:
        assert f"(n:{label})" in ddl, f"no DDL for label {label}"


@pytest.mark.parametrize("dialect", dialects.DIALECTS)
def test_every_statement_passes_neo4j_parser(linted, dialect, capsys):
    statements = dialects.all_statements(dialect)
    assert len(statements) >= len(queries.STATEMENTS) > 0
    assert all(text in linted for text in statements.values()), "the linter did not answer for every statement"
    results = {name: linted[text] for name, text in statements.items()}
    failures = {name: found for name, diagnostics in results.items() if (found := problems(dialect, diagnostics))}
    tolerated = sum(1 for diagnostics in results.values() if diagnostics and not problems(dialect, diagnostics))
    with capsys.disabled():
        print(f"\n[cypher-lint] {dialect}: {len(statements) - len(failures)}/{len(statements)} statements clean "
              f"({tolerated} only with FalkorDB-procedure notices)")
    assert not failures, "\n".join(
        f"{name}: {d['severity']} at {d['line']}:{d['column']}: {d['message']}\n{statements[name].strip()}"
        for name, found in failures.items()
        for d in found
    )


def _bloom_cypher() -> dict[str, str]:
    """Every Cypher string of the Bloom perspective: the shipped file's and a fresh build's (they should agree)."""
    shipped = json.loads(perspective.SHIPPED.read_text(encoding="utf-8"))
    found = {f"shipped {where}": text for where, text in perspective.every_cypher(shipped).items()}
    found.update({f"built {where}": text for where, text in perspective.every_cypher(perspective.build()).items()})
    return found


def test_every_cypher_of_the_bloom_perspective_passes_neo4j_parser(linted, capsys):
    """Bloom runs these on Neo4j, with its own parameters ($nodes for scene actions): Neo4j dialect."""
    statements = _bloom_cypher()
    assert len(statements) >= 2 * len(cypher.SEARCH_PHRASES)
    failures = {where: found for where, text in statements.items() if (found := problems(dialects.NEO4J, linted[text]))}
    with capsys.disabled():
        print(f"\n[cypher-lint] bloom perspective: {len(statements) - len(failures)}/{len(statements)} clean")
    assert not failures, "\n".join(f"{where}: {d['message']}\n{statements[where].strip()}" for where, found in failures.items() for d in found)


def test_linter_reports_what_it_must(lint):
    """The checks above can fail: a syntax error, an unknown function and an off-list label are all caught."""
    results = lint(
        {
            "syntax": "MATCH (n:Note) RETURN n.id +",
            "unknown_function": "MATCH (n:Note) RETURN nosuchfunction(n) AS x",
            "off_list_label": "MATCH (n:Notes) RETURN n.id AS id",
            "falkordb_procedure": "CALL db.indexes() YIELD label RETURN label",
            "fine": "MATCH (n:Note {id: $id}) RETURN n.id AS id",
        }
    )
    assert problems(dialects.NEO4J, results["syntax"])
    assert problems(dialects.FALKORDB, results["syntax"])
    assert problems(dialects.FALKORDB, results["unknown_function"])
    assert problems(dialects.NEO4J, results["off_list_label"])
    assert problems(dialects.NEO4J, results["falkordb_procedure"])
    assert not problems(dialects.FALKORDB, results["falkordb_procedure"])
    assert results["fine"] == []
