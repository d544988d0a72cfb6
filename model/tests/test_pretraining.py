import random

import torch

from radlabel_model.labels import CLASSES
from radlabel_model.network import EncoderConfig, SentenceClassifier
from radlabel_model.pretraining import load_encoder, mask_batch, pretrain, save_encoder, windows
from radlabel_model.wordpiece import SPECIAL_TOKENS, WordPieceTokenizer

VOCAB = SPECIAL_TOKENS + [".", "no", "mass", "acute", "infarct", "in", "the", "pons", "there", "is", "a", "left"]


def tiny(tokenizer, seed=0):
    torch.manual_seed(seed)
    config = EncoderConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=64, pre_layer_norm=True)
    return SentenceClassifier(config, 2, CLASSES, [tokenizer.vocab["."]], [], pool_hidden=8), config


def test_windows_end_at_a_sentence_end_where_one_is_near():
    ids = [1, 2, 5, 3, 4, 5, 6, 7, 8, 9]
    assert windows([ids], 4, {5}) == [[1, 2, 5], [3, 4, 5], [6, 7, 8, 9]]
    assert windows([ids], 100, {5}) == [ids]


def test_masking_chooses_only_real_pieces_and_keeps_the_text_for_sentence_structure():
    tokenizer = WordPieceTokenizer(VOCAB)
    rows = [tokenizer.encode("there is a mass in the pons. no acute infarct.")] * 50
    masked, mask, original, targets = mask_batch(rows, tokenizer, random.Random(0), len(VOCAB), set(range(5)))
    chosen = targets >= 0
    assert 0.08 < chosen.float().sum() / mask[:, 1:-1].sum() < 0.25
    assert (targets[chosen] == original[chosen]).all()
    assert not chosen[:, 0].any() and not chosen[original == tokenizer.pad_id].any()
    assert (masked[chosen] == tokenizer.vocab["[MASK]"]).float().mean() > 0.6
    assert (masked[~chosen] == original[~chosen]).all()


def test_pretraining_lowers_the_loss_and_the_saved_encoder_loads_into_a_label_model(tmp_path):
    tokenizer = WordPieceTokenizer(VOCAB)
    model, config = tiny(tokenizer)
    docs = ["there is a mass in the pons. no acute infarct."] * 64
    first = pretrain(model, docs, tokenizer, epochs=1, batch_size=8, lr=3e-3, seed=0, log=lambda m: None)
    last = pretrain(model, docs, tokenizer, epochs=6, batch_size=8, lr=3e-3, seed=0, log=lambda m: None)
    assert last < first
    save_encoder(model, config, VOCAB, str(tmp_path))
    other, _ = tiny(tokenizer, seed=1)
    load_encoder(other, str(tmp_path))
    for key, value in model.state_dict().items():
        if key.startswith(("embeddings.", "encoder.")):
            assert torch.equal(value, other.state_dict()[key]), key
