"""Feed bytes → ParsedFeed. feedparser does the parsing; we hand it bytes and headers, never a URL or a path.

A malformed feed is data (`bozo`), not an error: whatever entries could be read are kept. Only a document that
is not a feed at all (an HTML page, a bot challenge served with status 200, an empty body) raises NotAFeed.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from datetime import datetime, timezone
from typing import Any

import feedparser
from bs4 import BeautifulSoup

from ingest.feeds_model import FeedEntry, NotAFeed, ParsedFeed
from ingest.jsonfeed import looks_like_json_feed, parse_json_feed

# Headers feedparser uses to decode and resolve the document; the rest (content-encoding of a body that
# httpx already decoded, cookies, ...) would only mislead it.
PARSER_HEADERS = ("content-type", "content-location", "content-language")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
# An item or entry element written with a namespace prefix, as in `<rss:item>` with `rss` never declared.
_PREFIXED_ITEM = re.compile(rb"<([A-Za-z_][\w.-]*):(?:item|entry)[\s/>]")

__all__ = ["FeedEntry", "NotAFeed", "ParsedFeed", "parse_feed"]


def parse_feed(body: bytes, headers: dict[str, str]) -> ParsedFeed:
    if not body.strip():
        raise NotAFeed("empty response body")
    lowered = {key.lower(): value for key, value in headers.items()}
    if looks_like_json_feed(body, lowered.get("content-type", "")):
        json_feed = parse_json_feed(body, lowered.get("content-location"))
        if json_feed is not None:
            return json_feed
    parser_headers = {key: lowered[key] for key in PARSER_HEADERS if key in lowered}
    parsed = _feedparser(body, parser_headers)
    bozo, bozo_message = bool(parsed.get("bozo")), _bozo_message(parsed)
    if bozo and not parsed.entries:
        parsed, bozo_message = _without_element_prefix(body, parser_headers, parsed, bozo_message)
    if not parsed.get("version") and not parsed.entries:
        raise NotAFeed(_not_a_feed_reason(body, lowered.get("content-type", ""), bozo_message))
    meta = parsed.feed
    return ParsedFeed(
        title=_text(meta.get("title"), meta.get("title_detail")) or None,
        link=meta.get("link") or None,
        entries=[_entry(raw) for raw in parsed.entries],
        bozo=bozo,
        bozo_message=bozo_message,
        version=parsed.get("version") or "",
    )


def _feedparser(body: bytes, headers: dict[str, str]) -> Any:
    # A file-like object: feedparser treats a bytes argument that names an existing file as a path to open.
    return feedparser.parse(io.BytesIO(body), response_headers=headers)


def _without_element_prefix(
    body: bytes, headers: dict[str, str], parsed: Any, bozo_message: str | None
) -> tuple[Any, str | None]:
    """A malformed feed whose items carry a namespace prefix it never declares (`<rss:item>`) yields no entry:
    feedparser's lenient reader knows such elements only by their plain names. Read it again with that prefix
    dropped from element names; it stays a malformed feed, and the message says how it was read."""
    match = _PREFIXED_ITEM.search(body)
    if match is None:
        return parsed, bozo_message
    prefix = match.group(1)
    retried = _feedparser(re.sub(rb"(</?)" + re.escape(prefix) + rb":", rb"\1", body), headers)
    if not retried.entries:
        return parsed, bozo_message
    how = f"read with the {prefix.decode('ascii')}: prefix dropped from its element names"
    return retried, "; ".join(filter(None, (bozo_message, how)))


def _bozo_message(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None:
        return None
    return f"{type(exc).__name__}: {exc}"


def _not_a_feed_reason(body: bytes, content_type: str, bozo_message: str | None) -> str:
    head = body[:65536]
    match = _TITLE.search(head)
    declared_html = content_type.split(";")[0].strip().lower() in HTML_TYPES
    looks_html = declared_html or _HTML_START.search(head) is not None
    if looks_html:
        title = " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split()) if match else ""
        shown = f" titled {title!r}" if title else ""
        declared = content_type or "unknown"
        return f"not a feed: got an HTML page{shown} (content-type {declared}), perhaps a bot challenge or login page"
    return f"not a feed: no RSS, Atom or JSON feed found ({bozo_message or 'unrecognised document'})"


def _entry(raw: Any) -> FeedEntry:
    return FeedEntry(
        guid=_clean(raw.get("id")),
        title=_text(raw.get("title"), raw.get("title_detail")),
        link=_clean(raw.get("link")),
        published=_utc(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=_author(raw),
        content_html=_best_content(raw.get("content") or []),
        summary_html=_as_html(raw.get("summary") or "", (raw.get("summary_detail") or {}).get("type")),
    )


def _clean(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _text(value: Any, detail: Any) -> str:
    """A title as plain text on one line (titles declared as HTML lose their tags)."""
    if not isinstance(value, str):
        return ""
    if (detail or {}).get("type") in HTML_TYPES and "<" in value:
        value = BeautifulSoup(value, "html.parser").get_text()
    return " ".join(value.split())


def _author(raw: Any) -> str | None:
    detail = raw.get("author_detail") or {}
    return _clean(detail.get("name")) or _clean(raw.get("author"))


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """feedparser normalises dates to UTC struct_time; out-of-range values mean 'no usable date'."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _best_content(contents: list[Any]) -> str:
    """The longest HTML content block, else the longest plain-text one (as HTML)."""
    html_blocks = [c.get("value") or "" for c in contents if c.get("type") != "text/plain"]
    if html_blocks:
        return max(html_blocks, key=len)
    text_blocks = [c.get("value") or "" for c in contents]
    return _as_html(max(text_blocks, key=len), "text/plain") if text_blocks else ""


def _as_html(value: str, content_type: str | None) -> str:
    """feedparser's values are HTML unless declared text/plain (a summary copied from content has no type)."""
    if content_type != "text/plain" or not value:
        return value
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", value) if part.strip()]
    return "".join(f"<p>{html.escape(part)}</p>" for part in paragraphs)
