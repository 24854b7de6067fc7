"""deploy/entrypoint.sh, run with stub ``uvicorn`` and ``wicc`` commands that record how
they were called (arguments, and the WICC_* environment they were given)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.manifests import ENTRYPOINT

STUBBED = ("uvicorn", "wicc")


@dataclass
class StubCall:
    argv: list[str]  # the program, then its arguments
    env: dict[str, str]  # the WICC_* variables it was started with


@dataclass
class StubRun:
    returncode: int
    stderr: str
    calls: list[StubCall]

    @property
    def argvs(self) -> list[list[str]]:
        return [call.argv for call in self.calls]


def _stub(name: str) -> str:
    # One record per call: the argv on a tab-separated line, then the WICC_* environment,
    # then a line with a single "." (values never hold one alone on a line here).
    return (
        "#!/bin/sh\n"
        f'printf "%s" "{name}" >> "$STUB_LOG"\n'
        'for arg in "$@"; do printf "\\t%s" "$arg" >> "$STUB_LOG"; done\n'
        'printf "\\n" >> "$STUB_LOG"\n'
        'env | grep "^WICC_" | sort >> "$STUB_LOG"\n'
        'printf ".\\n" >> "$STUB_LOG"\n'
        'if [ -n "${STUB_FAIL:-}" ] && [ "$1" = "$STUB_FAIL" ]; then exit 3; fi\n'
    )


def _parse_log(text: str) -> list[StubCall]:
    calls: list[StubCall] = []
    lines = iter(text.splitlines())
    for line in lines:
        argv, env = line.split("\t"), {}
        for variable in lines:
            if variable == ".":
                break
            name, _, value = variable.partition("=")
            env[name] = value
        calls.append(StubCall(argv, env))
    return calls


def run_entrypoint(tmp_path: Path, args: list[str], env: dict[str, str]) -> StubRun:
    """Run entrypoint.sh as the image does, with ``args`` as the container's arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    for name in STUBBED:
        stub = bin_dir / name
        stub.write_text(_stub(name), encoding="utf-8")
        stub.chmod(0o755)
    full_env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "STUB_LOG": str(log),
        **env,
    }
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    calls = _parse_log(log.read_text(encoding="utf-8")) if log.exists() else []
    return StubRun(result.returncode, result.stderr, calls)


def entrypoint_mapping() -> dict[str, str]:
    """``{service: ASGI module}`` as the entrypoint's ``asgi_app`` maps them."""
    pattern = re.compile(r"^\s*([a-z_]+)\)\s*echo\s+[\"']?([\w.]+):app[\"']?", re.MULTILINE)
    return dict(pattern.findall(ENTRYPOINT.read_text(encoding="utf-8")))


def uvicorn_options(argv: list[str]) -> dict[str, str | None]:
    options: dict[str, str | None] = {}
    index = 0
    while index < len(argv):
        token = argv[index]
        if index + 1 < len(argv) and not argv[index + 1].startswith("--"):
            options[token] = argv[index + 1]
            index += 2
        else:
            options[token] = None
            index += 1
    return options


def started_program(tmp_path: Path, args: list[str], env: dict[str, str]) -> list[str]:
    """What a container with these arguments and environment ends up running: the
    program and its first argument (``uvicorn <module:app>`` or ``wicc <command>``)."""
    run = run_entrypoint(tmp_path, args, env)
    assert run.returncode == 0, run.stderr
    assert len(run.calls) == 1, run.argvs
    return run.calls[0].argv[:2]
