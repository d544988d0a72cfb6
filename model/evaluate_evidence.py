#!/usr/bin/python3
"""Measures the server's evidence against sentences known to state each label: generated
reports record the spans of the sentences that assert or hedge every non-negative label. Label
them through radlabel-server with evidence on, then score:

    /usr/bin/python3 model/evaluate_evidence.py write --out held_out.csv [--split train]
    build/client/radlabel label held_out.csv -o evidence.jsonl --id_column=report_id --evidence \\
        --target=HOST:PORT
    /usr/bin/python3 model/evaluate_evidence.py score --results evidence.jsonl [--split train]

A label's evidence is a hit when the quoted sentence overlaps a sentence that states that label.
Scored over labels that are non-negative both in truth and in the server's decision.
"""
import argparse
import collections
import json

from radlabel_model.generator import generate, write_reports_csv
from radlabel_model.labels import CATEGORIES, LABELS, NEGATIVE

COUNT = 2000
SEEDS = {"held_out": 3, "train": 2}  # the model card's test split; the validation split


def reports(split):
    return list(generate(COUNT, seed=SEEDS[split], id_prefix=split, split=split))


def score(results_path, split):
    truth = {r["id"]: r for r in reports(split)}
    hits, total = collections.Counter(), collections.Counter()
    with open(results_path, encoding="utf-8") as f:
        for line in f:
            result = json.loads(line)
            report = truth[result["id"]]
            for name in LABELS:
                label = result["labels"].get(name, {})
                if report["labels"][name] == NEGATIVE or label.get("decision", "negative") == "negative":
                    continue
                total[name] += 1
                evidence = label.get("evidence")
                if evidence and any(evidence["start"] < s["end"] and s["start"] < evidence["end"]
                                    for s in report["statements"] if name in s["labels"]):
                    hits[name] += 1
    rows = [(name, [name]) for name in LABELS if total[name]]
    rows += [("categories", CATEGORIES), ("all", LABELS)]
    for row, names in rows:
        n = sum(total[name] for name in names)
        print(f"| {row} | {n} | {sum(hits[name] for name in names) / max(1, n):.3f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write")
    write.add_argument("--out", required=True)
    score_parser = sub.add_parser("score")
    score_parser.add_argument("--results", required=True)
    for p in (write, score_parser):
        p.add_argument("--split", choices=sorted(SEEDS), default="held_out",
                       help="held_out: the held-out-template test split; train: validation reports")
    args = parser.parse_args()
    if args.command == "write":
        write_reports_csv(args.out, reports(args.split))
    else:
        score(args.results, args.split)


if __name__ == "__main__":
    main()
