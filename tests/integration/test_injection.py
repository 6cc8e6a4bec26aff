"""Real injection payloads against every public query function of the graph store and every API
parameter that reaches one, on the embedded engine and the real app.

For each function (found by introspection, see tests/support/injection.py), each place a string
can go and each payload, on the sample graph:
- a refusal must be a typed error (WikigraphError) and leave the graph exactly as it was;
- a read must leave the graph exactly as it was and answer with nothing (no node of the sample
  graph has a payload as its id, name, alias or title, so anything found was read by accident),
  except for the empty payload, which many reads take as "no filter";
- a write may change only nodes whose id is the payload, and relationships touching them, and
  must store the texts it was given as the literal payload.
Then each payload is shown to be compared literally: with a concept named after every payload in
the graph at once, each finds its own paper and note and nothing else (look-alikes included).
The API part sends every payload in every string parameter of every GET route.
"""

from __future__ import annotations

import urllib.parse
from collections import Counter
from datetime import date

import httpx
import pytest
import yaml

from api.app import create_app
from api.jobs import open_services, reindex_all
from api.settings import Settings
from graph import patterns, questions, schema
from graph.errors import GraphStoreError, GraphUnavailable, QueryInputError, WikigraphError
from graph.model import Note
from graph.notes_md import render_note
from graph.store import GraphStoreConfig
from graph.store.falkordb import FalkorStore
from tests.conftest import embed_config
from tests.support import injection, sample_graph

TARGETS, NOT_ATTACKED = injection.targets()
CASES = [case for target in TARGETS for case in injection.cases(target)]
LITERAL_PAYLOADS = {label: payload for label, payload in injection.PAYLOADS.items() if "\x00" not in payload}


def _usable_id(payload: str, fallback: str) -> str:
    """The payload itself where it can be a node id (see schema.check_node_id), else a stand-in."""
    try:
        return schema.check_node_id(payload)
    except QueryInputError:
        return fallback


@pytest.fixture(scope="module")
def tally(request):
    counts: Counter = Counter()
    yield counts
    lines = [
        f"[injection] {counts['store']} payload×function cases: {len(TARGETS)} store functions, {len(CASES)} argument "
        f"places, {len(injection.PAYLOADS)} payloads; {counts['literal']} literal look-ups; {counts['api']} API requests",
        *(f"[injection] not attacked: {name}: {why}" for name, why in sorted(NOT_ATTACKED.items())),
    ]
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + "\n".join(lines))


class Embedded:
    """The embedded store of this module, restarted if a payload ever brings its server down."""

    def __init__(self, data_dir) -> None:
        self.data_dir = data_dir
        self.store = self._open()

    def _open(self) -> FalkorStore:
        store = FalkorStore.start(GraphStoreConfig(data_dir=self.data_dir))
        store.ensure_schema()
        return store

    def restart(self) -> None:
        try:
            self.store.close()
        except WikigraphError:
            pass  # the server is already gone: that is why we restart
        self.store = self._open()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    holder = Embedded(tmp_path_factory.mktemp("injection"))
    holder.store.delete_all()
    sample_graph.build(holder.store)
    yield holder
    holder.store.close()


@pytest.fixture(scope="module")
def baseline(embedded) -> dict:
    return sample_graph.dump(embedded.store)


@pytest.fixture
def store(embedded, baseline):
    _restore(embedded.store, baseline)
    yield embedded.store
    _restore(embedded.store, baseline)


def _restore(store, baseline: dict) -> None:
    if sample_graph.dump(store) != baseline:
        store.delete_all()
        sample_graph.build(store)
        assert sample_graph.dump(store) == baseline, "the sample graph could not be restored"


def test_every_module_that_queries_the_store_is_attacked():
    names = {target.name for target in TARGETS}
    assert {"GraphStore.get_note", "GraphStore.upsert_notes", "graph.questions.notes_about", "graph.patterns.neighbourhood"} <= names
    assert all(not name.startswith(("graph.questions.", "graph.patterns.")) for name in NOT_ATTACKED), NOT_ATTACKED


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.target.name}:{case.slot}")
def test_payloads_touch_nothing_outside_their_target(embedded, baseline, case, tally):
    failures = []
    for label, payload in injection.PAYLOADS.items():
        _restore(embedded.store, baseline)
        failures += [f"{label}: {problem}" for problem in _attack(embedded, baseline, case, payload)]
        tally["store"] += 1
    _restore(embedded.store, baseline)
    assert not failures, "\n".join(failures)


