"""deploy/Dockerfile, parsed: python:3.11-slim stages, locked `uv sync` without the dev
and embedded groups, every workspace package installed (the worker runs all three
services' background work), a non-root runtime, WICC_SERVICE validated, a HEALTHCHECK
that probes what WICC_SERVICE selects, and COPY sources that exist. One test starts the
worker's and the API services' apps with only the image's distributions importable."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.image import (
    command_list,
    copy_sources,
    dockerfile_instructions,
    expand_args,
    final_stage,
    global_arg_defaults,
    image_cmd,
    installed_by_the_image,
    normalise,
    stage_named,
)
from tests.deploy.manifests import CONTAINER_PORT, REPO, SERVICE_NAMES, WORKER, workspace_members
from wicc_shared.settings import WiccSettings

WORKER_PORT = WiccSettings.model_fields["worker_port"].default
PROBE = Path(__file__).with_name("image_probe.py")


def syncs() -> list[str]:
    return [item.arguments for item in dockerfile_instructions() if "uv sync" in item.arguments]


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    instructions = dockerfile_instructions()
    defaults = global_arg_defaults(instructions)
    bases = [
        expand_args(item.arguments.split()[0], defaults)
        for item in instructions
        if item.keyword == "FROM"
    ]
    assert len(bases) >= 2, "expected a builder and a runtime stage"
    assert all(base == "python:3.11-slim" for base in bases), bases


def test_dockerfile_installs_locked_dependencies_with_uv() -> None:
    runs = [item.arguments for item in dockerfile_instructions() if item.keyword == "RUN"]
    assert any(re.search(r"\bpip install\b.*\buv\b", run) for run in runs)
    assert syncs()
    for run in syncs():
        for flag in ("--frozen", "--no-default-groups", "--all-packages"):
            assert flag in run, f"`{run}` lacks {flag}"
    envs = " ".join(item.arguments for item in dockerfile_instructions() if item.keyword == "ENV")
    assert "UV_PROJECT_ENVIRONMENT=/app/.venv" in envs


def covered(path: str, sources: list[str]) -> bool:
    """Whether a COPY of these sources (files or directories) brings ``path`` in."""
    return any(path == source or path.startswith(source + "/") for source in sources)


def test_dockerfile_installs_every_workspace_package() -> None:
    """The worker imports every service. Each `uv sync` finds every workspace member's
    pyproject (uv refuses a workspace with a member missing), the last one installs the
    whole workspace (no --package, nothing left out) after every package's sources are
    copied in, and the runtime stage takes the result."""
    builder = stage_named("builder")
    sync_at = [index for index, item in enumerate(builder) if "uv sync" in item.arguments]
    project_files = ["pyproject.toml", "uv.lock"]
    project_files += [f"{member}/pyproject.toml" for member in workspace_members()]
    for index in sync_at:
        copied = [source.rstrip("/") for source in copy_sources(builder[:index])]
        for path in project_files:
            assert covered(path, copied), f"`{builder[index].arguments}` runs without {path}"
    flags = shlex.split(builder[sync_at[-1]].arguments)
    for narrowing in ("--package", "--no-install-workspace", "--no-install-project", "--only-"):
        assert not any(flag.startswith(narrowing) for flag in flags), narrowing
    copied = [source.rstrip("/") for source in copy_sources(builder[: sync_at[-1]])]
    packages = [REPO / "wicc"]  # the root package: the `wicc` command
    for member in workspace_members():
        member_packages = [path.parent for path in (REPO / member).glob("*/__init__.py")]
        assert member_packages, f"workspace member {member} has no package"
        packages += member_packages
    for package in packages:
        relative = package.relative_to(REPO).as_posix()
        assert covered(relative, copied), f"the builder installs {relative} without copying it"
    runtime = [shlex.split(item.arguments) for item in final_stage(dockerfile_instructions())]
    assert ["--from=builder", "/app", "/app"] in runtime


def test_the_image_has_what_the_worker_and_the_services_import(tmp_path: Path) -> None:
    """Build the worker's app and load each API app as the containers do, in a fresh
    interpreter where only the distributions the image installs can be imported (dev
    tools and the embedded servers are not in it), and check that every workspace file
    they import is in a directory the Dockerfile copies."""
    installed = sorted(installed_by_the_image())
    assert normalise("pytest") not in installed, "the dependency groups are not installed"
    # The settings come from the environment: keep this shell's WICC settings out.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("WICC_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-I", str(PROBE), json.dumps(installed), str(REPO)],
        cwd=tmp_path,  # away from any .env of a developer's checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    imported: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    # The probe did load the workspace (from the checkout, as the image's editable install).
    assert any(path.startswith("services/escalation/") for path in imported), imported
    copied = [source.rstrip("/") for source in copy_sources(stage_named("builder"))]
    for path in imported:
        assert any(path.startswith(source + "/") for source in copied), path


def test_dockerfile_runtime_is_parameterised_and_non_root() -> None:
    stage = final_stage(dockerfile_instructions())
    args = [item.arguments.split("=")[0].strip() for item in stage if item.keyword == "ARG"]
    assert "WICC_SERVICE" in args
    envs = " ".join(item.arguments for item in stage if item.keyword == "ENV")
    assert re.search(r"\bWICC_SERVICE=\$\{?WICC_SERVICE\}?", envs)
    users = [item.arguments for item in stage if item.keyword == "USER"]
    assert users, "runtime stage must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    exposed = " ".join(item.arguments for item in stage if item.keyword == "EXPOSE").split()
    assert str(CONTAINER_PORT) in exposed
    assert str(WORKER_PORT) in exposed


def wicc_service_check() -> str:
    (run,) = [
        item.arguments
        for item in final_stage(dockerfile_instructions())
        if item.keyword == "RUN" and "WICC_SERVICE" in item.arguments
    ]
    return run


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("", True), *((name, True) for name in [*SERVICE_NAMES, WORKER]), ("bogus", False)],
)
def test_dockerfile_checks_the_wicc_service_build_arg(value: str, accepted: bool) -> None:
    result = subprocess.run(
        ["sh", "-c", wicc_service_check()],
        env={"WICC_SERVICE": value, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert (result.returncode == 0) is accepted, result.stderr


def test_dockerfile_copy_sources_exist() -> None:
    for item in dockerfile_instructions():
        if item.keyword not in {"COPY", "ADD"}:
            continue
        parts = [part for part in shlex.split(item.arguments) if not part.startswith("--")]
        if any(part.startswith("--from") for part in shlex.split(item.arguments)):
            continue
        for source in parts[:-1]:
            assert (REPO / source).exists(), f"{item.keyword} source {source} does not exist"


def healthcheck_code() -> str:
    healthchecks = [
        item.arguments for item in dockerfile_instructions() if item.keyword == "HEALTHCHECK"
    ]
    assert len(healthchecks) == 1
    _, _, command = healthchecks[0].partition("CMD ")
    argv = command_list(command)
    assert argv[:2] == ["python", "-c"], "HEALTHCHECK must run python in exec form"
    compile(argv[2], "HEALTHCHECK", "exec")
    return argv[2]


@pytest.fixture
def recorder() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that answers 200 and records the paths asked for."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # not every request on stderr
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], paths
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("service", [*SERVICE_NAMES, WORKER])
def test_dockerfile_healthcheck_probes_what_wicc_service_selects(
    service: str, recorder: tuple[int, list[str]]
) -> None:
    """An API service on PORT at /<prefix>/healthz, the worker on WICC_WORKER_PORT at
    /healthz. The other port points nowhere, so probing the wrong one fails."""
    port, paths = recorder
    ports = {"PORT": "9", "WICC_WORKER_PORT": "9"}
    ports["WICC_WORKER_PORT" if service == WORKER else "PORT"] = str(port)
    result = subprocess.run(
        [sys.executable, "-I", "-c", healthcheck_code()],
        env={"WICC_SERVICE": service, **ports},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert paths == ["/healthz" if service == WORKER else f"/{service}/healthz"]


def test_dockerfile_healthcheck_defaults_to_the_processes_ports() -> None:
    code = healthcheck_code()
    assert re.search(rf"""['"]PORT['"],\s*['"]{CONTAINER_PORT}['"]""", code), code
    assert re.search(rf"""['"]WICC_WORKER_PORT['"],\s*['"]{WORKER_PORT}['"]""", code), code


def test_dockerfile_entrypoint_is_the_shipped_script() -> None:
    stage = final_stage(dockerfile_instructions())
    entrypoints = [item.arguments for item in stage if item.keyword == "ENTRYPOINT"]
    assert entrypoints, "runtime stage has no ENTRYPOINT"
    target = command_list(entrypoints[-1])[0]
    copies = [shlex.split(item.arguments) for item in stage if item.keyword == "COPY"]
    assert any("deploy/entrypoint.sh" in parts and parts[-1] == target for parts in copies), (
        f"{target} is not a copy of deploy/entrypoint.sh"
    )
    assert image_cmd() == ["serve"]
