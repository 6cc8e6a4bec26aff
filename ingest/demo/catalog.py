"""The demo corpus: three fictional sources and the posts they publish.

Posts live as Markdown files with a YAML header in `posts/` (one file per post, named
`YYYY-MM-DD-<slug>.md`) so a person can edit them; this module reads and validates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property, lru_cache
from html.parser import HTMLParser
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from graph.errors import WikigraphError

_FILE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
_REQUIRED_KEYS = ("title", "author", "published", "source", "categories")


class DemoPostError(WikigraphError):
    """A demo post file is malformed; names the file so a person can fix it."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"demo post {origin}: {reason}")
        self.origin = origin
        self.reason = reason


class UnknownDemoSource(WikigraphError):
    def __init__(self, name: str) -> None:
        known = ", ".join(source.name for source in DEMO_SOURCES)
        super().__init__(f"no demo source named {name!r} (known: {known})")
        self.name = name


@dataclass(frozen=True)
class DemoSource:
    name: str
    slug: str
    tier: int
    domains: tuple[str, ...]
    homepage: str
    description: str

    @property
    def feed_path(self) -> str:
        return f"/feeds/{self.slug}.xml"

    def post_url(self, post_slug: str) -> str:
        return f"{self.homepage}/{post_slug}"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "tier": self.tier,
            "domains": list(self.domains),
            "url": self.homepage,
            "path": self.feed_path,
            "description": self.description,
        }


# Homepages use the reserved `.example` domain: the demo never dereferences post links,
# and a fixed address keeps guids stable whatever loopback port serves the feeds.
DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        name="Checkpoint Dispatch",
        slug="checkpoint-dispatch",
        tier=1,
        domains=("post-training", "evaluation", "inference-efficiency", "data"),
        homepage="https://checkpoint-dispatch.example/p",
        description="A weekly research newsletter on how models are trained, evaluated and served.",
    ),
    DemoSource(
        name="Fernhill Lab Notes",
        slug="fernhill-lab-notes",
        tier=2,
        domains=("architecture", "retrieval", "agents", "interpretability"),
        homepage="https://fernhill-lab.example/notes",
        description="Working notes from the researchers of the Fernhill AI Lab.",
    ),
    DemoSource(
        name="Statute & Silicon",
        slug="statute-and-silicon",
        tier=3,
        domains=("policy", "security", "open-models"),
        homepage="https://statute-and-silicon.example/p",
        description="A digest of AI policy, licensing and model security.",
    ),
)


def find_source(name: str) -> DemoSource:
    for source in DEMO_SOURCES:
        if source.name == name:
            return source
    raise UnknownDemoSource(name)


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    author: str
    published: datetime
    source: str
    categories: tuple[str, ...]
    body_markdown: str

    @property
    def url(self) -> str:
        return find_source(self.source).post_url(self.slug)

    @property
    def guid(self) -> str:
        return self.url

    @cached_property
    def html(self) -> str:
        return _MARKDOWN.render(self.body_markdown)

    @cached_property
    def plain_text(self) -> str:
        return html_to_text(self.html)

    @property
    def summary(self) -> str:
        """The opening paragraph as plain text (the feed's `description`)."""
        first = self.body_markdown.strip().split("\n\n", 1)[0]
        return html_to_text(_MARKDOWN.render(first)).strip()

    @property
    def word_count(self) -> int:
        return count_words(self.plain_text)


_MARKDOWN = MarkdownIt("commonmark", {"html": True})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def parse_post(text: str, file_name: str) -> DemoPost:
    """Read one post file's text; `file_name` supplies the slug and the expected date."""
    name_match = _FILE_NAME.match(file_name)
    if name_match is None:
        raise DemoPostError(file_name, "file name must look like YYYY-MM-DD-some-slug.md")
    header, body = _split_front_matter(text, file_name)
    published = _as_utc(header["published"], file_name)
    if published.date().isoformat() != name_match["date"]:
        raise DemoPostError(
            file_name, f"published {published.date()} does not match the file name's date"
        )
    source = _known_source(header["source"], file_name)
    return DemoPost(
        slug=name_match["slug"],
        title=_text_field(header, "title", file_name),
        author=_text_field(header, "author", file_name),
        published=published,
        source=source.name,
        categories=_categories(header["categories"], file_name),
        body_markdown=body.strip() + "\n",
    )


def _known_source(name: object, origin: str) -> DemoSource:
    try:
        return find_source(str(name))
    except UnknownDemoSource as error:
        raise DemoPostError(origin, str(error)) from error


def _split_front_matter(text: str, origin: str) -> tuple[dict, str]:
    text = text.replace("\r\n", "\n")
    parts = text.split("\n---\n", 1) if text.startswith("---\n") else []
    if len(parts) != 2:
        raise DemoPostError(origin, "expected a YAML header between '---' lines")
    try:
        header = yaml.safe_load(parts[0][len("---\n") :])
    except yaml.YAMLError as error:
        raise DemoPostError(origin, f"YAML header does not parse: {error}") from error
    if not isinstance(header, dict):
        raise DemoPostError(origin, "YAML header must be a mapping")
    missing = [key for key in _REQUIRED_KEYS if key not in header]
    if missing:
        raise DemoPostError(origin, f"missing header keys: {', '.join(missing)}")
    if not parts[1].strip():
        raise DemoPostError(origin, "the post has no body")
    return header, parts[1]


def _as_utc(value: object, origin: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise DemoPostError(origin, f"published is not an ISO date-time: {value!r}") from error
    if not isinstance(value, datetime):
        kind = "a date without a time" if isinstance(value, date) else repr(value)
        raise DemoPostError(origin, f"published must be a date-time with a time zone, got {kind}")
    if value.tzinfo is None:
        raise DemoPostError(origin, "published must carry a time zone (for example a trailing Z)")
    return value.astimezone(timezone.utc)


def _text_field(header: dict, key: str, origin: str) -> str:
    value = header[key]
    if not isinstance(value, str) or not value.strip():
        raise DemoPostError(origin, f"{key} must be a non-empty string")
    return value.strip()


def _categories(value: object, origin: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise DemoPostError(origin, "categories must be a non-empty list")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise DemoPostError(origin, "every category must be a non-empty string")
    return tuple(item.strip() for item in value)


def read_posts(directory: Traversable | Path) -> list[DemoPost]:
    """Every `*.md` post in `directory`, oldest first."""
    files = sorted(
        (entry for entry in directory.iterdir() if entry.name.endswith(".md")),
        key=lambda entry: entry.name,
    )
    posts = [parse_post(entry.read_text(encoding="utf-8"), entry.name) for entry in files]
    _refuse_duplicate_slugs(posts)
    return sorted(posts, key=lambda post: (post.published, post.slug))


def _refuse_duplicate_slugs(posts: list[DemoPost]) -> None:
    seen: set[str] = set()
    for post in posts:
        if post.slug in seen:
            # The slug is the post's identity in its URL and guid, so two files may not share it.
            raise DemoPostError(post.slug, "two post files share this slug")
        seen.add(post.slug)


@lru_cache(maxsize=1)
def _shipped_posts() -> tuple[DemoPost, ...]:
    return tuple(read_posts(resources.files(__package__) / "posts"))


def shipped_posts() -> list[DemoPost]:
    return list(_shipped_posts())
