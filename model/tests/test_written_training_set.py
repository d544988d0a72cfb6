"""The text written for training must be labelled whole and leave the evaluation set unseen."""
import os

from radlabel_model.corpus import fold, read_jsonl
from radlabel_model.labels import CLASSES, LABELS, load_labelled_jsonl
from real_text_eval import NEAR_DUPLICATE, words

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WRITTEN = os.path.join(ROOT, "model", "data", "written_train.jsonl.gz")
EVALUATION = os.path.join(ROOT, "tests", "data", "real_text", "items.jsonl")


def test_no_item_is_or_is_near_an_evaluation_text():
    evaluation = [words(r["text"]) for r in read_jsonl(EVALUATION)]
    written = read_jsonl(WRITTEN)
    assert not {fold(r["text"]) for r in written} & {fold(r["text"]) for r in read_jsonl(EVALUATION)}
    for r in written:
        w = words(r["text"])
        assert all(len(w & e) / max(len(w | e), 1) < NEAR_DUPLICATE for e in evaluation), r["id"]


def test_every_item_has_a_class_for_every_label_and_every_label_has_positives():
    rows = read_jsonl(WRITTEN)
    assert all(set(r["labels"]) == set(LABELS) for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
    reports = load_labelled_jsonl(WRITTEN)
    positive = CLASSES.index("positive")
    for label in LABELS:
        assert sum(r["labels"][label] == positive for r in reports) >= 50, label
    # abnormal follows from the categories (LABEL_RULES.md)
    for r in reports:
        if any(r["labels"][label] == positive for label in LABELS if label != "abnormal"):
            assert r["labels"]["abnormal"] == positive, r["id"]
