"""Static checks of the deployment configuration.

Covers docker-compose.yml (structure and the Compose Specification JSON schema),
deploy/Dockerfile and deploy/entrypoint.sh (the entrypoint is executed with stub
``uvicorn``/``wicc`` commands), the nginx gateway configuration, and the Kubernetes
manifests in deploy/k8s (validated against the Kubernetes OpenAPI schemas shipped by
kubernetes-validate, then cross-checked: probes, selectors, autoscalers, ingress).

Nothing here needs Docker, a cluster or the application's test fixtures.
"""

from __future__ import annotations

import copy
import importlib.resources
import importlib.util
import json
import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate
import pytest
import yaml

from wicc_flow.board.frame_sink import PROTOCOL_PATH, UVICORN_WEBSOCKET_OPTIONS

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
# Recent Kubernetes releases that kubernetes-validate ships schemas for.
K8S_VERSIONS = ("1.30", "1.34")
# Present in deploy/k8s but deliberately not applied by `kubectl apply -k`.
NOT_IN_KUSTOMIZATION = frozenset({"secret.example.yaml", "migrate-job.yaml"})
# Long enough for the live board WebSocket (seconds).
MIN_WEBSOCKET_TIMEOUT = 3600

Doc = dict[str, Any]


# ---------------------------------------------------------------------------------------
# loading helpers
# ---------------------------------------------------------------------------------------


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


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


def command_tokens(command: str | list[str] | None) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(token) for token in command]


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


# ---------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------


def compose_spec_schema() -> Doc:
    # The official Compose Specification schema (compose-spec project), as vendored by
    # check-jsonschema.
    resource = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "compose-spec.json"
    )
    schema: Doc = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def compose_schema_errors(document: Doc) -> list[str]:
    schema = compose_spec_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return sorted(
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    )


def test_compose_file_matches_compose_specification() -> None:
    errors = compose_schema_errors(load_compose())
    assert not errors, "docker-compose.yml violates the Compose Specification:\n" + "\n".join(
        errors
    )


def test_compose_schema_rejects_a_misspelt_key() -> None:
    """The schema check is not vacuous: an unknown service key is reported."""
    document = load_compose()
    document["services"]["capacity"]["helthcheck"] = document["services"]["capacity"].pop(
        "healthcheck"
    )
    errors = compose_schema_errors(document)
    assert any("helthcheck" in error for error in errors), errors


def test_compose_dependencies_exist() -> None:
    services = compose_services()
    for name, service in services.items():
        for dependency, condition in depends_on_names(service).items():
            assert dependency in services, f"{name} depends on undefined service {dependency}"
            assert dependency != name, f"{name} depends on itself"
            assert condition in {
                None,
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            }, f"{name} -> {dependency}: unknown condition {condition}"
            if condition == "service_healthy":
                healthcheck = services[dependency].get("healthcheck", {})
                message = f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
                assert healthcheck.get("test"), message
                assert not healthcheck.get("disable"), message


def test_compose_named_volumes_are_declared() -> None:
    compose = load_compose()
    declared = set((compose.get("volumes") or {}).keys())
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/", "~")):
                assert (REPO / source).resolve().exists(), f"{name}: missing bind source {source}"
            else:
                assert source in declared, f"{name}: named volume {source} is not declared"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_app_service_builds_its_service(service: str) -> None:
    spec = compose_services()[service]
    build = spec["build"]
    assert (REPO / build["context"]).resolve() == REPO
    dockerfile = REPO / build["context"] / build["dockerfile"]
    assert dockerfile.resolve() == DOCKERFILE
    assert build["args"]["WICC_SERVICE"] == service


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_app_service_healthcheck_uses_its_prefix(service: str) -> None:
    healthcheck = compose_services()[service]["healthcheck"]
    tokens = command_tokens(healthcheck["test"])
    assert tokens[:3] == ["CMD", "python", "-c"]
    compile(tokens[3], f"{service} healthcheck", "exec")
    command = " ".join(tokens)
    paths = [urlsplit(url).path for url in re.findall(r"https?://[^\s'\"]+", command)]
    assert paths == [f"/{service}/healthz"], command
    assert f":{CONTAINER_PORT}/" in command


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_app_service_waits_for_migration_and_redis(service: str) -> None:
    deps = depends_on_names(compose_services()[service])
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("redis") == "service_healthy"


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


