"""The rules for derived edges, on hand-made mention rows."""

from __future__ import annotations

import math

from graph import derived

ABOUT = ("ABOUT", "Paper", "Concept")
CONCERNS = ("CONCERNS", "PolicyEvent", "Concept")
RELATED = ("RELATED_TO", "Concept", "Concept")


def rows(note: str, *mentions: tuple[str, str, float]) -> list[dict]:
    return [{"note": note, "label": label, "id": entity_id, "salience": salience} for label, entity_id, salience in mentions]


def test_about_needs_high_salience_in_enough_notes_and_yields_to_declared():
    mentions = (
        rows("n1", ("Paper", "p", 0.5), ("Concept", "c", 0.3), ("Concept", "weak", 0.1))
        + rows("n2", ("Paper", "p", 0.2), ("Concept", "c", 0.9), ("Concept", "weak", 0.5))
        + rows("n3", ("Paper", "q", 0.9), ("Concept", "c", 0.9))
    )
    wanted = derived.desired_edges(mentions, {})
    assert wanted[ABOUT] == {("p", "c"): {"notes": 2}}  # `weak` is salient in one note only; `q` is in one note
    assert derived.desired_edges(mentions, {ABOUT: {("p", "c")}})[ABOUT] == {}


def test_concerns_follows_the_same_rule():
    mentions = rows("n1", ("PolicyEvent", "e", 0.4), ("Concept", "c", 0.4)) + rows("n2", ("PolicyEvent", "e", 0.4), ("Concept", "c", 0.4))
    assert derived.desired_edges(mentions, {})[CONCERNS] == {("e", "c"): {"notes": 2}}


def test_related_weight_is_ochiai_over_notes():
    mentions = (
        rows("n1", ("Concept", "a", 0.1), ("Concept", "b", 0.1))
        + rows("n2", ("Concept", "a", 0.1), ("Concept", "b", 0.1))
        + rows("n3", ("Concept", "a", 0.1), ("Concept", "c", 0.1))
        + rows("n4", ("Concept", "b", 0.1))
    )
    related = derived.desired_edges(mentions, {})[RELATED]
    # a in 3 notes, b in 3, together in 2: 2 / sqrt(9); a–c together once only: not enough.
    assert related == {("a", "b"): {"weight": round(2 / math.sqrt(9), 6), "notes": 2}}


def test_related_keeps_the_top_k_of_either_end():
    hub = [("Concept", "hub", 0.1)]
    mentions = []
    for i in range(derived.RELATED_TOP_K + 3):
        # Each spoke co-occurs with the hub twice; the later spokes also appear alone, so weigh less.
        spoke = ("Concept", f"s{i:02d}", 0.1)
        mentions += rows(f"a{i}", *hub, spoke) + rows(f"b{i}", *hub, spoke)
        mentions += [row for k in range(i) for row in rows(f"alone{i}-{k}", spoke)]
    related = derived.desired_edges(mentions, {})[RELATED]
    # Every spoke keeps its edge: the hub is in each spoke's own top k even where the spoke is not in the hub's.
    assert len(related) == derived.RELATED_TOP_K + 3
    assert all(pair[0] == "hub" for pair in related)
