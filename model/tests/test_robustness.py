"""The robustness suite (radlabel_model/robustness.py) on a sample, against the committed default
bundle: the model card reports the whole suite; CI checks that the sample covers every family and
holds the target of 0.95 per family (expected to fail, strictly, until a bundle meets it)."""
import os
import random

import pytest

from radlabel_model import robustness
from radlabel_model.bundle import OfflineLabeller
from radlabel_model.labels import CATEGORIES, LABELS, NEGATIVE, POSITIVE

BUNDLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "default")


@pytest.fixture(scope="module")
def sample_result():
    return robustness.run(OfflineLabeller(BUNDLE, threads=1), seed=1, sample=80, locations_per_case=4)


def test_a_sample_of_the_suite_covers_every_family_and_the_bundle_reads_its_base_sentences(sample_result):
    assert all(r["cases"] > 0 for r in sample_result["families"].values()), sample_result["families"]
    assert sample_result["base_accuracy"] >= 0.8


# Strict: when a bundle meets the target this passes, fails the suite, and the marker must go.
@pytest.mark.xfail(strict=True, reason="the target of 0.95 in every family is not met yet: the clause "
                                       "and typo families fall short (model/default/MODEL_CARD.md, Robustness)")
def test_a_sample_of_the_suite_passes_every_family_on_the_default_bundle(sample_result):
    rates = {family: r["rate"] for family, r in sample_result["families"].items()}
    assert min(rates.values()) >= 0.95, (rates, sample_result["failures"][:10])


def test_base_sentences_cover_every_category_positive_and_uncertain():
    cases = robustness.base_cases(random.Random(0))
    for category in CATEGORIES:
        classes = {known[category] for _, _, known in cases}
        assert {NEGATIVE, POSITIVE} < classes | {NEGATIVE}, category
    assert all(set(known) == set(LABELS) for _, _, known in cases)


class Constant:
    """A labeller that decides the same for every text, and one that flips on upper case."""

    def __init__(self, flip_on_upper=False):
        self.flip_on_upper = flip_on_upper

    def probabilities(self, text):
        return [[0.0, 1.0, 0.0] if self.flip_on_upper and text.isupper() else [1.0, 0.0, 0.0]] * len(LABELS)

    def decisions(self, probs):
        return [max(range(3), key=lambda c: p[c]) for p in probs]


def test_invariance_is_what_passes():
    steady = robustness.run(Constant(), sample=20, locations_per_case=2)
    assert all(r["rate"] == 1.0 for r in steady["families"].values())
    assert steady["base_accuracy"] < 0.5  # deciding "negative" for everything is not accurate
    flipping = robustness.run(Constant(flip_on_upper=True), sample=20, locations_per_case=2)
    assert flipping["families"]["case"]["rate"] <= 2 / 3
