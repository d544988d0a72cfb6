"""The thin Python client of radlabel-server (radlabel.v1.Labeller over gRPC).

Results come back in the order the reports were given. A report the server could not label (empty,
not UTF-8, too long) is not an error of the call: its Result has ``ok == False`` and ``error`` says
why. Errors of a whole call raise ``grpc.RpcError`` with the gRPC status code.
"""

from __future__ import annotations

import collections
import csv
import json
from dataclasses import dataclass
from typing import AsyncIterable, AsyncIterator, Deque, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import grpc
from grpc import aio

from .v1 import labeller_pb2, labeller_pb2_grpc

#: A report: (id, text), or a labeller_pb2.Report.
ReportLike = Union[Tuple[str, str], labeller_pb2.Report]


@dataclass(frozen=True)
class Label:
    """One label of one report."""

    decision: str  # one of ModelInfo.classes, e.g. "positive"
    probabilities: Dict[str, float]  # class -> probability
    # The supporting sentence as [start, end) code-point offsets into the text (include_evidence).
    evidence: Optional[Tuple[int, int]] = None


@dataclass(frozen=True)
class Result:
    """The outcome of one report."""

    id: str
    code: int  # gRPC status code of this report: 0 OK, 3 INVALID_ARGUMENT, ...
    error: str  # what was wrong and what to do (names the id, never the text); "" when OK
    labels: Dict[str, Label]
    num_tokens: int
    num_chunks: int

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def decisions(self) -> Dict[str, str]:
        return {name: label.decision for name, label in self.labels.items()}


def _result(message: labeller_pb2.ReportResult, classes: List[str]) -> Result:
    labels = {}
    for label in message.labels:
        evidence = None
        if label.HasField("evidence"):
            evidence = (label.evidence.start, label.evidence.end)
        labels[label.name] = Label(label.decision, dict(zip(classes, label.probabilities)), evidence)
    return Result(message.id, message.status.code, message.status.message, labels,
                  message.num_tokens, message.num_chunks)


def _report(report: ReportLike) -> labeller_pb2.Report:
    if isinstance(report, labeller_pb2.Report):
        return report
    report_id, text = report
    return labeller_pb2.Report(id=report_id, text=text.encode("utf-8") if isinstance(text, str) else text)


class _Requests:
    """Packs reports into LabelRequests of at most `per_message` reports."""

    def __init__(self, per_message: int, evidence: bool):
        self._per_message = per_message
        self._evidence = evidence
        self._request = labeller_pb2.LabelRequest(include_evidence=evidence)

    def add(self, report: ReportLike) -> Optional[labeller_pb2.LabelRequest]:
        """Adds a report; returns a request when that filled one."""
        self._request.reports.append(_report(report))
        return self.rest() if len(self._request.reports) == self._per_message else None

    def rest(self) -> Optional[labeller_pb2.LabelRequest]:
        """The request being filled, if it holds any report."""
        full, self._request = self._request, labeller_pb2.LabelRequest(include_evidence=self._evidence)
        return full if full.reports else None


def _messages(reports: Iterable[ReportLike], per_message: int, evidence: bool) -> Iterator[labeller_pb2.LabelRequest]:
    requests = _Requests(per_message, evidence)
    for report in reports:
        request = requests.add(report)
        if request is not None:
            yield request
    if (request := requests.rest()) is not None:
        yield request


def csv_reports(lines: Iterable[str], id_column: str = "id", text_column: str = "text") -> Iterator[Tuple[str, str]]:
    """Yields (id, text) from a CSV export with a header row, one row at a time (quoted line
    breaks inside a report are fine: open the file with ``newline=""``)."""
    for row_number, row in enumerate(csv.DictReader(lines), start=2):
        if id_column not in row or text_column not in row:
            raise ValueError(f"CSV row {row_number} has no '{id_column}' or '{text_column}' column; "
                             "name the right ones with id_column= and text_column=")
        yield row[id_column], row[text_column] or ""


