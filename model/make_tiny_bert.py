#!/usr/bin/python3
"""Writes a tiny Hugging Face-format BERT checkpoint with random weights: config.json,
vocab.txt (built from the given texts), tokenizer_config.json and pytorch_model.bin with exactly
the tensor names of a BertForPreTraining checkpoint such as BioBERT ("bert." prefix, cls.* heads,
pooler). For tests of the conversion and fine-tuning path, which cannot download a real one:

    /usr/bin/python3 model/make_tiny_bert.py --out DIR --texts reports.csv [--safetensors]
"""
import argparse
import csv
import json
import os

import torch

from radlabel_model.vocab import build_vocab
from radlabel_model.wordpiece import write_vocab

CONFIG = {"model_type": "bert", "architectures": ["BertForPreTraining"], "hidden_size": 32,
          "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
          "max_position_embeddings": 128, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
          "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
          "position_embedding_type": "absolute"}


def hf_state_dict(config, seed=0):
    """Random tensors under Hugging Face's BertForPreTraining names."""
    g = torch.Generator().manual_seed(seed)
    h, f, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]

    def rand(*shape):
        return torch.randn(*shape, generator=g) * 0.2

    s = {"bert.embeddings.word_embeddings.weight": rand(v, h),
         "bert.embeddings.position_embeddings.weight": rand(config["max_position_embeddings"], h),
         "bert.embeddings.token_type_embeddings.weight": rand(config["type_vocab_size"], h),
         "bert.embeddings.LayerNorm.weight": 1 + rand(h), "bert.embeddings.LayerNorm.bias": rand(h),
         "bert.embeddings.position_ids": torch.arange(config["max_position_embeddings"]).unsqueeze(0)}
    for i in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}"
        for m in ("query", "key", "value"):
            s[f"{p}.attention.self.{m}.weight"], s[f"{p}.attention.self.{m}.bias"] = rand(h, h), rand(h)
        s[f"{p}.attention.output.dense.weight"], s[f"{p}.attention.output.dense.bias"] = rand(h, h), rand(h)
        s[f"{p}.attention.output.LayerNorm.weight"], s[f"{p}.attention.output.LayerNorm.bias"] = 1 + rand(h), rand(h)
        s[f"{p}.intermediate.dense.weight"], s[f"{p}.intermediate.dense.bias"] = rand(f, h), rand(f)
        s[f"{p}.output.dense.weight"], s[f"{p}.output.dense.bias"] = rand(h, f), rand(h)
        s[f"{p}.output.LayerNorm.weight"], s[f"{p}.output.LayerNorm.bias"] = 1 + rand(h), rand(h)
    s["bert.pooler.dense.weight"], s["bert.pooler.dense.bias"] = rand(h, h), rand(h)
    s["cls.predictions.bias"] = rand(v)
    s["cls.predictions.transform.dense.weight"], s["cls.predictions.transform.dense.bias"] = rand(h, h), rand(h)
    s["cls.predictions.transform.LayerNorm.weight"] = 1 + rand(h)
    s["cls.predictions.transform.LayerNorm.bias"] = rand(h)
    s["cls.predictions.decoder.weight"] = s["bert.embeddings.word_embeddings.weight"]
    s["cls.seq_relationship.weight"], s["cls.seq_relationship.bias"] = rand(2, h), rand(2)
    return s


def write_safetensors(path, state):
    header, chunks, offset = {}, [], 0
    for name, tensor in state.items():
        t = tensor.contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(len(encoded).to_bytes(8, "little"))
        f.write(encoded)
        for data in chunks:
            f.write(data)


def write_checkpoint(out, texts, safetensors=False, seed=0):
    os.makedirs(out, exist_ok=True)
    vocab = build_vocab(texts, 400, min_count=1) + ["[MASK]"]
    write_vocab(os.path.join(out, "vocab.txt"), vocab)
    config = dict(CONFIG, vocab_size=len(vocab))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True}, f)
    state = hf_state_dict(config, seed)
    if safetensors:
        write_safetensors(os.path.join(out, "model.safetensors"),
                          {k: v for k, v in state.items() if not k.startswith("cls.predictions.decoder")})
    else:
        torch.save(state, os.path.join(out, "pytorch_model.bin"))
    return config, state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--texts", required=True, help="CSV with a text column; its words make the vocabulary")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--safetensors", action="store_true")
    args = parser.parse_args()
    with open(args.texts, newline="", encoding="utf-8") as f:
        texts = [row[args.text_column] for row in csv.DictReader(f)]
    write_checkpoint(args.out, texts, args.safetensors)


if __name__ == "__main__":
    main()