@pytest.mark.parametrize("service", [*SERVICE_NAMES, "migrate"])
def test_compose_app_environment(service: str) -> None:
    env = compose_services()[service]["environment"]
    assert isinstance(env, dict), "environment must use the mapping form"
    assert set(env) >= APP_ENV_VARS
    database = urlsplit(interpolate(env["DATABASE_URL"], {}))
    assert database.scheme == "postgresql+asyncpg"
    assert database.hostname == "postgres"
    assert database.port == 5432
    redis = urlsplit(interpolate(env["REDIS_URL"], {}))
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert redis.port == 6379
    # defaults are for development; the operator's environment overrides each of them
    assert interpolate(env["WICC_ENV"], {}) == "development"
    assert interpolate(env["WICC_ENV"], {"WICC_ENV": "production"}) == "production"
    assert interpolate(env["WICC_ADMIN_TOKEN"], {"WICC_ADMIN_TOKEN": "t0k3n"}) == "t0k3n"


@pytest.mark.parametrize("service", [*SERVICE_NAMES, "migrate"])
def test_compose_database_credentials_match_postgres(service: str) -> None:
    services = compose_services()
    operator_env = {"POSTGRES_USER": "u1", "POSTGRES_PASSWORD": "p4ss", "POSTGRES_DB": "d1"}
    for environment in ({}, operator_env):
        postgres = {
            key: interpolate(value, environment)
            for key, value in services["postgres"]["environment"].items()
        }
        url = urlsplit(interpolate(services[service]["environment"]["DATABASE_URL"], environment))
        assert url.username == postgres["POSTGRES_USER"]
        assert url.password == postgres["POSTGRES_PASSWORD"]
        assert url.path == f"/{postgres['POSTGRES_DB']}"
    assert url.password == "p4ss", "the database password must come from POSTGRES_PASSWORD"


def test_compose_migrate_is_a_one_shot_migration() -> None:
    migrate = compose_services()["migrate"]
    assert command_tokens(migrate["command"]) == ["migrate"]
    assert (REPO / migrate["build"]["context"] / migrate["build"]["dockerfile"]).resolve() == (
        DOCKERFILE
    )
    assert depends_on_names(migrate).get("postgres") == "service_healthy"
    assert migrate.get("restart", "no") == "no"