def _channel_options(max_attempts: int, max_message_bytes: int) -> list:
    # The C++ client's service config: round_robin over every server the target resolves to, and
    # gRPC's retry policy (jitter, server pushback, a new pick per attempt) for UNAVAILABLE and
    # RESOURCE_EXHAUSTED.
    config: dict = {"loadBalancingConfig": [{"round_robin": {}}]}
    if max_attempts > 1:
        config["methodConfig"] = [{
            "name": [{"service": "radlabel.v1.Labeller"}],
            "retryPolicy": {"maxAttempts": max_attempts, "initialBackoff": "0.1s", "maxBackoff": "5s",
                            "backoffMultiplier": 2,
                            "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]},
        }]
    return [("grpc.service_config", json.dumps(config)),
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            ("grpc.per_rpc_retry_buffer_size", max_message_bytes)]


class _Settings:
    """What Client and AsyncClient share: channel construction and per-call metadata."""

    def __init__(self, target: str, *, timeout: float = 300.0, max_attempts: int = 5,
                 include_evidence: bool = False, tls_ca: Optional[str] = None,
                 tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                 auth_token: Optional[str] = None, max_message_bytes: int = 64 << 20):
        if not 1 <= max_attempts <= 5:
            raise ValueError(f"max_attempts is {max_attempts}; choose 1 (no retries) to 5 (gRPC's cap)")
        if (tls_cert or tls_key) and not tls_ca:
            raise ValueError("a client certificate needs TLS: give tls_ca, the CA that signed the "
                             "server's certificate, too")
        self.target = target
        self.timeout = timeout
        self.include_evidence = include_evidence
        self.options = _channel_options(max_attempts, max_message_bytes)
        self.credentials = None
        if tls_ca:
            def read(path):
                with open(path, "rb") as f:
                    return f.read()
            self.credentials = grpc.ssl_channel_credentials(
                read(tls_ca), read(tls_key) if tls_key else None, read(tls_cert) if tls_cert else None)
        self.metadata = (("authorization", f"Bearer {auth_token}"),) if auth_token else None

    def channel(self, module):
        if self.credentials is None:
            return module.insecure_channel(self.target, options=self.options)
        return module.secure_channel(self.target, self.credentials, options=self.options)


class Client:
    """A blocking client. ``target``: host:port, or a gRPC target such as dns:///radlabel:50051
    (every server it resolves to is used) or ipv4:10.0.0.1:50051,10.0.0.2:50051.

    ``timeout`` (seconds) is each unary call's deadline; ``max_attempts`` (1..5) bounds retries of
    UNAVAILABLE and RESOURCE_EXHAUSTED; TLS with ``tls_ca`` (and mutual TLS with ``tls_cert`` and
    ``tls_key``, PEM file paths); ``auth_token`` is sent as a bearer token."""

    def __init__(self, target: str, **settings):
        self._settings = _Settings(target, **settings)
        self._channel = self._settings.channel(grpc)
        self._stub = labeller_pb2_grpc.LabellerStub(self._channel)
        self._info: Optional[labeller_pb2.ModelInfo] = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def model_info(self) -> labeller_pb2.ModelInfo:
        """The served model (name, version, checksum, labels, classes) and the server's limits."""
        if self._info is None:
            self._info = self._stub.GetModelInfo(labeller_pb2.GetModelInfoRequest(),
                                                 timeout=self._settings.timeout,
                                                 metadata=self._settings.metadata)
        return self._info

    def label(self, reports: Iterable[ReportLike]) -> List[Result]:
        """Labels a list of reports: unary calls of at most the server's max_reports_per_request,
        one after another. For long inputs prefer label_stream or label_pipelined, which do not
        hold them all."""
        limit = self.model_info().limits.max_reports_per_request
        return list(self.label_pipelined(reports, reports_per_call=limit, calls_in_flight=1))

    def label_pipelined(self, reports: Iterable[ReportLike], reports_per_call: int = 32,
                        calls_in_flight: int = 8) -> Iterator[Result]:
        """Labels any number of reports in concurrent unary calls of ``reports_per_call`` reports,
        at most ``calls_in_flight`` at once, yielding results in order. Unlike one stream, which
        lives on one connection to one server, each call is balanced and retried on its own: with
        a target naming several servers the calls spread over all of them, and a call whose
        server fails is retried on another."""
        classes = list(self.model_info().classes)
        pending: Deque[grpc.Future] = collections.deque()
        try:
            for request in _messages(reports, reports_per_call, self._settings.include_evidence):
                if len(pending) == calls_in_flight:
                    yield from (_result(r, classes) for r in pending.popleft().result().results)
                pending.append(self._stub.Label.future(request, timeout=self._settings.timeout,
                                                       metadata=self._settings.metadata))
            while pending:
                yield from (_result(r, classes) for r in pending.popleft().result().results)
        finally:  # an error, or a caller that stopped reading: the rest is not needed
            for call in pending:
                call.cancel()

    def label_stream(self, reports: Iterable[ReportLike], reports_per_message: int = 32) -> Iterator[Result]:
        """Labels any number of reports through one LabelStream, yielding results in order as they
        arrive. ``reports`` may be a generator: it is read as the server takes reports, so memory
        stays bounded by the server's read-ahead, not the input's length."""
        classes = list(self.model_info().classes)
        responses = self._stub.LabelStream(
            _messages(reports, reports_per_message, self._settings.include_evidence),
            metadata=self._settings.metadata)
        for response in responses:
            for result in response.results:
                yield _result(result, classes)

    def label_csv(self, lines: Iterable[str], id_column: str = "id", text_column: str = "text",
                  reports_per_message: int = 32) -> Iterator[Result]:
        """label_stream over a CSV export (a file opened with ``newline=""``, or any lines)."""
        return self.label_stream(csv_reports(lines, id_column, text_column), reports_per_message)


class AsyncClient:
    """The asyncio client (grpc.aio); the same settings as Client. Use ``async with``."""

    def __init__(self, target: str, **settings):
        self._settings = _Settings(target, **settings)
        self._channel = self._settings.channel(aio)
        self._stub = labeller_pb2_grpc.LabellerStub(self._channel)
        self._classes: Optional[List[str]] = None

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def model_info(self) -> labeller_pb2.ModelInfo:
        return await self._stub.GetModelInfo(labeller_pb2.GetModelInfoRequest(),
                                             timeout=self._settings.timeout,
                                             metadata=self._settings.metadata)

    async def _class_names(self) -> List[str]:
        if self._classes is None:
            self._classes = list((await self.model_info()).classes)
        return self._classes

    async def label(self, reports: Iterable[ReportLike]) -> List[Result]:
        """One unary call (up to the server's max_reports_per_request reports)."""
        classes = await self._class_names()
        request = labeller_pb2.LabelRequest(reports=[_report(r) for r in reports],
                                            include_evidence=self._settings.include_evidence)
        response = await self._stub.Label(request, timeout=self._settings.timeout,
                                          metadata=self._settings.metadata)
        return [_result(r, classes) for r in response.results]

    async def label_stream(self, reports: Union[Iterable[ReportLike], AsyncIterable[ReportLike]],
                           reports_per_message: int = 32) -> AsyncIterator[Result]:
        """Streams reports (an iterable or an async iterable) through one LabelStream, yielding
        results in order as they arrive."""
        classes = await self._class_names()

        async def messages():
            requests = _Requests(reports_per_message, self._settings.include_evidence)
            async for report in _aiter(reports):
                request = requests.add(report)
                if request is not None:
                    yield request
            if (request := requests.rest()) is not None:
                yield request

        async for response in self._stub.LabelStream(messages(), metadata=self._settings.metadata):
            for result in response.results:
                yield _result(result, classes)


async def _aiter(items):
    if hasattr(items, "__aiter__"):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
