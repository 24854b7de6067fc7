"""A service app's routes as a table, for the layers that answer before (or instead
of) FastAPI's router: which template a path belongs to and which methods it serves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import Scope


@dataclass(frozen=True)
class RouteInfo:
    template: str  # e.g. /v1/units/{unit_id}/beds (without the service prefix)
    regex: re.Pattern[str]
    methods: frozenset[str]
    route: object  # the route as declared (an APIRoute for the services' own routes)


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every HTTP route of the app, with those of included routers, in routing order."""
    table = []
    for context in iter_route_contexts(app.routes):
        regex, methods = getattr(context, "path_regex", None), context.methods
        if context.path is None or regex is None or methods is None:
            continue  # WebSocket routes: no methods
        table.append(RouteInfo(context.path, regex, frozenset(methods), context.original_route))
    return table


_TABLES: WeakKeyDictionary[FastAPI, list[RouteInfo]] = WeakKeyDictionary()


def table_of(app: FastAPI) -> list[RouteInfo]:
    """`route_table(app)`, built once per app (apps are complete before they serve)."""
    table = _TABLES.get(app)
    if table is None:
        table = _TABLES[app] = route_table(app)
    return table


def route_path(scope: Scope) -> str:
    """The path as the service's routes see it: without the prefix it is served under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def template_of(table: list[RouteInfo], scope: Scope) -> str:
    """The template of the first route matching the path (whatever the method)."""
    path = route_path(scope)
    return next((r.template for r in table if r.regex.match(path)), "unmatched")


def allowed_methods(table: list[RouteInfo], scope: Scope) -> list[str]:
    """Every method some route serves at this path (FastAPI's 405 names only one)."""
    path = route_path(scope)
    return sorted({m for r in table if r.regex.match(path) for m in r.methods})


def is_api_route(info: RouteInfo) -> bool:
    return isinstance(info.route, APIRoute)
