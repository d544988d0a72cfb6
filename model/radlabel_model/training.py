"""Training shared by the default bundle and users' fine-tuning: a length-bucketed loop over
(token ids, per-label class) examples, per-label thresholds chosen on a validation split, and
writing the result as a radlabel bundle."""
import json
import os
import random
import time

import torch

from .bundle import OfflineLabeller, write_manifest
from .evaluate import positive_scores
from .wordpiece import write_vocab


def _statement_tokens(text, statements, tokenizer, ids):
    """The token indices of each statement (character offsets start, end), found by tokenizing
    the text in pieces cut at the statements' boundaries; None if that does not reproduce the
    whole text's tokens (a boundary inside a word). Pieces are cut from the text as the
    tokenizer marks it whole, so that a piece's first line break is judged in context."""
    text = tokenizer.mark(text)
    cuts = sorted({0, len(text)} | {s[key] for s in statements for key in ("start", "end")})
    pieces, piece_ids = [], []
    for start, end in zip(cuts, cuts[1:]):
        piece = tokenizer.encode(text[start:end], marked=True)
        pieces.append((start, end, len(piece_ids), len(piece_ids) + len(piece)))
        piece_ids += piece
    if piece_ids != ids:
        return None
    return [[t for start, end, first, last in pieces if s["start"] <= start and end <= s["end"]
             for t in range(first, last)] for s in statements]


def examples_from_reports(reports, tokenizer, label_names, max_tokens):
    """(ids, classes, token_classes, sentences_known) for the reports that fit one window.
    Where a report knows its statements (generated ones do: the sentences that state a label
    and the class each states), token_classes maps a label index to (token, class) pairs and
    sentences_known is True: every other sentence states nothing. Longer reports are left to
    windowing at inference time: a window that misses a finding must not be taught that it is
    there."""
    content = max_tokens - 2
    examples = []
    for r in reports:
        ids = tokenizer.encode(r["text"])
        if len(ids) > content:
            continue
        statements = r.get("statements")
        tokens = _statement_tokens(r["text"], statements, tokenizer, ids) if statements is not None else None
        token_classes = {}
        for statement, statement_tokens in zip(statements or [], tokens or []):
            for name, cls in statement["labels"].items():
                token_classes.setdefault(label_names.index(name), []).extend((t, cls) for t in statement_tokens)
        examples.append((ids, [r["labels"][name] for name in label_names], token_classes, tokens is not None))
    return examples


def _batch(examples, indices, tokenizer, num_labels):
    rows = [[tokenizer.cls_id] + examples[i][0] + [tokenizer.sep_id] for i in indices]
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), tokenizer.pad_id, dtype=torch.int64)
    mask = torch.zeros_like(ids)
    token_classes = torch.full((len(rows), num_labels, length), -1, dtype=torch.int64)
    for j, r in enumerate(rows):
        ids[j, :len(r)] = torch.tensor(r)
        mask[j, :len(r)] = 1
        for label, pairs in examples[indices[j]][2].items():
            for t, cls in pairs:
                token_classes[j, label, t + 1] = cls  # +1: after [CLS]
    return (ids, mask, torch.tensor([examples[i][1] for i in indices]), token_classes,
            torch.tensor([examples[i][3] for i in indices]))


def train(model, examples, tokenizer, epochs, batch_size, lr, seed, max_steps=None, log=print):
    """AdamW with a one-cycle schedule on the model's training_loss (network.py). Stops after
    max_steps optimiser steps when given."""
    rng = random.Random(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    if max_steps is not None:
        steps = min(steps, max_steps)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=max(steps, 2),
                                                   pct_start=0.1)
    model.train()
    step = 0
    for epoch in range(epochs):
        # Length-sorted buckets, shuffled: little padding, still random batches.
        order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        start, total, seen = time.time(), 0.0, 0
        for indices in batches:
            if step >= steps:
                break
            loss = model.training_loss(*_batch(examples, indices, tokenizer, model.label_queries.size(0)))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            total += loss.item() * len(indices)
            seen += len(indices)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / max(seen, 1):.4f} "
            f"({seen / max(time.time() - start, 1e-9):.0f} reports/s)")
    model.eval()


