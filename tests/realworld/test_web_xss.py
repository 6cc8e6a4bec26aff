"""No XSS payload survives into a web page as executable markup.

feedparser's own sanitisation cases (every entry-level document) and payloads aimed at our layers
(HTML→Markdown, Markdown links, wikilinks, titles) go two ways: straight into the Markdown renderer,
as if a person had pasted them into a page, and through a real ingest from a loopback feed server,
after which every page a reader can open is parsed and searched for scripts, handlers and script URLs.
"""

from __future__ import annotations

from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
import yaml
from bs4 import BeautifulSoup

from api.app import create_app
from api.jobs import ingest_once, open_services
from api.settings import Settings
from api.web.render import LinkResolver, render_markdown
from graph import read
from graph.links import PageIndex
from graph.model import ENTITY_FOLDERS
from graph.vault import Vault
from tests.conftest import embed_config
from tests.support.api_world import asgi_client
from tests.support.feed_server import FeedServer
from tests.support.html_safety import executable_markup
from tests.support.xss_payloads import OWN_PAYLOADS, OWN_TITLE_PAYLOADS, entry_payloads, sanitize_cases

pytestmark = pytest.mark.realworld
PAYLOADS_PER_POST = 12


@pytest.fixture(scope="module")
def payloads(request) -> list[str]:
    shared = request.getfixturevalue("shared_dir")
    cases = sanitize_cases(shared)
    assert len(cases) > 200, "feedparser's sanitisation cases are missing from the corpus"
    found = [payload for case in cases for payload in entry_payloads(case)]
    return list(dict.fromkeys(found + list(OWN_PAYLOADS)))  # unique, in order


def test_payloads_rendered_as_page_markdown_cannot_run(payloads, tmp_path) -> None:
    resolver = LinkResolver(Vault(tmp_path), PageIndex())
    failures = {}
    for payload in payloads + list(OWN_TITLE_PAYLOADS):
        html = render_markdown(payload, resolver)
        problems = executable_markup(html)
        if problems:
            failures[payload[:80]] = problems
    assert failures == {}


def _feed(payloads: list[str], base_url: str) -> bytes:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    groups = [payloads[i : i + PAYLOADS_PER_POST] for i in range(0, len(payloads), PAYLOADS_PER_POST)]
    items = []
    for number, group in enumerate(groups):
        title = OWN_TITLE_PAYLOADS[number] if number < len(OWN_TITLE_PAYLOADS) else f"Sanitiser case group {number}"
        body = "".join(f"<div><p>Case {number}.{i}: model safety text.</p>{payload}</div>" for i, payload in enumerate(group))
        items.append(
            f"<item><title>{escape(title)}</title><link>{base_url}/posts/{number}</link><guid>{base_url}/posts/{number}</guid>"
            f"<pubDate>{format_datetime(start + timedelta(hours=number))}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    channel = f"<channel><title>Payloads</title><link>{base_url}/</link><description>x</description>{''.join(items)}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'.encode()


async def test_payloads_ingested_from_a_feed_cannot_run_in_any_page(payloads, tmp_path) -> None:
    with FeedServer() as server:
        base = server.url("")
        url = server.add("/payloads.xml", _feed(payloads, base.rstrip("/")))
        wiki = tmp_path / "wiki_content"
        wiki.mkdir()
        source = {"name": "Payload Feed", "feed_url": url, "tier": 1, "domains": ["ai-safety"], "allow_private": True}
        (wiki / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
        settings = Settings(wiki_dir=wiki, data_dir=tmp_path / "data", embed_model_path=embed_config().model_path)
        with open_services(settings) as services:
            report = ingest_once(services)
            assert report.errors == {}
            notes = read.list_notes(services.store, read.NoteFilter(), 1, 100)
            assert notes.total == -(-len(payloads) // PAYLOADS_PER_POST)
            entities = read.list_entities(services.store, None, None, 1, 100)
            urls = ["/", "/wiki/sources", "/wiki/search?q=alert+script", "/wiki/search?q=model+safety+text"]
            urls += [f"/wiki/notes/{row['id']}" for row in notes.items]
            urls += [f"/wiki/{_folder(row['type'])}/{row['id']}" for row in entities.items]
            app = create_app(settings, services=services)
            failures, texts = {}, []
            async with asgi_client(app) as client:
                for page in urls:
                    response = await client.get(page)
                    assert response.status_code == 200, page
                    problems = executable_markup(response.text)
                    if problems:
                        failures[page] = problems
                    texts.append(BeautifulSoup(response.text, "html.parser").get_text())
    assert failures == {}
    # The pages still show the posts' ordinary text: sanitising kept what is safe.
    assert sum("model safety text" in text for text in texts) >= notes.total


def _folder(label: str) -> str:
    return ENTITY_FOLDERS[label]
