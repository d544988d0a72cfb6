#!/usr/bin/python3
"""Measures CPU speed levers on the default bundle, each against fp32 in the same run:
model throughput (windows/s over length-sorted batches of 32, median of --repeats passes after a
warm-up pass) and macro-F1 on the held-out split of the model card (2,000 generated reports,
seed 3). A lever is worth keeping only if it is faster and loses at most 0.01 macro-F1.

    /usr/bin/python3 bench/speed_levers.py [--repeats 3]
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "model"))
from radlabel_model.bundle import OfflineLabeller  # noqa: E402
from radlabel_model.windows import batch_tensors, split_windows  # noqa: E402
from radlabel_model.evaluate import evaluate  # noqa: E402
from radlabel_model.generator import generate  # noqa: E402
from radlabel_model.labels import CLASSES, LABELS  # noqa: E402
from radlabel_model.network import EncoderConfig, ReportClassifier  # noqa: E402
from build_default_bundle import ARCH, POOL_HIDDEN  # noqa: E402

# As radlabel-server does (common/allocator_tuning.cc): M_MMAP_THRESHOLD, M_TRIM_THRESHOLD.
ctypes.CDLL("libc.so.6").mallopt(-3, 512 << 20)
ctypes.CDLL("libc.so.6").mallopt(-1, 1 << 30)


def eager_from_bundle(labeller):
    config = labeller.config
    encoder = EncoderConfig(vocab_size=len(labeller.tokenizer.vocab), max_position_embeddings=config["max_tokens"],
                            **ARCH)
    model = ReportClassifier(encoder, len(LABELS), len(CLASSES), pool_hidden=POOL_HIDDEN)
    model.load_state_dict(labeller.model.state_dict())
    return model.eval()


def windows_per_second(model, windows, tokenizer, repeats):
    batches = [batch_tensors(windows[i:i + 32], tokenizer.cls_id, tokenizer.sep_id, tokenizer.pad_id)
               for i in range(0, len(windows), 32)]
    rates = []
    with torch.inference_mode():
        for rep in range(repeats + 1):
            start = time.time()
            for ids, mask in batches:
                model(ids, mask)
            if rep > 0:  # the first pass warms up
                rates.append(len(windows) / (time.time() - start))
    return statistics.median(rates)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    labeller = OfflineLabeller(args.bundle, threads=2)
    tokenizer = labeller.tokenizer
    texts = [r["text"] for r in generate(3000, seed=11)]
    config = labeller.config
    windows = sorted((w for t in texts for w in split_windows(tokenizer.encode(t), config["max_tokens"],
                                                              config["chunk_overlap"])), key=len)
    held_out = list(generate(2000, seed=3, id_prefix="test", split="held_out"))

    # torch 1.13's nn.TransformerEncoderLayer reads linear1.weight & co. as tensors (its fast
    # path), so it neither scripts nor runs around quantized Linear layers: the int8 lever needs
    # a hand-written encoder layer first. Listed so the script says so when it fails.
    eager = eager_from_bundle(labeller)
    variants = {
        "fp32 (TorchScript, as served)": labeller.model,
        "fp32 (eager)": eager,
    }
    try:
        variants["int8 dynamic Linear (eager)"] = torch.quantization.quantize_dynamic(
            eager_from_bundle(labeller), {torch.nn.Linear}, dtype=torch.qint8)
    except RuntimeError as e:
        print(f"int8 dynamic: cannot quantize: {e}")
    print(f"{len(windows)} windows; held-out: {len(held_out)} reports", flush=True)
    baseline = None
    for name, model in variants.items():
        try:
            speed = windows_per_second(model, windows, tokenizer, args.repeats)
        except (RuntimeError, AttributeError) as e:
            print(f"{name:32s} not applicable: {str(e).strip().splitlines()[-1]}", flush=True)
            continue
        labeller.model = model
        f1 = evaluate(labeller, held_out)["macro_f1"]
        if baseline is None:
            baseline = (speed, f1)
        print(f"{name:32s} {speed:7.1f} windows/s  x{speed / baseline[0]:.2f}   "
              f"macro-F1 {f1:.4f} ({f1 - baseline[1]:+.4f})", flush=True)


if __name__ == "__main__":
    main()
