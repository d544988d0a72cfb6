"""Reads a Hugging Face BERT checkpoint (BioBERT, PubMedBERT, any BertModel: its config.json,
vocab.txt and pytorch_model.bin or model.safetensors) and maps every tensor by name onto a
ReportClassifier's encoder. Nothing is guessed: a tensor the encoder needs and the checkpoint
lacks, or a checkpoint tensor that maps nowhere, is an error naming the keys. Only the
pre-training heads (cls.*) and the pooler, which radlabel does not use, are skipped.
"""
import json
import os

import torch

from .network import EncoderConfig

# Pre-training heads and the [CLS] pooler: part of BioBERT-style checkpoints, unused here.
SKIPPED_PREFIXES = ("cls.", "pooler.")
SKIPPED_KEYS = {"embeddings.position_ids"}  # a buffer of 0..n-1, not a weight
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class CheckpointError(ValueError):
    pass


def read_config(checkpoint_dir, vocab_size=None):
    path = os.path.join(checkpoint_dir, "config.json")
    if not os.path.exists(path):
        raise CheckpointError(f"{path} is missing: a Hugging Face checkpoint directory holds config.json, "
                              "vocab.txt and pytorch_model.bin or model.safetensors")
    with open(path) as f:
        c = json.load(f)
    if c.get("model_type", "bert") != "bert":
        raise CheckpointError(f"{path}: model_type is {c['model_type']!r}; radlabel converts BERT checkpoints only")
    if c.get("hidden_act", "gelu") != "gelu":
        raise CheckpointError(f"{path}: hidden_act is {c['hidden_act']!r}; radlabel's encoder uses BERT's gelu")
    if c.get("position_embedding_type", "absolute") != "absolute":
        raise CheckpointError(f"{path}: position_embedding_type {c['position_embedding_type']!r} is not supported "
                              "(absolute only)")
    config = EncoderConfig(
        vocab_size=c["vocab_size"], hidden_size=c["hidden_size"], num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"], intermediate_size=c["intermediate_size"],
        max_position_embeddings=c["max_position_embeddings"], type_vocab_size=c.get("type_vocab_size", 2),
        layer_norm_eps=c.get("layer_norm_eps", 1e-12), hidden_dropout_prob=c.get("hidden_dropout_prob", 0.1),
        pre_layer_norm=False)
    if vocab_size is not None and vocab_size != config.vocab_size:
        raise CheckpointError(f"{path} says vocab_size {config.vocab_size} but vocab.txt has {vocab_size} tokens; "
                              "use the vocab.txt that belongs to this checkpoint")
    return config


def _read_safetensors(path):
    """The tensors of a .safetensors file (8-byte little-endian header length, JSON header, data)."""
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
              "I64": torch.int64, "I32": torch.int32}
    with open(path, "rb") as f:
        data = f.read()
    header_len = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + header_len])
    body = data[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in dtypes:
            raise CheckpointError(f"{path}: tensor {name} has dtype {info['dtype']}, which radlabel cannot read")
        start, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(body[start:end]), dtype=dtypes[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors


def read_state_dict(checkpoint_dir):
    for name in WEIGHT_FILES:
        path = os.path.join(checkpoint_dir, name)
        if os.path.exists(path):
            state = _read_safetensors(path) if name.endswith(".safetensors") else torch.load(path, map_location="cpu")
            return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    raise CheckpointError(f"{checkpoint_dir} holds none of {', '.join(WEIGHT_FILES)}")


def _canonical(key):
    """HF names with the task-model prefix removed and TF-era LayerNorm names modernised."""
    if key.startswith("bert."):
        key = key[len("bert."):]
    if key.endswith(".gamma"):
        key = key[:-len(".gamma")] + ".weight"
    if key.endswith(".beta"):
        key = key[:-len(".beta")] + ".bias"
    return key


def encoder_state_dict(hf_state, config):
    """Maps a BertModel state dict onto ReportClassifier's encoder parameter names."""
    state = {}
    for key, value in hf_state.items():
        canonical = _canonical(key)
        if canonical in state:
            raise CheckpointError(f"the checkpoint holds {canonical} twice (as {key} and another name)")
        state[canonical] = value
    used, missing, mapped = set(), [], {}

    def take(name):
        if name not in state:
            missing.append(name)
            return None
        used.add(name)
        return state[name]

    for part in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        mapped[f"embeddings.{part}.weight"] = take(f"embeddings.{part}.weight")
    for p in ("weight", "bias"):
        mapped[f"embeddings.LayerNorm.{p}"] = take(f"embeddings.LayerNorm.{p}")
    for i in range(config.num_hidden_layers):
        hf, ours = f"encoder.layer.{i}", f"encoder.layers.{i}"
        for p in ("weight", "bias"):
            qkv = [take(f"{hf}.attention.self.{m}.{p}") for m in ("query", "key", "value")]
            mapped[f"{ours}.self_attn.in_proj_{p}"] = None if any(t is None for t in qkv) else torch.cat(qkv, 0)
            mapped[f"{ours}.self_attn.out_proj.{p}"] = take(f"{hf}.attention.output.dense.{p}")
            mapped[f"{ours}.norm1.{p}"] = take(f"{hf}.attention.output.LayerNorm.{p}")
            mapped[f"{ours}.linear1.{p}"] = take(f"{hf}.intermediate.dense.{p}")
            mapped[f"{ours}.linear2.{p}"] = take(f"{hf}.output.dense.{p}")
            mapped[f"{ours}.norm2.{p}"] = take(f"{hf}.output.LayerNorm.{p}")
    unexpected = sorted(k for k in state if k not in used and k not in SKIPPED_KEYS
                        and not k.startswith(SKIPPED_PREFIXES))
    if missing or unexpected:
        raise CheckpointError(
            "the checkpoint does not match a BERT encoder of its config.json: "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and unexpected else "")
            + (f"unexpected {unexpected}" if unexpected else "")
            + ". Convert a BertModel / BertForPreTraining checkpoint, with the config.json it was saved with")
    return mapped


def load_encoder(model, checkpoint_dir, config):
    """Copies the checkpoint's weights into `model` (a ReportClassifier built from `config`);
    the label heads keep their fresh initialisation."""
    mapped = encoder_state_dict(read_state_dict(checkpoint_dir), config)
    own = model.state_dict()
    for name, tensor in mapped.items():
        if own[name].shape != tensor.shape:
            raise CheckpointError(f"{name}: the checkpoint's tensor has shape {list(tensor.shape)}, "
                                  f"config.json implies {list(own[name].shape)}")
    result = model.load_state_dict(mapped, strict=False)
    heads = {"label_queries", "hidden.weight", "hidden.bias", "class_weight", "class_bias"}
    if set(result.missing_keys) - heads or result.unexpected_keys:
        raise CheckpointError(f"internal mapping error: missing {result.missing_keys}, "
                              f"unexpected {result.unexpected_keys}")
