#!/usr/bin/env python3
"""How long a one-report call waits behind other callers' long reports, on one server.

    PYTHONPATH=client/python /usr/bin/python3 bench/fairness.py [--server build/server/radlabel-server]

Starts a server, times a one-report call on the idle server, then starts three unary calls of
one 256 KiB report each, waits a second for their windows to queue, and times the one-report
call again behind them. Prints both and how long the big calls took after it. Run it against
two server binaries to compare batching policies (docs/benchmarks.md).
"""

import argparse
import threading
import time

from radlabel_client import Client
from radlabel_client.testing import LocalServer

SMALL = "Acute infarct in the left MCA territory."
BIG = ("FINDINGS: The ventricles and sulci are normal for age. " * 4700)[:256 * 1024]


def timed_label(client, report):
    start = time.monotonic()
    client.label([report])
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="build/server/radlabel-server")
    args = parser.parse_args()
    with LocalServer(args.server, ["--max_report_bytes=300000"]) as server:
        client = Client(server.target, timeout=600)
        client.label([("warm", "Normal MRI brain.")])
        print(f"one-report call, idle server: {timed_label(client, ('idle', SMALL)):.3f} s")
        big = [threading.Thread(target=lambda i=i: client.label([(f"big{i}", BIG)])) for i in range(3)]
        for t in big:
            t.start()
        time.sleep(1.0)  # the big calls' windows queue first
        start = time.monotonic()
        print(f"one-report call behind 3 x 256 KiB reports: {timed_label(client, ('small', SMALL)):.3f} s")
        for t in big:
            t.join()
        print(f"the big calls ended {time.monotonic() - start:.1f} s after the one-report call started")


if __name__ == "__main__":
    main()
