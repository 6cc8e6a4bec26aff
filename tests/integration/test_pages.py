"""Generated entity pages on the real embedded graph: sections from the notes and the graph, the person's
text kept, incremental and byte-identical regeneration; the index, the log and the daily digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.entities_md import entity_path, parse_entity
from graph.model import SourceRecord
from graph.page_blocks import BEGIN_MARKER, END_MARKER, generated_part
from graph.page_inputs import read_vault_facts
from graph.pages import regenerate_pages
from graph.sync import sync_vault
from graph.vault import Vault
from graph.wiki_index import refresh_wiki, unlogged_notes
from tests.support.graph_backends import open_test_store
from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note

SOURCES = [
    SourceRecord("lab-blog", "Lab Blog", "http://127.0.0.1/lab.xml", 1, ("ml",)),
    SourceRecord("side-blog", "Side Blog", "http://127.0.0.1/side.xml", 2, ("ml",)),
]
TODAY = date(2026, 3, 10)


def note(note_id, title, day, entities, questions=(), tier=1, source="lab-blog", tldr=None):
    made = make_note(note_id, title, published=day, source=source, entities=entities, tldr=tldr)
    return replace(made, tier=tier, open_questions=list(questions), source_name="Lab Blog" if source == "lab-blog" else "Side Blog")


SPARSE = mention("Concept", "sparse-attention", "Sparse attention", salience=0.6)
KV = mention("Concept", "kv-cache", "KV cache", salience=0.3)
PAPER = mention("Paper", "strided-sparse", "Strided Sparse Attention", salience=0.4)


@pytest.fixture
def world(tmp_path):
    store = open_test_store("falkordb", tmp_path / "data")
    vault = Vault(tmp_path / "wiki")
    write_note(vault, note("n1", "Sparse attention at long context", date(2026, 3, 2), [SPARSE, KV, PAPER],
                           ["Does sparse attention hold at long context?"],
                           tldr="Sparse attention lets each query attend to a few keys. "
                                "The Strided Sparse Attention paper keeps quality at 128k tokens."))
    write_note(vault, note("n2", "Memory bills of sparse attention", date(2026, 3, 9), [SPARSE, KV],
                           ["does sparse attention hold at long context", "Who pays for the extra memory?"],
                           tier=2, source="side-blog"))
    write_note(vault, note("n3", "Caching keys and values", date(2026, 2, 20), [KV], ["Is paging the cache worth it?"]))
    write_entity(vault, make_entity("Concept", "sparse-attention", "Sparse attention"))
    write_entity(vault, make_entity("Concept", "kv-cache", "KV cache"))
    write_entity(vault, make_entity("Paper", "strided-sparse", "Strided Sparse Attention", first_seen=date(2026, 2, 28),
                                    links={"about": ["sparse-attention"]}))
    write_entity(vault, make_entity("PolicyEvent", "compute-disclosure", "Compute disclosure rule",
                                    links={"concerns": ["sparse-attention"]}, extra_date=None))
    sync_vault(vault, store, None, None, SOURCES)
    yield vault, store
    store.close()


def page(vault, entity_type, entity_id) -> str:
    return entity_path(vault, entity_type, entity_id).read_text(encoding="utf-8")


def section(text: str, title: str) -> list[str]:
    block = generated_part(parse_entity(text).body)
    lines = block.split("\n")
    start = lines.index(f"## {title}") + 2
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("- ")), len(lines))
    return lines[start:end]


def test_a_concept_page_gathers_notes_papers_related_concepts_events_questions_and_sources(world):
    vault, store = world
    report = regenerate_pages(vault, store)
    assert report.errors == [] and "Concept/sparse-attention" in report.written
    text = page(vault, "Concept", "sparse-attention")
    assert section(text, "Timeline") == [
        "- 2026-03-09 · Tier 2 · [[notes/n2|Memory bills of sparse attention]] — Side Blog",
        "- 2026-03-02 · Tier 1 · [[notes/n1|Sparse attention at long context]] — Lab Blog",
        "- 2026-02-28 · paper · [[papers/strided-sparse|Strided Sparse Attention]]",
    ]
    # Ochiai weight from the graph's RELATED_TO: 2 notes together, 2 and 3 notes each.
    assert section(text, "Related concepts") == ["- [[concepts/kv-cache|KV cache]] (weight 0.82, 2 notes in common)"]
    assert section(text, "Papers tracked") == [
        "- [[papers/strided-sparse|Strided Sparse Attention]] — The Strided Sparse Attention paper keeps quality at "
        "128k tokens. ([[notes/n1|Sparse attention at long context]])"
    ]
    assert section(text, "Policy events") == ["- [[policy/compute-disclosure|Compute disclosure rule]]"]
    assert section(text, "Open questions") == [
        "- Does sparse attention hold at long context? ([[notes/n1|Sparse attention at long context]], "
        "[[notes/n2|Memory bills of sparse attention]])",
        "- Who pays for the extra memory? ([[notes/n2|Memory bills of sparse attention]])",
    ]
    assert section(text, "Sources") == ["- Tier 1: Lab Blog (1)", "- Tier 2: Side Blog (1)"]
    summary = generated_part(parse_entity(text).body).split("## Summary\n\n")[1].split("\n")[0]
    assert summary == "Sparse attention lets each query attend to a few keys. ([[notes/n1|Sparse attention at long context]])"


def test_regeneration_is_byte_identical_and_rewrites_only_pages_whose_inputs_changed(world):
    vault, store = world
    regenerate_pages(vault, store)
    before = {path: path.read_bytes() for path in vault.root.rglob("*.md")}
    again = regenerate_pages(vault, store)
    assert again.written == [] and again.unchanged == 4
    assert {path: path.read_bytes() for path in vault.root.rglob("*.md")} == before

    write_note(vault, note("n4", "Paging the cache", date(2026, 3, 10), [KV], ["Is paging the cache worth it?"]))
    sync_vault(vault, store, None, None, SOURCES)
    third = regenerate_pages(vault, store)
    # The KV cache page gains a note; the RELATED_TO weight changes (2/sqrt(2*4)) so sparse attention's page too.
    assert sorted(third.written) == ["Concept/kv-cache", "Concept/sparse-attention"]
    assert entity_path(vault, "Paper", "strided-sparse").read_bytes() == before[entity_path(vault, "Paper", "strided-sparse")]
    kv = page(vault, "Concept", "kv-cache")
    assert section(kv, "Open questions")[0].startswith("- Is paging the cache worth it? ([[notes/n3|Caching keys and values]], [[notes/n4|")
    assert "weight 0.71" in page(vault, "Concept", "sparse-attention")


def test_the_persons_text_above_and_below_the_block_survives_and_their_paragraph_is_the_definition(world):
    vault, store = world
    regenerate_pages(vault, store)
    path = entity_path(vault, "Concept", "sparse-attention")
    text = path.read_text(encoding="utf-8")
    above = "\nAttention where each query looks at a handful of keys.\n\n"
    below = "\n## My reading list\n\n- ask Dana about block sizes  \n"
    head, block_and_rest = text.split(BEGIN_MARKER)
    edited = head + above + BEGIN_MARKER + block_and_rest + below
    path.write_text(edited, encoding="utf-8")

    write_note(vault, note("n5", "Sparse attention in production", date(2026, 3, 12), [SPARSE], ["Does it hold in production?"]))
    sync_vault(vault, store, None, None, SOURCES)
    report = regenerate_pages(vault, store, only=[("Concept", "sparse-attention")])
    assert report.written == ["Concept/sparse-attention"]
    new = path.read_text(encoding="utf-8")
    assert new.endswith(END_MARKER + "\n" + below)
    assert "\n---\n# Sparse attention\n\n" + above + BEGIN_MARKER in new
    assert "[[notes/n5|Sparse attention in production]]" in new
    assert "## Summary" not in generated_part(parse_entity(new).body)  # the person's paragraph is the definition


def test_a_page_with_broken_markers_is_reported_and_left_alone(world):
    vault, store = world
    path = entity_path(vault, "Concept", "kv-cache")
    broken = path.read_text(encoding="utf-8") + f"\n{BEGIN_MARKER}\nhalf a block\n"
    path.write_text(broken, encoding="utf-8")
    report = regenerate_pages(vault, store)
    assert any("concepts/kv-cache.md" in error for error in report.errors)
    assert path.read_text(encoding="utf-8") == broken
    assert "Concept/sparse-attention" in report.written


def test_index_log_and_digests_are_kept_and_sync_ignores_them(world):
    vault, store = world
    first = refresh_wiki(vault, store, TODAY, touched_notes=["n1", "n2"])
    assert first.logged == 2 and first.index_changed and sorted(first.digests) == ["2026-03-02", "2026-03-09"]
    log = (vault.root / "log.md").read_text(encoding="utf-8")
    assert log.endswith(
        "- 2026-03-10 · note · Sparse attention at long context · [[notes/n1|Sparse attention at long context]]\n"
        "- 2026-03-10 · note · Memory bills of sparse attention · [[notes/n2|Memory bills of sparse attention]]\n"
    )
    again = refresh_wiki(vault, store, TODAY, touched_notes=["n1", "n2"])
    assert again.logged == 0 and not again.index_changed and again.digests == [] and again.pages.written == []
    assert (vault.root / "log.md").read_text(encoding="utf-8") == log

    later = refresh_wiki(vault, store, date(2026, 3, 11), touched_notes=["n3"])
    assert later.logged == 1
    assert (vault.root / "log.md").read_text(encoding="utf-8").startswith(log)

    digest = (vault.root / "digest" / "2026-03" / "2026-03-09.md").read_text(encoding="utf-8")
    assert digest.startswith("# Digest 2026-03-09\n\n1 note published this day.\n\n## Tier 2 (1)\n\n")
    assert "[[notes/n2|Memory bills of sparse attention]] (Side Blog): Memory bills of sparse attention: what the post argues" in digest
    index = (vault.root / "index.md").read_text(encoding="utf-8")
    assert "7 pages: 3 notes, 4 entity pages." in index
    assert "### ml (3)" in index and "### Concept (2)" in index and "### Paper (1)" in index and "### PolicyEvent (1)" in index

    synced = sync_vault(vault, store, None, None, SOURCES)
    assert synced.errors == [] and synced.upserted == [] and synced.unchanged == 3
    # The pages the touched notes mention were regenerated; the policy event's, which none mentions, was not.
    assert sorted(synced.entities_upserted) == ["Concept/kv-cache", "Concept/sparse-attention", "Paper/strided-sparse"]
    assert store.counts()["nodes"]["Note"] == 3


def test_notes_a_killed_run_never_logged_are_found_by_their_missing_log_line(world):
    vault, store = world
    refresh_wiki(vault, store, TODAY, touched_notes=["n1"])
    assert unlogged_notes(vault) == ["n2", "n3"]
    refresh_wiki(vault, store, TODAY, touched_notes=unlogged_notes(vault))
    assert unlogged_notes(vault) == []
    lines = [line for line in (vault.root / "log.md").read_text(encoding="utf-8").splitlines() if line.startswith("- ")]
    assert [line.split("[[notes/")[1].split("|")[0] for line in lines] == ["n1", "n3", "n2"]  # then oldest first


def test_questions_naming_the_entity_come_first_and_placeholders_are_left_out(world):
    vault, store = world
    write_note(vault, note("n6", "Memory first", date(2026, 1, 5), [mention("Concept", "kv-cache", "KV cache", salience=0.1)],
                           ["Nothing is left open here.", "Does the KV cache dominate serving memory?"]))
    sync_vault(vault, store, None, None, SOURCES)
    facts = read_vault_facts(vault, frozenset({"Nothing is left  open here."}))
    regenerate_pages(vault, store, only=[("Concept", "kv-cache")], facts=facts)
    questions = section(page(vault, "Concept", "kv-cache"), "Open questions")
    assert questions[0] == "- Does the KV cache dominate serving memory? ([[notes/n6|Memory first]])"
    assert not any("Nothing is left" in line for line in questions) and len(questions) == 4
