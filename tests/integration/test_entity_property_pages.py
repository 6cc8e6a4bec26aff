"""Paper and PolicyEvent properties end to end: a post is linked into a real vault, the pages' front matter
holds the derived properties (a re-run writes nothing, a person's values stay), sync puts them on the nodes
of a real graph store, and the Bloom questions read them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph import questions
from graph.dump import dump_graph
from graph.entities_md import entity_path, parse_entity, render_entity, stub_body
from graph.model import Entity
from graph.sync import sync_vault
from graph.sync_rows import epoch_ms
from graph.vault import Vault, atomic_write_text
from graph.vectors import VectorConfig, VectorIndex
from ingest.entities.catalog import forget_catalog
from ingest.entities.link import link_post
from ingest.entities.merge import merge_entities
from ingest.entities.properties import fill_properties
from tests.support.graph_backends import BACKENDS, open_test_store
from tests.support.vault_pages import fresh_vault

POST = (
    "The [LIMA: Less Is More for Alignment](https://arxiv.org/abs/2305.11206) paper fine-tunes on 1,000 examples, "
    "building on Hinton's arXiv:1503.02531.\n\n"
    "California's SB 1047 would regulate frontier models, while the EU AI Act is already law.\n\n"
    "President Biden's executive order asked the White House to set reporting thresholds.\n\n"
    "The Widget Accord was signed by forty labs."
)
DAY = date(2024, 6, 27)


@pytest.fixture()
def vault(tmp_path: Path):
    yield from fresh_vault(tmp_path)


def page(vault: Vault, entity_type: str, entity_id: str) -> Entity:
    path = entity_path(vault, entity_type, entity_id)
    return parse_entity(path.read_text(encoding="utf-8"), path)


def edit(vault: Vault, entity: Entity, **changes) -> None:
    atomic_write_text(entity_path(vault, entity.type, entity.id), render_entity(replace(entity, **changes)))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_post_writes_the_properties_into_the_pages_and_a_rerun_writes_nothing(vault):
    link_post(vault, "Alignment with little data", POST, DAY, "n1")
    assert page(vault, "Paper", "lima-less-is-more-for-alignment").extra == {
        "title": "LIMA: Less Is More for Alignment", "short_name": "LIMA", "published": "2023-05"}
    assert page(vault, "Paper", "arxiv-1503-02531").extra == {"published": "2015-03"}
    expected = {
        "sb-1047": {"kind": "bill", "jurisdiction": "US-CA", "date": DAY},
        "eu-ai-act": {"kind": "act", "jurisdiction": "EU", "date": DAY},
        "president-biden-executive-order": {"kind": "executive order", "jurisdiction": "US", "date": DAY},
        "widget-accord": {"kind": "agreement", "date": DAY},  # no cue to where: no jurisdiction
    }
    assert {key: page(vault, "PolicyEvent", key).extra for key in expected} == expected
    text = entity_path(vault, "PolicyEvent", "sb-1047").read_text(encoding="utf-8")
    assert "kind: bill\njurisdiction: US-CA\ndate: 2024-06-27\nfirst_seen: 2024-06-27\nlast_seen: 2024-06-27\n" in text
    assert "&id" not in text and "*id" not in text
    before = snapshot(vault.root)
    forget_catalog(vault)  # as in a new process
    assert link_post(vault, "Alignment with little data", POST, DAY, "n1").pages_written == []
    assert snapshot(vault.root) == before


def test_an_older_note_moves_the_first_reported_date_and_nothing_moves_a_persons_value(vault):
    link_post(vault, "Alignment with little data", POST, DAY, "n1")
    eu = page(vault, "PolicyEvent", "eu-ai-act")
    edit(vault, eu, extra={**eu.extra, "date": date(2024, 8, 1)})  # entry into force, set by hand
    accord = page(vault, "PolicyEvent", "widget-accord")
    edit(vault, accord, extra={**accord.extra, "jurisdiction": None, "kind": "memorandum"})
    lima = page(vault, "Paper", "lima-less-is-more-for-alignment")
    edit(vault, lima, extra={**lima.extra, "published": date(2023, 5, 18)})
    older = ("Early drafts of SB 1047 and the EU AI Act circulated in Brussels; the Widget Accord was "
             "discussed by European labs; [LIMA: Less Is More for Alignment](https://arxiv.org/abs/2305.11206).")
    link_post(vault, "Policy roundup", older, date(2024, 2, 8), "n0")
    assert page(vault, "PolicyEvent", "sb-1047").extra["date"] == date(2024, 2, 8)
    assert page(vault, "PolicyEvent", "eu-ai-act").extra["date"] == date(2024, 8, 1)
    assert page(vault, "PolicyEvent", "widget-accord").extra == {"kind": "memorandum", "jurisdiction": None,
                                                                 "date": date(2024, 2, 8)}
    assert page(vault, "Paper", "lima-less-is-more-for-alignment").extra["published"] == date(2023, 5, 18)
    link_post(vault, "Later", "SB 1047 was vetoed.", date(2024, 9, 30), "n2")
    sb = page(vault, "PolicyEvent", "sb-1047")
    assert (sb.extra["date"], sb.first_seen, sb.last_seen) == (date(2024, 2, 8), date(2024, 2, 8), date(2024, 9, 30))


def test_pages_written_before_the_properties_are_filled_once_and_lose_their_anchors(vault):
    folder, concepts = vault.root / "policy", vault.root / "concepts"
    folder.mkdir()
    concepts.mkdir()
    anchored = "---\ntype: Concept\nid: rlhf\nname: RLHF\naliases: []\nexternal_ids: {}\nfirst_seen: &id001 2024-01-02\nlast_seen: *id001\n---\n# RLHF\n"
    (concepts / "rlhf.md").write_text(anchored, encoding="utf-8")
    plain = anchored.replace("rlhf", "dpo").replace("RLHF", "DPO").replace("&id001 ", "").replace("*id001", "2024-01-02")
    (concepts / "dpo.md").write_text(plain, encoding="utf-8")
    old = ("---\ntype: PolicyEvent\nid: frye-v-baskin\nname: Frye v. Baskin\naliases: []\nexternal_ids: {}\n"
           "first_seen: &id001 2020-11-13\nlast_seen: *id001\ngenerated_hash: 9ef8441425059358\n---\n# Frye v. Baskin\n\nMine.\n")
    (folder / "frye-v-baskin.md").write_text(old, encoding="utf-8")
    assert fill_properties(vault) == ["concepts/rlhf.md", "policy/frye-v-baskin.md"]
    assert (concepts / "rlhf.md").read_text(encoding="utf-8") == plain.replace("dpo", "rlhf").replace("DPO", "RLHF")
    text = (folder / "frye-v-baskin.md").read_text(encoding="utf-8")
    assert text == ("---\ntype: PolicyEvent\nid: frye-v-baskin\nname: Frye v. Baskin\naliases: []\nexternal_ids: {}\n"
                    "kind: court case\ndate: 2020-11-13\nfirst_seen: 2020-11-13\nlast_seen: 2020-11-13\n"
                    "generated_hash: 9ef8441425059358\n---\n# Frye v. Baskin\n\nMine.\n")
    assert fill_properties(vault) == []


def test_cli_fill_fills_old_pages_once_and_reports_a_malformed_one(vault, monkeypatch):
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(vault.root))
    from api.cli import app

    folder = vault.root / "policy"
    folder.mkdir()
    (folder / "eu-ai-act.md").write_text(
        "---\ntype: PolicyEvent\nid: eu-ai-act\nname: EU AI Act\naliases: []\nexternal_ids: {}\n"
        "first_seen: 2024-03-13\nlast_seen: 2024-03-13\n---\n# EU AI Act\n", encoding="utf-8")
    (folder / "broken.md").write_text("---\ntype: PolicyEvent\nid: [unclosed\n---\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["entities", "fill"])
    assert first.exit_code == 0, first.output
    assert "filled policy/eu-ai-act.md" in first.output and "1 pages filled, 1 skipped" in first.output
    assert "broken.md" in first.output
    filled = page(vault, "PolicyEvent", "eu-ai-act")
    assert (filled.extra["kind"], filled.extra["jurisdiction"], filled.extra["date"]) == ("act", "EU", date(2024, 3, 13))
    again = runner.invoke(app, ["entities", "fill"])
    assert again.exit_code == 0 and "0 pages filled, 1 skipped" in again.output


def test_a_merge_keeps_the_earliest_first_reported_date(vault):
    link_post(vault, "Alignment with little data", POST, DAY, "n1")
    edit(vault, Entity(id="biden-executive-order", type="PolicyEvent", name="Biden executive order",
                       first_seen=date(2023, 11, 1), last_seen=date(2023, 11, 1), body=stub_body("Biden executive order"),
                       extra={"kind": "executive order", "date": date(2023, 11, 1)}))
    merge_entities(vault, "policy/president-biden-executive-order", "policy/biden-executive-order")
    merged = page(vault, "PolicyEvent", "president-biden-executive-order")
    assert merged.first_seen == merged.extra["date"] == date(2023, 11, 1) and merged.extra["jurisdiction"] == "US"


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path, embedder):
    store = open_test_store(request.param, tmp_path / "data")
    index = VectorIndex.open(VectorConfig(path=tmp_path / "qdrant"), embedder.dimension)
    yield store, index, embedder
    index.close()
    store.close()


def test_sync_puts_the_properties_on_the_nodes_and_the_bloom_questions_read_them(vault, stores):
    store, index, embedder = stores
    link_post(vault, "Alignment with little data", POST, DAY, "n1")
    concept = Entity(id="frontier-ai-regulation", type="Concept", name="Frontier AI regulation",
                     first_seen=DAY, last_seen=DAY, body=stub_body("Frontier AI regulation"))
    edit(vault, concept)
    for entity_type, entity_id, key in (("PolicyEvent", "sb-1047", "concerns"),
                                        ("Paper", "lima-less-is-more-for-alignment", "about")):
        entity = page(vault, entity_type, entity_id)
        edit(vault, entity, links={key: ["frontier-ai-regulation"]})
    sync_vault(vault, store, index, embedder, [])
    nodes = {(labels[0], node_id): props for labels, node_id, props in dump_graph(store)["nodes"]}
    lima, placeholder = nodes[("Paper", "lima-less-is-more-for-alignment")], nodes[("Paper", "arxiv-1503-02531")]
    assert {k: lima[k] for k in ("title", "short_name", "arxiv_id", "published", "published_ms")} == {
        "title": "LIMA: Less Is More for Alignment", "short_name": "LIMA", "arxiv_id": "2305.11206",
        "published": "2023-05", "published_ms": epoch_ms(date(2023, 5, 1))}
    assert "title" not in placeholder and placeholder["published"] == "2015-03"
    sb = nodes[("PolicyEvent", "sb-1047")]
    assert {k: sb[k] for k in ("kind", "jurisdiction", "date", "date_ms")} == {
        "kind": "bill", "jurisdiction": "US-CA", "date": "2024-06-27", "date_ms": epoch_ms(DAY)}
    assert questions.policy_events_about(store, "Frontier AI regulation") == [
        {"id": "sb-1047", "name": "SB 1047", "day": "2024-06-27", "jurisdiction": "US-CA"}]
    timeline = [(row["label"], row["id"], row["day"]) for row in questions.timeline_of(store, "frontier-ai-regulation")]
    assert timeline == [("Paper", "lima-less-is-more-for-alignment", "2023-05"), ("PolicyEvent", "sb-1047", "2024-06-27")]
