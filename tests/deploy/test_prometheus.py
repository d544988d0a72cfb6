"""deploy/prometheus: the rules pass promtool, and a real Prometheus (Debian's) scrapes a live
radlabel-server and answers for its throughput through the HTTP API."""

import json
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest
import yaml

from conftest import REPO, SERVER_BINARY
from radlabel_client import Client
from radlabel_client.testing import LocalServer

RULES = REPO / "deploy" / "prometheus" / "radlabel.rules.yml"


def test_rules_pass_promtool_check_and_their_unit_tests():
    subprocess.run(["promtool", "check", "rules", str(RULES)], check=True)
    subprocess.run(["promtool", "test", "rules", "radlabel.rules.test.yml"], check=True,
                   cwd=REPO / "deploy" / "prometheus" / "tests")


def test_the_scrape_config_passes_promtool_check():
    subprocess.run(["promtool", "check", "config",
                    str(REPO / "deploy" / "prometheus" / "prometheus.yml")], check=True)


def free_port() -> int:
    # Prometheus cannot report an ephemeral port it bound, so the test picks one the kernel
    # just handed out.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(port: int, expr: str) -> list:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


def await_value(port: int, expr: str, accept, timeout: float = 60.0) -> float:
    """Queries `expr` until its (single) value satisfies `accept`: the answer depends on scrapes
    and rule evaluations (every second here) that Prometheus signals no other way."""
    give_up = time.monotonic() + timeout
    while True:
        result = query(port, expr)
        if result and accept(float(result[0]["value"][1])):
            return float(result[0]["value"][1])
        if time.monotonic() > give_up:
            pytest.fail(f"{expr} was {result} after {timeout} s")
        time.sleep(0.2)


def test_a_real_prometheus_scrapes_the_server_and_reports_its_throughput(tmp_path):
    with LocalServer(SERVER_BINARY) as server:
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: ['{RULES}']\n"
            "scrape_configs:\n"
            "  - job_name: radlabel\n"
            f"    static_configs: [{{targets: ['{server.metrics_address}']}}]\n")
        port = free_port()
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        log, ready = [], threading.Event()

        def read_log():  # drained to the end, so that Prometheus never blocks on a full pipe
            for line in prometheus.stderr:
                log.append(line)
                if "Server is ready to receive web requests" in line:
                    ready.set()

        reader = threading.Thread(target=read_log)
        reader.start()
        try:
            assert ready.wait(timeout=120), "Prometheus did not start:\n" + "".join(log)
            reports = [(f"r{i}", "Acute infarct in the left MCA territory.") for i in range(300)]
            labelled = 'sum(radlabel_reports_total{code="OK"})'
            with Client(server.target) as client:
                # In two parts: a counter's first scraped value is its baseline, so the rate
                # needs the counter scraped before the second part moves it.
                assert all(r.ok for r in client.label_stream(reports[:100]))
                assert await_value(port, labelled, lambda v: v >= 100) == 100
                assert all(r.ok for r in client.label_stream(reports[100:]))
            assert await_value(port, labelled, lambda v: v >= 300) == 300
            assert await_value(port, "radlabel_throughput_reports_per_second", lambda v: v > 0) > 0
            assert await_value(port, "radlabel_target_throughput_reports_per_second",
                               lambda v: v > 0) == pytest.approx(100000 / 1800, rel=1e-3)
            # The recording rule the dashboard and the throughput alert use.
            await_value(port, "radlabel:reports_labelled:rate5m", lambda v: v > 0)
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=60)
            reader.join()


DASHBOARD = REPO / "deploy" / "grafana" / "radlabel-dashboard.json"
ADAPTER = REPO / "deploy" / "k8s" / "prometheus-adapter" / "values.yaml"


def dashboard_queries() -> list:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def test_every_dashboard_query_is_valid_promql(tmp_path):
    # promtool has no expression checker; it checks rules, so each query becomes one.
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, expr in enumerate(dashboard_queries())]}]}
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(json.dumps(rules))
    subprocess.run(["promtool", "check", "rules", str(path)], check=True)


def test_rules_dashboard_and_autoscaler_name_only_series_that_exist():
    with LocalServer(SERVER_BINARY) as server:
        with urllib.request.urlopen(f"http://{server.metrics_address}/metrics") as response:
            exposition = response.read().decode()
    exposed = set(re.findall(r"^# TYPE (\w+) ", exposition, re.M))
    rules_text = RULES.read_text()
    recorded = set(re.findall(r"record: (\S+)", rules_text))
    adapter_queries = [rule[key] for rule in yaml.safe_load(ADAPTER.read_text())["rules"]["custom"]
                       for key in ("seriesQuery", "metricsQuery")]
    texts = {"rules": rules_text, "dashboard": "\n".join(dashboard_queries()),
             "adapter": "\n".join(adapter_queries)}
    for source, text in texts.items():
        for name in set(re.findall(r"\bradlabel_\w+", text)):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in exposed or base in exposed, f"{source} names {name}, which the server does not expose"
        for name in set(re.findall(r"\bradlabel:[\w:]+", text)):
            assert name in recorded, f"{source} names {name}, which no rule records"
