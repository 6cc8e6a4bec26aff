"""Merging two entity pages that turned out to be one entity: `wikigraph entities merge A B` keeps A.

A gains B's name and aliases as aliases, B's external ids (A's own win), the wider seen range, B's declared links,
and B's body appended under a heading. Every `[[link]]` to B in the vault and every note's `entities:` entry for B
are rewritten to A, then B's page is removed. Each file is written atomically; B's page goes last, so an
interrupted merge can simply be run again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.entities_md import entity_paths, parse_entity, render_entity
from graph.errors import WikigraphError
from graph.model import ENTITY_FOLDERS, ENTITY_LINK_FIELDS, ENTITY_TYPES, Entity
from graph.notes_md import parse_note, render_note
from graph.page_blocks import without_generated
from graph.vault import Vault, atomic_write_text
from graph.wikilinks import WIKILINK_RE, format_wikilink
from ingest.entities.catalog import forget_catalog, name_key
from ingest.entities.properties import date_is_first_reported
from ingest.entities.review import load_queue, save_queue


class EntityMergeError(WikigraphError):
    """The pages cannot be merged (missing, the same page, or of different types)."""


@dataclass
class MergeReport:
    kept: str
    removed: str
    files_changed: list[str] = field(default_factory=list)


def find_page(vault: Vault, reference: str) -> Path:
    """A page from "orgs/acme", "orgs/acme.md", "Organization/acme" or a bare id found in exactly one folder."""
    text = reference.strip().removesuffix(".md")
    folder, _, entity_id = text.rpartition("/")
    if folder in ENTITY_TYPES:
        folder = ENTITY_FOLDERS[folder]
    candidates = (
        [vault.root / folder / f"{entity_id}.md"]
        if folder
        else [vault.root / ENTITY_FOLDERS[t] / f"{entity_id}.md" for t in ENTITY_TYPES]
    )
    found = [path for path in candidates if path.exists()]
    if len(found) != 1:
        what = "no" if not found else "more than one"
        raise EntityMergeError(f"{what} entity page matches {reference!r} (use folder/id, e.g. orgs/{entity_id})")
    return found[0]


def merge_entities(vault: Vault, keep_reference: str, other_reference: str) -> MergeReport:
    keep_path, other_path = find_page(vault, keep_reference), find_page(vault, other_reference)
    if keep_path.resolve() == other_path.resolve():
        raise EntityMergeError(f"{keep_reference!r} and {other_reference!r} are the same page")
    keep = parse_entity(keep_path.read_text(encoding="utf-8"), keep_path)
    other = parse_entity(other_path.read_text(encoding="utf-8"), other_path)
    if keep.type != other.type:
        raise EntityMergeError(f"cannot merge a {other.type} page into a {keep.type} page")
    report = MergeReport(vault.relative(keep_path), vault.relative(other_path))
    merged = merged_entity(keep, other)
    if atomic_write_text(keep_path, render_entity(merged)):
        report.files_changed.append(report.kept)
    rewrite = LinkRewrite(other, merged)
    pages = {path.resolve() for path in entity_paths(vault)}
    for path in _vault_markdown(vault, {keep_path.resolve(), other_path.resolve()}):
        if _rewrite_file(path, rewrite, vault, pages):
            report.files_changed.append(vault.relative(path))
    _settle_reviews(vault, report)
    other_path.unlink()
    forget_catalog(vault)
    return report


def merged_entity(keep: Entity, other: Entity) -> Entity:
    known = {name_key(name) for name in (keep.name, *keep.aliases)}
    aliases = list(keep.aliases)
    for name in (other.name, *other.aliases):
        if name_key(name) not in known:
            aliases.append(name)
            known.add(name_key(name))
    links = {key: list(dict.fromkeys([*keep.links.get(key, []), *other.links.get(key, [])]))
             for key in sorted(set(keep.links) | set(other.links))}
    seen = [d for d in (keep.first_seen, other.first_seen) if d]
    last = [d for d in (keep.last_seen, other.last_seen) if d]
    merged = replace(
        keep,
        aliases=aliases,
        external_ids={**other.external_ids, **keep.external_ids},
        first_seen=min(seen) if seen else None,
        last_seen=max(last) if last else None,
        links=links,
        body=_merged_body(keep, other),
        extra={**other.extra, **keep.extra},
    )
    return _first_reported_date(keep, other, merged)


def _first_reported_date(keep: Entity, other: Entity, merged: Entity) -> Entity:
    """A first-reported `date` is the merged page's first seen; a date a person set (on either page, the kept
    page's first) stays."""
    if merged.type != "PolicyEvent":
        return merged
    set_by_hand = [page.extra["date"] for page in (keep, other) if not date_is_first_reported(page)]
    extra = dict(merged.extra)
    if set_by_hand:
        extra["date"] = set_by_hand[0]
    elif merged.first_seen is not None:
        extra["date"] = merged.first_seen
    return replace(merged, extra=extra)


