"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1), which feedparser 6.0 does not read."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

from ingest.feeds_model import FeedEntry, ParsedFeed

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json_feed(body: bytes, content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    return media_type.endswith("json") or body.lstrip()[:1] == b"{"


def parse_json_feed(body: bytes, base_url: str | None) -> ParsedFeed | None:
    """The feed, or None when the body is not a JSON Feed (then it is someone else's to judge)."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(VERSION_PREFIX):
        return None
    base = _text(document.get("home_page_url")) or base_url
    items = document.get("items")
    entries = [_entry(item, base) for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    problems = None if isinstance(items, list) else "JSON Feed without an 'items' list"
    return ParsedFeed(
        title=_text(document.get("title")),
        link=_text(document.get("home_page_url")),
        entries=entries,
        bozo=problems is not None,
        bozo_message=problems,
        version="json" + document["version"].removeprefix(VERSION_PREFIX).replace(".", ""),
    )


def _entry(item: dict[str, Any], base: str | None) -> FeedEntry:
    link = _text(item.get("url")) or _text(item.get("external_url"))
    content_text = _text(item.get("content_text"))
    content_html = _text(item.get("content_html")) or (_paragraphs(content_text) if content_text else "")
    return FeedEntry(
        guid=_identifier(item.get("id")),
        title=" ".join((_text(item.get("title")) or "").split()),
        link=urljoin(base, link) if base and link else link,
        published=_date(item.get("date_published")) or _date(item.get("date_modified")),
        author=_author(item),
        content_html=content_html,
        summary_html=_paragraphs(_text(item.get("summary")) or ""),
    )


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _identifier(value: Any) -> str | None:
    """Ids are strings by the spec; some feeds use numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
    names = [_text(a.get("name")) for a in authors if isinstance(a, dict)]
    return next((name for name in names if name), None)


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
