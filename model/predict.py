#!/usr/bin/python3
"""Labels reports offline with a bundle, exactly as radlabel-server does (same tokenizer,
windows and their combination), without a server. The integration tests compare the server's
probabilities with this script's.

    /usr/bin/python3 model/predict.py --bundle model/default --input reports.jsonl --output out.jsonl

Input: JSONL with "id" and "text". Output: JSONL with "id", "probabilities" ([labels][classes])
and "decisions" (class names).
"""
import argparse
import json

from radlabel_model.bundle import OfflineLabeller


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    labeller = OfflineLabeller(args.bundle, threads=args.threads)
    classes = labeller.config["classes"]
    with open(args.input, encoding="utf-8") as src, open(args.output, "w") as dst:
        for line in src:
            if not line.strip():
                continue
            report = json.loads(line)
            probs = labeller.probabilities(report["text"])
            dst.write(json.dumps({
                "id": report["id"],
                "probabilities": probs.tolist(),
                "decisions": [classes[c] for c in labeller.decisions(probs)],
            }) + "\n")


if __name__ == "__main__":
    main()
