#!/usr/bin/python3
"""Fine-tunes a Hugging Face BERT checkpoint (BioBERT, PubMedBERT, ...) on your labelled reports
and writes a radlabel bundle that radlabel-server serves with --bundle:

    /usr/bin/python3 model/finetune.py --base path/to/biobert --train labelled.csv --out my_bundle

--base is a checkpoint directory: config.json, vocab.txt, pytorch_model.bin or model.safetensors
(and tokenizer_config.json, whose do_lower_case is honoured). Every tensor is mapped by name; a
missing or unexpected one stops the conversion with the keys named.

--train (and optional --validation) CSV: a column of report ids (--id-column, default
report_id), a column of text (--text-column, default text), and one column per label: your
label set is whatever columns remain. Cells follow the CheXpert convention: 1 positive,
0 or empty negative, -1 uncertain. Without --validation, a tenth of --train (seeded) is held
out to choose per-label thresholds and to report precision, recall, F1, AUC and calibration.

Runs on CPU with Debian's torch 1.13, which scripts and saves model.pt for LibTorch 1.13.
"""
import argparse
import csv
import json
import os
import random

import torch

from radlabel_model.bundle import OfflineLabeller
from radlabel_model.evaluate import evaluate, metrics_table
from radlabel_model.hf_bert import CheckpointError, load_encoder, read_config
from radlabel_model.labels import CLASSES
from radlabel_model.network import ReportClassifier
from radlabel_model.training import examples_from_reports, save_bundle, train
from radlabel_model.wordpiece import WordPieceTokenizer, read_vocab

CHEXPERT = {"1": CLASSES.index("positive"), "1.0": CLASSES.index("positive"), "0": CLASSES.index("negative"),
            "0.0": CLASSES.index("negative"), "": CLASSES.index("negative"), "-1": CLASSES.index("uncertain"),
            "-1.0": CLASSES.index("uncertain")}


def read_labelled_csv(path, id_column, text_column):
    """(label names, reports with "labels" as class indices) of a CheXpert-convention CSV."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        for column in (id_column, text_column):
            if column not in fields:
                raise SystemExit(f"{path}: no column {column!r} (columns: {fields}); name it with "
                                 "--id-column / --text-column")
        names = [c for c in fields if c not in (id_column, text_column)]
        if not names:
            raise SystemExit(f"{path}: no label columns; add one column per label with 1, 0, -1 or empty cells")
        reports = []
        for line, row in enumerate(reader, 2):
            labels = {}
            for name in names:
                value = (row[name] or "").strip()
                if value not in CHEXPERT:
                    raise SystemExit(f"{path} line {line}, report {row[id_column]!r}, column {name!r}: "
                                     f"{value!r} is not 1, 0, -1 or empty")
                labels[name] = CHEXPERT[value]
            reports.append({"id": row[id_column], "text": row[text_column], "labels": labels})
    return names, reports


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="Hugging Face BERT checkpoint directory")
    parser.add_argument("--train", required=True, help="labelled CSV")
    parser.add_argument("--validation", help="labelled CSV for thresholds and the model card")
    parser.add_argument("--out", required=True, help="bundle directory to write")
    parser.add_argument("--id-column", default="report_id")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--name", default="radlabel-finetuned")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--max-tokens", type=int, default=256, help="model window; at most max_position_embeddings")
    parser.add_argument("--chunk-overlap", type=int, help="tokens shared by windows of long reports (default a quarter)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=3e-5, help="peak learning rate (one-cycle)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-steps", type=int, help="stop after this many optimiser steps (smoke tests)")
    parser.add_argument("--cased", action="store_true",
                        help="keep case (a cased vocabulary, e.g. BioBERT v1.1); default: tokenizer_config.json")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    vocab_path = os.path.join(args.base, "vocab.txt")
    if not os.path.exists(vocab_path):
        raise SystemExit(f"{vocab_path} is missing: the checkpoint's WordPiece vocabulary is needed")
    do_lower_case = True
    tokenizer_config = os.path.join(args.base, "tokenizer_config.json")
    if os.path.exists(tokenizer_config):
        with open(tokenizer_config) as f:
            do_lower_case = bool(json.load(f).get("do_lower_case", True))
    if args.cased:
        do_lower_case = False
    vocab = read_vocab(vocab_path)
    tokenizer = WordPieceTokenizer(vocab, do_lower_case=do_lower_case)
    try:
        encoder = read_config(args.base, vocab_size=len(vocab))
    except CheckpointError as e:
        raise SystemExit(f"radlabel finetune: {e}")
    if args.max_tokens > encoder.max_position_embeddings:
        raise SystemExit(f"--max-tokens {args.max_tokens} exceeds the checkpoint's max_position_embeddings "
                         f"{encoder.max_position_embeddings}")

    names, train_reports = read_labelled_csv(args.train, args.id_column, args.text_column)
    if args.validation:
        val_names, val_reports = read_labelled_csv(args.validation, args.id_column, args.text_column)
        if val_names != names:
            raise SystemExit(f"--validation has label columns {val_names}, --train has {names}: use the same")
    else:
        random.Random(args.seed).shuffle(train_reports)
        held = max(1, len(train_reports) // 10)
        val_reports, train_reports = train_reports[:held], train_reports[held:]

    model = ReportClassifier(encoder, len(names), len(CLASSES))
    try:
        load_encoder(model, args.base, encoder)
    except CheckpointError as e:
        raise SystemExit(f"radlabel finetune: {e}")
    examples = examples_from_reports(train_reports, tokenizer, names, args.max_tokens)
    if not examples:
        raise SystemExit(f"no training report fits one window of {args.max_tokens} tokens; raise --max-tokens")
    print(f"{len(examples)} of {len(train_reports)} training reports fit one window; labels {names}", flush=True)
    train(model, examples, tokenizer, args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
          max_steps=args.max_steps, log=lambda m: print(m, flush=True))

    config = {"name": args.name, "version": args.version, "classes": CLASSES, "positive_class": "positive",
              "max_tokens": args.max_tokens,
              "chunk_overlap": args.chunk_overlap if args.chunk_overlap is not None else args.max_tokens // 4,
              "do_lower_case": do_lower_case, "max_input_chars_per_word": 100,
              "labels": [{"name": n, "threshold": 0.5} for n in names]}
    thresholds = save_bundle(model, args.out, config, vocab, val_reports, args.threads)

    metrics = evaluate(OfflineLabeller(args.out, threads=args.threads), val_reports)
    card = [f"# Model card: {args.name} {args.version}", "",
            f"Fine-tuned by `model/finetune.py` from `{os.path.basename(os.path.normpath(args.base))}` on "
            f"{len(examples)} reports of `{os.path.basename(args.train)}`; thresholds chosen on the validation split.",
            "", "## Validation", ""] + metrics_table(metrics, thresholds) + [""]
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(card))
    print("\n".join(card))
    print(f"wrote bundle {args.out}: serve it with radlabel-server --bundle={args.out}")


if __name__ == "__main__":
    main()
