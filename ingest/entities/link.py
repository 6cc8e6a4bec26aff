"""Entity linking for one post: extract, resolve, count, write pages, and say what the post mentions.

This is the one call the ingest pipeline makes. Re-running it over an unchanged post changes nothing: the same
proposals resolve to the same pages (now by exact name), and the pages and review queue are rewritten only
when their text would change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import yaml

from graph.model import Mention
from graph.vault import Vault, split_front_matter
from ingest.entities.catalog import EntityCatalog, load_catalog, name_key, ref_of
from ingest.entities.coordination import coordinated, type_lookup
from ingest.entities.families import family_mentions
from ingest.entities.extract import Count, Proposal, count_mentions, find_all, group
from ingest.entities.found import weak_name
from ingest.entities.pages import catalog_taken, updated_entity, write_entity
from ingest.entities.resolve import Resolved, Thresholds, resolve_all
from ingest.entities.review import load_queue, save_queue
from ingest.entities.text import Segment, post_segments
from ingest.summarize.base import KnownEntity

log = logging.getLogger(__name__)


class EntityExtractor(Protocol):
    """A further source of proposals for a post (e.g. an LLM), used alongside the offline patterns."""

    name: str

    def extract(self, title: str, body_markdown: str) -> list[Proposal]: ...


@dataclass
class PostEntities:
    mentions: list[dict] = field(default_factory=list)  # Mention dicts for Note.entities, most salient first
    known: list[KnownEntity] = field(default_factory=list)  # mentioned entities that had a page before this post
    pages_written: list[str] = field(default_factory=list)
    review_items: list[str] = field(default_factory=list)


def link_post(
    vault: Vault,
    title: str,
    body_markdown: str,
    published: date,
    note_id: str,
    embedder=None,
    extractors: Sequence[EntityExtractor] = (),
    thresholds: Thresholds = Thresholds(),
) -> PostEntities:
    catalog = load_catalog(vault)
    before = set(catalog.entities)
    segments = post_segments(title, body_markdown)
    found = find_all(segments)
    proposals = group(found)
    type_of = type_lookup(proposals, lambda name: {ref.split("/", 1)[0] for ref in catalog.by_name(name)})
    found += coordinated(segments, type_of)
    found += family_mentions(segments, found)  # last: a name anything calls an organisation is no family
    proposals = group(found)
    for extractor in extractors:
        proposals.extend(extractor.extract(title, body_markdown))
    proposals = _plausible(proposals, catalog)
    resolved = resolve_all(proposals, catalog, embedder, thresholds)
    found_by_ref: dict[str, list] = {}
    for item in resolved:
        found_by_ref.setdefault(item.ref, []).extend(item.proposal.found)
    counts = count_mentions(segments, catalog.gazetteer, found_by_ref, {item.ref for item in resolved}, catalog.note_counts)
    counts = {ref: count for ref, count in counts.items() if count.count > 0 and ref in catalog.entities}
    for item in resolved:
        if item.created and item.ref not in counts:  # proposed but never actually counted: no page for it
            catalog.remove(item.ref)
            item.review = None
    result = PostEntities(mentions=_mentions(counts, catalog))
    result.pages_written = _write_pages(vault, catalog, counts, resolved, published, segments)
    result.review_items = _queue_reviews(vault, resolved, note_id)
    previous = _refs_in_note(vault, note_id)
    result.known = [
        KnownEntity(
            type=catalog.entities[ref].type,
            id=catalog.entities[ref].id,
            name=catalog.entities[ref].name,
            page=catalog.page(ref),
            mentions=counts[ref].count,
            notes=catalog.note_counts[ref] - (1 if ref in previous else 0),
        )
        for ref in sorted(counts, key=lambda r: (-counts[r].weight, r))
        if ref in before
    ]
    return result


def _plausible(proposals: list[Proposal], catalog: EntityCatalog) -> list[Proposal]:
    """Drop context guesses that clash with a name the vault or the post gives to something else: a "person"
    whose first name is a model family ("Claude Code" once "Claude 4" is a model) or who sits inside another
    name ("Monte Carlo" in "Monte Carlo tree search"); an "organisation" that is a person's surname."""
    proposals = _given_names_are_people(proposals)
    others = [p for p in proposals if p.type != "Person"]
    other_words = {name_key(p.name.split()[0]) for p in others} | {name_key(p.name) for p in others}
    other_keys = [name_key(p.name) for p in others] + [
        name_key(name) for ref, entity in catalog.entities.items() if entity.type != "Person" for name in (entity.name, *entity.aliases)
    ]
    surnames = {name_key(p.name.split()[-1]) for p in proposals if p.type == "Person" and len(p.name.split()) > 1}
    kept = []
    for proposal in proposals:
        key = name_key(proposal.name)
        if proposal.strength < 2 and proposal.type in ("Organization", "Model") and weak_name(proposal.name):
            continue
        if proposal.type == "Person" and proposal.strength < 2:
            words = proposal.name.split()
            if any(name_key(word) in other_words for word in words) or any(key in other for other in other_keys):
                continue
            if any(not ref.startswith("Person/") for word in (proposal.name, *words) for ref in catalog.by_name(word)):
                continue
        if proposal.type in ("Organization", "Model") and proposal.strength < 2 and key in surnames:
            continue
        if " and " in proposal.name and any(catalog.by_name(part) for part in proposal.name.split(" and ")):
            continue  # "QFL and Quillfeather Labs": two known names, not a new one
        kept.append(proposal)
    return kept


