"""A radlabel-server child process on 127.0.0.1 with ephemeral ports, for tests of pipelines
that use radlabel (and for this package's own tests).

    with LocalServer("/usr/local/bin/radlabel-server") as server:
        with Client(server.target) as client: ...
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from typing import List, Optional

_LISTENING = re.compile(r"listening on (127\.0\.0\.1:\d+)")
_METRICS = re.compile(r"metrics on https?://(127\.0\.0\.1:\d+)/metrics")
_HTTP = re.compile(r"HTTP API on https?://(127\.0\.0\.1:\d+)/v1/label")


class LocalServer:
    """Starts ``binary`` with ``--listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0
    --http_listen=127.0.0.1:0`` and ``args``, and returns once it prints where it listens (no
    sleeping, no polling). ``target`` is its gRPC address, ``metrics_address`` host:port of its
    /metrics, ``http_address`` host:port of its HTTP API ("" when ``args`` disable it).
    ``output`` collects everything it prints (its log: a line per request), read on a thread of
    its own so that the server never blocks on a full pipe."""

    def __init__(self, binary: str, args: Optional[List[str]] = None, start_timeout: float = 120.0):
        self.process = subprocess.Popen(
            [binary, "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
             *(args or [])],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.target = ""
        self.metrics_address = ""
        self.http_address = ""
        self.output: List[str] = []
        self._reader: Optional[threading.Thread] = None
        give_up = time.monotonic() + start_timeout
        while not (self.target and self.metrics_address):
            line = self.process.stdout.readline()
            if not line or time.monotonic() > give_up:
                self.stop()
                raise RuntimeError("radlabel-server did not start:\n" + "".join(self.output))
            self.output.append(line)
            if match := _LISTENING.search(line):
                self.target = match.group(1)
            if match := _METRICS.search(line):
                self.metrics_address = match.group(1)
            if match := _HTTP.search(line):
                self.http_address = match.group(1)

        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> int:
        """SIGTERM (the server drains), then waits; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=120)
        if self._reader:
            self._reader.join(timeout=120)
        self.process.stdout.close()
        return code
