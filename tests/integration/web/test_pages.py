"""The web pages over the connected fixture wiki: what a reader sees, through the ASGI transport."""

from __future__ import annotations

import json
from datetime import date

from bs4 import BeautifulSoup

from graph import read
from tests.support.api_world import asgi_client
from tests.support.html_safety import executable_markup


async def _page(app, url: str, status: int = 200) -> BeautifulSoup:
    async with asgi_client(app) as client:
        response = await client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert executable_markup(response.text) == []
    return BeautifulSoup(response.text, "html.parser")


async def test_home_lists_latest_notes_by_tier_with_search_box(app, services) -> None:
    soup = await _page(app, "/")
    tiers = {section["id"]: section for section in soup.select("section.tier")}
    for tier in (1, 2, 3):
        expected = read.list_notes(services.store, read.NoteFilter(tiers=(tier,)), 1, 8)
        shown = [a.get_text() for a in tiers[f"tier-{tier}"].select("ul.notes > li > a")]
        assert shown == [row["title"] for row in expected.items]  # newest first, as the graph orders them
    assert soup.select_one("form.search input[name=q]") is not None
    assert "No digest page yet" in soup.select_one("section.digest").get_text()


async def test_home_shows_todays_digest_rendered(app, services) -> None:
    today = date.today()
    folder = services.vault.root / "digest" / f"{today:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{today.isoformat()}.md"
    page.write_text("---\ntype: digest\n---\n# Digest\n\n- [[notes/n01-input-filters-trilemma|Input filters]] <script>alert(1)</script>\n",
                    encoding="utf-8")
    try:
        soup = await _page(app, "/")
    finally:
        page.unlink()
    digest = soup.select_one("section.digest")
    assert "Today's digest" in digest.h2.get_text()
    link = digest.select_one("a.wikilink")
    assert link.get_text() == "Input filters" and link["href"] == "/wiki/notes/n01-input-filters-trilemma"


async def test_note_page_resolves_wikilinks_and_marks_missing_ones(app, services) -> None:
    source = services.vault.note_path("n01-input-filters-trilemma").read_text(encoding="utf-8")
    extra = services.vault.note_path("zz-web-links")
    extra.write_text(
        source.replace("id: n01-input-filters-trilemma", "id: zz-web-links").replace(
            "- [[papers/io-defense-impossibility]]", "- [[Nowhere Yet]] — not written\n- [[people/nobody-here]] — no page\n- [[papers/io-defense-impossibility]]"),
        encoding="utf-8")
    try:
        soup = await _page(app, "/wiki/notes/zz-web-links")
    finally:
        extra.unlink()
    links = {a.get_text(): a for a in soup.select(".markdown .wikilink")}
    assert links["defense-trilemma"]["href"] == "/wiki/concepts/defense-trilemma" and "missing" not in links["defense-trilemma"]["class"]
    assert links["Nowhere Yet"].name == "span" and "missing" in links["Nowhere Yet"]["class"]
    assert "No page" in links["Nowhere Yet"]["title"]
    assert "missing" in links["nobody-here"]["class"] and links["nobody-here"]["href"] == "/wiki/people/nobody-here"
    async with asgi_client(app) as client:  # every resolved link opens a page
        for a in soup.select(".markdown a.wikilink:not(.missing)"):
            assert (await client.get(a["href"])).status_code == 200, a["href"]


async def test_concept_page_has_markdown_backlinks_and_typed_neighbourhood(app, services) -> None:
    soup = await _page(app, "/wiki/concepts/defense-trilemma")
    assert soup.select_one("h1.page-title").get_text() == "The Defense Trilemma"
    assert "complete, sound and cheap" in soup.select_one(".markdown").get_text()
    backlinks = {a["href"] for a in soup.select(".backlinks a")}
    assert "/wiki/notes/n01-input-filters-trilemma" in backlinks
    assert "/wiki/papers/io-defense-impossibility" in backlinks  # the paper is ABOUT the concept
    graph = json.loads(soup.select_one(".graph")["data-graph"])
    center = [node for node in graph["nodes"] if node.get("center")]
    assert [node["key"] for node in center] == ["Concept:defense-trilemma"]
    keys = {node["key"] for node in graph["nodes"]}
    assert all(edge["source"] in keys and edge["target"] in keys for edge in graph["edges"])
    assert {"MENTIONS", "ABOUT"} <= {edge["type"] for edge in graph["edges"]}
    assert {"Note", "Paper"} <= {node["type"] for node in graph["nodes"]}


async def test_entity_without_page_is_shown_from_the_graph(app, services) -> None:
    page = services.vault.root / "people" / "ada-lovett.md"
    moved = page.with_suffix(".bak")
    page.rename(moved)  # the graph still knows her from the notes that mention her
    try:
        soup = await _page(app, "/wiki/people/ada-lovett")
    finally:
        moved.rename(page)
    assert soup.select_one("h1.page-title").get_text() == "Ada Lovett"
    assert "No page for this person yet" in soup.select_one(".markdown").get_text()
    assert "/wiki/notes/n01-input-filters-trilemma" in {a["href"] for a in soup.select(".backlinks a")}


async def test_unknown_pages_are_html_404s(app) -> None:
    for url in ("/wiki/concepts/no-such-concept", "/wiki/notes/no-such-note", "/wiki/spells/defense-trilemma"):
        soup = await _page(app, url, status=404)
        assert soup.h1.get_text() == "Not found"


async def test_search_page_shows_results_with_their_paths(app) -> None:
    soup = await _page(app, "/wiki/search?q=papers+connected+to+the+defense+trilemma")
    assert soup.select_one("form.search input[name=q]")["value"] == "papers connected to the defense trilemma"
    results = soup.select("li.result")
    assert results
    first = results[0]
    assert first.select_one(".type").get_text() == "Paper"
    path = first.select_one("p.path")
    steps = [a.get_text() for a in path.select("a.step")]
    assert steps[0] == "The Defense Trilemma" and steps[-1] == first.select_one(".head a").get_text()
    assert path.select_one(".edge") is not None
    assert first.select_one("blockquote.evidence").get_text().strip()


async def test_search_page_without_query_invites_one(app) -> None:
    soup = await _page(app, "/wiki/search")
    assert soup.select("li.result") == [] and "Type a question" in soup.get_text()


async def test_sources_page_lists_each_source_with_fetch_state(app) -> None:
    soup = await _page(app, "/wiki/sources")
    rows = {row["id"]: row for row in soup.select("table.sources tbody tr")}
    assert set(rows) == {"source-frontier-notes", "source-policy-digest", "source-garage-ml"}
    cells = [cell.get_text(" ", strip=True) for cell in rows["source-frontier-notes"].select("td")]
    assert cells[0].startswith("Frontier Notes") and cells[1] == "1"
    assert int(cells[2]) > 0
    assert cells[4].startswith("new") and cells[5] == "never"  # the fixture was synced, never fetched


async def test_static_assets_are_served(app) -> None:
    async with asgi_client(app) as client:
        script = await client.get("/static/graph.js")
        style = await client.get("/static/wiki.css")
    assert script.status_code == 200 and "data-graph" in script.text
    assert style.status_code == 200 and ".wikilink.missing" in style.text
