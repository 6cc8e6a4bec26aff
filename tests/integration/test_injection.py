"""Real injection payloads against every public query function of the graph layer and every API and
web parameter that reaches one, on the embedded engine, Qdrant local mode, the real embedding model
and the real app.

For each function (found by introspection, see tests/support/injection.py), each place a string
can go and each payload, on the sample graph:
- a refusal must be a typed error (WikigraphError) and leave the graph exactly as it was (a write
  refused part-way may have changed the nodes whose id is the payload, nothing else);
- a read must leave the graph exactly as it was and answer with nothing (no node of the sample
  graph has a payload as its id, name, alias or title, so anything found was read by accident),
  except for the empty payload, which many reads take as "no filter"; a read that ranks by
  similarity (vector, fuzzy and BM25 search) finds something for any text, so everything it names
  must be a node of the graph;
- a write may change only nodes whose id is the payload (for a vault file full of payloads, the
  nodes that file names), and relationships touching them, and must store the texts it was given
  as the literal payload.
Then each payload is shown to be compared literally: with a concept named after every payload in
the graph at once, each finds its own paper and note and nothing else (look-alikes included).
The API part sends payloads in every path and query parameter of every route the app serves (the
JSON API and the web pages, found from the app's routes, not from its OpenAPI document), over the
connected fixture wiki: every node an answer names must be one the request matched, and the graph,
the vault and the vector index must be exactly as they were.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from datetime import date

import httpx
import pytest

from api.app import create_app
from graph import patterns, questions, schema, sync_queries
from graph.errors import (
    GraphStoreError,
    GraphUnavailable,
    QueryInputError,
    WikigraphError,
)
from graph.notes_md import render_note
from graph.sync import sync_vault
from graph.vault import Vault
from tests.support import injection, injection_routes, sample_graph
from tests.support.api_world import fixture_services
from tests.support.connected_wiki import FIXTURE
from tests.support.injection_env import InjectionEnv, sample_notes

TARGETS, NOT_ATTACKED = injection.targets()
CASES = [case for target in TARGETS for case in injection.cases(target)]
LITERAL_PAYLOADS = {label: payload for label, payload in injection.PAYLOADS.items() if "\x00" not in payload}
# The functions the first audit found unattacked: each must stay attacked.
MUST_BE_ATTACKED = {
    "GraphStore.get_note", "GraphStore.upsert_notes", "graph.questions.notes_about", "graph.patterns.neighbourhood",
    "graph.read.entity_detail", "graph.read.list_notes", "graph.retrieval.evidence.gather", "graph.retrieval.subgraph.neighbourhood",
    "graph.retrieval.vector.vector_search", "graph.sync_entities.project_pages", "graph.sync_entities.reconcile_entities",
    "graph.sync_entities.sync_sources", "graph.sync_notes.link_notes", "graph.sync_notes.upsert_note_nodes",
    "graph.retrieval.service.search", "graph.retrieval.service.connected", "graph.retrieval.service.resolve",
    "graph.sync.sync_vault", "graph.sync.sync_note",
}


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
    summary = (
        f"[injection] {counts['store']} payload×function cases: {len(TARGETS)} query functions, {len(CASES)} argument "
        f"places, {len(injection.PAYLOADS)} payloads; {counts['literal']} literal look-ups; {counts['api']} API and web "
        f"requests ({counts['api places']} parameters of {counts['api routes']} routes)"
    )
    lines = [
        summary,
        *(f"[injection] not attacked: {name}: {injection.DELIBERATELY_NOT_ATTACKED.get(name, why)}" for name, why in sorted(NOT_ATTACKED.items())),
    ]
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def env(tmp_path_factory, embedder):
    opened = InjectionEnv(tmp_path_factory.mktemp("injection"), embedder)
    try:
        opened.store.delete_all()
        sample_graph.build(opened.store)
        opened.index_sample()
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def baseline(env) -> dict:
    return sample_graph.dump(env.store)


@pytest.fixture(scope="module")
def known(baseline) -> set[str]:
    return {node["props"]["id"] for node in baseline["nodes"] if "id" in node["props"]}


@pytest.fixture
def store(env, baseline):
    _restore(env.store, baseline)
    yield env.store
    _restore(env.store, baseline)


def _restore(store, baseline: dict) -> None:
    if sample_graph.dump(store) != baseline:
        store.delete_all()
        sample_graph.build(store)
        assert sample_graph.dump(store) == baseline, "the sample graph could not be restored"


def test_every_query_function_is_attacked_or_listed_with_its_reason():
    names = {target.name for target in TARGETS}
    assert MUST_BE_ATTACKED <= names, sorted(MUST_BE_ATTACKED - names)
    # A new function the test cannot build arguments for fails here until it is attacked (or listed, with why).
    unexplained = {name: why for name, why in NOT_ATTACKED.items() if name not in injection.DELIBERATELY_NOT_ATTACKED}
    assert not unexplained, unexplained
    stale = set(injection.DELIBERATELY_NOT_ATTACKED) - set(NOT_ATTACKED)
    assert not stale, f"listed as not attacked, but now attacked or gone: {sorted(stale)}"
    assert all(injection.cases(target) for target in TARGETS)


def test_the_arguments_a_case_does_not_attack_are_valid(store, env):
    """Every read answers its benign arguments (the same the cases give the places they do not attack), and
    most find something with them: what stops a payload is the payload, not a neighbouring argument."""
    found = []
    for target in TARGETS:
        if target.writes or target.name in injection.HAND_BUILT:
            continue
        result = target.function(**injection.benign_arguments(target, env))
        found.append(not injection.is_empty(result))
    assert len(found) > 20 and sum(found) > len(found) / 2, found


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.target.name}:{case.slot}")
def test_payloads_touch_nothing_outside_their_target(env, baseline, known, case, tally):
    failures = []
    for label, payload in injection.PAYLOADS.items():
        _restore(env.store, baseline)
        failures += [f"{label}: {problem}" for problem in _attack(env, baseline, known, case, payload)]
        tally["store"] += 1
    _restore(env.store, baseline)
    assert not failures, "\n".join(failures)


def _attack(env, baseline: dict, known: set[str], case, payload: str) -> list[str]:
    before = baseline
    if case.prepare is not None:
        try:
            case.prepare(env, payload)
        except WikigraphError:
            _restore(env.store, baseline)  # the payload cannot even be prepared: the attack must then be refused on its own
        before = sample_graph.dump(env.store)
    try:
        result = case.call(env, payload)
    except GraphUnavailable:
        env.restart()
        return ["the payload brought the embedded server down"]
    except WikigraphError as exc:
        after = sample_graph.dump(env.store)
        # A write refused part-way (a batch already sent) may have changed its own target, nothing else.
        changed = _confined(case, payload, before, after) if case.target.writes else ([] if after == before else ["the graph"])
        problems = [f"refused with {type(exc).__name__} after changing {problem}" for problem in changed]
        if isinstance(exc, GraphStoreError) and len(payload) >= 3 and payload in str(exc):
            problems.append("the error message quotes the payload")
        return problems
    except Exception as exc:  # noqa: BLE001 - any other exception is the finding, reported with the others
        return [f"raised {type(exc).__name__} (not a typed error): {str(exc)[:200]}"]
    after = sample_graph.dump(env.store)
    if case.target.writes:
        return _confined(case, payload, before, after)
    problems = [] if after == before else ["a read changed the graph"]
    if case.check is not None:
        problems += case.check(result, payload, known)
    elif case.target.ranked:
        problems += [f"a ranked read named {node_id[:60]!r}, not a node of the graph" for node_id in sorted(injection.named_nodes(result) - known)]
    # An empty text often means "no filter" (all entities): only a non-empty payload must find nothing.
    elif payload and not injection.is_empty(result):
        problems.append(f"a read found {str(result)[:200]}")
    return problems


def _confined(case, payload: str, before: dict, after: dict) -> list[str]:
    return injection.confined_to(payload, before, after, case.confine(payload) if case.confine else None)


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
# Parameters whose type is not text (numbers, dates, fixed choices) are refused by validation before any
# handler runs: a representative few payloads show it, the full list goes into every text parameter.
TYPED_PAYLOADS = ("single quote", "map breakout", "or true", "fullwidth apostrophe U+FF07", "NUL", "very long", "union", "empty")
# Values for the parameters a request does not attack: real nodes of the connected wiki, so the payload decides.
BENIGN_PARAMETERS = {
    "entity_id": "defense-trilemma", "concept_id": "defense-trilemma", "note_id": "n01-input-filters-trilemma", "folder": "concepts",
    "q": "defense trilemma", "name": "defense trilemma", "type": "Paper", "job_id": "0" * 32,
}
# (route, parameter) that rank by similarity: any text finds something, so what they name is checked to be real nodes.
RANKED_PARAMETERS = {("/search", "q"), ("/resolve", "name"), ("/wiki/search", "q")}
NODE_LINK = re.compile(r'href="/wiki/([a-z]+)/([^"/?#]+)"')


@pytest.fixture(scope="module")
def api_services(tmp_path_factory):
    with fixture_services(tmp_path_factory.mktemp("api"), FIXTURE) as services:
        yield services


def _snapshot(services) -> tuple:
    files = {str(p): p.read_bytes() for p in sorted(services.vault.root.rglob("*")) if p.is_file()}
    return sample_graph.dump(services.store), files, services.index.note_ids(), services.index.entity_count()


def _url(parameter: injection_routes.Parameter, routed: list[injection_routes.Parameter], payload: str | None) -> tuple[str, dict[str, str]]:
    """The URL and query of a request with `payload` in `parameter` (None: no payload) and benign required values elsewhere."""
    path, query = parameter.path, {}
    for other in routed:
        attacked = other == parameter and payload is not None
        value = payload if attacked else BENIGN_PARAMETERS.get(other.name)
        if other.where == "path":
            path = path.replace("{" + other.name + "}", urllib.parse.quote(value, safe=""))
        elif attacked or (other.required and value is not None):
            query[other.name] = value
    return path, query


async def test_api_and_web_parameters_reach_nothing_they_should_not(api_services, tally):
    app = create_app(api_services.settings, services=api_services)
    attacked, unattacked = injection_routes.parameters(app)
    assert not unattacked, f"routes with input this test does not attack (headers, cookies, bodies, non-FastAPI handlers): {unattacked}"
    places = {(p.path, p.name) for p in attacked}
    assert {("/search", "q"), ("/notes/{note_id}", "note_id"), ("/wiki/search", "q"), ("/wiki/notes/{note_id}", "note_id"),
            ("/wiki/{folder}/{entity_id}", "entity_id"), ("/wiki/{folder}/{entity_id}", "folder")} <= places
    before = _snapshot(api_services)
    known = {node["props"]["id"] for node in before[0]["nodes"] if "id" in node["props"]}
    failures = []
    # Redirects are followed: a payload ending in "/" is redirected by the router, and where it lands counts.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", follow_redirects=True) as client:
        for parameter in attacked:
            routed = [p for p in attacked if (p.path, p.method) == (parameter.path, parameter.method)]
            # The same request without the payload is answered: what the payload meets is the query, not a missing value.
            path, query = _url(parameter, routed, None)
            probe = await client.request(parameter.method, path, params=query)
            assert probe.status_code == (404 if parameter.name == "job_id" else 200), (path, query, probe.text[:200])
            labels = list(API_PAYLOADS) if parameter.text else list(TYPED_PAYLOADS)
            for label in labels:
                payload = API_PAYLOADS[label]
                if parameter.where == "path" and not payload:
                    continue  # an empty path segment names another route, not an empty value
                path, query = _url(parameter, routed, payload)
                response = await client.request(parameter.method, path, params=query)
                tally["api"] += 1
                problems = _response_problems(response, parameter, payload, known)
                failures += [f"{parameter.path} {parameter.name}={label}: {problem}" for problem in problems]
    tally["api places"], tally["api routes"] = len(attacked), len({(p.path, p.method) for p in attacked})
    assert _snapshot(api_services) == before, "a request changed the graph, the vault or the vector index"
    assert not failures, "\n".join(failures)


def _response_problems(response: httpx.Response, parameter: injection_routes.Parameter, payload: str, known: set[str]) -> list[str]:
    if response.status_code >= 500:
        return [f"status {response.status_code}: {response.text[:200]}"]
    kind = response.headers.get("content-type", "").split(";")[0]
    if kind == "text/html" and parameter.web:
        return _page_problems(response, parameter, payload, known)
    if kind != "application/json":
        return [f"status {response.status_code} answered with {kind!r}: {response.text[:100]!r}"]
    body = response.json()
    if response.status_code != 200:
        return [] if set(body.get("error", {})) >= {"code", "message"} else [f"status {response.status_code} without the error shape"]
    problems = [f"answered with {node_id[:60]!r}, not a node of the graph" for node_id in sorted(injection.named_nodes(body) - known)]
    if payload and (parameter.path, parameter.name) not in RANKED_PARAMETERS and not _found_nothing(body):
        problems.append(f"a payload found {str(body)[:200]}")
    return problems


def _found_nothing(body) -> bool:
    """A listing with no items: anything else answered to a payload was found by it."""
    return isinstance(body, dict) and isinstance(body.get("data"), list) and not body["data"]


def _page_problems(response: httpx.Response, parameter: injection_routes.Parameter, payload: str, known: set[str]) -> list[str]:
    linked = {urllib.parse.unquote(node_id) for _, node_id in NODE_LINK.findall(response.text)}
    problems = [f"the page links {node_id[:60]!r}, not a node of the graph" for node_id in sorted(linked - known)]
    if response.status_code == 200 and payload and (parameter.path, parameter.name) not in RANKED_PARAMETERS:
        problems.append("a payload was answered with a page (only the search page may answer one)")
    return problems


def test_a_vault_note_naming_an_overlong_entity_id_is_skipped_and_the_engine_stays_up(store, tmp_path):
    """An entity id in a note's front matter has no length limit of its own: one of 5,000 bytes brought the
    embedded server down under its unique constraint. Sync reports that note as unreadable, projects the
    others, and the engine stays up; the statements refuse such an id too, whoever sends it."""
    bad, good = sample_notes()[:2]
    bad.entities = [{"type": "Concept", "id": "a" * 5000, "name": "A", "count": 1, "salience": 0.5}]
    (tmp_path / "notes").mkdir()
    for note in (bad, good):
        (tmp_path / "notes" / f"{note.id}.md").write_text(render_note(note), encoding="utf-8")
    hashes = "MATCH (n:Note) WHERE n.id IN $ids RETURN n.id AS id, n.page_hash AS page_hash"
    before = {row["id"]: row["page_hash"] for row in store.run("test.note_hashes", hashes, {"ids": [bad.id, good.id]})}
    report = sync_vault(Vault(tmp_path), store, None, None, [])
    assert len(report.errors) == 1 and f"{bad.id}.md" in report.errors[0] and "longer than" in report.errors[0]
    assert store.ping()
    after = {row["id"]: row["page_hash"] for row in store.run("test.note_hashes", hashes, {"ids": [bad.id, good.id]})}
    assert after.get(bad.id) == before.get(bad.id)  # left as the graph last had it
    assert after[good.id] is not None and after[good.id] != before.get(good.id)  # the other note was projected
    assert store.run("test.long_ids", "MATCH (e) WHERE size(e.id) > 1024 RETURN e.id AS id") == []
    with pytest.raises(QueryInputError):
        sync_queries.run_batches(store, sync_queries.create_mentions("Concept"), "rows", [{"note": good.id, "id": "a" * 5000}])
