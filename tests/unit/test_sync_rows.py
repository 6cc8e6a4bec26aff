"""Pages become graph rows: flat properties, checked mentions, one connection per target."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import NoteFormatError
from graph.links import PageIndex
from graph.sync_rows import connection_rows, entity_props, mention_rows, note_props
from tests.support.vault_pages import make_entity, make_note, mention


def test_entity_properties_are_flat_and_complete():
    entity = make_entity("Paper", "layered-refusal", "Layered Refusal", aliases=["LR", "layered refusal"],
                         external_ids={"arxiv": "2604.08861", "Semantic-Scholar": "abc"}, first_seen=date(2026, 4, 28))
    entity.extra = {"short_name": "LR", "published": date(2026, 4, 1), "venue": {"name": "x"}, "degree": 99, "bad key": 1}
    props = entity_props(entity, "papers/layered-refusal.md")
    assert props == {
        "id": "layered-refusal",
        "name": "Layered Refusal",
        "title": "Layered Refusal",
        "aliases": ["LR", "layered refusal"],
        "aliases_text": "LR | layered refusal",
        "arxiv_id": "2604.08861",
        "semantic_scholar_id": "abc",
        "short_name": "LR",
        "published": "2026-04-01",
        "published_ms": 1775001600000,
        "page_first_seen": "2026-04-28",
        "path": "papers/layered-refusal.md",
        "referenced_only": False,
    }


def test_note_properties_leave_out_what_is_missing():
    props = note_props(make_note("a", "A"), "notes/a.md", {"b"})
    assert "author" not in props and props["link_keys"] == ["b"] and props["published_ms"] == 1772409600000


def test_repeated_mentions_merge():
    note = make_note("a", "A", entities=[mention("Concept", "kd", count=2, salience=0.2), mention("Concept", "kd", "KD", count=1, salience=0.6)])
    assert mention_rows(note, "notes/a.md") == {"Concept": [{"note": "a", "id": "kd", "name": "Kd", "count": 3, "salience": 0.6}]}


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "Concept"},
        {"type": "Thing", "id": "x"},
        {"type": "Concept", "id": "Not A Slug"},
        {"type": "Concept", "id": "x", "salience": 1.5},
        {"type": "Concept", "id": "x", "count": "3"},
        {"type": "Concept", "id": "x", "name": ""},
    ],
)
def test_a_malformed_mention_is_a_format_error_naming_the_file(bad):
    with pytest.raises(NoteFormatError, match=r"notes/a\.md.*entities, item 1"):
        mention_rows(make_note("a", "A", entities=[bad]), "notes/a.md")


def test_connections_one_edge_per_target_and_keys_for_every_link():
    pages = PageIndex.of(["b"], [("Concept", "rlhf")])
    note = make_note("a", "A", connections=[("b", "first"), ("notes/b", "again"), ("RLHF", "concept"), ("Nowhere", "later")])
    rows, keys = connection_rows(note, pages)
    assert rows == {"Note": [{"note": "a", "id": "b", "reason": "first"}], "Concept": [{"note": "a", "id": "rlhf", "reason": "concept"}]}
    assert keys == {"b", "RLHF", "rlhf", "Nowhere", "nowhere"}
