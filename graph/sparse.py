"""BM25-style sparse vectors computed here, offline, for Qdrant's sparse index.

Qdrant scores a sparse query as the dot product of query and document weights. With the
collection's sparse vector configured with `modifier=IDF`, Qdrant multiplies each query term
by its inverse document frequency over the collection (kept up to date as points change), so:

- a document's weights are BM25's term-frequency part, `tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))`;
- a query's weights are 1 per distinct term;
- dot product × IDF = the BM25 score.

Terms are lower-cased words, English stop words dropped, Snowball-stemmed, and hashed to a
32-bit id (blake2b): no vocabulary to store or keep in step, and collisions among the few
thousand terms a wiki holds are rare and harmless (two terms sharing a weight).

`avgdl` is a constant (about the length of a chunk), not the corpus mean: a corpus mean would
change every weight whenever a note is added. Changing the tokeniser, the hash or these constants
changes the vectors, so it is a new index layout (`graph/vectors.py`, `wikigraph reindex`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from py_rust_stemmers import SnowballStemmer

K1 = 1.2
B = 0.75
AVERAGE_TERMS = 120
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself yourselves
    """.split()
)


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


_stemmer = SnowballStemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stem_word(word)


def words(text: str) -> list[str]:
    """The lower-cased words of `text` that are not stop words, in order (one-letter words dropped unless digits)."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS and (len(word) > 1 or word.isdigit())]


def terms(text: str) -> list[str]:
    """The indexed terms of `text`: its words, stemmed."""
    return [stem(word) for word in words(text)]


@lru_cache(maxsize=65536)
def term_id(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big")


def document_vector(text: str) -> SparseVector:
    """BM25 term-frequency weights of a document (IDF is applied by Qdrant)."""
    counts = Counter(term_id(term) for term in terms(text))
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / AVERAGE_TERMS)
    ordered = sorted(counts.items())
    return SparseVector([index for index, _ in ordered], [tf * (K1 + 1) / (tf + norm) for _, tf in ordered])


def query_vector(text: str) -> SparseVector:
    """One per distinct term of the query."""
    ids = sorted({term_id(term) for term in terms(text)})
    return SparseVector(ids, [1.0] * len(ids))
