"""Summary notes as Markdown files: render a Note to its page, read a page back, find its sections.

The front matter is the truth for fields. The lines between the front matter and the first `## ` heading
(header, title, source line) are derived from it and rewritten on every render: edit the front matter to
change them. Each `## ` section is the truth for its content; its text is taken verbatim from the source
lines, so hand-written Markdown survives. Sections other than the five known ones are kept, after them.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from itertools import zip_longest

from markdown_it.token import Token

from graph.errors import NoteFormatError, WikigraphError
from graph.markdown import shared_markdown
from graph.model import Connection, Note
from graph.notes_front_matter import front_matter_of, load_front_matter, note_fields
from graph.vault import dump_front_matter
from graph.wikilinks import format_wikilink, match_wikilink

NEWLINE_RE = re.compile(r"\r\n|\r|\n")
ONE_LINE_RE = re.compile(r"[ \t]*\n[ \t]*")
FENCE_RE = re.compile(r"-{3,}[ \t]*")
LIST_MARKER_RE = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])")
CONNECTION_DATE_RE = re.compile(r"[ \t]*\((\d{4}-\d{2}-\d{2})\)")
CONNECTION_SEPARATOR_RE = re.compile(r"[ \t]*(?:—|–|--|-|:)[ \t]*")
LIST_SECTIONS = ("connections", "research_angle", "open_questions")


class NoteRenderError(WikigraphError):
    """A Note whose page would not read back as the same note (e.g. a `## ` heading inside a section)."""


@dataclass(frozen=True)
class Section:
    """A `## ` section: its heading as written and its body, with the body's place in the file.

    `text == file[start_char:end_char]`; lines are 1-based and inclusive (an empty body has end_line < start_line).
    """

    name: str
    text: str
    start_char: int
    end_char: int
    start_line: int
    end_line: int


@dataclass(frozen=True)
class _Block:
    """A top-level `## ` section as found: 0-based body lines [first, stop) and its top-level tokens."""

    name: str
    heading_line: int
    first: int
    stop: int
    tokens: list[Token]


def section_key(name: str) -> str | None:
    """The known section a heading names (`tldr`, `why_it_matters`, …), or None for a section of the author's own."""
    words = " ".join(name.split()).lower().rstrip(":").strip()
    if words in ("tl;dr", "tldr"):
        return "tldr"
    if words in ("why it matters", "connections", "open questions"):
        return words.replace(" ", "_")
    if re.match(r"research angles?\b", words):
        return "research_angle"
    return None


# ---------------------------------------------------------------------------------------------- render


def render_note(note: Note) -> str:
    """The full file: YAML front matter and the human page. Refuses a note that would not read back the same."""
    text = _render(note)
    try:
        again = _render(_parse(text, None))
    except NoteFormatError as exc:
        raise NoteRenderError(f"note {note.id!r} would not read back: {exc.reason} (line {exc.line})") from exc
    if again != text:
        pairs = zip_longest(text.split("\n"), again.split("\n"))
        line = next(number for number, (a, b) in enumerate(pairs, 1) if a != b)
        raise NoteRenderError(f"note {note.id!r} would not read back the same; it changes at line {line}")
    return text


def _render(note: Note) -> str:
    blocks = [_header_line(note), _title_line(note), _source_line(note)]
    for heading, body in _page_sections(note):
        blocks.append(f"## {heading}")
        if body:
            blocks.append(body)
    return dump_front_matter(front_matter_of(note)) + "\n\n".join(blocks) + "\n"


def _page_sections(note: Note) -> list[tuple[str, str]]:
    connections = "\n".join(_connection_line(connection) for connection in note.connections)
    angles = [_tidy_item(item) for item in note.research_angle]
    questions = [_tidy_item(item) for item in note.open_questions]
    sections = [
        ("TL;DR", _tidy(note.tldr)),
        ("Why it matters", _tidy(note.why_it_matters)),
        ("Connections", connections),
        (f"Research angle (Tier {note.tier})", _numbered([item for item in angles if item])),
        ("Open questions", "\n".join(_bullet("- ", item) for item in questions if item)),
    ]
    sections += [(name.strip(), _tidy(body)) for name, body in note.extra_sections.items()]
    return sections


def _header_line(note: Note) -> str:
    line = _one_line(f"{note.domain} · {_iso(note.published)} · Tier {note.tier}")
    # The header is a plain paragraph: a leading `#`, `<`, `` ` ``, `-` … would start another kind of block.
    return "\\" + line if line[:1] in string.punctuation else line


def _title_line(note: Note) -> str:
    source_name = _one_line(note.source_name or note.source)
    author = f" — {_one_line(note.author)}" if note.author else ""
    return f"# {_one_line(note.title)}{author} ({source_name})"


