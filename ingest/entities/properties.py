"""The typed properties of Paper and PolicyEvent pages (graph/model.py ENTITY_PROPERTY_FIELDS), derived from
what the page and the post already say and written into the page's front matter, where a person can correct them.

- Paper: `title` (the name when it is a title, graph/entity_fields.py), `short_name` (an acronym or short form
  the text gives), `published` (an arXiv id's year and month: 1503.02531 → "2015-03"). The arXiv id itself stays
  in `external_ids` (the node's `arxiv_id`).
- PolicyEvent: `kind` and `jurisdiction` (ingest/entities/policy.py), `date`: the first-reported date, the day of
  the earliest note that mentions the event (the page's `first_seen`), unless a person set the real one.

A key already in the front matter is never replaced: a value a person wrote stays, and `key: null` means "none,
do not derive". The one value that moves is a `date` still equal to the page's `first_seen` (written by ingest,
or by a person who wrote the same): it follows `first_seen` back when an older note arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.entities_md import entity_paths, parse_entity, render_entity
from graph.entity_fields import paper_title
from graph.errors import NoteFormatError
from graph.model import Entity
from graph.vault import Vault, atomic_write_text
from ingest.entities.catalog import name_key
from ingest.entities.policy import jurisdiction, policy_kind
from ingest.entities.vocabulary import FUNCTION_WORDS

_ARXIV_NEW = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?")  # 0704.0001 onwards
_ARXIV_OLD = re.compile(r"[a-z\-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(?:v\d+)?")  # hep-th/9901001
_TRAILING_ACRONYM = re.compile(r".*\S\s*\(([^()\s]+)\)")
_REFERENCE = re.compile(r"(.+?)\s+(?:paper|technical report|report|preprint)")
_VERSION = re.compile(r"[vVkK]?\d[\w.\-]*")
_ANCHOR = re.compile(r"^(?:[\w-]+:|\s*-)\s+[&*]\w", re.MULTILINE)  # `first_seen: &id001 …`, `last_seen: *id001`
_SHORT_WORD = re.compile(r"[A-Za-z][\w.\-]*")
# Words that open a line as a label ("Edit: …", "Update: …"), not as a paper's name.
_LABELS = frozenset(
    "edit update note correction disclaimer aside summary abstract warning ps tldr recap background context example "
    "question answer part chapter section appendix".split()
)


def _nothing(_name: str) -> bool:
    return False


def arxiv_month(arxiv_id: str | None) -> str | None:
    """"2015-03" for 1503.02531 (or hep-th/9901001 → "1999-01"); None for anything else."""
    text = (arxiv_id or "").strip()
    match = _ARXIV_NEW.fullmatch(text) or _ARXIV_OLD.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    year = int(match.group(1))
    century = 1900 if match.re is _ARXIV_OLD and year >= 91 else 2000  # arXiv began in 1991
    return f"{century + year:04d}-{match.group(2)}"


def acronym_like(text: str) -> bool:
    """"DPO", "C-RLFT", "GPT-4", "LLaMA", "L1": one short token of capitals (two or more, or one and a digit)."""
    if " " in text or not 2 <= len(text) <= 15 or not text[:1].isalnum():
        return False
    capitals, digits = sum(ch.isupper() for ch in text), sum(ch.isdigit() for ch in text)
    return capitals >= 2 or (capitals >= 1 and digits >= 1)


def short_form(text: str) -> bool:
    """A coined name of one word, maybe with a version: "LIMA", "WizardMath", "Llama 2", "DeepSeek V3"."""
    words = text.split()
    if not 1 <= len(words) <= 2 or not _SHORT_WORD.fullmatch(words[0]) or len(words[0]) > 20:
        return False
    if words[0].lower() in FUNCTION_WORDS or not any(ch.isupper() for ch in words[0]):
        return False
    return len(words) == 1 or bool(_VERSION.fullmatch(words[1]))


def paper_short_name(name: str, aliases: Sequence[str], taken: Callable[[str], bool] = _nothing) -> str | None:
    """The acronym or short form the text gives: "Direct Preference Optimization (DPO)" → DPO; an acronym
    alias; the head of a title ("LIMA: Less Is More for Alignment" → LIMA); the subject of a "<X> paper"
    reference when X is a coined name and not what an organisation, person or concept is called (`taken`)."""
    text = " ".join(name.split())
    match = _TRAILING_ACRONYM.fullmatch(text)
    if match and acronym_like(match.group(1)):
        return match.group(1)
    for alias in aliases:
        if acronym_like(alias) and alias != text:
            return alias
    head, colon, _ = text.partition(": ")
    if colon and short_form(head) and head.lower() not in _LABELS:
        return head
    match = _REFERENCE.fullmatch(text)
    if match and short_form(match.group(1)) and not taken(match.group(1)):
        return match.group(1)
    return None


def derived_properties(
    entity: Entity, context: Sequence[str] = (), taken: Callable[[str], bool] | None = None
) -> dict[str, Any]:
    """What the page's own fields (and the paragraphs of the post that mention it) say; None: nothing."""
    if entity.type == "Paper":
        return {
            "title": paper_title(entity.name, entity.aliases),
            "short_name": paper_short_name(entity.name, entity.aliases, taken or _nothing),
            "published": arxiv_month(entity.external_ids.get("arxiv")),
        }
    if entity.type == "PolicyEvent":
        names = [entity.name, *entity.aliases]
        kind = policy_kind(names)
        return {"kind": kind, "jurisdiction": jurisdiction(names, kind, context), "date": entity.first_seen}
    return {}


