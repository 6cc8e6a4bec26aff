"""Page Markdown to HTML: wikilinks resolved against the files of a vault, missing ones marked, everything sanitised."""

from __future__ import annotations

from bs4 import BeautifulSoup

from api.web.graph_data import neighbourhood
from api.web.render import LinkResolver, node_url, render_markdown, sanitise
from graph.read import NeighbourGroup
from graph.sync_scan import page_names
from graph.vault import Vault
from tests.support.html_safety import executable_markup


def _vault(tmp_path) -> LinkResolver:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "n1-first.md").write_text("x", encoding="utf-8")
    (tmp_path / "concepts").mkdir()
    (tmp_path / "concepts" / "knowledge-distillation.md").write_text("x", encoding="utf-8")
    vault = Vault(tmp_path)
    return LinkResolver(vault, page_names(vault))


def _links(html: str) -> dict[str, object]:
    return {tag.get_text(): tag for tag in BeautifulSoup(html, "html.parser").select(".wikilink")}


def test_wikilinks_point_at_pages_and_missing_targets_are_marked(tmp_path) -> None:
    resolver = _vault(tmp_path)
    text = ("[[Knowledge distillation]], [[notes/n1-first|the first note]], [[concepts/knowledge-distillation]], "
            "[[papers/not-written]] and [[Nothing By This Name]]; `[[in code]]`")
    links = _links(render_markdown(text, resolver))
    assert links["Knowledge distillation"]["href"] == "/wiki/concepts/knowledge-distillation"
    assert links["the first note"]["href"] == "/wiki/notes/n1-first"
    assert links["knowledge-distillation"]["href"] == "/wiki/concepts/knowledge-distillation"  # shown by id, not path
    for name in ("Knowledge distillation", "the first note"):
        assert "missing" not in links[name]["class"]
    assert links["not-written"]["class"] == ["wikilink", "missing"] and links["not-written"]["href"] == "/wiki/papers/not-written"
    assert links["Nothing By This Name"].name == "span" and "missing" in links["Nothing By This Name"]["class"]
    assert links["Nothing By This Name"]["title"] == "No page named Nothing By This Name"
    assert "in code" not in links


def test_front_matter_is_not_shown_and_markdown_renders(tmp_path) -> None:
    html = render_markdown("---\nid: x\nsecret: front\n---\n# Title\n\n- *one*\n- two\n", _vault(tmp_path))
    soup = BeautifulSoup(html, "html.parser")
    assert "secret" not in html and soup.h1.get_text() == "Title" and soup.em.get_text() == "one"


def test_sanitise_keeps_safe_markup_and_drops_the_rest() -> None:
    html = sanitise('<p class="x">ok <a href="https://a.example/" onclick="x()">link</a><script>alert(1)</script>'
                    '<img src="https://a.example/i.png" onerror="x()"><a href="javascript:alert(1)">js</a></p>')
    assert executable_markup(html) == []
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("a", href="https://a.example/") is not None and soup.img["src"] == "https://a.example/i.png"
    assert "alert" not in html


def test_node_urls_by_type() -> None:
    assert node_url("Note", "n1") == "/wiki/notes/n1"
    assert node_url("PolicyEvent", "chip-rule") == "/wiki/policy/chip-rule"
    assert node_url("Source", "feed") == "/wiki/sources#source-feed"
    assert node_url("Chunk", "c1") is None


def test_neighbourhood_edges_keep_their_direction_and_type() -> None:
    groups = [
        NeighbourGroup("Note", 2, [
            {"id": "n1", "title": "One", "relationships": [{"type": "MENTIONS", "direction": "in"}]},
            {"id": "n2", "title": "Two", "relationships": [{"type": "MENTIONS", "direction": "in"},
                                                           {"type": "CONNECTS_TO", "direction": "in"}]},
        ]),
        NeighbourGroup("Concept", 1, [{"id": "c2", "title": "Other", "relationships": [{"type": "RELATED_TO", "direction": "out"}]}]),
    ]
    graph = neighbourhood("Concept", "c1", "Centre", groups, per_type=1)
    assert [node["key"] for node in graph["nodes"]] == ["Concept:c1", "Note:n1", "Concept:c2"]  # one per type
    assert graph["edges"] == [
        {"source": "Note:n1", "target": "Concept:c1", "type": "MENTIONS"},
        {"source": "Concept:c1", "target": "Concept:c2", "type": "RELATED_TO"},
    ]
