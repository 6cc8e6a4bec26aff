"""Injection payloads, the query functions to throw them at, and the checks of what they did.

Functions are found by introspection: the public methods of GraphStore, and every public function
in `graph/` with a parameter named `store` or `deps` (the retrieval dependencies). Most are attacked
without anyone listing them, as long as their parameters are of a kind built here (strings, lists,
sets and tuples of them, rows as dicts, and what the environment provides: vault, vector index,
embedder, retrieval config, snapshot); those taking objects (filters, page rows, plans) have their
arguments built in tests/support/injection_cases.py. Any other is reported as not attacked, with
the parameter that stopped it, and the test fails unless it is in DELIBERATELY_NOT_ATTACKED.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import importlib
import inspect
import json
import pkgutil
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import graph
from graph import schema
from graph.embed import Embedder
from graph.retrieval.config import RetrievalConfig
from graph.retrieval.snapshot import Snapshot
from graph.store.base import GraphStore
from graph.vault import Vault
from graph.vectors import VectorIndex
from tests.support.injection_cases import HAND_BUILT, Variant

PAYLOADS: dict[str, str] = {
    "single quote": "'",
    "double quote": '"',
    "backslash": "\\",
    "backslash quote": "\\'",
    "backslash double quote": '\\"',
    "backtick": "`",
    "label breakout": "Note`) DETACH DELETE n //",
    "map breakout": "}) DETACH DELETE n //",
    "or true": "' OR 1=1 //",
    "or true, double quotes": '" OR 1=1 //',
    "balanced or": "' OR '1'='1",
    "balanced or, double quotes": '" OR "1"="1',
    "backtick balanced or": "` OR `1`=`1",
    "parameter": "$param",
    "parameter named like ours": "$id",
    "fullwidth apostrophe U+FF07": "\uff07 OR 1=1 //",
    "modifier apostrophe U+02BC": "\u02bc OR 1=1 //",
    "fullwidth grave U+FF40": "Note\uff40) DETACH DELETE n //",
    "NUL": "id\x00) DETACH DELETE n //",
    "very long": "x" * 100_000 + "' OR 1=1 //",
    "newline then CALL": "x'\nCALL db.labels() YIELD label RETURN label //",
    "block comment": "/* */",
    "comment breakout": "*/ MATCH (n) DETACH DELETE n /*",
    "line and paragraph separators": "a\u2028b\u2029c\u0085d",
    "map literal": "{id: 'x'}",
    "query header": "CYPHER x=1 MATCH (n) DETACH DELETE n",
    "union": "x' UNION MATCH (n) RETURN n //",
    "label expression": "Note:Source",
    "empty": "",
}

# Executors take Cypher from their caller (named statements); the functions above them are the attack surface.
EXECUTORS = {"run", "run_batches"}
WRITE_VERBS = ("upsert", "delete", "create", "merge", "set", "write", "remove", "link", "unlink", "apply", "ensure",
               "mark", "replace", "record", "sync", "project", "refresh", "reconcile", "migrate", "add", "regenerate", "reindex")
# Reads that rank by similarity (embeddings, fuzzy names, BM25): any text finds something, so what they
# find is checked to be nodes of the graph as stored, not checked to be nothing.
RANKED_READS = frozenset({
    "graph.retrieval.vector.vector_search", "graph.retrieval.service.search", "graph.retrieval.service.resolve",
    "graph.retrieval.resolution.resolve_name", "graph.retrieval.resolution.find_mentions",
    "graph.retrieval.resolution.name_candidates", "graph.retrieval.query.interpret", "graph.retrieval.engine.run",
    "graph.retrieval.evidence.gather",
})
_PAGES = ("its one graph read is graph.read.entity_neighbours (attacked here) for the (type, id) of an entity page the vault "
          "holds (ids are slugs, ENTITY_ID_RE); it writes only into the vault")
# Functions that take the store but are not attacked here, and why. The test fails on any other.
DELIBERATELY_NOT_ATTACKED: dict[str, str] = {
    "graph.sync.reindex": "wipes the graph and runs graph.sync.sync_vault (attacked here, with payload files) and the analytics, "
                          "which rewrite every node's metrics: a change cannot be confined to the payload's nodes",
    "graph.sync_scan.plan_one_note": "its one text is a file's path, whose name (a note id) the file system limits; "
                                     "graph.sync.sync_note, attacked here, plans with it for a file full of payloads",
    "graph.pages.regenerate_page": _PAGES,
    "graph.pages.regenerate_pages": _PAGES,
    "graph.page_gather.gather": _PAGES,
}
# Valid values for the arguments a case does not attack, by parameter name, so the payload decides.
BENIGN_BY_NAME: dict[str, Any] = {
    "label": "Concept", "start_label": "Note", "end_label": "Concept", "target_label": "Paper", "target_type": "Paper",
    "entity_type": "Concept", "rel_type": "MENTIONS", "direction": "both", "name": "KD", "concept": "KD", "source": "Lab Blog",
    "query": "knowledge distillation", "text": "knowledge distillation", "labels": schema.ENTITY_LABELS, "mode": "hybrid",
}
BENIGN_TEXT = "knowledge-distillation"
ROW_TEXT_PROPS = ("name", "title", "tldr")
TEXT_KINDS = ("text", "texts", "rows", "map", "tuples1", "tuples2", "tuples3")
# What the environment provides (tests/support/injection_env.py), by parameter type.
ENV_TYPES: dict[type, str] = {Vault: "vault", VectorIndex: "index", Embedder: "embedder", RetrievalConfig: "config", GraphStore: "store"}
_DEPS = "deps"


@dataclass(frozen=True)
class Target:
    name: str  # "GraphStore.get_note" or "graph.questions.notes_about"
    function: Callable[..., Any]
    hints: dict[str, Any]
    params: tuple[inspect.Parameter, ...]  # every parameter, the store or deps included

    @property
    def writes(self) -> bool:
        return self.name.rsplit(".", 1)[-1].startswith(WRITE_VERBS)

    @property
    def ranked(self) -> bool:
        return self.name in RANKED_READS


@dataclass(frozen=True)
class Case:
    target: Target
    slot: str  # which argument (and which part of it) carries the payload
    build: Callable[[str, Any], dict[str, Any]]  # (payload, env) → keyword arguments
    prepare: Callable[[Any, str], None] | None = None  # runs before the attack; its changes are the state before
    check: Callable[[Any, str, set[str]], list[str]] | None = None  # (result, payload, known ids) → problems
    confine: Callable[[str], set[str]] | None = None  # payload → ids a write may change (default: the payload)

    def call(self, env, payload: str) -> Any:
        return self.target.function(**self.build(payload, env))


def targets() -> tuple[list[Target], dict[str, str]]:
    """(functions to attack, {function: why it is not attacked}) — functions taking no text are left out silently."""
    found, skipped = [], {}
    localns = _graph_classes()
    for name, function in _candidates():
        short = name.rsplit(".", 1)[-1]
        if short.startswith("_") or short in EXECUTORS:
            continue
        try:
            hints = typing.get_type_hints(function, localns=localns)
        except NameError as exc:
            skipped[name] = f"annotations cannot be resolved ({exc})"
            continue
        params = tuple(inspect.signature(function).parameters.values())
        target = Target(name, function, hints, params)
        if name in HAND_BUILT:
            found.append(target)
            continue
        kinds = {p.name: _param_kind(target, p) for p in params}
        blocked = [p.name for p in params if kinds[p.name] is None and (p.default is inspect.Parameter.empty or _carries_text(hints.get(p.name)))]
        if blocked:
            skipped[name] = f"cannot build parameter(s) {', '.join(blocked)}"
        elif any(kind in TEXT_KINDS for kind in kinds.values()):
            found.append(target)
    return sorted(found, key=lambda target: target.name), skipped


def cases(target: Target) -> list[Case]:
    """One case per place a payload can go: each text argument, each part of a tuple, every text of a row;
    functions that take a snapshot are attacked once without it (statements) and once with it."""
    if target.name in HAND_BUILT:
        return [_hand_built(target, variant) for variant in HAND_BUILT[target.name]()]
    found = []
    for param in target.params:
        kind = _param_kind(target, param)
        variants: list[tuple[str, Callable[[str], Any]]] = {
            "text": [("", lambda payload: payload)],
            "texts": [("[]", lambda payload: [payload])],
            "rows": [("[row]", lambda payload: [_row(payload)])],
            "map": [("{value}", lambda payload: {"name": payload}), ("{key}", lambda payload: {payload: 1})],
        }.get(kind, [])
        if kind and kind.startswith("tuples"):
            width = int(kind.removeprefix("tuples"))
            variants = [(f"[({position})]", _tuple_variant(position, width)) for position in range(width)]
        for suffix, make in variants:
            found.append(Case(target, param.name + suffix, _arguments(target, param.name, make)))
    if any(_param_kind(target, param) == "snapshot" for param in target.params):
        found += [Case(target, case.slot + " @snapshot", _with_snapshot(target, case.build)) for case in found]
    return found


def benign_arguments(target: Target, env) -> dict[str, Any]:
    """The arguments every case of a generic target gives the places it does not attack."""
    return _arguments(target, "", lambda _: None)(BENIGN_TEXT, env)


def _hand_built(target: Target, variant: Variant) -> Case:
    def build(payload: str, env) -> dict[str, Any]:
        return {**benign_arguments(target, env), **variant.build(payload, env)}

    return Case(target, variant.slot, build, variant.prepare, variant.check, variant.confine)


def dump_changes(before: dict, after: dict) -> tuple[list, list, list, list]:
    """(nodes removed, nodes added, edges removed, edges added) between two dumps."""
    def diff(old, new):
        a, b = Counter(map(_key, old)), Counter(map(_key, new))
        return [json.loads(k) for k in (a - b).elements()], [json.loads(k) for k in (b - a).elements()]

    nodes_removed, nodes_added = diff(before["nodes"], after["nodes"])
    edges_removed, edges_added = diff(before["edges"], after["edges"])
    return nodes_removed, nodes_added, edges_removed, edges_added


def confined_to(payload: str, before: dict, after: dict, ids: set[str] | None = None) -> list[str]:
    """Problems, if any change touched a node whose id is not one of `ids` (default: the payload), or
    stored the payload altered."""
    allowed = {payload} if ids is None else ids
    nodes_removed, nodes_added, edges_removed, edges_added = dump_changes(before, after)
    problems = [f"node {node['labels']} {node['props'].get('id')!r} changed" for node in nodes_removed + nodes_added
                if node["props"].get("id") not in allowed]
    problems += [f"edge {edge['a_id']!r}-{edge['type']}->{edge['b_id']!r} changed" for edge in edges_removed + edges_added
                 if not allowed & {edge["a_id"], edge["b_id"]}]
    for node in nodes_added:
        altered = [key for key in ROW_TEXT_PROPS if key in node["props"] and node["props"][key] != payload]
        if altered:
            problems.append(f"node {node['props'].get('id')!r}: {altered} not stored as the literal payload")
    return problems


def is_empty(result: Any) -> bool:
    """Nothing found: None, 0, an empty collection, or a result object (a page) whose collections are all empty."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        parts = [value for value in vars(result).values() if isinstance(value, (list, tuple, dict, set))]
        return bool(parts) and all(not part for part in parts)
    return result is None or result == 0 or (isinstance(result, (list, tuple, dict, set)) and not result)


