#!/usr/bin/python3
"""The naive baseline of bench/run.sh: what a user might write instead of radlabel. A Python
grpcio server (Debian's python3-grpcio and python3-torch) that implements radlabel.v1.Labeller's
unary Label by running the same TorchScript bundle once per request, on a thread pool, with the
reference Python tokenizer. No batching across requests.

    /usr/bin/python3 bench/naive_server.py --bundle model/default --stubs DIR --port-file FILE

--stubs names a directory with Python stubs generated from proto/ (bench/run.sh makes them).
Prints "listening on 127.0.0.1:PORT" once it serves.
"""
import argparse
import os
import sys
from concurrent import futures

import grpc
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "model"))
from radlabel_model.bundle import OfflineLabeller  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    args = parser.parse_args()
    sys.path.insert(0, args.stubs)
    from radlabel.v1 import labeller_pb2, labeller_pb2_grpc  # noqa: E402

    labeller = OfflineLabeller(args.bundle, threads=args.threads)
    classes = labeller.config["classes"]
    names = [label["name"] for label in labeller.config["labels"]]

    class Naive(labeller_pb2_grpc.LabellerServicer):
        def Label(self, request, context):
            response = labeller_pb2.LabelResponse()
            for report in request.reports:
                result = response.results.add(id=report.id)
                try:
                    text = report.text.decode("utf-8")
                except UnicodeDecodeError:
                    result.status.code = grpc.StatusCode.INVALID_ARGUMENT.value[0]
                    continue
                probs = labeller.probabilities(text)  # one model call for this report
                for l, decided in enumerate(labeller.decisions(probs)):
                    result.labels.add(name=names[l], probabilities=probs[l].tolist(),
                                      decision=classes[decided])
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers))
    labeller_pb2_grpc.add_LabellerServicer_to_server(Naive(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"naive server listening on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