def _given_names_are_people(proposals: list[Proposal]) -> list[Proposal]:
    """ "John Roe's talk … a chat with John": a lone word that context alone made a model, and that is the
    given name of a person the post names, is that person."""
    given = {name_key(p.name.split()[0]) for p in proposals if p.type == "Person" and len(p.name.split()) > 1}
    return [
        p for p in proposals
        if not (p.type == "Model" and p.strength < 2 and " " not in p.name and name_key(p.name) in given)
    ]


def _mentions(counts: dict[str, Count], catalog: EntityCatalog) -> list[dict]:
    total = sum(count.weight for count in counts.values()) or 1.0
    mentions = []
    for ref, count in counts.items():
        entity = catalog.entities[ref]
        mention = Mention(entity.type, entity.id, entity.name, count.count, round(count.weight / total, 4))
        mentions.append(mention)
    mentions.sort(key=lambda m: (-m.salience, m.type, m.id))
    return [
        {"type": m.type, "id": m.id, "name": m.name, "count": m.count, "salience": m.salience} for m in mentions
    ]


def _write_pages(
    vault: Vault, catalog: EntityCatalog, counts: dict[str, Count], resolved: list[Resolved], seen: date,
    segments: list[Segment],
) -> list[str]:
    by_ref: dict[str, list[Resolved]] = {}
    for item in resolved:
        by_ref.setdefault(item.ref, []).append(item)
    written = []
    for ref in sorted(counts):
        items = by_ref.get(ref, [])
        aliases = sorted({alias for item in items for alias in item.new_aliases})
        ids = {k: v for item in items for k, v in sorted(item.proposal.external_ids.items())}
        entity = catalog.entities[ref]
        context = _context(segments, counts[ref]) if entity.type == "PolicyEvent" else []
        created = any(item.created for item in items)
        entity = updated_entity(entity, seen, aliases, ids, created, context, catalog_taken(catalog))
        if write_entity(vault, catalog, ref, entity):
            written.append(catalog.page(ref))
    return written


def _context(segments: list[Segment], count: Count) -> list[str]:
    """The paragraphs (and title) of the post that mention the entity: where its jurisdiction may be told."""
    return [segment.text for segment in segments if any(surface in segment.text for surface in count.surfaces)]


def _queue_reviews(vault: Vault, resolved: list[Resolved], note_id: str) -> list[str]:
    items = [item.review for item in resolved if item.review is not None]
    if not items:
        return []
    queue = load_queue(vault)
    added = []
    for item in items:
        item.seen_in = [note_id]
        if queue.add(item):
            added.append(item.id)
    if added:
        save_queue(vault, queue)
        log.info("entity review: %d item(s) queued for %s", len(added), note_id)
    return added


def _refs_in_note(vault: Vault, note_id: str) -> set[str]:
    path = vault.note_path(note_id)
    if not path.exists():
        return set()
    try:
        meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError):  # a malformed note is reported by the note reader
        return set()
    return {ref_of(str(e.get("type")), str(e.get("id"))) for e in meta.get("entities") or [] if isinstance(e, dict)}
