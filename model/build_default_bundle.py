#!/usr/bin/python3
"""Rebuilds the embedded default bundle (model/default/), its model card, the tokenizer test
vectors and the sample reports, from fixed seeds. Run from the repository root:

    /usr/bin/python3 model/build_default_bundle.py

Takes ~15 minutes on 2 cores. Scripts and saves with Debian's torch 1.13 so LibTorch 1.13 loads it.
"""
import argparse
import json
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from radlabel_model.bundle import OfflineLabeller, write_manifest  # noqa: E402
from radlabel_model.evaluate import evaluate, model_card  # noqa: E402
from radlabel_model.generator import generate, write_reports_csv  # noqa: E402
from radlabel_model.labels import CLASSES, LABELS  # noqa: E402
from radlabel_model.network import ReportClassifier  # noqa: E402
from radlabel_model.vocab import build_vocab  # noqa: E402
from radlabel_model.wordpiece import WordPieceTokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = {
    "name": "radlabel-head-mri-default",
    "version": "0.1.0",
    "classes": CLASSES,
    "positive_class": "positive",
    "max_tokens": 128,
    "chunk_overlap": 32,
    "do_lower_case": True,
    "max_input_chars_per_word": 100,
}
ARCH = dict(d_model=128, num_heads=4, num_layers=2, d_ff=512, pool_hidden=128)


def train(model, examples, tokenizer, epochs, batch_size, lr, seed):
    rng = random.Random(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps,
                                                   pct_start=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        # Length-sorted buckets, shuffled: little padding, still random batches.
        order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        start, total = time.time(), 0.0
        for batch in batches:
            rows = [[tokenizer.cls_id] + examples[i][0] + [tokenizer.sep_id] for i in batch]
            length = max(len(r) for r in rows)
            ids = torch.zeros((len(rows), length), dtype=torch.int64)
            mask = torch.zeros_like(ids)
            for j, r in enumerate(rows):
                ids[j, :len(r)] = torch.tensor(r)
                mask[j, :len(r)] = 1
            target = torch.tensor([examples[i][1] for i in batch])  # [B, L]
            logits = model.logits(ids, mask)
            loss = loss_fn(logits.reshape(-1, logits.size(-1)), target.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(examples):.4f} "
              f"({len(examples) / (time.time() - start):.0f} reports/s)", flush=True)


TOKENIZER_EDGE_CASES = [
    "", "   ", "Périventricular WMH, ischaemia — café.", "NAÏVE Ångström façade",
    "Ｆｕｌｌｗｉｄｔｈ ＭＲＩ", "北京 MRI 脑", "tab\tnew\nline\rcarriage", "nul\x00byte and \x07bell",
    "zero\u200bwidth soft\u00adhyphen", "emoji 🧠 brain", "x" * 101, "y" * 100,
    "a-b_c/d\\e(f)[g]{h}<i>j@k#l$m%n^o&p*q+r=s~t`u|v;w:x'y\"z", "¿Qué? ¡Sí! «quoted» „low“",
    "line\u2028separator para\u2029graph", "non\u00a0breaking ideographic\u3000space",
    "T2/FLAIR 3.5mm 12/03/2019 Fazekas-2", "unknownwordpieceszzqx", "\ufffdreplacement",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--train", type=int, default=16000, help="training reports")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (one-cycle)")
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    train_reports = list(generate(args.train, seed=1, id_prefix="train"))
    val_reports = list(generate(1000, seed=2, id_prefix="val"))
    test_reports = list(generate(2000, seed=3, id_prefix="test"))

    vocab = build_vocab([r["text"] for r in train_reports], args.vocab_size)
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.writelines(tok + "\n" for tok in vocab)
    tokenizer = WordPieceTokenizer(vocab)

    # Training sees whole reports that fit one window; longer ones are left to chunking at
    # inference time (a window that misses a finding must not be taught it is there).
    content = CONFIG["max_tokens"] - 2
    examples = []
    for r in train_reports:
        ids = tokenizer.encode(r["text"])
        if len(ids) <= content:
            examples.append((ids, [r["labels"][name] for name in LABELS]))
    print(f"{len(examples)} of {len(train_reports)} training reports fit one window", flush=True)

    model = ReportClassifier(len(vocab), len(LABELS), len(CLASSES), CONFIG["max_tokens"], **ARCH)
    train(model, examples, tokenizer, args.epochs, batch_size=32, lr=args.lr, seed=0)
    model.eval()

    config = dict(CONFIG, labels=[{"name": name, "threshold": 0.5} for name in LABELS])
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    torch.jit.script(model).save(os.path.join(args.out, "model.pt"))
    write_manifest(args.out)

    labeller = OfflineLabeller(args.out, threads=args.threads)
    metrics = evaluate(labeller, test_reports)
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(model_card(config, ARCH, metrics, len(examples), args))
    print(open(os.path.join(args.out, "MODEL_CARD.md")).read())

    samples_dir = os.path.join(ROOT, "model", "samples")
    os.makedirs(samples_dir, exist_ok=True)
    write_reports_csv(os.path.join(samples_dir, "head_mri_reports.csv"), generate(2000, seed=4, id_prefix="sample"))

    vectors = [{"text": t, "ids": tokenizer.encode(t)} for t in TOKENIZER_EDGE_CASES]
    vectors += [{"text": r["text"], "ids": tokenizer.encode(r["text"])} for r in test_reports[:300]]
    with open(os.path.join(ROOT, "tests", "data", "tokenizer_vectors.jsonl"), "w", encoding="utf-8") as f:
        for v in vectors:
            f.write(json.dumps(v, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
