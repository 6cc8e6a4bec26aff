"""The review queue file and merge's page lookup: dedupe, remembered decisions, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.entities_md import entity_path, render_entity
from graph.model import Entity
from graph.vault import Vault, atomic_write_text
from ingest.entities.merge import EntityMergeError, find_page, merge_entities
from ingest.entities.review import ReviewFileError, ReviewItem, load_queue, review_path, save_queue


def item(**changes) -> ReviewItem:
    fields = dict(kind="possible-duplicate", type="Organization", keep="orgs/a.md", other="orgs/b.md",
                  method="fuzzy", score=90.0, seen_in=["n1"])
    fields.update(changes)
    return ReviewItem(**fields)


def test_an_item_is_queued_once_and_a_decision_is_remembered(tmp_path: Path):
    vault = Vault(tmp_path)
    queue = load_queue(vault)
    assert queue.add(item()) is True
    assert queue.add(item(seen_in=["n2"])) is True  # same pair: only where it was seen grows
    assert queue.add(item(keep="orgs/b.md", other="orgs/a.md", seen_in=["n2"])) is False  # same pair, either order
    assert [i.seen_in for i in queue.pending] == [["n1", "n2"]]
    save_queue(vault, queue)
    again = load_queue(vault)
    assert again.pending == queue.pending
    again.decide(again.pending[0].id, "rejected")
    save_queue(vault, again)
    assert load_queue(vault).add(item()) is False  # a rejected pair is never asked again
    assert save_queue(vault, load_queue(vault)) is False  # nothing changed, nothing written


def test_a_broken_review_file_is_a_clear_error(tmp_path: Path):
    vault = Vault(tmp_path)
    atomic_write_text(review_path(vault), "pending: [{kind: x, nonsense: 1}]\n")
    with pytest.raises(ReviewFileError, match="not a review queue"):
        load_queue(vault)
    with pytest.raises(ReviewFileError, match="no pending review item"):
        load_queue(Vault(tmp_path / "empty")).find("abc")


def test_find_page_accepts_folder_type_and_bare_ids(tmp_path: Path):
    vault = Vault(tmp_path)
    for entity in (Entity(id="acme", type="Organization", name="Acme"), Entity(id="acme", type="Model", name="Acme"),
                   Entity(id="zeta", type="Model", name="Zeta")):
        atomic_write_text(entity_path(vault, entity.type, entity.id), render_entity(entity))
    assert find_page(vault, "orgs/acme") == tmp_path / "orgs" / "acme.md"
    assert find_page(vault, "Model/acme.md") == tmp_path / "models" / "acme.md"
    assert find_page(vault, "zeta") == tmp_path / "models" / "zeta.md"
    with pytest.raises(EntityMergeError, match="more than one"):
        find_page(vault, "acme")
    with pytest.raises(EntityMergeError, match="no entity page"):
        find_page(vault, "orgs/nobody")
    with pytest.raises(EntityMergeError, match="same page"):
        merge_entities(vault, "orgs/acme", "Organization/acme")
