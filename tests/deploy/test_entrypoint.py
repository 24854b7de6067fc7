"""deploy/entrypoint.sh, executed with stub ``uvicorn`` and ``wicc`` commands: the module
each API service runs and uvicorn's flags, the worker mode, unknown services refused,
and `migrate` running the migrations before the reference data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.deploy.entrypoint import entrypoint_mapping, run_entrypoint, uvicorn_options
from tests.deploy.manifests import CONTAINER_PORT, SERVICE_NAMES, SERVICES, WORKER
from wicc_flow.board.frame_sink import PROTOCOL_PATH, UVICORN_WEBSOCKET_OPTIONS

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - a container listens on all its interfaces


def test_entrypoint_maps_each_service_to_its_module() -> None:
    assert entrypoint_mapping() == SERVICES


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_entrypoint_modules_exist(service: str) -> None:
    module = entrypoint_mapping()[service]
    package, _, submodule = module.partition(".")
    spec = importlib.util.find_spec(package)
    assert spec is not None, f"package {package} not found"
    assert spec.submodule_search_locations, f"{package} is not a package"
    locations = [Path(location) for location in spec.submodule_search_locations]
    assert any((location / f"{submodule}.py").is_file() for location in locations), (
        f"{module} does not exist"
    )


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_entrypoint_serves_the_configured_service(tmp_path: Path, service: str) -> None:
    run = run_entrypoint(tmp_path, [], {"WICC_SERVICE": service})
    assert run.returncode == 0, run.stderr
    assert len(run.calls) == 1
    program, app, *rest = run.calls[0].argv
    assert program == "uvicorn"
    assert app == f"{SERVICES[service]}:app"
    options = uvicorn_options(rest)
    assert options.get("--host") == ALL_INTERFACES
    assert options.get("--port") == str(CONTAINER_PORT)
    assert "--proxy-headers" in options
    assert "--no-server-header" in options
    # Served as `wicc run` serves: the board's frames go straight to each socket.
    assert options.get("--ws") == UVICORN_WEBSOCKET_OPTIONS["ws"] == PROTOCOL_PATH
    assert options.get("--ws-per-message-deflate") == "false"
    # Clients' messages capped as `wicc run` caps them (the board ignores them).
    assert options.get("--ws-max-size") == str(UVICORN_WEBSOCKET_OPTIONS["ws_max_size"])


def test_entrypoint_service_argument_overrides_environment(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["escalation"], {"WICC_SERVICE": "capacity"})
    assert run.returncode == 0, run.stderr
    assert run.argvs[0][:2] == ["uvicorn", "wicc_escalation.main:app"]


@pytest.mark.parametrize("service", ["", "bogus", "wicc_flow"])
def test_entrypoint_rejects_unknown_service(tmp_path: Path, service: str) -> None:
    run = run_entrypoint(tmp_path, ["serve"], {"WICC_SERVICE": service})
    assert run.returncode != 0
    assert run.calls == []
    assert "WICC_SERVICE" in run.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param([WORKER], {}, id="worker-argument"),
        pytest.param([], {"WICC_SERVICE": WORKER}, id="serve-with-WICC_SERVICE-worker"),
        pytest.param([WORKER], {"WICC_SERVICE": "flow"}, id="argument-overrides-environment"),
    ],
)
def test_entrypoint_runs_the_worker(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    run = run_entrypoint(tmp_path, args, env)
    assert run.returncode == 0, run.stderr
    assert run.argvs == [["wicc", "worker"]]
    (call,) = run.calls
    # WICC_SERVICE tells the image's HEALTHCHECK to probe the worker's port.
    assert call.env.get("WICC_SERVICE") == WORKER
    # The settings default to loopback; the kubelet's probes come from outside the pod.
    assert call.env.get("WICC_HOST") == ALL_INTERFACES


def test_entrypoint_worker_keeps_an_explicit_host(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, [WORKER], {"WICC_HOST": "::"})
    assert run.returncode == 0, run.stderr
    assert run.calls[0].env.get("WICC_HOST") == "::"


def test_entrypoint_worker_passes_its_exit_status(tmp_path: Path) -> None:
    """The worker is exec'd: its failure is the container's, which the orchestrator
    restarts."""
    run = run_entrypoint(tmp_path, [WORKER], {"STUB_FAIL": "worker"})
    assert run.returncode == 3
    assert run.argvs == [["wicc", "worker"]]


def test_entrypoint_migrate_then_loads_reference(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["migrate"], {})
    assert run.returncode == 0, run.stderr
    assert run.argvs == [["wicc", "migrate"], ["wicc", "load-reference"]]


def test_entrypoint_migrate_failure_stops_before_reference_load(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["migrate"], {"STUB_FAIL": "migrate"})
    assert run.returncode != 0
    assert run.argvs == [["wicc", "migrate"]]
