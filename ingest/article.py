"""Full-article fetch for feeds that carry only a summary or a teaser.

For a source with `fetch_full_article: true`, or an entry that is clearly cut short (a paywall marker, a "Read more"
ending), the entry's page is fetched with the same Fetcher (polite per host, capped, timed out), its main text is
extracted with trafilatura and converted to Markdown by our own cleaner. At most `limit` pages per refresh; the rest
wait for a later refresh in which the feed changes (a 304 means nothing to do, so no page is fetched either).

The result is remembered in the raw post (`full_article`, `feed_hash`): a re-run whose feed entry is unchanged
reuses the stored text instead of fetching the page again, and a page that failed is not retried until the entry
changes (or the source is refreshed with `force`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import trafilatura

from graph.errors import WikigraphError
from ingest.fetch import Fetcher, FetchError
from ingest.html import html_to_markdown
from ingest.identity import content_hash
from ingest.netguard import is_on_private_network
from ingest.raw_format import RawPost
from ingest.sources import Source
from ingest.truncation import much_longer, paywall_reason, word_count

log = logging.getLogger(__name__)

MAX_ARTICLES_PER_REFRESH = 10
FETCHED = "fetched"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


class ArticleError(WikigraphError):
    """The page could be fetched but holds no article text we can use."""


@dataclass
class Article:
    url: str
    markdown: str
    paywalled: bool


def fetch_article(fetcher: Fetcher, url: str, *, allow_private: bool, title: str = "") -> Article:
    result = fetcher.fetch_page(url, allow_private=allow_private)
    content_type = result.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES:
        raise ArticleError(f"{result.url}: not an HTML page ({media_type})")
    body = result.body or b""
    # The header's charset, else the page's own <meta charset>; with neither, trafilatura guesses from the bytes.
    charset = _known_charset(_HEADER_CHARSET.search(content_type)) or _known_charset(_META_CHARSET.search(body[:4096]))
    page = body.decode(charset, errors="replace") if charset else body
    extracted = trafilatura.extract(
        page, url=result.url, output_format="html", include_links=True, include_images=True, include_tables=True,
        include_comments=False, favor_precision=True,
    )
    markdown = _without_title_heading(html_to_markdown(extracted or "", base_url=result.url), title)
    if not markdown:
        raise ArticleError(f"{result.url}: no article text found on the page")
    text = page if isinstance(page, str) else body.decode("utf-8", errors="replace")
    return Article(url=result.url, markdown=markdown, paywalled=paywall_reason(text) is not None)


def _known_charset(match: re.Match | None) -> str | None:
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace") if isinstance(match.group(1), bytes) else match.group(1)
    try:
        "".encode(name)
    except LookupError:
        return None  # an unknown charset name is no better than none
    return name


def _without_title_heading(markdown: str, title: str) -> str:
    """Pages repeat the post's title as their first heading; the raw post has it in its front matter already."""
    first, _, rest = markdown.partition("\n")
    if title and first.lstrip("#").strip().casefold() == title.strip().casefold() and first.startswith("#"):
        return rest.strip()
    return markdown


def articles_may_be_private(source: Source) -> bool:
    """Pages linked from a feed may be on a private address only when the user put the feed itself on one (a
    LAN or loopback server, with `allow_private: true`). Links in a public feed never reach inside the network."""
    return source.allow_private and is_on_private_network(source.feed_url)


