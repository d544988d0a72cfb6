"""The real text labelled for training must leave the evaluation set unseen."""
import os

from radlabel_model.corpus import article, fold, read_jsonl
from radlabel_model.labels import CLASSES, LABELS, load_labelled_jsonl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL_TRAIN = os.path.join(ROOT, "model", "data", "real_train.jsonl.gz")
EVALUATION = os.path.join(ROOT, "tests", "data", "real_text", "items.jsonl")


def test_shares_no_text_article_or_record_with_the_evaluation_set():
    train, evaluation = read_jsonl(REAL_TRAIN), read_jsonl(EVALUATION)
    assert not {fold(r["text"]) for r in train} & {fold(r["text"]) for r in evaluation}
    assert not {article(r["pmc_image"]) for r in train if r["source"] == "roco"} & \
        {article(r["pmc_image"]) for r in evaluation if r["source"] == "roco"}
    assert not {r["source_id"] for r in train if r["source"] == "mtsamples"} & \
        {r["source_id"] for r in evaluation if r["source"] == "mtsamples"}


def test_every_item_has_a_class_for_every_label():
    reports = load_labelled_jsonl(REAL_TRAIN)
    assert len(reports) >= 150
    assert all(set(r["labels"]) == set(LABELS) for r in reports)
    assert sum(r["labels"]["abnormal"] == CLASSES.index("positive") for r in reports) >= 50
