"""Entity linking on a real vault on disk: pages, mentions, idempotence, hand edits, review queue, merge."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.entities_md import entity_path, parse_entity, render_entity
from graph.model import Connection, Entity, Note
from graph.notes_md import parse_note, render_note
from graph.vault import Vault, atomic_write_text
from ingest.entities.catalog import forget_catalog
from ingest.entities.link import link_post
from ingest.entities.merge import merge_entities
from ingest.entities.review import load_queue
from tests.support.vault_pages import fresh_vault

POST = (
    "Researchers at Quillfeather Labs released Zorbo-3, trained with reinforcement learning from human "
    "feedback (RLHF). The paper, [Zorbo: Sparse Widgets at Scale](https://arxiv.org/abs/2501.01234), "
    "was presented by Maria Kowalczyk. Zorbo-3 beats Zorbo-2 on every widget benchmark."
)


@pytest.fixture()
def vault(tmp_path: Path):
    yield from fresh_vault(tmp_path)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_post_creates_stub_pages_and_ranked_mentions(vault):
    result = link_post(vault, "Zorbo-3 is out", POST, date(2026, 3, 1), "2026-03-01-zorbo")
    by_name = {m["name"]: m for m in result.mentions}
    assert {"Quillfeather Labs", "Zorbo-3", "Zorbo-2", "Reinforcement learning from human feedback",
            "Zorbo: Sparse Widgets at Scale", "Maria Kowalczyk"} <= set(by_name)
    assert by_name["Zorbo-3"]["count"] == 3  # title + two in the body
    assert result.mentions[0]["name"] == "Zorbo-3"  # the title weighs most
    assert sum(m["salience"] for m in result.mentions) == pytest.approx(1.0, abs=0.01)
    saliences = [m["salience"] for m in result.mentions]
    assert saliences == sorted(saliences, reverse=True)
    page = parse_entity(entity_path(vault, "Paper", "zorbo-sparse-widgets-at-scale").read_text(), None)
    assert page.external_ids == {"arxiv": "2501.01234"}
    assert page.first_seen == page.last_seen == date(2026, 3, 1)
    assert page.body == "# Zorbo: Sparse Widgets at Scale\n"
    rlhf = parse_entity(entity_path(vault, "Concept", "reinforcement-learning-from-human-feedback").read_text(), None)
    assert rlhf.aliases == ["RLHF"]
    assert result.known == []  # nothing had a page before


def test_re_running_a_post_changes_nothing(vault):
    first = link_post(vault, "Zorbo-3 is out", POST, date(2026, 3, 1), "n1")
    before = snapshot(vault.root)
    forget_catalog(vault)  # as in a new process
    second = link_post(vault, "Zorbo-3 is out", POST, date(2026, 3, 1), "n1")
    assert second.mentions == first.mentions
    assert second.pages_written == []
    assert snapshot(vault.root) == before


def test_hand_edits_survive_later_posts(vault):
    link_post(vault, "Zorbo-3 is out", POST, date(2026, 3, 1), "n1")
    path = entity_path(vault, "Organization", "quillfeather-labs")
    page = parse_entity(path.read_text(), path)
    page.aliases.append("QFL")
    page.body = "# Quillfeather Labs\n\nA widget lab. My own notes.\n"
    page.extra["tags"] = ["labs"]
    atomic_write_text(path, render_entity(page))
    result = link_post(vault, "Later", "QFL and Quillfeather Labs published more.", date(2026, 4, 2), "n2")
    again = parse_entity(path.read_text(), path)
    assert again.body == page.body and again.aliases == ["Quillfeather", "QFL"] and again.extra == {"tags": ["labs"]}
    assert (again.first_seen, again.last_seen) == (date(2026, 3, 1), date(2026, 4, 2))
    mention = next(m for m in result.mentions if m["id"] == "quillfeather-labs")
    assert mention["count"] == 2  # the hand-added alias is recognised too
    assert [k.name for k in result.known] == ["Quillfeather Labs"]


def test_one_arxiv_id_is_one_paper_across_posts(vault):
    link_post(vault, "A", POST, date(2026, 3, 1), "n1")
    result = link_post(vault, "B", "Read [this preprint](https://arxiv.org/pdf/2501.01234v3) again.", date(2026, 3, 5), "n2")
    papers = [m for m in result.mentions if m["type"] == "Paper"]
    assert [p["id"] for p in papers] == ["zorbo-sparse-widgets-at-scale"]
    assert len(list((vault.root / "papers").glob("*.md"))) == 1


def test_known_entities_count_earlier_notes(vault):
    first = link_post(vault, "Zorbo-3 is out", POST, date(2026, 3, 1), "n1")
    note = Note(id="n1", title="Zorbo-3 is out", source="s", url="", published=date(2026, 3, 1), tier=1,
                domain="ai", raw="raw/rss/n1.md", content_hash="h", summarizer="extractive",
                entities=first.mentions, tldr="Zorbo-3.")
    atomic_write_text(vault.note_path("n1"), render_note(note))
    result = link_post(vault, "Again", "Zorbo-3 and Zorbo-3 again.", date(2026, 3, 9), "n2")
    known = {k.name: k for k in result.known}
    assert known["Zorbo-3"].notes == 1 and known["Zorbo-3"].mentions == 2
    assert known["Zorbo-3"].page == "models/zorbo-3.md"


def test_a_near_miss_is_queued_for_review_once(vault):
    link_post(vault, "A", "Researchers at Quillfeather Labs shipped it.", date(2026, 3, 1), "n1")
    link_post(vault, "B", "Researchers at Quilfether Labs shipped it.", date(2026, 3, 2), "n2")
    link_post(vault, "B", "Researchers at Quilfether Labs shipped it.", date(2026, 3, 2), "n2")
    queue = load_queue(vault)
    assert len(queue.pending) == 1
    item = queue.pending[0]
    assert (item.keep, item.other, item.method) == ("orgs/quillfeather-labs.md", "orgs/quilfether-labs.md", "fuzzy")
    assert item.seen_in == ["n2"]
    assert entity_path(vault, "Organization", "quilfether-labs").exists()  # nothing merged silently


def test_close_spellings_merge_without_review(vault):
    link_post(vault, "A", "Researchers at Brindlewood Institute shipped it.", date(2026, 3, 1), "n1")
    result = link_post(vault, "B", "Researchers at Brindlewood Institutes shipped it.", date(2026, 3, 2), "n2")
    assert [m["id"] for m in result.mentions if m["type"] == "Organization"] == ["brindlewood-institute"]
    assert load_queue(vault).pending == []


def test_embedding_similarity_queues_a_review(vault, embedder):
    link_post(vault, "A", "Researchers at the Widget Safety Institute said so.", date(2026, 3, 1), "n1")
    link_post(vault, "B", "Researchers at the Institute for Widget Safety said so.", date(2026, 3, 2), "n2",
              embedder=embedder)
    methods = [(i.keep, i.other, i.method) for i in load_queue(vault).pending]
    assert methods == [("orgs/widget-safety-institute.md", "orgs/institute-for-widget-safety.md", "embedding")]


def write_pair(vault: Vault) -> None:
    keep = Entity(id="acme-labs", type="Organization", name="Acme Labs", aliases=["Acme"],
                  first_seen=date(2026, 1, 5), last_seen=date(2026, 2, 1), body="# Acme Labs\n\nKeep me.\n")
    other = Entity(id="acme-laboratories", type="Organization", name="Acme Laboratories", aliases=["ACME"],
                   external_ids={"wikidata": "Q1"}, first_seen=date(2025, 12, 1), last_seen=date(2026, 1, 9),
                   body="# Acme Laboratories\n\nFounded in a garage.\n")
    person = Entity(id="ada-example", type="Person", name="Ada Example", links={"affiliated_with": ["acme-laboratories"]},
                    body="# Ada Example\n\nWorks at [[acme-laboratories|the lab]] and [[Acme Laboratories]].\n")
    for entity in (keep, other, person):
        atomic_write_text(entity_path(vault, entity.type, entity.id), render_entity(entity))
    note = Note(
        id="n1", title="Acme news", source="s", url="", published=date(2026, 1, 9), tier=1, domain="ai",
        raw="raw/rss/n1.md", content_hash="h", summarizer="extractive", tldr="See [[orgs/acme-laboratories]].",
        connections=[Connection(target="acme-laboratories", reason="same lab")],
        entities=[{"type": "Organization", "id": "acme-laboratories", "name": "Acme Laboratories", "count": 2, "salience": 0.3},
                  {"type": "Organization", "id": "acme-labs", "name": "Acme Labs", "count": 1, "salience": 0.5}],
    )
    atomic_write_text(vault.note_path("n1"), render_note(note))


def test_merge_moves_names_ids_body_and_rewrites_links(vault):
    write_pair(vault)
    report = merge_entities(vault, "orgs/acme-labs", "Organization/acme-laboratories")
    assert not entity_path(vault, "Organization", "acme-laboratories").exists()
    kept = parse_entity(entity_path(vault, "Organization", "acme-labs").read_text(), None)
    assert kept.aliases == ["Acme", "Acme Laboratories"]  # "ACME" is "Acme" ignoring case
    assert kept.external_ids == {"wikidata": "Q1"}
    assert (kept.first_seen, kept.last_seen) == (date(2025, 12, 1), date(2026, 2, 1))
    assert kept.body == "# Acme Labs\n\nKeep me.\n\n## Merged from Acme Laboratories\n\nFounded in a garage.\n"
    person = parse_entity(entity_path(vault, "Person", "ada-example").read_text(), None)
    assert person.links == {"affiliated_with": ["acme-labs"]}
    assert "[[acme-labs|the lab]]" in person.body and "[[Acme Labs]]" in person.body
    note = parse_note(vault.note_path("n1").read_text())
    assert note.connections[0].target == "acme-labs"
    assert note.tldr == "See [[orgs/acme-labs]]."
    assert note.entities == [{"type": "Organization", "id": "acme-labs", "name": "Acme Labs", "count": 3, "salience": 0.8}]
    assert sorted(report.files_changed) == ["notes/n1.md", "orgs/acme-labs.md", "people/ada-example.md"]


def test_cli_review_lists_rejects_and_accepts(vault, monkeypatch):
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(vault.root))
    from api.cli import app

    runner = CliRunner()
    link_post(vault, "A", "Researchers at Quillfeather Labs shipped it.", date(2026, 3, 1), "n1")
    link_post(vault, "B", "Researchers at Quilfether Labs shipped it.", date(2026, 3, 2), "n2")
    item = load_queue(vault).pending[0]
    listed = runner.invoke(app, ["entities", "review"])
    assert listed.exit_code == 0 and item.id in listed.output and "orgs/quilfether-labs.md" in listed.output
    accepted = runner.invoke(app, ["entities", "review", "--accept", item.id])
    assert accepted.exit_code == 0, accepted.output
    assert not entity_path(vault, "Organization", "quilfether-labs").exists()
    assert load_queue(vault).pending == []
    assert runner.invoke(app, ["entities", "review"]).output.strip() == "no entity matches waiting for review"
    missing = runner.invoke(app, ["entities", "review", "--reject", "nope"])
    assert missing.exit_code == 1 and "no pending review item" in missing.output


def test_cli_reject_is_remembered(vault, monkeypatch):
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(vault.root))
    from api.cli import app

    link_post(vault, "A", "Researchers at Quillfeather Labs shipped it.", date(2026, 3, 1), "n1")
    link_post(vault, "B", "Researchers at Quilfether Labs shipped it.", date(2026, 3, 2), "n2")
    item = load_queue(vault).pending[0]
    result = CliRunner().invoke(app, ["entities", "review", "--reject", item.id])
    assert result.exit_code == 0, result.output
    link_post(vault, "C", "Researchers at Quilfether Labs shipped it.", date(2026, 3, 3), "n3")
    queue = load_queue(vault)
    assert queue.pending == [] and queue.decided[0]["decision"] == "rejected"


def test_cli_merge_refuses_a_type_mismatch(vault, monkeypatch):
    monkeypatch.setenv("WIKIGRAPH_WIKI_DIR", str(vault.root))
    from api.cli import app

    write_pair(vault)
    result = CliRunner().invoke(app, ["entities", "merge", "orgs/acme-labs", "people/ada-example"])
    assert result.exit_code == 1 and "cannot merge a Person page into a Organization page" in result.output
    ok = CliRunner().invoke(app, ["entities", "merge", "orgs/acme-labs", "orgs/acme-laboratories"])
    assert ok.exit_code == 0 and "merged orgs/acme-laboratories.md into orgs/acme-labs.md" in ok.output


def test_a_paper_known_by_its_id_learns_its_title(vault):
    link_post(vault, "Short", "A new preprint, arXiv:2502.04321, claims tidy gradients.", date(2026, 3, 1), "n1")
    titled = "The paper *Tidy Gradients for Sparse Widgets* (arXiv:2502.04321) holds up on a second read."
    result = link_post(vault, "Longer", titled, date(2026, 3, 8), "n2")
    papers = [m for m in result.mentions if m["type"] == "Paper"]
    assert [m["id"] for m in papers] == ["arxiv-2502-04321"]  # one paper, the page it already had
    page = parse_entity(entity_path(vault, "Paper", "arxiv-2502-04321").read_text(), None)
    assert page.aliases == ["Tidy Gradients for Sparse Widgets"]
    assert not entity_path(vault, "Paper", "tidy-gradients-for-sparse-widgets").exists()
