"""A small typed error hierarchy rendered as RFC 9457 `application/problem+json`.

Every `type` is a stable URN documented in docs/errors.md; clients switch on it,
never on `title` or `detail`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from wicc_shared import refusals
from wicc_shared.logging import correlation_id
from wicc_shared.routes import allowed_methods, table_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:wicc:problem:"
# Codes of characters PostgreSQL cannot store in text (wicc_shared.guard, CSV cells).
NULL_CHARACTER = "null_character"
SURROGATE_CHARACTER = "surrogate_character"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """One offending field: `field` is the dotted path inside the request part."""

    field: str
    message: str
    location: str = "body"
    code: str = "invalid"

    @property
    def pointer(self) -> str:
        return "#/" + self.field.replace(".", "/")


class WiccError(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequest(WiccError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(WiccError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(WiccError):
    status, slug, title = 403, "forbidden", "Not allowed for this key"


class NotFound(WiccError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(WiccError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class StaleUpdate(Conflict):
    slug, title = "stale-update", "A newer figure is already recorded"


class ValidationFailed(WiccError):
    status, slug, title = 422, "validation-error", "The request has invalid fields"

    def __init__(self, errors: Sequence[FieldError], detail: str | None = None) -> None:
        names = ", ".join(sorted({e.field for e in errors}))
        super().__init__(detail or f"Invalid field(s): {names}")
        self.errors = list(errors)


class PayloadTooLarge(WiccError):
    status, slug, title = 413, "payload-too-large", "The request is too large"


# Seconds a client is told to wait after a 503 `unavailable`: a database restart or a
# board restoring its picture takes seconds, and nothing was done, so the retry is safe.
RETRY_AFTER_SECONDS = 5


class ServiceUnavailable(WiccError):
    status, slug, title = 503, "unavailable", "A dependency is unavailable"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        # Every refusal of this kind passes: say when to come back, so clients retry
        # rather than give up (a board's WebSocket handshake included).
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def problem_response(
    request: HTTPConnection,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [asdict(e) | {"pointer": e.pointer} for e in errors]
    cid = correlation_id.get()
    if cid:
        body["correlation_id"] = cid
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_errors_from_pydantic(exc: RequestValidationError) -> list[FieldError]:
    result = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        location = loc[0] if loc else "body"
        # For unparseable JSON pydantic puts the character offset where a name would be.
        unparseable = err.get("type") == "json_invalid"
        field = location if unparseable else ".".join(loc[1:]) or location
        result.append(
            FieldError(
                field=field,
                message=err.get("msg", "invalid"),
                location=location,
                code=err.get("type", "invalid"),
            )
        )
    return result


def problem_for(conn: HTTPConnection, exc: WiccError) -> JSONResponse:
    if isinstance(exc, Unauthorized | Forbidden):
        refusals.record(conn, exc.status, exc.detail)
    errors = exc.errors if isinstance(exc, ValidationFailed) else ()
    return problem_response(
        conn,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=errors,
        headers=exc.headers or None,
        **exc.extra,
    )


async def _wicc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WiccError)
    return problem_for(request, exc)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors_from_pydantic(exc)
    names = ", ".join(sorted({e.field for e in errors}))
    return problem_response(
        request,
        status=422,
        slug=ValidationFailed.slug,
        title=ValidationFailed.title,
        detail=f"Invalid field(s): {names}",
        errors=errors,
    )


_HTTP_SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if _unparseable_body(exc):
        return _invalid_body(request, exc.__cause__)
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and isinstance(request.app, FastAPI):
        headers["Allow"] = ", ".join(allowed_methods(table_of(request.app), request.scope))
    slug = _HTTP_SLUGS.get(exc.status_code, f"http-{exc.status_code}")
    return problem_response(
        request,
        status=exc.status_code,
        slug=slug,
        title=str(exc.detail),
        detail=str(exc.detail),
        headers=headers or None,
    )


# What FastAPI's JSON parsing raises, beside a syntax error, and answers with an
# undocumented 400: a body in UTF-16 or -32 that does not decode, nesting deeper than
# the recursion limit, an integer of more than 4,300 digits.
_UNPARSEABLE = (UnicodeDecodeError, RecursionError, ValueError)


def _unparseable_body(exc: StarletteHTTPException) -> bool:
    return exc.status_code == 400 and isinstance(exc.__cause__, _UNPARSEABLE)


def _invalid_body(request: Request, cause: BaseException | None) -> JSONResponse:
    reason = {
        UnicodeDecodeError: "the body is not UTF-8 JSON",
        RecursionError: "the JSON is nested too deeply",
    }.get(type(cause), "the JSON holds a value out of range (e.g. an integer too long)")
    error = FieldError("body", reason, location="body", code="json_invalid")
    return problem_for(request, ValidationFailed([error]))


def _unavailable(request: Request, detail: str) -> JSONResponse:
    return problem_response(
        request,
        status=503,
        slug=ServiceUnavailable.slug,
        title=ServiceUnavailable.title,
        detail=detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", exc, extra={"path": request.url.path})
    return _unavailable(request, "The database is unreachable; nothing was changed. Retry shortly.")


async def _pool_exhausted(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("no database connection free: %s", exc, extra={"path": request.url.path})
    return _unavailable(
        request, "Every database connection is busy; nothing was changed. Retry shortly."
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Any other database error: a lost connection is retryable (503), the rest a bug."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return await _database_unavailable(request, exc)
    return await _unhandled(request, exc)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        request,
        status=500,
        slug=WiccError.slug,
        title=WiccError.title,
        detail="An unexpected error occurred; it has been logged with the correlation id.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WiccError, _wicc_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    # Connection-level failures only: a constraint violation is still a bug (500).
    for unreachable in (OperationalError, InterfaceError, OSError):
        app.add_exception_handler(unreachable, _database_unavailable)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _pool_exhausted)
    app.add_exception_handler(Exception, _unhandled)
