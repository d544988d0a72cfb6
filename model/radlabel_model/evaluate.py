"""Evaluation of a bundle on labelled reports: per label, precision, recall and F1 of the positive
decision (with the bundle's thresholds), AUC of the positive probability, expected calibration
error, and three-class accuracy."""
import time


def _auc(scores, truths):
    pairs = sorted(zip(scores, truths))
    positives = sum(truths)
    negatives = len(truths) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2  # ranks are 1-based; ties share their mean rank
        rank_sum += mean_rank * sum(t for _, t in pairs[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def expected_calibration_error(scores, truths, bins=10):
    """ECE of the positive probability: the support-weighted mean |observed rate - mean score|
    over `bins` equal-width score bins."""
    total, error = len(scores), 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [(s, t) for s, t in zip(scores, truths) if lo <= s < hi or (b == bins - 1 and s == 1.0)]
        if members:
            confidence = sum(s for s, _ in members) / len(members)
            observed = sum(t for _, t in members) / len(members)
            error += len(members) / total * abs(observed - confidence)
    return error


def positive_scores(labeller, reports):
    """({label: [positive probability]}, {label: [truth is positive]}, [decisions per report]).
    A report's "labels" map each label name to a class index into the bundle's classes."""
    names = [c["name"] for c in labeller.config["labels"]]
    truth_positive = labeller.config["classes"].index("positive")
    scores = {n: [] for n in names}
    truths = {n: [] for n in names}
    decisions = []
    for r in reports:
        probs = labeller.probabilities(r["text"])
        decisions.append(labeller.decisions(probs))
        for l, name in enumerate(names):
            scores[name].append(float(probs[l][labeller.positive_index]))
            truths[name].append(r["labels"][name] == truth_positive)
    return scores, truths, decisions


def evaluate(labeller, reports):
    start = time.time()
    scores, truths, decisions = positive_scores(labeller, reports)
    names = list(scores)
    rows = {}
    for l, name in enumerate(names):
        decided = [d[l] == labeller.positive_index for d in decisions]
        tp = sum(d and t for d, t in zip(decided, truths[name]))
        fp = sum(d and not t for d, t in zip(decided, truths[name]))
        fn = sum(t and not d for d, t in zip(decided, truths[name]))
        p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
        correct = sum(d[l] == r["labels"][name] for d, r in zip(decisions, reports))
        rows[name] = {"precision": p, "recall": rc, "f1": 2 * p * rc / max(1e-12, p + rc),
                      "auc": _auc(scores[name], [int(t) for t in truths[name]]),
                      "ece": expected_calibration_error(scores[name], truths[name]),
                      "accuracy": correct / len(reports), "support": sum(truths[name])}
    return {"labels": rows, "macro_f1": sum(r["f1"] for r in rows.values()) / len(rows),
            "reports": len(reports), "seconds": time.time() - start}


def metrics_table(metrics, thresholds):
    lines = ["| label | support | threshold | precision | recall | F1 | AUC | ECE | 3-class accuracy |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in metrics["labels"].items():
        lines.append(f"| {name} | {r['support']} | {thresholds[name]:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                     f"{r['f1']:.3f} | {r['auc']:.3f} | {r['ece']:.3f} | {r['accuracy']:.3f} |")
    lines += ["", f"Macro-F1: **{metrics['macro_f1']:.3f}** ({metrics['reports']} reports)"]
    return lines
