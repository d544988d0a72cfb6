#!/usr/bin/python3
"""Text written for training, model/data/written_train.jsonl.gz: head-MRI figure captions,
report findings and impressions, finding lists and case-history passages written by hand by
language-model sessions, each given only model/LABEL_RULES.md and a brief (a focus among the
labels, the kinds of text, the spread of lengths, locations, abbreviations, spellings and typos
of real writing), told to read no evaluation data and to assemble nothing from templates, and
each labelling its own items by the rules. Run once, from the writers' files:

    /usr/bin/python3 model/written_training_set.py WRITTEN...

It keeps the items whose labels are complete, drops repeated texts and any text within
NEAR_DUPLICATE (word Jaccard) of a real-text evaluation item, and says how many of each.

Why: real text is scarce (model/data/real_train.jsonl.gz holds every head-imaging text of
model/data/ that the evaluation set leaves free) and the generator's templates are what the model
over-learnt; text written freely by writers who know radiology adds the words, sentence shapes and
descriptions of real writing, with labels by the same rules. It is not real text, so it trains and
never evaluates.
"""
import argparse
import collections
import gzip
import json
import os

from real_text_eval import DATA, NEAR_DUPLICATE, OUT, fold, read_jsonl, words
from real_training_set import check_labels
from radlabel_model.labels import LABELS

WRITTEN_TRAIN = os.path.join(DATA, "written_train.jsonl.gz")
KINDS = ("caption", "report", "list", "case")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("written", nargs="+", help="JSON lines files of written items: {id, kind, text, labels, note}")
    args = parser.parse_args()
    evaluation = [words(i["text"]) for i in read_jsonl(os.path.join(OUT, "items.jsonl"))]
    seen, kept, dropped = set(), [], collections.Counter()
    for path in args.written:
        for item in read_jsonl(path):
            check_labels(path, item)
            if item.get("kind") not in KINDS:
                raise SystemExit(f"{path}: {item['id']} has kind {item.get('kind')!r}; kinds are {KINDS}")
            key, item_words = fold(item["text"]), words(item["text"])
            if key in seen:
                dropped["repeated"] += 1
            elif any(len(item_words & w) / max(len(item_words | w), 1) >= NEAR_DUPLICATE for w in evaluation):
                dropped["near an evaluation item"] += 1
            else:
                seen.add(key)
                kept.append({key: item[key] for key in ("id", "kind", "text", "labels", "note") if key in item})
    with gzip.open(WRITTEN_TRAIN, "wt", encoding="utf-8") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = collections.Counter(label for r in kept for label, cls in r["labels"].items() if cls == "positive")
    print(f"{len(kept)} items written to {WRITTEN_TRAIN} ({dict(collections.Counter(r['kind'] for r in kept))}); "
          f"dropped: {dict(dropped)}; positives: " + ", ".join(f"{label} {positives[label]}" for label in LABELS))


if __name__ == "__main__":
    main()
