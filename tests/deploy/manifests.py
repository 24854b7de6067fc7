"""The deployment files, loaded for the tests: paths, what the processes are, and
accessors for docker-compose.yml and the Kubernetes manifests in deploy/k8s.

Nothing here needs Docker, a cluster or the application's test fixtures.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S_DIR = DEPLOY / "k8s"
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
NGINX_CONF = DEPLOY / "gateway" / "nginx.conf"

# Service name == WICC_SERVICE value == URL prefix, mapped to the ASGI module it runs.
SERVICES: dict[str, str] = {
    "capacity": "wicc_capacity.main",
    "flow": "wicc_flow.main",
    "escalation": "wicc_escalation.main",
}
SERVICE_NAMES = sorted(SERVICES)
# The WICC_SERVICE value, compose service and k8s component of the background process.
WORKER = "worker"
WEBSOCKET_PATH = "/flow/v1/board/ws"
CONTAINER_PORT = 8000
IMAGE = "ghcr.io/wicc/wicc:0.1.0"
APP_ENV_VARS = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "WICC_ENV",
        "WICC_ADMIN_TOKEN",
        "WICC_SYSTEM_FILE",
        "WICC_LOG_FORMAT",
        "WICC_LOG_LEVEL",
    }
)
# What the worker may set differently from the API services: its port and its (smaller)
# connection pool. Anything else must be shared, above all the database, Redis and the
# event stream, or the worker would publish from another outbox or listen for kicks on
# another channel.
WORKER_OWN_ENV = frozenset({"WICC_WORKER_PORT", "WICC_DB_POOL_SIZE", "WICC_DB_MAX_OVERFLOW"})
# Recent Kubernetes releases that kubernetes-validate ships schemas for.
K8S_VERSIONS = ("1.30", "1.34")
# Present in deploy/k8s but deliberately not applied by `kubectl apply -k`.
NOT_IN_KUSTOMIZATION = frozenset({"secret.example.yaml", "migrate-job.yaml"})
# Long enough for the live board WebSocket (seconds).
MIN_WEBSOCKET_TIMEOUT = 3600

Doc = dict[str, Any]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def command_tokens(command: str | list[str] | None) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(token) for token in command]


def workspace_members() -> list[str]:
    """The workspace's package directories (pyproject.toml), the root package aside."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    members: list[str] = pyproject["tool"]["uv"]["workspace"]["members"]
    return members


# ---------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------


def load_compose() -> Doc:
    data = load_yaml(COMPOSE_FILE)
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def compose_services() -> dict[str, Doc]:
    services = load_compose().get("services")
    assert isinstance(services, dict), "docker-compose.yml has no services mapping"
    assert services, "docker-compose.yml defines no services"
    return services


def depends_on_names(service: Doc) -> dict[str, str | None]:
    """Return ``{dependency: condition}`` for the short (list) and long (mapping) syntax."""
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps)
    assert isinstance(deps, dict)
    return {name: (spec or {}).get("condition") for name, spec in deps.items()}


def interpolate(value: str, environment: dict[str, str]) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}`` and ``${VAR-default}`` substitution."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, default = match[1], match[2], match[3] or ""
        if operator == ":-":
            return environment.get(name) or default
        if operator == "-":
            return environment.get(name, default)
        return environment.get(name, "")

    return re.sub(r"\$\{(\w+)(?:(:?-)([^}]*))?\}", substitute, value)


def compose_environment(service: str, environment: dict[str, str] | None = None) -> dict[str, str]:
    """The service's environment as the container sees it, for this operator environment."""
    env = compose_services()[service]["environment"]
    assert isinstance(env, dict), f"{service}: environment must use the mapping form"
    return {key: interpolate(str(value), environment or {}) for key, value in env.items()}


# ---------------------------------------------------------------------------------------
# deploy/k8s
# ---------------------------------------------------------------------------------------


def k8s_files() -> list[Path]:
    return sorted(K8S_DIR.glob("*.yaml")) + sorted(K8S_DIR.glob("*.yml"))


def k8s_documents() -> list[tuple[str, Doc]]:
    """Every Kubernetes object in deploy/k8s as ``(file name, object)``."""
    docs: list[tuple[str, Doc]] = []
    for path in k8s_files():
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is None:
                continue
            assert isinstance(doc, dict), f"{path.name}: every document must be a mapping"
            docs.append((path.name, doc))
    return docs


def k8s_objects(kind: str) -> list[Doc]:
    return [doc for _, doc in k8s_documents() if doc.get("kind") == kind]


def container_env(container: Doc) -> dict[str, Any]:
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def deployment_for(service: str) -> Doc:
    """The single Deployment whose container runs ``WICC_SERVICE=service``."""
    found = [
        deployment
        for deployment in k8s_objects("Deployment")
        if any(
            container_env(container).get("WICC_SERVICE") == service
            for container in deployment["spec"]["template"]["spec"]["containers"]
        )
    ]
    assert len(found) == 1, f"expected exactly one Deployment with WICC_SERVICE={service}"
    return found[0]


def app_container(deployment: Doc) -> Doc:
    containers: list[Doc] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per pod expected"
    return containers[0]


def pod_labels(deployment: Doc) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def resolve_container_port(container: Doc, port: int | str) -> int:
    if isinstance(port, int):
        return port
    for declared in container.get("ports", []):
        if declared.get("name") == port:
            container_port: int = declared["containerPort"]
            return container_port
    raise AssertionError(f"container {container['name']} declares no port named {port!r}")
