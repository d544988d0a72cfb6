from radlabel_model.generator import generate
from radlabel_model.labels import CATEGORIES, LABELS, NEGATIVE, POSITIVE, UNCERTAIN, abnormal_class


def test_generation_is_deterministic_per_seed():
    assert list(generate(20, seed=7)) == list(generate(20, seed=7))
    assert list(generate(20, seed=7)) != list(generate(20, seed=8))


def test_every_report_has_every_label_and_abnormal_follows_the_rules():
    for report in generate(500, seed=1):
        assert set(report["labels"]) == set(LABELS)
        categories = [report["labels"][c] for c in CATEGORIES]
        if POSITIVE in categories:
            assert report["labels"]["abnormal"] == POSITIVE
        elif UNCERTAIN in categories:
            assert report["labels"]["abnormal"] in (POSITIVE, UNCERTAIN)  # incidental findings


def test_abnormal_rule():
    assert abnormal_class([NEGATIVE] * 7, incidental_abnormality=False) == NEGATIVE
    assert abnormal_class([NEGATIVE] * 7, incidental_abnormality=True) == POSITIVE
    assert abnormal_class([UNCERTAIN] + [NEGATIVE] * 6, incidental_abnormality=False) == UNCERTAIN


def test_some_reports_are_long_enough_to_need_several_windows():
    lengths = [len(r["text"].split()) for r in generate(1000, seed=3)]
    assert max(lengths) > 200
