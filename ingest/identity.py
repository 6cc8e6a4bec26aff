"""Stable identities for feed entries, and URLs cleaned of tracking parameters.

The id of a post is a short hash chosen by a ladder: a globally unique guid alone → a weak guid with the link →
the link → the title with the content. It never depends on the source or on the time of fetching, so the same
post seen by two feeds, or on two runs, gets the same id.
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote, urlsplit, urlunsplit

ID_LENGTH = 16  # 64 bits of sha256: collisions are negligible at the scale of a personal vault
STRONG_GUID_MIN_LENGTH = 24
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_hsenc", "_hsmi"})


def entry_identity(guid: str | None, link: str | None, title: str, content: str) -> str:
    guid = (guid or "").strip()
    link = canonical_url(link) or ""
    if guid and is_strong_guid(guid):
        parts = ("guid", guid)
    elif guid and link:
        parts = ("guid+link", guid, link)
    elif link:
        parts = ("link", link)
    elif guid:
        parts = ("guid+title", guid, title)
    else:
        parts = ("title+content", title, content)
    return short_hash(*parts)


def is_strong_guid(guid: str) -> bool:
    """URIs (http:, tag:, urn:) and long opaque ids are unique on their own; a bare "42" is unique only
    within its feed, so it is combined with the link."""
    return ":" in guid or len(guid) >= STRONG_GUID_MIN_LENGTH


def short_hash(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:ID_LENGTH]


def content_hash(title: str, body: str, url: str | None) -> str:
    return hashlib.sha256("\x1f".join((title, body, url or "")).encode("utf-8")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """Lowercase scheme and host, no default port, no fragment, no utm_* or click-id parameters."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        host = f"{parts.netloc.rsplit('@', 1)[0]}@{host}"
    # Filter the raw query text rather than re-encoding it, so the remaining parameters stay byte for byte.
    query = "&".join(item for item in parts.query.split("&") if item and not _is_tracking(item.split("=", 1)[0]))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def _is_tracking(key: str) -> bool:
    key = unquote(key).lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def is_site_root(url: str) -> bool:
    """A home page (no path, no query). Feeds that link every entry to their home page make it no post's address."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query
