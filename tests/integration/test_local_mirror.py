"""Local mode answers searches from its in-memory mirror: the answers must be Qdrant's own.

Every search is run twice over the same real local-mode collection: through the mirror (what the
index does in local mode) and as the request a Qdrant server gets (`query_points` with prefetches,
RRF and payload filters, which Qdrant's local mode also executes, slowly). Same points, same
order, same scores.
"""

from __future__ import annotations

import random

import pytest

from graph import sparse
from graph.vector_search import _request
from graph.vectors import Chunk, ChunkFilter, VectorConfig, VectorIndex

WORDS = ("reward model policy gradient distillation teacher student export control chips benchmark "
         "agent tool retrieval graph sparse attention expert router data mixture safety refusal").split()


def _corpus(rng: random.Random, notes: int) -> list[Chunk]:
    chunks = []
    for number in range(notes):
        count = rng.randint(1, 4)
        for ordinal in range(count):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30)))
            payload = {"tier": rng.randint(1, 3), "published": rng.randint(0, 10_000), "source": f"s{number % 5}",
                       "entities": [f"Concept/c{rng.randint(0, 9)}"]}
            chunks.append(Chunk(f"note-{number}", f"section-{ordinal}", text, 0, len(text), payload, ordinal=ordinal, count=count))
    return chunks


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    opened = VectorIndex.open(VectorConfig(path=tmp_path_factory.mktemp("mirror") / "qdrant"), embedder.dimension)
    chunks = _corpus(random.Random(7), 120)
    opened.upsert(chunks, embedder.embed([chunk.text for chunk in chunks]))
    opened.delete_notes(["note-3", "note-40"])  # dead rows in the mirror must never come back
    yield opened
    opened.close()


FILTERS = [
    None,
    ChunkFilter(tiers=(1,)),
    ChunkFilter(since_ms=2_000, until_ms=6_000),
    ChunkFilter(entities=("Concept/c1", "Concept/c2"), or_note_ids=("note-7",)),
    ChunkFilter(sources=("s2",), tiers=(2, 3)),
    ChunkFilter(note_ids=("note-5", "note-9", "note-3")),
]


@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
@pytest.mark.parametrize("where", FILTERS, ids=lambda f: "none" if f is None else "filtered")
def test_mirror_answers_as_qdrant_does(index, embedder, mode, where):
    for query in ("reward model distillation", "export control chips", "sparse attention router", "safety refusal agent"):
        dense = embedder.embed_one(query) if mode != "sparse" else None
        mine = index.search_chunks(dense, query, 10, where, mode)
        request = _request(dense, sparse.query_vector(query) if mode != "dense" else None, 10, where.qdrant() if where else None, 60)
        theirs = index._client.query_points(index.config.collection, **request).points
        assert [hit.score for hit in mine] == pytest.approx([p.score for p in theirs], rel=1e-4, abs=1e-6), query
        assert _by_score([(hit.score, (hit.note_id, hit.section)) for hit in mine]) == _by_score(
            [(p.score, (p.payload["note_id"], p.payload["section"])) for p in theirs]), query
        assert all(where is None or where.matches(hit.payload) for hit in mine)
        assert not {"note-3", "note-40"} & {hit.note_id for hit in mine}


def _by_score(hits: list[tuple[float, tuple[str, str]]]) -> list[set[tuple[str, str]]]:
    """The points of each score, best first, leaving out the last score: equal scores may come in any order,
    and which of several points tied at the cut-off make the top k is arbitrary."""
    groups: dict[float, set] = {}
    for score, key in hits:
        groups.setdefault(round(score, 4), set()).add(key)
    return [groups[score] for score in sorted(groups, reverse=True)[:-1]]


def test_a_reopened_index_rebuilds_the_mirror_from_the_collection(index, embedder, tmp_path):
    query = "teacher student distillation"
    before = index.search_chunks(embedder.embed_one(query), query, 10)
    chunks = index.note_chunks(["note-1", "note-3"])
    assert [hit.section for hit, _ in chunks["note-1"]] == [f"section-{i}" for i in range(len(chunks["note-1"]))]
    assert chunks["note-3"] == [] and all(len(vector) == embedder.dimension for _, vector in chunks["note-1"])
    index._mirrors.clear()  # what a new process starts with
    assert index.search_chunks(embedder.embed_one(query), query, 10) == before
