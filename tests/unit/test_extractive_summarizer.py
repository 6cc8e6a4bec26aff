"""The extractive summarizer on posts of our own, with the real embedding model."""

from __future__ import annotations

import itertools
import time
from datetime import date

import pytest

from ingest.summarize.analysis import MAX_RANKED_SENTENCES
from ingest.summarize.base import KnownEntity, RelatedNote, SummaryContext
from ingest.summarize.document import Document
from ingest.summarize.extractive import NO_PROSE, ExtractiveSummarizer, tldr_size
from ingest.summarize.inquiry import NO_ANGLE, NO_QUESTIONS
from ingest.summarize.text import split_sentences

POST = """
Sparse mixture-of-experts models route each token to a small subset of expert networks. The router is a tiny
linear layer, yet it decides which parameters see which data, so its behaviour shapes the whole model.

Our new measurements show that routers collapse onto a few experts early in training unless an auxiliary
load-balancing loss is used. The load-balancing loss keeps utilisation even, but it also pulls the router away from
the assignment that would minimise the language-modelling loss. This tension is the central design problem of
expert routing.

We compared three fixes on a 1.3B-parameter model from Acme Labs: a stronger balancing loss, expert-choice routing
where experts pick tokens, and a bias term adjusted outside the gradient. The bias approach matched the quality of the
unbalanced router while keeping utilisation within five percent of uniform.

```python
router_bias += 0.01 * (target_load - observed_load)  # This code is never quoted in a summary.
```

Is the balancing loss necessary at all? No, a bias term adjusted outside the gradient does the same job.
Do you think routers will ever be fully interpretable? Are Routers All You Need? Will they stay balanced after tuning?
At my first talk on this, a reviewer asked me "why not simply use a bigger router?"
To start, my first question: what do you make of the bias method?

## Limitations

These results come from a single model size and one data mixture, so it remains unclear whether the bias method
holds at larger scales. The evaluation also ignores inference latency, which matters for deployment.

## Open questions

Does expert specialisation emerge by topic or by syntax? Can routing decisions be made interpretable enough to
audit? Does expert specialisation emerge by topic or by syntax?

Thanks for reading! Subscribe for free to receive new posts and support my work.
"""

CLOSE_NOTE = RelatedNote(
    id="2026-04-01-lab-expert-routing",
    title="Load balancing in mixture-of-experts",
    published=date(2026, 4, 1),
    tldr="Auxiliary losses keep expert utilisation even in sparse mixture-of-experts models but can hurt routing quality.",
    score=0.8,
)
FAR_NOTE = RelatedNote(
    id="2026-04-02-policy-export-rules",
    title="New export rules for chips",
    published=date(2026, 4, 2),
    tldr="The commerce department widened licensing requirements for advanced accelerators shipped abroad.",
    score=0.2,
)
BALANCING = KnownEntity(
    type="Concept", id="load-balancing-loss", name="load-balancing loss", page="concepts/load-balancing-loss.md", mentions=2, notes=5
)
ACME = KnownEntity(type="Organization", id="acme-labs", name="Acme Labs", page="orgs/acme-labs.md", mentions=1, notes=0)


