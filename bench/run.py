#!/usr/bin/python3
"""radlabel's benchmark: in ONE run on one machine, measures and prints as ratios

  (a)  the offline ceiling: the bundle as a bare LibTorch loop over length-sorted batches, with
       the server's threads (2 model workers x 1 intra-op thread), and (a') with 1 x 2
  (b)  radlabel end to end over gRPC, driven by `radlabel bench`
  (c)  a naive Python grpcio server running the same TorchScript model once per request
  (d)  radlabel with batching off (--max_batch_size=1)

over a corpus of generated reports. Each measurement is repeated --repeats times and the median
is reported. Results go to RESULTS/bench.json; run it through bench/run.sh.

--profile gpu (bench/gpu/run.sh) measures only (a) and (b), with LabelStream at several
concurrencies (--streams), for a server and ceiling given --model-flag=--device=cuda:0 etc.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable  # run.sh: Debian's python3, whose torch and grpc the naive server needs


def start(cmd, log_path):
    """Starts a server and returns (process, port) once it prints 'listening on HOST:PORT'; the
    rest of what it prints (its log: a line per request) goes on to the log on a thread, so that
    the server never blocks on a full pipe."""
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    for line in proc.stdout:
        log.write(line)
        if "listening on" in line:
            threading.Thread(target=lambda: log.writelines(proc.stdout), daemon=True).start()
            return proc, line.strip().rsplit(":", 1)[1]
    raise SystemExit(f"server failed to start: {' '.join(cmd)} (log: {log_path})")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=60)


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.results = os.path.abspath(args.results)
        os.makedirs(self.results, exist_ok=True)
        self.corpus = os.path.abspath(args.corpus or os.path.join(self.results, f"corpus_{args.reports}.csv"))
        self.stubs = os.path.join(self.results, "stubs")
        self.runs = {}
        # The model flags both the server and the offline ceiling take.
        self.model_flags = ([f"--bundle={os.path.abspath(args.bundle)}"] if args.bundle else []) + args.model_flag

    def prepare(self):
        if not os.path.exists(self.corpus):
            subprocess.run([PYTHON, os.path.join(ROOT, "model", "generate_corpus.py"), "--reports",
                            str(self.args.reports), "--seed", "11", "--out", self.corpus], check=True)
        if self.args.profile == "gpu":
            return  # no naive server, no stubs
        os.makedirs(self.stubs, exist_ok=True)
        subprocess.run(["protoc", f"--proto_path={ROOT}/proto", f"--python_out={self.stubs}",
                        f"--grpc_python_out={self.stubs}",
                        "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                        f"{ROOT}/proto/radlabel/v1/labeller.proto"], check=True)

    def record(self, key, value):
        self.runs.setdefault(key, []).append(value)

    def harness(self, key, port, *flags):
        out = os.path.join(self.results, f"{key}.json")
        cmd = [os.path.join(self.build, "client", "radlabel"), "bench", self.corpus,
               "--id_column=report_id", f"--target=127.0.0.1:{port}", f"--json_out={out}", *flags]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            result = json.load(f)
        print(f"  {key:34s} {result['reports_per_second']:8.1f} reports/s   "
              f"p50 {1e3 * result['latency_seconds']['p50']:7.1f} ms   "
              f"failed {result['reports_failed']}", flush=True)
        self.record(key, result)

    def server(self, name, *flags):
        return start([os.path.join(self.build, "server", "radlabel-server"), "--listen=127.0.0.1:0",
                      "--metrics_listen=", "--http_listen=", *self.model_flags, *flags], os.path.join(self.results, f"{name}.log"))

    def naive(self, name, *flags):
        return start([PYTHON, os.path.join(ROOT, "bench", "naive_server.py"), "--stubs", self.stubs,
                      *flags], os.path.join(self.results, f"{name}.log"))

    def ceiling(self, key, *flags):
        run = subprocess.run([os.path.join(self.build, "bench", "radlabel-offline-ceiling"),
                              f"--input={self.corpus}", "--id_column=report_id", "--json", *self.model_flags,
                              *flags],
                             check=True, capture_output=True, text=True)
        a = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"  {key:34s} {a['model_reports_per_second']:8.1f} reports/s "
              f"(model only; {a['reports_per_second']:.1f} with tokenization)", flush=True)
        self.record(key, a)

    def every_report(self):
        return [f"--max_reports={self.args.reports}", "--duration=3600s"]

    def streams(self, key, port, concurrency):
        self.harness(key, port, "--stream", f"--concurrency={concurrency}", "--reports_per_request=32",
                     "--max_in_flight=512", *self.every_report())

    def gpu_round(self):
        self.ceiling("a_offline_ceiling")
        proc, port = self.server("radlabel")
        for n in self.args.streams:
            self.streams(f"b_streams_{n}", port, n)
        stop(proc)

    def round(self):
        if self.args.profile == "gpu":
            return self.gpu_round()
        duration = f"--duration={self.args.duration}s"
        every_report = self.every_report()
        self.ceiling("a_offline_ceiling")
        self.ceiling("a_offline_ceiling_1x2", "--model_workers=1", "--intra_op_threads=2")

        proc, port = self.server("radlabel")
        self.harness("b_streams", port, "--stream", "--concurrency=4", "--reports_per_request=32",
                     "--max_in_flight=256", *every_report)
        self.harness("b_32_callers", port, "--concurrency=32", duration)
        self.harness("b_1_caller", port, "--concurrency=1", duration)
        stop(proc)

        proc, port = self.server("radlabel_unbatched", "--max_batch_size=1")
        self.harness("d_32_callers", port, "--concurrency=32", duration)
        self.harness("d_1_caller", port, "--concurrency=1", duration)
        stop(proc)

        proc, port = self.naive("naive")
        self.harness("c_32_callers", port, "--concurrency=32", duration)
        stop(proc)
        proc, port = self.naive("naive_1_thread", "--threads=1")
        self.harness("c_32_callers_1_thread", port, "--concurrency=32", duration)
        stop(proc)

    def values(self, key, field="reports_per_second"):
        values = []
        for run in self.runs[key]:
            value = run
            for part in field.split("."):
                value = value[part]
            values.append(value)
        return values

    def median(self, key, field="reports_per_second"):
        return statistics.median(self.values(key, field))

    def ratio(self, numerator, denominator):
        """Median over rounds of numerator/denominator, each pair measured in the same round."""
        return statistics.median(n / d if d > 0 else float("inf")
                                 for n, d in zip(self.values(*numerator), self.values(*denominator)))

    def gpu_summary(self):
        a = self.median("a_offline_ceiling", "model_reports_per_second")
        flags = " ".join(self.model_flags)
        print(f"\nmedians of {self.args.repeats} round(s), {self.args.reports} generated reports, {flags}:")
        print(f"  {'(a) offline ceiling, model only':46s} {a:8.1f} reports/s")
        ratios = {}
        for n in self.args.streams:
            key = f"b_streams_{n}"
            b = self.median(key)
            ratios[f"{key}_over_a"] = self.ratio((key,), ("a_offline_ceiling", "model_reports_per_second"))
            print(f"  {f'(b) radlabel, {n} streams x 32 reports/message':46s} {b:8.1f} reports/s  "
                  f"(b)/(a) {ratios[f'{key}_over_a']:.3f}   100,000 reports in {100000 / b:.1f} s")
        return ratios

    def summary(self):
        if self.args.profile == "gpu":
            ratios = self.gpu_summary()
            with open(os.path.join(self.results, "bench.json"), "w") as f:
                json.dump({"reports": self.args.reports, "repeats": self.args.repeats, "profile": "gpu",
                           "model_flags": self.model_flags, "ratios": ratios, "runs": self.runs}, f, indent=1)
            return
        a = self.median("a_offline_ceiling", "model_reports_per_second")
        b = self.median("b_streams")
        b32, c32 = self.median("b_32_callers"), self.median("c_32_callers")
        c32_t1, d32 = self.median("c_32_callers_1_thread"), self.median("d_32_callers")
        b1_p50 = self.median("b_1_caller", "latency_seconds.p50")
        d1_p50 = self.median("d_1_caller", "latency_seconds.p50")
        rows = [
            ("(a) offline ceiling, model only", a, "2 workers x 1 thread, as served"),
            ("(a') offline ceiling, model only", self.median("a_offline_ceiling_1x2", "model_reports_per_second"),
             "1 worker x 2 threads"),
            ("(b) radlabel, 4 streams x 32 reports/message", b, f"{self.args.reports} reports"),
            ("(b) radlabel, 32 unary callers x 1 report", b32, ""),
            ("(c) naive Python server, 32 callers", c32, "torch default threads (2)"),
            ("(c') naive Python server, 32 callers", c32_t1, "torch threads 1"),
            ("(d) radlabel unbatched, 32 callers", d32, "--max_batch_size=1"),
        ]
        ratios = {
            "b_over_a": self.ratio(("b_streams",), ("a_offline_ceiling", "model_reports_per_second")),
            "a_over_a_1x2": self.ratio(("a_offline_ceiling", "model_reports_per_second"),
                                       ("a_offline_ceiling_1x2", "model_reports_per_second")),
            "b32_over_c32": self.ratio(("b_32_callers",), ("c_32_callers",)),
            "b32_over_c32_1_thread": self.ratio(("b_32_callers",), ("c_32_callers_1_thread",)),
            "b32_over_d32": self.ratio(("b_32_callers",), ("d_32_callers",)),
            "b1_p50_over_d1_p50": self.ratio(("b_1_caller", "latency_seconds.p50"),
                                             ("d_1_caller", "latency_seconds.p50")),
        }
        print(f"\nmedians of {self.args.repeats} round(s), {self.args.reports} generated reports:")
        for name, rate, note in rows:
            print(f"  {name:46s} {rate:8.1f} reports/s  {note}")
        print(f"  1 caller p50 latency: radlabel {1e3 * b1_p50:.2f} ms, unbatched {1e3 * d1_p50:.2f} ms")
        print("ratios (median over rounds of the same-round ratio):")
        print(f"  (b)/(a)   serving vs bare model           {ratios['b_over_a']:.3f}   (goal >= 0.90)")
        print(f"  (a)/(a')  2 workers x 1 vs 1 x 2 threads  {ratios['a_over_a_1x2']:.2f}")
        print(f"  (b)/(c)   at 32 callers                   {ratios['b32_over_c32']:.1f}   (goal >= 5)")
        print(f"  (b)/(c')  at 32 callers, naive 1 thread   {ratios['b32_over_c32_1_thread']:.2f}")
        print(f"  (b)/(d)   batching on vs off, 32 callers  {ratios['b32_over_d32']:.2f}")
        print(f"  p50(b)/p50(d) at 1 caller                 {ratios['b1_p50_over_d1_p50']:.2f}   (goal <= 1.2)")
        print(f"  (b) {b:.1f} reports/s: 100,000 reports in {100000 / b / 60:.1f} min (goal >= 111 reports/s)")
        with open(os.path.join(self.results, "bench.json"), "w") as f:
            json.dump({"reports": self.args.reports, "repeats": self.args.repeats,
                       "ratios": ratios, "runs": self.runs}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--results", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--duration", type=int, default=15, help="seconds per fixed-time run")
    parser.add_argument("--profile", choices=["cpu", "gpu"], default="cpu",
                        help="cpu: (a)-(d) as documented; gpu: (a) and (b) at --streams concurrencies")
    parser.add_argument("--corpus", help="generated corpus CSV, written if missing (default: in --results)")
    parser.add_argument("--bundle", help="bundle to serve and measure (default: the server's)")
    parser.add_argument("--model-flag", action="append", default=[],
                        help="flag for both radlabel-server and the ceiling, e.g. --model-flag=--device=cuda:0")
    parser.add_argument("--streams", type=lambda v: [int(n) for n in v.split(",")], default=[2, 8, 32],
                        help="gpu profile: LabelStream concurrencies, comma-separated")
    args = parser.parse_args()
    bench = Bench(args)
    bench.prepare()
    started = time.time()
    for r in range(args.repeats):
        print(f"round {r + 1}/{args.repeats}", flush=True)
        bench.round()
    bench.summary()
    print(f"({time.time() - started:.0f} s; results in {bench.results}/bench.json)")


if __name__ == "__main__":
    sys.exit(main())
