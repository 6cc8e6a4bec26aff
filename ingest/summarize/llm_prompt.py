"""The prompt an LLM summarizer sends: instructions, the pages a Connection may point to, the post.

The post body is cut (at paragraph, then word boundaries) so one request stays inside the per-post
token budget together with the longest reply allowed and, when retries are on, a follow-up.
Bump PROMPT_VERSION whenever the wording changes: it is part of the cache key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ingest.summarize.base import SummaryContext
from ingest.summarize.llm_schema import FIELD_HINTS as HINT

PROMPT_VERSION = 1
TokenCount = Callable[[str], int]

MESSAGE_OVERHEAD = 4  # tokens a chat API adds per message (role, separators)
FOLLOW_UP_RESERVE = 800  # room kept for a retry's quoted answer and error message
FOLLOW_UP_ANSWER_CHARS = 1500
MIN_BODY_TOKENS = 100
TLDR_WORDS_IN_CATALOGUE = 40

SYSTEM = f"""You write summary notes for a research wiki. Read the post and answer with ONE JSON object and \
nothing else: no prose before or after it, no code fence. The object has exactly these keys:
{{"tldr": "{HINT['tldr']}",
 "why_it_matters": "{HINT['why_it_matters']}",
 "connections": [{{"target": "{HINT['target']}", "reason": "{HINT['reason']}", "date": "YYYY-MM-DD or null"}}],
 "research_angle": ["{HINT['research_angle']}"],
 "open_questions": ["{HINT['open_questions']}"]}}
Rules: use only facts stated in the post; never invent numbers, names or dates. Connections may only \
target ids from the list of existing pages (0 to 5 of them; an empty list is fine). If a section has \
nothing honest to say, say so in one short sentence instead of inventing."""


@dataclass(frozen=True)
class Target:
    """A page a Connection may point to: an existing note or entity page."""

    target: str  # how the note links to it: a note id, or an entity page path without ".md"
    label: str
    kind: str  # "note" or the entity type
    date: date | None = None


@dataclass(frozen=True)
class Budget:
    total: int  # tokens one request may use, prompt and reply together
    max_output: int
    retries: bool

    @property
    def prompt_limit(self) -> int:
        return self.total - self.max_output - (FOLLOW_UP_RESERVE if self.retries else 0)


@dataclass(frozen=True)
class Prompt:
    messages: list[tuple[str, str]]  # (role, content), role in system/user/assistant
    tokens: int
    body_tokens: int  # the whole post body
    kept_tokens: int  # what of it the prompt carries

    @property
    def truncated(self) -> bool:
        return self.kept_tokens < self.body_tokens


def catalogue(context: SummaryContext) -> list[Target]:
    notes = [Target(n.id, n.title, "note", n.published) for n in context.related]
    entities = [
        Target(e.page.removesuffix(".md"), e.name, e.type)
        for e in sorted(context.known_entities, key=lambda e: (-e.mentions, e.name))
    ]
    return notes + entities


def resolve_target(text: str, targets: list[Target]) -> Target | None:
    """The listed page a model's `target` names: its id, its page path or its exact title."""
    wanted = _loose(text)
    for target in targets:
        names = {_loose(target.target), _loose(target.label), _loose(target.target.rsplit("/", 1)[-1])}
        if wanted in names:
            return target
    return None


def _loose(text: str) -> str:
    text = text.strip().strip("[]").split("|", 1)[0].removesuffix(".md")
    return " ".join(text.lower().split())


def build_prompt(title: str, body: str, context: SummaryContext, budget: Budget, count: TokenCount) -> Prompt:
    targets = catalogue(context)
    tldrs = {note.id: note.tldr for note in context.related}
    while True:
        head = _post_head(title, _catalogue_text(targets, tldrs))
        fixed = count(f"{SYSTEM}\n\n{head}") + MESSAGE_OVERHEAD
        allowance = budget.prompt_limit - fixed
        if allowance >= MIN_BODY_TOKENS or not targets:
            break
        targets = targets[:-1]  # a tiny budget: fewer listed pages before less of the post
    kept, body_tokens, kept_tokens = truncate_to_tokens(body, max(allowance, 0), count)
    user = head + kept
    if kept_tokens < body_tokens:
        user += f"\n\n[… post cut to fit the token budget: {kept_tokens} of {body_tokens} tokens kept]"
    # One user message holding the instructions too: some chat templates (Gemma's, for one) drop
    # system messages without a word, and every model reads instructions in the user turn.
    text = f"{SYSTEM}\n\n{user}"
    return Prompt([("user", text)], count(text) + MESSAGE_OVERHEAD, body_tokens, kept_tokens)


def follow_up(prompt: Prompt, answer: str, error: str) -> list[tuple[str, str]]:
    """The first request again, the invalid answer (shortened) and what was wrong with it."""
    quoted = answer if len(answer) <= FOLLOW_UP_ANSWER_CHARS else answer[:FOLLOW_UP_ANSWER_CHARS] + " …"
    correction = (
        f"That answer is not valid: {error[:1000]}\n"
        "Reply again with only the corrected JSON object, with all five keys."
    )
    return [*prompt.messages, ("assistant", quoted), ("user", correction)]


def _catalogue_text(targets: list[Target], tldrs: dict[str, str]) -> str:
    if not targets:
        return "Existing pages: none yet, so return an empty connections list.\n\n"
    lines = ["Existing pages (a connection's target must be one of these ids, copied exactly):"]
    for target in targets:
        when = f", {target.date.isoformat()}" if target.date else ""
        line = f"- id: {json.dumps(target.target)} ({target.kind}{when}) {target.label}"
        summary = " ".join(tldrs.get(target.target, "").split()[:TLDR_WORDS_IN_CATALOGUE])
        lines.append(f"{line}: {summary}" if summary else line)
    return "\n".join(lines) + "\n\n"


def _post_head(title: str, catalogue_text: str) -> str:
    return f"{catalogue_text}Post title: {title}\n\nPost (Markdown):\n"


def truncate_to_tokens(body: str, limit: int, count: TokenCount) -> tuple[str, int, int]:
    """(kept text, tokens of the whole body, tokens kept), cutting at paragraph then word boundaries."""
    total = count(body)
    if total <= limit:
        return body, total, total
    kept: list[str] = []
    used = 0
    for paragraph in body.split("\n\n"):
        cost = count(paragraph) + 1
        if used + cost > limit:
            words = _words_that_fit(paragraph, limit - used, count)
            if words:
                kept.append(words)
            break
        kept.append(paragraph)
        used += cost
    text = "\n\n".join(kept)
    return text, total, count(text) if text else 0


def _words_that_fit(paragraph: str, limit: int, count: TokenCount) -> str:
    words = paragraph.split()
    low, high = 0, len(words)
    while low < high:  # the longest prefix of words within the limit
        middle = (low + high + 1) // 2
        if count(" ".join(words[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low])
