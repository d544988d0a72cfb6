"""The real text labelled for training must leave the evaluation set unseen."""
import gzip
import json
import os

from radlabel_model.labels import CLASSES, LABELS, load_labelled_jsonl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL_TRAIN = os.path.join(ROOT, "model", "data", "real_train.jsonl.gz")
EVALUATION = os.path.join(ROOT, "tests", "data", "real_text", "items.jsonl")


def rows(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_shares_no_text_article_or_record_with_the_evaluation_set():
    train, evaluation = rows(REAL_TRAIN), rows(EVALUATION)
    fold = lambda text: " ".join(text.lower().split())  # noqa: E731
    assert not {fold(r["text"]) for r in train} & {fold(r["text"]) for r in evaluation}
    article = lambda r: r["pmc_image"].split("_")[0]  # noqa: E731
    assert not {article(r) for r in train if r["source"] == "roco"} & \
        {article(r) for r in evaluation if r["source"] == "roco"}
    assert not {r["source_id"] for r in train if r["source"] == "mtsamples"} & \
        {r["source_id"] for r in evaluation if r["source"] == "mtsamples"}


def test_every_item_has_a_class_for_every_label():
    reports = load_labelled_jsonl(REAL_TRAIN)
    assert len(reports) >= 150
    assert all(set(r["labels"]) == set(LABELS) for r in reports)
    assert sum(r["labels"]["abnormal"] == CLASSES.index("positive") for r in reports) >= 50
