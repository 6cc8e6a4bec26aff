"""Summaries over the third-party post archive: loading posts, a growing wiki that gives each post the context the
pipeline would (nearest earlier notes, entities that have pages), and the properties every generated note must have.

Shared by the realworld test (a sample) and the benchmark (all posts). The archive is read from ../shared;
nothing from it is copied into the repository.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from graph.model import Note
from graph.notes_md import render_note
from graph.vault import Vault, atomic_write_text
from ingest.entities.link import link_post
from ingest.summarize.base import RelatedNote, Summary, SummaryContext
from ingest.summarize.extractive import NO_PROSE
from ingest.summarize.text import markdown_to_paragraphs

ARCHIVE = Path("corpora") / "interconnects-archive" / "public"
STARTER_CONCEPTS = Path(__file__).resolve().parents[2] / "wiki_content" / "concepts"
RELATED_PER_POST = 5
SECTION_HEADINGS = ("## TL;DR", "## Why it matters", "## Connections", "## Research angle", "## Open questions")


@dataclass(frozen=True)
class ArchivePost:
    id: str
    title: str
    published: date
    body: str


def load_archive(shared: Path) -> list[ArchivePost]:
    """Every post of the archive, oldest first."""
    posts = []
    for path in sorted((shared / ARCHIVE).glob("*/*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = _front_matter(front)
        posts.append(ArchivePost(id=path.stem, title=meta["title"], published=date.fromisoformat(meta["date"]), body=body))
    return sorted(posts, key=lambda post: (post.published, post.id))


def _front_matter(text: str) -> dict[str, str]:
    """`key: value` lines; the archive's titles are not always valid YAML (doubled quotes), so no YAML parser."""
    meta = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if value:
            meta[key.strip()] = value.strip().strip('"').strip()
    return meta


class ArchiveWiki:
    """A growing wiki over a temporary vault: the notes summarised so far, searchable by embedding like the vector
    index the pipeline asks, and the entity pages the entity linker writes (starting from the shipped concepts).
    Each post gets the context the pipeline would give it: nearest earlier notes and entities with pages."""

    def __init__(self, embedder, root: Path, entities: bool = True) -> None:
        self._embedder = embedder
        self._entities = entities
        self.vault = Vault(root)
        if entities and STARTER_CONCEPTS.exists():
            shutil.copytree(STARTER_CONCEPTS, root / "concepts", dirs_exist_ok=True)
        self._notes: list[RelatedNote] = []
        self._vectors: list[np.ndarray] = []
        self._mentions: dict[str, list[dict]] = {}

    def __len__(self) -> int:
        return len(self._notes)

    def context(self, post: ArchivePost) -> SummaryContext:
        known = []
        if self._entities:
            linked = link_post(self.vault, post.title, post.body, post.published, post.id, self._embedder)
            self._mentions[post.id] = linked.mentions
            known = linked.known
        return SummaryContext(related=self._related(post), known_entities=known)

    def _related(self, post: ArchivePost) -> list[RelatedNote]:
        if not self._notes:
            return []
        opening = " ".join(markdown_to_paragraphs(post.body)[:2])
        query = _unit(np.asarray(self._embedder.embed_one(f"{post.title}. {opening}")))
        scores = np.vstack(self._vectors) @ query
        best = np.argsort(-scores)[:RELATED_PER_POST]
        return [_scored(self._notes[i], float(scores[i])) for i in best]

    def add(self, post: ArchivePost, summary: Summary, summarizer: str) -> str:
        """Write the note into the vault (its mentions count for later posts); returns the note's text."""
        page = render_note(as_note(post, summary, summarizer, entities=self._mentions.pop(post.id, [])))
        atomic_write_text(self.vault.note_path(post.id), page)
        self._notes.append(RelatedNote(id=post.id, title=post.title, published=post.published, tldr=summary.tldr, score=0.0))
        self._vectors.append(_unit(np.asarray(self._embedder.embed_one(f"{post.title}. {summary.tldr}"))))
        return page


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def _scored(note: RelatedNote, score: float) -> RelatedNote:
    return RelatedNote(id=note.id, title=note.title, published=note.published, tldr=note.tldr, score=score)


