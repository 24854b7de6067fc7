"""docker-compose.yml: valid against the official Compose Specification schema, then
its structure: dependencies, the three API services and the worker built from
deploy/Dockerfile with their own WICC_SERVICE, their healthchecks, environment and
hardening, the connection budget, the one-shot migration, persistent Redis, and the
gateway as the only published port."""

from __future__ import annotations

import importlib.resources
import json
import re
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.deploy.manifests import (
    APP_ENV_VARS,
    CONTAINER_PORT,
    DOCKERFILE,
    NGINX_CONF,
    REPO,
    SERVICE_NAMES,
    WORKER,
    WORKER_OWN_ENV,
    Doc,
    command_tokens,
    compose_environment,
    compose_services,
    depends_on_names,
    interpolate,
    load_compose,
)
from tests.deploy.nginx import nginx_listen_port

# The containers that run WICC for as long as the stack is up.
LONG_RUNNING = [*SERVICE_NAMES, WORKER]
# PostgreSQL's default, which the compose file does not change.
POSTGRES_MAX_CONNECTIONS = 100
# Left over for a re-run of `migrate` and for an operator's psql sessions.
SPARE_CONNECTIONS = 10


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


def healthcheck_urls(service: str) -> list[str]:
    """The URLs a service's python healthcheck opens (the code must also compile)."""
    tokens = command_tokens(compose_services()[service]["healthcheck"]["test"])
    assert tokens[:3] == ["CMD", "python", "-c"]
    compile(tokens[3], f"{service} healthcheck", "exec")
    return re.findall(r"https?://[^\s'\"]+", tokens[3])


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


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_compose_app_service_builds_its_service(service: str) -> None:
    spec = compose_services()[service]
    build = spec["build"]
    assert (REPO / build["context"]).resolve() == REPO
    dockerfile = REPO / build["context"] / build["dockerfile"]
    assert dockerfile.resolve() == DOCKERFILE
    assert build["args"]["WICC_SERVICE"] == service


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_app_service_healthcheck_uses_its_prefix(service: str) -> None:
    urls = healthcheck_urls(service)
    assert [urlsplit(url).path for url in urls] == [f"/{service}/healthz"], urls
    assert [urlsplit(url).port for url in urls] == [CONTAINER_PORT]


def test_compose_worker_runs_wicc_worker() -> None:
    # The entrypoint's `worker` mode, i.e. `wicc worker` (test_process_roles.py runs it).
    assert command_tokens(compose_services()[WORKER].get("command")) == [WORKER]


def test_compose_worker_healthcheck_uses_its_own_port() -> None:
    """The worker serves /healthz at the root of WICC_WORKER_PORT, not an API prefix."""
    port = int(compose_environment(WORKER)["WICC_WORKER_PORT"])
    assert port != CONTAINER_PORT
    (url,) = healthcheck_urls(WORKER)
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.path) == ("127.0.0.1", port, "/healthz")


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_compose_app_service_waits_for_migration_and_infrastructure(service: str) -> None:
    deps = depends_on_names(compose_services()[service])
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("postgres") == "service_healthy"
    assert deps.get("redis") == "service_healthy"


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_compose_app_service_is_hardened(service: str) -> None:
    spec = compose_services()[service]
    assert spec.get("read_only") is True
    assert "/tmp" in spec.get("tmpfs", []), "a read-only container needs a writable /tmp"
    assert "no-new-privileges:true" in spec.get("security_opt", [])
    assert spec.get("restart") == "unless-stopped"


def test_compose_only_the_gateway_publishes_a_port() -> None:
    publishing = {name for name, spec in compose_services().items() if spec.get("ports")}
    assert publishing == {"gateway"}


@pytest.mark.parametrize("service", [*LONG_RUNNING, "migrate"])
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


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_worker_shares_the_api_services_environment(service: str) -> None:
    """Same database, Redis, event stream and settings as the services whose events it
    publishes; only its port and pool are its own."""
    worker = compose_services()[WORKER]["environment"]
    api = compose_services()[service]["environment"]
    differing = {key for key in set(worker) | set(api) if worker.get(key) != api.get(key)}
    assert differing <= WORKER_OWN_ENV, differing
    assert "WICC_WORKER_PORT" in worker


@pytest.mark.parametrize("service", [*LONG_RUNNING, "migrate"])
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


def pool_limit(service: str) -> int:
    """The most PostgreSQL connections the service's process opens: pool + overflow."""
    env = compose_environment(service)
    return int(env["WICC_DB_POOL_SIZE"]) + int(env["WICC_DB_MAX_OVERFLOW"])


def test_compose_connections_fit_postgres() -> None:
    """Every long-running process at its pool's limit still leaves PostgreSQL spare
    connections (compose runs one container of each)."""
    postgres_command = " ".join(command_tokens(compose_services()["postgres"].get("command")))
    assert "max_connections" not in postgres_command, "update POSTGRES_MAX_CONNECTIONS"
    used = sum(pool_limit(service) for service in LONG_RUNNING)
    assert POSTGRES_MAX_CONNECTIONS - used >= SPARE_CONNECTIONS, used


def test_compose_worker_pool_is_smaller_than_an_api_service() -> None:
    # A relay, a consumer and the jobs use one connection each; requests use many.
    assert all(pool_limit(WORKER) < pool_limit(service) for service in SERVICE_NAMES)


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
