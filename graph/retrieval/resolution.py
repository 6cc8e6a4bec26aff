"""Text to graph nodes: a name given on its own (`resolve_name`), or names inside a query (`find_mentions`).

Candidates come from the graph's full-text indexes on names and aliases (any word of the text,
long words also with one typo), from the entity's id (the slug of the text) and, for a name on
its own, from the entity vectors (name + aliases + first lines of the page). Each candidate is
then judged in Python, best method first:
- "id": the text's slug is the entity's id; "alias": the text equals its name or an alias
  (ignoring case, accents, punctuation and a leading article) — score 1;
- "fuzzy": rapidfuzz similarity to the name or an alias >= `fuzzy_threshold` — score ratio/100;
- "embedding": cosine of the text and the entity's vector >= the threshold — score the cosine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from graph import schema, sparse
from graph.slugs import slugify
from graph.retrieval import cypher as q
from graph.retrieval.results import Resolution
from graph.retrieval.subgraph import fetch_nodes

if TYPE_CHECKING:
    from graph.retrieval.service import RetrievalDeps

ENTITY_LABELS = schema.ENTITY_LABELS
SPEAKER_LABELS = ("Source", "Person")
NAME_CANDIDATES = 30
MAX_RESOLUTIONS = 10
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ARTICLES = ("the", "a", "an")
METHOD_ORDER = {"id": 0, "alias": 1, "fuzzy": 2, "embedding": 3}
PARTIAL = 0.92  # a name given only in part matches less well than the whole name spelt nearly right


@dataclass(frozen=True)
class Candidate:
    label: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, a leading article dropped."""
    tokens = fold_tokens(text)
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    return " ".join(tokens)


def fold_tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _TOKEN.findall(folded)


def name_candidates(deps: RetrievalDeps, text: str, labels: tuple[str, ...], limit: int = NAME_CANDIDATES) -> dict[tuple[str, str], Candidate]:
    """Nodes of `labels` whose name or aliases share a word with `text` (full-text index)."""
    found = q.name_search(deps.store.dialect, labels, sparse.words(text), limit)
    if found is None:
        return {}
    stmt, params = found
    candidates = {}
    for row in deps.store.run(stmt.name, stmt.cypher, params):
        key = (row["label"], row["id"])
        candidates.setdefault(key, Candidate(row["label"], row["id"], row["name"] or row["id"], tuple(row["aliases"] or ())))
    return candidates


def resolve_name(
    deps: RetrievalDeps,
    text: str,
    labels: tuple[str, ...] = ENTITY_LABELS,
    embedding_threshold: float | None = None,
    exhaustive: bool = True,
) -> list[Resolution]:
    """Every node of `labels` that `text` may name, best first. Not `exhaustive`: the embedding is
    consulted only when no name matches (what query understanding needs, and cheaper)."""
    config = deps.config
    threshold = config.embedding_threshold if embedding_threshold is None else embedding_threshold
    text = text.strip()
    if not normalize(text):
        return []
    candidates = name_candidates(deps, text, labels)
    by_id = fetch_nodes(deps.store, [(label, slugify(text)) for label in labels])
    for (label, node_id), node in by_id.items():
        candidates.setdefault((label, node_id), Candidate(label, node_id, node.get("name") or node.get("title") or node_id, tuple(node.get("aliases") or ())))
    judged = [_judged(text, candidate, key in by_id, config.fuzzy_threshold) for key, candidate in candidates.items()]
    judged = [resolution for resolution in judged if resolution is not None]
    entity_labels = tuple(label for label in labels if label in ENTITY_LABELS)
    if entity_labels and (exhaustive or not judged):
        named = {(r.type, r.id) for r in judged}
        for hit in deps.index.search_entities(deps.embedder.embed_one(text), None, config.entity_candidates, entity_labels, mode="dense"):
            if (hit.type, hit.entity_id) not in named and hit.score >= threshold:
                judged.append(Resolution(text, hit.entity_id, hit.type, hit.name, "embedding", round(hit.score, 6)))
    return rank(judged)[:MAX_RESOLUTIONS]


def _judged(text: str, candidate: Candidate, by_id: bool, fuzzy_threshold: float) -> Resolution | None:
    if by_id:
        return Resolution(text, candidate.id, candidate.label, candidate.name, "id", 1.0)
    verdict = judge(text, candidate, fuzzy_threshold)
    return Resolution(text, candidate.id, candidate.label, candidate.name, *verdict) if verdict else None


def stems(words: list[str]) -> list[str]:
    """Words reduced to their stems, so "adaptive attackers" names "adaptive attacker"."""
    return [sparse.stem(word) for word in words]


