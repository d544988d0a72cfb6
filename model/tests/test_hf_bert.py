"""The Hugging Face conversion: every tensor mapped by name, the converted encoder computing
exactly what BertModel computes, and loud errors for missing or unexpected keys."""
import math

import pytest
import torch

from make_tiny_bert import write_checkpoint
from radlabel_model.hf_bert import CheckpointError, encoder_state_dict, load_encoder, read_config
from radlabel_model.network import ReportClassifier

TEXTS = ["No acute infarct.", "Enhancing mass in the left frontal lobe, in keeping with a meningioma."]


def reference_bert(state, config, ids, mask):
    """BertModel's last_hidden_state, written from the Hugging Face equations on the raw state."""
    s = {k[len("bert."):]: v for k, v in state.items() if k.startswith("bert.")}
    h, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]

    def ln(x, p):
        return torch.nn.functional.layer_norm(x, (h,), s[p + ".weight"], s[p + ".bias"], eps)

    def lin(x, p):
        return x @ s[p + ".weight"].T + s[p + ".bias"]

    positions = torch.arange(ids.size(1))
    x = s["embeddings.word_embeddings.weight"][ids] + s["embeddings.position_embeddings.weight"][positions] \
        + s["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    x = ln(x, "embeddings.LayerNorm")
    extended = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"

        def split(t):
            return t.view(t.size(0), t.size(1), heads, h // heads).transpose(1, 2)

        q, k, v = (split(lin(x, f"{p}.attention.self.{m}")) for m in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // heads) + extended
        context = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(x.shape)
        x = ln(lin(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        inner = torch.nn.functional.gelu(lin(x, f"{p}.intermediate.dense"))
        x = ln(lin(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    return x


@pytest.mark.parametrize("safetensors", [False, True])
def test_converted_encoder_computes_what_bert_computes(tmp_path, safetensors):
    config, state = write_checkpoint(str(tmp_path), TEXTS, safetensors=safetensors)
    encoder = read_config(str(tmp_path))
    model = ReportClassifier(encoder, num_labels=3, num_classes=3)
    load_encoder(model, str(tmp_path), encoder)
    model.eval()
    ids = torch.tensor([[2, 10, 11, 12, 13, 3], [2, 14, 15, 3, 0, 0]])
    mask = (ids != 0).long()
    with torch.no_grad():
        ours = model.encode(ids, mask)
        expected = reference_bert(state, config, ids, mask)
    real = mask.bool()
    assert torch.allclose(ours[real], expected[real], atol=1e-5), (ours[real] - expected[real]).abs().max()


def test_every_tensor_is_mapped_and_only_heads_are_skipped(tmp_path):
    _, state = write_checkpoint(str(tmp_path), TEXTS)
    mapped = encoder_state_dict(state, read_config(str(tmp_path)))
    assert all(t is not None for t in mapped.values())
    model = ReportClassifier(read_config(str(tmp_path)), 3, 3)
    encoder_names = {k for k in model.state_dict() if k.startswith(("embeddings.", "encoder."))}
    assert set(mapped) == encoder_names


def test_missing_and_unexpected_keys_are_named(tmp_path):
    _, state = write_checkpoint(str(tmp_path), TEXTS)
    config = read_config(str(tmp_path))
    broken = dict(state)
    del broken["bert.encoder.layer.1.output.dense.bias"]
    broken["bert.encoder.layer.0.attention.self.rotary.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointError) as error:
        encoder_state_dict(broken, config)
    assert "encoder.layer.1.output.dense.bias" in str(error.value)
    assert "encoder.layer.0.attention.self.rotary.weight" in str(error.value)


def test_legacy_layer_norm_names_and_a_bare_bert_model_are_accepted(tmp_path):
    _, state = write_checkpoint(str(tmp_path), TEXTS)
    legacy = {}
    for k, v in state.items():
        k = k[len("bert."):] if k.startswith("bert.") else k  # BertModel, no task prefix
        if "LayerNorm" in k:
            k = k.replace(".weight", ".gamma").replace(".bias", ".beta")
        legacy[k] = v
    mapped = encoder_state_dict(legacy, read_config(str(tmp_path)))
    assert torch.equal(mapped["embeddings.LayerNorm.weight"], state["bert.embeddings.LayerNorm.weight"])


def test_a_config_that_disagrees_with_the_vocabulary_is_refused(tmp_path):
    write_checkpoint(str(tmp_path), TEXTS)
    with pytest.raises(CheckpointError, match="vocab.txt"):
        read_config(str(tmp_path), vocab_size=5)
