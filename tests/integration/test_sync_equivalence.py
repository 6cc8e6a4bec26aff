"""Incremental sync and a full reindex give the same graph and the same vector points.

A vault goes through adds, edits, renames and deletes of notes, entity pages and raw posts (a raw
post edited or deleted on its own, its note untouched; and a source dropped from the configuration). After every step the incrementally synced store (the backend
under test) is compared with a store rebuilt from scratch from the same files (embedded
FalkorDB): every node and relationship with all their properties, and every Qdrant point with its
payload and vector. After every step a second sync finds nothing to do. At the end the store under
test is itself reindexed and compared again.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.dump import dump_graph
from graph.model import SourceRecord
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from graph.sync import reindex, sync_note, sync_vault
from graph.vault import Vault, atomic_write_text
from graph.vectors import VectorConfig, VectorIndex
from tests.support.graph_backends import BACKENDS, open_test_store
from tests.support.vault_pages import make_entity, make_note, mention, write_entity, write_note

LAB = SourceRecord("lab-blog", "Lab Blog", "http://127.0.0.1/lab.xml", 1, ("ml",))
WIRE = SourceRecord("policy-wire", "Policy Wire", "http://127.0.0.1/wire.xml", 2, ("policy",))


def points(index: VectorIndex) -> dict[str, tuple[dict, list[float]]]:
    """Every point: id → (payload, vector). Read through the client: VectorIndex has no bulk read."""
    found, offset = {}, None
    while True:
        batch, offset = index._client.scroll(index.config.collection, limit=256, offset=offset, with_payload=True, with_vectors=True)
        found.update({str(p.id): (p.payload, list(p.vector["dense"])) for p in batch})
        if offset is None:
            return found


def assert_same_points(found: dict, expected: dict, step: str) -> None:
    """Same ids and payloads; vectors equal to 1e-6 per component. The model pads a batch to its longest
    text, and which texts share a batch differs between an incremental sync and a reindex, which moves
    the last bits of a float (observed differences ~1e-9)."""
    assert sorted(found) == sorted(expected), f"point ids differ after: {step}"
    for point_id, (payload, vector) in found.items():
        assert payload == expected[point_id][0], f"payload of {payload['note_id']} differs after: {step}"
        assert len(vector) == len(expected[point_id][1])
        assert max(abs(a - b) for a, b in zip(vector, expected[point_id][1])) < 1e-6, f"vector differs after: {step}"


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path, embedder):
    store = open_test_store(request.param, tmp_path / "data")
    reference = FalkorStore.start(GraphStoreConfig(data_dir=tmp_path / "reference"))
    reference.ensure_schema()
    index = VectorIndex.open(VectorConfig(path=tmp_path / "qdrant"), embedder.dimension)
    reference_index = VectorIndex.open(VectorConfig(path=tmp_path / "qdrant-reference"), embedder.dimension)
    yield store, index, reference, reference_index
    for opened in (index, reference_index, reference, store):
        opened.close()


def write_raw(vault: Vault, note_id: str, *paragraphs: str) -> None:
    """A raw post as ingest keeps it: front matter, then the post's paragraphs."""
    body = "\n\n".join(paragraphs)
    atomic_write_text(vault.root / "raw" / "rss" / f"{note_id}.md", f"---\nurl: https://example.org/{note_id}\n---\n\n{body}\n")


def step_initial(vault: Vault) -> None:
    kd = mention("Concept", "knowledge-distillation", "Knowledge distillation", count=3, salience=0.5)
    paper = mention("Paper", "distilling-knowledge", "Distilling the Knowledge", count=2, salience=0.4)
    write_note(vault, make_note("kd-intro", "Knowledge distillation, explained", date(2026, 1, 5),
                                entities=[kd, paper, mention("Concept", "model-compression", salience=0.3)],
                                connections=[("kd-followup", "the follow-up"), ("concepts/scaling-laws", "why size matters"),
                                             ("Reward Hacking", "a page that does not exist yet")]))
    write_note(vault, make_note("kd-followup", "Distillation at scale", date(2026, 1, 20),
                                entities=[kd, paper, mention("Concept", "model-compression", salience=0.2),
                                          mention("Organization", "open-lab", "Open Lab")],
                                connections=[("kd-intro", "the basics"), ("notes/eu-act", "regulation angle")]))
    write_note(vault, make_note("eu-act", "The AI Act's first deadlines", date(2026, 2, 1), source="policy-wire",
                                entities=[mention("PolicyEvent", "ai-act-deadline", "AI Act deadline", salience=0.6),
                                          mention("Concept", "ai-governance", "AI governance", salience=0.5)]))
    write_note(vault, make_note("eu-act-2", "Codes of practice", date(2026, 2, 9), source="policy-wire",
                                entities=[mention("PolicyEvent", "ai-act-deadline", salience=0.4),
                                          mention("Concept", "ai-governance", salience=0.4),
                                          mention("Concept", "model-compression", salience=0.1)]))
    write_note(vault, make_note("blog-x", "An unconfigured feed", date(2026, 2, 11), source="stray-feed",
                                entities=[mention("Concept", "only-here", "Only here")]))
    write_entity(vault, make_entity("Concept", "knowledge-distillation", "Knowledge distillation", aliases=["KD"],
                                    first_seen=date(2015, 3, 9)))
    write_entity(vault, make_entity("Paper", "distilling-knowledge", "Distilling the Knowledge in a Neural Network",
                                    external_ids={"arxiv": "1503.02531"}, links={"about": ["knowledge-distillation"]}))
    write_entity(vault, make_entity("Person", "geoffrey-hinton", "Geoffrey Hinton", links={"affiliated_with": ["open-lab"]}))
    write_entity(vault, make_entity("PolicyEvent", "ai-act-deadline", "AI Act deadline", links={"concerns": ["ai-governance"]}))
    write_raw(vault, "kd-intro", "Distillation trains a small student on a large teacher's soft targets.")
    write_raw(vault, "kd-followup", "At scale, the student needs more data than the teacher saw.",
              "Temperature matters less than expected.")
    write_raw(vault, "eu-act-2", "The codes of practice arrive nine months after entry into force.")


