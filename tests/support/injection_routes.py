"""The path and query parameters of every route an app serves, found from its routes (web pages
included, which the OpenAPI document leaves out), for the injection test."""

from __future__ import annotations

import typing
from dataclasses import dataclass

from fastapi.routing import APIRoute, iter_route_contexts

# Routes that are not the app's own handlers (documentation, static files): nothing of ours behind them.
NOT_HANDLERS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}


@dataclass(frozen=True)
class Parameter:
    path: str
    method: str
    where: str  # "path" or "query"
    name: str
    text: bool  # the handler receives it as text (else it is validated as a number, date or choice first)
    required: bool

    @property
    def web(self) -> bool:
        return self.path == "/" or self.path.startswith("/wiki")


def parameters(app) -> tuple[list[Parameter], list[str]]:
    """(every path and query parameter of every route, routes that take input this does not find or send:
    headers, cookies, bodies, or a handler that is not a FastAPI route)."""
    found, unattacked = [], []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            if context.path not in NOT_HANDLERS:
                unattacked.append(context.path)  # not a FastAPI route: its input cannot be read from a signature
            continue
        dependants = [route.dependant]
        fields = []
        while dependants:
            dependant = dependants.pop()
            dependants += dependant.dependencies
            fields += [("path", field) for field in dependant.path_params] + [("query", field) for field in dependant.query_params]
            if dependant.header_params or dependant.cookie_params or dependant.body_params:
                unattacked.append(context.path)
        for method in sorted(context.methods):
            found += [Parameter(context.path, method, where, field.alias, _is_text(field.field_info.annotation), field.field_info.is_required())
                      for where, field in fields]
    return found, unattacked


def _is_text(annotation) -> bool:
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return annotation is str or (bool(args) and all(arg is str or _is_text(arg) for arg in args))
