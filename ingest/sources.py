"""The list of feeds to follow (`sources.yaml`), validated with the line of every mistake.

```yaml
sources:
  - name: Example Research Blog
    feed_url: https://example.org/feed.xml
    tier: 1
    domains: [ml-research]
    url: https://example.org          # optional: the site itself
    allow_private: false              # optional: allow a loopback/LAN feed
    fetch_full_article: false         # optional: fetch each post's page when the feed carries only a summary
    poll_interval: 60                 # optional: minutes between checks (at least 5); default: the scheduler's
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from graph.errors import WikigraphError
from graph.slugs import slugify

TIERS = range(1, 6)
REQUIRED_FIELDS = ("name", "feed_url", "tier", "domains")
OPTIONAL_FIELDS = ("url", "allow_private", "fetch_full_article", "poll_interval")
MIN_POLL_INTERVAL = 5  # minutes: more often is impolite to the server and pointless for a feed


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    feed_url: str
    tier: int
    domains: tuple[str, ...]
    allow_private: bool = False
    url: str | None = None
    fetch_full_article: bool = False
    # Minutes between checks; None = the scheduler's default.
    poll_interval: int | None = None


class SourcesError(WikigraphError):
    """`sources.yaml` is not usable; the message starts with `file:line:`."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line
        self.reason = message


def load_sources(path: Path) -> list[Source]:
    """Read and validate `path`. Raises SourcesError naming the file and line of the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(path, None, f"cannot read: {exc}") from exc
    return parse_sources(text, path)


def parse_sources(text: str, path: Path | str = "sources.yaml") -> list[Source]:
    root = _compose(text, path)
    if root is None:
        raise SourcesError(path, 1, "empty file; expected a 'sources:' list")
    top = _mapping(root, path, "the top level")
    if "sources" not in top:
        raise SourcesError(path, _line(root), "missing 'sources:' list")
    key_node, list_node = top["sources"]
    if not isinstance(list_node, yaml.SequenceNode):
        if _is_null(list_node):
            return []
        raise SourcesError(path, _line(list_node), "'sources' must be a list")
    sources = [_source(item, path) for item in list_node.value]
    _reject_duplicates(sources, [_line(item) for item in list_node.value], path)
    return sources


def _compose(text: str, path: Path | str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SourcesError(path, line, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise SourcesError(path, None, f"invalid YAML: {exc}") from exc


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _mapping(node: yaml.Node, path: Path | str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Keys → (key node, value node); duplicate keys are an error (YAML would keep the last silently)."""
    if not isinstance(node, yaml.MappingNode):
        raise SourcesError(path, _line(node), f"{what} must be a mapping")
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise SourcesError(path, _line(key_node), f"{what}: keys must be plain names")
        if key in fields:
            first = _line(fields[key][0])
            raise SourcesError(path, _line(key_node), f"duplicate key {key!r} (first on line {first})")
        fields[key] = (key_node, value_node)
    return fields


def _value(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _source(node: yaml.Node, path: Path | str) -> Source:
    fields = _mapping(node, path, "each source")
    for key, (key_node, _) in fields.items():
        if key not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            allowed = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
            raise SourcesError(path, _line(key_node), f"unknown field {key!r} (allowed: {allowed})")
    for key in REQUIRED_FIELDS:
        if key not in fields:
            raise SourcesError(path, _line(node), f"source is missing {key!r}")

    def check(key: str, validate):  # the value, or a SourcesError at the value's line
        value_node = fields[key][1]
        try:
            return validate(_value(value_node))
        except ValueError as exc:
            raise SourcesError(path, _line(value_node), f"{key} {exc}") from None

    name = check("name", _name)
    optional = {key: check(key, VALIDATORS[key]) for key in OPTIONAL_FIELDS if key in fields}
    return Source(
        id=slugify(name),
        name=name,
        feed_url=check("feed_url", _http_url),
        tier=check("tier", _tier),
        domains=check("domains", _domains),
        **optional,
    )


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if not slugify(value):
        raise ValueError("must contain at least one letter or digit")
    return value.strip()


def _http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a URL string")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
    return value.strip()


def _tier(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in TIERS:
        raise ValueError(f"must be an integer {TIERS.start}..{TIERS.stop - 1}")
    return value


def _domains(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of names")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError("must contain only non-empty names")
    return tuple(dict.fromkeys(item.strip() for item in value))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _poll_interval(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of minutes, got {value!r}")
    if value < MIN_POLL_INTERVAL:
        raise ValueError(f"must be at least {MIN_POLL_INTERVAL} minutes, got {value}")
    return value


VALIDATORS = {"url": _http_url, "allow_private": _bool, "fetch_full_article": _bool, "poll_interval": _poll_interval}


def _reject_duplicates(sources: list[Source], lines: list[int], path: Path | str) -> None:
    first_line: dict[tuple[str, str], int] = {}
    for source, line in zip(sources, lines, strict=True):
        for what, value in (("name", source.name.casefold()), ("id", source.id), ("feed_url", source.feed_url)):
            if (what, value) in first_line:
                shown = source.name if what == "name" else value
                earlier = first_line[(what, value)]
                raise SourcesError(path, line, f"duplicate source {what} {shown!r} (first on line {earlier})")
            first_line[(what, value)] = line
