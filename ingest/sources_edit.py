"""Add and remove sources in `sources.yaml` by editing its lines, so the person's comments, blank lines and order
stay exactly as they wrote them.

The YAML parser's marks say where each source's lines are; an edit touches only those lines (or appends new ones
in the style of the existing entries). The edited text is validated with `parse_sources` before anything is
written, and written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from graph.errors import WikigraphError
from graph.vault import atomic_write_text
from graph.slugs import slugify
from ingest.sources import Source, SourcesError, parse_sources

NEW_FILE_HEADER = (
    "# The feeds wikigraph follows. Edit freely (or with `wikigraph sources add|remove|import`);\n"
    "# every load validates this file and reports mistakes with their line number.\n"
)
DEFAULT_INDENT = 2


class SourcesEditError(WikigraphError):
    """The requested change cannot be made (unknown source, duplicate, a layout this editor does not handle)."""


@dataclass(frozen=True)
class _Layout:
    """Where the `sources:` list is: the line of its key, each item's first and last line (0-based), the dash column."""

    key_line: int
    items: list[tuple[int, int]]
    dash_column: int
    # The `sources:` value is empty (null or `[]`): its text, on the key line, to be cleared before appending.
    empty_value: tuple[int, int] | None


def source_fields(source: Source) -> dict[str, object]:
    """The source as sources.yaml spells it: required fields, then the optional ones that differ from the default."""
    fields: dict[str, object] = {
        "name": source.name, "feed_url": source.feed_url, "tier": source.tier, "domains": list(source.domains),
    }
    if source.url:
        fields["url"] = source.url
    if source.allow_private:
        fields["allow_private"] = True
    if getattr(source, "fetch_full_article", False):
        fields["fetch_full_article"] = True
    if getattr(source, "poll_interval", None) is not None:
        fields["poll_interval"] = source.poll_interval
    return fields


def validated_source(fields: dict[str, object]) -> Source:
    """A source from sources.yaml fields, judged by the same rules as the file (SourcesError.reason says why not)."""
    [source] = parse_sources(yaml.safe_dump({"sources": [fields]}, sort_keys=False, allow_unicode=True), "<new source>")
    return source


def add_sources(text: str, new: list[Source], path: Path | str = "sources.yaml") -> str:
    """`text` with `new` appended to its list. Raises SourcesEditError if one is already there (name, id or URL)."""
    existing = parse_sources(text, path) if text.strip() else []
    for source in new:
        clash = _clash(source, existing)
        if clash:
            raise SourcesEditError(f"{source.name!r} is already in {path} as {clash}")
        existing.append(source)
    if not text.strip():
        text = NEW_FILE_HEADER + "sources:\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    layout = _layout(text, path)
    block = [_render_item(source, layout.dash_column if layout.items else DEFAULT_INDENT) for source in new]
    separator = "\n" if _items_separated_by_blank_lines(lines, layout) else ""
    if layout.items:
        insert_at = _item_end_with_comments(lines, layout.items[-1][1], layout.dash_column) + 1
        chunk = "".join(separator + item for item in block)
    else:
        if layout.empty_value is not None:
            start, end = layout.empty_value
            key = lines[layout.key_line]
            lines[layout.key_line] = key[:start].rstrip() + key[end:]
        insert_at = layout.key_line + 1
        chunk = separator.join(block)
    lines.insert(insert_at, chunk)
    edited = "".join(lines)
    _check(edited, path, expect=[slugify(source.name) for source in existing])
    return edited


def remove_source(text: str, which: str, path: Path | str = "sources.yaml") -> tuple[str, Source]:
    """`text` without the source named `which` (its name, id or feed URL), and that source."""
    sources = parse_sources(text, path)
    position = find_source(sources, which)
    if position is None:
        known = ", ".join(source.name for source in sources) or "none"
        raise SourcesEditError(f"no source {which!r} in {path} (sources: {known})")
    layout = _layout(text, path)
    lines = text.splitlines(keepends=True)
    first, last = layout.items[position]
    last = _item_end_with_comments(lines, last, layout.dash_column)
    before_blank = first > 0 and not lines[first - 1].strip()
    after_blank = last + 1 < len(lines) and not lines[last + 1].strip()
    if after_blank and (before_blank or position == 0):
        last += 1  # keep one blank line between the neighbours, not two
    elif before_blank and position == len(layout.items) - 1:
        first -= 1  # the last item: its separating blank line goes with it
    del lines[first : last + 1]
    edited = "".join(lines)
    remaining = [source.id for index, source in enumerate(sources) if index != position]
    _check(edited, path, expect=remaining)
    return edited, sources[position]