def _attack(embedded, baseline: dict, case, payload: str) -> list[str]:
    store = embedded.store
    try:
        result = case.target.function(store, **case.build(payload))
    except GraphUnavailable:
        embedded.restart()
        return ["the payload brought the embedded server down"]
    except WikigraphError as exc:
        problems = [] if sample_graph.dump(store) == baseline else [f"refused with {type(exc).__name__} after changing the graph"]
        if isinstance(exc, GraphStoreError) and len(payload) >= 3 and payload in str(exc):
            problems.append("the error message quotes the payload")
        return problems
    after = sample_graph.dump(store)
    if case.target.writes:
        return injection.confined_to(payload, baseline, after)
    problems = [] if after == baseline else ["a read changed the graph"]
    # An empty text often means "no filter" (all entities): only a non-empty payload must find nothing.
    if payload and not injection.is_empty(result):
        problems.append(f"a read found {str(result)[:200]}")
    return problems


def test_writes_store_the_payload_literally(store, tally):
    """Every payload as a name and title (and as the id, where it can be one), read back equal, none merged."""
    payloads = list(LITERAL_PAYLOADS.values())
    ids = [_usable_id(payload, f"literal-{i}") for i, payload in enumerate(payloads)]
    patterns.upsert_nodes(store, "Model", [{"id": node_id, "props": {"name": payload}} for node_id, payload in zip(ids, payloads)])
    stored = {node["props"]["id"]: node["props"]["name"] for node in sample_graph.dump(store)["nodes"] if node["labels"] == ["Model"]}
    assert {key: value for key, value in stored.items() if key != "tiny-7b"} == dict(zip(ids, payloads))
    store.upsert_notes([{"id": node_id, "source_id": "lab-blog", "props": {"title": payload}} for node_id, payload in zip(ids, payloads)])
    for node_id, payload in zip(ids, payloads):
        assert store.get_note(node_id)["title"] == payload
        tally["literal"] += 1
    victim = LITERAL_PAYLOADS["or true"]
    store.delete_notes([victim])
    assert store.get_note(victim) is None and all(store.get_note(node_id) for node_id in ids if node_id != victim)


