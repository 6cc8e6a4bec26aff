#!/usr/bin/env node
// Lints Cypher statements with Neo4j's own parser and semantic analysis.
//
// stdin:  {"labels": [...], "relationshipTypes": [...], "statements": {"NAME": "cypher", ...}}
// stdout: {"NAME": [{"severity": "error"|"warning"|"information"|"hint", "message", "line", "column"}], ...}
//
// The schema handed to the linter holds our allow-listed labels and relationship types, so a
// label outside the allow-list shows up as a warning, and Neo4j 5's catalogue of procedures
// and functions (shipped in the package), so a misspelled or missing one shows up as an error.
// Parameters are declared from the statement itself: ours come from the driver at run time,
// not from a `:param` in a Browser session, which is what the linter otherwise expects.
'use strict';

const { lintCypherQuery, testData } = require('@neo4j-cypher/language-support');

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const PARAMETER = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

function readStdin() {
  return require('fs').readFileSync(0, 'utf8');
}

function schemaFor(statement, input) {
  const parameters = {};
  for (const match of statement.matchAll(PARAMETER)) parameters[match[1]] = null;
  return {
    labels: input.labels,
    relationshipTypes: input.relationshipTypes,
    procedures: testData.mockSchema.procedures,
    functions: testData.mockSchema.functions,
    parameters,
    defaultLanguage: 'CYPHER 5',
  };
}

function lint(statement, input) {
  return lintCypherQuery(statement, schemaFor(statement, input)).map((d) => ({
    severity: SEVERITY[d.severity] || String(d.severity),
    message: d.message,
    line: d.range ? d.range.start.line + 1 : null,
    column: d.range ? d.range.start.character + 1 : null,
  }));
}

function main() {
  const input = JSON.parse(readStdin());
  const result = {};
  for (const [name, statement] of Object.entries(input.statements)) {
    result[name] = lint(statement, input);
  }
  process.stdout.write(JSON.stringify(result));
}

main();