def _f1(scores, truths, threshold):
    tp = sum(s >= threshold and y for s, y in zip(scores, truths))
    fp = sum(s >= threshold and not y for s, y in zip(scores, truths))
    fn = sum(s < threshold and y for s, y in zip(scores, truths))
    return 2 * tp / max(1, 2 * tp + fp + fn)


def choose_thresholds(scores, truths, grid=None, min_gain=0.01):
    """Per label, the threshold on the positive probability that maximises F1 on a validation
    split, if it beats 0.5 there by at least `min_gain`; else 0.5. scores/truths: {label:
    [float]}, {label: [bool]}.

    Why the margin: a validation split written like the training split is nearly solved, so the
    F1-best threshold often only dodges a handful of its errors and lands far from 0.5, where it
    costs recall on reports written differently (the default bundle's history in CHANGELOG.md). A
    threshold moves only for a real gain."""
    grid = grid or [i / 100 for i in range(5, 96)]
    chosen = {}
    for name in scores:
        best = (_f1(scores[name], truths[name], 0.5), 0.5)
        for t in grid:
            f1 = _f1(scores[name], truths[name], t)
            # Ties go to the threshold closest to 0.5: the least tuned one.
            if f1 > best[0] + 1e-12 or (abs(f1 - best[0]) <= 1e-12 and abs(t - 0.5) < abs(best[1] - 0.5)):
                best = (f1, t)
        chosen[name] = best[1] if best[0] >= _f1(scores[name], truths[name], 0.5) + min_gain else 0.5
    return chosen


def choose_thresholds_across(splits, grid=None):
    """Per label, the threshold that maximises the mean F1 over several splits, each ({label:
    [score]}, {label: [truth]}); ties go to the threshold nearest 0.5. The default bundle uses it
    for labels with enough positives in real text: its generated validation split alone puts the
    thresholds where generated text wants them, and real text scores lower."""
    grid = grid or [i / 100 for i in range(1, 96)]
    labels = splits[0][0].keys()
    return {name: max(grid, key=lambda t: (sum(_f1(scores[name], truths[name], t) for scores, truths in splits)
                                           / len(splits), -abs(t - 0.5)))
            for name in labels}


def write_thresholds(out_dir, thresholds, version=None):
    """Sets the thresholds of the bundle in out_dir ({label: threshold}; labels not named keep
    theirs), and its version when given, in its labels.json and manifest."""
    with open(os.path.join(out_dir, "labels.json")) as f:
        config = json.load(f)
    if version:
        config["version"] = version
    for label in config["labels"]:
        label["threshold"] = thresholds.get(label["name"], label["threshold"])
    _write_labels(out_dir, config)


def _write_labels(out_dir, config):
    """labels.json, and the manifest over the bundle's files."""
    with open(os.path.join(out_dir, "labels.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_manifest(out_dir)


def save_bundle(model, out_dir, config, vocab, validation_reports, threads):
    """Writes a bundle: vocab.txt, a TorchScript model.pt saved by this torch, and labels.json
    (`config`) with per-label thresholds chosen on `validation_reports`, scored by the saved
    bundle exactly as it will be served. Returns the thresholds; `config` holds them too."""
    os.makedirs(out_dir, exist_ok=True)
    write_vocab(os.path.join(out_dir, "vocab.txt"), vocab)
    model.eval()
    torch.jit.script(model).save(os.path.join(out_dir, "model.pt"))
    _write_labels(out_dir, config)
    scores, truths, _ = positive_scores(OfflineLabeller(out_dir, threads=threads), validation_reports)
    thresholds = choose_thresholds(scores, truths)
    for label in config["labels"]:
        label["threshold"] = thresholds[label["name"]]
    _write_labels(out_dir, config)
    return thresholds