def judge(text: str, candidate: Candidate, fuzzy_threshold: float) -> tuple[str, float] | None:
    """("alias", 1) for a name or alias (word stems equal); ("fuzzy", ratio) for a near one, or for the
    words of a longer name (at least two words given, all found in the name: "scaling laws"),
    discounted by PARTIAL."""
    wanted = normalize(text)
    names = [normalize(name) for name in candidate.names if normalize(name)]
    if stems(wanted.split()) in [stems(name.split()) for name in names]:
        return ("alias", 1.0)
    best = max((max(fuzz.ratio(wanted, name), fuzz.token_sort_ratio(wanted, name)) for name in names), default=0.0)
    if len([word for word in wanted.split() if word not in sparse.STOP_WORDS]) >= 2:
        partial = max((fuzz.token_set_ratio(wanted, name) * PARTIAL for name in names if len(name) > len(wanted)), default=0.0)
        best = max(best, partial)
    if best >= fuzzy_threshold:
        return ("fuzzy", round(best / 100.0, 4))
    return None


def rank(resolutions: list[Resolution]) -> list[Resolution]:
    return sorted(resolutions, key=lambda r: (-r.score, METHOD_ORDER[r.method], r.type, r.id))


# --- names inside a query -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    first: int  # token positions, inclusive-exclusive
    stop: int
    resolution: Resolution


def find_mentions(deps: RetrievalDeps, query: str, labels: tuple[str, ...] = ENTITY_LABELS) -> list[Resolution]:
    """Entities the query names by name or alias (exactly, or with a typo), longest mention first.

    Mentions do not overlap: a longer one wins ("reward hacking benchmark" over "reward hacking");
    one stretch of text naming several entities equally well keeps them all.
    """
    tokens = [(match.start(), match.end(), normalize_token(match.group())) for match in _TOKEN.finditer(query)]
    words = [token for _, _, token in tokens]
    word_stems = stems(words)
    spans = []
    for candidate in name_candidates(deps, query, labels).values():
        span = _locate(query, tokens, words, word_stems, candidate, deps.config.fuzzy_threshold)
        if span:
            spans.append(span)
    spans.sort(key=lambda s: (-(s.stop - s.first), -s.resolution.score, METHOD_ORDER[s.resolution.method], s.resolution.id))
    chosen: list[_Span] = []
    for span in spans:
        same = [c for c in chosen if (c.first, c.stop) == (span.first, span.stop)]
        overlaps = any(c.first < span.stop and span.first < c.stop for c in chosen)
        if not overlaps or (same and same[0].resolution.score == span.resolution.score):
            chosen.append(span)
    chosen.sort(key=lambda s: (s.first, s.resolution.type, s.resolution.id))
    return [span.resolution for span in chosen]


def normalize_token(token: str) -> str:
    return " ".join(fold_tokens(token))


def _locate(query: str, tokens, words: list[str], word_stems: list[str], candidate: Candidate, threshold: float) -> _Span | None:
    best: _Span | None = None
    for name in candidate.names:
        target = fold_tokens(name)
        if target and len(target) > 1 and target[0] in _ARTICLES:
            target = target[1:]
        if not target or all(word in sparse.STOP_WORDS for word in target):
            continue
        target_stems = stems(target)
        for first in range(len(words) - len(target) + 1):
            if word_stems[first : first + len(target)] == target_stems and _case_ok(query, tokens, first, name, target):
                found = _span(query, tokens, first, first + len(target), candidate, "alias", 1.0)
                best = _better(best, found)
        if len(" ".join(target)) < 6:
            continue  # a short name matched loosely matches too much
        for size in {max(1, len(target) - 1), len(target), len(target) + 1}:
            for first in range(len(words) - size + 1):
                ratio = fuzz.ratio(" ".join(words[first : first + size]), " ".join(target))
                if ratio >= threshold:
                    best = _better(best, _span(query, tokens, first, first + size, candidate, "fuzzy", round(ratio / 100.0, 4)))
    return best


def _case_ok(query: str, tokens, first: int, name: str, target: list[str]) -> bool:
    """A short all-capitals name ("KD", "RL") must appear in capitals: "rl" in running text is not it."""
    if len(target) == 1 and len(target[0]) <= 3 and name.isupper():
        start, end, _ = tokens[first]
        return query[start:end] == name.strip()
    return True


def _span(query: str, tokens, first: int, stop: int, candidate: Candidate, method: str, score: float) -> _Span:
    surface = query[tokens[first][0] : tokens[stop - 1][1]]
    return _Span(first, stop, Resolution(surface, candidate.id, candidate.label, candidate.name, method, score))


def _better(current: _Span | None, found: _Span) -> _Span:
    if current is None:
        return found
    mine = (found.resolution.score, found.stop - found.first)
    theirs = (current.resolution.score, current.stop - current.first)
    return found if mine > theirs else current
