"""The formats a stored summary is read in, rendered off the event loop and once per
version.

The renderers pull in matplotlib and Jinja2, which take about 1.3 s to import, so a
process imports them once when the flow service starts (`warm_up`), never per
request. matplotlib reads `MPLCONFIGDIR` when it is first imported (its font cache
and settings go there): `configure` sets it from the settings first, for containers
whose home directory is read-only.

A version's document never changes, so its rendering is kept (a few, by content).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from wicc_flow.summaries.document import SummaryDocument
from wicc_flow.summaries.negotiation import HTML, JSON, MARKDOWN

KEEP = 32
_RENDERERS = ("wicc_flow.summaries.render_html", "wicc_flow.summaries.render_markdown")
_kept: OrderedDict[tuple[str, str], str] = OrderedDict()
_lock = threading.Lock()


def configure(config_dir: Path | None) -> None:
    """Point matplotlib at `config_dir` (created if missing) before it is imported."""
    if config_dir is not None:
        config_dir.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(config_dir)


def warm_up() -> None:
    for name in _RENDERERS:
        importlib.import_module(name)


async def render(document: SummaryDocument, media_type: str) -> str:
    text = document.model_dump_json()
    if media_type == JSON:
        return text
    key = (hashlib.sha256(text.encode()).hexdigest(), media_type)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    rendered = await asyncio.to_thread(_render, document, media_type)
    with _lock:
        _kept[key] = rendered
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return rendered


def _render(document: SummaryDocument, media_type: str) -> str:
    if media_type == MARKDOWN:
        from wicc_flow.summaries.render_markdown import render_markdown

        return render_markdown(document)
    if media_type == HTML:
        from wicc_flow.summaries.render_html import render_html

        return render_html(document)
    raise ValueError(f"no renderer for {media_type}")
