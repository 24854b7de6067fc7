"""Rendering stored summaries: matplotlib configured from the settings before it is
first imported (read-only containers), and each version rendered once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.builders.summaries import wiltshire_document
from wicc_flow.summaries import rendering
from wicc_flow.summaries.negotiation import HTML, JSON, MARKDOWN

PROBE = """
import sys
import wicc.app  # everything a process imports before its lifespan starts
from wicc_flow.settings import FlowSettings
from wicc_flow.summaries import rendering
assert "matplotlib" not in sys.modules, "imported before its settings were applied"
rendering.configure(FlowSettings().matplotlib_config_dir)
rendering.warm_up()
import matplotlib
print(matplotlib.get_configdir())
"""


def test_matplotlib_uses_the_configured_directory(tmp_path: Path) -> None:
    wanted = tmp_path / "mpl"  # created by configure
    env = {**os.environ, "WICC_MATPLOTLIB_CONFIG_DIR": str(wanted), "HOME": "/nonexistent"}
    env.pop("MPLCONFIGDIR", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(wanted)
    assert wanted.is_dir()


async def test_a_version_is_rendered_once_and_json_is_the_document() -> None:
    doc = wiltshire_document()
    first = await rendering.render(doc, HTML)
    assert await rendering.render(doc, HTML) is first  # kept, not drawn again
    assert (await rendering.render(doc, MARKDOWN)).startswith("# Daily system call")
    assert await rendering.render(doc, JSON) == doc.model_dump_json()
    other = wiltshire_document(version=2)
    assert await rendering.render(other, HTML) != first
