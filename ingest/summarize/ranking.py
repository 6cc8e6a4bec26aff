"""Sentence ranking: embeddings with a cache, LexRank centrality, MMR selection, and a cheap lexical pre-selection
that bounds the quadratic parts on long posts."""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Sequence

import numpy as np

from ingest.summarize.text import content_words


class VectorCache:
    """Unit-length embeddings of texts, each text embedded once (least recently used entries evicted).

    Related notes and entity names recur from post to post, and a post summarised twice (a retry,
    a fallback after an LLM failure) reuses its sentence vectors.
    """

    def __init__(self, embedder, max_entries: int = 8192) -> None:
        self._embedder = embedder
        self._max_entries = max_entries
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.embedded = 0  # texts sent to the model so far (cache misses)

    def __len__(self) -> int:
        return len(self._vectors)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        # Similar lengths batched together: the model pads each batch to its longest text.
        missing = sorted(dict.fromkeys(t for t in texts if t not in self._vectors), key=len)
        if missing:
            fresh = normalise(np.asarray(self._embedder.embed(missing), dtype=np.float32))
            self.embedded += len(missing)
            for text, vector in zip(missing, fresh):
                self._vectors[text] = vector
        rows = []
        for text in texts:
            self._vectors.move_to_end(text)
            rows.append(self._vectors[text])
        while len(self._vectors) > self._max_entries:
            self._vectors.popitem(last=False)
        return np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def lexrank(vectors: np.ndarray, threshold: float = 0.1, damping: float = 0.85, iterations: int = 40) -> np.ndarray:
    """Stationary distribution of a random walk on the sentence-similarity graph (continuous LexRank), max 1."""
    count = len(vectors)
    if count <= 1:
        return np.ones(count)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0)
    similarity = np.where(similarity > threshold, similarity, 0)
    row_sums = similarity.sum(axis=1, keepdims=True)
    transition = np.where(row_sums > 0, similarity / np.where(row_sums == 0, 1, row_sums), 1.0 / count)
    scores = np.full(count, 1.0 / count)
    for _ in range(iterations):
        updated = (1 - damping) / count + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-7:
            scores = updated
            break
        scores = updated
    return scores / scores.max()


def mmr(
    vectors: np.ndarray,
    relevance: np.ndarray,
    candidates: list[int],
    k: int,
    lam: float = 0.7,
    paraphrase: float = 0.85,
    already: list[int] | None = None,
) -> list[int]:
    """Maximal marginal relevance: each pick trades relevance against similarity to what is already picked;
    a candidate closer than `paraphrase` to a pick says the same thing again and is never taken."""
    chosen: list[int] = []
    redundancy = np.zeros(len(vectors))
    for index in already or []:
        redundancy = np.maximum(redundancy, vectors @ vectors[index])
    pool = [i for i in candidates if redundancy[i] < paraphrase]
    while pool and len(chosen) < k:
        scores = lam * relevance[pool] - (1 - lam) * redundancy[pool]
        best = pool[int(np.argmax(scores))]
        chosen.append(best)
        redundancy = np.maximum(redundancy, vectors @ vectors[best])
        pool = [i for i in pool if i != best and redundancy[i] < paraphrase]
    return chosen


def lexical_centrality(texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine of each text to the whole document: linear time, used to shortlist sentences on long posts."""
    bags = [Counter(content_words(text)) for text in texts]
    document_frequency = Counter(word for bag in bags for word in bag)
    total = len(bags)
    idf = {word: math.log(1 + total / df) for word, df in document_frequency.items()}
    centroid: Counter = Counter()
    for bag in bags:
        for word, count in bag.items():
            centroid[word] += count * idf[word]
    centroid_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    scores = np.zeros(total)
    for index, bag in enumerate(bags):
        weights = {word: count * idf[word] for word, count in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        scores[index] = sum(w * centroid[word] for word, w in weights.items()) / (norm * centroid_norm)
    return scores


def shortlist(texts: Sequence[str], limit: int, keep_first: int) -> list[int]:
    """Indices of at most `limit` texts: the first `keep_first` (authors state a thesis early) and the most central."""
    if len(texts) <= limit:
        return list(range(len(texts)))
    lexical = lexical_centrality(texts)
    head = list(range(min(keep_first, limit)))
    rest = sorted(range(len(head), len(texts)), key=lambda i: -lexical[i])[: limit - len(head)]
    return sorted(head + rest)