def step_add_and_edit(vault: Vault, store, index, embedder) -> None:
    # Ingest writes a note and projects it at once, then syncs the vault.
    new = make_note("reward-hacking-note", "When the reward is the bug", date(2026, 2, 20),
                    entities=[mention("Concept", "reward-hacking", "Reward hacking", salience=0.7),
                              mention("Concept", "knowledge-distillation", salience=0.25),
                              mention("Paper", "distilling-knowledge", "Hinton et al. 2015", salience=0.3),
                              mention("Concept", "model-compression", salience=0.1)],
                    connections=[("kd-intro", "contrast")])
    sync_note(vault, store, index, embedder, write_note(vault, new))
    edited = make_note("kd-followup", "Distillation at scale, revisited", date(2026, 1, 21),
                       entities=[mention("Paper", "distilling-knowledge", salience=0.5),
                                 mention("Concept", "knowledge-distillation", salience=0.6),
                                 mention("Concept", "model-compression", salience=0.4)],
                       connections=[("kd-intro", "the basics, again")])
    write_note(vault, edited)
    write_entity(vault, make_entity("Concept", "reward-hacking", "Reward hacking", aliases=["specification gaming"]))
    write_entity(vault, make_entity("Concept", "model-compression", "Model compression"))


def step_rename_note(vault: Vault) -> None:
    vault.note_path("eu-act").unlink()
    write_note(vault, make_note("eu-ai-act", "The AI Act's first deadlines", date(2026, 2, 1), source="policy-wire",
                                entities=[mention("PolicyEvent", "ai-act-deadline", salience=0.6),
                                          mention("Concept", "ai-governance", salience=0.5)],
                                connections=[("eu-act-2", "the sequel")]))
    write_note(vault, make_note("eu-act-2", "Codes of practice", date(2026, 2, 9), source="policy-wire",
                                entities=[mention("PolicyEvent", "ai-act-deadline", salience=0.4),
                                          mention("Concept", "ai-governance", salience=0.4)],
                                connections=[("eu-ai-act", "the deadlines")]))


def step_rename_and_delete_pages(vault: Vault) -> None:
    (vault.root / "concepts" / "model-compression.md").unlink()
    write_entity(vault, make_entity("Concept", "compression", "Compression", aliases=["model compression"]))
    (vault.root / "papers" / "distilling-knowledge.md").unlink()
    write_entity(vault, make_entity("Person", "geoffrey-hinton", "Geoffrey Hinton", aliases=["G. Hinton"],
                                    links={"affiliated_with": ["open-lab", "toronto"]}))
    write_entity(vault, make_entity("Concept", "scaling-laws", "Scaling laws"))


def step_edit_raw_post(vault: Vault) -> None:
    # The note kd-followup is left as it is: only its raw post changes (a paragraph edited, one added).
    write_raw(vault, "kd-followup", "At scale, the student needs far more data than the teacher saw.",
              "Temperature matters less than expected.", "A third paragraph on data mixtures.")


def step_delete_raw_post(vault: Vault) -> None:
    (vault.root / "raw" / "rss" / "eu-act-2.md").unlink()  # its note stays, untouched


def step_delete_notes(vault: Vault) -> None:
    vault.note_path("blog-x").unlink()  # the only reference of `only-here`, the only note of `stray-feed`
    vault.note_path("kd-intro").unlink()
    (vault.root / "concepts" / "reward-hacking.md").unlink()


