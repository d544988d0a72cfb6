"""deploy/k8s: every overlay renders with `kubectl kustomize`, each object validates against the
Kubernetes schemas (npm kubernetes-models, validate_k8s.mjs), and the parts that must agree
with each other and with the server do."""

import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

K8S = REPO / "deploy" / "k8s"
OVERLAYS = ["cpu", "gpu"]


def render(overlay: str) -> str:
    return subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], check=True,
                          capture_output=True, text=True).stdout


def objects(overlay: str) -> dict:
    return {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(render(overlay)) if o}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_against_the_kubernetes_schemas(overlay):
    run = subprocess.run(["node", str(REPO / "tests" / "deploy" / "validate_k8s.mjs")],
                         input=render(overlay), capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count(": valid") == 9, run.stdout


def container(objs: dict) -> dict:
    (server,) = objs[("Deployment", "radlabel")]["spec"]["template"]["spec"]["containers"]
    return server


def env(server: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in server["env"]}


def seconds(duration: str) -> int:
    value, unit = re.fullmatch(r"(\d+)([sm])", duration).groups()
    return int(value) * (60 if unit == "m" else 1)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_drains_within_its_grace_period_and_runs_restricted(overlay):
    objs = objects(overlay)
    pod = objs[("Deployment", "radlabel")]["spec"]["template"]["spec"]
    server = container(objs)
    pre_stop = int(server["lifecycle"]["preStop"]["exec"]["command"][1])
    drain = seconds(env(server)["FLAGS_shutdown_grace"])
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + drain + 5
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert server["securityContext"] == {"allowPrivilegeEscalation": False,
                                         "readOnlyRootFilesystem": True,
                                         "capabilities": {"drop": ["ALL"]}}
    ports = {p["name"]: p["containerPort"] for p in server["ports"]}
    assert env(server)["FLAGS_listen"].endswith(f":{ports['grpc']}")
    # Metrics on the pod's IP (downward API), not every interface.
    assert env(server)["POD_IP"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert env(server)["FLAGS_metrics_listen"] == f"$(POD_IP):{ports['metrics']}"
    assert env(server)["FLAGS_http_listen"].endswith(f":{ports['http']}")
    # HTTPS probes on the HTTP port (native gRPC probes cannot speak TLS): liveness and start-up
    # on /healthz, readiness on /readyz, which turns 503 while draining.
    for probe, path in (("startupProbe", "/healthz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        assert server[probe]["httpGet"] == {"path": path, "port": "http", "scheme": "HTTPS"}
    for resource in ("cpu", "memory"):
        assert resource in server["resources"]["requests"] and resource in server["resources"]["limits"]
    # Replicas spread over nodes and zones, selecting exactly the Deployment's own pods.
    spread = pod["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
    deployment = objs[("Deployment", "radlabel")]["spec"]
    for constraint in spread:
        selected = constraint["labelSelector"]["matchLabels"].items()
        assert deployment["selector"]["matchLabels"].items() <= selected <= deployment["template"]["metadata"]["labels"].items()


def test_only_the_gpu_overlay_asks_for_a_gpu_and_cuda():
    cpu, gpu = container(objects("cpu")), container(objects("gpu"))
    assert "nvidia.com/gpu" not in cpu["resources"]["limits"] and env(cpu)["FLAGS_device"] == "cpu"
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == "1" and env(gpu)["FLAGS_device"] == "cuda"
    assert cpu["image"] == "radlabel:cpu" and gpu["image"] == "radlabel:gpu"


def test_services_autoscaler_and_scrape_config_name_the_same_things():
    objs = objects("cpu")
    headless = objs[("Service", "radlabel-headless")]
    assert headless["spec"]["clusterIP"] == "None"
    metrics_port = objs[("Service", "radlabel-metrics")]["spec"]["ports"][0]
    monitor = objs[("ServiceMonitor", "radlabel")]["spec"]
    assert monitor["endpoints"][0]["port"] == metrics_port["name"]
    hpa = objs[("HorizontalPodAutoscaler", "radlabel")]["spec"]
    adapter = yaml.safe_load((K8S / "prometheus-adapter" / "values.yaml").read_text())
    assert hpa["metrics"][0]["pods"]["metric"]["name"] == adapter["rules"]["custom"][0]["name"]["as"]
    assert objs[("PodDisruptionBudget", "radlabel")]["spec"]["maxUnavailable"] < hpa["minReplicas"]
    scrape = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    (dns,) = scrape["scrape_configs"][0]["dns_sd_configs"]
    namespace = headless["metadata"]["namespace"]
    assert dns["names"] == [f"radlabel-headless.{namespace}.svc"]
    assert dns["port"] == metrics_port["port"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_tls_and_the_token_come_from_secrets_and_the_autoscaler_owns_the_replicas(overlay):
    objs = objects(overlay)
    deployment = objs[("Deployment", "radlabel")]
    assert "replicas" not in deployment["spec"]  # else every apply resets the HPA's count
    pod = deployment["spec"]["template"]["spec"]
    server = container(objs)
    secrets = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    mounts = {m["mountPath"]: m["name"] for m in server["volumeMounts"]}
    files = {}
    for flag in ("FLAGS_tls_cert", "FLAGS_tls_key", "FLAGS_auth_token_file"):
        path = env(server)[flag]
        directory, file = path.rsplit("/", 1)
        files[flag] = (secrets[mounts[directory]], file)
    assert files == {"FLAGS_tls_cert": ("radlabel-tls", "tls.crt"), "FLAGS_tls_key": ("radlabel-tls", "tls.key"),
                     "FLAGS_auth_token_file": ("radlabel-token", "token")}
    assert all(m.get("readOnly") for m in server["volumeMounts"] if m["name"] in secrets)
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]


def test_the_network_policy_admits_clients_and_monitoring_only_and_nothing_out():
    objs = objects("cpu")
    policy = objs[("NetworkPolicy", "radlabel")]["spec"]
    pod_labels = objs[("Deployment", "radlabel")]["spec"]["template"]["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"] and policy["egress"] == []
    ports = {p["name"] for p in container(objs)["ports"]}
    admitted = {p["port"]: rule["from"] for rule in policy["ingress"] for p in rule["ports"]}
    assert set(admitted) == ports == {"grpc", "http", "metrics"}
    assert admitted["grpc"] == admitted["http"] == [
        {"namespaceSelector": {}, "podSelector": {"matchLabels": {"radlabel.io/client": "true"}}}]
    assert admitted["metrics"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]


def test_the_prometheus_rule_is_the_rules_file_regenerated():
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "radlabel.rules.yml").read_text())
    assert objects("cpu")[("PrometheusRule", "radlabel")]["spec"]["groups"] == rules["groups"]
    generated = subprocess.run([sys.executable, str(K8S / "make_prometheusrule.py")], check=True,
                               capture_output=True, text=True).stdout
    assert generated == (K8S / "base" / "prometheusrule.yaml").read_text(), \
        "regenerate: python3 deploy/k8s/make_prometheusrule.py > deploy/k8s/base/prometheusrule.yaml"


def test_the_cpu_overlay_leaves_the_model_workers_to_its_whole_core_cpu_limit():
    server = container(objects("cpu"))
    # The server runs one model worker per whole core of its cgroup quota (the CPU limit).
    assert "FLAGS_model_workers" not in env(server) and "FLAGS_intra_op_threads" not in env(server)
    limit = server["resources"]["limits"]["cpu"]
    assert limit == server["resources"]["requests"]["cpu"]
    assert str(limit).isdigit(), f"a CPU limit of {limit} leaves part of a core unused"
