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


def test_a_csv_export_with_a_byte_order_mark_is_read_by_path_and_by_open_file(server, tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(b"\xef\xbb\xbfaccession,report_text\nA1," + STROKE.encode() + b"\nA2,Normal MRI brain.\n")
    with Client(server.target) as client:
        by_path = list(client.label_csv(export, id_column="accession", text_column="report_text"))
        with open(export, newline="") as f:  # the platform's encoding keeps the mark in the header
            by_file = list(client.label_csv(f, id_column="accession", text_column="report_text"))
    assert [r.id for r in by_path] == [r.id for r in by_file] == ["A1", "A2"]
    assert by_path[0].decisions["acute_stroke"] == "positive"
    # A quoted header after the mark, and a report longer than csv's default field limit.
    long_report = STROKE + " The ventricles are normal." * 6000
    quoted = list(csv_reports(io.StringIO('\ufeff"accession","report_text"\nA1,"' + long_report + '"\n'),
                              id_column="accession", text_column="report_text"))
    assert quoted == [("A1", long_report)] and len(long_report) > 131072


def test_a_wrong_column_raises_before_anything_is_sent_naming_the_columns(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("accession,report_text\nA1,x\n")
    # No server at all: the header is checked before the client looks for one.
    with Client("127.0.0.1:1", timeout=1, max_attempts=1) as client:
        with pytest.raises(ValueError, match=r"no column 'text' \(columns: accession, report_text\); "
                                             r"name the right one with text_column="):
            client.label_csv(export, id_column="accession")
    with pytest.raises(ValueError, match="no column 'id'"):
        csv_reports(io.StringIO("accession,report\nA1,x\n"))


class SourceBroke(Exception):
    pass


def broken_after(n):
    for i in range(n):
        yield f"r{i}", NORMAL
    raise SourceBroke("the caller's own error")


def test_an_exception_of_the_callers_reports_reaches_the_caller_unchanged(server):
    with Client(server.target) as client:
        for label in (lambda r: client.label_stream(r, reports_per_message=2),
                      lambda r: client.label_pipelined(r, reports_per_call=2)):
            with pytest.raises(SourceBroke, match="the caller's own error"):
                list(label(broken_after(5)))

    async def stream():
        async with AsyncClient(server.target) as client:
            return [r async for r in client.label_stream(broken_after(5), reports_per_message=2)]

    with pytest.raises(SourceBroke, match="the caller's own error"):
        asyncio.run(stream())


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
    assert [r.id for r in unary] == ["r0", "r1", "r2"]
    with Client(server.target) as client:
        blocking = client.label(reports)
    assert [r.id for r in streamed] == [r.id for r, _ in zip(blocking, reports)]
    for a, b in zip(streamed, blocking):
        assert a.decisions == b.decisions
        for name in a.labels:
            for cls, p in a.labels[name].probabilities.items():
                assert p == pytest.approx(b.labels[name].probabilities[cls], abs=1e-5)


def test_async_label_splits_a_list_by_the_servers_limit_as_the_blocking_one_does(server):
    async def label(reports):
        async with AsyncClient(server.target) as client:
            limit = (await client.model_info()).limits.max_reports_per_request
            return limit, await client.label(reports(limit))

    limit, results = asyncio.run(label(lambda limit: [(f"r{i}", NORMAL) for i in range(limit + 5)]))
    assert [r.id for r in results] == [f"r{i}" for i in range(limit + 5)]


def test_results_carry_chexpert_values_and_the_evidence_sentence(server):
    text = "No mass. " + STROKE
    for label in ("label", "label_stream", "label_pipelined"):
        with Client(server.target, include_evidence=True) as client:
            (result,) = list(getattr(client, label)([("s1", text)]))
        stroke = result.labels["acute_stroke"]
        assert stroke.chexpert == 1 and result.labels["mass"].chexpert == 0
        assert stroke.evidence.text == text[stroke.evidence.start:stroke.evidence.end]
        assert "infarct" in stroke.evidence.text and 0 < stroke.evidence.weight <= 1
        assert result.labels["mass"].evidence is None


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
