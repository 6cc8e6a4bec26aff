"""Property tests for summary notes: random notes round-trip; random and mangled text never breaks the parser."""

from __future__ import annotations

import os
import re
from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from graph.errors import NoteFormatError
from graph.model import Connection, Note
from graph.notes_front_matter import KNOWN_KEYS
from graph.notes_md import note_sections, parse_note, render_note, section_key

# NOTES_FUZZ_EXAMPLES=20000 for a long hunt; the default keeps this file around half a minute.
EXAMPLES = int(os.environ.get("NOTES_FUZZ_EXAMPLES", "300"))
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------- strategies

any_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
non_blank_text = any_text.filter(str.strip)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)

# Section bodies: Markdown a person might write. Each line starts with a letter so that it stays in its block;
# the rest is free to carry emphasis, code, brackets, dashes, colons and pipes.
punctuation = st.sampled_from(list("—–-:;,.!?'\"()[]{}/*_`<>|&%@#\\"))
letters = st.characters(whitelist_categories=("Lu", "Ll", "Lo"))
word_chars = st.one_of(st.characters(whitelist_categories=("L", "N")), punctuation)
first_words = st.builds(lambda head, tail: head + tail, letters, st.text(word_chars, max_size=10))
words = st.text(word_chars, min_size=1, max_size=10)
lines = st.builds(lambda first, rest: " ".join([first, *rest]), first_words, st.lists(words, max_size=7))
paragraphs = st.lists(lines, min_size=1, max_size=3).map("\n".join)
bodies = st.lists(paragraphs, min_size=1, max_size=3).map("\n\n".join)

link_targets = any_text.map(lambda s: re.sub(r"[\[\]|]", "", s).strip()).filter(bool)
link_labels = st.none() | any_text.map(lambda s: re.sub(r"[\[\]]", "", s).strip()).filter(bool)
connections = st.builds(
    Connection,
    target=link_targets,
    reason=st.just("") | lines | bodies,
    label=link_labels,
    date=st.none() | st.dates(),
)
heading_words = st.text(
    st.characters(whitelist_categories=("L", "N", "P")).filter(lambda c: c not in "#\\"), min_size=1
)
heading_names = st.builds(
    lambda first, rest: " ".join([first, *rest]),
    first_words.filter(lambda w: "#" not in w and "\\" not in w),
    st.lists(heading_words, max_size=3),
).filter(lambda name: section_key(name) is None)
extra_values = st.one_of(any_text, st.integers(), st.booleans(), st.lists(any_text, max_size=3))
extra_keys = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True).filter(lambda key: key not in KNOWN_KEYS)

notes = st.builds(
    Note,
    id=slugs,
    title=non_blank_text,
    source=slugs,
    url=any_text,
    published=st.dates(),
    tier=st.integers(1, 5),
    domain=any_text,
    raw=any_text,
    content_hash=st.text("0123456789abcdef", max_size=64),
    summarizer=st.sampled_from(["extractive", "llm:openai-like:qwen2.5"]),
    author=st.none() | non_blank_text,
    source_name=st.none() | non_blank_text,
    topics=st.lists(any_text, max_size=4),
    entities=st.lists(
        st.fixed_dictionaries({"id": slugs, "name": any_text, "type": st.sampled_from(["Concept", "Paper"])}),
        max_size=3,
    ),
    tldr=bodies,
    why_it_matters=st.just("") | bodies,
    connections=st.lists(connections, max_size=4),
    research_angle=st.lists(bodies, max_size=3),
    open_questions=st.lists(lines | bodies, max_size=3),
    extra=st.dictionaries(extra_keys, extra_values, max_size=3),
    extra_sections=st.dictionaries(heading_names, st.just("") | bodies, max_size=2),
)


# --------------------------------------------------------------------------------------- round trip