def _merged_body(keep: Entity, other: Entity) -> str:
    # The other page's own title line and generated block (rewritten for the kept page) are dropped.
    own = re.sub(r"\A\s*#\s+.*\n?", "", without_generated(other.body)).strip()
    if not own:
        return keep.body
    base = keep.body.rstrip("\n")
    return f"{base}\n\n## Merged from {other.name}\n\n{own}\n"


@dataclass
class LinkRewrite:
    """What a link to the removed page looks like, and what it becomes."""

    other: Entity
    keep: Entity

    def target(self, target: str) -> str | None:
        folder = ENTITY_FOLDERS[self.other.type]
        plain = target.removesuffix(".md")
        if plain == self.other.id:
            return self.keep.id
        if plain == f"{folder}/{self.other.id}":
            return f"{folder}/{self.keep.id}"
        if name_key(plain) == name_key(self.other.name):
            return self.keep.name if "[" not in self.keep.name and "]" not in self.keep.name else self.keep.id
        return None

    def text(self, text: str) -> str:
        def replace_link(match: re.Match) -> str:
            new = self.target(match.group(1).strip())
            if new is None:
                return match.group(0)
            label = (match.group(2) or "").strip() or None
            return format_wikilink(new, label)

        return WIKILINK_RE.sub(replace_link, text)


def _vault_markdown(vault: Vault, skip: set[Path]) -> list[Path]:
    raw = vault.raw_dir.resolve()
    paths = []
    for path in sorted(vault.root.rglob("*.md")):
        resolved = path.resolve()
        if resolved in skip or raw in resolved.parents:  # raw posts are records of what was fetched
            continue
        paths.append(path)
    return paths


def _rewrite_file(path: Path, rewrite: LinkRewrite, vault: Vault, pages: set[Path]) -> bool:
    text = path.read_text(encoding="utf-8")
    if path.parent.resolve() == vault.notes_dir.resolve():
        new_text = _rewrite_note(text, path, rewrite)
    elif path.resolve() in pages:
        new_text = _rewrite_entity_page(text, path, rewrite)
    else:
        new_text = rewrite.text(text)
    return new_text != text and atomic_write_text(path, new_text)


def _rewrite_note(text: str, path: Path, rewrite: LinkRewrite) -> str:
    if rewrite.text(text) == text and not _mentions(text, rewrite):
        return text
    note = parse_note(text, str(path))
    connections = []
    for connection in note.connections:
        target = rewrite.target(connection.target)
        connections.append(replace(connection, target=target) if target else connection)
    note.connections = connections
    note.entities = _merged_mentions(note.entities, rewrite)
    for attribute in ("tldr", "why_it_matters"):
        setattr(note, attribute, rewrite.text(getattr(note, attribute)))
    note.research_angle = [rewrite.text(item) for item in note.research_angle]
    note.open_questions = [rewrite.text(item) for item in note.open_questions]
    note.extra_sections = {name: rewrite.text(body) for name, body in note.extra_sections.items()}
    return render_note(note)


def _mentions(text: str, rewrite: LinkRewrite) -> bool:
    return f"id: {rewrite.other.id}" in text


def _merged_mentions(entities: list[dict], rewrite: LinkRewrite) -> list[dict]:
    other, keep = rewrite.other, rewrite.keep
    merged: dict[tuple[str, str], dict] = {}
    for entry in entities:
        entry = dict(entry)
        if entry.get("type") == other.type and entry.get("id") == other.id:
            entry.update(id=keep.id, name=keep.name)
        key = (str(entry.get("type")), str(entry.get("id")))
        if key in merged:
            mine = merged[key]
            mine["count"] = int(mine.get("count", 0)) + int(entry.get("count", 0))
            mine["salience"] = round(min(1.0, float(mine.get("salience", 0)) + float(entry.get("salience", 0))), 4)
        else:
            merged[key] = entry
    return sorted(merged.values(), key=lambda e: (-float(e.get("salience", 0)), str(e.get("type")), str(e.get("id"))))


def _rewrite_entity_page(text: str, path: Path, rewrite: LinkRewrite) -> str:
    entity = parse_entity(text, path)
    declared = ENTITY_LINK_FIELDS[entity.type]
    links = {
        key: [rewrite.keep.id if target == rewrite.other.id and declared[key][1] == rewrite.other.type else target
              for target in targets]
        for key, targets in entity.links.items()
    }
    links = {key: list(dict.fromkeys(targets)) for key, targets in links.items()}
    updated = replace(entity, links=links, body=rewrite.text(entity.body))
    return text if updated == entity else render_entity(updated)


def _settle_reviews(vault: Vault, report: MergeReport) -> None:
    queue = load_queue(vault)
    pages = {report.kept, report.removed}
    touched = [item for item in queue.pending if {item.keep, item.other} == pages]
    for item in touched:
        queue.decide(item.id, "accepted")
    stale = [item for item in queue.pending if report.removed in (item.keep, item.other)]
    for item in stale:
        queue.decide(item.id, f"merged into {report.kept}")
    if touched or stale:
        save_queue(vault, queue)
