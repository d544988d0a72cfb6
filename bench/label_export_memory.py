#!/usr/bin/env python3
"""Peak memory of the Python pipeline example (client/python/examples/label_export.py) on a
small and a large CSV export, against one local server, in one run.

    PYTHONPATH=client/python /usr/bin/python3 bench/label_export_memory.py [--rows 2000 100000]

Each export repeats the sample reports (model/samples/head_mri_reports.csv) to its row count.
Prints, per export, the seconds and the client's peak resident memory (ru_maxrss of the
example's process), then the ratio large / small: bounded memory keeps it near 1.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

from radlabel_client.testing import LocalServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "client", "python", "examples", "label_export.py")


def write_export(path, rows, samples):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["accession", "report_text"])
        for i in range(rows):
            writer.writerow([f"A{i}", samples[i % len(samples)]])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.path.join(ROOT, "build", "server", "radlabel-server"))
    parser.add_argument("--samples", default=os.path.join(ROOT, "model", "samples", "head_mri_reports.csv"))
    parser.add_argument("--rows", type=int, nargs=2, default=[2000, 100000], metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    with open(args.samples, newline="", encoding="utf-8") as f:
        samples = [row["text"] for row in csv.DictReader(f)]

    peaks = []
    with tempfile.TemporaryDirectory() as work, LocalServer(args.server) as server:
        for rows in args.rows:
            export, output = os.path.join(work, f"export{rows}.csv"), os.path.join(work, "labels.csv")
            write_export(export, rows, samples)
            begin = time.monotonic()
            process = subprocess.Popen([sys.executable, EXAMPLE, export, output, "--target", server.target,
                                        "--id-column", "accession", "--text-column", "report_text"])
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.monotonic() - begin
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"label_export.py failed on {rows} rows")
            peaks.append(usage.ru_maxrss / 1024)
            print(f"{rows} rows ({os.path.getsize(export) / 1e6:.0f} MB): {seconds:.1f} s, "
                  f"{rows / seconds:.1f} reports/s, peak resident memory {peaks[-1]:.1f} MB", flush=True)
    print(f"peak memory {args.rows[1]} rows / {args.rows[0]} rows: {peaks[1] / peaks[0]:.3f}")


if __name__ == "__main__":
    main()
