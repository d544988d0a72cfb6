"""Masked-language pre-training of the default model's encoder on real text, before it learns
any label: BERT's objective (15% of word pieces chosen; of those 80% become [MASK], 10% a random
piece, 10% stay) on windows of real documents, with the encoder exactly as the label model uses
it (SentenceClassifier.encode_sentences: each token attends to its own sentence, positions count
from the sentence's start), so that what it learns is what fine-tuning starts from.

Why: a model that learns words only from generated reports knows only the generator's words
and sentence shapes; real text teaches it the words around a finding ("a heterogeneously
enhancing lesion"), their spellings and abbreviations, and long sentences.

The encoder is saved as `encoder.pt` (the state_dict of embeddings.* and encoder.*),
`config.json` (EncoderConfig fields), `vocab.txt` and their MANIFEST.sha256: a
SentenceClassifier (or a ReportClassifier of the same shape) loads it with `load_encoder`.
"""
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F
from torch import nn

from .bundle import write_manifest
from .wordpiece import write_vocab
from .network import EncoderConfig

ENCODER_FILES = ("encoder.pt", "config.json", "vocab.txt")


class MaskedLanguageModel(nn.Module):
    """A label model's encoder with BERT's prediction head (a dense layer, GELU, layer norm,
    and the word embeddings as output weights)."""

    def __init__(self, classifier):
        super().__init__()
        self.classifier = classifier
        # BERT's initialisation of the embeddings (normal, std 0.02): the word embeddings are
        # the output layer too, where unit-variance rows would start the loss far above
        # log(vocabulary size); positions and token types at the same scale, or their sum would
        # drown which word stands where.
        with torch.no_grad():
            for table in (classifier.embeddings.word_embeddings, classifier.embeddings.position_embeddings,
                          classifier.embeddings.token_type_embeddings):
                table.weight.normal_(0.0, 0.02)
            classifier.embeddings.word_embeddings.weight[0].zero_()
        hidden = classifier.embeddings.word_embeddings.embedding_dim
        self.transform = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(classifier.embeddings.word_embeddings.num_embeddings))

    def loss(self, input_ids, attention_mask, structure_ids, targets):
        """Cross-entropy of the original pieces at the chosen positions (targets >= 0)."""
        x, _ = self.classifier.encode_sentences(input_ids, attention_mask, structure_ids)
        chosen = targets >= 0
        h = self.norm(F.gelu(self.transform(x[chosen])))
        logits = h @ self.classifier.embeddings.word_embeddings.weight.t() + self.bias
        return F.cross_entropy(logits, targets[chosen])


def windows(token_lists, content, sentence_end_ids):
    """Cuts each document's piece ids into windows of at most `content` pieces, at the last
    sentence end inside the window where there is one."""
    out = []
    for ids in token_lists:
        start = 0
        while start < len(ids):
            end = min(len(ids), start + content)
            if end < len(ids):
                cut = max((i + 1 for i in range(start, end) if ids[i] in sentence_end_ids), default=end)
                end = cut if cut > start + content // 4 else end
            out.append(ids[start:end])
            start = end
    return out


def mask_batch(rows, tokenizer, rng, vocab_size, special_ids, mask_rate=0.15):
    """(input_ids, attention_mask, structure_ids, targets) for a batch of windows. The special
    tokens are ids 0 .. len(special_ids) - 1; a random replacement is any other piece."""
    length = max(len(r) for r in rows) + 2
    ids = torch.full((len(rows), length), tokenizer.pad_id, dtype=torch.int64)
    targets = torch.full_like(ids, -1)
    for j, r in enumerate(rows):
        ids[j, :len(r) + 2] = torch.tensor([tokenizer.cls_id] + r + [tokenizer.sep_id])
    mask = (ids != tokenizer.pad_id).long()
    masked = ids.clone()
    mask_id = tokenizer.vocab["[MASK]"]
    for j, r in enumerate(rows):
        for t in range(1, len(r) + 1):
            if int(ids[j, t]) in special_ids or rng.random() >= mask_rate:
                continue
            targets[j, t] = ids[j, t]
            draw = rng.random()
            if draw < 0.8:
                masked[j, t] = mask_id
            elif draw < 0.9:
                masked[j, t] = rng.randrange(len(special_ids), vocab_size)
    return masked, mask, ids, targets


def pretrain(classifier, documents, tokenizer, epochs, batch_size, lr, seed, content=126, log=print):
    """Trains `classifier`'s encoder with masked-language modelling on `documents` (texts);
    returns the mean loss of the last epoch. AdamW, linear warm-up over 5% of steps then cosine
    decay; windows batched by length."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    model = MaskedLanguageModel(classifier)
    ends = set(classifier.sentence_end_ids)
    rows = windows([tokenizer.encode(d) for d in documents], content, ends)
    rows = [r for r in rows if len(r) >= 4]
    special_ids = {tokenizer.vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")}
    if special_ids != set(range(len(special_ids))):  # mask_batch draws random pieces above them
        raise ValueError("pre-training needs a vocabulary that starts with its special tokens (build_vocab's)")
    vocab_size = len(tokenizer.vocab)
    steps = epochs * math.ceil(len(rows) / batch_size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps)))))
    log(f"pre-training on {len(rows)} windows ({sum(map(len, rows))} pieces), {steps} steps")
    model.train()
    mean = float("nan")
    for epoch in range(epochs):
        order = sorted(range(len(rows)), key=lambda i: (len(rows[i]), rng.random()))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        start, total, seen = time.time(), 0.0, 0
        for n, indices in enumerate(batches):
            loss = model.loss(*mask_batch([rows[i] for i in indices], tokenizer, rng, vocab_size, special_ids))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item() * len(indices)
            seen += len(indices)
            if n % 500 == 0:
                log(f"epoch {epoch + 1}/{epochs} step {n}/{len(batches)}: loss {total / max(seen, 1):.3f} "
                    f"({seen / max(time.time() - start, 1e-9):.0f} windows/s)")
        mean = total / max(seen, 1)
        log(f"epoch {epoch + 1}/{epochs}: masked-language loss {mean:.3f} ({time.time() - start:.0f} s)")
    classifier.eval()
    return mean


def save_encoder(classifier, config, vocab, out_dir):
    """Writes the encoder's weights (embeddings.* and encoder.*), its EncoderConfig and vocab."""
    os.makedirs(out_dir, exist_ok=True)
    state = {k: v for k, v in classifier.state_dict().items() if k.startswith(("embeddings.", "encoder."))}
    torch.save(state, os.path.join(out_dir, "encoder.pt"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config.to_dict(), f, indent=2)
        f.write("\n")
    write_vocab(os.path.join(out_dir, "vocab.txt"), vocab)
    write_manifest(out_dir, ENCODER_FILES)


def read_encoder_config(encoder_dir):
    with open(os.path.join(encoder_dir, "config.json")) as f:
        return EncoderConfig(**json.load(f))


def load_encoder(classifier, encoder_dir):
    """Copies a saved encoder's weights into `classifier`, whose vocabulary and shape must be
    the encoder's; every embeddings.* and encoder.* tensor must be there."""
    state = torch.load(os.path.join(encoder_dir, "encoder.pt"), map_location="cpu")
    missing, unexpected = classifier.load_state_dict(state, strict=False)
    missing = [k for k in missing if k.startswith(("embeddings.", "encoder."))]
    if missing or unexpected:
        raise ValueError(f"{encoder_dir}/encoder.pt does not fit this model: missing {missing}, unexpected {unexpected}")