def test_ids_the_embedded_engine_cannot_hold_are_refused_before_any_write(store, baseline):
    """An empty id, or one over 4096 bytes, brings the embedded server down under its unique constraint."""
    for bad in ("", "x" * (schema.MAX_ID_BYTES + 1), "é" * (schema.MAX_ID_BYTES // 2 + 1)):
        with pytest.raises(QueryInputError):
            store.upsert_notes([{"id": bad, "source_id": "lab-blog", "props": {}}])
        with pytest.raises(QueryInputError):
            store.upsert_notes([{"id": "fine", "source_id": bad, "props": {}}])
        with pytest.raises(QueryInputError):
            store.upsert_sources([{"id": bad, "props": {}}])
        with pytest.raises(QueryInputError):
            patterns.upsert_nodes(store, "Concept", [{"id": bad, "props": {}}])
    assert store.ping() and sample_graph.dump(store) == baseline
    patterns.upsert_nodes(store, "Concept", [{"id": "x" * schema.MAX_ID_BYTES, "props": {}}])
    assert store.ping()


def test_each_payload_finds_exactly_its_own_nodes(store, tally):
    names = list(LITERAL_PAYLOADS.values())
    concepts = [{"id": f"payload-concept-{i}", "props": {"name": name, "aliases": []}} for i, name in enumerate(names)]
    papers = [{"id": f"payload-paper-{i}", "props": {"name": f"Paper {i}"}} for i in range(len(names))]
    patterns.upsert_nodes(store, "Concept", concepts)
    patterns.upsert_nodes(store, "Paper", papers)
    patterns.upsert_edges(store, "Paper", "ABOUT", "Concept", [{"start": p["id"], "end": c["id"], "props": {}} for p, c in zip(papers, concepts)])
    store.upsert_notes([{"id": f"payload-note-{i}", "source_id": "lab-blog", "props": {"title": f"Note {i}", "published": "2026-01-01"}} for i in range(len(names))])
    patterns.upsert_edges(store, "Note", "MENTIONS", "Concept", [{"start": f"payload-note-{i}", "end": c["id"], "props": {}} for i, c in enumerate(concepts)])
    for i, name in enumerate(names):
        assert [row["id"] for row in questions.papers_connected_to(store, name)] == [f"payload-paper-{i}"], repr(name[:40])
        assert [row["id"] for row in questions.notes_about(store, name)] == [f"payload-note-{i}"], repr(name[:40])
        tally["literal"] += 2


class _SpelledAsCypher:
    """A value whose text is Cypher: the FalkorDB client writes values of unknown types with str()."""

    def __str__(self) -> str:
        return "1 MATCH (n) DETACH DELETE n WITH 1 AS one"


@pytest.mark.parametrize("value", [_SpelledAsCypher(), date(2026, 1, 1), b"bytes", {1, 2}, 2**64, float("nan")], ids=repr)
def test_values_a_backend_would_spell_as_text_are_refused(store, baseline, value):
    with pytest.raises(GraphStoreError):
        store.run("TEST_VALUE", "MATCH (n:Note {id: $id}) RETURN n.id AS id", {"id": value})
    with pytest.raises(GraphStoreError):
        store.run("TEST_NESTED_VALUE", "UNWIND $rows AS row RETURN row.id AS id", {"rows": [{"id": value}]})
    assert sample_graph.dump(store) == baseline


def test_off_list_names_are_refused_with_a_typed_error(store):
    for payload in injection.PAYLOADS.values():
        with pytest.raises(QueryInputError):
            patterns.neighbourhood(store, payload, "knowledge-distillation")
        with pytest.raises(QueryInputError):
            patterns.neighbourhood(store, "Concept", "knowledge-distillation", direction=payload)
        with pytest.raises(QueryInputError):
            patterns.upsert_edges(store, "Note", payload, "Concept", [{"start": "a", "end": "b", "props": {}}])


# --- the API --------------------------------------------------------------------------------------

# A URL cannot carry 100,000 characters (httpx stops at 65,536; servers far sooner): the long payload is shorter here.
API_PAYLOADS = {**injection.PAYLOADS, "very long": "x" * 20_000 + "' OR 1=1 //"}
API_NOTES = [
    ("speculative-decoding", "Draft models and speculative decoding", "A small model drafts tokens that a large model verifies."),
    ("reward-hacking", "Reward hacking is a specification problem", "Agents exploit gaps between the reward and the intent."),
    ("export-turn", "The export control turn", "Chip export rules now reach model weights."),
]


@pytest.fixture(scope="module")
def api_services(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    wiki = root / "wiki_content"
    (wiki / "notes").mkdir(parents=True)
    sources = {"sources": [{"name": "Lab Blog", "feed_url": "http://127.0.0.1:9/lab.xml", "tier": 1, "domains": ["ai"], "allow_private": True}]}
    (wiki / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    for note_id, title, tldr in API_NOTES:
        note = Note(id=note_id, title=title, source="lab-blog", url=f"https://example.org/{note_id}", published=date(2026, 3, 9), tier=1,
                    domain="ai", raw=f"raw/rss/{note_id}.md", content_hash="0" * 16, summarizer="extractive", tldr=tldr,
                    why_it_matters="It changes what gets built.", research_angle=["Measure it."], open_questions=["Does it last?"])
        (wiki / "notes" / f"{note_id}.md").write_text(render_note(note), encoding="utf-8")
    settings = Settings(wiki_dir=wiki, data_dir=root / "data", embed_model_path=embed_config().model_path)
    with open_services(settings) as services:
        reindex_all(services)
        yield services


def _string_parameters(app) -> list[tuple[str, str, str]]:
    """(path, "path" or "query", name) of every string parameter of every GET operation the app documents."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema_ = parameter.get("schema", {})
            if schema_.get("type") == "string" or any(option.get("type") == "string" for option in schema_.get("anyOf", [])):
                found.append((path, parameter["in"], parameter["name"]))
    return found


def _snapshot(services) -> tuple:
    files = {str(p): p.read_bytes() for p in sorted(services.vault.root.rglob("*")) if p.is_file()}
    return sample_graph.dump(services.store), files, services.index.note_ids()


async def test_api_parameters_reach_nothing_they_should_not(api_services, tally):
    app = create_app(api_services.settings, services=api_services)
    attacked = _string_parameters(app)
    assert {(path, name) for path, _, name in attacked} >= {("/search", "q"), ("/notes/{note_id}", "note_id")}
    before = _snapshot(api_services)
    failures = []
    # Redirects are followed: a payload ending in "/" is redirected by the router, and where it lands counts.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", follow_redirects=True) as client:
        for path, where, name in attacked:
            for label, payload in API_PAYLOADS.items():
                if where == "path" and not payload:
                    continue  # an empty path segment names another route, not an empty value
                url = path.replace("{" + name + "}", urllib.parse.quote(payload, safe="")) if where == "path" else path
                response = await client.get(url, params={name: payload} if where == "query" else None)
                tally["api"] += 1
                failures += [f"{path} {name}={label}: {problem}" for problem in _response_problems(response)]
    assert _snapshot(api_services) == before, "an API request changed the graph, the vault or the vector index"
    assert not failures, "\n".join(failures)


def _response_problems(response: httpx.Response) -> list[str]:
    if response.status_code >= 500:
        return [f"status {response.status_code}: {response.text[:200]}"]
    if response.headers.get("content-type", "").split(";")[0] != "application/json":
        return [f"status {response.status_code} answered with {response.headers.get('content-type')!r}: {response.text[:100]!r}"]
    body = response.json()
    if response.status_code != 200:
        return [] if set(body.get("error", {})) >= {"code", "message"} else [f"status {response.status_code} without the error shape"]
    hits = body.get("data", [])
    known = {note_id for note_id, _, _ in API_NOTES}
    return [f"answered with unknown note {hit.get('id')!r}" for hit in hits if isinstance(hit, dict) and hit.get("id") not in known]
