from radlabel_model.baseline import BagOfWordsLabeller
from radlabel_model.evaluate import evaluate
from radlabel_model.generator import generate
from radlabel_model.labels import LABELS, POSITIVE


def test_the_baseline_learns_words_and_is_measured_like_the_model():
    train = list(generate(1500, seed=1, split="train"))
    baseline = BagOfWordsLabeller(train, list(generate(300, seed=2, split="train")))
    assert [label["name"] for label in baseline.config["labels"]] == LABELS
    probabilities = baseline.probabilities("There is a large meningioma over the left convexity.")
    assert len(probabilities) == len(LABELS) and all(abs(sum(p) - 1) < 1e-6 for p in probabilities)
    assert probabilities[LABELS.index("mass")][POSITIVE] > probabilities[LABELS.index("atrophy")][POSITIVE]
    result = evaluate(baseline, list(generate(300, seed=3, split="held_out")))
    assert 0.3 < result["macro_f1"] <= 1.0
