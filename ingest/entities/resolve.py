"""Resolution: which page each proposed entity is. Canonical ids first, then exact names and aliases, then fuzzy
and embedding similarity. Only near-certain matches merge; a likely-but-uncertain match gets its own page plus a
review item, so nothing is merged silently and nothing is lost."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from graph.model import Entity
from ingest.entities.catalog import EntityCatalog, name_key, names_of, ref_of
from ingest.entities.extract import Proposal
from ingest.entities.gazetteer import fold, is_acronym_like, key_of
from ingest.entities.review import ReviewItem
from graph.slugs import slugify

ORG_SUFFIX_RE = re.compile(r"[\s,]+(?:AI|Inc\.?|Incorporated|Labs?|Corp\.?|Corporation|Ltd\.?|LLC|Co\.?|GmbH)$")


@dataclass(frozen=True)
class Thresholds:
    fuzzy_merge: float = 96.0  # rapidfuzz ratio (0-100) at which two spellings are the same entity
    fuzzy_review: float = 88.0  # at which they might be
    embedding_review: float = 0.92  # cosine at which two names might be the same entity (never merged alone)
    min_merge_length: int = 6  # short names differ by one letter too easily ("GPT-4" / "GPT-5")


@dataclass
class Resolved:
    proposal: Proposal
    ref: str
    created: bool  # a new page for this entity
    new_aliases: list[str] = field(default_factory=list)
    review: ReviewItem | None = None


def resolve_all(
    proposals: list[Proposal], catalog: EntityCatalog, embedder=None, thresholds: Thresholds = Thresholds()
) -> list[Resolved]:
    """Resolve in order; an entity created for one proposal is visible to the next (so a post naming a thing
    twice, spelled two ways, makes one page). New entities are added to `catalog` (not written)."""
    results = []
    for proposal in sorted(proposals, key=lambda p: (-p.strength, p.type, p.name)):
        results.append(resolve_one(proposal, catalog, embedder, thresholds))
    return results


def resolve_one(proposal: Proposal, catalog: EntityCatalog, embedder, thresholds: Thresholds) -> Resolved:
    for scheme, value in sorted(proposal.external_ids.items()):
        ref = catalog.by_external_id(scheme, value)
        if ref:
            return _existing(proposal, catalog, ref, name_is_alias=True)
    ref = _exact(proposal, catalog)
    if ref:
        return _existing(proposal, catalog, ref)
    fuzzy = _fuzzy(proposal, catalog, thresholds)
    if fuzzy and fuzzy[1] >= thresholds.fuzzy_merge and len(proposal.name) >= thresholds.min_merge_length:
        resolved = _existing(proposal, catalog, fuzzy[0])
        resolved.new_aliases = sorted({*resolved.new_aliases, proposal.name} - set(names_of(catalog.entities[fuzzy[0]])))
        return resolved
    candidate = fuzzy if fuzzy and fuzzy[1] >= thresholds.fuzzy_review else None
    method = "fuzzy"
    if candidate is None and embedder is not None:
        candidate, method = _embedding_match(proposal, catalog, embedder, thresholds), "embedding"
    resolved = _create(proposal, catalog)
    if candidate:
        keep = catalog.page(candidate[0])
        resolved.review = ReviewItem("possible-duplicate", proposal.type, keep, catalog.page(resolved.ref), method,
                                     round(float(candidate[1]), 3), proposal.name)
    return resolved


def _existing(proposal: Proposal, catalog: EntityCatalog, ref: str, name_is_alias: bool = False) -> Resolved:
    """`name_is_alias`: matched by a canonical id, so the proposal's name is another name of the entity (a paper
    known so far as "arXiv 2401.01234" learns its title)."""
    entity = catalog.entities[ref]
    known = {name_key(name) for name in names_of(entity)}
    spellings = [proposal.name, *proposal.aliases] if name_is_alias else proposal.aliases
    additions = [alias for alias in spellings if name_key(alias) not in known and _worth_keeping(alias)]
    return Resolved(proposal, ref, created=False, new_aliases=sorted(set(additions)))


def _worth_keeping(alias: str) -> bool:
    """Acronyms and distinct spellings are worth an alias; "arXiv 2401.01234" placeholders are not."""
    return not alias.startswith("arXiv ")


def _exact(proposal: Proposal, catalog: EntityCatalog) -> str | None:
    names = [proposal.name, *proposal.aliases]
    if proposal.type == "Organization":
        names += [ORG_SUFFIX_RE.sub("", name) for name in names]
    refs: set[str] = set()
    for name in names:
        refs |= catalog.by_name(name)
        if proposal.type == "Organization":
            refs |= {ref for ref in catalog.by_name(name + " AI") if ref.startswith("Organization/")}
    if not refs:
        return None
    same_type = sorted(ref for ref in refs if ref.startswith(proposal.type + "/"))
    if same_type:
        return same_type[0]
    # The vault's own typing wins over a guess from context; an id-bearing proposal (an arXiv paper) keeps its type.
    # Across types, a capitalisation-marked name must match in case too: "xAI" the company is not "XAI" the field.
    exact = {key_of(name) for name in names}
    refs = {
        ref for ref in refs
        if not any(is_acronym_like(name) for name in names)
        or exact & {key_of(name) for name in names_of(catalog.entities[ref])}
    }
    return None if proposal.strength >= 3 or not refs else sorted(refs)[0]


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def _fuzzy(proposal: Proposal, catalog: EntityCatalog, thresholds: Thresholds) -> tuple[str, float] | None:
    query = fold(key_of(proposal.name))
    choices: dict[tuple[str, str], str] = {}
    for ref, entity in catalog.of_type(proposal.type).items():
        for name in names_of(entity):
            if _digits(name) == _digits(proposal.name):
                choices[(ref, name)] = fold(key_of(name))
    if not choices:
        return None
    best = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=thresholds.fuzzy_review)
    if best is None:
        return None
    _, score, (ref, _) = best
    return ref, score


def _embedding_match(proposal: Proposal, catalog: EntityCatalog, embedder, thresholds: Thresholds):
    same_type = {
        ref: entity for ref, entity in catalog.of_type(proposal.type).items() if _digits(entity.name) == _digits(proposal.name)
    }
    if not same_type:
        return None
    missing = [ref for ref in sorted(same_type) if ref not in catalog.vectors]
    if missing:
        vectors = embedder.embed([_embedding_text(same_type[ref]) for ref in missing])
        catalog.vectors.update(zip(missing, vectors))
    query = embedder.embed_one(_embedding_text(proposal))
    scored = [(ref, _cosine(query, catalog.vectors[ref])) for ref in sorted(same_type)]
    ref, score = max(scored, key=lambda item: item[1])
    return (ref, score) if score >= thresholds.embedding_review else None


def _embedding_text(item: Entity | Proposal) -> str:
    return f"{item.type}: {item.name}"


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _create(proposal: Proposal, catalog: EntityCatalog) -> Resolved:
    entity_id = _free_id(proposal, catalog)
    aliases = [alias for alias in proposal.aliases if _worth_keeping(alias) and name_key(alias) != name_key(proposal.name)]
    bare = ORG_SUFFIX_RE.sub("", proposal.name) if proposal.type == "Organization" else proposal.name
    if bare != proposal.name and len(bare) >= 3 and not catalog.by_name(bare):
        aliases.append(bare)  # "Mistral AI" is also called "Mistral"
    entity = Entity(id=entity_id, type=proposal.type, name=proposal.name, aliases=sorted(set(aliases)),
                    external_ids=dict(sorted(proposal.external_ids.items())))
    catalog.add(entity)
    return Resolved(proposal, ref_of(proposal.type, entity_id), created=True)


def _free_id(proposal: Proposal, catalog: EntityCatalog) -> str:
    base = slugify(proposal.name) or slugify("-".join(proposal.external_ids.values())) or "entity"
    if proposal.type == "Paper" and proposal.name.startswith("arXiv ") and "arxiv" in proposal.external_ids:
        base = "arxiv-" + slugify(proposal.external_ids["arxiv"])
    candidate, number = base, 2
    while ref_of(proposal.type, candidate) in catalog.entities:
        candidate, number = f"{base}-{number}", number + 1
    return candidate
