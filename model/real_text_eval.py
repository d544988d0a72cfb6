#!/usr/bin/python3
"""The real-text evaluation set, tests/data/real_text/: head-MRI language that nobody on this
project wrote, labelled twice by model/LABEL_RULES.md. Three steps, each run once, in order:

    /usr/bin/python3 model/real_text_eval.py candidates --spans tests/data/real_text/mtsamples_spans.jsonl
    /usr/bin/python3 model/real_text_eval.py agreement
    /usr/bin/python3 model/real_text_eval.py split

candidates: items.jsonl from model/data/: every ROCO caption about a head MRI (the corpus's
  head_mri flag, plus captions that name an MR sequence and a brain structure), and the
  MTSamples spans that report a head MRI's findings (mtsamples_spans.jsonl: {"record", "span"},
  each span verbatim from the record's text). Deduplicated by text (case and white space folded).
agreement: Cohen's kappa per label (three classes) between annotations_a.jsonl and
  annotations_b.jsonl, which two annotators wrote without seeing each other's; lists the items
  they disagree on, for adjudication (adjudicated.jsonl).
split: adjudicated.jsonl -> dev.jsonl and test.jsonl. Each group of items (one MTSamples
  record; captions whose words nearly coincide) falls in one half, chosen by a seeded hash of the
  group's key alone, so that a group's half never depends on which other items exist; the halves
  are about equal. Refuses to overwrite an existing split: it is made once.

Then, for any bundle (an older one from `git archive`, a user's own):
    /usr/bin/python3 model/real_text_eval.py score [--bundle DIR]
"""
import argparse
import collections
import gzip
import hashlib
import json
import os
import random
import re

from radlabel_model.labels import CLASSES, LABELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "model", "data")
OUT = os.path.join(ROOT, "tests", "data", "real_text")
SPLIT_SEED = 15
NEAR_DUPLICATE = 0.8
MR = re.compile(r"\b(MRI?|MRA|MRV|magnetic resonance|FLAIR|T1|T2|DWI|SWI)\b", re.I)
BRAIN = re.compile(r"brain|cerebr|intracranial|cranial|pituitar|ventric|white matter|pons|cerebell|thalam|"
                   r"frontal lobe|temporal lobe|meningi|glioma|sella", re.I)


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def fold(text):
    """The text as deduplication compares it: case and white space folded."""
    return " ".join(text.lower().split())


def candidates(args):
    items, seen = [], set()

    def add(item):
        key = fold(item["text"])
        if key and key not in seen:
            seen.add(key)
            items.append(item)

    for r in read_jsonl(os.path.join(DATA, "roco_captions.jsonl.gz")):
        caption = r["caption"]
        if r["head_mri"] or (MR.search(caption) and BRAIN.search(caption)):
            add({"id": f"roco-{r['id']}", "source": "roco", "source_id": r["id"], "pmc_image": r["pmc_image"],
                 "license": r["license"], "text": caption})
    if args.spans:
        records = {r["id"]: r for r in read_jsonl(os.path.join(DATA, "mtsamples.jsonl.gz"))}
        count = collections.Counter()
        for s in read_jsonl(args.spans):
            record = records[s["record"]]
            if s["span"] not in record["text"]:
                raise ValueError(f"span of {s['record']} is not verbatim in its text: {s['span'][:60]!r}")
            count[s["record"]] += 1
            add({"id": f"mtsamples-{s['record']}-{count[s['record']]}", "source": "mtsamples",
                 "source_id": s["record"], "license": "CC0", "text": s["span"]})
    write_jsonl(os.path.join(OUT, "items.jsonl"), items)
    print(f"{len(items)} items ({collections.Counter(i['source'] for i in items)})")


