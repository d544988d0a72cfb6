#!/usr/bin/python3
"""Where serving's time goes: CPU accounting of the bare model loop against radlabel-server.

Runs (a) the offline ceiling over the corpus and (b) radlabel-server driven by `radlabel bench`
(4 streams x 32 reports/message) over the same reports, and prints for each the cores used and
CPU-ms per model window; for the server also the CPU of its two busiest threads (the model
threads: two batcher workers by default) apart from all its other threads, the load generator's CPU, the
share of wall time inside model calls and the mean padding (from its /metrics).

    /usr/bin/python3 bench/cpu_accounting.py [--corpus FILE]   (bench/run.sh makes the corpus)
"""
import argparse
import json
import os
import re
import subprocess
import time
import urllib.request

from run import ROOT, start, stop

TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """Seconds of user+system CPU per thread id."""
    cpu = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu[tid] = (int(fields[11]) + int(fields[12])) / TICK
    return cpu


def timed(cmd):
    """Runs cmd; returns (stdout, wall seconds, user+system CPU seconds of the child)."""
    before = os.times()
    start_time = time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.time() - start_time
    after = os.times()
    return out, wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--corpus", default=os.path.join(ROOT, "build", "bench", "corpus_20000.csv"))
    args = parser.parse_args()

    out, wall, cpu = timed([os.path.join(args.build, "bench", "radlabel-offline-ceiling"),
                            f"--input={args.corpus}", "--id_column=report_id", "--json"])
    ceiling = json.loads(out.strip().splitlines()[-1])
    windows, reports = ceiling["windows"], ceiling["reports"]
    print(f"(a) bare loop: {cpu / wall:.2f} cores, {1e3 * cpu / windows:.2f} CPU-ms per window "
          f"(load and tokenization included), padding {100 * ceiling['padding_ratio']:.1f}%")

    proc, port = start([os.path.join(args.build, "server", "radlabel-server"), "--listen=127.0.0.1:0",
                        "--metrics_listen=127.0.0.1:0", "--http_listen="], "/tmp/radlabel_cpu_accounting.log")
    with open("/tmp/radlabel_cpu_accounting.log") as f:
        metrics_port = re.search(r"metrics on https?://127\.0\.0\.1:(\d+)", f.read()).group(1)
    before = thread_cpu(proc.pid)
    _, wall, client_cpu = timed([os.path.join(args.build, "client", "radlabel"), "bench", args.corpus,
                                 "--id_column=report_id", f"--target=127.0.0.1:{port}", "--stream",
                                 "--concurrency=4", "--reports_per_request=32", "--max_in_flight=256",
                                 f"--max_reports={reports}", "--duration=3600s"])
    after = thread_cpu(proc.pid)
    scrape = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics").read().decode()
    stop(proc)
    series = dict(line.rsplit(" ", 1) for line in scrape.splitlines() if line and line[0] != "#")
    served_windows = float(series["radlabel_batch_size_windows_sum"])
    used = sorted((after[t] - before.get(t, 0) for t in after), reverse=True)
    model_cpu, other_cpu = sum(used[:2]), sum(used[2:])
    print(f"(b) server: model threads {model_cpu / wall:.2f} cores, "
          f"{1e3 * model_cpu / served_windows:.2f} CPU-ms per window; other server threads "
          f"{other_cpu:.1f} s, load generator {client_cpu:.1f} s CPU over {wall:.1f} s")
    print(f"    model calls {100 * float(series['radlabel_inference_duration_seconds_sum']) / wall:.0f}% "
          f"of wall time, mean padding "
          f"{100 * float(series['radlabel_batch_padding_ratio_sum']) / float(series['radlabel_batch_padding_ratio_count']):.2f}%, "
          f"{served_windows / float(series['radlabel_batch_size_windows_count']):.1f} windows per call")


if __name__ == "__main__":
    main()
