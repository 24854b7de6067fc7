"""Run by test_dockerfile.py in a fresh interpreter, as the image's processes start:
`wicc worker` builds the worker's app and its database engine; each API container has
uvicorn load `wicc_<service>.main:app` with the entrypoint's WebSocket protocol.

Only the distributions named in argv[1] (a JSON list: what the image's `uv sync`
installs) can be imported; any other raises ModuleNotFoundError, as in the image, so
an optional import degrades as it would there and a required one fails. Prints, as
JSON, the workspace source files that were imported, for the test to check that the
Dockerfile copies them. Nothing connects to a server.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

FAKE_DATABASE = "postgresql+asyncpg://probe:probe@db.invalid:5432/probe"
FAKE_REDIS = "redis://redis.invalid:6379/0"


class NotInTheImage(importlib.abc.MetaPathFinder):
    def __init__(self, blocked: frozenset[str]) -> None:
        self.blocked = blocked

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {fullname!r} in the image", name=fullname)
        return None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def block_all_but(installed: set[str]) -> None:
    owners = importlib.metadata.packages_distributions()
    blocked = frozenset(
        top
        for top, distributions in owners.items()
        if not {_normalise(name) for name in distributions} & installed
    )
    sys.meta_path.insert(0, NotInTheImage(blocked))


def start_like_the_containers() -> None:
    import uvicorn

    from wicc.app import Settings, create_worker_app
    from wicc.cli import main  # noqa: F401 - the `wicc` console script
    from wicc_flow.board.frame_sink import PROTOCOL_PATH
    from wicc_shared.db import create_engine

    settings = Settings(database_url=FAKE_DATABASE, redis_url=FAKE_REDIS)
    # The worker's lifespan creates its engine: that imports the database driver.
    create_engine(settings.async_database_url, "probe")
    uvicorn.Config(create_worker_app(settings), lifespan="on").load()
    for module in ("wicc_capacity.main", "wicc_flow.main", "wicc_escalation.main"):
        uvicorn.Config(
            f"{module}:app", ws=PROTOCOL_PATH, ws_per_message_deflate=False, proxy_headers=True
        ).load()


def workspace_files(repo: Path) -> list[str]:
    """Imported files of the checkout, other than this probe and the files of the
    checkout's virtual environment."""
    environment = Path(sys.prefix).resolve()
    files = set()
    for module in list(sys.modules.values()):
        if module is sys.modules["__main__"]:  # also listed as __mp_main__ by then
            continue
        file = getattr(module, "__file__", None)
        path = Path(file).resolve() if file else None
        if path and path.is_relative_to(repo) and not path.is_relative_to(environment):
            files.add(path.relative_to(repo).as_posix())
    return sorted(files)


if __name__ == "__main__":
    installed, repo = set(json.loads(sys.argv[1])), Path(sys.argv[2]).resolve()
    block_all_but(installed)
    start_like_the_containers()
    print(json.dumps(workspace_files(repo)))
