#!/usr/bin/python3
"""Real text labelled for fine-tuning, model/data/real_train.jsonl.gz: head-imaging captions and
case-note sentences from model/data/ that share nothing with the real-text evaluation set
(tests/data/real_text/), each labelled once by model/LABEL_RULES.md. Two steps, run once, in order:

    /usr/bin/python3 model/real_training_set.py candidates --out /tmp/real_train_items.jsonl
    /usr/bin/python3 model/real_training_set.py collect --items /tmp/real_train_items.jsonl ANNOTATIONS...

candidates: ROCO captions about the head or brain (any modality) from articles none of whose
  figures is in the evaluation set, and MTSamples sentences that state a head-imaging result,
  from records the evaluation set does not cut from and found in none of those records' text;
  none within NEAR_DUPLICATE (word Jaccard) of an evaluation item. Items for annotators:
  {"id", "text"} and their source.
collect: the items with their labels ({"id", "exclude", "labels", "note"} per item, as the
  evaluation set's annotations), less those out of scope, to model/data/real_train.jsonl.gz. An
  MTSamples sentence that names no MR examination reports another test in a case history, so
  every label is negative there (LABEL_RULES.md, "Which examination"), whatever the annotator read.

Why: the default model learnt the generator's phrasing; a few hundred real sentences with labels
teach it the words and shapes of real findings (a teacher's labels, distilled). The evaluation set
stays unseen: no shared text, article or record.
"""
import argparse
import collections
import gzip
import json
import os
import re

from real_text_eval import DATA, MR, NEAR_DUPLICATE, OUT, fold, read_jsonl, words, write_jsonl
from radlabel_model.corpus import article
from radlabel_model.labels import CLASSES, LABELS

REAL_TRAIN = os.path.join(DATA, "real_train.jsonl.gz")
HEAD = re.compile(
    r"\b(brain|cerebr\w*|intracranial|cranial|pituitar\w*|sella\w*|lateral ventricle|third ventricle|"
    r"fourth ventricle|ventriculomegaly|hydroceph\w*|white matter|pons|pontine|cerebell\w*|thalam\w*|"
    r"basal ganglia|frontal lobe|temporal lobe|parietal lobe|occipital lobe|meningi\w*|glioma|glioblastoma|"
    r"astrocytoma|subdural|subarachnoid|extradural|epidural hematoma|hippocamp\w*|corpus callosum|brainstem|"
    r"brain stem|midbrain|medulla oblongata|leptomening\w*|periventricular|infratentorial|supratentorial|"
    r"cavernoma|aneurysm|encephal\w*|demyelinat\w*|multiple sclerosis|stroke|lacun\w*|gray matter|"
    r"grey matter|cortical|CSF|skull)\b", re.I)
ELSEWHERE = re.compile(
    r"\b(echocardiogra\w*|cardiac|heart|atri(al|um)|left ventric\w*|right ventric\w*|lung|pulmonary|chest|"
    r"abdomen|abdominal|liver|kidney|renal|pancrea\w*|knee|ankle|shoulder|hip|spine|spinal|lumbar|thoracic|"
    r"cervical spine|femur|tibia|pelvi\w*|breast|uterus|ovar\w*|prostate|bladder|mandib\w*|dental|tooth|"
    r"teeth|maxill\w*|orbit\w*|sinus|nasal|parotid|neck|thyroid|coronary|aort\w*)\b", re.I)
IMAGING = re.compile(r"\b(CT|MRI|MR|MRA|imaging|scan|FLAIR|angiogra\w*)\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def about_head(text):
    return bool(HEAD.search(text)) and not ELSEWHERE.search(text)


def candidates(args):
    evaluation = read_jsonl(os.path.join(OUT, "items.jsonl"))
    spans = read_jsonl(os.path.join(OUT, "mtsamples_spans.jsonl"))
    seen = {fold(i["text"]) for i in evaluation}
    evaluation_words = [words(i["text"]) for i in evaluation]
    articles = {article(i["pmc_image"]) for i in evaluation if i.get("pmc_image")}
    records = {s["record"] for s in spans}
    mtsamples = read_jsonl(os.path.join(DATA, "mtsamples.jsonl.gz"))
    record_texts = [fold(r["text"]) for r in mtsamples if r["id"] in records]
    items = []

    def add(item):
        key, item_words = fold(item["text"]), words(item["text"])
        near = any(len(item_words & w) / max(len(item_words | w), 1) >= NEAR_DUPLICATE for w in evaluation_words)
        if key not in seen and not near:
            seen.add(key)
            items.append(item)

    for r in read_jsonl(os.path.join(DATA, "roco_captions.jsonl.gz")):
        caption = r["caption"].strip()
        if len(caption) > 30 and about_head(caption) and article(r["pmc_image"]) not in articles:
            add({"id": f"roco-{r['id']}", "source": "roco", "source_id": r["id"], "pmc_image": r["pmc_image"],
                 "license": r["license"], "text": caption})
    for r in mtsamples:
        if r["id"] in records:
            continue
        for number, sentence in enumerate(SENTENCE.split(r["text"])):
            sentence = sentence.strip()
            if 40 < len(sentence) < 600 and IMAGING.search(sentence) and about_head(sentence) \
                    and "NOTE" not in sentence and not any(fold(sentence) in t for t in record_texts):
                add({"id": f"{r['id']}-{number}", "source": "mtsamples", "source_id": r["id"],
                     "license": "CC0", "text": sentence})
    write_jsonl(args.out, items)
    print(f"{len(items)} items ({collections.Counter(i['source'] for i in items)}) written to {args.out}")


def check_labels(path, item):
    """Stops the step, naming the item, unless it gives one class name to each label."""
    labels = item["labels"]
    if set(labels) != set(LABELS) or any(cls not in CLASSES for cls in labels.values()):
        raise SystemExit(f"{path}: {item['id']} needs one of {CLASSES} for each of {LABELS}; got {labels}")


def collect(args):
    items = {i["id"]: i for i in read_jsonl(args.items)}
    labelled = {}
    for path in args.annotations:
        for a in read_jsonl(path):
            if a["id"] not in items:
                raise SystemExit(f"{path}: {a['id']} is not an item of {args.items}")
            check_labels(path, a)
            if items[a["id"]]["source"] == "mtsamples" and not MR.search(items[a["id"]]["text"]):
                a = dict(a, labels={label: "negative" for label in LABELS},
                         note="case history: another test than MRI, so nothing counts")
            labelled[a["id"]] = a
    missing = [i for i in items if i not in labelled]
    if missing:
        raise SystemExit(f"{len(missing)} items lack labels, e.g. {missing[:5]}")
    kept = [dict(items[i], labels=labelled[i]["labels"], note=labelled[i].get("note", ""))
            for i in items if not labelled[i]["exclude"]]
    with gzip.open(REAL_TRAIN, "wt", encoding="utf-8") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = collections.Counter(label for r in kept for label, cls in r["labels"].items() if cls == "positive")
    print(f"{len(kept)} of {len(items)} items in scope written to {REAL_TRAIN}; positives: "
          + ", ".join(f"{label} {positives[label]}" for label in LABELS))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    p = steps.add_parser("candidates")
    p.add_argument("--out", required=True, help="where the items for annotators are written (JSON lines)")
    p.set_defaults(run=candidates)
    p = steps.add_parser("collect")
    p.add_argument("--items", required=True, help="the candidates step's output")
    p.add_argument("annotations", nargs="+", help="JSON lines files of labels, together covering every item")
    p.set_defaults(run=collect)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
