"""A post as a summarizer sees it: its sentences in order, each knowing its block, section and kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ingest.summarize.prose import ITEM, QUOTE, is_boilerplate, prose_blocks
from ingest.summarize.text import split_sentences

# Sentences that lean on the one before them: a pronoun or connective with nothing to refer back to.
_DEPENDENT_OPENER = re.compile(
    r"^(?:this|that|these|those|it|its|it's|they|them|their|theirs|he|she|his|her|him|but|and|or|so|yet|also|however|"
    r"therefore|thus|hence|still|then|instead|moreover|furthermore|additionally|otherwise|meanwhile|similarly|likewise|"
    r"again|here|here's|such|which|both|another|other|plus|besides|nonetheless|nevertheless|consequently|accordingly|"
    r"anyway|indeed|regardless|the former|the latter|the same|in (?:this|that|other|short|turn|addition|contrast|fact|"
    r"particular|any case|the end)|for (?:example|instance|this reason)|as a result|on the other hand|even so|of course|"
    r"at the same time|that said|in doing so|to (?:this|that) end|with (?:this|that)|since then|after that|before that|"
    r"by then|at that point|even then|as such|in that case|because of (?:this|that)|(?:\w+\s+){1,3}also\b)\b",
    re.IGNORECASE,
)
# "This post", "In this piece", "These days": self-reference or time, not a dangling pronoun.
_SELF_REFERENCE = re.compile(
    r"^(?:in )?(?:this|these|that) (?:post|piece|essay|article|newsletter|issue|week|year|month|episode|interview|"
    r"talk|series|days|time|is why)\b",
    re.IGNORECASE,
)
# Words lost in conversion leave holes: "on and 's podcast", "see ()".
_DAMAGED = re.compile(r"(?:^|\s)'s\b|\(\s*\)|\s[,;:.](?:\s|$)|\b(\w+) \1\b|[?!.,;:]\*|\*\*")
# A finite verb or auxiliary: list items without one are usually fragments ("A flagship model, R1, trained via …").
_CLAUSE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|should|may|might|must|shall)\b|"
    r"n't\b|'(?:s|re|ve|ll|d|m)\b",
    re.IGNORECASE,
)
_CLOSERS = "\"'”’)] "


@dataclass(frozen=True)
class Sentence:
    text: str
    position: int  # order among the post's sentences
    block: int  # index of the paragraph/list item/quote it came from
    section: str  # heading it sits under ("" before the first heading)
    kind: str  # paragraph, item or quote
    words: int
    aside: bool = False  # from a wholly emphasised block (an editor's note)

    @cached_property
    def quoted(self) -> bool:
        return self.kind == QUOTE

    @cached_property
    def is_question(self) -> bool:
        return self.text.rstrip(_CLOSERS).endswith("?")

    @cached_property
    def is_statement(self) -> bool:
        """Ends like a complete declarative sentence (not a question, a lead-in to a list, or a fragment)."""
        return self.text.rstrip(_CLOSERS).endswith((".", "!"))

    @cached_property
    def damaged(self) -> bool:
        return bool(_DAMAGED.search(self.text))

    @cached_property
    def is_fragment(self) -> bool:
        """A list item without a verb we can see: a label or phrase, not a claim."""
        return self.kind == ITEM and not _CLAUSE.search(self.text)

    @cached_property
    def depends_on_previous(self) -> bool:
        opener = self.text.lstrip("\"'“‘(")
        return bool(_DEPENDENT_OPENER.match(opener)) and not _SELF_REFERENCE.match(opener)


@dataclass
class Document:
    title: str
    sentences: list[Sentence]

    @classmethod
    def parse(cls, title: str, markdown: str) -> Document:
        sentences: list[Sentence] = []
        for block_index, block in enumerate(prose_blocks(markdown)):
            for text in split_sentences(block.text):
                words = len(text.split())
                if words and not (words <= 25 and is_boilerplate(text)):
                    sentences.append(
                        Sentence(text, len(sentences), block_index, block.section, block.kind, words, block.aside)
                    )
        return cls(title=title, sentences=sentences)

    @cached_property
    def words(self) -> int:
        return sum(s.words for s in self.sentences)

    def following(self, sentence: Sentence) -> Sentence | None:
        """The next sentence in the same block, if any."""
        after = sentence.position + 1
        if after < len(self.sentences) and self.sentences[after].block == sentence.block:
            return self.sentences[after]
        return None
