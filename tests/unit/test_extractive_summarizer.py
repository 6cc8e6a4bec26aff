"""The extractive summarizer on a post of our own, with the real embedding model."""

from __future__ import annotations

from datetime import date

from ingest.summarize.base import RelatedNote, SummaryContext
from ingest.summarize.extractive import ExtractiveSummarizer
from ingest.summarize.text import split_sentences

POST = """
Sparse mixture-of-experts models route each token to a small subset of expert networks. The router is a tiny
linear layer, yet it decides which parameters see which data, so its behaviour shapes the whole model.

Our new measurements show that routers collapse onto a few experts early in training unless an auxiliary
load-balancing loss is used. The balancing loss keeps utilisation even, but it also pulls the router away from
the assignment that would minimise the language-modelling loss. This tension is the central design problem of
expert routing.

We compared three fixes on a 1.3B-parameter model: a stronger balancing loss, expert-choice routing where experts
pick tokens, and a bias term adjusted outside the gradient. The bias approach matched the quality of the
unbalanced router while keeping utilisation within five percent of uniform.

## Limitations

These results come from a single model size and one data mixture, so it remains unclear whether the bias method
holds at larger scales. The evaluation also ignores inference latency, which matters for deployment.

Does expert specialisation emerge by topic or by syntax? Can routing decisions be made interpretable enough to
audit? We think both questions deserve careful study.
"""


def test_sections_come_from_the_post(embedder) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext())
    post_sentences = {s for p in POST.split("\n\n") for s in split_sentences(" ".join(p.split()))}
    tldr_sentences = split_sentences(summary.tldr)
    assert 1 <= len(tldr_sentences) <= 3
    assert all(sentence in post_sentences for sentence in tldr_sentences)
    assert "Does expert specialisation emerge by topic or by syntax?" in summary.open_questions
    assert any("remains unclear" in angle for angle in summary.research_angle)
    # Without related notes the section says so instead of inventing a connection.
    assert "No earlier note" in summary.why_it_matters
    assert summary.connections == []


def test_tldr_prefers_central_sentences_over_questions(embedder) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext())
    assert "?" not in summary.tldr
    assert "rout" in summary.tldr.lower()


def test_connections_point_at_close_related_notes_only(embedder) -> None:
    close = RelatedNote(
        id="2026-04-01-lab-expert-routing",
        title="Load balancing in mixture-of-experts",
        published=date(2026, 4, 1),
        tldr="Auxiliary losses keep expert utilisation even but can hurt routing quality in sparse models.",
        score=0.8,
    )
    far = RelatedNote(
        id="2026-04-02-policy-export-rules",
        title="New export rules for chips",
        published=date(2026, 4, 2),
        tldr="The commerce department widened licensing requirements for advanced accelerators shipped abroad.",
        score=0.2,
    )
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext(related=[close, far]))
    targets = [c.target for c in summary.connections]
    assert targets == [close.id]
    connection = summary.connections[0]
    assert connection.date == date(2026, 4, 1)
    assert connection.label == close.title
    assert "this post says" in connection.reason
    assert "No earlier note" not in summary.why_it_matters


def test_empty_body_is_said_plainly(embedder) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Only a title", "", SummaryContext())
    assert "no body text" in summary.tldr
    assert summary.open_questions and summary.research_angle


def test_split_sentences_keeps_abbreviations() -> None:
    text = "Models such as e.g. the U.S. lab's system work well. A second sentence follows! Does a third?"
    assert split_sentences(text) == [
        "Models such as e.g. the U.S. lab's system work well.",
        "A second sentence follows!",
        "Does a third?",
    ]
