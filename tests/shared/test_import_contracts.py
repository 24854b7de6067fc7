"""The import boundaries of AGENTS.md are checked by import-linter in `make test`; here,
that the contracts hold for the code, and that they do fail when a boundary is crossed
(a contract that matched no module would pass without checking anything)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# A miniature of the project in which each contract is broken once.
BROKEN: dict[str, str] = {
    "wicc/__init__.py": "",
    "wicc_shared/__init__.py": "",
    "wicc_shared/spine.py": "import wicc_capacity.beds.service\n",
    "wicc_capacity/__init__.py": "",
    "wicc_capacity/beds/__init__.py": "",
    "wicc_capacity/beds/router.py": "import sqlalchemy\n",
    "wicc_capacity/beds/service.py": "import wicc_flow.board\n",
    "wicc_flow/__init__.py": "",
    "wicc_flow/board.py": "",
    "wicc_escalation/__init__.py": "",
}


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_code_keeps_every_contract() -> None:
    result = _lint(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_each_contract_fails_when_its_boundary_is_crossed(tmp_path: Path) -> None:
    for name, source in BROKEN.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 3 broken" in result.stdout
    assert "wicc_capacity.beds.router -> sqlalchemy" in result.stdout
