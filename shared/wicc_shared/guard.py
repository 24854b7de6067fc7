"""The request guard: what every service app checks before FastAPI reads a request.

A pure ASGI layer in front of each service's routes (installed by `build_service_app`).
For every route that needs an API key, in this order:

1. **The key**, from the headers alone: a request without a valid key gets 401 before
   its body is read or parsed, whatever the body holds. The principal found is left in
   the scope, where `PrincipalDep` takes it, so it is looked up once.
2. **NUL characters in the path or query** (PostgreSQL refuses them in text): 422
   naming the parameter.
3. **The body**, only when the request declares one: refused with 413 as soon as its
   declared or received size exceeds the route's limit, then scanned for the JSON
   escapes of a NUL or of a surrogate (a raw NUL byte or surrogate is not valid UTF-8
   JSON, which FastAPI refuses anyway). Only a body holding such an escape is parsed
   here, to name the field; the route parses it as before.

Public routes (operations, docs, the OpenAPI document, the board page) pass unchecked:
they hold no data and read no body. WebSockets authenticate in their own handshake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wicc_shared.auth import needs_key, principal_of
from wicc_shared.errors import (
    NULL_CHARACTER,
    SURROGATE_CHARACTER,
    FieldError,
    PayloadTooLarge,
    ServiceUnavailable,
    ValidationFailed,
    WiccError,
    problem_for,
)
from wicc_shared.openapi import MAX_BODY_EXTENSION
from wicc_shared.refusals import PRINCIPAL_SCOPE_KEY
from wicc_shared.routes import RouteInfo, route_path, table_of
from wicc_shared.runtime import runtime_of

_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class RequestGuard:
    def __init__(self, app: ASGIApp, service: FastAPI) -> None:
        self.app = app
        # Built with the middleware stack, on the first request: every route is there.
        table = table_of(service)
        self._public = _one_pattern([r for r in table if not _needs_key(r)])
        self._limits = [
            (r.regex, r.methods, int(extra[MAX_BODY_EXTENSION]))
            for r in table
            if isinstance(r.route, APIRoute)
            and MAX_BODY_EXTENSION in (extra := r.route.openapi_extra or {})
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._public.match(route_path(scope)):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            scope[PRINCIPAL_SCOPE_KEY] = await _authenticate(conn)
            _refuse_nul_in_url(conn)
            if _declares_body(conn):
                body = await self._read_body(conn, receive)
                _refuse_escapes_in_body(body)
                receive = _replay(body, receive)
        except WiccError as exc:
            await problem_for(conn, exc)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _read_body(self, conn: HTTPConnection, receive: Receive) -> bytes:
        limit = self._limit(conn)
        declared = conn.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the route will see an empty body
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _limit(self, conn: HTTPConnection) -> int:
        path, method = route_path(conn.scope), conn.scope["method"]
        for regex, methods, limit in self._limits:
            if method in methods and regex.match(path):
                return limit
        return runtime_of(conn).settings.max_body_bytes


async def _authenticate(conn: HTTPConnection) -> Any:
    try:
        return await principal_of(conn)
    except (OSError, OperationalError, InterfaceError) as exc:
        raise _unavailable() from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise _unavailable() from exc
        raise


def _unavailable() -> ServiceUnavailable:
    # As every other 503 for the database: nothing was done, retrying is safe.
    return ServiceUnavailable("Cannot check the API key now; nothing was changed. Retry shortly.")


def _needs_key(info: RouteInfo) -> bool:
    return isinstance(info.route, APIRoute) and needs_key(info.route)


def _one_pattern(routes: list[RouteInfo]) -> re.Pattern[str]:
    # One alternation, so a request costs one match; names dropped (they repeat).
    parts = [_NAMED_GROUP.sub("(?:", r.regex.pattern) for r in routes]
    return re.compile("|".join(f"(?:{p})" for p in parts) or "(?!)")


def _declares_body(conn: HTTPConnection) -> bool:
    headers = conn.headers
    length = headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in headers


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The body is larger than this operation accepts ({limit} bytes).", max_bytes=limit
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# --- NUL characters and surrogates -------------------------------------------------


def _refuse_nul_in_url(conn: HTTPConnection) -> None:
    scope = conn.scope
    query: bytes = scope["query_string"]
    errors = []
    if "\x00" in scope["path"]:
        errors.append(_nul_error(_path_parameter(conn), "path"))
    if b"%00" in query or b"\x00" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        names = sorted({_printable(k) for k, v in pairs if "\x00" in k or "\x00" in v})
        errors += [_nul_error(name, "query") for name in names or ["query"]]
    if errors:
        raise ValidationFailed(errors)


def _path_parameter(conn: HTTPConnection) -> str:
    """The path parameter holding the NUL (matched only on this rare path)."""
    path = route_path(conn.scope)
    for info in table_of(conn.scope["app"]):
        if match := info.regex.match(path):
            return next((k for k, v in match.groupdict().items() if "\x00" in v), "path")
    return "path"


def _refuse_escapes_in_body(body: bytes) -> None:
    if b"\\u" not in body or not _SUSPECT.search(body):
        return  # the happy path: two scans of the bytes
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the route refuses it as such
    errors = [
        FieldError(field, message, location="body", code=code)
        for field, message, code in _bad_strings(document, ())
    ]
    if errors:
        raise ValidationFailed(errors)


def _bad_strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, str):
        if problem := _string_problem(value):
            yield (".".join(path) or "body", *problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = (*path, _printable(key))
            if problem := _string_problem(key):
                yield (".".join(name), f"the field name {problem[0]}", problem[1])
            yield from _bad_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_strings(item, (*path, str(index)))


def _string_problem(text: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored", NULL_CHARACTER
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (\\ud800-\\udfff), not a character", SURROGATE_CHARACTER
    return None


def _nul_error(name: str, location: str) -> FieldError:
    message = "contains a NUL character (%00), which cannot be stored"
    return FieldError(name, message, location=location, code=NULL_CHARACTER)


def _printable(name: str) -> str:
    return name.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()
