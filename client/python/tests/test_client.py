"""The Python client against a live radlabel-server."""

import asyncio
import io
import urllib.request

import grpc
import pytest

from radlabel_client import AsyncClient, Client, csv_reports
from radlabel_client.testing import LocalServer

from conftest import SERVER_BINARY

STROKE = "FINDINGS: Acute infarct in the left MCA territory, with restricted diffusion."
NORMAL = "Normal MRI brain. No mass."


def test_label_a_list_in_order_with_a_bad_report_failing_alone(server):
    with Client(server.target) as client:
        results = client.label([("s1", STROKE), ("empty", ""), ("n1", NORMAL)])
    assert [r.id for r in results] == ["s1", "empty", "n1"]
    assert results[0].ok and results[0].decisions["acute_stroke"] == "positive"
    assert results[2].ok and results[2].decisions["abnormal"] == "negative"
    assert sum(results[0].labels["acute_stroke"].probabilities.values()) == pytest.approx(1, abs=1e-4)
    assert not results[1].ok and results[1].code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "empty" in results[1].error


def test_label_more_reports_than_one_request_holds(server):
    with Client(server.target) as client:
        limit = client.model_info().limits.max_reports_per_request
        reports = [(f"r{i}", NORMAL) for i in range(limit + 5)]
        assert [r.id for r in client.label(reports)] == [f"r{i}" for i in range(limit + 5)]


def test_a_csv_export_streams_through_a_generator_in_order(server):
    export = io.StringIO('accession,report\nA1,"CLINICAL DETAILS: ?stroke\n' + STROKE +
                         '\nCONCLUSION: Acute infarct."\nA2,' + NORMAL + "\n"
                         + "".join(f"B{i},{NORMAL}\n" for i in range(100)))
    consumed = 0

    def counting(reports):
        nonlocal consumed
        for report in reports:
            consumed += 1
            yield report

    with Client(server.target) as client:
        results = list(client.label_stream(
            counting(csv_reports(export, id_column="accession", text_column="report")),
            reports_per_message=7))
    assert consumed == 102
    assert [r.id for r in results] == ["A1", "A2"] + [f"B{i}" for i in range(100)]
    assert results[0].decisions["acute_stroke"] == "positive"


def test_label_csv_names_a_missing_column():
    with pytest.raises(ValueError, match="'id' or 'text'"):
        list(csv_reports(io.StringIO("accession,report\nA1,x\n")))


def test_async_streaming_gives_the_blocking_clients_results(server):
    reports = [(f"r{i}", STROKE if i % 2 else NORMAL) for i in range(40)]

    async def stream():
        async def source():
            for report in reports:
                yield report
        async with AsyncClient(server.target) as client:
            unary = await client.label(reports[:3])
            streamed = [r async for r in client.label_stream(source(), reports_per_message=6)]
            return unary, streamed

    unary, streamed = asyncio.run(stream())
    with Client(server.target) as client:
        blocking = client.label(reports)
    assert [r.id for r in streamed] == [r.id for r, _ in zip(blocking, reports)]
    for a, b in zip(streamed, blocking):
        assert a.decisions == b.decisions
        for name in a.labels:
            for cls, p in a.labels[name].probabilities.items():
                assert p == pytest.approx(b.labels[name].probabilities[cls], abs=1e-5)
    assert [r.id for r in unary] == ["r0", "r1", "r2"]


def test_evidence_points_into_the_report(server):
    with Client(server.target, include_evidence=True) as client:
        (result,) = client.label([("s1", STROKE)])
    start, end = result.labels["acute_stroke"].evidence
    assert "infarct" in STROKE[start:end]


def test_an_unreachable_server_raises_unavailable():
    with LocalServer(SERVER_BINARY) as doomed:
        target = doomed.target
    with Client(target, timeout=3, max_attempts=2) as client:
        with pytest.raises(grpc.RpcError) as error:
            client.label([("r1", NORMAL)])
    assert error.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_settings_are_checked_with_a_fix():
    with pytest.raises(ValueError, match="choose 1"):
        Client("localhost:1", max_attempts=9)
    with pytest.raises(ValueError, match="tls_ca"):
        Client("localhost:1", tls_cert="c.pem", tls_key="k.pem")


def reports_answered(server) -> float:
    with urllib.request.urlopen(f"http://{server.metrics_address}/metrics") as response:
        exposition = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines()
               if line.startswith("radlabel_reports_total{"))


def test_pipelined_calls_spread_over_two_servers_and_survive_one_dying():
    with LocalServer(SERVER_BINARY) as first, LocalServer(SERVER_BINARY) as second:
        with Client(f"ipv4:{first.target},{second.target}") as client:
            reports = [(f"r{i}", NORMAL) for i in range(400)]
            ids = [r.id for r in client.label_pipelined(reports, reports_per_call=5)]
            assert ids == [f"r{i}" for i in range(400)]
            for server in (first, second):
                assert reports_answered(server) >= 100, f"{server.target} took too small a share"
            ids = []
            for result in client.label_pipelined(reports, reports_per_call=5):
                assert result.ok, result.error
                ids.append(result.id)
                if len(ids) == 100:
                    second.process.kill()  # mid-job, with calls in flight on both
            assert ids == [f"r{i}" for i in range(400)]
