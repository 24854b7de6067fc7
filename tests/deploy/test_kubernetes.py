"""deploy/k8s: every manifest validated in strict mode with kubernetes-validate against
two Kubernetes releases, then cross-checked: namespaces and kustomization, the Secret
template, each API Deployment (image, probes on its prefix, resources, hardening) with
its Service, autoscaler and disruption budget, the Ingress, the migration Job, and the
worker Deployment (probes on its own port, its pool, no Service, Ingress or autoscaler,
a disruption budget that lets a single replica be drained)."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.manifests import (
    APP_ENV_VARS,
    CONTAINER_PORT,
    IMAGE,
    K8S_DIR,
    K8S_VERSIONS,
    MIN_WEBSOCKET_TIMEOUT,
    NOT_IN_KUSTOMIZATION,
    SERVICE_NAMES,
    SERVICES,
    WORKER,
    WORKER_OWN_ENV,
    Doc,
    app_container,
    command_tokens,
    container_env,
    deployment_for,
    k8s_documents,
    k8s_files,
    k8s_objects,
    load_yaml,
    pod_labels,
    resolve_container_port,
    selects,
)


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
    # The worker has a Deployment and a disruption budget, but no Service or autoscaler.
    for kind in ("Deployment", "PodDisruptionBudget"):
        assert kinds.count(kind) == len(SERVICES) + 1, f"expected one {kind} per process"
    for kind in ("Service", "HorizontalPodAutoscaler"):
        assert kinds.count(kind) == len(SERVICES), f"expected one {kind} per API service"


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
        "WICC_NHS_NUMBER_KEYS",
        "WICC_NHS_NUMBER_INDEX_KEY",
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
    others = [deployment_for(other) for other in [*SERVICE_NAMES, WORKER] if other != service]
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


# ---------------------------------------------------------------------------------------
# the worker
# ---------------------------------------------------------------------------------------


def worker_port(container: Doc) -> int:
    return int(container_env(container)["WICC_WORKER_PORT"])


def test_worker_deployment_runs_the_worker() -> None:
    deployment = deployment_for(WORKER)
    container = app_container(deployment)
    assert container["image"] == IMAGE
    # The entrypoint's `worker` mode, i.e. `wicc worker` (test_process_roles.py runs it).
    assert command_tokens(container.get("args")) == [WORKER]
    assert "command" not in container, "the image entrypoint must handle `worker`"
    # One is enough: more are safe, but do not publish faster (worker.yaml).
    assert deployment["spec"]["replicas"] == 1
    labels = pod_labels(deployment)
    assert selects(deployment["spec"]["selector"]["matchLabels"], labels)
    for service in SERVICE_NAMES:
        api = deployment_for(service)
        assert not selects(api["spec"]["selector"]["matchLabels"], labels)
        assert not selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(api))
    assert_env_sources_exist(container)
    assert_hardened(deployment["spec"]["template"]["spec"], container)
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert {"cpu", "memory"} <= set(resources["limits"])


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_worker_shares_the_api_services_configuration(service: str) -> None:
    """Same ConfigMap and Secret (database, Redis, event stream) as the services whose
    events it publishes; only its port and pool are set apart."""
    worker = app_container(deployment_for(WORKER))
    api = app_container(deployment_for(service))
    assert worker["envFrom"] == api["envFrom"]
    assert set(container_env(worker)) <= WORKER_OWN_ENV | {"WICC_SERVICE"}
    assert "WICC_WORKER_PORT" in container_env(worker)


def test_worker_probes_use_its_own_port() -> None:
    """/healthz and /readyz at the root of WICC_WORKER_PORT, where `wicc worker` serves
    them, and Prometheus pointed at its /metrics there."""
    deployment = deployment_for(WORKER)
    container = app_container(deployment)
    port = worker_port(container)
    assert port != CONTAINER_PORT
    assert [declared["containerPort"] for declared in container["ports"]] == [port]
    expected = {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    for probe_name, path in expected.items():
        probe = container.get(probe_name)
        assert probe is not None, f"worker: no {probe_name}"
        assert probe["httpGet"]["path"] == path, probe_name
        assert resolve_container_port(container, probe["httpGet"]["port"]) == port
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_worker_is_applied_by_kustomize() -> None:
    name = deployment_for(WORKER)["metadata"]["name"]
    (file,) = [
        file
        for file, doc in k8s_documents()
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == name
    ]
    assert file in load_yaml(K8S_DIR / "kustomization.yaml")["resources"]


def test_nothing_routes_to_the_worker() -> None:
    """It answers no API requests: no Service selects its pods, so no Ingress path can
    reach them."""
    labels = pod_labels(deployment_for(WORKER))
    for service in k8s_objects("Service"):
        assert not selects(service["spec"]["selector"], labels), service["metadata"]["name"]
    services = {svc["metadata"]["name"]: svc for svc in k8s_objects("Service")}
    for _path_type, backend in ingress_backends().values():
        assert not selects(services[backend["name"]]["spec"]["selector"], labels)


def test_only_api_deployments_autoscale() -> None:
    """Scaling the worker on CPU would add replicas that wait for the same locks."""
    api = {deployment_for(service)["metadata"]["name"] for service in SERVICE_NAMES}
    targets = {
        hpa["spec"]["scaleTargetRef"]["name"] for hpa in k8s_objects("HorizontalPodAutoscaler")
    }
    assert targets == api


def test_worker_disruption_budget_lets_a_node_drain() -> None:
    """A budget that keeps every replica of the worker would block node drains forever;
    a worker briefly away loses nothing."""
    deployment = deployment_for(WORKER)
    replicas = deployment["spec"]["replicas"]
    (budget,) = [
        pdb["spec"]
        for pdb in k8s_objects("PodDisruptionBudget")
        if selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    ]
    if "minAvailable" in budget:
        assert isinstance(budget["minAvailable"], int), "use an absolute number"
        assert budget["minAvailable"] < replicas
    else:
        assert isinstance(budget["maxUnavailable"], int), "use an absolute number"
        assert budget["maxUnavailable"] >= 1


def test_worker_pool_is_smaller_than_an_api_pod() -> None:
    """Its relay, consumer and jobs use one connection each; the ConfigMap's pool is
    sized for requests."""
    (configmap,) = k8s_objects("ConfigMap")
    worker_env = {**configmap["data"], **container_env(app_container(deployment_for(WORKER)))}

    def limit(env: dict[str, Any]) -> int:
        return int(env["WICC_DB_POOL_SIZE"]) + int(env["WICC_DB_MAX_OVERFLOW"])

    for service in SERVICE_NAMES:
        api_env = {**configmap["data"], **container_env(app_container(deployment_for(service)))}
        assert limit(worker_env) < limit(api_env)