def date_is_first_reported(entity: Entity) -> bool:
    """Whether the page's `date` is (still) its first-reported date, so it may follow `first_seen`."""
    return "date" not in entity.extra or entity.extra["date"] == entity.first_seen


def with_properties(
    before: Entity, after: Entity, context: Sequence[str] = (), taken: Callable[[str], bool] | None = None
) -> Entity:
    """`after` (the page as updated from `before`) with the properties it lacks filled in."""
    extra = dict(after.extra)
    for key, value in derived_properties(after, context, taken).items():
        if value is not None and key not in extra:
            extra[key] = value
    if after.type == "PolicyEvent" and after.first_seen is not None and date_is_first_reported(before):
        extra["date"] = after.first_seen
    return after if extra == after.extra else replace(after, extra=extra)


def fill_properties(vault: Vault, errors: list[NoteFormatError] | None = None) -> list[str]:
    """Fill the properties of every Paper and PolicyEvent page that lacks some (pages written before they
    existed), and rewrite any entity page whose front matter still uses YAML anchors; other pages are left as
    they are. A malformed page raises, unless `errors` is given (then it is reported there and skipped).
    Returns the vault-relative pages written."""
    pages: list[tuple[Path, str, Entity]] = []
    for path in entity_paths(vault):
        text = path.read_text(encoding="utf-8")
        try:
            pages.append((path, text, parse_entity(text, path)))
        except NoteFormatError as exc:
            if errors is None:
                raise
            errors.append(exc)
    taken = names_taken(entity for _, _, entity in pages)
    written = []
    for path, text, entity in pages:
        filled = with_properties(entity, entity, taken=taken)
        if (filled != entity or _ANCHOR.search(text.split("\n---", 1)[0])) and atomic_write_text(path, render_entity(filled)):
            written.append(vault.relative(path))
    return written


# The types whose names a paper's short form must not be ("the OpenAI paper" is not called "OpenAI").
OTHER_NAMED = ("Organization", "Person", "Concept")


def names_taken(entities: Iterable[Entity]) -> Callable[[str], bool]:
    keys = {name_key(name) for entity in entities if entity.type in OTHER_NAMED for name in (entity.name, *entity.aliases)}
    return lambda name: name_key(name) in keys
