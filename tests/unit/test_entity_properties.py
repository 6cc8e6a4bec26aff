"""Paper and PolicyEvent properties: derived from names, ids and context, filled once, never over a person's
value; written in the page's front matter without YAML anchors; projected onto the node by sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.entities_md import parse_entity, render_entity, stub_body
from graph.entity_fields import paper_title
from graph.model import Entity
from graph.sync_rows import entity_props, epoch_ms
from graph.vault import dump_front_matter
from ingest.entities.policy import jurisdiction, policy_kind
from ingest.entities.properties import arxiv_month, paper_short_name, with_properties


def paper(name: str, aliases=(), arxiv: str | None = None, **extra) -> Entity:
    return Entity(id="p", type="Paper", name=name, aliases=list(aliases),
                  external_ids={"arxiv": arxiv} if arxiv else {}, first_seen=date(2024, 5, 2),
                  last_seen=date(2024, 5, 2), body=stub_body(name), extra=dict(extra))


def event(name: str, first_seen: date = date(2024, 6, 27), **extra) -> Entity:
    return Entity(id="e", type="PolicyEvent", name=name, first_seen=first_seen, last_seen=first_seen,
                  body=stub_body(name), extra=dict(extra))


# --------------------------------------------------------------------------------------------- front matter


def test_front_matter_never_uses_anchors_even_for_shared_values():
    day, tags = date(2023, 12, 20), ["a", "b"]
    entity = replace(paper("arXiv 1410.5401"), first_seen=day, last_seen=day, extra={"x_tags": tags, "x_more": tags})
    text = render_entity(entity)
    assert "&id" not in text and "*id" not in text
    assert "first_seen: 2023-12-20\nlast_seen: 2023-12-20\n" in text
    assert parse_entity(text) == entity
    assert "&" not in dump_front_matter({"a": day, "b": day, "c": tags, "d": tags})


def test_properties_are_written_after_the_external_ids_in_a_fixed_order():
    entity = paper("LIMA: Less Is More for Alignment", arxiv="2305.11206",
                   x_note="mine", published="2023-05", title="LIMA: Less Is More for Alignment", short_name="LIMA")
    keys = [line.split(":")[0] for line in render_entity(entity).splitlines()[1:] if line[:1].isalpha()]
    assert keys == ["type", "id", "name", "aliases", "external_ids", "title", "short_name", "published",
                    "first_seen", "last_seen", "x_note"]
    assert render_entity(parse_entity(render_entity(entity))) == render_entity(entity)


# ------------------------------------------------------------------------------------------------- papers


@pytest.mark.parametrize(
    ("arxiv_id", "month"),
    [("1503.02531", "2015-03"), ("2401.01234v2", "2024-01"), ("hep-th/9901001", "1999-01"),
     ("cs/0112017", "2001-12"), ("1513.00001", None), ("10.1000/xyz", None), (None, None)],
)
def test_an_arxiv_id_gives_the_year_and_month(arxiv_id, month):
    assert arxiv_month(arxiv_id) == month


@pytest.mark.parametrize(
    ("name", "aliases", "short"),
    [
        ("Conditioned RL Fine-Tuning (C-RLFT)", [], "C-RLFT"),
        ("Direct Preference Optimization", ["DPO"], "DPO"),
        ("LIMA: Less Is More for Alignment", [], "LIMA"),
        ("DAST-v2: Difficulty-Adaptive Slow-Thinking", [], "DAST-v2"),
        ("Llama 2: Open Foundation and Fine-Tuned Chat Models", [], "Llama 2"),
        ("Mamba paper", [], "Mamba"),
        ("DeepSeek V3 technical report", [], "DeepSeek V3"),
        ("A Long Way to Go: Investigating Length Correlations in RLHF", [], None),
        ("Edit: Gemini Flash is confirmed as distilled", [], None),
        ("Attention Is All You Need", ["transformer paper"], None),
        ("Lama three paper", [], None),
        ("30-page paper", [], None),
        ("arXiv 1503.02531", [], None),
    ],
)
def test_a_short_name_is_one_the_text_gives(name, aliases, short):
    assert paper_short_name(name, aliases) == short


def test_a_paper_is_not_short_named_after_an_organisation():
    assert paper_short_name("OpenAI paper", [], taken=lambda name: name == "OpenAI") is None
    assert paper_short_name("Zephyr paper", [], taken=lambda name: name == "OpenAI") == "Zephyr"


@pytest.mark.parametrize(
    ("name", "aliases", "title"),
    [
        ("Attention Is All You Need", [], "Attention Is All You Need"),
        ("House AI Task Force Report", [], "House AI Task Force Report"),
        ("arXiv 1503.02531", [], None),
        ("arXiv 1503.02531", ["KD paper", "Distilling the Knowledge in a Neural Network"],
         "Distilling the Knowledge in a Neural Network"),
        ("DPO paper", [], None),
        ("Gemini 2.5 technical report", [], None),
    ],
)
def test_a_title_is_the_name_only_when_the_name_is_a_title(name, aliases, title):
    assert paper_title(name, aliases) == title


# ----------------------------------------------------------------------------------------------- policy


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("EU AI Act", "act"),
        ("Artificial Intelligence Act of 2024", "act"),
        ("California Consumer Privacy Act (CCPA)", "act"),
        ("H.R. 1234", "bill"),
        ("SB 1047", "bill"),
        ("Kids Online Safety Bill", "bill"),
        ("Executive Order 14110", "executive order"),
        ("Biden executive order", "executive order"),
        ("Frye v. Baskin", "court case"),
        ("General Data Protection Regulation", "regulation"),
        ("National AI R&D Strategic Plan", "plan"),
        ("New Generation AI Development Strategy", "plan"),
        ("Community License Agreement", "agreement"),
        ("Paris Accord", "agreement"),
        ("Llama Community License", "license"),
        ("AI Safety Summit", None),
        ("Act", None),
    ],
)
def test_the_kind_comes_from_the_form_of_the_name(name, kind):
    assert policy_kind([name]) == kind


def test_an_alias_gives_the_kind_when_the_name_does_not():
    assert policy_kind(["GDPR", "General Data Protection Regulation"]) == "regulation"


@pytest.mark.parametrize(
    ("name", "context", "where"),
    [
        ("EU AI Act", [], "EU"),
        ("H.R. 1234", [], "US"),
        ("Executive Order 14110", [], "US"),
        ("California Consumer Privacy Act", [], "US-CA"),
        ("UK Online Safety Act", ["Unlike the EU, Britain went its own way."], "UK"),
        ("SB 1047", ["California's SB 1047 would regulate frontier models."], "US-CA"),
        ("SB 1047", ["SB 1047 would regulate frontier models."], None),
        ("SB 1047", ["Texas and California both debated SB 1047-like bills."], None),
        ("Biden executive order", ["President Biden signed the executive order in October."], "US"),
        ("Artificial Intelligence Act", ["The European Union's Artificial Intelligence Act is law."], "EU"),
        ("Artificial Intelligence Act", ["The EU's Artificial Intelligence Act worries the White House."], None),
        ("Bank of America v. Smith", [], None),
        ("AI Action Plan", [], None),
    ],
)
def test_the_jurisdiction_comes_from_the_name_else_one_way_context(name, context, where):
    assert jurisdiction([name], policy_kind([name]), context) == where


def test_a_president_is_a_us_cue_only_for_an_executive_order():
    assert jurisdiction(["AI Action Plan"], "plan", ["The President announced the AI Action Plan."]) is None


# ----------------------------------------------------------------------------------------- filling


def test_derived_properties_fill_what_is_missing_and_repeat_to_the_same_page():
    before = paper("LIMA: Less Is More for Alignment", arxiv="2305.11206")
    filled = with_properties(before, before)
    assert filled.extra == {"title": "LIMA: Less Is More for Alignment", "short_name": "LIMA", "published": "2023-05"}
    assert with_properties(filled, filled) == filled
    placeholder = paper("arXiv 1503.02531", arxiv="1503.02531")
    assert with_properties(placeholder, placeholder).extra == {"published": "2015-03"}


def test_a_value_a_person_set_or_nulled_is_never_replaced():
    by_hand = paper("LIMA: Less Is More for Alignment", arxiv="2305.11206", published=date(2023, 5, 18),
                    short_name=None, title="LIMA: Less Is More for Alignment (NeurIPS version)")
    assert with_properties(by_hand, by_hand) == by_hand
    policy = event("EU AI Act", jurisdiction="EU member states", kind=None)
    assert with_properties(policy, policy).extra == {"jurisdiction": "EU member states", "kind": None,
                                                     "date": date(2024, 6, 27)}


def test_a_first_reported_date_follows_an_older_note_and_a_set_date_does_not():
    page = with_properties(event("SB 1047"), event("SB 1047"))
    assert page.extra["date"] == date(2024, 6, 27) and page.extra["kind"] == "bill"
    older = with_properties(page, replace(page, first_seen=date(2024, 2, 8)))
    assert older.extra["date"] == date(2024, 2, 8)
    later = with_properties(older, replace(older, last_seen=date(2024, 9, 30)))
    assert later.extra["date"] == date(2024, 2, 8)
    signed = replace(page, extra={**page.extra, "date": date(2024, 9, 29)})
    assert with_properties(signed, replace(signed, first_seen=date(2024, 2, 8))).extra["date"] == date(2024, 9, 29)


def test_other_types_get_no_properties():
    concept = Entity(id="rlhf", type="Concept", name="RLHF (Reinforcement Learning)", first_seen=date(2024, 1, 1))
    assert with_properties(concept, concept) is concept


# -------------------------------------------------------------------------------------------- projection


def test_sync_projects_the_page_properties_onto_the_node():
    filled = with_properties(paper("arXiv 1503.02531", arxiv="1503.02531"), paper("arXiv 1503.02531", arxiv="1503.02531"))
    props = entity_props(filled, "papers/p.md")
    assert props["arxiv_id"] == "1503.02531" and props["published"] == "2015-03"
    assert props["published_ms"] == epoch_ms(date(2015, 3, 1))
    assert "title" not in props and "short_name" not in props
    lima = with_properties(paper("LIMA: Less Is More for Alignment"), paper("LIMA: Less Is More for Alignment"))
    assert entity_props(lima, "papers/p.md")["short_name"] == "LIMA"
    retitled = paper("DPO paper", title="Direct Preference Optimization: Your Language Model is Secretly a Reward Model")
    assert entity_props(retitled, "papers/p.md")["title"].startswith("Direct Preference Optimization:")
    assert "title" not in entity_props(paper("Attention Is All You Need", title=None), "papers/p.md")
    policy = with_properties(event("SB 1047"), event("SB 1047"), ["California's SB 1047 passed."])
    props = entity_props(policy, "policy/e.md")
    assert (props["kind"], props["jurisdiction"], props["date"]) == ("bill", "US-CA", "2024-06-27")
    assert props["date_ms"] == epoch_ms(date(2024, 6, 27))


def test_a_page_without_a_title_field_still_gets_its_name_as_title_when_that_is_one():
    assert entity_props(paper("Attention Is All You Need"), "papers/p.md")["title"] == "Attention Is All You Need"
    assert "title" not in entity_props(paper("Mamba paper"), "papers/p.md")
