"""Offline patterns on invented text: each kind of entity recognisable without a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.entities.extract import propose
from ingest.entities.text import post_segments


def proposals(body: str, title: str = "A post") -> dict[tuple[str, str], object]:
    return {(p.type, p.name): p for p in propose(post_segments(title, body))}


def test_arxiv_links_and_ids_name_papers_by_their_id():
    found = proposals(
        "The paper [Sparse Widgets for Tidy Gradients](https://arxiv.org/abs/2501.01234v2) is good, "
        "and so is [this one](https://arxiv.org/pdf/2502.04321). See also arXiv:2503.00007."
    )
    assert found[("Paper", "Sparse Widgets for Tidy Gradients")].external_ids == {"arxiv": "2501.01234"}
    assert found[("Paper", "arXiv 2502.04321")].external_ids == {"arxiv": "2502.04321"}
    assert ("Paper", "arXiv 2503.00007") in found


def test_one_arxiv_id_makes_two_mentions_one_paper():
    found = proposals(
        "A new paper, [Widget Scaling in Practice](https://arxiv.org/abs/2501.01234), landed. "
        "I reread [it](https://arxiv.org/abs/2501.01234) twice."
    )
    papers = [key for key in found if key[0] == "Paper"]
    assert papers == [("Paper", "Widget Scaling in Practice")]


@pytest.mark.parametrize(
    "body",
    [
        "The clearest evidence is *Widget Gaps in Unit-Test Rewards* (arXiv:2603.11872) by two authors.",
        "The paper *Widget Gaps in Unit-Test Rewards*, arXiv 2603.11872v2, reports a six percent hack rate.",
        "The paper *Widget Gaps in Unit-Test Rewards* ([arXiv](https://arxiv.org/abs/2603.11872)) is careful.",
    ],
)
def test_a_title_followed_by_its_arxiv_id_is_one_paper(body):
    papers = {key: p for key, p in proposals(body).items() if key[0] == "Paper"}
    assert list(papers) == [("Paper", "Widget Gaps in Unit-Test Rewards")]
    assert papers[("Paper", "Widget Gaps in Unit-Test Rewards")].external_ids == {"arxiv": "2603.11872"}


def test_an_arxiv_id_further_along_is_another_paper():
    found = proposals("The paper *Gradient Gardens and the Limits of Pruning* is one study; another is arXiv:2503.00007.")
    assert found[("Paper", "Gradient Gardens and the Limits of Pruning")].external_ids == {}
    assert found[("Paper", "arXiv 2503.00007")].external_ids == {"arxiv": "2503.00007"}


def test_titles_introduced_as_papers():
    found = proposals("A new paper on *Gradient Gardens and the Limits of Pruning* is out. The ZQX paper too.")
    assert ("Paper", "Gradient Gardens and the Limits of Pruning") in found
    assert ("Paper", "ZQX paper") in found


def test_acronym_definitions_are_typed_by_their_long_form():
    found = proposals(
        "We study Sparse Widget Optimization (SWO) as proposed by the Federal Widget Administration (FWA). "
        "The Bureau of Widget Standards (BWS) and the National Widget Act (NWA) matter, "
        "as does retrieval-augmented widgeting (RAW) and the Open Widget Model (OWMo)."
    )
    assert found[("Concept", "Sparse Widget Optimization")].aliases == ["SWO"]
    assert ("Organization", "Federal Widget Administration") in found
    assert ("Organization", "Bureau of Widget Standards") in found
    assert ("PolicyEvent", "National Widget Act") in found
    assert ("Concept", "Retrieval-augmented widgeting") in found
    assert ("Model", "Open Widget Model") in found


def test_bills_executive_orders_and_court_cases():
    found = proposals(
        "Congress passed H.R. 4821 and S. 1290; Executive Order 14999 followed, and in Smith v. Widget Corp. "
        "the court ruled. The Dalton executive order was revoked."
    )
    assert found[("PolicyEvent", "H.R. 4821")].external_ids == {"bill": "H.R. 4821"}
    assert found[("PolicyEvent", "S. 1290")].external_ids == {"bill": "S. 1290"}
    assert found[("PolicyEvent", "Executive Order 14999")].external_ids == {"executive_order": "14999"}
    assert ("PolicyEvent", "Smith v. Widget Corp.") in found
    assert ("PolicyEvent", "Dalton executive order") in found


def test_agencies_committees_and_company_suffixes():
    found = proposals(
        "The Committee on Widget Safety met the Widget Department and Zorbo Labs, while Quillmark AI hired "
        "people from the Institute for Widget Studies."
    )
    for name in ("Committee on Widget Safety", "Widget Department", "Zorbo Labs", "Quillmark AI",
                 "Institute for Widget Studies"):
        assert ("Organization", name) in found, name


def test_generative_ai_is_not_a_company():
    found = proposals("Generative AI and Western AI companies are everywhere.")
    assert not [key for key in found if key[0] == "Organization"]


def test_model_names_with_versions():
    found = proposals(
        "We compared Zorbo-4o, Quill 2.5 Pro and Zorbo-2-70B against o3-mini; the Quill 3 model was released "
        "with 8B weights, as was Fennel 13B."
    )
    for name in ("Zorbo-4o", "Quill 2.5 Pro", "Zorbo-2", "o3-mini", "Quill 3", "Fennel"):
        assert ("Model", name) in found, name
    assert found[("Model", "Zorbo-2")].aliases == ["Zorbo-2-70B"]


def test_numbered_nouns_and_years_are_not_models():
    found = proposals("Tier 2 sources, Episode 9 of the podcast, COVID-19 and January 2024 were about models.")
    assert not [key for key in found if key[0] == "Model"]


def test_people_by_given_name_title_and_byline():
    found = proposals(
        "Maria Kowalczyk argued the point with Professor Tobin Rask, in a talk by Dana Whitfield."
    )
    for name in ("Maria Kowalczyk", "Tobin Rask", "Dana Whitfield"):
        assert ("Person", name) in found, name


def test_neighbours_type_each_other_in_the_pipeline(tmp_path):
    from datetime import date

    from graph.vault import Vault
    from ingest.entities.link import link_post

    result = link_post(
        Vault(tmp_path),
        "Labs",
        "Engineers at Zorbonic shipped models. Zorbonic, Quillfeather, and Brindlewood compete; "
        "Zorbonic's Quill-3 leads.",
        date(2026, 1, 2),
        "note",
    )
    typed = {(m["type"], m["name"]) for m in result.mentions}
    assert {("Organization", "Zorbonic"), ("Organization", "Quillfeather"), ("Organization", "Brindlewood")} <= typed
    assert ("Model", "Quill-3") in typed


def test_joined_ai_suffixes_name_companies_and_model_suffixes_name_models():
    found = proposals("QuillAI and xyML compete with BrindleGPT, StoatLM and Fennel-LM. GenAI is a field.")
    assert ("Organization", "QuillAI") in found and ("Organization", "xyML") in found
    for name in ("BrindleGPT", "StoatLM", "Fennel-LM"):
        assert ("Model", name) in found, name
    assert not [key for key in found if key[1] == "GenAI"]


def test_organisation_remits_sources_places_and_appositions():
    found = proposals(
        "The Gnarl Institute for Widget Safety wrote to us. A new paper from Zorbonic, and we at Quillhaus agree. "
        "In short, Brindlewood is a startup. Models from Western labs and the Frontier Labs are not organisations."
    )
    for name in ("Gnarl Institute for Widget Safety", "Zorbonic", "Quillhaus", "Brindlewood"):
        assert ("Organization", name) in found, name
    assert ("Organization", "Western") not in found and ("Organization", "Frontier Labs") not in found


def test_a_versioned_name_owned_by_someone_is_a_model_without_other_cues():
    found = proposals("The contrast between Zorbonic's Quill 3 and the rest is clear.")
    assert ("Model", "Quill 3") in found


def test_people_credited_interviewed_or_given_a_role():
    found = proposals(
        "Credit to Tarquin Ossery for the figure. I interviewed Wenlo Barrick last week. "
        "Odile Fenmark, lead of the widget team, agreed. On Latent Garden, the founder of Zorbonic spoke."
    )
    for name in ("Tarquin Ossery", "Wenlo Barrick", "Odile Fenmark"):
        assert ("Person", name) in found, name
    assert ("Person", "Latent Garden") not in found


def _linked(tmp_path, body: str) -> set[tuple[str, str]]:
    from datetime import date

    from graph.vault import Vault
    from ingest.entities.link import link_post

    result = link_post(Vault(tmp_path), "A post", body, date(2026, 1, 2), "note")
    return {(m["type"], m["name"]) for m in result.mentions}


def test_a_versioned_model_makes_its_family_and_products_models(tmp_path):
    typed = _linked(
        tmp_path,
        "We tried Quill 3.5 Pro and Quill 4 at length. Quill is fast, Quill Nano is cheap, and Zorbo Research "
        "trains Zorbo-2 while Zorbo Research thinks about data.",
    )
    assert {("Model", "Quill"), ("Model", "Quill Nano"), ("Model", "Zorbo-2")} <= typed
    assert not [key for key in typed if key[0] == "Model" and key[1].startswith("Zorbo Research")]


def test_a_family_the_post_calls_an_organisation_stays_one(tmp_path):
    typed = _linked(tmp_path, "The researchers at Zorbonic built Zorbonic V3 with 600B weights, and Zorbonic is ahead.")
    assert ("Organization", "Zorbonic") in typed and ("Model", "Zorbonic") not in typed


def test_a_pair_beside_a_known_organisation_is_two_organisations(tmp_path):
    typed = _linked(tmp_path, "Engineers at Zorbonic shipped it. Zorbonic and Quillfeather dominate; Zorbonic / Brindle too.")
    assert {("Organization", "Quillfeather"), ("Organization", "Brindle")} <= typed


def test_a_given_name_of_a_named_person_is_not_a_model(tmp_path):
    typed = _linked(tmp_path, "Maria Kowalczyk's talk was great. I got to chat with Maria about it afterwards.")
    assert ("Person", "Maria Kowalczyk") in typed and ("Model", "Maria") not in typed


def test_a_capitalisation_marked_name_does_not_resolve_to_another_type_in_another_case(tmp_path):
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "wiki_content" / "concepts", tmp_path / "concepts")
    typed = _linked(tmp_path, "Explainable AI (XAI) matters. Meanwhile xAI released a chatbot and xAI's CEO spoke.")
    assert ("Organization", "xAI") in typed and ("Concept", "Explainable AI") in typed
