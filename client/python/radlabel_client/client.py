"""The thin Python client of radlabel-server (radlabel.v1.Labeller over gRPC).

Results come back in the order the reports were given. A report the server could not label (empty,
not UTF-8, too long) is not an error of the call: its Result has ``ok == False`` and ``error`` says
why. Errors of a whole call raise ``grpc.RpcError`` with the gRPC status code; an exception raised
by the caller's own iterable of reports reaches the caller unchanged.
"""

from __future__ import annotations

import collections
import csv
import itertools
import json
import os
from dataclasses import dataclass
from typing import (AsyncIterable, AsyncIterator, Deque, Dict, Iterable, Iterator, List, Optional,
                    TextIO, Tuple, Union)

import grpc
from grpc import aio

from .v1 import labeller_pb2, labeller_pb2_grpc

#: A report: (id, text), or a labeller_pb2.Report.
ReportLike = Union[Tuple[str, str], labeller_pb2.Report]


#: CheXpert's label values by decision: 1 positive, 0 negative, -1 uncertain.
CHEXPERT_VALUES = {"positive": 1, "negative": 0, "uncertain": -1}


@dataclass(frozen=True)
class Evidence:
    """The sentence a label's attention weighted most (asked for with include_evidence)."""

    start: int  # [start, end): code-point offsets into the report text, as text[start:end]
    end: int
    weight: float  # that sentence's share of the label's attention, 0..1
    text: str  # the sentence itself


@dataclass(frozen=True)
class Label:
    """One label of one report."""

    decision: str  # one of ModelInfo.classes, e.g. "positive"
    probabilities: Dict[str, float]  # class -> probability
    evidence: Optional[Evidence] = None  # with include_evidence, for decisions not "negative"

    @property
    def chexpert(self) -> Optional[int]:
        """The decision as a CheXpert label value (1, 0, -1); None for a class CheXpert lacks."""
        return CHEXPERT_VALUES.get(self.decision)


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


def _result(message: labeller_pb2.ReportResult, classes: List[str], text: bytes = b"") -> Result:
    """`text`: the report's, to quote its evidence (needed only with include_evidence)."""
    labels = {}
    decoded = None
    for label in message.labels:
        evidence = None
        if label.HasField("evidence"):
            if decoded is None:
                decoded = text.decode("utf-8", errors="replace")
            e = label.evidence
            evidence = Evidence(e.start, e.end, e.weight, decoded[e.start:e.end])
        labels[label.name] = Label(label.decision, dict(zip(classes, label.probabilities)), evidence)
    return Result(message.id, message.status.code, message.status.message, labels,
                  message.num_tokens, message.num_chunks)


def _results(response: labeller_pb2.LabelResponse, request: labeller_pb2.LabelRequest,
             classes: List[str]) -> Iterator[Result]:
    """The results of `response`, each with its report from `request` (they come in order)."""
    for message, report in zip(response.results, request.reports):
        yield _result(message, classes, report.text)


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


# Longest CSV field read, in characters: above any server's max_report_bytes in practice.
_CSV_FIELD_LIMIT = 64 << 20


def csv_reports(lines: Iterable[str], id_column: str = "id", text_column: str = "text") -> Iterator[Tuple[str, str]]:
    """(id, text) of each row of a CSV export with a header row, read one row at a time (quoted
    line breaks inside a report are fine: open the file with ``newline=""``). The header is
    checked at once, before any row is read: a missing column raises ValueError naming it and
    listing the columns there are. A UTF-8 byte-order mark before the header is ignored."""
    # A report may be longer than csv's default field limit (128 Ki characters); the server's
    # own limit (max_report_bytes) is the one that should decide.
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        raise ValueError("the CSV export is empty; it needs a header row naming its columns")
    rows = csv.reader(itertools.chain([first.removeprefix("\ufeff")], lines))
    header = [name.strip() for name in next(rows)]
    positions = {}
    for column, argument in ((id_column, "id_column"), (text_column, "text_column")):
        if column not in header:
            raise ValueError(f"the CSV export has no column '{column}' (columns: {', '.join(header)}); "
                             f"name the right one with {argument}=")
        positions[column] = header.index(column)
    return _csv_rows(rows, positions[id_column], positions[text_column])


def _csv_rows(rows, id_position: int, text_position: int) -> Iterator[Tuple[str, str]]:
    needed = max(id_position, text_position) + 1
    for row in rows:
        if not row:
            continue
        if len(row) < needed:
            raise ValueError(f"CSV line {rows.line_num} has {len(row)} fields, the header names "
                             f"{needed} or more: check for an unquoted comma or line break")
        yield row[id_position], row[text_position]


