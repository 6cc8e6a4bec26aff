"""Ambiguous matches waiting for a person: `wiki_content/_review/entities.yaml`.

The queue lives in the vault, next to the pages it is about, so it is versioned with them and visible in an
Obsidian vault; it is YAML rather than a page so the graph never mistakes it for content. Items are keyed by
a stable id (a hash of kind, type and the two pages), so re-running an ingest never adds the same question twice,
and a rejected pair is remembered and never asked again.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from graph.errors import WikigraphError
from graph.vault import Vault, atomic_write_text

REVIEW_FILE = "_review/entities.yaml"
HEADER = (
    "# Entity matches that need a person. Decide with `wikigraph entities review --accept ID` (merge the second\n"
    "# page into the first) or `--reject ID` (they are different). Edits by hand are fine too.\n"
)


class ReviewFileError(WikigraphError):
    """The review file exists but is not a readable review queue."""


@dataclass
class ReviewItem:
    kind: str  # "possible-duplicate" | "ambiguous-name"
    type: str
    keep: str  # vault-relative page that would remain (e.g. "orgs/mistral-ai.md")
    other: str  # page that would be merged into it
    method: str  # "fuzzy" | "embedding" | "alias"
    score: float
    surface: str = ""
    seen_in: list[str] = field(default_factory=list)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            basis = "|".join((self.kind, self.type, *sorted((self.keep, self.other))))
            self.id = hashlib.sha1(basis.encode()).hexdigest()[:8]


@dataclass
class ReviewQueue:
    pending: list[ReviewItem] = field(default_factory=list)
    decided: list[dict] = field(default_factory=list)

    def known(self, item_id: str) -> bool:
        return any(i.id == item_id for i in self.pending) or any(d.get("id") == item_id for d in self.decided)

    def add(self, item: ReviewItem) -> bool:
        for existing in self.pending:
            if existing.id == item.id:
                new_seen = sorted(set(existing.seen_in) | set(item.seen_in))
                changed = new_seen != existing.seen_in
                existing.seen_in = new_seen
                return changed
        if self.known(item.id):
            return False
        self.pending.append(item)
        self.pending.sort(key=lambda i: (i.type, i.keep, i.other))
        return True

    def find(self, item_id: str) -> ReviewItem:
        for item in self.pending:
            if item.id == item_id:
                return item
        raise ReviewFileError(f"no pending review item {item_id!r} (see `wikigraph entities review`)")

    def decide(self, item_id: str, decision: str) -> ReviewItem:
        item = self.find(item_id)
        self.pending.remove(item)
        self.decided.append({"id": item.id, "decision": decision, "type": item.type, "keep": item.keep, "other": item.other})
        return item


def review_path(vault: Vault) -> Path:
    return vault.root / REVIEW_FILE


def load_queue(vault: Vault) -> ReviewQueue:
    path = review_path(vault)
    if not path.exists():
        return ReviewQueue()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        pending = [ReviewItem(**item) for item in data.get("pending") or []]
        decided = [dict(item) for item in data.get("decided") or []]
    except (yaml.YAMLError, TypeError, AttributeError) as exc:
        raise ReviewFileError(f"{path}: not a review queue ({exc})") from exc
    return ReviewQueue(pending, decided)


def save_queue(vault: Vault, queue: ReviewQueue) -> bool:
    data = {"pending": [asdict(item) for item in queue.pending], "decided": queue.decided}
    text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return atomic_write_text(review_path(vault), text)
