"""Offline patterns on invented text: each kind of entity recognisable without a model."""

from __future__ import annotations

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
