"""The HTTP/JSON API (docs/http-api.md) against real radlabel-server processes on 127.0.0.1,
called with curl and with Python's urllib only: what an integration engine or a script has.
Every status of the API's mapping is produced here; no test sleeps to synchronise."""

import http.client
import json
import os
import pathlib
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from radlabel_client.testing import LocalServer

REPO = pathlib.Path(__file__).resolve().parents[2]
SERVER_BINARY = os.environ.get("RADLABEL_SERVER", str(REPO / "build" / "server" / "radlabel-server"))
LABELS = ["abnormal", "acute_stroke", "mass", "atrophy", "vascular", "small_vessel_disease",
          "white_matter_inflammation", "encephalomalacia"]
# Several model windows per report, so that big requests keep the model busy for seconds.
LONG_TEXT = ("FINDINGS: There is a large heterogeneous enhancing mass in the left frontal lobe with "
             "surrounding vasogenic oedema and 4 mm of midline shift. ") * 12


def post(address, body, headers=None, path="/v1/label", timeout=120):
    """(status, headers, decoded JSON body) of POST `path`; `body` a dict or raw bytes."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{address}{path}", data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.headers, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def get(address, path, headers=None):
    """(status, body text) of GET `path`."""
    request = urllib.request.Request(f"http://{address}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def reports(n, text=LONG_TEXT, prefix="r"):
    return {"reports": [{"id": f"{prefix}{i}", "text": text} for i in range(n)]}


def series(server, name):
    """The value of one exposition line of the server's /metrics, e.g.
    'radlabel_windows_dropped_total{reason="cancelled"}'; 0 when absent."""
    _, text = get(server.metrics_address, "/metrics")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def requests_total(server, code):
    """HTTP label requests counted under `code` in radlabel_requests_total."""
    return series(server, f'radlabel_requests_total{{code="{code}",rpc="HttpLabel"}}')


def await_true(condition, what, timeout=60.0):
    """Polls `condition` (a state of another process, which nothing here can be told of) until
    it holds."""
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def server():
    with LocalServer(SERVER_BINARY, ["--max_reports_per_request=64"]) as running:
        yield running


def test_curl_labels_reports_and_fails_a_bad_one_alone(server):
    body = json.dumps({"reports": [
        {"id": "a", "text": "There is a large mass in the left frontal lobe."},
        {"id": "b", "text": "Normal MRI of the brain."},
        {"id": "c", "text": ""}]})
    out = subprocess.run(["curl", "-s", "-X", "POST", f"{server.http_address}/v1/label",
                          "-H", "content-type: application/json", "-d", body],
                         check=True, capture_output=True, text=True).stdout
    results = json.loads(out)["results"]
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert results[0]["status"]["code"] == 0
    decisions = {label["name"]: label["decision"] for label in results[0]["labels"]}
    assert list(decisions) == LABELS
    assert decisions["mass"] == "positive" and decisions["abnormal"] == "positive"
    assert {label["name"]: label["decision"] for label in results[1]["labels"]}["abnormal"] == "negative"
    for label in results[0]["labels"]:
        assert len(label["probabilities"]) == 3 and abs(sum(label["probabilities"]) - 1) < 1e-4
    # The empty report fails alone, saying which report and what to do, in the gRPC code.
    assert results[2]["status"]["code"] == 3
    assert "'c'" in results[2]["status"]["message"] and results[2]["labels"] == []


def test_results_match_the_grpc_api(server):
    from radlabel_client import Client
    text = "Small vessel ischaemic change. No acute infarct."
    status, _, answer = post(server.http_address, {"reports": [{"id": "x", "text": text}]})
    assert status == 200
    with Client(server.target) as client:
        [grpc_result] = client.label([("x", text)])
    over_http = {label["name"]: label["decision"] for label in answer["results"][0]["labels"]}
    assert over_http == {name: label.decision for name, label in grpc_result.labels.items()}


def test_evidence_comes_as_offsets(server):
    text = "No infarct. There is a large mass in the left frontal lobe."
    status, _, answer = post(server.http_address,
                             {"reports": [{"id": "e", "text": text}], "include_evidence": True})
    assert status == 200
    mass = next(label for label in answer["results"][0]["labels"] if label["name"] == "mass")
    evidence = mass["evidence"]
    assert text[evidence["start"]:evidence["end"]].startswith("There is a large mass")
    assert 0 < evidence["weight"] <= 1


def test_model_health_and_readiness(server):
    status, body = get(server.http_address, "/v1/model")
    assert status == 200
    info = json.loads(body)
    assert [label["name"] for label in info["labels"]] == LABELS
    assert info["limits"]["max_reports_per_request"] == 64
    assert info["classes"] == ["negative", "positive", "uncertain"]
    assert get(server.http_address, "/healthz") == (200, "SERVING\n")
    assert get(server.http_address, "/readyz") == (200, "SERVING\n")


@pytest.mark.parametrize("body, says", [
    (b"{not json", "not a label request"),
    ({"reports": [{"id": "a", "txt": "x"}]}, "txt"),
    ({"reports": []}, "holds 0 reports"),
    (reports(65, text="x"), "holds 65 reports; send 1 to 64"),
])
def test_a_request_that_is_not_valid_is_a_400_saying_why(server, body, says):
    invalid = requests_total(server, "INVALID_ARGUMENT")
    status, _, error = post(server.http_address, body)
    assert status == 400
    assert error["code"] == "INVALID_ARGUMENT" and says in error["message"]
    assert requests_total(server, "INVALID_ARGUMENT") == invalid + 1  # counted, whatever refused it


def test_a_bad_timeout_header_and_an_unknown_route(server):
    status, _, error = post(server.http_address, reports(1), {"X-Request-Timeout": "soon"})
    assert (status, error["code"]) == (400, "INVALID_ARGUMENT")
    assert "X-Request-Timeout" in error["message"]
    status, body = get(server.http_address, "/v2/label")
    assert status == 404 and json.loads(body)["code"] == "NOT_FOUND"


def test_a_request_past_its_timeout_is_a_504_and_its_windows_are_dropped(server):
    dropped = series(server, 'radlabel_windows_dropped_total{reason="deadline"}')
    late, ok = requests_total(server, "DEADLINE_EXCEEDED"), requests_total(server, "OK")
    status, _, error = post(server.http_address, reports(64), {"X-Request-Timeout": "0.05"})
    assert (status, error["code"]) == (504, "DEADLINE_EXCEEDED")
    await_true(lambda: series(server, 'radlabel_windows_dropped_total{reason="deadline"}') > dropped,
               "windows dropped for their deadline")
    # Counted under the code the client saw, once its last report is answered or dropped.
    await_true(lambda: requests_total(server, "DEADLINE_EXCEEDED") == late + 1, "the request counted")
    assert requests_total(server, "OK") == ok


def test_a_client_that_disconnects_has_its_queued_windows_dropped(server):
    dropped = series(server, 'radlabel_windows_dropped_total{reason="cancelled"}')
    gone = requests_total(server, "CANCELLED")
    body = json.dumps(reports(64)).encode()
    host, port = server.http_address.split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"POST /v1/label HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        await_true(lambda: series(server, "radlabel_queue_windows") > 0, "the request's windows queued")
    await_true(lambda: series(server, 'radlabel_windows_dropped_total{reason="cancelled"}') > dropped,
               "windows dropped for a client that went away")
    await_true(lambda: requests_total(server, "CANCELLED") == gone + 1, "the request counted as CANCELLED")
    # The server goes on serving.
    assert post(server.http_address, reports(1, text="Normal brain."))[0] == 200


def test_a_bearer_token_is_required_except_by_the_probes(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    with LocalServer(SERVER_BINARY, [f"--auth_token_file={token_file}"]) as server:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            status, answer_headers, error = post(server.http_address, reports(1), headers)
            assert (status, error["code"]) == (401, "UNAUTHENTICATED")
            assert answer_headers["WWW-Authenticate"] == "Bearer"
        assert get(server.http_address, "/v1/model")[0] == 401
        status, _, answer = post(server.http_address, reports(1, text="Normal brain."),
                                 {"Authorization": "Bearer s3cret"})
        assert status == 200 and answer["results"][0]["status"]["code"] == 0
        assert get(server.http_address, "/readyz")[0] == 200
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                              "-H", "Authorization: Bearer s3cret",
                              f"{server.http_address}/v1/model"], capture_output=True, text=True)
        assert out.stdout == "200"


def test_a_body_over_the_message_limit_is_a_413():
    with LocalServer(SERVER_BINARY, ["--max_message_bytes=4096"]) as server:
        status, _, error = post(server.http_address, reports(8))
        assert (status, error["code"]) == (413, "RESOURCE_EXHAUSTED")
        assert "4096 bytes" in error["message"]
        assert post(server.http_address, reports(1, text="Normal brain."))[0] == 200


def test_a_full_queue_is_a_429_with_retry_after():
    # Room for 5 windows (4 queued, 1 in the model) and 8 callers of 4 windows each.
    with LocalServer(SERVER_BINARY, ["--max_queue_windows=4", "--max_batch_size=1",
                                     "--model_workers=1", "--retry_pushback=2s"]) as server:
        answers = []
        lock = threading.Lock()

        def caller(c):
            for call in range(3):
                status, headers, _ = post(server.http_address,
                                          reports(4, text="Normal brain. " * 30, prefix=f"{c}-{call}-"))
                with lock:
                    answers.append((status, headers.get("Retry-After")))

        threads = [threading.Thread(target=caller, args=(c,)) for c in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        refused = [retry_after for status, retry_after in answers if status == 429]
        assert refused, "8 callers of 4 windows and room for 5: some requests must be refused"
        assert all(int(seconds) >= 2 for seconds in refused)  # the pushback floor, or more
        assert {status for status, _ in answers} <= {200, 429}


def test_draining_answers_503_and_finishes_the_requests_in_flight():
    # A grace longer than any run of this request, however loaded the machine: the test is that
    # the request in flight finishes, not how fast.
    server = LocalServer(SERVER_BINARY, ["--model_workers=1", "--shutdown_grace=600s"])
    try:
        in_flight = {}
        worker = threading.Thread(target=lambda: in_flight.update(answer=post(server.http_address,
                                                                              reports(256))))
        worker.start()
        await_true(lambda: series(server, "radlabel_queue_windows") > 0, "the request's windows queued")
        server.process.terminate()
        await_true(lambda: get(server.http_address, "/readyz")[0] == 503, "readiness off")
        status, _, error = post(server.http_address, reports(1, text="Normal brain."))
        assert (status, error["code"]) == (503, "UNAVAILABLE")
        worker.join()
        status, _, answer = in_flight["answer"]
        assert status == 200 and len(answer["results"]) == 256
        assert all(r["status"]["code"] == 0 for r in answer["results"])
    finally:
        assert server.stop() == 0
