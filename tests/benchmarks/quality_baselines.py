"""Baselines for the retrieval-quality benchmark, and its metrics.

Each retriever is built over the same article texts (title + facts) and answers a question with article URLs,
best first, without repeats:

- BM25 (bm25s: English stop words, its default tokenizer and parameters, one document per article);
- dense: the same embedding model as wikigraph, plain cosine over article chunks (facts grouped up to
  CHUNK_CHARS, each embedded with the title in front), an article scored by its best chunk;
- llama-index: `VectorStoreIndex.from_documents` with its default node parser and in-memory vector store,
  `as_retriever(similarity_top_k=…)`; the embedding model through llama-index-embeddings-fastembed from the local
  model directory; `Settings.llm` is a MockLLM (nothing is generated, nothing leaves the machine). The documents
  carry title, source and date as metadata, embedded by llama-index's default; the URL is metadata it does not embed.

Metrics, as in the multihop-rag paper: Hits@k is the share of a question's gold articles found in the top k;
MRR@10 is 1 / rank of the first gold article in the top 10 (0 when none is). Questions without gold articles
(null queries) are left out and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tests.benchmarks.multihop_wiki import Article, canonical

CHUNK_CHARS = 800
Retriever = Callable[[str, int], list[str]]


def bm25_retriever(articles: Sequence[Article]) -> Retriever:
    import bm25s

    urls = [canonical(a.url) for a in articles]
    model = bm25s.BM25()
    model.index(bm25s.tokenize([a.text for a in articles], stopwords="en", show_progress=False), show_progress=False)

    def retrieve(question: str, k: int) -> list[str]:
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        docs, _ = model.retrieve(tokens, k=min(k, len(urls)), show_progress=False)
        return [urls[i] for i in docs[0]]

    return retrieve


def article_chunks(article: Article) -> list[str]:
    chunks, current = [], ""
    for fact in article.facts:
        if current and len(current) + len(fact) + 1 > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current} {fact}".strip()
    chunks.append(current)
    return [f"{article.title}. {chunk}" for chunk in chunks]


def dense_retriever(articles: Sequence[Article], embedder) -> Retriever:
    owners, texts = [], []
    for article in articles:
        for chunk in article_chunks(article):
            owners.append(canonical(article.url))
            texts.append(chunk)
    matrix = _normalised(np.asarray(embedder.embed(texts), dtype=np.float32))

    def retrieve(question: str, k: int) -> list[str]:
        query = _normalised(np.asarray([embedder.embed_one(question)], dtype=np.float32))[0]
        ranked = []
        for i in np.argsort(-(matrix @ query)):
            if owners[i] not in ranked:
                ranked.append(owners[i])
                if len(ranked) == k:
                    break
        return ranked

    return retrieve


def _normalised(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def llama_index_retriever(articles: Sequence[Article], model_path: Path, model_name: str) -> Retriever:
    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.core.llms import MockLLM
    from llama_index.embeddings.fastembed import FastEmbedEmbedding

    Settings.llm = MockLLM()
    Settings.embed_model = FastEmbedEmbedding(model_name=model_name, specific_model_path=str(model_path))
    documents = [
        Document(
            text=article.text,
            metadata={"title": article.title, "source": article.source, "published": article.published.date().isoformat(),
                      "url": canonical(article.url)},
            excluded_embed_metadata_keys=["url"],
            excluded_llm_metadata_keys=["url"],
        )
        for article in articles
    ]
    index = VectorStoreIndex.from_documents(documents)

    def retrieve(question: str, k: int) -> list[str]:
        ranked = []
        for hit in index.as_retriever(similarity_top_k=3 * k).retrieve(question):
            url = hit.node.metadata["url"]
            if url not in ranked:
                ranked.append(url)
        return ranked[:k]

    return retrieve


# --- metrics ------------------------------------------------------------------------------------


def hits_at(ranked: list[str], gold: set[str], k: int) -> float:
    return len(gold & set(ranked[:k])) / len(gold)


def mrr_at(ranked: list[str], gold: set[str], k: int = 10) -> float:
    return next((1.0 / rank for rank, url in enumerate(ranked[:k], start=1) if url in gold), 0.0)


def evaluate(rankings: dict[str, list[str]], queries: list[dict]) -> dict[str, dict[str, float]]:
    """{query type or "all": {"n", "hits@4", "hits@10", "mrr@10"}} over the queries with gold articles."""
    per_type: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for query in queries:
        gold = {canonical(url) for url in query["gold_urls"]}
        if not gold:
            continue
        ranked = rankings[query["id"]]
        row = (hits_at(ranked, gold, 4), hits_at(ranked, gold, 10), mrr_at(ranked, gold))
        per_type[query["question_type"]].append(row)
        per_type["all"].append(row)
    return {
        kind: {"n": len(rows), "hits@4": _mean(r[0] for r in rows), "hits@10": _mean(r[1] for r in rows),
               "mrr@10": _mean(r[2] for r in rows)}
        for kind, rows in per_type.items()
    }


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
