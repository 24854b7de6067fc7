"""Which process each container runs, end to end. The API containers of compose and
Kubernetes start `uvicorn wicc_<service>.main:app` through the image's entrypoint, and
those modules build API-only apps for their own service (request handling and flow's
board hub; no relays, consumers or jobs), so adding API replicas never multiplies
background work. The worker containers start `wicc worker`, whose app serves only
/healthz, /readyz and /metrics at the root."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import httpx
import pytest

from tests.deploy.entrypoint import started_program
from tests.deploy.image import image_cmd
from tests.deploy.manifests import (
    SERVICE_NAMES,
    SERVICES,
    WORKER,
    app_container,
    command_tokens,
    compose_environment,
    compose_services,
    container_env,
    deployment_for,
    k8s_objects,
)
from wicc.app import Settings, create_worker_app
from wicc_shared.process import ProcessApp
from wicc_shared.roles import API_ONLY, Role

WORKER_PROGRAM = ["wicc", "worker"]


def expected_program(name: str) -> list[str]:
    return WORKER_PROGRAM if name == WORKER else ["uvicorn", f"{SERVICES[name]}:app"]


def compose_container(name: str) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment the entrypoint gets in compose: the service's
    command (else the image's CMD), its environment and the WICC_SERVICE baked in."""
    spec = compose_services()[name]
    args = command_tokens(spec.get("command")) or image_cmd()
    env = {"WICC_SERVICE": spec["build"]["args"]["WICC_SERVICE"], **compose_environment(name)}
    return args, env


def k8s_container(name: str) -> tuple[list[str], dict[str, str]]:
    """The same in Kubernetes: `args` replaces the CMD; env over the ConfigMap."""
    container = app_container(deployment_for(name))
    args = command_tokens(container.get("args")) or image_cmd()
    (configmap,) = k8s_objects("ConfigMap")
    env = {**configmap["data"], **{k: str(v) for k, v in container_env(container).items()}}
    return args, env


@pytest.mark.parametrize("name", [*SERVICE_NAMES, WORKER])
def test_compose_container_starts_its_process(tmp_path: Path, name: str) -> None:
    args, env = compose_container(name)
    assert started_program(tmp_path, args, env) == expected_program(name)


@pytest.mark.parametrize("name", [*SERVICE_NAMES, WORKER])
def test_k8s_container_starts_its_process(tmp_path: Path, name: str) -> None:
    args, env = k8s_container(name)
    assert started_program(tmp_path, args, env) == expected_program(name)


def process_app_call(module: str) -> ast.Call:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "create_process_app"
    ]
    assert len(calls) == 1, f"{module} must build its app with one create_process_app call"
    return calls[0]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_api_module_builds_an_api_only_app(service: str) -> None:
    """The roles are passed explicitly as API_ONLY: left out, they would default to
    both roles, and every API replica would run the relays, consumers and jobs."""
    call = process_app_call(SERVICES[service])
    roles = [keyword.value for keyword in call.keywords if keyword.arg == "roles"]
    roles += call.args[2:3]
    assert len(roles) == 1, "the roles are not given"
    assert isinstance(roles[0], ast.Name), ast.dump(roles[0])
    assert roles[0].id == "API_ONLY"
    assert frozenset({Role.api}) == API_ONLY


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_api_module_serves_its_own_service_only(service: str) -> None:
    app = importlib.import_module(SERVICES[service]).app
    assert isinstance(app, ProcessApp)
    assert [prefix for prefix, _ in app.services] == [f"/{service}"]


async def test_worker_app_serves_operations_only_at_the_root() -> None:
    """What the probes and Prometheus reach: /healthz and /metrics at the root, and no
    API path. (/readyz needs the connections the lifespan opens, so it is left out.)"""
    settings = Settings(database_url="postgresql://u:p@db.invalid/x", redis_url="redis://r.invalid")
    app = create_worker_app(settings)
    assert [prefix for prefix, _ in app.services] == [""]
    transport = httpx.ASGITransport(app=app)  # no lifespan: nothing connects
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/metrics")).status_code == 200
        for service in SERVICE_NAMES:  # no API: not even the services' own health
            assert (await client.get(f"/{service}/healthz")).status_code == 404
