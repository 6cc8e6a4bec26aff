"""Entity pages: render → parse round trip, hand edits survive, malformed pages give located errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.entities_md import (
    InvalidEntityId,
    entity_path,
    parse_entity,
    read_entities,
    render_entity,
    stub_body,
)
from graph.errors import NoteFormatError
from graph.model import ENTITY_LINK_FIELDS, ENTITY_TYPES, Entity
from graph.vault import Vault, atomic_write_text

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
texts = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))
extra_values = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.lists(st.text(max_size=10), max_size=3))


@st.composite
def entities(draw) -> Entity:
    entity_type = draw(st.sampled_from(ENTITY_TYPES))
    link_keys = list(ENTITY_LINK_FIELDS[entity_type])
    links = {key: draw(st.lists(slugs, max_size=3)) for key in link_keys if draw(st.booleans())}
    extra_keys = st.from_regex(r"x_[a-z]{1,8}", fullmatch=True)
    return Entity(
        id=draw(slugs),
        type=entity_type,
        name=draw(texts),
        aliases=draw(st.lists(st.text(max_size=30), max_size=4)),
        external_ids=draw(st.dictionaries(st.sampled_from(["arxiv", "doi", "bill"]), st.text(max_size=20), max_size=3)),
        first_seen=draw(dates),
        last_seen=draw(dates),
        links=links,
        body=draw(st.text(max_size=200)),
        extra=draw(st.dictionaries(extra_keys, extra_values, max_size=3)),
    )


@settings(max_examples=300, deadline=None)
@given(entities())
def test_render_then_parse_gives_the_same_entity(entity):
    text = render_entity(entity)
    assert parse_entity(text) == entity
    assert render_entity(parse_entity(text)) == text


def test_a_stub_page_reads_as_front_matter_and_a_title():
    entity = Entity(id="rlhf", type="Concept", name="RLHF", aliases=["reinforcement learning from human feedback"],
                    first_seen=date(2026, 5, 1), last_seen=date(2026, 5, 2), body=stub_body("RLHF"))
    text = render_entity(entity)
    assert text.startswith("---\ntype: Concept\nid: rlhf\nname: RLHF\n")
    assert text.endswith("---\n# RLHF\n")


def test_hand_edits_survive_reading_and_rewriting():
    hand_written = (
        "---\r\n"
        "type: Paper\r\n"
        "id: some-paper\r\n"
        "name: Some Paper\r\n"
        "aliases: SP\r\n"
        "tags: [reading-list]\r\n"
        "about: reward-hacking\r\n"
        "---\r\n"
        "# Some Paper\r\n\r\nMy notes, with a [[reward-hacking|link]] and trailing spaces.  \r\n"
    )
    entity = parse_entity(hand_written)
    assert entity.aliases == ["SP"]
    assert entity.links == {"about": ["reward-hacking"]}
    assert entity.extra == {"tags": ["reading-list"]}
    assert entity.body == "# Some Paper\r\n\r\nMy notes, with a [[reward-hacking|link]] and trailing spaces.  \r\n"
    entity.last_seen = date(2026, 6, 1)
    again = parse_entity(render_entity(entity))
    assert again.body == entity.body and again.extra == entity.extra and again.aliases == ["SP"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("no front matter\n", 1, "must start with YAML front matter"),
        ("---\ntype: Concept\nid: x\n", 1, "never closed"),
        ("---\ntype: Concept\nid: x\nname: [unclosed\n---\n", 5, "not valid YAML"),
        ("---\ntype: Concept\nid: x\n---\n", 1, "lacks required field(s): name"),
        ("---\ntype: Thing\nid: x\nname: X\n---\n", 2, "must be one of"),
        ("---\ntype: Concept\nid: Not A Slug\nname: X\n---\n", 3, "must be a slug"),
        ("---\ntype: Concept\nid: x\nname: X\naliases: {a: 1}\n---\n", 5, "list of text"),
        ("---\ntype: Paper\nid: x\nname: X\nexternal_ids: {arxiv: 2401.12340}\n---\n", 5, "quoted text"),
        ("---\ntype: Paper\nid: x\nname: X\nfirst_seen: last tuesday\n---\n", 5, "must be a date"),
        ("---\ntype: Concept\nid: x\nname: '   '\n---\n", 4, "non-empty text"),
        ("---\n- a list\n---\n", 2, "mapping"),
    ],
)
def test_malformed_pages_raise_a_located_error(text, line, words):
    with pytest.raises(NoteFormatError) as caught:
        parse_entity(text, path="concepts/x.md")
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith("concepts/x.md:")


def test_a_page_must_sit_in_its_folder_under_its_id(tmp_path: Path):
    text = render_entity(Entity(id="moe", type="Concept", name="Mixture of experts"))
    with pytest.raises(NoteFormatError, match="file is named"):
        parse_entity(text, path=tmp_path / "concepts" / "other.md")
    with pytest.raises(NoteFormatError, match="belongs in concepts/"):
        parse_entity(text, path=tmp_path / "papers" / "moe.md")


def test_entity_path_refuses_ids_that_are_not_slugs(tmp_path: Path):
    vault = Vault(tmp_path)
    assert entity_path(vault, "Paper", "a-paper") == tmp_path / "papers" / "a-paper.md"
    for bad in ("../escape", "a/b", "", "UPPER"):
        with pytest.raises(InvalidEntityId):
            entity_path(vault, "Paper", bad)
    with pytest.raises(InvalidEntityId):
        entity_path(vault, "Thing", "x")


def test_read_entities_reads_every_folder_and_can_collect_errors(tmp_path: Path):
    vault = Vault(tmp_path)
    written = [
        Entity(id="rlhf", type="Concept", name="RLHF", body=stub_body("RLHF")),
        Entity(id="ada", type="Person", name="Ada Example", links={"affiliated_with": ["lab"]}),
        Entity(id="lab", type="Organization", name="Example Lab"),
    ]
    for entity in written:
        atomic_write_text(entity_path(vault, entity.type, entity.id), render_entity(entity))
    assert sorted(e.id for e in read_entities(vault)) == ["ada", "lab", "rlhf"]
    atomic_write_text(tmp_path / "models" / "broken.md", "---\ntype: Model\n")
    with pytest.raises(NoteFormatError):
        read_entities(vault)
    errors: list[NoteFormatError] = []
    assert len(read_entities(vault, errors=errors)) == 3
    assert len(errors) == 1 and errors[0].path.endswith("broken.md")
