"""Summary notes as files: the rendered shape, hand edits, malformed input and section spans."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.errors import NoteFormatError
from graph.model import Connection, Note
from graph.notes_md import NoteRenderError, note_sections, parse_note, render_note, section_key


def make_note(**changes) -> Note:
    note = Note(
        id="2026-05-04-example-feed-a-post-on-things",
        title="A Post: on [things] — and more",
        source="example-feed",
        source_name="Example Feed",
        author="Jane Doe",
        url="https://example.org/posts/things",
        published=date(2026, 5, 4),
        tier=1,
        domain="inference-efficiency",
        raw="raw/rss/2026-05-04-example-feed-a-post-on-things.md",
        content_hash="9f2c4e",
        summarizer="extractive",
        topics=["knowledge distillation", "policy"],
        entities=[{"id": "knowledge-distillation", "type": "Concept", "name": "Knowledge distillation"}],
        tldr="The post argues teh term is misleading.\nIt names two things.\n\nAnother paragraph: the stakes.",
        why_it_matters="Distillation underpins recent work.",
        connections=[
            Connection("Knowledge distillation", "adds the policy dimension — a second view: [sic]"),
            Connection(
                "defense-trilemma", "the regulatory complement", label="Defense Trilemma", date=date(2026, 5, 3)
            ),
        ],
        research_angle=["Provenance measurement.\nWhich fraction is distilled?", "API design for resilience."],
        open_questions=["What share of the literature counts?", "Is there a technical line?"],
    )
    return replace(note, **changes)


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line containing `fragment`."""
    return next(number for number, line in enumerate(text.split("\n"), 1) if fragment in line)


# ------------------------------------------------------------------------------------------- shape


def test_rendered_page_has_the_documented_shape():
    text = render_note(make_note())
    front, page = text.split("\n---\n", 1)
    assert front.startswith("---\nid: 2026-05-04-example-feed-a-post-on-things\n")
    assert page.split("\n\n")[:3] == [
        "inference-efficiency · 2026-05-04 · Tier 1",
        "# A Post: on [things] — and more — Jane Doe (Example Feed)",
        (
            "Source: Example Feed, 2026-05-04 · Raw: raw/rss/2026-05-04-example-feed-a-post-on-things.md"
            " · Tier: 1 (knowledge distillation, policy)"
        ),
    ]
    headings = [line for line in page.split("\n") if line.startswith("## ")]
    assert headings == [
        "## TL;DR",
        "## Why it matters",
        "## Connections",
        "## Research angle (Tier 1)",
        "## Open questions",
    ]
    assert "- [[defense-trilemma|Defense Trilemma]] (2026-05-03) — the regulatory complement\n" in page
    assert "1. Provenance measurement.\n   Which fraction is distilled?\n2. API design" in page


def test_title_line_without_author_and_source_name_falls_back_to_source_id():
    text = render_note(make_note(author=None, source_name=None, topics=[]))
    assert "\n# A Post: on [things] — and more (example-feed)\n" in text
    assert "\nSource: example-feed, 2026-05-04 · Raw: raw/rss/" in text
    assert "Tier: 1\n" in text
    assert "author:" not in text and "source_name:" not in text


def test_round_trip_of_a_full_note():
    note = make_note(extra={"language": "en"}, extra_sections={"My notes": "Kept *verbatim*."})
    text = render_note(note)
    assert parse_note(text) == note
    assert render_note(parse_note(text)) == text


def test_empty_lists_and_sections_round_trip():
    note = make_note(why_it_matters="", connections=[], research_angle=[], open_questions=[], topics=[], entities=[])
    assert parse_note(render_note(note)) == note


def test_derived_lines_follow_the_front_matter():
    text = render_note(make_note())
    edited = text.replace("title: 'A Post: on [things] — and more'", "title: A better title", 1)
    reparsed = parse_note(edited)
    assert reparsed.title == "A better title"
    assert "\n# A better title — Jane Doe (Example Feed)\n" in render_note(reparsed)


def test_header_line_cannot_turn_into_another_block():
    note = make_note(domain="## TL;DR")
    text = render_note(note)
    assert "\n\\## TL;DR · 2026-05-04 · Tier 1\n" in text
    assert parse_note(text) == note


