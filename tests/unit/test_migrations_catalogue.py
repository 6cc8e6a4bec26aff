"""The migrations and the schema vocabulary describe the same objects; their DDL is catalogued."""

from __future__ import annotations

from graph import migrations, schema
from graph.store import dialects


def test_migration_ids_are_unique_and_ordered():
    ids = [migration.id for migration in migrations.MIGRATIONS]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_migrations_create_exactly_the_vocabulary():
    uniques, ranges, fulltexts = migrations.all_objects()
    assert set(uniques) == set(schema.LABELS) | set(schema.SYSTEM_LABELS)
    assert sorted(ranges) == sorted(schema.RANGE_INDEXES)
    assert sorted(fulltexts) == sorted(schema.FULLTEXT_INDEXES)
    assert len(ranges) == len(set(ranges)) and len(fulltexts) == len(set(fulltexts))


def test_every_migration_statement_is_in_both_catalogues():
    for dialect in dialects.DIALECTS:
        catalogue = dialects.all_statements(dialect)
        for name, text in migrations.STATEMENTS.items():
            assert catalogue[name] == text
    neo4j = dialects.all_statements(dialects.NEO4J)
    assert "NEO4J_UNIQUE_ID[SchemaMigration]" in neo4j and "NEO4J_FULLTEXT_INDEX[Person.aliases_text]" in neo4j


def test_system_labels_pass_only_the_schema_check():
    for label in schema.SYSTEM_LABELS:
        assert schema.check_any_label(label) == label
        assert label not in schema.LABELS