def _source_line(note: Note) -> str:
    source_name = _one_line(note.source_name or note.source)
    topics = f" ({_one_line(', '.join(note.topics))})" if note.topics else ""
    return f"Source: {source_name}, {_iso(note.published)} · Raw: {_one_line(note.raw)} · Tier: {note.tier}{topics}"


def _connection_line(connection: Connection) -> str:
    line = format_wikilink(connection.target, connection.label)
    if connection.date is not None:
        line += f" ({_iso(connection.date)})"
    reason = _tidy_item(connection.reason)
    if reason:
        line += f" — {reason}"
    return _bullet("- ", line)


def _numbered(items: list[str]) -> str:
    return "\n".join(_bullet(f"{number}. ", item) for number, item in enumerate(items, 1))


def _bullet(marker: str, text: str) -> str:
    """A list item: continuation lines indented under the item's text, blank lines left empty."""
    pad = " " * len(marker)
    first, *rest = text.split("\n")
    return "\n".join([marker + first] + [pad + line if line.strip(" \t") else "" for line in rest])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _iso(value: date) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _tidy(text: str) -> str:
    """Unix newlines, no blank lines at either end: how a section body reads back."""
    lines = NEWLINE_RE.sub("\n", text).split("\n")
    while lines and not lines[0].strip(" \t"):
        lines.pop(0)
    while lines and not lines[-1].strip(" \t"):
        lines.pop()
    return "\n".join(lines)


def _tidy_item(text: str) -> str:
    """A list item's text as it reads back: tidy, and starting with no spaces."""
    return _tidy(text).lstrip(" \t")


# ----------------------------------------------------------------------------------------------- parse


def parse_note(text: str, path: str | None = None) -> Note:
    """Read a note file back into a Note; anything malformed raises NoteFormatError with its line."""
    return _parse(text, path)


def _parse(text: str, path: str | None) -> Note:
    source = _normalize(text)
    lines = source.split("\n")
    tokens = shared_markdown().parse(source)
    meta_text, body_line = _front_matter_text(tokens, lines, path)
    meta, key_lines = load_front_matter(meta_text, 2, path)
    fields = note_fields(meta, key_lines, 1, path)
    blocks = _blocks(tokens, lines)
    if blocks:
        _check_closed(blocks[-1], lines, path)
    fields.update(_section_fields(blocks, lines, body_line, path))
    return Note(**fields)


def _check_closed(block: _Block, lines: list[str], path: str | None) -> None:
    """Refuse a last section whose ``` or <!-- is never closed: it swallows the end of the page, and once
    rendered it would swallow the sections written after it too."""
    # The leading newline keeps a body that starts with `---` from reading as front matter.
    probe = shared_markdown().parse("\n" + _body(block, lines) + "\n\n## end\n")
    if len(probe) >= 3 and probe[-3].type == "heading_open" and probe[-3].level == 0:
        return
    opener = next((token for token in reversed(block.tokens) if token.level == 0 and token.map), None)
    line = opener.map[0] + 1 if opener else block.first + 1
    raise NoteFormatError(f"section '{block.name}' leaves a block open (an unclosed ``` or <!-- ?)", path, line)


def _front_matter_text(tokens: list[Token], lines: list[str], path: str | None) -> tuple[str, int]:
    """(YAML text, 1-based line where the page starts)."""
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        if not FENCE_RE.fullmatch(lines[0]):
            raise NoteFormatError("the front matter's first line must be just '---'", path, 1)
        return tokens[0].content, tokens[0].map[1] + 1
    if FENCE_RE.fullmatch(lines[0]):
        raise NoteFormatError("front matter opened with '---' is never closed by a '---' line", path, 1)
    raise NoteFormatError("a note must start with YAML front matter between '---' lines", path, 1)


def _section_fields(blocks: list[_Block], lines: list[str], body_line: int, path: str | None) -> dict:
    known: dict[str, _Block] = {}
    extra_sections: dict[str, str] = {}
    for block in blocks:
        key = section_key(block.name)
        if (key and key in known) or (not key and block.name in extra_sections):
            raise NoteFormatError(f"section '{block.name}' appears twice", path, block.heading_line + 1)
        if key:
            known[key] = block
        else:
            extra_sections[block.name] = _body(block, lines)
    if "tldr" not in known:
        raise NoteFormatError("the page has no '## TL;DR' section", path, body_line)
    items = {key: _list_items(known[key], lines, path) if key in known else [] for key in LIST_SECTIONS}
    return {
        "tldr": _body(known["tldr"], lines),
        "why_it_matters": _body(known["why_it_matters"], lines) if "why_it_matters" in known else "",
        "connections": [_connection(text, line, path) for line, text in items["connections"]],
        "research_angle": [text for _, text in items["research_angle"] if text],
        "open_questions": [text for _, text in items["open_questions"] if text],
        "extra_sections": extra_sections,
    }


