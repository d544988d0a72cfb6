"""Held-out evaluation and the model card: per label, precision, recall and F1 of the positive
decision, AUC of the positive probability, and three-class accuracy."""
import time

from .labels import LABELS, POSITIVE


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


def evaluate(labeller, reports):
    start = time.time()
    per_label = {name: {"tp": 0, "fp": 0, "fn": 0, "correct": 0, "scores": [], "truths": []} for name in LABELS}
    order = [c["name"] for c in labeller.config["labels"]]
    positive = labeller.positive_index
    for r in reports:
        probs = labeller.probabilities(r["text"])
        decisions = labeller.decisions(probs)
        for l, name in enumerate(order):
            m, truth, decided = per_label[name], r["labels"][name], decisions[l]
            m["tp"] += decided == positive and truth == POSITIVE
            m["fp"] += decided == positive and truth != POSITIVE
            m["fn"] += decided != positive and truth == POSITIVE
            m["correct"] += decided == truth
            m["scores"].append(float(probs[l][positive]))
            m["truths"].append(int(truth == POSITIVE))
    elapsed = time.time() - start
    rows = {}
    for name, m in per_label.items():
        p = m["tp"] / max(1, m["tp"] + m["fp"])
        rc = m["tp"] / max(1, m["tp"] + m["fn"])
        rows[name] = {"precision": p, "recall": rc, "f1": 2 * p * rc / max(1e-12, p + rc),
                      "auc": _auc(m["scores"], m["truths"]), "accuracy": m["correct"] / len(reports),
                      "support": sum(m["truths"])}
    return {"labels": rows, "macro_f1": sum(r["f1"] for r in rows.values()) / len(rows),
            "reports": len(reports), "seconds": elapsed}


def model_card(config, arch, metrics, train_examples, args):
    lines = [
        f"# Model card: {config['name']} {config['version']}",
        "",
        "The embedded default model of radlabel. It is trained on synthetic head-MRI reports from",
        "`model/radlabel_model/generator.py` (a first generator; see the label rules in",
        "`model/radlabel_model/labels.py`). It demonstrates the service end to end; it has never seen",
        "a real report, so fine-tune on your own before trusting its labels.",
        "",
        "Rebuild (seeded; ~15 minutes on 2 cores): `/usr/bin/python3 model/build_default_bundle.py`",
        "",
        "## Architecture",
        f"BERT-style encoder ({arch['num_layers']} layers, hidden {arch['d_model']}, {arch['num_heads']} heads, "
        f"feed-forward {arch['d_ff']}), one attention-pooling query per label, a shared hidden layer of "
        f"{arch['pool_hidden']} (tanh), per-label outputs over {len(config['classes'])} classes "
        f"({', '.join(config['classes'])}). Window {config['max_tokens']} tokens, chunk overlap "
        f"{config['chunk_overlap']}.",
        "",
        "## Training",
        f"{train_examples} of {args.train} generated reports (seed 1; those that fit one window), "
        f"{args.epochs} epochs, AdamW, one-cycle learning rate {args.lr:g}, batch 32. Thresholds: 0.5 for every label.",
        "",
        f"## Held-out evaluation ({metrics['reports']} generated reports, seed 3, long ones chunked)",
        "Precision, recall and F1 of the positive decision; AUC of the positive probability;",
        "accuracy over the three classes.",
        "",
        "| label | support | precision | recall | F1 | AUC | 3-class accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in metrics["labels"].items():
        lines.append(f"| {name} | {r['support']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                     f"{r['auc']:.3f} | {r['accuracy']:.3f} |")
    lines += ["", f"Macro-F1: **{metrics['macro_f1']:.3f}**", "",
              "Caveat: the held-out split comes from the same templates as the training split (other",
              "seeds), so these figures overstate quality on real reports.", ""]
    return "\n".join(lines)
