#!/usr/bin/env python3
"""Throughput of the HTTP/JSON API as a ratio to gRPC unary calls, on one server, in one run.

    PYTHONPATH=client/python /usr/bin/python3 bench/http_vs_grpc.py [--rounds 3] [--seconds 15]

Closed loop: CALLERS threads each send REPORTS reports per request, one request at a time, for
--seconds, first over gRPC (Labeller.Label, one channel), then over HTTP (POST /v1/label, one
keep-alive connection per caller); alternating, --rounds times. Both sides use the same
corpus and a minimal Python driver (generated stubs, json), so the ratio compares the server's
two doors, not two client libraries. Prints every phase and the median ratio HTTP / gRPC.
"""

import argparse
import csv
import http.client
import json
import os
import statistics
import threading
import time

import grpc

from radlabel_client.testing import LocalServer
from radlabel_client.v1 import labeller_pb2, labeller_pb2_grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [(row["report_id"], row["text"]) for row in csv.DictReader(f)]


def requests_of(reports, per_request, callers):
    """Per caller, a cycle of request bodies over the corpus, starting at different reports."""
    out = []
    for c in range(callers):
        start = (c * per_request * 7) % len(reports)
        batch = [reports[(start + i) % len(reports)] for i in range(per_request)]
        out.append(batch)
    return out


def closed_loop(callers, seconds, call):
    """Runs call(caller) in `callers` threads for `seconds`; returns reports/s."""
    done = [0] * callers
    stop = time.monotonic() + seconds

    def run(c):
        while time.monotonic() < stop:
            done[c] += call(c)

    threads = [threading.Thread(target=run, args=(c,)) for c in range(callers)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - begin)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.path.join(ROOT, "build", "server", "radlabel-server"))
    parser.add_argument("--corpus", default=os.path.join(ROOT, "model", "samples", "head_mri_reports.csv"))
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--reports", type=int, default=32, help="reports per request")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    batches = requests_of(corpus(args.corpus), args.reports, args.callers)
    grpc_requests = [labeller_pb2.LabelRequest(reports=[labeller_pb2.Report(id=i, text=t.encode())
                                                        for i, t in b]) for b in batches]
    http_bodies = [json.dumps({"reports": [{"id": i, "text": t} for i, t in b]}).encode() for b in batches]

    with LocalServer(args.server) as server:
        channel = grpc.insecure_channel(server.target)
        stub = labeller_pb2_grpc.LabellerStub(channel)
        host, port = server.http_address.split(":")
        connections = [http.client.HTTPConnection(host, int(port), timeout=300) for _ in range(args.callers)]

        def grpc_call(c):
            response = stub.Label(grpc_requests[c], timeout=300)
            return sum(1 for r in response.results if r.status.code == 0)

        def http_call(c):
            connections[c].request("POST", "/v1/label", http_bodies[c], {"Content-Type": "application/json"})
            answer = connections[c].getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"HTTP {answer.status}: {body[:200]!r}")
            return sum(1 for r in json.loads(body)["results"] if r["status"]["code"] == 0)

        closed_loop(args.callers, 3, grpc_call)  # warm-up: allocator, threads, connections
        ratios = []
        for round_ in range(1, args.rounds + 1):
            grpc_rate = closed_loop(args.callers, args.seconds, grpc_call)
            for connection in connections:  # idle through the gRPC phase: the server closed them
                connection.close()
            http_rate = closed_loop(args.callers, args.seconds, http_call)
            ratios.append(http_rate / grpc_rate)
            print(f"round {round_}: gRPC unary {grpc_rate:.1f} reports/s, HTTP {http_rate:.1f} reports/s, "
                  f"ratio {ratios[-1]:.3f}", flush=True)
        print(f"median HTTP / gRPC ratio over {args.rounds} rounds ({args.callers} callers x "
              f"{args.reports} reports): {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
