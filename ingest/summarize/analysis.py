"""What every section of an extractive summary reads from: the post's sentences, the embedded shortlist, centrality."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingest.summarize.document import Document, Sentence
from ingest.summarize.ranking import VectorCache, lexrank, shortlist

# Sentences embedded and ranked per post: bounds the O(n²) similarity graph and the embedding time on long posts.
MAX_RANKED_SENTENCES = 200
# Always ranked on long posts, whatever their lexical score: authors state their thesis early.
LEADING_SENTENCES = 30
MIN_RANKED_WORDS, MAX_RANKED_WORDS = 5, 80
_URL = re.compile(r"https?://|www\.")
# Sentences that point at something outside the text (a figure, a link, what comes next) do not stand alone.
_POINTS_ELSEWHERE = re.compile(
    r"\b(?:below|above|the (?:following|figure|chart|plot|table|graph|image|screenshot|video)|shown here|"
    r"check (?:it )?out|this (?:video|thread|tweet|link|clip|photo|chart|figure|plot)|here(?=\s*[.,;:()]|$)|"
    r"here(?:'s| is| are)\b)",
    re.IGNORECASE,
)


@dataclass
class Analysis:
    document: Document
    ranked: list[int]  # positions of the sentences that were embedded and ranked
    vectors: np.ndarray  # unit vectors, one row per ranked sentence
    centrality: np.ndarray  # LexRank score per ranked sentence, max 1
    title_similarity: np.ndarray  # cosine to the title per ranked sentence
    centroid: np.ndarray  # the post as one unit vector: its sentences weighted by centrality
    _row_of: dict[int, int]

    @classmethod
    def of(cls, document: Document, cache: VectorCache) -> Analysis:
        candidates = [s for s in document.sentences if MIN_RANKED_WORDS <= s.words <= MAX_RANKED_WORDS]
        picked = shortlist([s.text for s in candidates], MAX_RANKED_SENTENCES, LEADING_SENTENCES)
        ranked = [candidates[i].position for i in picked]
        texts = [document.sentences[p].text for p in ranked]
        if not texts:
            empty = np.zeros(0)
            return cls(document, [], np.zeros((0, 1), dtype=np.float32), empty, empty, np.zeros(1), {})
        # One batch per post: the title rides along with the sentences.
        vectors = cache.vectors([*texts, document.title or texts[0]])
        sentence_vectors, title_vector = vectors[:-1], vectors[-1]
        centrality = lexrank(sentence_vectors)
        centroid = centrality @ sentence_vectors
        return cls(
            document=document,
            ranked=ranked,
            vectors=sentence_vectors,
            centrality=centrality,
            title_similarity=sentence_vectors @ title_vector,
            centroid=centroid / (np.linalg.norm(centroid) or 1.0),
            _row_of={position: row for row, position in enumerate(ranked)},
        )

    def sentence(self, position: int) -> Sentence:
        return self.document.sentences[position]

    def row(self, position: int) -> int | None:
        return self._row_of.get(position)

    def quality(self, position: int, unranked: float = 0.3) -> float:
        """Centrality of a sentence, with a neutral value for sentences outside the ranked shortlist."""
        row = self._row_of.get(position)
        return float(self.centrality[row]) if row is not None else unranked


def is_standalone(sentence: Sentence, min_words: int = 8, max_words: int = 45) -> bool:
    """A sentence a reader can take out of the post and still understand."""
    return (
        is_quotable(sentence, min_words, max_words)
        and not sentence.aside
        and not sentence.is_fragment
        and not sentence.depends_on_previous
        and not points_elsewhere(sentence)
    )


def points_elsewhere(sentence: Sentence) -> bool:
    """Refers to a figure, a link or what comes next: unreadable once taken out of the post."""
    return bool(_POINTS_ELSEWHERE.search(sentence.text))


def is_quotable(sentence: Sentence, min_words: int = 6, max_words: int = 60) -> bool:
    """Good enough to quote next to a connective phrase: the author's own complete, intact statement."""
    return (
        sentence.is_statement
        and not sentence.quoted
        and min_words <= sentence.words <= max_words
        and not sentence.damaged
        and not _URL.search(sentence.text)
    )
