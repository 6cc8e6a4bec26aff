"""Connections links resolve against the pages that exist as files, by fixed rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.links import PageIndex, Target, link_keys, page_slug
from graph.slugs import slugify

PAGES = PageIndex.of(
    ["scaling-laws", "kd-intro"],
    [("Paper", "scaling-laws"), ("Concept", "knowledge-distillation"), ("Person", "ada"), ("Concept", "ada")],
)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("concepts/knowledge-distillation", Target("Concept", "knowledge-distillation")),
        ("concepts/knowledge-distillation.md", Target("Concept", "knowledge-distillation")),
        ("papers/not-written-yet", Target("Paper", "not-written-yet")),  # referenced-only until its page exists
        ("notes/kd-intro", Target("Note", "kd-intro")),
        ("kd-intro#Why it matters", Target("Note", "kd-intro")),
        ("Knowledge Distillation", Target("Concept", "knowledge-distillation")),
        ("scaling-laws", Target("Note", "scaling-laws")),  # a note wins over an entity page of the same id
        ("ada", Target("Concept", "ada")),  # entity types in ENTITY_TYPES order: Concept before Person
        ("people/ada", Target("Person", "ada")),
    ],
)
def test_resolves(target, expected):
    assert PAGES.resolve(target) == expected


@pytest.mark.parametrize("target", ["notes/missing", "Missing Page", "elsewhere/kd-intro", "concepts/Bad Id", "concepts/../x", ""])
def test_unresolved(target):
    assert PAGES.resolve(target) is None


def test_link_keys_name_the_pages_whose_existence_matters():
    assert link_keys("Reward Hacking") == {"Reward Hacking", "reward-hacking"}
    assert link_keys("notes/kd-intro") == {"kd-intro"}
    assert link_keys("concepts/rlhf") == set()  # points at Concept rlhf whatever exists


@given(st.text(max_size=120))
def test_page_slug_is_ingests_slug(text):
    assert page_slug(text) == slugify(text)
