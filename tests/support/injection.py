"""Injection payloads, the store functions to throw them at, and the checks of what they did.

Functions are found by introspection: the public methods of GraphStore, and every public function
in `graph/` whose first parameter is `store`. A new one is attacked without anyone listing it, as
long as its parameters are of a kind built here (strings, lists and tuples of them, rows as dicts);
any other is reported as not attacked, with the parameter that stopped it.
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
from typing import Any

import graph
from graph.store.base import GraphStore

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
               "mark", "replace", "record", "sync", "project", "refresh", "reconcile", "migrate", "add")
# Valid values for the arguments a case does not attack, by parameter name, so the payload decides.
BENIGN_BY_NAME = {"label": "Concept", "start_label": "Note", "end_label": "Concept", "target_label": "Paper",
                  "rel_type": "MENTIONS", "direction": "both", "name": "KD", "concept": "KD", "source": "Lab Blog"}
BENIGN_TEXT = "knowledge-distillation"
ROW_TEXT_PROPS = ("name", "title", "tldr")


@dataclass(frozen=True)
class Target:
    name: str  # "GraphStore.get_note" or "graph.questions.notes_about"
    function: Callable[..., Any]  # takes the store first
    hints: dict[str, Any]
    params: tuple[inspect.Parameter, ...]  # after the store

    @property
    def writes(self) -> bool:
        return self.name.rsplit(".", 1)[-1].startswith(WRITE_VERBS)


@dataclass(frozen=True)
class Case:
    target: Target
    slot: str  # which argument (and which part of it) carries the payload
    build: Callable[[str], dict[str, Any]]  # payload → keyword arguments


def targets() -> tuple[list[Target], dict[str, str]]:
    """(functions to attack, {function: why it is not attacked}) — functions taking no text are left out silently."""
    found, skipped = [], {}
    candidates = [(f"GraphStore.{name}", member) for name, member in inspect.getmembers(GraphStore, inspect.isfunction)]
    candidates += list(_module_functions())
    for name, function in candidates:
        short = name.rsplit(".", 1)[-1]
        if short.startswith("_") or short in EXECUTORS:
            continue
        try:
            hints = typing.get_type_hints(function, localns={"GraphStore": GraphStore})
        except NameError as exc:  # an annotation imported only for type checkers
            skipped[name] = f"annotations cannot be resolved ({exc})"
            continue
        params = tuple(inspect.signature(function).parameters.values())[1:]
        blocked = [p.name for p in params if p.default is inspect.Parameter.empty and _kind(hints.get(p.name)) is None]
        if blocked:
            skipped[name] = f"cannot build parameter(s) {', '.join(blocked)}"
        elif any(_kind(hints.get(p.name)) not in (None, "scalar") for p in params):
            found.append(Target(name, function, hints, params))
    return sorted(found, key=lambda target: target.name), skipped


def cases(target: Target) -> list[Case]:
    """One case per place a payload can go: each text argument, each part of a tuple, every text of a row."""
    found = []
    for param in target.params:
        kind = _kind(target.hints.get(param.name))
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
    return found


def dump_changes(before: dict, after: dict) -> tuple[list, list, list, list]:
    """(nodes removed, nodes added, edges removed, edges added) between two dumps."""
    def diff(old, new):
        a, b = Counter(map(_key, old)), Counter(map(_key, new))
        return [json.loads(k) for k in (a - b).elements()], [json.loads(k) for k in (b - a).elements()]

    nodes_removed, nodes_added = diff(before["nodes"], after["nodes"])
    edges_removed, edges_added = diff(before["edges"], after["edges"])
    return nodes_removed, nodes_added, edges_removed, edges_added


def confined_to(payload: str, before: dict, after: dict) -> list[str]:
    """Problems, if any change touched a node whose id is not the payload, or stored the payload altered."""
    nodes_removed, nodes_added, edges_removed, edges_added = dump_changes(before, after)
    problems = [f"node {node['labels']} {node['props'].get('id')!r} changed" for node in nodes_removed + nodes_added
                if node["props"].get("id") != payload]
    problems += [f"edge {edge['a_id']!r}-{edge['type']}->{edge['b_id']!r} changed" for edge in edges_removed + edges_added
                 if payload not in (edge["a_id"], edge["b_id"])]
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


# --- building arguments ---------------------------------------------------------------------------


def _module_functions() -> Iterable[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.walk_packages(graph.__path__, "graph."):
        if info.name.startswith("graph.store"):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameters = list(inspect.signature(function).parameters)
            if function.__module__ == module.__name__ and parameters[:1] == ["store"]:
                yield f"{module.__name__}.{name}", function


def _kind(hint: Any) -> str | None:
    """What a parameter holds, as far as building payloads goes; None if we cannot build it."""
    if hint is None:
        return None
    origin, args = typing.get_origin(hint), [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin in (typing.Union, types.UnionType):
        if args == [str]:
            return "text"
        return "scalar" if all(arg in (int, float, bool) for arg in args) else None
    if hint is str:
        return "text"
    if hint in (int, float, bool):
        return "scalar"
    if origin in (list, tuple, set, frozenset, collections.abc.Iterable) and args:
        return _collection_kind(args[0])
    if origin is dict or hint is dict:
        return "map"
    return None


def _collection_kind(inner: Any) -> str | None:
    if inner is str:
        return "texts"
    inner_origin, inner_args = typing.get_origin(inner), [arg for arg in typing.get_args(inner) if arg is not Ellipsis]
    if inner_origin is tuple and inner_args and all(arg is str for arg in inner_args):
        return f"tuples{len(inner_args)}"
    if inner_origin is dict or inner is dict:
        return "rows"
    return None


def _arguments(target: Target, attacked: str, make: Callable[[str], Any]) -> Callable[[str], dict[str, Any]]:
    def build(payload: str) -> dict[str, Any]:
        arguments = {}
        for param in target.params:
            if param.name == attacked:
                arguments[param.name] = make(payload)
            elif param.default is inspect.Parameter.empty:
                arguments[param.name] = _benign(param.name, _kind(target.hints.get(param.name)))
        return arguments

    return build


def _benign(name: str, kind: str | None) -> Any:
    # An unattacked list stays empty, so it cannot fail a check before the payload is reached.
    text = BENIGN_BY_NAME.get(name, BENIGN_TEXT)
    return {"text": text, "map": {}, "scalar": 1}.get(kind or "", [])


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
