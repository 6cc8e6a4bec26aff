"""Find known names in text: every alias of every entity, longest match first, on word boundaries.

Matching rules, chosen so a name matches its ordinary variants but not a common word:
- spaces, hyphens, underscores and slashes are one separator ("pre-training" = "pre training"), and a name
  written as one word matches its spaced form ("HuggingFace" = "Hugging Face");
- plurals ("reward models") and possessives ("OpenAI's") match the singular name;
- concepts match in any case, except acronym-like aliases (two capitals or more: "RL", "MoE"), which match exactly;
- proper names (everything else) match in any case only where the text is capitalised too ("Llama" = "LLaMA",
  but "meta" ≠ "Meta"); short acronyms and names that start in lower case ("o1", "xAI") match exactly;
- a name ending in a digit does not match when the text continues the version ("Llama 3" is not in "Llama 3.1").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+[*+]*")
SEPARATORS_RE = re.compile(r"[\s\-‐‑–—_/]+")
GAP_RE = re.compile(r"[ \-‐‑–_/.·&'’:,+]{1,3}")
MAX_TOKENS = 16


def key_of(text: str) -> str:
    """The exact-case matching key: Unicode-compatible form, one kind of apostrophe and separator."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return SEPARATORS_RE.sub(" ", text).strip()


def fold(key: str) -> str:
    """Case- and accent-insensitive form of a key ("Tülu" = "Tulu")."""
    decomposed = unicodedata.normalize("NFKD", key.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_acronym_like(alias: str) -> bool:
    return sum(ch.isupper() for ch in alias) >= 2


def _variants(key: str) -> set[str]:
    """The key and its plural/singular forms."""
    forms = {key}
    if key[-1:].isalpha():
        forms |= {key + "s", key + "es"}
        if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
            forms.add(key[:-1])
    return forms


@dataclass(frozen=True)
class Hit:
    """A match of a known name in a text."""

    ref: str  # the caller's reference for the entity (e.g. "Concept/rlhf")
    start: int
    end: int
    surface: str


class Gazetteer:
    """An index of names → entity references. Build once, then `find` in many texts."""

    def __init__(self) -> None:
        self._strict: dict[str, set[str]] = {}
        self._proper: dict[str, set[str]] = {}
        self._loose: dict[str, set[str]] = {}
        self.max_tokens = 1

    def add(self, ref: str, alias: str, concept: bool) -> None:
        key = key_of(alias)
        if len(key) < 2 or not any(ch.isalpha() for ch in key):  # "1" or "R" would match everywhere
            return
        self.max_tokens = min(MAX_TOKENS, max(self.max_tokens, len(TOKEN_RE.findall(key))))
        for form in _variants(key):
            self._strict.setdefault(form, set()).add(ref)
        if concept and not is_acronym_like(key):
            self._index(self._loose, key, ref)
        elif not concept and key[0].isupper() and not (key.isupper() and len(key) <= 3):
            self._index(self._proper, key, ref)

    def _index(self, table: dict[str, set[str]], key: str, ref: str) -> None:
        folded = fold(key)
        for form in _variants(folded) | _variants(folded.replace(" ", "")):
            table.setdefault(form, set()).add(ref)

    def add_all(self, ref: str, aliases: Iterable[str], concept: bool) -> None:
        for alias in aliases:
            self.add(ref, alias, concept)

    def lookup(self, surface: str) -> set[str]:
        """Entity references a whole surface string names (empty if none)."""
        key = key_of(surface)
        if not key:
            return set()
        found = set(self._strict.get(key, ()))
        folded = fold(key)
        squashed = folded.replace(" ", "")
        found |= self._loose.get(folded, set()) | self._loose.get(squashed, set())
        if key[0].isupper() or key[0].isdigit():
            found |= self._proper.get(folded, set()) | self._proper.get(squashed, set())
        return found

    def find(self, text: str) -> Iterator[tuple[Hit, set[str]]]:
        """Longest matches, left to right, never overlapping; each with every reference its name has."""
        tokens = list(TOKEN_RE.finditer(text))
        position = 0
        while position < len(tokens):
            match = self._longest_at(text, tokens, position)
            if match is None:
                position += 1
                continue
            last, refs = match
            start, end = tokens[position].start(), tokens[last].end()
            yield Hit("", start, end, text[start:end]), refs
            position = last + 1

    def _longest_at(self, text: str, tokens: list[re.Match], first: int) -> tuple[int, set[str]] | None:
        stop = first
        while stop + 1 < len(tokens) and stop + 1 - first < self.max_tokens:
            if not GAP_RE.fullmatch(text[tokens[stop].end() : tokens[stop + 1].start()]):
                break
            stop += 1
        for last in range(stop, first - 1, -1):
            start, end = tokens[first].start(), tokens[last].end()
            if _continues_version(text, start, end):
                continue
            refs = self.lookup(text[start:end])
            if refs:
                return last, refs
        return None


def _continues_version(text: str, start: int, end: int) -> bool:
    """True when a name ending (or starting) in a digit is part of a longer version string in the text."""
    after = text[end : end + 2]
    if text[end - 1].isdigit() and len(after) == 2 and after[0] in ".-" and after[1].isalnum():
        return True
    before = text[max(0, start - 2) : start]
    return text[start].isdigit() and len(before) == 2 and before[1] in ".-" and before[0].isalnum()
