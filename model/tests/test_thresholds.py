"""Per-label thresholds move from 0.5 only for a real F1 gain on validation."""
from radlabel_model.training import choose_thresholds


def test_a_threshold_that_only_dodges_a_few_errors_stays_at_half():
    # 200 positives at 0.99, 200 negatives at 0.01, and one negative at 0.6: 0.61+ would be
    # perfect, but gains only 0.0025 F1 over 0.5.
    scores = [0.99] * 200 + [0.01] * 200 + [0.6]
    truths = [True] * 200 + [False] * 201
    assert choose_thresholds({"a": scores}, {"a": truths}) == {"a": 0.5}
    assert choose_thresholds({"a": scores}, {"a": truths}, min_gain=0.0) == {"a": 0.61}


def test_a_threshold_moves_for_a_real_gain():
    # A fifth of the positives score 0.3: at 0.5 they are missed (F1 0.89), at 0.3 none is.
    scores = [0.9] * 80 + [0.3] * 20 + [0.05] * 100
    truths = [True] * 100 + [False] * 100
    assert choose_thresholds({"a": scores}, {"a": truths}) == {"a": 0.3}


def test_a_threshold_across_splits_maximises_the_mean_f1_and_breaks_ties_towards_half():
    from radlabel_model.training import choose_thresholds_across
    # Generated text scores positives high, real text low: one threshold serves both.
    generated = ({"a": [0.9, 0.8, 0.1, 0.2]}, {"a": [True, True, False, False]})
    real = ({"a": [0.3, 0.25, 0.05, 0.02]}, {"a": [True, True, False, False]})
    assert choose_thresholds_across([generated]) == {"a": 0.5}  # every t in (0.2, 0.8] ties: 0.5
    assert choose_thresholds_across([generated, real]) == {"a": 0.25}  # (0.2, 0.25] is perfect on both