def _open_csv(source: Union[str, os.PathLike, TextIO]) -> TextIO:
    """A path opened as a CSV export should be (utf-8-sig: a byte-order mark is dropped)."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, newline="", encoding="utf-8-sig")
    return source


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
        pending: Deque[Tuple[grpc.Future, labeller_pb2.LabelRequest]] = collections.deque()

        def answered():
            call, request = pending.popleft()
            return _results(call.result(), request, classes)

        try:
            for request in _messages(reports, reports_per_call, self._settings.include_evidence):
                if len(pending) == calls_in_flight:
                    yield from answered()
                pending.append((self._stub.Label.future(request, timeout=self._settings.timeout,
                                                        metadata=self._settings.metadata), request))
            while pending:
                yield from answered()
        finally:  # an error, or a caller that stopped reading: the rest is not needed
            for call, _ in pending:
                call.cancel()

    def label_stream(self, reports: Iterable[ReportLike], reports_per_message: int = 32) -> Iterator[Result]:
        """Labels any number of reports through one LabelStream, yielding results in order as they
        arrive. ``reports`` may be a generator: it is read as the server takes reports, so memory
        stays bounded by the server's read-ahead, not the input's length. An exception it raises
        ends the stream and is raised here, unchanged."""
        classes = list(self.model_info().classes)
        source = _Source(_messages(reports, reports_per_message, self._settings.include_evidence))
        responses = self._stub.LabelStream(iter(source), metadata=self._settings.metadata)
        try:
            for response in responses:
                yield from _results(response, source.sent.popleft(), classes)
                source.raise_error()
            source.raise_error()
        finally:
            responses.cancel()  # a no-op once the stream ended

    def label_csv(self, source: Union[str, os.PathLike, TextIO], id_column: str = "id",
                  text_column: str = "text", reports_per_message: int = 32) -> Iterator[Result]:
        """label_stream over a CSV export: a path (read as UTF-8, a byte-order mark dropped) or a
        file opened with ``newline=""``. The header is checked before anything is sent: a wrong
        column raises ValueError here, naming it and listing the columns."""
        f = _open_csv(source)
        try:
            reports = csv_reports(f, id_column, text_column)
        except BaseException:
            if f is not source:
                f.close()
            raise
        results = self.label_stream(reports, reports_per_message)
        return results if f is source else _closing_after(results, f)


def _closing_after(results: Iterator[Result], f: TextIO) -> Iterator[Result]:
    """`results`, closing `f` (a CSV export label_csv opened) when they end."""
    with f:
        yield from results


class _Source:
    """The request messages of one LabelStream, read in gRPC's thread. Keeps the messages sent and
    not yet answered (their texts quote evidence; the server's read-ahead bounds them), and an
    exception of the caller's iterable, which gRPC would otherwise replace with UNKNOWN
    "Exception iterating requests!"."""

    def __init__(self, messages):
        self._messages = messages
        self.sent: Deque[labeller_pb2.LabelRequest] = collections.deque()
        self.error: Optional[BaseException] = None

    def __iter__(self):
        try:
            for message in self._messages:
                self.sent.append(message)
                yield message
        except Exception as error:  # noqa: BLE001 -- handed to the caller by raise_error
            self.error = error

    async def __aiter__(self):
        try:
            async for message in self._messages:
                self.sent.append(message)
                yield message
        except Exception as error:  # noqa: BLE001 -- handed to the caller by raise_error
            self.error = error

    def raise_error(self):
        if self.error is not None:
            raise self.error


class AsyncClient:
    """The asyncio client (grpc.aio); the same settings as Client. Use ``async with``."""

    def __init__(self, target: str, **settings):
        self._settings = _Settings(target, **settings)
        self._channel = self._settings.channel(aio)
        self._stub = labeller_pb2_grpc.LabellerStub(self._channel)
        self._info: Optional[labeller_pb2.ModelInfo] = None

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def model_info(self) -> labeller_pb2.ModelInfo:
        """The served model (name, version, checksum, labels, classes) and the server's limits."""
        if self._info is None:
            self._info = await self._stub.GetModelInfo(labeller_pb2.GetModelInfoRequest(),
                                                       timeout=self._settings.timeout,
                                                       metadata=self._settings.metadata)
        return self._info

    async def label(self, reports: Iterable[ReportLike]) -> List[Result]:
        """Labels a list of reports as Client.label does: unary calls of at most the server's
        max_reports_per_request, one after another."""
        info = await self.model_info()
        classes = list(info.classes)
        results: List[Result] = []
        for request in _messages(reports, info.limits.max_reports_per_request,
                                 self._settings.include_evidence):
            response = await self._stub.Label(request, timeout=self._settings.timeout,
                                              metadata=self._settings.metadata)
            results.extend(_results(response, request, classes))
        return results

    async def label_stream(self, reports: Union[Iterable[ReportLike], AsyncIterable[ReportLike]],
                           reports_per_message: int = 32) -> AsyncIterator[Result]:
        """Streams reports (an iterable or an async iterable) through one LabelStream, yielding
        results in order as they arrive; an exception of ``reports`` is raised here, unchanged."""
        classes = list((await self.model_info()).classes)

        async def messages():
            requests = _Requests(reports_per_message, self._settings.include_evidence)
            async for report in _aiter(reports):
                request = requests.add(report)
                if request is not None:
                    yield request
            if (request := requests.rest()) is not None:
                yield request

        source = _Source(messages())
        call = self._stub.LabelStream(source.__aiter__(), metadata=self._settings.metadata)
        try:
            async for response in call:
                for result in _results(response, source.sent.popleft(), classes):
                    yield result
                source.raise_error()
            source.raise_error()
        finally:
            call.cancel()


async def _aiter(items):
    if hasattr(items, "__aiter__"):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
