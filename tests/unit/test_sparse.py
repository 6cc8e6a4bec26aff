"""BM25 sparse vectors: terms, hashed ids, term-frequency saturation."""

from __future__ import annotations

from graph import sparse


def test_terms_are_lower_cased_stemmed_words_without_stop_words() -> None:
    assert sparse.terms("The Defenses of the LLMs are running") == ["defens", "llms", "run"]
    assert sparse.terms("a b 7 of") == ["7"]


def test_query_vector_has_one_weight_per_distinct_term() -> None:
    vector = sparse.query_vector("defense defenses trilemma")
    assert vector.values == [1.0, 1.0]
    assert vector.indices == sorted({sparse.term_id("defens"), sparse.term_id("trilemma")})
    assert not sparse.query_vector("the of and")


def test_document_weights_saturate_with_term_frequency_and_shrink_with_length() -> None:
    once = sparse.document_vector("trilemma")
    thrice = sparse.document_vector("trilemma trilemma trilemma")
    padded = sparse.document_vector("trilemma " + "filler " * 200)
    weight = dict(zip(once.indices, once.values))[sparse.term_id("trilemma")]
    weight3 = dict(zip(thrice.indices, thrice.values))[sparse.term_id("trilemma")]
    weight_long = dict(zip(padded.indices, padded.values))[sparse.term_id("trilemma")]
    assert weight < weight3 < 3 * weight  # more occurrences count, with diminishing returns
    assert weight3 < sparse.K1 + 1  # the BM25 ceiling
    assert weight_long < weight  # a long document's single mention counts for less


def test_term_ids_are_stable_32_bit_numbers() -> None:
    assert sparse.term_id("trilemma") == sparse.term_id("trilemma")
    assert 0 <= sparse.term_id("trilemma") < 2**32
    assert sparse.term_id("trilemma") != sparse.term_id("defens")
