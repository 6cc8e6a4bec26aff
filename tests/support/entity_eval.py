"""Scoring entity linking against the hand-labelled dev set (tests/fixtures/entities_devset.yaml).

A prediction matches a label when the types are equal and one of the prediction's names (name, aliases,
external ids) equals one of the label's names, compared without case, accents, separators or a trailing
"paper"/"report". Precision counts predictions, recall counts labels.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from graph.model import ENTITY_TYPES
from graph.vault import Vault
from ingest.entities.catalog import forget_catalog, load_catalog, name_key, ref_of
from ingest.entities.link import link_post

REPO = Path(__file__).resolve().parents[2]
DEVSET = REPO / "tests" / "fixtures" / "entities_devset.yaml"
STARTER_CONCEPTS = REPO / "wiki_content" / "concepts"
ARCHIVE = REPO / ".." / "shared" / "corpora" / "interconnects-archive" / "public"


def _key(name: str) -> str:
    return name_key(re.sub(r"\s+(?:paper|report)$", "", str(name).strip(" .,;:"), flags=re.IGNORECASE))


@dataclass
class Score:
    predicted: Counter = field(default_factory=Counter)
    correct: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)
    wrong: list = field(default_factory=list)

    def precision(self, entity_type: str | None = None) -> float:
        p = sum(self.predicted.values()) if entity_type is None else self.predicted[entity_type]
        c = sum(self.correct.values()) if entity_type is None else self.correct[entity_type]
        return c / p if p else 0.0

    def recall(self, entity_type: str | None = None) -> float:
        n = sum(self.labels.values()) if entity_type is None else self.labels[entity_type]
        f = sum(self.found.values()) if entity_type is None else self.found[entity_type]
        return f / n if n else 0.0

    def table(self) -> str:
        lines = [f"{'type':<13}{'labels':>7}{'predicted':>10}{'precision':>11}{'recall':>8}"]
        for entity_type in (*ENTITY_TYPES, None):
            name = entity_type or "all"
            labels = self.labels[entity_type] if entity_type else sum(self.labels.values())
            predicted = self.predicted[entity_type] if entity_type else sum(self.predicted.values())
            lines.append(f"{name:<13}{labels:>7}{predicted:>10}{self.precision(entity_type):>11.3f}{self.recall(entity_type):>8.3f}")
        return "\n".join(lines)


def load_labels() -> dict[str, list[dict]]:
    return yaml.safe_load(DEVSET.read_text(encoding="utf-8"))["posts"]


def archive_posts() -> list[Path]:
    return sorted(ARCHIVE.rglob("*.md"), key=lambda p: p.name)


def read_post(path: Path) -> tuple[str, str, date]:
    """Title, Markdown body and date of an archive post. Its front matter is not always valid YAML (unescaped
    quotes in titles), so the two fields are read line by line."""
    text = path.read_text(encoding="utf-8")
    head, _, body = text.removeprefix("---\n").partition("\n---\n")
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    title = fields.get("title", "").strip()
    title = title[1:-1] if len(title) >= 2 and title[0] == title[-1] == '"' else title
    return title, body, date.fromisoformat(fields["date"].strip()[:10])


def fresh_vault(root: Path) -> Vault:
    shutil.copytree(STARTER_CONCEPTS, root / "concepts")
    return Vault(root)


def predictions(vault: Vault, path: Path) -> list[tuple[str, set[str], str]]:
    title, body, published = read_post(path)
    result = link_post(vault, title, body, published, path.stem)
    catalog = load_catalog(vault)
    predicted = []
    for mention in result.mentions:
        entity = catalog.entities[ref_of(mention["type"], mention["id"])]
        names = {entity.name, *entity.aliases, *entity.external_ids.values()}
        predicted.append((entity.type, {_key(name) for name in names}, entity.name))
    return predicted


def score_post(score: Score, file_name: str, labels: list[dict], predicted: list[tuple[str, set[str], str]]) -> None:
    label_keys = [(label["type"], {_key(label["name"]), *(_key(a) for a in label.get("aliases") or [])}) for label in labels]
    for entity_type, names, display in predicted:
        score.predicted[entity_type] += 1
        if any(t == entity_type and names & keys for t, keys in label_keys):
            score.correct[entity_type] += 1
        else:
            score.wrong.append((file_name, entity_type, display))
    for label, (entity_type, keys) in zip(labels, label_keys):
        score.labels[entity_type] += 1
        if any(t == entity_type and names & keys for t, names, _ in predicted):
            score.found[entity_type] += 1
        else:
            score.misses.append((file_name, entity_type, label["name"]))


def evaluate(warm: bool = False) -> Score:
    """Cold: each dev post in its own vault holding only the starter concepts. Warm: every archive post ingested
    oldest first into one vault, dev posts scored as they come (what a user who ingests the archive sees)."""
    labels = load_labels()
    score = Score()
    paths = {path.name: path for path in archive_posts()}
    # Every mention updates a page, and every page write is fsynced: in memory when the machine offers it.
    scratch = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        if warm:
            vault = fresh_vault(Path(tmp) / "vault")
            for path in sorted(paths.values(), key=lambda p: p.name):
                predicted = predictions(vault, path)
                if path.name in labels:
                    score_post(score, path.name, labels[path.name], predicted)
            forget_catalog(vault)
        else:
            for number, name in enumerate(sorted(labels)):
                vault = fresh_vault(Path(tmp) / f"vault-{number}")
                score_post(score, name, labels[name], predictions(vault, paths[name]))
                forget_catalog(vault)
    return score
