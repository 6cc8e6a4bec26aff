"""The offline default summarizer: every sentence in the note is the post's own or a marked connective phrase.

TL;DR: LexRank centrality over sentence embeddings (with a pull towards the title and a mild lead bias), then
maximal marginal relevance so the picks do not repeat each other; sentences that lean on the previous one
are avoided unless nothing else is left. "Why it matters" and Connections quote the sentences that tie the
post to what the wiki holds (ties.py); "Research angle" and "Open questions" come from the post's own
limitations, hedges, next steps and questions (inquiry.py).
"""

from __future__ import annotations

import numpy as np

from ingest.summarize.analysis import Analysis, is_quotable, is_standalone
from ingest.summarize.base import Summary, SummaryContext
from ingest.summarize.document import Document
from ingest.summarize.inquiry import open_questions, research_angle
from ingest.summarize.ranking import VectorCache, mmr
from ingest.summarize.ties import connections, find_ties, why_it_matters

TLDR_WORD_BUDGET = 120
# (post length in words below which, TL;DR sentences)
TLDR_SIZES = ((400, 2), (1500, 3))
TLDR_MAX_SENTENCES = 4


class ExtractiveSummarizer:
    name = "extractive"

    def __init__(self, embedder, mmr_lambda: float = 0.7, cache_entries: int = 8192) -> None:
        self._cache = VectorCache(embedder, cache_entries)
        self._mmr_lambda = mmr_lambda

    @property
    def embedded_texts(self) -> int:
        """Texts this summarizer has sent to the embedding model (cache misses)."""
        return self._cache.embedded

    def summarize(self, title: str, body_markdown: str, context: SummaryContext) -> Summary:
        document = Document.parse(title, body_markdown)
        analysis = Analysis.of(document, self._cache)
        if not analysis.ranked:
            return _empty_summary(title)
        tldr = self._tldr(analysis)
        ties = find_ties(analysis, context.related, context.known_entities, self._cache)
        why, why_used = why_it_matters(analysis, ties, used=set(tldr))
        used = set(tldr) | why_used
        # Research angle first: a stated limitation is worth more there than as a vague open question.
        angles, angle_used = research_angle(analysis, used)
        questions, _ = open_questions(analysis, used | angle_used)
        return Summary(
            tldr=" ".join(analysis.sentence(p).text for p in tldr),
            why_it_matters=why,
            connections=connections(analysis, ties, avoid=used),
            research_angle=angles,
            open_questions=questions,
        )

    def _tldr(self, analysis: Analysis) -> list[int]:
        """Positions of the TL;DR sentences, in the post's order."""
        size = tldr_size(analysis.document.words)
        relevance = _tldr_relevance(analysis)
        rows = range(len(analysis.ranked))
        tiers = (
            [r for r in rows if is_standalone(analysis.sentence(analysis.ranked[r]))],
            [r for r in rows if is_quotable(analysis.sentence(analysis.ranked[r]))],
            list(rows),
        )
        chosen: list[int] = []
        for tier in tiers:
            # Fall back to a weaker tier only when the stronger one cannot give even two sentences.
            fresh = [r for r in tier if r not in chosen]
            chosen += mmr(analysis.vectors, relevance, fresh, size - len(chosen), self._mmr_lambda, already=chosen)
            if len(chosen) >= min(2, size):
                break
        return sorted(analysis.ranked[r] for r in _within_budget(analysis, chosen))


def tldr_size(words: int) -> int:
    return next((sentences for limit, sentences in TLDR_SIZES if words < limit), TLDR_MAX_SENTENCES)


def _tldr_relevance(analysis: Analysis) -> np.ndarray:
    positions = np.array(analysis.ranked, dtype=float)
    lead = 1.0 + 0.25 * np.exp(-positions / 10)
    title = np.clip(analysis.title_similarity, 0, None)
    return (0.75 * analysis.centrality + 0.25 * title / (title.max() or 1)) * lead


def _within_budget(analysis: Analysis, chosen: list[int]) -> list[int]:
    """The picks in rank order while they fit the word budget (the first always stays)."""
    kept, words = [], 0
    for row in chosen:
        length = analysis.sentence(analysis.ranked[row]).words
        if kept and words + length > TLDR_WORD_BUDGET:
            continue
        kept.append(row)
        words += length
    return kept


NO_PROSE = "The post has no prose to summarise (its body is empty or holds only links, embeds, images or code)"


def _empty_summary(title: str) -> Summary:
    return Summary(
        tldr=f"{NO_PROSE}; only its title is known: \u201c{title}\u201d.",
        why_it_matters="Nothing in the wiki relates to this post yet: it has no text to compare.",
        connections=[],
        research_angle=["No text to draw a research angle from."],
        open_questions=["No text to draw questions from."],
    )
