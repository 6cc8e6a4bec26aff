"""HTML from feeds → clean Markdown: active content, chrome and tracking pixels removed; links and images kept."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import MarkdownConverter

# Never content: executable, embedded, interactive or invisible parts of a page.
DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "select", "option", "textarea", "svg", "canvas",
    "link", "meta", "base", "head", "title", "source", "track", "dialog", "nav",
)
UNSAFE_SCHEMES = ("javascript", "vbscript", "data", "file")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TINY_STYLE = re.compile(r"(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


class _Converter(MarkdownConverter):
    """markdownify with our choices: ATX headings, '-' bullets, backslash line breaks (no trailing spaces)."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", newline_style="BACKSLASH", escape_misc=False)


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    if not html or not html.strip():
        return ""
    soup = BeautifulSoup(html, "html.parser")
    _drop_inactive(soup)
    _fix_links(soup, base_url)
    _fix_images(soup, base_url)
    markdown = _Converter().convert_soup(soup)
    return _tidy(markdown)


def _drop_inactive(soup: BeautifulSoup) -> None:
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for tag in [*soup.find_all(DROP_TAGS), *soup.find_all(_is_hidden)]:
        if not tag.decomposed:  # already gone with an enclosing tag
            tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _fix_links(soup: BeautifulSoup, base_url: str | None) -> None:
    for anchor in soup.find_all("a"):
        href = _absolute(anchor.get("href"), base_url)
        if href is None:
            anchor.unwrap()  # keep the words, drop a link that goes nowhere safe
            continue
        anchor.attrs = {"href": href, **({"title": anchor["title"]} if anchor.get("title") else {})}


def _fix_images(soup: BeautifulSoup, base_url: str | None) -> None:
    for image in soup.find_all("img"):
        src = _absolute(_image_source(image), base_url)
        if src is None or _is_tracking_pixel(image):
            image.decompose()
            continue
        alt = " ".join(str(image.get("alt") or "").split())
        title = str(image.get("title") or "")
        image.attrs = {"src": src, "alt": alt, **({"title": title} if title else {})}


def _image_source(image: Tag) -> str | None:
    """`src`, else the lazy-loading `data-src`, else the first candidate of `srcset`."""
    for attribute in ("src", "data-src"):
        value = str(image.get(attribute) or "").strip()
        if value:
            return value
    srcset = str(image.get("srcset") or "").strip()
    return srcset.split(",")[0].split()[0] if srcset else None


def _is_tracking_pixel(image: Tag) -> bool:
    for attribute in ("width", "height"):
        value = str(image.get(attribute) or "").strip().lower().removesuffix("px")
        if value in ("0", "1"):
            return True
    return bool(_TINY_STYLE.search(str(image.get("style") or "")))


def _absolute(url: object, base_url: str | None) -> str | None:
    """An absolute (or, without a base, unchanged) URL; None for empty and unsafe ones."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme in UNSAFE_SCHEMES:
        return None
    return urljoin(base_url, url) if base_url else url


def _tidy(markdown: str) -> str:
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