def test_render_refuses_a_note_that_would_not_read_back():
    with pytest.raises(NoteRenderError, match="twice"):
        render_note(make_note(tldr="Fine.\n\n## Why it matters\n\nsneaked in"))
    with pytest.raises(NoteRenderError):
        render_note(make_note(tldr="```\nnever closed"))
    with pytest.raises(ValueError, match="wikilink target"):
        render_note(make_note(connections=[Connection("a|b", "pipe in target")]))
    with pytest.raises(NoteRenderError, match="title"):
        render_note(make_note(title="  "))


def test_section_keys():
    assert section_key("TL;DR") == "tldr" and section_key("tldr:") == "tldr"
    assert section_key("Research angle (Tier 3)") == "research_angle"
    assert section_key("Why  it   matters") == "why_it_matters"
    assert section_key("Research angler") is None and section_key("Notes") is None


# -------------------------------------------------------------------------------------- hand edits


def test_hand_edits_survive_parse_and_render():
    text = render_note(make_note())
    edited = (
        text.replace("argues teh term", "argues the term")
        .replace("Another paragraph:", "**Another** paragraph:")
        .replace(
            "Distillation underpins recent work.\n",
            "Distillation underpins recent work.\n\nA second thought, with a [link](https://example.org/x) and `code`.\n",
        )
        .replace(
            "the regulatory complement\n",
            "the regulatory complement\n- [[New page]] (2026-01-02) — because: reasons — [sic] (see *there*)\n",
        )
        .replace("- Is there a technical line?\n", "- Is there a technical line?\n  - a nested thought\n")
    )
    note = parse_note(edited)
    assert note.tldr.startswith("The post argues the term")
    assert "**Another** paragraph: the stakes." in note.tldr
    assert note.why_it_matters.endswith("\n\nA second thought, with a [link](https://example.org/x) and `code`.")
    assert note.connections[-1] == Connection(
        "New page", "because: reasons — [sic] (see *there*)", None, date(2026, 1, 2)
    )
    assert note.open_questions[-1] == "Is there a technical line?\n- a nested thought"
    again = render_note(note)
    assert again == edited
    assert parse_note(again) == note


def test_lenient_connection_forms_are_read():
    text = render_note(make_note(connections=[Connection("Placeholder", "x")]))
    edited = text.replace(
        "- [[Placeholder]] — x\n",
        "* [[ Spaced ]] -- double dash\n- [[Colon]]: colon\n- [[Multi|Line]] — first\n  second line\n- [[No reason]]\n",
    )
    assert parse_note(edited).connections == [
        Connection("Spaced", "double dash"),
        Connection("Colon", "colon"),
        Connection("Multi", "first\nsecond line", label="Line"),
        Connection("No reason", ""),
    ]


def test_windows_line_endings_and_byte_order_mark_read_the_same():
    text = render_note(make_note())
    assert parse_note("\ufeff" + text.replace("\n", "\r\n")) == parse_note(text)


def test_missing_optional_sections_read_as_empty_and_own_sections_are_kept():
    text = render_note(make_note())
    head, _ = text.split("## Why it matters", 1)
    note = parse_note(head + "## Reading list\n\n- one\n- two\n")
    assert (note.why_it_matters, note.connections, note.research_angle, note.open_questions) == ("", [], [], [])
    assert note.extra_sections == {"Reading list": "- one\n- two"}


# ---------------------------------------------------------------------------------------- malformed


def assert_format_error(text: str, line: int, match: str) -> None:
    with pytest.raises(NoteFormatError, match=match) as caught:
        parse_note(text, path="notes/x.md")
    assert (caught.value.path, caught.value.line) == ("notes/x.md", line)


def test_unclosed_front_matter():
    text = render_note(make_note())
    assert_format_error(text.replace("\n---\n", "\n", 1), 1, "never closed")


def test_missing_front_matter():
    assert_format_error("# Just a page\n\n## TL;DR\n\ntext\n", 1, "front matter")