def cohen_kappa(a, b):
    """Cohen's kappa of two equal-length lists of categories; nan when chance agreement is 1."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = collections.Counter(a), collections.Counter(b)
    expected = sum(pa[c] * pb[c] for c in set(a) | set(b)) / (n * n)
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def annotations(name):
    return {r["id"]: r for r in read_jsonl(os.path.join(OUT, f"annotations_{name}.jsonl"))}


def agreement(args):
    a, b = annotations("a"), annotations("b")
    items = read_jsonl(os.path.join(OUT, "items.jsonl"))
    missing = [i["id"] for i in items if i["id"] not in a or i["id"] not in b]
    if missing:
        raise SystemExit(f"{len(missing)} items lack an annotation, e.g. {missing[:5]}")
    excluded = [i["id"] for i in items if a[i["id"]]["exclude"] or b[i["id"]]["exclude"]]
    both = [i["id"] for i in items if i["id"] not in excluded]
    print(f"{len(items)} items; out of scope for either annotator: {len(excluded)} "
          f"(both: {sum(a[x]['exclude'] and b[x]['exclude'] for x in excluded)}); kappa over the other {len(both)}")
    print("| label | agreement | Cohen's kappa (3 classes) | positives a / b |")
    print("|---|---|---|---|")
    for label in LABELS:
        la = [a[x]["labels"][label] for x in both]
        lb = [b[x]["labels"][label] for x in both]
        agree = sum(x == y for x, y in zip(la, lb)) / len(both)
        print(f"| {label} | {agree:.3f} | {cohen_kappa(la, lb):.3f} | {la.count('positive')} / {lb.count('positive')} |")
    disagreements = [x for x in items if x["id"] in excluded and a[x["id"]]["exclude"] != b[x["id"]]["exclude"]
                     or x["id"] in both and a[x["id"]]["labels"] != b[x["id"]]["labels"]]
    print(f"\n{len(disagreements)} items disagree")
    if args.list:
        for item in disagreements:
            ia, ib = a[item["id"]], b[item["id"]]
            diff = {label: (ia["labels"].get(label), ib["labels"].get(label)) for label in LABELS
                    if ia["labels"].get(label) != ib["labels"].get(label)}
            print(json.dumps({"id": item["id"], "text": item["text"], "exclude": (ia["exclude"], ib["exclude"]),
                              "differ": diff, "note_a": ia.get("note"), "note_b": ib.get("note")}, ensure_ascii=False))


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def groups_of(items):
    """{item id: group key}: items of one source record, and items whose word sets overlap by
    NEAR_DUPLICATE (Jaccard) or more, share a group; its key is its smallest source id."""
    parent = {i["id"]: i["id"] for i in items}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(x, y):
        parent[root(x)] = root(y)

    by_source = {}
    for i in items:
        if i["source_id"] in by_source:
            join(i["id"], by_source[i["source_id"]])
        by_source.setdefault(i["source_id"], i["id"])
    sets = [(i["id"], words(i["text"])) for i in items]
    for n, (x, a) in enumerate(sets):
        for y, b in sets[n + 1:]:
            if a and b and len(a & b) / len(a | b) >= NEAR_DUPLICATE:
                join(x, y)
    source = {i["id"]: i["source_id"] for i in items}
    members = collections.defaultdict(list)
    for i in items:
        members[root(i["id"])].append(source[i["id"]])
    return {i["id"]: min(members[root(i["id"])]) for i in items}


def half_of(group_key):
    """"dev" or "test" for a group, from a seeded hash of its key alone."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{group_key}".encode()).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def split(args):
    for name in ("dev", "test"):
        if os.path.exists(os.path.join(OUT, f"{name}.jsonl")):
            raise SystemExit(f"{name}.jsonl exists: the split is made once")
    labels = {r["id"]: r for r in read_jsonl(os.path.join(OUT, "adjudicated.jsonl"))}
    items = [i for i in read_jsonl(os.path.join(OUT, "items.jsonl")) if not labels[i["id"]]["exclude"]]
    group = groups_of(items)
    for name in ("dev", "test"):
        rows = [dict(item, group=group[item["id"]], labels=labels[item["id"]]["labels"])
                for item in items if half_of(group[item["id"]]) == name]
        for row in rows:
            unknown = set(row["labels"].values()) - set(CLASSES)
            if set(row["labels"]) != set(LABELS) or unknown:
                raise ValueError(f"{row['id']}: labels must give one of {CLASSES} for each of {LABELS}")
        write_jsonl(os.path.join(OUT, f"{name}.jsonl"), rows)
        print(f"{name}: {len(rows)} items")


def show(args):
    """Prints the texts of the dev half's items (never the test half's)."""
    items = read_jsonl(os.path.join(OUT, "items.jsonl"))
    group = groups_of(items)
    for item in items:
        if half_of(group[item["id"]]) == "dev":
            print(f"{item['id']}\t{item['text']}")


def score(args):
    """Prints a bundle's figures on both halves, as the model card measures them (the test half
    only to report a bundle, never to choose one)."""
    from build_default_bundle import MIN_POSITIVES, REAL_TEXT, macro_f1
    from radlabel_model.bundle import OfflineLabeller
    from radlabel_model.evaluate import evaluate
    from radlabel_model.labels import load_labelled_jsonl
    labeller = OfflineLabeller(args.bundle, threads=args.threads)
    for name, path in REAL_TEXT.items():
        m = evaluate(labeller, load_labelled_jsonl(path))
        print(f"{name}: macro-F1 {m['macro_f1']:.3f} over all labels, {macro_f1(m, MIN_POSITIVES):.3f} over "
              f"the labels with >= {MIN_POSITIVES} positives ({m['reports']} items)")
        for label, r in m["labels"].items():
            print(f"  {label}: {r['support']} positives, precision {r['precision']:.3f} recall {r['recall']:.3f} "
                  f"F1 {r['f1']:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("candidates")
    c.add_argument("--spans", help="MTSamples spans reporting a head MRI, {record, span} per line")
    g = commands.add_parser("agreement")
    g.add_argument("--list", action="store_true", help="print each disagreement as a JSON line")
    commands.add_parser("split")
    commands.add_parser("show", help="print the dev half's texts")
    s = commands.add_parser("score", help="a bundle's figures on both halves")
    s.add_argument("--bundle", default=os.path.join(ROOT, "model", "default"))
    s.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    {"candidates": candidates, "agreement": agreement, "split": split, "show": show,
     "score": score}[args.command](args)


if __name__ == "__main__":
    main()