STEPS = [
    ("initial vault", lambda vault, *_: step_initial(vault), [LAB, WIRE]),
    ("add a note through ingest, edit a note, add pages", step_add_and_edit, [LAB, WIRE]),
    ("rename a note", lambda vault, *_: step_rename_note(vault), [LAB, WIRE]),
    ("rename, delete and edit entity pages", lambda vault, *_: step_rename_and_delete_pages(vault), [LAB, WIRE]),
    ("edit a raw post, its note unchanged", lambda vault, *_: step_edit_raw_post(vault), [LAB, WIRE]),
    ("delete a raw post, its note unchanged", lambda vault, *_: step_delete_raw_post(vault), [LAB, WIRE]),
    ("delete notes and a page", lambda vault, *_: step_delete_notes(vault), [LAB, WIRE]),
    ("drop a source from the configuration", lambda vault, *_: None, [LAB]),
]


# Notes a step changes only through their raw post: the sync must re-chunk them.
RESYNCED = {"edit a raw post, its note unchanged": {"kd-followup"}, "delete a raw post, its note unchanged": {"eu-act-2"}}


def test_incremental_sync_equals_full_reindex_after_every_step(stores, tmp_path, embedder):
    store, index, reference, reference_index = stores
    vault = Vault(tmp_path / "wiki")
    for name, step, sources in STEPS:
        step(vault, store, index, embedder)
        report = sync_vault(vault, store, index, embedder, sources)
        assert not report.errors, name
        assert RESYNCED.get(name, set()) <= set(report.upserted), f"notes not re-synced after: {name}"
        again = sync_vault(vault, store, index, embedder, sources)
        assert not again.upserted and not again.changed_anything, f"a second sync found work after: {name}"
        reindex(vault, reference, reference_index, embedder, sources)
        incremental, full = dump_graph(store), dump_graph(reference)
        assert incremental == full, f"graphs differ after: {name}"
        assert_same_points(points(index), points(reference_index), name)
    final = dump_graph(store)
    final_points = points(index)
    reindex(vault, store, index, embedder, [LAB])
    assert dump_graph(store) == final
    assert_same_points(points(index), final_points, "reindex of the store under test")
    assert_final_state(final)
    assert_raw_chunks(final_points)


def assert_final_state(dump) -> None:
    """The scenario reached the states it was written to reach (so the comparisons above were not vacuous)."""
    nodes = {(labels[0], node_id): props for labels, node_id, props in dump["nodes"]}
    edges = {(e[0], e[1], e[2], e[3], e[4]): e[5] for e in dump["edges"]}
    # A deleted page still mentioned: referenced-only, named as the note with the smallest id (kd-followup) names it.
    assert {"referenced_only": True, "name": "Distilling knowledge"}.items() <= nodes[("Paper", "distilling-knowledge")].items()
    assert "arxiv_id" not in nodes[("Paper", "distilling-knowledge")]
    # A renamed page: the old id lives on while mentioned; the new one is a page.
    assert nodes[("Concept", "model-compression")]["referenced_only"] is True
    assert nodes[("Concept", "compression")]["referenced_only"] is False
    # Gone with their last reference: an entity, an unconfigured source; a dropped source with notes stays.
    assert ("Concept", "only-here") not in nodes and ("Source", "stray-feed") not in nodes
    assert nodes[("Source", "policy-wire")]["referenced_only"] is True
    # Declared links follow the page; the renamed note's links were redrawn both ways.
    assert ("Person", "geoffrey-hinton", "AFFILIATED_WITH", "Organization", "toronto") in edges
    assert ("Note", "eu-act-2", "CONNECTS_TO", "Note", "eu-ai-act") in edges
    assert ("Note", "eu-ai-act", "CONNECTS_TO", "Note", "eu-act-2") in edges
    assert edges[("PolicyEvent", "ai-act-deadline", "CONCERNS", "Concept", "ai-governance")] == {"origin": "declared"}
    # Derived edges: co-mentioned with high salience in two notes, co-occurring in two notes.
    assert edges[("Paper", "distilling-knowledge", "ABOUT", "Concept", "knowledge-distillation")] == {"origin": "derived", "notes": 2}
    assert edges[("Concept", "knowledge-distillation", "RELATED_TO", "Concept", "model-compression")] == {
        "origin": "derived", "weight": 1.0, "notes": 2}
    # Analytics were computed on every node.
    assert all("pagerank" in props and "community" in props for props in nodes.values())


def assert_raw_chunks(found: dict) -> None:
    """The raw-post steps reached the points: the edited post's paragraphs as edited, none of the deleted one."""
    raw = {}
    for payload, _ in found.values():
        if payload["kind"] == "raw":
            raw.setdefault(payload["note_id"], []).append(payload["text"])
    text = "\n\n".join(raw["kd-followup"])  # short paragraphs are merged into one chunk
    assert "needs far more data" in text and "A third paragraph on data mixtures." in text
    assert "eu-act-2" not in raw
