"""Research angle and open questions from the post's own words: its questions, hedges, limitations, next steps.

Sentences under a heading such as "Limitations", "Open questions" or "Future work" come first. Each item is
the post's sentence behind a short label saying what kind of statement it is; near-duplicates are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.summarize.analysis import Analysis, is_quotable, points_elsewhere
from ingest.summarize.document import Sentence
from ingest.summarize.text import content_words

MAX_ANGLES = 3
MAX_QUESTIONS = 4
NO_ANGLE = "The post states no limitations, hedges or next steps of its own."
NO_QUESTIONS = "The post asks no questions of its own and leaves nothing explicitly open."

_PRIORITY_SECTION = re.compile(
    r"limitation|caveat|open (?:question|problem)|future|what'?s next|next steps?|unknown|unanswered|"
    r"unresolved|questions|risks?|where (?:this|we) go|outlook|discussion|what (?:we|i) don'?t know",
    re.IGNORECASE,
)
_LIMITATION = re.compile(
    r"\b(?:limitations?|limited to|(?:a|the|one|main|big|major) caveat|caveats|drawbacks?|downsides?|weakness(?:es)?|"
    r"only (?:tested|evaluated|works?|measured|on a (?:single|small))|(?:does|do|did)n'?t (?:generali[sz]e|scale|transfer|hold)|"
    r"fails? to|(?:can't|cannot|can not) yet|not yet|ha(?:ve|s)n'?t (?:been )?(?:tested|tried|shown|studied)|"
    r"(?:was|were|is|are) not (?:tested|evaluated|measured)|small sample|a single (?:model|run|seed|benchmark|dataset)|"
    r"ignores?|ignored|(?:does|do)(?: not|n't) (?:account for|consider|measure|address|cover)|leaves? out)\b",
    re.IGNORECASE,
)
_NEXT_STEP = re.compile(
    r"\b(?:future work|next steps? (?:for|would|should|could|are|is to (?:study|understand|test|measure))|would be (?:valuable|interesting|useful|great)|worth (?:studying|exploring|watching|"
    r"investigating|testing|trying)|remains to be (?:done|shown|built)|should be (?:studied|explored|tested)|"
    r"needs? (?:more|further) (?:work|research|study|data|evidence)|further (?:work|research)|(?:we|i) plan to|"
    r"(?:i'?m|we'?re) excited to see|follow[- ]up|is unbuilt|no one has (?:built|tried|measured))\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:i suspect|we suspect|i'?d guess|my guess|speculat\w*|hypothes\w+|could be wrong|may not|might not|"
    r"not (?:sure|obvious|clear that)|uncertain|debatable|contested|hard to (?:know|say|tell|measure|evaluate|predict))\b",
    re.IGNORECASE,
)
_LEFT_OPEN = re.compile(
    r"\b(?:(?:an|the|remains an?|still an?) open (?:question|problem)|remains to be seen|(?:it'?s|it is|remains|still) unclear|unclear (?:whether|if|how|what|why)|"
    r"no one knows|nobody knows|(?:we|i) don'?t (?:yet )?know|unknown (?:whether|if|how)|an unanswered)\b",
    re.IGNORECASE,
)
# A question answered by the very next sentence is rhetorical: the post settles it.
_ANSWER_OPENER = re.compile(
    r"^(?:yes|no|nope|not really|not quite|probably|likely|maybe|absolutely|of course|sure|because|the answer|"
    r"short answer|in short|simply put|well|it is|it's|it was|that's|this is|they are|they're)\b",
    re.IGNORECASE,
)
# Questions put to a conversation partner or the reader ("Can you…", "Do you think…") are prompts, not open problems;
# questions about a bare pronoun ("Are they…", "Does this…") cannot be read without the sentence before.
_ADDRESSED = re.compile(r"(?:^|:\s+)(?:\w+\s+){0,2}(?:you|your|you're|you've|ya)\b", re.IGNORECASE)
_PRONOUN_SUBJECT = re.compile(r"^\w+\s+(?:they|it|this|that|these|those|he|she|them)\b(?!\s+(?:post|piece|paper|model|is why))", re.IGNORECASE)
# 'I was asked "what are your views?"': a question reported in quotes, not one the post asks.
_REPORTED = re.compile(r"^(?:\S+\s+){3,}[^\"“]*[\"“][^\"”]*\?[\"”]$")
_LABELS = (("Limitation", _LIMITATION), ("Next step", _NEXT_STEP), ("Hedge", _HEDGE))
_KIND_WEIGHT = {"Limitation": 1.2, "Next step": 1.1, "Hedge": 0.8}


@dataclass(frozen=True)
class _Candidate:
    position: int
    label: str
    score: float


def research_angle(analysis: Analysis, used: set[int]) -> tuple[list[str], set[int]]:
    candidates = []
    for sentence in analysis.document.sentences:
        if sentence.position in used or sentence.is_question or not is_quotable(sentence, min_words=8):
            continue
        if points_elsewhere(sentence):
            continue
        hits = [(label, len(pattern.findall(sentence.text))) for label, pattern in _LABELS]
        label, count = max(hits, key=lambda hit: hit[1] * _KIND_WEIGHT[hit[0]])
        if count:
            score = _KIND_WEIGHT[label] * count * _section_boost(sentence) * (0.5 + analysis.quality(sentence.position))
            candidates.append(_Candidate(sentence.position, label, score))
    picked = _distinct(analysis, candidates, MAX_ANGLES)
    if not picked:
        return [NO_ANGLE], set()
    return [f"{c.label}: {analysis.sentence(c.position).text}" for c in picked], {c.position for c in picked}


def open_questions(analysis: Analysis, used: set[int]) -> tuple[list[str], set[int]]:
    candidates = []
    for sentence in analysis.document.sentences:
        if sentence.position in used:
            continue
        if _is_open_question(analysis, sentence):
            score = 1.0 + (0.5 if _QUESTION_WORD.match(sentence.text) else 0.0)
            candidates.append(_Candidate(sentence.position, "", score * _section_boost(sentence) * (0.5 + analysis.quality(sentence.position))))
        elif is_quotable(sentence, min_words=8) and _LEFT_OPEN.search(sentence.text):
            candidates.append(_Candidate(sentence.position, "Left open", 0.9 * _section_boost(sentence) * (0.5 + analysis.quality(sentence.position))))
    picked = _distinct(analysis, candidates, MAX_QUESTIONS)
    if not picked:
        return [NO_QUESTIONS], set()
    items = [f"{c.label}: {analysis.sentence(c.position).text}" if c.label else analysis.sentence(c.position).text for c in picked]
    return items, {c.position for c in picked}


_QUESTION_WORD = re.compile(
    r"^(?:how|what|why|which|who|when|where|whether|will|would|should|could|can|does|do|did|is|are|was|were|has|have)\b",
    re.IGNORECASE,
)


def _is_open_question(analysis: Analysis, sentence: Sentence) -> bool:
    if not sentence.is_question or not 5 <= sentence.words <= 60:
        return False
    if sentence.quoted and not _PRIORITY_SECTION.search(sentence.section):
        return False
    if _ADDRESSED.search(sentence.text) or _PRONOUN_SUBJECT.match(sentence.text) or _is_title_case(sentence.text):
        return False
    if _REPORTED.search(sentence.text):
        return False
    if sentence.depends_on_previous and not _PRIORITY_SECTION.search(sentence.section):
        return False
    answer = analysis.document.following(sentence)
    return not (answer is not None and not answer.is_question and _ANSWER_OPENER.match(answer.text.lstrip("\"'“‘(")))


def _is_title_case(text: str) -> bool:
    """"Are More Calls All You Need?": a title quoted in the post, not a question it asks."""
    words = [w for w in text.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _section_boost(sentence: Sentence) -> float:
    """Sentences under a Limitations/Open questions/Future work heading first; ones leaning on the previous one last."""
    boost = 3.0 if sentence.section and _PRIORITY_SECTION.search(sentence.section) else 1.0
    return boost * (0.6 if sentence.depends_on_previous else 1.0)


def _distinct(analysis: Analysis, candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    """Best first, skipping near-duplicates (most content words shared); returned in the post's order."""
    picked: list[_Candidate] = []
    seen: list[set[str]] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        words = set(content_words(analysis.sentence(candidate.position).text))
        if any(_overlap(words, other) > 0.6 for other in seen):
            continue
        picked.append(candidate)
        seen.append(words)
        if len(picked) == limit:
            break
    return sorted(picked, key=lambda c: c.position)


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))