class ArticleFetcher:
    """Replaces teaser bodies by the article's text for one refresh of one source, within a page budget."""

    def __init__(self, fetcher: Fetcher, source: Source, limit: int = MAX_ARTICLES_PER_REFRESH, force: bool = False):
        self.fetcher = fetcher
        self.source = source
        self.limit = limit
        self.remaining = limit
        self.force = force
        self._allow_private: bool | None = None  # decided on the first page (it resolves the feed's host)
        self.fetched = 0
        self.deferred = 0
        self.failed = 0
        # Hosts that could not be reached in this refresh: their other pages wait for a later one.
        self.unreachable: set[str] = set()

    def allow_private(self) -> bool:
        if self._allow_private is None:
            self._allow_private = articles_may_be_private(self.source)
        return self._allow_private

    def wanted(self, post: RawPost) -> bool:
        """A limit of 0 turns article pages off (e.g. for feeds whose links lead where we may not go)."""
        return self.limit > 0 and bool(post.canonical_url) and (self.source.fetch_full_article or post.truncated)

    def complete(self, post: RawPost, stored: RawPost | None) -> RawPost:
        """`post` as built from the feed, with the article's text when it is wanted and available."""
        if not self.wanted(post) or (stored is not None and stored.sources[0] != self.source.id):
            return post  # another source owns this post's content: its body is not ours to replace
        feed_hash = post.content_hash
        if stored is not None and stored.feed_hash == feed_hash and not self.force:
            if stored.full_article == FETCHED:
                return _with_body(post, stored.body, stored.truncated, FETCHED, feed_hash)
            if stored.full_article:
                return replace(post, full_article=stored.full_article, feed_hash=feed_hash, truncated=stored.truncated)
        host = (urlsplit(post.canonical_url or "").hostname or "").lower()
        if host in self.unreachable:
            return _keep_stored_article(post, stored)
        if self.remaining <= 0:
            self.deferred += 1
            return _keep_stored_article(post, stored)
        self.remaining -= 1
        try:
            article = fetch_article(
                self.fetcher, post.canonical_url or "", allow_private=self.allow_private(), title=post.title
            )
        except FetchError as exc:
            if not exc.unreachable:
                return self._failed(post, stored, exc, feed_hash)
            # A network problem, not a verdict on the page: try again in a later refresh.
            log.info("full article for %s deferred: %s", post.url, exc)
            self.unreachable.add(host)
            return _keep_stored_article(post, stored)
        except ArticleError as exc:
            return self._failed(post, stored, exc, feed_hash)
        except Exception as exc:  # a page that breaks the extractor or the converter: the feed's text stays
            log.exception("full article for %s: unexpected failure", post.url)
            return self._failed(post, stored, ArticleError(f"{type(exc).__name__}: {exc}"), feed_hash)
        self.fetched += 1
        return _with_article(post, article, feed_hash)

    def _failed(self, post: RawPost, stored: RawPost | None, exc: Exception, feed_hash: str) -> RawPost:
        """Recorded on the post (not retried until its entry changes), unless an earlier article can stay."""
        self.failed += 1
        log.info("full article for %s not fetched: %s", post.url, exc)
        kept = _keep_stored_article(post, stored)
        return kept if kept is not post else replace(post, full_article=f"failed: {exc}", feed_hash=feed_hash)

    def warning(self) -> str | None:
        notes = []
        if self.unreachable:
            hosts = ", ".join(sorted(self.unreachable))
            notes.append(f"could not reach {hosts}; their article pages wait for a later refresh")
        if self.failed:
            notes.append(f"{self.failed} article pages could not be used")
        if self.deferred:
            notes.append(f"{self.deferred} article pages left for a later refresh (at most {self.limit} per refresh)")
        return "; ".join(notes) or None


def _keep_stored_article(post: RawPost, stored: RawPost | None) -> RawPost:
    """A post whose page is not fetched this time keeps an article fetched before rather than fall back to the
    feed's teaser."""
    if stored is not None and stored.full_article == FETCHED:
        return _with_body(post, stored.body, stored.truncated, FETCHED, stored.feed_hash)
    return post


def _with_article(post: RawPost, article: Article, feed_hash: str) -> RawPost:
    """The article's text when it is longer than the feed's. Whether the feed was truncated is then judged by the
    page, the better evidence: much more text there, or a paywall, means it was; a page with no more text than
    the feed and no paywall means the feed's "Read more" or ellipsis was not hiding anything."""
    feed_words, article_words = word_count(post.body), word_count(article.markdown)
    if article_words <= feed_words:
        return replace(
            post,
            truncated=article.paywalled,
            full_article="not used: the page has no more text than the feed",
            feed_hash=feed_hash,
        )
    truncated = post.truncated or article.paywalled or much_longer(article_words, feed_words)
    return _with_body(post, article.markdown, truncated, FETCHED, feed_hash)


def _with_body(post: RawPost, body: str, truncated: bool, full_article: str, feed_hash: str | None) -> RawPost:
    return replace(
        post,
        body=body,
        content_hash=content_hash(post.title, body, post.canonical_url),
        truncated=truncated,
        excerpt=False,
        full_article=full_article,
        feed_hash=feed_hash,
    )
