#!/usr/bin/python3
"""Lists a bundle's wrong decisions with the sentence that decided each, and tallies the deciding
sentences. Synthetic, hand-written and public texts only (their text is printed); the real-text
set's test half is not offered: it is looked at only to report it.

    /usr/bin/python3 model/list_errors.py --split held_out --count 300 [--bundle model/default]
    /usr/bin/python3 model/list_errors.py --split challenge
    /usr/bin/python3 model/list_errors.py --split real_dev

Reports longer than one window are skipped (their decision combines windows).
"""
import argparse
import collections
import os

import torch

from radlabel_model.bundle import OfflineLabeller
from radlabel_model.windows import batch_tensors
from radlabel_model.labels import CLASSES, load_labelled_jsonl
from build_default_bundle import CHALLENGE, REAL_TEXT, ROOT, held_out_reports


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--split", choices=["held_out", "challenge", "real_dev"], default="held_out")
    parser.add_argument("--count", type=int, default=300, help="held-out reports (the first of the card's split)")
    args = parser.parse_args()
    labeller = OfflineLabeller(args.bundle)
    tokenizer = labeller.tokenizer
    pieces = {i: piece for piece, i in tokenizer.vocab.items()}
    if args.split == "held_out":
        reports = held_out_reports()[:args.count]
    else:
        reports = load_labelled_jsonl(REAL_TEXT["real_dev"] if args.split == "real_dev" else CHALLENGE)
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
