"""Plain-text helpers for summarizers: sentence segmentation, keywords, and the prose paragraphs of a post."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from ingest.summarize.prose import prose_blocks

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then the next token.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=(\S+))")
_NEXT_STARTS_SENTENCE = re.compile(r"^[\"'“‘(\[]*[A-Z0-9]")
# Words that end in a period without ending the sentence.
_TITLES = frozenset("mr mrs ms dr prof st jr sr sen rep gov gen lt col vs cf al approx ca".split())
# Abbreviations that precede a number ("Fig. 3", "No. 5"); before anything else they may end a sentence.
_BEFORE_NUMBER = frozenset("fig figs eq eqs sec no nos vol pp p ch tab ref refs art".split())
# After a dotted acronym ("U.S.") these words almost always open a new sentence.
_SENTENCE_OPENERS = frozenset(
    "The This That These Those It Its We I In But And They A An As There So He She Our My If When What".split()
)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just like more most much my no nor not now of off on once only or other our out over
    own same she should so some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your one two new many may might must
    s t don get got make made way use used using post posts said says think thing things really even still well much lot
    lots around month months year years time times people going know want need good better best part big first last next
    right today ever every kind sort bit sure actually probably something anything everything someone whether though
    although yet instead back able point case doing done see seen look looking going come coming take taking give""".split()
)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph of plain text, keeping abbreviations, initials, decimals and quotes intact."""
    text = " ".join(paragraph.split())
    sentences, start = [], 0
    for boundary in _BOUNDARY.finditer(text):
        if _ends_sentence(text[start : boundary.start()], boundary.group(1), boundary.group(4)):
            end = boundary.end(2)
            sentences.append(text[start:end].strip())
            start = boundary.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _ends_sentence(before: str, punctuation: str, next_token: str) -> bool:
    if not _NEXT_STARTS_SENTENCE.match(next_token):
        return False
    if punctuation != ".":
        return True
    last = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = last.lstrip("\"'“‘([").rstrip(".")
    lowered = word.lower()
    if lowered in _TITLES:
        return False
    if lowered in _BEFORE_NUMBER and next_token[:1].isdigit():
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return False
    if "." in word and re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):  # dotted abbreviation: e.g., i.e., U.S.
        return lowered not in ("e.g", "i.e") and next_token.strip("\"'“‘(") in _SENTENCE_OPENERS
    return True


def word_count(text: str) -> int:
    return len(text.split())


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9-]{2,}", text.lower()) if w not in STOPWORDS]


def key_phrases(text: str) -> list[str]:
    """Content-word bigrams ("reward model") then single content words, most frequent first."""
    tokens = re.findall(r"[a-z][a-z0-9-]{2,}", text.lower())
    bigrams = [f"{a} {b}" for a, b in pairwise(tokens) if a not in STOPWORDS and b not in STOPWORDS]
    return [p for p, _ in Counter(bigrams).most_common()] + [w for w, _ in Counter(content_words(text)).most_common()]


def keywords(text: str, limit: int = 12) -> list[str]:
    return [word for word, _ in Counter(content_words(text)).most_common(limit)]


def markdown_to_paragraphs(markdown: str) -> list[str]:
    """Prose paragraphs of a Markdown body (code, embeds, footnotes, captions and boilerplate removed)."""
    return [block.text for block in prose_blocks(markdown) if word_count(block.text) >= 4]
