"""Find markup in a rendered page that a browser would execute or that would load from elsewhere."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

# Elements that run code, embed other documents, or change where the page's URLs point.
FORBIDDEN_ELEMENTS = ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "svg", "math",
                      "noscript", "template", "portal", "meta")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcset", "ping", "lowsrc", "dynsrc")
DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
# Browsers drop these inside a scheme: "java\tscript:" still runs.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
OWN_SCRIPTS = ("/static/graph.js",)
OWN_LINKS = ("/static/wiki.css", "/static/favicon.svg")
OWN_FORM_ACTIONS = ("/wiki/search",)


def executable_markup(html: str) -> list[str]:
    """Every problem found, as readable strings; an empty list means nothing in the page can run."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name == "script":
            if tag.get("src") not in OWN_SCRIPTS or tag.string:
                problems.append(f"script element: {str(tag)[:120]}")
        elif name == "link":
            if tag.get("href") not in OWN_LINKS:
                problems.append(f"link element: {str(tag)[:120]}")
        elif name == "form":
            if tag.get("action") not in OWN_FORM_ACTIONS:
                problems.append(f"form element: {str(tag)[:120]}")
        elif name in FORBIDDEN_ELEMENTS and not (name == "meta" and set(tag.attrs) <= {"charset", "name", "content"}
                                                 and tag.get("name") in (None, "viewport")):
            problems.append(f"{name} element: {str(tag)[:120]}")
        for attribute, value in tag.attrs.items():
            key = attribute.lower()
            text = " ".join(value) if isinstance(value, list) else str(value)
            if key.startswith("on"):
                problems.append(f"event handler {key}= on <{name}>: {text[:80]}")
            elif key == "style":
                problems.append(f"inline style on <{name}>: {text[:80]}")
            elif key in URL_ATTRIBUTES and DANGEROUS_SCHEME.match(_IGNORED_IN_SCHEME.sub("", text)):
                problems.append(f"{key}={text[:80]!r} on <{name}>")
    return problems
