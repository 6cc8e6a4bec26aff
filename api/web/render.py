"""Markdown pages to safe HTML: our wikilink rule resolved to page URLs, then an allow-list sanitiser.

Everything shown in a page passes `sanitise` last, whatever produced it: a feed's HTML may have been
turned into Markdown that still carries raw HTML, and a person may have edited any page by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from graph.entities_md import entity_path
from graph.links import PageIndex, Target
from graph.markdown import make_markdown
from graph.model import ENTITY_FOLDERS
from graph.vault import Vault

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "span": {"class", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitise(html: str) -> str:
    """Only allow-listed tags, attributes and URL schemes survive; scripts and styles go with their content."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def node_url(label: str, node_id: str) -> str | None:
    """The web page of a graph node, or None for a kind of node that has no page."""
    if label == "Note":
        return f"/wiki/notes/{node_id}"
    if label in ENTITY_FOLDERS:
        return f"/wiki/{ENTITY_FOLDERS[label]}/{node_id}"
    if label == "Source":
        return f"/wiki/sources#source-{node_id}"
    return None


@dataclass(frozen=True)
class LinkResolver:
    """Where a `[[target]]` points in this vault, and whether the page it names exists as a file."""

    vault: Vault
    pages: PageIndex

    def resolve(self, target: str) -> tuple[Target | None, bool]:
        found = self.pages.resolve(target)
        if found is None:
            return None, False
        if found.label == "Note":
            return found, True
        return found, entity_path(self.vault, found.label, found.id).is_file()


def wikilink_html(resolver: LinkResolver, target: str, text: str) -> str:
    found, exists = resolver.resolve(target)
    label = escape(text)
    if found is None:
        return f'<span class="wikilink missing" title="{escape("No page named " + target)}">{label}</span>'
    url = escape(node_url(found.label, found.id) or "")
    if not exists:
        return f'<a class="wikilink missing" href="{url}" title="{escape("No page yet for " + target)}">{label}</a>'
    return f'<a class="wikilink" href="{url}">{label}</a>'


def _markdown_for(resolver: LinkResolver) -> MarkdownIt:
    md = make_markdown()

    def render_wikilink(self, tokens: list[Token], idx: int, options, env) -> str:
        meta = tokens[idx].meta
        # `[[concepts/knowledge-distillation]]` reads as its page id, not its folder path.
        text = meta["label"] or meta["target"].rpartition("/")[2] or meta["target"]
        return wikilink_html(resolver, meta["target"], text)

    md.add_render_rule("wikilink", render_wikilink)
    return md


def render_markdown(text: str, resolver: LinkResolver) -> str:
    """A page's Markdown (front matter dropped) as sanitised HTML with resolved wikilinks."""
    return sanitise(_markdown_for(resolver).render(text))