class CountingEmbedder:
    """The real model, counting what it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return self.inner.embed(texts)


def post_sentences(markdown: str) -> set[str]:
    return {s.text for s in Document.parse("t", markdown).sentences}


@pytest.fixture(scope="module")
def plain_summary(embedder):
    return ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext())


def test_tldr_is_central_sentences_of_the_post_that_stand_alone(plain_summary) -> None:
    tldr = split_sentences(plain_summary.tldr)
    assert 1 <= len(tldr) <= tldr_size(Document.parse("t", POST).words)
    assert set(tldr) <= post_sentences(POST)
    assert "rout" in plain_summary.tldr.lower()
    assert "?" not in plain_summary.tldr
    # A sentence leaning on the previous one ("This tension…", "These results…") is avoided when others exist.
    assert not any(sentence.startswith(("This ", "These ", "It ")) for sentence in tldr)
    assert "code" not in plain_summary.tldr and "Subscribe" not in plain_summary.tldr


def test_tldr_length_follows_post_length(embedder) -> None:
    short = "Routers pick experts for each token in a sparse model. A balancing loss keeps the experts evenly used."
    assert len(split_sentences(ExtractiveSummarizer(embedder).summarize("Short", short, SummaryContext()).tldr)) == 2
    long_summary = ExtractiveSummarizer(embedder).summarize("Long", synthetic_post(260), SummaryContext())
    assert len(split_sentences(long_summary.tldr)) == 4


def test_tldr_does_not_repeat_itself(embedder) -> None:
    post = (
        "Sparse routers collapse onto a few experts without a balancing loss during pretraining. "
        "Without a balancing loss during pretraining, sparse routers collapse onto a few experts. "
        "Expert-choice routing lets each expert pick its tokens instead of the reverse. "
        "A bias term adjusted outside the gradient keeps the experts evenly loaded."
    )
    tldr = ExtractiveSummarizer(embedder).summarize("Router collapse", post, SummaryContext()).tldr
    assert ("Sparse routers collapse" in tldr) + ("Without a balancing loss" in tldr) == 1


def test_nothing_in_the_wiki_is_said_briefly(plain_summary) -> None:
    assert plain_summary.why_it_matters.startswith("Nothing in the wiki relates to this post yet")
    assert plain_summary.connections == []


def test_why_it_matters_ties_to_entities_weighted_by_earlier_notes(embedder) -> None:
    context = SummaryContext(known_entities=[ACME, BALANCING])
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, context)
    first, *_ = summary.why_it_matters.split("Ties to ")[1:]
    assert first.startswith("[[concepts/load-balancing-loss|load-balancing loss]] (5 earlier notes): ")
    quoted = first.split("): ", 1)[1].split(" Also ties to ")[0].strip()
    assert quoted in post_sentences(POST) and "load-balancing loss" in quoted
    # Acme Labs is named only in a TL;DR sentence: tied without quoting that sentence twice.
    assert summary.why_it_matters.count("[[orgs/acme-labs|Acme Labs]] (a page in the wiki)") == 1
    acme_sentence = next(s for s in post_sentences(POST) if "Acme Labs" in s)
    assert (acme_sentence in summary.tldr) != (acme_sentence in summary.why_it_matters)


def test_connections_to_entity_pages_are_grounded_in_the_post(embedder) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext(known_entities=[ACME, BALANCING]))
    by_target = {c.target: c for c in summary.connections}
    assert set(by_target) == {"concepts/load-balancing-loss", "orgs/acme-labs"}
    balancing = by_target["concepts/load-balancing-loss"]
    assert balancing.label == "load-balancing loss" and balancing.date is None
    assert balancing.reason.startswith("Concept named 2 times here and in 5 earlier notes; this post: \u201c")
    grounding = balancing.reason.split("\u201c", 1)[1].rstrip("\u201d")
    assert grounding in post_sentences(POST) and "load-balancing loss" in grounding


def test_entities_are_found_by_their_aliases_too(embedder) -> None:
    moe = KnownEntity(type="Concept", id="mixture-of-experts", name="Mixture of experts", page="concepts/mixture-of-experts.md",
                      mentions=1, notes=3, aliases=("sparse mixture-of-experts models",))
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext(known_entities=[moe]))
    (connection,) = summary.connections
    assert connection.target == "concepts/mixture-of-experts"
    assert "Sparse mixture-of-experts models route each token" in connection.reason


def test_connections_point_at_close_related_notes_only(embedder) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, SummaryContext(related=[CLOSE_NOTE, FAR_NOTE]))
    assert [c.target for c in summary.connections] == [CLOSE_NOTE.id]
    connection = summary.connections[0]
    assert connection.date == date(2026, 4, 1) and connection.label == CLOSE_NOTE.title
    assert "this post: \u201c" in connection.reason
    assert summary.why_it_matters.startswith(f"Ties to [[{CLOSE_NOTE.id}|{CLOSE_NOTE.title}]] (earlier note, 2026-04-01): ")


def test_why_it_matters_mixes_earlier_notes_and_entity_pages(embedder) -> None:
    context = SummaryContext(related=[CLOSE_NOTE, FAR_NOTE], known_entities=[BALANCING])
    why = ExtractiveSummarizer(embedder).summarize("Routing experts", POST, context).why_it_matters
    quoted_ties = why.split("Ties to ")[1:3]
    assert [tie.split("|", 1)[0] for tie in quoted_ties] == [f"[[{CLOSE_NOTE.id}", "[[concepts/load-balancing-loss"]


def test_research_angle_prefers_the_limitations_section(plain_summary) -> None:
    angles = plain_summary.research_angle
    assert angles != [NO_ANGLE]
    assert any(a.startswith("Limitation: These results come from a single model size") for a in angles)
    assert all(a.split(": ", 1)[1] in post_sentences(POST) for a in angles)


def test_open_questions_are_the_posts_own_real_questions(plain_summary) -> None:
    questions = plain_summary.open_questions
    assert questions.count("Does expert specialisation emerge by topic or by syntax?") == 1
    assert "Can routing decisions be made interpretable enough to audit?" in questions
    assert "Is the balancing loss necessary at all?" not in questions  # answered by the next sentence
    assert not any("Do you think" in q or "All You Need" in q or "Will they" in q or "bigger router" in q or "do you" in q
                   for q in questions)


def test_left_open_and_empty_sections_say_so(embedder) -> None:
    post = (
        "Routers assign tokens to experts in sparse models. We trained two routers on the same data for a week. "
        "It remains unclear whether the bias method holds at larger scales than the ones we trained."
    )
    summary = ExtractiveSummarizer(embedder).summarize("Routers", post, SummaryContext())
    assert summary.open_questions == ["Left open: It remains unclear whether the bias method holds at larger scales than the ones we trained."]
    flat = "Routers assign tokens to experts in sparse models. We trained two routers on the same data for a week."
    summary = ExtractiveSummarizer(embedder).summarize("Routers", flat, SummaryContext())
    assert summary.open_questions == [NO_QUESTIONS] and summary.research_angle == [NO_ANGLE]


@pytest.mark.parametrize("body", ["", "### Full post:\n\nhttps://example.org/p/full\n\n![](cover.png)\n\n```\ncode only\n```"])
def test_a_post_without_prose_is_said_plainly(embedder, body: str) -> None:
    summary = ExtractiveSummarizer(embedder).summarize("Only a title", body, SummaryContext())
    assert summary.tldr.startswith(NO_PROSE) and "Only a title" in summary.tldr
    assert summary.why_it_matters.startswith("Nothing in the wiki relates")
    assert summary.open_questions and summary.research_angle


def test_long_posts_rank_a_bounded_shortlist(embedder) -> None:
    counting = CountingEmbedder(embedder)
    post = synthetic_post(1200)
    started = time.perf_counter()
    summary = ExtractiveSummarizer(counting).summarize("Long", post, SummaryContext())
    elapsed = time.perf_counter() - started
    assert len(Document.parse("Long", post).sentences) > 1000
    assert len(counting.texts) <= MAX_RANKED_SENTENCES + 1  # the shortlist plus the title, in one batch
    assert summary.tldr and elapsed < 60


def test_vectors_are_reused_across_calls(embedder) -> None:
    counting = CountingEmbedder(embedder)
    summarizer = ExtractiveSummarizer(counting)
    context = SummaryContext(related=[CLOSE_NOTE, FAR_NOTE])
    first = summarizer.summarize("Routing experts", POST, context)
    embedded_once = len(counting.texts)
    second = summarizer.summarize("Routing experts", POST, context)
    assert len(counting.texts) == embedded_once  # nothing embedded twice
    assert first == second
    other = "Routers pick experts for each token in a sparse model. A balancing loss keeps the experts evenly used."
    summarizer.summarize("Other", other, context)
    new_texts = counting.texts[embedded_once:]
    assert not any(CLOSE_NOTE.title in text for text in new_texts)  # related notes' vectors came from the cache


def synthetic_post(sentences: int) -> str:
    """Distinct, plausible sentences of our own, in paragraphs of five."""
    subjects = ["The router", "Each expert", "The gate", "A balancing loss", "The scheduler", "Every token", "The sparse layer", "A bias term"]
    verbs = ["shapes", "stabilises", "slows", "speeds up", "redistributes", "measures", "limits", "doubles"]
    objects = ["the load on busy experts", "the training loss curve", "the memory traffic per batch", "the quality on long documents",
               "the cost of serving requests", "the variance across seeds", "the share of dropped tokens", "the throughput on two cores"]
    phases = ["early in pretraining", "after warm-up", "during fine-tuning", "at inference time", "on the largest run"]
    combos = itertools.islice(itertools.product(subjects, verbs, objects, phases), sentences)
    lines = [f"{s} {v} {o} {p}." for s, v, o, p in combos]
    return "\n\n".join(" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5))
