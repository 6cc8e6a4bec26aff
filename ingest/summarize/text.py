"""Plain-text helpers for summarizers: Markdown to prose, sentence segmentation, keywords."""

from __future__ import annotations

import re
from collections import Counter

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^#{1,6}\s+.*$", re.MULTILINE)
_MARKUP = re.compile(r"[*_`>|]+")
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)
# Split after ., ! or ? (optionally closed by a quote or bracket) when a capital, digit or quote follows.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "Dr.", "Mr.", "Ms.", "Fig.", "U.S.", "H.R.", "S.", "No.")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just like more most much my no nor not now of off on once only or other our out over
    own same she should so some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your one two new many may might must
    s t don get got make made way use used using post posts said says think thing things really even still well much lot""".split()
)


def markdown_to_paragraphs(markdown: str) -> list[str]:
    """Prose paragraphs of a Markdown body: links reduced to their text, headings and markup dropped."""
    text = _LINK.sub(r"\1", markdown)
    text = _HEADING.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = _MARKUP.sub("", text)
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return [p for p in paragraphs if len(p.split()) >= 4]


def split_sentences(paragraph: str) -> list[str]:
    protected = paragraph
    for index, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, abbreviation.replace(".", f"\x00{index}\x00"))
    pieces = _SENTENCE_END.split(protected)
    sentences = []
    for piece in pieces:
        for index, abbreviation in enumerate(_ABBREVIATIONS):
            piece = piece.replace(abbreviation.replace(".", f"\x00{index}\x00"), abbreviation)
        piece = piece.strip()
        if piece:
            sentences.append(piece)
    return sentences


def keywords(text: str, limit: int = 12) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]{2,}", text.lower())
    counts = Counter(word for word in words if word not in STOPWORDS)
    return [word for word, _ in counts.most_common(limit)]
