"""docs/clinical-safety.md names a test for every control: each must exist, so the page
cannot point at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "clinical-safety.md"
# `tests/x.py::test_name`, `::test_other` (same file as the reference before it), or a
# whole test file `tests/x.py`.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def references() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    current = None
    for match in REFERENCE.finditer(PAGE.read_text()):
        path, name = match.groups()
        if path is None and name is None:
            continue
        current = path or current
        assert current is not None, f"::{name} has no file before it"
        found.append((current, name))
    return found


def defined_tests(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_test_the_page_names_exists() -> None:
    found = references()
    assert len(found) >= 10  # the page's rows: a regex that finds none would pass
    missing = [
        f"{path}::{name}" if name else path
        for path, name in found
        if not (ROOT / path).exists() or (name is not None and name not in defined_tests(path))
    ]
    assert missing == []