def test_compose_postgres() -> None:
    postgres = compose_services()["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(command_tokens(postgres["healthcheck"]["test"]))
    assert any(
        isinstance(volume, str) and volume.endswith(":/var/lib/postgresql/data")
        for volume in postgres["volumes"]
    )
    password = postgres["environment"]["POSTGRES_PASSWORD"]
    assert interpolate(password, {"POSTGRES_PASSWORD": "s3cret"}) == "s3cret"


def test_compose_redis_is_persistent() -> None:
    redis = compose_services()["redis"]
    assert redis["image"] == "redis:7"
    tokens = command_tokens(redis["command"])
    assert tokens[0] == "redis-server"
    options = dict(zip(tokens[1::2], tokens[2::2], strict=True))
    assert options.get("--appendonly") == "yes"
    assert options.get("--appendfsync") == "everysec"
    assert any(isinstance(volume, str) and volume.endswith(":/data") for volume in redis["volumes"])
    assert command_tokens(redis["healthcheck"]["test"])[-2:] == ["redis-cli", "ping"]


def test_compose_gateway() -> None:
    gateway = compose_services()["gateway"]
    assert gateway["image"] == "nginx:1.27-alpine"
    published = {}
    for port in gateway["ports"]:
        if isinstance(port, str):
            host, target = port.rsplit(":", 1)
            published[int(host.rsplit(":", 1)[-1])] = int(target)
        else:
            published[int(port["published"])] = int(port["target"])
    assert published.get(8000) == nginx_listen_port()
    mounts = {
        volume.split(":")[1]: volume.split(":")[0]
        for volume in gateway["volumes"]
        if isinstance(volume, str)
    }
    assert (REPO / mounts["/etc/nginx/nginx.conf"]).resolve() == NGINX_CONF
    assert set(depends_on_names(gateway)) >= set(SERVICE_NAMES)


# ---------------------------------------------------------------------------------------
# deploy/Dockerfile and deploy/entrypoint.sh
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_instructions() -> list[Instruction]:
    instructions: list[Instruction] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        if logical:
            keyword, _, arguments = logical.partition(" ")
            instructions.append(Instruction(keyword.upper(), arguments.strip()))
    assert not pending, "Dockerfile ends with a line continuation"
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [index for index, item in enumerate(instructions) if item.keyword == "FROM"]
    assert starts, "Dockerfile has no FROM"
    return instructions[starts[-1] :]


def global_arg_defaults(instructions: list[Instruction]) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for item in instructions:
        if item.keyword == "FROM":
            break
        if item.keyword == "ARG" and "=" in item.arguments:
            name, _, value = item.arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
    return defaults


def expand_args(text: str, defaults: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda match: defaults.get(match[1], match[0]), text)


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
    syncs = [run for run in runs if "uv sync" in run]
    assert syncs
    for run in syncs:
        for flag in ("--frozen", "--no-default-groups", "--all-packages"):
            assert flag in run, f"`{run}` lacks {flag}"
    envs = " ".join(item.arguments for item in dockerfile_instructions() if item.keyword == "ENV")
    assert "UV_PROJECT_ENVIRONMENT=/app/.venv" in envs


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
    exposed = [item.arguments for item in stage if item.keyword == "EXPOSE"]
    assert str(CONTAINER_PORT) in " ".join(exposed)


def test_dockerfile_copy_sources_exist() -> None:
    for item in dockerfile_instructions():
        if item.keyword not in {"COPY", "ADD"}:
            continue
        parts = [part for part in shlex.split(item.arguments) if not part.startswith("--")]
        if any(part.startswith("--from") for part in shlex.split(item.arguments)):
            continue
        for source in parts[:-1]:
            assert (REPO / source).exists(), f"{item.keyword} source {source} does not exist"


def test_dockerfile_healthcheck_probes_service_healthz() -> None:
    healthchecks = [
        item.arguments for item in dockerfile_instructions() if item.keyword == "HEALTHCHECK"
    ]
    assert len(healthchecks) == 1
    healthcheck = healthchecks[0]
    _, _, command = healthcheck.partition("CMD ")
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"], "HEALTHCHECK must run python in exec form"
    compile(argv[2], "HEALTHCHECK", "exec")
    assert "urllib" in argv[2]
    assert "WICC_SERVICE" in argv[2]
    assert "/healthz" in argv[2]
    assert str(CONTAINER_PORT) in argv[2]


def test_dockerfile_entrypoint_is_the_shipped_script() -> None:
    stage = final_stage(dockerfile_instructions())
    entrypoints = [item.arguments for item in stage if item.keyword == "ENTRYPOINT"]
    assert entrypoints, "runtime stage has no ENTRYPOINT"
    target = json.loads(entrypoints[-1])[0]
    copies = [shlex.split(item.arguments) for item in stage if item.keyword == "COPY"]
    assert any("deploy/entrypoint.sh" in parts and parts[-1] == target for parts in copies), (
        f"{target} is not a copy of deploy/entrypoint.sh"
    )
    cmd = [item.arguments for item in stage if item.keyword == "CMD"]
    assert cmd
    assert json.loads(cmd[-1]) == ["serve"]


def entrypoint_mapping() -> dict[str, str]:
    pattern = re.compile(r"^\s*([a-z_]+)\)\s*echo\s+[\"']?([\w.]+):app[\"']?", re.MULTILINE)
    return dict(pattern.findall(ENTRYPOINT.read_text(encoding="utf-8")))


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


@dataclass
class StubRun:
    returncode: int
    stderr: str
    calls: list[list[str]]


def run_entrypoint(tmp_path: Path, args: list[str], env: dict[str, str]) -> StubRun:
    """Run entrypoint.sh with ``uvicorn`` and ``wicc`` replaced by recording stubs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.jsonl"
    for name in ("uvicorn", "wicc"):
        stub = bin_dir / name
        stub.write_text(
            "#!/bin/sh\n"
            f'printf "%s" "{name}" >> "$STUB_LOG"\n'
            'for arg in "$@"; do printf "\\t%s" "$arg" >> "$STUB_LOG"; done\n'
            'printf "\\n" >> "$STUB_LOG"\n'
            'if [ -n "${STUB_FAIL:-}" ] && [ "$1" = "$STUB_FAIL" ]; then exit 3; fi\n',
            encoding="utf-8",
        )
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
    calls = (
        [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
        if log.exists()
        else []
    )
    return StubRun(result.returncode, result.stderr, calls)


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


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_entrypoint_serves_the_configured_service(tmp_path: Path, service: str) -> None:
    run = run_entrypoint(tmp_path, [], {"WICC_SERVICE": service})
    assert run.returncode == 0, run.stderr
    assert len(run.calls) == 1
    program, app, *rest = run.calls[0]
    assert program == "uvicorn"
    assert app == f"{SERVICES[service]}:app"
    options = uvicorn_options(rest)
    assert options.get("--host") == "0.0.0.0"  # noqa: S104 - the container listens on all
    assert options.get("--port") == str(CONTAINER_PORT)
    assert "--proxy-headers" in options
    assert "--no-server-header" in options
    # Served as `wicc run` serves: the board's frames go straight to each socket.
    assert options.get("--ws") == UVICORN_WEBSOCKET_OPTIONS["ws"] == PROTOCOL_PATH
    assert options.get("--ws-per-message-deflate") == "false"


def test_entrypoint_service_argument_overrides_environment(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["escalation"], {"WICC_SERVICE": "capacity"})
    assert run.returncode == 0, run.stderr
    assert run.calls[0][:2] == ["uvicorn", "wicc_escalation.main:app"]


@pytest.mark.parametrize("service", ["", "bogus", "wicc_flow"])
def test_entrypoint_rejects_unknown_service(tmp_path: Path, service: str) -> None:
    run = run_entrypoint(tmp_path, ["serve"], {"WICC_SERVICE": service})
    assert run.returncode != 0
    assert run.calls == []
    assert "WICC_SERVICE" in run.stderr


def test_entrypoint_migrate_then_loads_reference(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["migrate"], {})
    assert run.returncode == 0, run.stderr
    assert run.calls == [["wicc", "migrate"], ["wicc", "load-reference"]]


def test_entrypoint_migrate_failure_stops_before_reference_load(tmp_path: Path) -> None:
    run = run_entrypoint(tmp_path, ["migrate"], {"STUB_FAIL": "migrate"})
    assert run.returncode != 0
    assert run.calls == [["wicc", "migrate"]]


# ---------------------------------------------------------------------------------------
# deploy/gateway/nginx.conf
# ---------------------------------------------------------------------------------------


@dataclass
class NginxBlock:
    name: str
    args: list[str]
    parent: NginxBlock | None = None
    directives: list[list[str]] = field(default_factory=list)
    children: list[NginxBlock] = field(default_factory=list)

    def own(self, name: str) -> list[list[str]]:
        return [directive[1:] for directive in self.directives if directive[0] == name]

    def effective(self, name: str) -> list[list[str]]:
        """Values in force here: nginx inherits a directive only from the nearest level
        that defines it, and a level that defines it at all replaces the inherited set."""
        block: NginxBlock | None = self
        while block is not None:
            values = block.own(name)
            if values:
                return values
            block = block.parent
        return []

    def walk(self) -> Iterator[NginxBlock]:
        yield self
        for child in self.children:
            yield from child.walk()


def nginx_tokens(text: str) -> Iterator[str]:
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char == "#":
            while index < len(text) and text[index] != "\n":
                index += 1
        elif char in "{};":
            yield char
            index += 1
        elif char in "\"'":
            end = index + 1
            value = []
            while text[end] != char:
                if text[end] == "\\":
                    end += 1
                value.append(text[end])
                end += 1
            yield "".join(value)
            index = end + 1
        else:
            end = index
            while end < len(text) and not text[end].isspace() and text[end] not in "{};":
                end += 1
            yield text[index:end]
            index = end


def parse_nginx(text: str) -> NginxBlock:
    root = NginxBlock("main", [])
    current = root
    words: list[str] = []
    for token in nginx_tokens(text):
        if token == ";":
            assert words, "empty directive"
            current.directives.append(words)
            words = []
        elif token == "{":
            assert words, "block without a name"
            block = NginxBlock(words[0], words[1:], parent=current)
            current.children.append(block)
            current = block
            words = []
        elif token == "}":
            assert not words, "directive not terminated by ';'"
            assert current.parent is not None, "unbalanced braces"
            current = current.parent
        else:
            words.append(token)
    assert current is root, "unterminated block"
    assert not words, "unterminated directive"
    return root


def nginx_config() -> NginxBlock:
    return parse_nginx(NGINX_CONF.read_text(encoding="utf-8"))


def nginx_locations() -> dict[str, NginxBlock]:
    """Locations keyed by their arguments, e.g. ``"/flow/"`` or ``"= /flow/v1/board/ws"``."""
    return {
        " ".join(block.args): block for block in nginx_config().walk() if block.name == "location"
    }


def nginx_listen_port() -> int:
    servers = [block for block in nginx_config().walk() if block.name == "server"]
    assert len(servers) == 1
    listens = servers[0].own("listen")
    assert len(listens) == 1
    return int(listens[0][0].rsplit(":", 1)[-1])


def proxy_target(location: NginxBlock) -> str:
    passes = location.own("proxy_pass")
    assert len(passes) == 1, f"location {location.args} must proxy_pass exactly once"
    target = passes[0][0]
    if target.startswith("$"):
        assignments = {values[0]: values[1] for values in location.effective("set")}
        assert target in assignments, f"{target} is never set"
        target = assignments[target]
    return target


def proxy_headers(location: NginxBlock) -> dict[str, str]:
    return {values[0].lower(): values[1] for values in location.effective("proxy_set_header")}


def nginx_seconds(value: str) -> int:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value)
    assert match, f"not an nginx time: {value}"
    return int(int(match[1]) * units[match[2] or "s"])


def proxied_locations() -> list[NginxBlock]:
    return [block for block in nginx_locations().values() if block.own("proxy_pass")]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_gateway_routes_prefix_to_its_service_unchanged(service: str) -> None:
    locations = nginx_locations()
    location = locations.get(f"/{service}/") or locations.get(f"^~ /{service}/")
    assert location is not None, f"no location for /{service}/"
    target = urlsplit(proxy_target(location))
    assert target.scheme == "http"
    assert target.hostname == service
    assert target.hostname in compose_services()
    assert target.port == CONTAINER_PORT
    # a URI part in proxy_pass would replace the matched prefix: the services need it kept
    assert target.path == "", "proxy_pass must not rewrite the path"


def test_gateway_proxies_board_websocket() -> None:
    location = nginx_locations().get(f"= {WEBSOCKET_PATH}") or nginx_locations().get(
        f"^~ {WEBSOCKET_PATH}"
    )
    assert location is not None, f"no dedicated location for {WEBSOCKET_PATH}"
    target = urlsplit(proxy_target(location))
    assert (target.hostname, target.port, target.path) == ("flow", CONTAINER_PORT, "")
    assert location.effective("proxy_http_version") == [["1.1"]]
    headers = proxy_headers(location)
    assert headers.get("upgrade") == "$http_upgrade"
    connection = headers.get("connection")
    assert connection in {"upgrade", "$connection_upgrade"}, connection
    if connection == "$connection_upgrade":
        maps = [
            block.args
            for block in nginx_config().walk()
            if block.name == "map" and block.args[1:] == ["$connection_upgrade"]
        ]
        assert maps == [["$http_upgrade", "$connection_upgrade"]]
    read_timeout = location.effective("proxy_read_timeout")
    assert read_timeout, "no proxy_read_timeout for the WebSocket"
    assert nginx_seconds(read_timeout[0][0]) >= MIN_WEBSOCKET_TIMEOUT


@pytest.mark.parametrize("location_key", [" ".join(block.args) for block in proxied_locations()])
def test_gateway_forwards_client_and_request_headers(location_key: str) -> None:
    headers = proxy_headers(nginx_locations()[location_key])
    assert headers.get("host") in {"$host", "$http_host"}
    assert headers.get("x-forwarded-for") in {"$remote_addr", "$proxy_add_x_forwarded_for"}
    assert headers.get("x-forwarded-proto") == "$scheme"
    assert "x-request-id" in headers


def test_gateway_covers_all_services() -> None:
    hosts = {urlsplit(proxy_target(location)).hostname for location in proxied_locations()}
    assert hosts == set(SERVICE_NAMES)
    assert nginx_listen_port() == 80


def test_nginx_parser_applies_header_inheritance() -> None:
    """A location that sets any proxy_set_header loses the server-level ones."""
    config = parse_nginx(
        "http { server { proxy_set_header X-Request-ID $request_id;"
        " location /a/ { proxy_pass http://a:8000; }"
        " location /b/ { proxy_set_header Upgrade $http_upgrade; proxy_pass http://b:8000; } } }"
    )
    locations = {block.args[0]: block for block in config.walk() if block.name == "location"}
    assert set(proxy_headers(locations["/a/"])) == {"x-request-id"}
    assert set(proxy_headers(locations["/b/"])) == {"upgrade"}


# ---------------------------------------------------------------------------------------
# deploy/k8s
# ---------------------------------------------------------------------------------------


def k8s_validation_cases() -> list[Any]:
    return [
        pytest.param(doc, version, id=f"{file}:{doc['kind']}/{doc['metadata']['name']}@{version}")
        for file, doc in k8s_documents()
        for version in K8S_VERSIONS
    ]


@pytest.mark.parametrize(("document", "version"), k8s_validation_cases())
def test_k8s_manifest_is_valid(document: Doc, version: str) -> None:
    kubernetes_validate.validate(document, version, strict=True)


def test_k8s_validation_rejects_unknown_fields() -> None:
    document = copy.deepcopy(deployment_for("flow"))
    probe = app_container(document)["readinessProbe"]
    probe["httpGet"]["paht"] = probe["httpGet"].pop("path")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(document, K8S_VERSIONS[-1], strict=True)


def test_k8s_manifest_kinds_present() -> None:
    kinds = [doc["kind"] for _, doc in k8s_documents()]
    for kind in ("Namespace", "ConfigMap", "Secret", "Job", "Ingress"):
        assert kinds.count(kind) == 1, f"expected one {kind}"
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert kinds.count(kind) == len(SERVICES), f"expected one {kind} per service"


def test_k8s_objects_live_in_the_wicc_namespace() -> None:
    namespaces = k8s_objects("Namespace")
    assert [namespace["metadata"]["name"] for namespace in namespaces] == ["wicc"]
    for file, doc in k8s_documents():
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "wicc", f"{file}: {doc['kind']}"


def test_kustomization_lists_the_manifests() -> None:
    kustomization = load_yaml(K8S_DIR / "kustomization.yaml")
    assert kustomization["kind"] == "Kustomization"
    assert kustomization.get("namespace") == "wicc"
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources))
    on_disk = {path.name for path in k8s_files()} - {"kustomization.yaml"}
    assert on_disk >= NOT_IN_KUSTOMIZATION
    assert set(resources) == on_disk - NOT_IN_KUSTOMIZATION


def test_secret_is_a_placeholder_template() -> None:
    (secret,) = k8s_objects("Secret")
    data = secret["stringData"]
    assert set(data) == {
        "DATABASE_URL",
        "REDIS_URL",
        "WICC_ADMIN_TOKEN",
        "WICC_WEBHOOK_SECRET_KEYS",
    }
    assert all("REPLACE" in value for value in data.values())
    configmap_keys = set(k8s_objects("ConfigMap")[0]["data"])
    assert configmap_keys | set(data) >= APP_ENV_VARS
    assert not configmap_keys & set(data), "a key is both in the ConfigMap and the Secret"


def assert_env_sources_exist(container: Doc) -> None:
    configmaps = {doc["metadata"]["name"] for doc in k8s_objects("ConfigMap")}
    secrets = {doc["metadata"]["name"] for doc in k8s_objects("Secret")}
    sources = container.get("envFrom", [])
    assert {source["configMapRef"]["name"] for source in sources if "configMapRef" in source}
    assert {source["secretRef"]["name"] for source in sources if "secretRef" in source}
    for source in sources:
        if "configMapRef" in source:
            assert source["configMapRef"]["name"] in configmaps
        if "secretRef" in source:
            assert source["secretRef"]["name"] in secrets


def assert_hardened(pod_spec: Doc, container: Doc) -> None:
    assert pod_spec.get("securityContext", {}).get("runAsNonRoot") is True
    security = container.get("securityContext", {})
    assert security.get("readOnlyRootFilesystem") is True
    assert security.get("allowPrivilegeEscalation") is False
    volumes = {volume["name"]: volume for volume in pod_spec.get("volumes", [])}
    tmp_mounts = [
        mount for mount in container.get("volumeMounts", []) if mount["mountPath"] == "/tmp"
    ]
    assert len(tmp_mounts) == 1, "/tmp must be a writable mount"
    assert "emptyDir" in volumes[tmp_mounts[0]["name"]]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_deployment_runs_its_service(service: str) -> None:
    deployment = deployment_for(service)
    container = app_container(deployment)
    assert container["image"] == IMAGE
    assert deployment["spec"]["replicas"] == 2
    assert selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    others = [deployment_for(other) for other in SERVICE_NAMES if other != service]
    for other in others:
        assert not selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(other))
    assert_env_sources_exist(container)
    assert_hardened(deployment["spec"]["template"]["spec"], container)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_deployment_probes_use_its_prefix(service: str) -> None:
    container = app_container(deployment_for(service))
    expected = {
        "startupProbe": f"/{service}/healthz",
        "livenessProbe": f"/{service}/healthz",
        "readinessProbe": f"/{service}/readyz",
    }
    for probe_name, path in expected.items():
        probe = container.get(probe_name)
        assert probe is not None, f"{service}: no {probe_name}"
        assert probe["httpGet"]["path"] == path, f"{service}: {probe_name}"
        assert resolve_container_port(container, probe["httpGet"]["port"]) == CONTAINER_PORT


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_deployment_has_resources(service: str) -> None:
    resources = app_container(deployment_for(service))["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert {"cpu", "memory"} <= set(resources["limits"])


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_service_fronts_its_deployment(service: str) -> None:
    deployment = deployment_for(service)
    container = app_container(deployment)
    matching = [
        svc
        for svc in k8s_objects("Service")
        if selects(svc["spec"]["selector"], pod_labels(deployment))
    ]
    assert len(matching) == 1, f"expected one Service selecting the {service} pods"
    spec = matching[0]["spec"]
    assert spec.get("type", "ClusterIP") == "ClusterIP"
    assert [
        (port["port"], resolve_container_port(container, port["targetPort"]))
        for port in spec["ports"]
    ] == [(80, CONTAINER_PORT)]
    for other in SERVICE_NAMES:
        if other != service:
            assert not selects(spec["selector"], pod_labels(deployment_for(other)))


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_hpa_scales_each_deployment(service: str) -> None:
    name = deployment_for(service)["metadata"]["name"]
    hpas = [
        hpa
        for hpa in k8s_objects("HorizontalPodAutoscaler")
        if hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        and hpa["spec"]["scaleTargetRef"]["name"] == name
    ]
    assert len(hpas) == 1, f"no HorizontalPodAutoscaler targets Deployment {name}"
    hpa = hpas[0]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["apiVersion"] == "apps/v1"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    cpu_targets = [
        metric["resource"]["target"]
        for metric in hpa["spec"]["metrics"]
        if metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    ]
    assert cpu_targets == [{"type": "Utilization", "averageUtilization": 70}]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_pdb_protects_each_deployment(service: str) -> None:
    labels = pod_labels(deployment_for(service))
    pdbs = [
        pdb
        for pdb in k8s_objects("PodDisruptionBudget")
        if selects(pdb["spec"]["selector"]["matchLabels"], labels)
    ]
    assert len(pdbs) == 1
    spec = pdbs[0]["spec"]
    assert "minAvailable" in spec or "maxUnavailable" in spec


def ingress_backends() -> dict[str, tuple[str, Doc]]:
    (ingress,) = k8s_objects("Ingress")
    backends: dict[str, tuple[str, Doc]] = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backends[path["path"]] = (path["pathType"], path["backend"]["service"])
    return backends


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_ingress_routes_prefix_to_its_service(service: str) -> None:
    backends = ingress_backends()
    assert f"/{service}" in backends, f"the Ingress has no /{service} path"
    path_type, backend = backends[f"/{service}"]
    assert path_type == "Prefix"
    deployment = deployment_for(service)
    services = {svc["metadata"]["name"]: svc for svc in k8s_objects("Service")}
    target = services.get(backend["name"])
    assert target is not None, f"Ingress backend {backend['name']} is not a Service"
    assert selects(target["spec"]["selector"], pod_labels(deployment))
    port_ref = backend["port"]
    assert any(
        port.get("name") == port_ref.get("name") or port["port"] == port_ref.get("number")
        for port in target["spec"]["ports"]
    )


def test_ingress_keeps_paths_and_websockets_open() -> None:
    (ingress,) = k8s_objects("Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    annotations = ingress["metadata"].get("annotations", {})
    assert "nginx.ingress.kubernetes.io/rewrite-target" not in annotations
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        value = annotations.get(f"nginx.ingress.kubernetes.io/{key}")
        assert value is not None, f"missing {key} annotation"
        assert int(value) >= MIN_WEBSOCKET_TIMEOUT
    assert set(ingress_backends()) == {f"/{service}" for service in SERVICE_NAMES}


def test_migration_job_runs_migrate() -> None:
    (job,) = k8s_objects("Job")
    pod_spec = job["spec"]["template"]["spec"]
    assert pod_spec["restartPolicy"] in {"Never", "OnFailure"}
    (container,) = pod_spec["containers"]
    assert container["image"] == IMAGE
    assert command_tokens(container.get("args")) == ["migrate"]
    assert "command" not in container, "the image entrypoint must handle `migrate`"
    assert_env_sources_exist(container)
    assert_hardened(pod_spec, container)
