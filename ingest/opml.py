"""OPML 2.0, the subscription list every feed reader imports and exports.

Reading: every `<outline>` with an `xmlUrl` is a feed, wherever it sits; its `category` attribute (comma-separated,
slash-delimited paths) or, failing that, the folders it sits in give its domains. Writing: one outline per source
with its domains as `category`, and what OPML has no word for (tier, allow_private, ...) as attributes in our own
namespace, which other readers ignore and our import reads back, so import(export(sources)) gives the sources again.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

import yaml

from graph.errors import WikigraphError
from ingest.sources import Source, SourcesError
from ingest.sources_edit import find_source, source_fields, validated_source

# expat (2.4.1 and later, bundled with every supported Python) refuses entity-expansion bombs and never fetches
# external entities, so ElementTree is safe on a file someone sends us.
NS = "urn:wikigraph:opml"
ET.register_namespace("wikigraph", NS)
# sources.yaml field → attribute in our namespace (and how to read it back).
EXTRA_ATTRIBUTES = {"tier": "tier", "allow_private": "allowPrivate", "fetch_full_article": "fetchFullArticle",
                    "poll_interval": "pollInterval"}


class OpmlError(WikigraphError):
    """The file is not OPML we can read."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline, as written in the file."""

    title: str | None
    feed_url: str
    html_url: str | None
    domains: tuple[str, ...]
    # Our own attributes (tier, allow_private, ...), as raw strings.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What an import would add, and each outline it leaves out with the reason."""

    added: list[Source] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_opml(data: bytes) -> list[OpmlFeed]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "opml":
        raise OpmlError(f"not an OPML document: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML document without a <body>")
    feeds: list[OpmlFeed] = []
    _collect(body, (), feeds)
    return feeds


def _collect(parent: ET.Element, folders: tuple[str, ...], feeds: list[OpmlFeed]) -> None:
    for outline in parent.findall("outline"):
        attributes = {key.lower(): value for key, value in outline.attrib.items() if not key.startswith("{")}
        label = (attributes.get("title") or attributes.get("text") or "").strip()
        feed_url = (attributes.get("xmlurl") or "").strip()
        if not feed_url:
            _collect(outline, folders + ((label,) if label else ()), feeds)
            continue
        domains = _categories(attributes.get("category", "")) or folders[-1:]
        extra = {name: outline.attrib[f"{{{NS}}}{attr}"] for name, attr in EXTRA_ATTRIBUTES.items()
                 if f"{{{NS}}}{attr}" in outline.attrib}
        html_url = (attributes.get("htmlurl") or "").strip() or None
        feeds.append(OpmlFeed(label or None, feed_url, html_url, tuple(domains), extra))


def _categories(value: str) -> tuple[str, ...]:
    """`"/Tech/AI, ml"` → `("Tech/AI", "ml")`: each comma-separated category path, outer slashes dropped."""
    names = (part.strip().strip("/").strip() for part in value.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def plan_import(
    feeds: list[OpmlFeed],
    existing: list[Source],
    default_tier: int = 3,
    default_domains: tuple[str, ...] = ("general",),
) -> ImportPlan:
    """The sources to add: each feed validated like a line of sources.yaml; duplicates (of a source already there
    or of an earlier outline) and invalid outlines are skipped with a message."""
    plan = ImportPlan()
    known = list(existing)
    for feed in feeds:
        shown = repr(feed.title) if feed.title else feed.feed_url
        try:
            source = _source(feed, default_tier, default_domains)
        except SourcesError as exc:
            plan.skipped.append(f"skipped {shown}: {exc.reason}")
            continue
        clash = _duplicate_of(source, known)
        if clash is not None:
            plan.skipped.append(f"skipped {shown}: already present as {clash.name!r}")
            continue
        plan.added.append(source)
        known.append(source)
    return plan


def _source(feed: OpmlFeed, default_tier: int, default_domains: tuple[str, ...]) -> Source:
    fields: dict[str, object] = {
        "name": feed.title or urlsplit(feed.feed_url).hostname or feed.feed_url,
        "feed_url": feed.feed_url,
        "tier": default_tier,
        "domains": list(feed.domains or default_domains),
    }
    if feed.html_url:
        fields["url"] = feed.html_url
    for name, raw in feed.extra.items():
        fields[name] = _extra_value(raw)
    return validated_source(fields)


def _extra_value(raw: str) -> object:
    """Our attributes hold YAML scalars (`2`, `true`); the sources.yaml validators judge them."""
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _duplicate_of(source: Source, known: list[Source]) -> Source | None:
    for candidate in (source.name, source.feed_url):
        position = find_source(known, candidate)
        if position is not None:
            return known[position]
    return None


def write_opml(sources: list[Source], title: str, created: datetime) -> bytes:
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created, usegmt=True)
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for source in sources:
        ET.SubElement(body, "outline", _outline_attributes(source))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _outline_attributes(source: Source) -> dict[str, str]:
    attributes = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.feed_url}
    if source.url:
        attributes["htmlUrl"] = source.url
    if any("," in domain for domain in source.domains):
        raise OpmlError(f"{source.name!r}: a domain with a comma cannot be written as an OPML category")
    attributes["category"] = ",".join(source.domains)
    fields = source_fields(source)
    for name, attr in EXTRA_ATTRIBUTES.items():
        if name in fields:
            value = fields[name]
            attributes[f"{{{NS}}}{attr}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return attributes
