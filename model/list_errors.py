#!/usr/bin/python3
"""Lists a bundle's wrong decisions with the sentence that decided each, and tallies the deciding
sentences: where the model card's "why the targets are missed" comes from. Synthetic and
hand-written test reports only (their text is printed).

    /usr/bin/python3 model/list_errors.py --split held_out --count 300 [--bundle model/default]
    /usr/bin/python3 model/list_errors.py --split challenge

Reports longer than one window are skipped (their decision combines windows).
"""
import argparse
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from radlabel_model.bundle import OfflineLabeller  # noqa: E402
from radlabel_model.chunking import batch_tensors  # noqa: E402
from radlabel_model.generator import generate  # noqa: E402
from radlabel_model.labels import CLASSES, load_labelled_jsonl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--split", choices=["held_out", "challenge"], default="held_out")
    parser.add_argument("--count", type=int, default=300, help="held-out reports (the card's split, seed 3)")
    args = parser.parse_args()
    labeller = OfflineLabeller(args.bundle)
    tokenizer = labeller.tokenizer
    pieces = {i: piece for piece, i in tokenizer.vocab.items()}
    if args.split == "challenge":
        reports = load_labelled_jsonl(os.path.join(ROOT, "tests", "data", "challenge_reports.jsonl"))
    else:
        reports = list(generate(args.count, seed=3, id_prefix="test", split="held_out"))
    names = [label["name"] for label in labeller.config["labels"]]
    errors, deciding = collections.Counter(), collections.Counter()
    for r in reports:
        ids = tokenizer.encode(r["text"])
        if len(ids) > labeller.config["max_tokens"] - 2:
            continue
        with torch.inference_mode():
            probabilities, attention = labeller.model.evidence(
                *batch_tensors([ids], tokenizer.cls_id, tokenizer.sep_id, tokenizer.pad_id))
        decisions = labeller.decisions(probabilities[0])
        ids = [tokenizer.cls_id] + ids + [tokenizer.sep_id]
        for l, name in enumerate(names):
            if decisions[l] == r["labels"][name]:
                continue
            sentence = " ".join(pieces[ids[t]] for t in range(len(ids)) if attention[0, l, t] > 1e-3)
            kind = (name, CLASSES[r["labels"][name]], CLASSES[decisions[l]])
            errors[kind] += 1
            deciding[(kind, sentence)] += 1
            print(f"{r['id']} {name}: truth {kind[1]}, decided {kind[2]} | {sentence}")
    print("\nwrong decisions (label, truth, decided):")
    for kind, n in errors.most_common():
        print(f"  {n:4d}  {kind}")
    print("\nmost frequent deciding sentences of wrong decisions:")
    for (kind, sentence), n in deciding.most_common(10):
        print(f"  {n:4d}  {kind}  {sentence}")


if __name__ == "__main__":
    main()
