"""Interactive API docs (Swagger UI and ReDoc) served from WICC itself, never a CDN.

FastAPI's default docs pages load their JavaScript and CSS from a public CDN, so on a
network without internet (a control room) they render blank. The assets come from
the `fastapi-offline` wheel (MIT), which ships Swagger UI's and ReDoc's distribution
files as package data: they install with the locked dependencies, into the
production image too, and are upgraded like any other dependency.

Only the asset files of that package are used, not its app factory: the service app
is built by `wicc_shared.service.build_service_app`, which keeps its own settings.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from wicc_shared.errors import NotFound

# The package's asset folder (package data, not a public API: the test of the docs
# page fails loudly if a release moves it).
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS_PATH = "/docs-assets"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
_ASSETS = {path.name: path for path in ASSETS_DIR.iterdir() if path.suffix in _MEDIA_TYPES}
# Swagger UI would otherwise send the schema to a public validator and show its badge.
_SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None}
# Nothing leaves WICC's origin, whatever a release of the assets links to (ReDoc shows
# its maker's logo from a CDN). Both pages start from an inline script, and ReDoc
# styles inline and searches in a worker made from a blob.
_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def install_offline_docs(app: FastAPI, prefix: str) -> None:
    """Serve `<prefix>/docs` (Swagger UI), `<prefix>/redoc` and their assets.

    `prefix` is where the service's app is mounted (e.g. `/flow`): the pages are
    answered under the app's own paths (`/docs`) and link to `<prefix>/...`. The app
    must be created with `docs_url=None, redoc_url=None`, so FastAPI's CDN pages are
    not registered as well.
    """
    openapi_url = f"{prefix}{app.openapi_url}"
    assets = f"{prefix}{ASSETS_PATH}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _same_origin_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - API docs",
                swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                swagger_css_url=f"{assets}/swagger-ui.css",
                swagger_favicon_url=f"{assets}/favicon.png",
                swagger_ui_parameters=_SWAGGER_PARAMETERS,
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _same_origin_only(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} - API reference",
                redoc_js_url=f"{assets}/redoc.standalone.js",
                redoc_favicon_url=f"{assets}/favicon.png",
                with_google_fonts=False,
            )
        )

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        # Only the files listed at start-up: a name is a key, never a path to resolve.
        path = _ASSETS.get(name)
        if path is None:
            raise NotFound(f"No docs asset {name!r}.")
        return FileResponse(
            path,
            media_type=_MEDIA_TYPES[path.suffix],
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _same_origin_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _CSP
    return page