def _connection(text: str, line: int, path: str | None) -> Connection:
    """`[[Target]]` or `[[slug|Label]]`, then an optional `(YYYY-MM-DD)`, then `— reason`."""
    link = match_wikilink(text, 0)
    if link is None:
        raise NoteFormatError("a Connections bullet must start with a [[link]]: - [[Page]] — reason", path, line)
    rest = text[link.end :]
    when = None
    dated = CONNECTION_DATE_RE.match(rest)
    if dated:
        try:
            when = date.fromisoformat(dated.group(1))
        except ValueError as exc:
            raise NoteFormatError(f"connection date {dated.group(1)} is not a real date", path, line) from exc
        rest = rest[dated.end() :]
    separator = CONNECTION_SEPARATOR_RE.match(rest)
    reason = rest[separator.end() :] if separator else rest
    return Connection(target=link.target, reason=_tidy_item(reason), label=link.label, date=when)


def _list_items(block: _Block, lines: list[str], path: str | None) -> list[tuple[int, str]]:
    """(1-based line, item text) for each item of the section's top-level lists; any other block is an error."""
    items = []
    for token in block.tokens:
        if token.level == 0 and token.nesting != -1 and not token.type.endswith("list_open"):
            line = token.map[0] + 1 if token.map else block.first + 1
            what = token.type.removesuffix("_open").replace("_", " ")
            raise NoteFormatError(f"section '{block.name}' may hold only list items, found a {what}", path, line)
        if token.type == "list_item_open" and token.level == 1 and token.map:
            start, end = token.map
            items.append((start + 1, _item_text(lines[start:end])))
    return items


def _item_text(item_lines: list[str]) -> str:
    """A list item's own text: the marker removed, continuation lines dedented by the item's content column."""
    first = item_lines[0]
    marker = LIST_MARKER_RE.match(first)
    marker_end = marker.end() if marker else 0
    rest = first[marker_end:]
    pad = len(rest) - len(rest.lstrip(" \t"))
    if not rest.strip(" \t"):
        width, head = marker_end + 1, []
    elif pad >= 5:  # CommonMark: the text starts one space after the marker, the rest is indented code
        width, head = marker_end + 1, [rest[1:]]
    else:
        width, head = marker_end + pad, [rest[pad:]]
    body = [line[min(width, len(line) - len(line.lstrip(" "))) :] for line in item_lines[1:]]
    return _tidy_item("\n".join(head + body))


def _body(block: _Block, lines: list[str]) -> str:
    return "\n".join(lines[block.first : block.stop])


# -------------------------------------------------------------------------------------------- sections


def note_sections(text: str) -> list[Section]:
    """Every `## ` section of a page, with the body's span in `text` (for chunking and evidence). Never raises."""
    source = _normalize(text)
    lines = source.split("\n")
    starts = _line_starts(text)
    sections = []
    for block in _blocks(shared_markdown().parse(source), lines):
        if block.stop > block.first:
            start = starts[block.first]
            end = starts[block.stop - 1] + len(lines[block.stop - 1])
        else:
            start = end = starts[block.first] if block.first < len(starts) else len(text)
        sections.append(Section(block.name, text[start:end], start, end, block.first + 1, block.stop))
    return sections


def _blocks(tokens: list[Token], lines: list[str]) -> list[_Block]:
    """The top-level `## ` sections, each body trimmed of blank lines at both ends."""
    heads = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2" and t.level == 0 and t.map]
    blocks = []
    for n, i in enumerate(heads):
        following = heads[n + 1] if n + 1 < len(heads) else None
        stop = tokens[following].map[0] if following is not None else len(lines)
        first = tokens[i].map[1]
        while first < stop and not lines[first].strip(" \t"):
            first += 1
        while stop > first and not lines[stop - 1].strip(" \t"):
            stop -= 1
        if first == stop:  # an empty body sits right under its heading
            first = stop = tokens[i].map[1]
        name = ONE_LINE_RE.sub(" ", tokens[i + 1].content).strip()  # a setext heading may span lines
        blocks.append(_Block(name, tokens[i].map[0], first, stop, tokens[i + 3 : following]))
    return blocks


def _normalize(text: str) -> str:
    """What markdown-it sees, minus its NUL replacement: no byte-order mark, `\\n` line ends. Keeps line count."""
    return NEWLINE_RE.sub("\n", text.removeprefix("\ufeff"))


def _line_starts(text: str) -> list[int]:
    """Offset in `text` of each line of `_normalize(text)`."""
    return [1 if text.startswith("\ufeff") else 0] + [match.end() for match in NEWLINE_RE.finditer(text)]