def find_source(sources: list[Source], which: str) -> int | None:
    wanted = which.strip()
    for index, source in enumerate(sources):
        if wanted.casefold() in (source.name.casefold(), source.id) or wanted == source.feed_url:
            return index
    slug = slugify(wanted)
    return next((index for index, source in enumerate(sources) if slug and source.id == slug), None)


def write_sources(path: Path, text: str) -> bool:
    return atomic_write_text(path, text)


def read_sources_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(path, None, f"cannot read: {exc}") from exc


def _clash(source: Source, existing: list[Source]) -> str | None:
    for other in existing:
        if other.name.casefold() == source.name.casefold() or other.id == source.id:
            return f"{other.name!r}"
        if other.feed_url == source.feed_url:
            return f"{other.name!r} (same feed URL)"
    return None


def _check(edited: str, path: Path | str, expect: list[str]) -> None:
    """The edit must leave a valid file holding exactly the expected sources, in order."""
    try:
        got = [source.id for source in parse_sources(edited, path)]
    except SourcesError as exc:
        raise SourcesEditError(f"editing {path} would make it invalid ({exc}); nothing was written") from exc
    if got != expect:
        raise SourcesEditError(f"editing {path} did not give the expected sources; nothing was written")


def _layout(text: str, path: Path | str) -> _Layout:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    key_node, value = next((k, v) for k, v in root.value if k.value == "sources")
    key_line = key_node.start_mark.line
    if isinstance(value, yaml.ScalarNode) or (isinstance(value, yaml.SequenceNode) and not value.value):
        on_key_line = value.start_mark.line == key_line and value.end_mark.index > value.start_mark.index
        empty = (value.start_mark.column, value.end_mark.column) if on_key_line else None
        return _Layout(key_line, [], DEFAULT_INDENT, empty)
    if value.flow_style:
        raise SourcesEditError(f"{path}: the sources are written as a [flow] list; write them as a block list to edit")
    lines = text.splitlines()
    dash = value.start_mark.column
    items = []
    for item in value.value:
        first = item.start_mark.line
        while first > key_line and lines[first][dash : dash + 1] != "-":
            first -= 1  # a dash alone on the line above its mapping
        items.append((first, _last_content_line(item)))
    return _Layout(key_line, items, dash, None)


def _last_content_line(node: yaml.Node) -> int:
    """The node's end mark sits at the next token; a block value ends on the line before when at column 0."""
    last = node.value[-1][1] if isinstance(node, yaml.MappingNode) and node.value else node
    line = last.end_mark.line
    return line - 1 if last.end_mark.column == 0 else line


def _item_end_with_comments(lines: list[str], last: int, dash_column: int) -> int:
    """Comment lines right after an item, indented past its dash, belong to it."""
    while last + 1 < len(lines):
        following = lines[last + 1]
        indent = len(following) - len(following.lstrip(" "))
        if not following.lstrip().startswith("#") or indent <= dash_column:
            break
        last += 1
    return last


def _items_separated_by_blank_lines(lines: list[str], layout: _Layout) -> bool:
    """The file's style; with fewer than two entries there is none yet, and ours is a blank line between them."""
    if len(layout.items) < 2:
        return True
    return any(not lines[first - 1].strip() for first, _ in layout.items[1:])


def _render_item(source: Source, dash_column: int) -> str:
    pad = " " * dash_column
    rows = []
    for index, (key, value) in enumerate(source_fields(source).items()):
        lead = f"{pad}- " if index == 0 else f"{pad}  "
        rows.append(f"{lead}{key}: {_scalar(value)}\n")
    return "".join(rows)


def _scalar(value: object) -> str:
    """One value in flow style on one line, quoted only where YAML needs it."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()
