"""The offline default summarizer: sentence centrality with redundancy control, no LLM.

TL;DR: LexRank-style centrality over sentence embeddings, then maximal marginal relevance (MMR)
so the chosen sentences do not repeat each other. "Why it matters" and Connections come from the
sentences closest to notes the wiki already holds; "Research angle" and "Open questions" from the
post's own hedges, limitations and questions. Every sentence in a note is the post's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from graph.model import Connection
from ingest.summarize.base import RelatedNote, Summary, SummaryContext
from ingest.summarize.text import keywords, markdown_to_paragraphs, split_sentences

_LIMITATION_CUES = re.compile(
    r"\b(limitation|limited|unclear|not yet|remains?|future work|open problem|unknown|caveat|untested|unproven|"
    r"we don't know|nobody knows|no one has|hasn't been|has not been|would be valuable|worth studying|needs? more|"
    r"it is possible|could be|might|may not|uncertain|hard to|difficult to|unsolved|scope|careful about|"
    r"generali[sz]e|not reliably|no current|no existing|leaves? (?:it|them|open)|left to|only tested|single)\b",
    re.IGNORECASE,
)
_STAKES_CUES = re.compile(
    r"\b(matters?|important|implications?|means that|because|risk|consequence|first time|shift|signals?|"
    r"changes?|threat|opportunit(y|ies)|key)\b",
    re.IGNORECASE,
)
CONNECTION_THRESHOLD = 0.45


@dataclass(frozen=True)
class _Sentence:
    text: str
    position: int


class ExtractiveSummarizer:
    name = "extractive"

    def __init__(self, embedder, tldr_sentences: int = 3, mmr_lambda: float = 0.7) -> None:
        self._embedder = embedder
        self._tldr_sentences = tldr_sentences
        self._mmr_lambda = mmr_lambda

    def summarize(self, title: str, body_markdown: str, context: SummaryContext) -> Summary:
        sentences = _sentences(body_markdown)
        if not sentences:
            return _empty_summary(title)
        vectors = _normalise(np.array(self._embedder.embed([s.text for s in sentences]), dtype=np.float32))
        centrality = _lexrank(vectors)
        tldr_ids = _mmr(vectors, centrality, self._tldr_sentences, self._mmr_lambda, eligible=_tldr_eligible(sentences))
        related, related_vectors = self._related_vectors(context.related)
        return Summary(
            tldr=" ".join(sentences[i].text for i in sorted(tldr_ids)),
            why_it_matters=_why_it_matters(sentences, vectors, centrality, tldr_ids, related, related_vectors),
            connections=_connections(sentences, vectors, related, related_vectors),
            research_angle=_research_angle(sentences, centrality, tldr_ids),
            open_questions=_open_questions(sentences),
        )

    def _related_vectors(self, related: list[RelatedNote]) -> tuple[list[RelatedNote], np.ndarray]:
        kept = [note for note in related if note.tldr.strip()]
        if not kept:
            return [], np.zeros((0, 1), dtype=np.float32)
        vectors = self._embedder.embed([f"{note.title}. {note.tldr}" for note in kept])
        return kept, _normalise(np.array(vectors, dtype=np.float32))


def _sentences(markdown: str) -> list[_Sentence]:
    found: list[_Sentence] = []
    for paragraph in markdown_to_paragraphs(markdown):
        for sentence in split_sentences(paragraph):
            if 5 <= len(sentence.split()) <= 80:
                found.append(_Sentence(sentence, len(found)))
    return found


_ANAPHORIC_START = re.compile(r"^(this|that|these|those|it|its|they|their|he|she|but|and|so|also|however|then|such)\b", re.I)
_QUESTION_START = re.compile(
    r"^(should|how|is|are|can|could|would|will|what|why|which|who|when|where|does|do|did|has|have)\b", re.I
)


def _tldr_eligible(sentences: list[_Sentence]) -> list[bool]:
    # Questions, fragments and sentences that lean on the one before them make poor summary sentences.
    return [
        not s.text.endswith("?") and len(s.text.split()) >= 8 and not _ANAPHORIC_START.match(s.text)
        for s in sentences
    ]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _lexrank(vectors: np.ndarray, threshold: float = 0.1, damping: float = 0.85, iterations: int = 50) -> np.ndarray:
    """Stationary distribution of a random walk on the sentence-similarity graph (LexRank, continuous)."""
    count = len(vectors)
    if count == 1:
        return np.ones(1)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0)
    similarity = np.where(similarity > threshold, similarity, 0)
    row_sums = similarity.sum(axis=1, keepdims=True)
    transition = np.where(row_sums > 0, similarity / np.where(row_sums == 0, 1, row_sums), 1.0 / count)
    scores = np.full(count, 1.0 / count)
    for _ in range(iterations):
        scores = (1 - damping) / count + damping * transition.T @ scores
    # A mild lead bias: authors tend to state their thesis early.
    lead = 1.0 + 0.3 * np.exp(-np.arange(count) / 8)
    return scores * lead


def _mmr(vectors: np.ndarray, relevance: np.ndarray, k: int, lam: float, eligible: list[bool]) -> list[int]:
    candidates = [i for i in range(len(vectors)) if eligible[i]] or list(range(len(vectors)))
    relevance = relevance / (relevance.max() or 1)
    chosen: list[int] = []
    while candidates and len(chosen) < k:
        def score(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return lam * float(relevance[i]) - (1 - lam) * redundancy

        best = max(candidates, key=score)
        chosen.append(best)
        candidates.remove(best)
    return chosen


def _why_it_matters(sentences, vectors, centrality, tldr_ids, related, related_vectors) -> str:
    remaining = [i for i in range(len(sentences)) if i not in tldr_ids and not sentences[i].text.endswith("?")]
    if not remaining:
        return "The post is short; its TL;DR carries its whole argument."
    stakes = np.array([1.0 if _STAKES_CUES.search(s.text) else 0.0 for s in sentences])
    base = centrality / (centrality.max() or 1)
    if related:
        closeness = (vectors @ related_vectors.T).max(axis=1)
        score = 0.5 * closeness + 0.3 * base + 0.2 * stakes
    else:
        score = 0.6 * base + 0.4 * stakes
    picked = sorted(sorted(remaining, key=lambda i: -score[i])[:2])
    text = " ".join(sentences[i].text for i in picked)
    if not related:
        text += " (No earlier note in the wiki covers this ground yet.)"
    return text


def _connections(sentences, vectors, related, related_vectors) -> list[Connection]:
    connections = []
    for index, note in enumerate(related):
        closeness = vectors @ related_vectors[index]
        best = int(np.argmax(closeness))
        if float(closeness[best]) < CONNECTION_THRESHOLD:
            continue
        shared = [w for w in keywords(sentences[best].text, 20) if w in set(keywords(f"{note.title} {note.tldr}", 30))]
        topic = f"shared ground on {', '.join(shared[:3])}" if shared else "closest earlier note on this theme"
        connections.append(
            Connection(target=note.id, label=note.title, date=note.published, reason=f"{topic}: this post says \u201c{sentences[best].text}\u201d")
        )
    return connections[:4]


def _research_angle(sentences, centrality, tldr_ids) -> list[str]:
    scored = [
        (len(_LIMITATION_CUES.findall(s.text)) * float(centrality[i]), s.text)
        for i, s in enumerate(sentences)
        if i not in tldr_ids and _LIMITATION_CUES.search(s.text) and not s.text.endswith("?")
    ]
    picked = [text for _, text in sorted(scored, key=lambda pair: -pair[0])[:3]]
    return picked or ["The post states no limitations or follow-up work of its own."]


def _open_questions(sentences) -> list[str]:
    """The post's own questions; real interrogatives before rhetorical statements that end in '?'."""
    seen: set[str] = set()
    questions = []
    for sentence in sentences:
        key = sentence.text.lower()
        if sentence.text.endswith("?") and key not in seen:
            seen.add(key)
            questions.append(sentence.text)
    questions.sort(key=lambda text: 0 if _QUESTION_START.match(text) else 1)
    return questions[:5] or ["The post poses no explicit questions."]


def _empty_summary(title: str) -> Summary:
    return Summary(
        tldr=f"The feed carried no body text for \u201c{title}\u201d; only its title is known.",
        why_it_matters="Nothing to assess without the post's text.",
        connections=[],
        research_angle=["No text to draw a research angle from."],
        open_questions=["No text to draw questions from."],
    )
