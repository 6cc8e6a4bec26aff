"""What counts as page chrome in feed HTML: subscribe and share widgets, tracking pixels, embedded players.

Plain data and small predicates, kept apart from the converter so the lists can grow without touching it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

# Containers whose whole content is a widget (Substack, WordPress/Jetpack, AddToAny, Mailchimp, Ghost, Medium).
WIDGET_CLASSES = frozenset({
    "subscription-widget-wrap", "subscription-widget-wrap-editor", "subscription-widget", "subscribe-widget",
    "button-wrapper", "captioned-button-wrap", "share-dialog", "post-ufi", "paywall", "paywall-cta", "paywall-title",
    "sharedaddy", "sd-sharing-enabled", "jp-relatedposts", "addtoany_share_save_container", "a2a_kit",
    "share-buttons", "social-share", "social-sharing", "newsletter-signup", "mc_embed_signup", "kg-signup-card",
    "kg-cta-card", "footnote-anchor-subscribe",
})
# Short calls to action; removed when they are a button, or a block holding nothing but them.
CALL_TO_ACTION = re.compile(
    r"^(?:share|share this(?: post)?|subscribe(?: now| for free)?|leave a comment|give a gift subscription|"
    r"upgrade to paid|get \d+ day free trial|start writing|get the app|restack)$",
    re.IGNORECASE,
)
_BLOCKS = frozenset({"p", "div"})
CALL_TO_ACTION_MAX_CHARS = 40

# Hosts that serve only tracking pixels and open-counters (any subdomain too).
TRACKER_HOSTS = frozenset({
    "pixel.wp.com", "stats.wordpress.com", "feeds.feedburner.com", "feedproxy.google.com", "google-analytics.com",
    "pixel.quantserve.com", "doubleclick.net", "scorecardresearch.com", "pixel.substack.com", "eotrx.substackcdn.com",
    "list-manage.com", "bat.bing.com", "px.ads.linkedin.com", "ct.pinterest.com", "pi.pardot.com",
    "analytics.twitter.com", "mc.yandex.ru", "pixel.mathtag.com",
})
# Paths that are tracking endpoints whatever the host (FeedBurner "~r", Medium's stat beacon, open-tracking).
TRACKER_PATHS = re.compile(r"/~r/|/~ff/|/_/stat\b|/track/open|/open\.php|/email/open\b", re.IGNORECASE)

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_EMBED_PLAYERS = (
    (re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,20})"),
     "https://www.youtube.com/watch?v={}"),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"),
)


def is_widget(name: str, classes: list[str], short_text: Callable[[], str | None]) -> bool:
    """`short_text()` gives the element's text, or None when it is longer than any call to action (it is asked
    only when the answer depends on it: most elements are decided by name and class alone)."""
    if WIDGET_CLASSES.intersection(classes):
        return True
    is_button = name in ("a", "button") and any("button" in item or item == "btn" for item in classes)
    if not (is_button or name in _BLOCKS):
        return False
    text = short_text()
    return text is not None and CALL_TO_ACTION.match(text) is not None


def is_tracker_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if any(host == tracker or host.endswith("." + tracker) for tracker in TRACKER_HOSTS):
        return True
    return bool(TRACKER_PATHS.search(parts.path))


def embed_link(name: str, src: str, element_id: str, classes: list[str]) -> str | None:
    """The page of the video an embedded player shows: an iframe from YouTube or Vimeo, or Substack's
    `<div class="youtube-wrap" id="youtube2-ID">` (an empty placeholder that the site's scripts fill in)."""
    if name == "iframe":
        for pattern, template in _EMBED_PLAYERS:
            match = pattern.match(src.strip())
            if match:
                return template.format(match.group(1))
        return None
    if "youtube-wrap" in classes and element_id.startswith("youtube2-"):
        video = element_id.removeprefix("youtube2-")
        return f"https://www.youtube.com/watch?v={video}" if _YOUTUBE_ID.match(video) else None
    return None
