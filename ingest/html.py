"""HTML from feeds → clean Markdown: active content, chrome and tracking pixels removed; links and images kept.

The output is safe to render: no tag survives as HTML (a `<` in the text is escaped, so a post *about* `<script>`
shows the word instead of running it), and links and images keep only http(s), mailto and relative targets.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import MarkdownConverter

from ingest.html_rules import CALL_TO_ACTION_MAX_CHARS, embed_link, is_tracker_url, is_widget

# Never content: executable, embedded, interactive or invisible parts of a page.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "select", "option", "textarea", "svg", "canvas",
    "link", "meta", "base", "head", "title", "source", "track", "dialog", "nav",
})
# Links and images keep these targets (and relative ones); javascript:, data:, file: and the rest are dropped.
SAFE_SCHEMES = ("http", "https", "mailto")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TINY_STYLE = re.compile(r"(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
# A "<" that a Markdown renderer could read as the start of a tag, an autolink or a comment.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BACKTICK_RUNS = re.compile(r"`+")
_ALT_SPECIALS = re.compile(r"[\[\]<\\]")
# A backslash that would escape the character after it, and the brackets that make link syntax.
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_BRACKETS = re.compile(r"[\[\]]")
# Elements nested deeper than this are unwrapped (their text kept): the converter recurses once per level, and a
# few hundred levels (a broken or hostile post) would exhaust Python's stack.
MAX_NESTING = 100


class _Converter(MarkdownConverter):
    """markdownify with our choices: ATX headings, '-' bullets, backslash line breaks (no trailing spaces)."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", newline_style="BACKSLASH", escape_misc=False)

    def convert_pre(self, el, text, parent_tags) -> str:
        """A fenced block whose fence is longer than any run of backticks inside it (markdownify always uses
        three, so code that shows a Markdown fence would end the block early and turn the rest inside out)."""
        block = super().convert_pre(el, text, parent_tags)
        longest = max((len(run) for run in _BACKTICK_RUNS.findall(text or "")), default=0)
        if longest < 3:
            return block
        fence = "`" * (longest + 1)
        body = block.strip("\n").removeprefix("```").removesuffix("```")
        return f"\n\n{fence}{body}{fence}\n\n"

    def escape(self, text: str, parent_tags) -> str:
        # Code spans and blocks never reach here (markdownify does not escape them), and render literally anyway.
        # Brackets are escaped so that text cannot forge a link (`x](javascript:…)` inside a link's words), and a
        # backslash before punctuation so that it cannot cancel one of our escapes.
        text = _BRACKETS.sub(r"\\\g<0>", _ESCAPING_BACKSLASH.sub(r"\\\\", text or ""))
        return _TAG_START.sub(r"\\<", super().escape(text, parent_tags))


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    if not html or not html.strip():
        return ""
    soup = BeautifulSoup(html, "html.parser")
    _flatten_deep_nesting(soup)
    _drop_chrome(soup)
    _fix_links(soup, base_url)
    _fix_images(soup, base_url)
    markdown = _Converter().convert_soup(soup)
    return _tidy(markdown)


def _flatten_deep_nesting(soup: BeautifulSoup) -> None:
    """Replace what lies more than MAX_NESTING levels down by its plain text (the tree is walked without
    recursion, and each deep subtree is read once: unwrapping tag by tag would cost depth² on a deep one)."""
    pending: list[tuple[Tag, int]] = [(soup, 0)]
    while pending:
        tag, depth = pending.pop()
        if depth >= MAX_NESTING:
            # get_text leaves out script and style contents and comments.
            text = " ".join(tag.get_text(" ").split())
            tag.clear()
            tag.append(text)
            continue
        pending.extend((child, depth + 1) for child in tag.children if isinstance(child, Tag))


def _drop_chrome(soup: BeautifulSoup) -> None:
    """One pass over the tree: video players become links to the video; active, invisible and widget elements
    (subscribe forms, share and comment buttons, paywall calls to action) go."""
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    # extract(), not decompose(): a tag inside one already removed is then just visited in a detached subtree
    # (harmless), where asking bs4 whether it was decomposed would search the whole subtree for every tag.
    for tag in soup.find_all(True):
        classes = _classes(tag)
        target = embed_link(tag.name, str(tag.get("src") or ""), str(tag.get("id") or ""), classes)
        if target:
            tag.replace_with(_video_link(soup, target))
        elif tag.name in DROP_TAGS or _is_hidden(tag) or is_widget(tag.name, classes, lambda: _short_text(tag)):
            tag.extract()


def _video_link(soup: BeautifulSoup, target: str) -> Tag:
    paragraph = soup.new_tag("p")
    anchor = soup.new_tag("a", href=target)
    anchor.string = "Video: " + target
    paragraph.append(anchor)
    return paragraph


def _short_text(tag: Tag) -> str | None:
    """The tag's text, or None as soon as it is longer than a call to action (without reading all of a long post)."""
    parts, size = [], 0
    for text in tag.stripped_strings:
        size += len(text) + 1
        if size > CALL_TO_ACTION_MAX_CHARS:
            return None
        parts.append(text)
    return " ".join(parts)


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class") or []
    return [str(item) for item in (value.split() if isinstance(value, str) else value)]


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
        if src is None or _is_tracking_pixel(image) or is_tracker_url(src):
            image.decompose()
            continue
        # One line each: a blank line inside alt or title text would break the image syntax and leave the
        # text (with any tags in it) to be read as Markdown.
        alt = " ".join(str(image.get("alt") or "").split())
        title = " ".join(str(image.get("title") or "").split())
        image.attrs = {"src": src, "alt": _ALT_SPECIALS.sub(r"\\\g<0>", alt)}
        if title and title != alt:
            image["title"] = _TAG_START.sub(r"\\<", title)


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
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    return urljoin(base_url, url) if base_url else url


def _tidy(markdown: str) -> str:
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
