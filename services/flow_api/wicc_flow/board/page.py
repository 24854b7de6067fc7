"""The live board page: one HTML page and its static files, served by the flow service.

No build step and no CDN: the page is plain HTML, CSS and JavaScript modules from
`static/`, shipped inside the wheel. It holds no data itself. The browser signs in
with an API key and reads everything from the board's WebSocket and the public API.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from wicc_shared.errors import NotFound
from wicc_shared.rules.staleness import BED_STALE_AFTER

router = APIRouter(tags=["board page"])

STATIC_DIR = Path(__file__).parent / "static"
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# Served by name from this list only: a request never names a path on disk.
_FILES = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in _MEDIA_TYPES}
_PAGE = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

# Everything comes from this origin: no CDN can be used by mistake, and a page
# injected with someone else's script would not run it. `connect-src 'self'` also
# covers the same-origin WebSocket.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@router.get("/board", response_class=HTMLResponse, include_in_schema=False)
async def board_page(request: Request) -> HTMLResponse:
    # The page's links are absolute, from the process's root (behind a gateway that
    # strips nothing, as every mode runs, that is ""), so it works under any prefix.
    root = request.scope.get("app_root_path", "")
    html = _PAGE.replace("{{root}}", escape(root)).replace(
        "{{bed_stale_after_seconds}}", str(int(BED_STALE_AFTER.total_seconds()))
    )
    return HTMLResponse(html, headers=_HEADERS)


@router.get("/board/static/{name}", include_in_schema=False)
async def board_static(name: str) -> FileResponse:
    path = _FILES.get(name)
    if path is None:
        raise NotFound(f"No board file {name!r}.")
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers=_HEADERS)
