"""The HTML summary renders in headless Chromium (Debian's `chromium`) to a PDF and
a PNG, with its four charts drawn.

To find the charts in the picture, the page is also shot with the charts made
invisible (`visibility: hidden` keeps the layout): the rows where the two pictures
differ are where the charts were drawn, and there must be four such bands.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.builders.summaries import wiltshire_document
from wicc_flow.summaries.render_html import render_html

CHROMIUM = Path("/usr/bin/chromium")
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch
TALL_PX = 9000  # taller than the whole page, so one shot holds it all
HIDE_CHARTS = "<style>figure.chart .plot { visibility: hidden; }</style></head>"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed (/usr/bin/chromium, Debian package chromium)",
    ),
]


def chromium(work: Path, page: Path, *args: str) -> None:
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"  # fresh for each run
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-pdf-header-footer",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


def write(work: Path, name: str, html: str) -> Path:
    page = work / name
    page.write_text(html, encoding="utf-8")
    return page


def test_the_page_prints_to_pdf_with_its_charts(tmp_path: Path) -> None:
    doc = wiltshire_document(care_stale=True)
    with_charts = write(tmp_path, "summary.html", render_html(doc))
    without = write(tmp_path, "bare.html", render_html(doc, charts={}))
    chromium(tmp_path, with_charts, f"--print-to-pdf={tmp_path / 'summary.pdf'}")
    chromium(tmp_path, without, f"--print-to-pdf={tmp_path / 'bare.pdf'}")
    pdf = (tmp_path / "summary.pdf").read_bytes()
    bare = (tmp_path / "bare.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 2, pages  # the demo day runs over more than one A4 page
    # The charts are vector drawings: they add tens of kilobytes to the PDF.
    assert len(pdf) > len(bare) + 20_000, (len(pdf), len(bare))


def bands(rows: list[int], gap: int = 25) -> list[tuple[int, int]]:
    """Runs of rows, split where more than `gap` rows pass without a difference."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and row - found[-1][1] <= gap:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


def test_the_page_shoots_to_png_with_four_charts_drawn(tmp_path: Path) -> None:
    html = render_html(wiltshire_document(care_stale=True))
    shown = write(tmp_path, "summary.html", html)
    hidden = write(tmp_path, "hidden.html", html.replace("</head>", HIDE_CHARTS, 1))
    size = f"--window-size={A4_WIDTH_PX},{TALL_PX}"
    chromium(tmp_path, shown, size, f"--screenshot={tmp_path / 'summary.png'}")
    chromium(tmp_path, hidden, size, f"--screenshot={tmp_path / 'hidden.png'}")
    with Image.open(tmp_path / "summary.png") as a, Image.open(tmp_path / "hidden.png") as b:
        page, blank = a.convert("L"), b.convert("L")
    assert page.size == (A4_WIDTH_PX, TALL_PX)
    diff = ImageChops.difference(page, blank).tobytes()
    ink = page.tobytes()  # one byte per pixel, row by row: 0 black .. 255 white
    width, height = page.size

    def row(data: bytes, y: int) -> bytes:
        return data[y * width : (y + 1) * width]

    changed = [y for y in range(height) if max(row(diff, y)) > 40]
    charts = bands(changed)
    assert len(charts) == 4, charts
    for top, bottom in charts:
        assert bottom - top > 120, (top, bottom)  # a chart, not a stray line
        dark = sum(1 for y in range(top, bottom) for v in row(ink, y) if v < 128)
        assert dark > 2000, (top, bottom, dark)  # bars, lines and labels were drawn
