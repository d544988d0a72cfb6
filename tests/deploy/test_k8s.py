"""deploy/k8s: every overlay renders with `kubectl kustomize`, each object validates against the
Kubernetes schemas (npm kubernetes-models, validate_k8s.mjs), and the parts that must agree
with each other and with the server do."""

import re
import subprocess

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
    assert run.stdout.count(": valid") == 7, run.stdout


def container(objs: dict) -> dict:
    (server,) = objs[("Deployment", "radlabel")]["spec"]["template"]["spec"]["containers"]
    return server


def env(server: dict) -> dict:
    return {e["name"]: e["value"] for e in server["env"]}


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
    assert env(server)["FLAGS_metrics_listen"].endswith(f":{ports['metrics']}")
    assert env(server)["FLAGS_http_listen"].endswith(f":{ports['http']}")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert server[probe]["grpc"]["port"] == ports["grpc"]
    assert server["readinessProbe"]["grpc"]["service"] == "radlabel.v1.Labeller"
    for resource in ("cpu", "memory"):
        assert resource in server["resources"]["requests"] and resource in server["resources"]["limits"]


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
