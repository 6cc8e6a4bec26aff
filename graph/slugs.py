"""Slugs for ids and file names: lowercase ASCII words joined by hyphens (one rule for every layer)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """`"Simon Willison’s Newsletter"` → `"simon-willisons-newsletter"`; cut at a hyphen, never mid-word."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Apostrophes join their word ("willison's" → "willisons") instead of splitting it.
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    slug = _NON_WORD.sub("-", ascii_text).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    if "-" in cut:
        cut = cut[: cut.rfind("-")]
    return cut[:max_length].strip("-")
