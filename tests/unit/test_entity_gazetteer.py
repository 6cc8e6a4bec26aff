"""The gazetteer: known names found in text with their ordinary variants, and not inside other words."""

from __future__ import annotations

import pytest

from ingest.entities.gazetteer import Gazetteer


@pytest.fixture()
def gazetteer() -> Gazetteer:
    g = Gazetteer()
    g.add_all("Concept/reward-model", ["Reward model", "preference model"], concept=True)
    g.add_all("Concept/pre-training", ["Pre-training"], concept=True)
    g.add_all("Concept/rl", ["Reinforcement learning", "RL"], concept=True)
    g.add_all("Concept/rlhf", ["RLHF", "reinforcement learning from human feedback"], concept=True)
    g.add_all("Organization/acme-labs", ["Acme Labs"], concept=False)
    g.add_all("Organization/orbit", ["Orbit"], concept=False)
    g.add_all("Model/zeta", ["ZetaLM"], concept=False)
    g.add_all("Model/zeta-3", ["ZetaLM 3"], concept=False)
    g.add_all("Model/q1", ["q1"], concept=False)
    g.add_all("Organization/hugging", ["Hugging Place"], concept=False)
    return g


def refs(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(hit.surface, sorted(found)[0]) for hit, found in gazetteer.find(text)]


def test_plural_possessive_and_case_variants(gazetteer):
    text = "Reward models differ; Acme Labs' lab and Orbit's preference models. REWARD MODEL"
    assert refs(gazetteer, text) == [
        ("Reward models", "Concept/reward-model"),
        ("Acme Labs", "Organization/acme-labs"),
        ("Orbit", "Organization/orbit"),
        ("preference models", "Concept/reward-model"),
        ("REWARD MODEL", "Concept/reward-model"),
    ]


def test_separators_and_squashed_spellings(gazetteer):
    assert refs(gazetteer, "pretraining, pre training and pre-training; HuggingPlace") == [
        ("pretraining", "Concept/pre-training"),
        ("pre training", "Concept/pre-training"),
        ("pre-training", "Concept/pre-training"),
        ("HuggingPlace", "Organization/hugging"),
    ]


def test_longest_match_wins(gazetteer):
    assert refs(gazetteer, "We use reinforcement learning from human feedback and RL.") == [
        ("reinforcement learning from human feedback", "Concept/rlhf"),
        ("RL", "Concept/rl"),
    ]


def test_acronyms_and_proper_names_keep_their_case(gazetteer):
    # "rl" and "orbit" in lower case are ordinary text; "Q1" is not the model "q1".
    assert refs(gazetteer, "an rl loop in orbit, Q1 results") == []
    assert refs(gazetteer, "ORBIT and Zetalm") == [("ORBIT", "Organization/orbit"), ("Zetalm", "Model/zeta")]


def test_a_version_continues_the_name(gazetteer):
    # "ZetaLM 3" is known, "ZetaLM 3.5" is not: it must not be read as "ZetaLM 3".
    assert refs(gazetteer, "ZetaLM 3 beat ZetaLM 3.5 and ZetaLM-3") == [
        ("ZetaLM 3", "Model/zeta-3"),
        ("ZetaLM", "Model/zeta"),
        ("ZetaLM-3", "Model/zeta-3"),
    ]


def test_word_boundaries(gazetteer):
    assert refs(gazetteer, "Orbital mechanics, RLHFs? no: RLHF-style training") == [
        ("RLHFs", "Concept/rlhf"),
        ("RLHF", "Concept/rlhf"),
    ]


def test_names_without_letters_are_not_indexed():
    g = Gazetteer()
    g.add_all("Paper/x", ["1", "R", "2024"], concept=False)
    assert list(g.find("Figure 1 in R from 2024")) == []