@PROPERTY_SETTINGS
@given(notes)
def test_render_then_parse_gives_back_the_same_note(note):
    text = render_note(note)
    assert parse_note(text) == note
    assert render_note(parse_note(text)) == text
    sections = {section.name: section for section in note_sections(text)}
    assert sections["TL;DR"].text == note.tldr
    assert sections["Why it matters"].text == note.why_it_matters
    for name, body in note.extra_sections.items():
        assert sections[name].text == body
    for section in sections.values():
        assert text[section.start_char : section.end_char] == section.text


# ---------------------------------------------------------------------------------------------- fuzz

tricky_lines = st.sampled_from(
    [
        "---",
        "...",
        "## TL;DR",
        "## Connections",
        "## Research angle (Tier 2)",
        "## Open questions",
        "# Title",
        "- [[",
        "- [[a]] (2026-02-30) — x",
        "- no link",
        "1.",
        "-",
        "```",
        "~~~",
        "<!--",
        "    code",
        "> quote",
        "tier: x",
        "published: 2026-99-99",
        "title: [",
        "id: !!python/object:os.system x",
        "? [a]",
        "key: *alias",
        "Setext",
        "===",
        "\ufeff",
        "\r",
        "\t- [[tab]]",
        "[ref]: /url",
        "* * *",
        "  - [[nested]] — r",
    ]
)
garbage = tricky_lines | st.text(max_size=30)


def assert_parses_or_says_why(text: str) -> None:
    """parse_note gives a Note that can be written back, or a NoteFormatError with a line inside the text."""
    try:
        note = parse_note(text, path="fuzz.md")
    except NoteFormatError as exc:
        event(f"refused: {exc.reason[:40]}")
        assert exc.path == "fuzz.md"
        assert exc.line is not None and 1 <= exc.line <= text.count("\n") + text.count("\r") + 2
        return
    event("parsed")
    assert isinstance(note, Note)
    render_note(note)
    assert_spans_consistent(text)


def assert_spans_consistent(text: str) -> None:
    for section in note_sections(text):
        assert text[section.start_char : section.end_char] == section.text
        assert section.start_line - 1 <= section.end_line


VALID_FRONT_MATTER = (
    render_note(
        Note(
            id="n",
            title="T",
            source="s",
            url="u",
            published=date(2026, 1, 2),
            tier=2,
            domain="d",
            raw="raw/rss/n.md",
            content_hash="",
            summarizer="extractive",
            tldr="x",
        )
    ).split("\n---\n")[0]
    + "\n---\n"
)


@PROPERTY_SETTINGS
@given(st.text(max_size=400))
def test_random_text_never_breaks_the_parser(text):
    assert_parses_or_says_why(text)
    assert_parses_or_says_why(VALID_FRONT_MATTER + "## TL;DR\n" + text)


@PROPERTY_SETTINGS
@given(st.lists(garbage, max_size=30).map("\n".join))
def test_random_lines_never_break_the_parser(text):
    assert_parses_or_says_why(text)
    assert_parses_or_says_why(VALID_FRONT_MATTER + text)
    assert_parses_or_says_why(VALID_FRONT_MATTER + "## TL;DR\n" + text)


@st.composite
def mangled_notes(draw) -> str:
    lines = render_note(draw(notes)).split("\n")
    # Half the time spare the front matter, so that the page itself gets mangled.
    first = draw(st.sampled_from([0, lines.index("---", 1) + 1]))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(min(first, len(lines) - 1), max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        if action == "delete" and lines:
            del lines[where]
        elif action == "duplicate" and lines:
            lines.insert(where, lines[where])
        elif action == "swap" and lines:
            other = draw(st.integers(min(first, len(lines) - 1), len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        else:
            lines.insert(where, draw(garbage))
    return "\n".join(lines)


@PROPERTY_SETTINGS
@given(mangled_notes())
def test_mangled_notes_parse_or_raise_note_format_error(text):
    assert_parses_or_says_why(text)