def test_missing_required_field():
    text = render_note(make_note())
    assert_format_error(text.replace("content_hash: 9f2c4e\n", ""), 1, "content_hash")


def test_tier_not_a_number():
    text = render_note(make_note()).replace("tier: 1\n", "tier: high\n")
    assert_format_error(text, line_of(text, "tier: high"), "tier")


def test_published_not_a_date():
    text = render_note(make_note()).replace("published: 2026-05-04", "published: soon")
    assert_format_error(text, line_of(text, "published: soon"), "published")


def test_title_not_text():
    text = render_note(make_note()).replace("title: 'A Post: on [things] — and more'", "title: 1984")
    assert_format_error(text, line_of(text, "title: 1984"), "title")


def test_invalid_yaml_points_at_its_line():
    text = render_note(make_note()).replace("domain: inference-efficiency", "domain: [unclosed")
    assert_format_error(text, line_of(text, "domain: [unclosed") + 1, "YAML")


def test_missing_tldr_heading():
    text = render_note(make_note())
    page_start = line_of(text, "inference-efficiency · 2026-05-04")
    assert_format_error(text.replace("## TL;DR\n", ""), page_start, "TL;DR")


def test_connection_bullet_without_a_link():
    text = render_note(make_note()).replace("- [[Knowledge distillation]] — ", "- Knowledge distillation — ")
    assert_format_error(text, line_of(text, "- Knowledge distillation — "), r"\[\[link\]\]")


def test_connection_with_an_impossible_date():
    text = render_note(make_note()).replace("(2026-05-03)", "(2026-02-30)")
    assert_format_error(text, line_of(text, "(2026-02-30)"), "date")


def test_paragraph_in_a_list_section():
    text = render_note(make_note()).replace("- What share", "Some prose.\n\n- What share")
    assert_format_error(text, line_of(text, "Some prose."), "only list items")


def test_unclosed_fence_that_would_swallow_the_following_sections():
    text = render_note(make_note()).replace("Another paragraph:", "```python\nAnother paragraph:")
    assert_format_error(text, line_of(text, "```python"), "block open")


def test_character_yaml_does_not_allow():
    text = render_note(make_note()).replace("domain: inference-efficiency", "domain: bad\x07bell")
    assert_format_error(text, line_of(text, "domain: bad"), "U\\+0007")


def test_duplicate_section():
    text = render_note(make_note()).replace("## Open questions", "## TL;DR\n\nagain\n\n## Open questions")
    assert_format_error(text, [n for n, line in enumerate(text.split("\n"), 1) if line == "## TL;DR"][1], "twice")


# ----------------------------------------------------------------------------------------- sections


def test_section_spans_cover_exactly_each_body():
    note = make_note(extra_sections={"Own": "x"})
    text = render_note(note)
    sections = note_sections(text)
    assert [s.name for s in sections] == [
        "TL;DR",
        "Why it matters",
        "Connections",
        "Research angle (Tier 1)",
        "Open questions",
        "Own",
    ]
    lines = text.split("\n")
    for section in sections:
        assert text[section.start_char : section.end_char] == section.text
        assert "\n".join(lines[section.start_line - 1 : section.end_line]) == section.text
    assert sections[0].text == note.tldr
    assert sections[1].text == note.why_it_matters
    assert lines[sections[0].start_line - 3] == "## TL;DR"


def test_section_spans_refer_to_the_text_as_given():
    text = "\ufeff" + render_note(make_note(why_it_matters="")).replace("\n", "\r\n")
    sections = {s.name: s for s in note_sections(text)}
    tldr = sections["TL;DR"]
    assert text[tldr.start_char : tldr.end_char] == tldr.text == make_note().tldr.replace("\n", "\r\n")
    empty = sections["Why it matters"]
    assert empty.text == "" and empty.start_char == empty.end_char and empty.end_line == empty.start_line - 1


def test_note_sections_of_a_page_without_front_matter():
    text = "Intro\n\n## One\n\nbody *one*\n\n## Two\n"
    assert [(s.name, s.text, s.start_line, s.end_line) for s in note_sections(text)] == [
        ("One", "body *one*", 5, 5),
        ("Two", "", 8, 7),
    ]
