"""The label set of the default model: names, classes and how `abnormal` follows from the rest
(the full rules: model/LABEL_RULES.md).

A label is one of three classes. Rules (what the generator writes and the model learns):
- positive: the report asserts the finding (current, or unchanged since a prior exam).
- negative: the finding is negated or simply not mentioned.
- uncertain: the finding is hedged ("possible", "cannot be excluded", "may represent").
- abnormal: positive when any category is positive or an incidental abnormality is reported;
  otherwise uncertain when any category is uncertain; otherwise negative.
"""
import gzip
import json

CATEGORIES = [
    "acute_stroke",
    "mass",
    "atrophy",
    "vascular",
    "small_vessel_disease",
    "white_matter_inflammation",
    "encephalomalacia",
]
LABELS = ["abnormal"] + CATEGORIES
CLASSES = ["negative", "positive", "uncertain"]
NEGATIVE, POSITIVE, UNCERTAIN = 0, 1, 2


def abnormal_class(category_classes, incidental_abnormality):
    """Derives the `abnormal` class from the seven category classes (indices into CLASSES)."""
    if incidental_abnormality or POSITIVE in category_classes:
        return POSITIVE
    if UNCERTAIN in category_classes:
        return UNCERTAIN
    return NEGATIVE


def load_labelled_jsonl(path):
    """Reads labelled reports, one JSON object per line: {"id", "text", "labels": {label: class
    name}}; a label left out is negative. Returns dicts whose "labels" hold class indices."""
    reports = []
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            unknown = set(r["labels"]) - set(LABELS)
            if unknown:
                raise ValueError(f"{path} line {number}: unknown labels {sorted(unknown)}; labels are {LABELS}")
            reports.append({"id": r["id"], "text": r["text"],
                            "labels": {name: CLASSES.index(r["labels"].get(name, "negative")) for name in LABELS}})
    return reports
