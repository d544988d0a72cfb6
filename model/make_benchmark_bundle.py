#!/usr/bin/python3
"""Writes a BERT-base-sized bundle with random weights, for speed benchmarks only (its labels
mean nothing): the study's architecture (Wood et al. 2021: a 12-layer, 768-wide BERT with
12 heads, attention pooling per label and a small classifier; ReportClassifier) over the default
bundle's vocabulary and labels. A model's speed does not depend on its weights' values.

    python3 model/make_benchmark_bundle.py --out DIR [--layers 12 --hidden 768 --heads 12]

Runs with Debian's torch 1.13 or a newer torch: model.pt is scripted and saved by the torch
that runs this, so on a GPU host run it with the torch whose LibTorch radlabel was built
against (bench/gpu/run.sh does). Not committed: about 440 MB at BERT-base size.
"""
import argparse
import json
import os
import shutil

import torch

from radlabel_model.bundle import write_manifest
from radlabel_model.network import EncoderConfig, ReportClassifier

DEFAULT_BUNDLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "default")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="bundle directory to write")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--intermediate", type=int, help="feed-forward width (default 4 x --hidden)")
    parser.add_argument("--max-tokens", type=int, default=256,
                        help="model window, as model/finetune.py's default (BERT allows up to 512)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    with open(os.path.join(DEFAULT_BUNDLE, "labels.json")) as f:
        config = json.load(f)
    with open(os.path.join(DEFAULT_BUNDLE, "vocab.txt"), encoding="utf-8") as f:
        vocab_size = sum(1 for _ in f)
    encoder = EncoderConfig(vocab_size=vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                            num_attention_heads=args.heads,
                            intermediate_size=args.intermediate or 4 * args.hidden,
                            max_position_embeddings=args.max_tokens)
    model = ReportClassifier(encoder, len(config["labels"]), len(config["classes"])).eval()

    os.makedirs(args.out, exist_ok=True)
    torch.jit.script(model).save(os.path.join(args.out, "model.pt"))
    shutil.copyfile(os.path.join(DEFAULT_BUNDLE, "vocab.txt"), os.path.join(args.out, "vocab.txt"))
    config.update(name=f"radlabel-benchmark-{args.layers}x{args.hidden}", version="0-random-weights",
                  max_tokens=args.max_tokens, chunk_overlap=args.max_tokens // 4)
    for label in config["labels"]:
        label["threshold"] = 0.5
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_manifest(args.out)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out}: {args.layers} layers x {args.hidden} hidden, {args.heads} heads, "
          f"{params / 1e6:.1f} M parameters, {args.max_tokens}-token windows, torch {torch.__version__}")


if __name__ == "__main__":
    main()