def as_note(post: ArchivePost, summary: Summary, summarizer: str, entities: list[dict] | None = None) -> Note:
    return Note(
        id=post.id, title=post.title, source="interconnects", url="", published=post.published, tier=1,
        domain="ai", raw=f"raw/rss/{post.id}.md", content_hash="0" * 64, summarizer=summarizer,
        source_name="Interconnects", tldr=summary.tldr, why_it_matters=summary.why_it_matters,
        connections=summary.connections, research_angle=summary.research_angle, open_questions=summary.open_questions,
        entities=entities or [],
    )


# --- the properties -------------------------------------------------------------------------------------------

# Naive segmentation used on both sides (post and note), independent of the summarizer's own segmenter.
_NAIVE_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n\s*\n|\n(?=\s*(?:[-*+>]|\d+[.)])\s)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\{[^{}]*\}")
_FOOTNOTE_MARK = re.compile(r"\[\d{1,3}\]\([^)]*#[^)]*\)|\[\^[^\]]+\]")
_INLINE_MARKUP = re.compile(r"[\[\]*\\]")
# Connective phrases the extractive summarizer puts before a quoted sentence, and its own closing line that
# only lists further pages ("Also ties to [[a]] (…), [[b]] (…)."): neither is a sentence taken from the post.
# Wikilinks become one placeholder word first (their labels may hold full stops).
_WIKILINK = re.compile(r"\[\[[^\[\]]+\]\]")
_CONNECTIVE = re.compile(r"^(?:Ties to LINK \([^)]*\): |In the post's own words: |(?:Limitation|Next step|Hedge|Left open): )")
_LINK_LIST = re.compile(r"^(?:Also ties|Ties) to (?:LINK \([^)]*\)(?:, |\.$))+$")
NOTHING_RELATES = "Nothing in the wiki relates"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def naive_sentences(text: str) -> list[str]:
    return [part for part in _NAIVE_BOUNDARY.split(text) if part and part.strip()]


def plain(markdown: str) -> str:
    """The post's words with footnote marks, link targets and inline markup removed (links keep their text)."""
    return _INLINE_MARKUP.sub("", _LINK_TARGET.sub("", _FOOTNOTE_MARK.sub("", markdown)))


def longest_sentence_words(markdown: str) -> int:
    text = plain(markdown)
    return max((len(words(s)) for s in naive_sentences(text)), default=0)


def appears_in(sentence: str, markdown: str) -> bool:
    """The sentence's words, in order and contiguous, are the post's (markup, link targets, footnote marks aside)."""
    haystack = " " + " ".join(words(plain(markdown))) + " "
    return " " + " ".join(words(sentence)) + " " in haystack


def summary_problems(post: ArchivePost, summary: Summary, summarizer: str) -> list[str]:
    """Everything wrong with one generated note; empty when it has the properties the issue asks for."""
    problems = []
    page = render_note(as_note(post, summary, summarizer))
    problems += [f"section missing: {h}" for h in SECTION_HEADINGS if h not in page]
    if not summary.tldr.strip():
        problems.append("empty TL;DR")
    if not summary.why_it_matters.strip():
        problems.append("empty Why it matters")
    if not summary.connections and NOTHING_RELATES not in summary.why_it_matters:
        problems.append("no connections and no reason given")
    if not [a for a in summary.research_angle if a.strip()] or not [q for q in summary.open_questions if q.strip()]:
        problems.append("empty Research angle or Open questions")
    if summary.tldr.startswith(NO_PROSE):
        # Said instead of a summary: only right when the post really has no prose.
        return problems + ([] if not markdown_to_paragraphs(post.body) else ["post has prose but was called empty"])
    longest = longest_sentence_words(post.body)
    for section, text in _quoted_texts(summary):
        for sentence in naive_sentences(_WIKILINK.sub("LINK", text)):
            if _LINK_LIST.match(sentence.strip()):
                continue
            length = len(words(_CONNECTIVE.sub("", sentence)))
            if length > longest:
                problems.append(f"{section}: a sentence of {length} words, the post's longest has {longest}")
    problems += [f"TL;DR sentence not in the post: {s!r}" for s in naive_sentences(summary.tldr) if not appears_in(s, post.body)]
    return problems


def _quoted_texts(summary: Summary) -> list[tuple[str, str]]:
    texts = [("TL;DR", summary.tldr), ("Why it matters", summary.why_it_matters)]
    texts += [("Research angle", item) for item in summary.research_angle]
    texts += [("Open questions", item) for item in summary.open_questions]
    texts += [("Connections", c.reason.split("this post: ", 1)[-1]) for c in summary.connections]
    return texts