def named_nodes(result: Any) -> set[str]:
    """The ids of every node a result names: `id`/`note_id`/`entity_id` fields and (label, id) keys."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        if isinstance(value, dict):
            found.update(v for k, v in value.items() if k in ("id", "note_id", "entity_id") and isinstance(v, str))
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, tuple) and len(value) == 2 and value[0] in schema.LABELS and isinstance(value[1], str):
            found.add(value[1])
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)

    walk(result)
    return found


# --- building arguments ---------------------------------------------------------------------------


def _candidates() -> Iterable[tuple[str, Callable[..., Any]]]:
    for name, member in inspect.getmembers(GraphStore, inspect.isfunction):
        yield f"GraphStore.{name}", member
    for info in pkgutil.walk_packages(graph.__path__, "graph."):
        if info.name.startswith("graph.store"):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and {"store", _DEPS} & set(inspect.signature(function).parameters):
                yield f"{module.__name__}.{name}", function


@cache
def _graph_classes() -> dict[str, Any]:
    """Every class defined in graph/, by name: annotations imported only for type checkers resolve to them."""
    classes: dict[str, Any] = {}
    for info in pkgutil.walk_packages(graph.__path__, "graph."):
        module = importlib.import_module(info.name)
        classes.update({name: cls for name, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == module.__name__})
    return classes


def _param_kind(target: Target, param: inspect.Parameter) -> str | None:
    if param.name in ("self", "store"):
        return "store"
    if param.name == _DEPS:
        return _DEPS
    return _kind(target.hints.get(param.name))


def _kind(hint: Any) -> str | None:
    """What a parameter holds, as far as building payloads goes; None if we cannot build it."""
    if hint is None:
        return None
    origin, args = typing.get_origin(hint), [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin in (typing.Union, types.UnionType):
        if len(args) == 1:
            return _kind(args[0])
        return "scalar" if all(arg in (int, float, bool) for arg in args) else None
    if hint is str:
        return "text"
    if hint in (int, float, bool):
        return "scalar"
    if hint is date:
        return "date"
    if hint is Snapshot:
        return "snapshot"
    if hint in ENV_TYPES:
        return ENV_TYPES[hint]
    if origin is collections.abc.Callable:
        return "callable"
    if origin in (list, tuple, set, frozenset, collections.abc.Iterable) and args:
        return _collection_kind(args[0])
    if origin is dict or hint is dict:
        return "map"
    return None


def _collection_kind(inner: Any) -> str | None:
    if inner is str:
        return "texts"
    if inner in (int, float):
        return "scalars"
    inner_origin, inner_args = typing.get_origin(inner), [arg for arg in typing.get_args(inner) if arg is not Ellipsis]
    if inner_origin is tuple and inner_args and all(arg is str for arg in inner_args):
        return f"tuples{len(inner_args)}"
    if inner_origin is dict or inner is dict:
        return "rows"
    return None


def _carries_text(hint: Any, seen: frozenset = frozenset()) -> bool:
    """Whether a value of this type can hold text (so leaving it at its default leaves a place unattacked)."""
    if hint is None:
        return True  # unannotated: it may
    if not isinstance(hint, typing.Hashable) or hint in seen:
        return False
    if hint is str:
        return True
    if dataclasses.is_dataclass(hint):
        try:
            hints = typing.get_type_hints(hint, localns=_graph_classes())
        except NameError:
            return True  # fields we cannot read may hold text: the function is then reported, not skipped
        return any(_carries_text(field_hint, seen | {hint}) for field_hint in hints.values())
    return any(_carries_text(arg, seen) for arg in typing.get_args(hint) if arg is not Ellipsis)


def _arguments(target: Target, attacked: str, make: Callable[[str], Any]) -> Callable[[str, Any], dict[str, Any]]:
    def build(payload: str, env) -> dict[str, Any]:
        arguments = {}
        for param in target.params:
            kind = _param_kind(target, param)
            if param.name == attacked:
                arguments[param.name] = make(payload)
            elif kind == "store":
                arguments[param.name] = env.store
            elif kind == _DEPS:
                arguments[param.name] = env.deps
            elif kind in ("vault", "index", "embedder"):
                arguments[param.name] = getattr(env, kind)
            elif kind == "config":
                arguments[param.name] = RetrievalConfig()
            elif param.default is inspect.Parameter.empty:
                arguments[param.name] = _benign(param.name, kind)
        return arguments

    return build


def _with_snapshot(target: Target, build: Callable[[str, Any], dict[str, Any]]) -> Callable[[str, Any], dict[str, Any]]:
    names = [param.name for param in target.params if _param_kind(target, param) == "snapshot"]

    def with_snapshot(payload: str, env) -> dict[str, Any]:
        return {**build(payload, env), **{name: env.snapshot() for name in names}}

    return with_snapshot


def _benign(name: str, kind: str | None) -> Any:
    # An unattacked list stays empty (unless it names what to look in), so it cannot fail a check before the payload is reached.
    value = BENIGN_BY_NAME.get(name)
    if kind == "text":
        return value if isinstance(value, str) else BENIGN_TEXT
    if kind == "texts" and isinstance(value, tuple):
        return value
    return {"map": {}, "scalar": 1, "date": date(2026, 7, 1), "snapshot": None}.get(kind or "", [])


def _tuple_variant(position: int, width: int) -> Callable[[str], Any]:
    def make(payload: str) -> list[tuple[str, ...]]:
        benign = ["Concept", *([BENIGN_TEXT] * (width - 1))]
        benign[position] = payload
        return [tuple(benign)]

    return make


def _row(payload: str) -> dict[str, Any]:
    """A row any batched write can read: the payload as every id it may look for and every text it may store."""
    ids = {key: payload for key in ("id", "source_id", "start", "end", "source", "target", "note")}
    return {**ids, "name": payload, "props": {**{key: payload for key in ROW_TEXT_PROPS}, "aliases": [payload]}}


def _key(item: dict) -> str:
    return json.dumps(item, sort_keys=True, default=str)
