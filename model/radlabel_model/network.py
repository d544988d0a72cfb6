"""The classifier, after Wood et al. 2021: a BERT-style encoder, one attention-pooling head per
label, one shared hidden layer, and per-label class outputs.

The scripted module is the bundle's model.pt. Its contract (see README, "Model bundle"):
  forward(input_ids: int64 [B, T], attention_mask: int64 [B, T]) -> float32 [B, L, C]
where T <= max_tokens, each row starts with [CLS] and ends with [SEP] before its padding,
attention_mask is 1 on real tokens and 0 on padding, and the output holds class probabilities
(each [b, l, :] sums to 1) for the L labels and C classes of labels.json, in that order.
"""
import math

import torch
from torch import nn


class ReportClassifier(nn.Module):
    def __init__(self, vocab_size: int, num_labels: int, num_classes: int, max_tokens: int,
                 d_model: int = 128, num_heads: int = 4, num_layers: int = 2, d_ff: int = 512,
                 pool_hidden: int = 128, dropout: float = 0.1):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.position_embedding = nn.Embedding(max_tokens, d_model)
        self.embedding_norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        # Pre-LN layers (norm_first) train from scratch stably at higher learning rates.
        layer = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model))
        self.label_queries = nn.Parameter(torch.randn(num_labels, d_model) * 0.02)
        self.hidden = nn.Linear(d_model, pool_hidden)
        self.class_weight = nn.Parameter(torch.randn(num_labels, pool_hidden, num_classes) * 0.02)
        self.class_bias = nn.Parameter(torch.zeros(num_labels, num_classes))
        self.scale = 1.0 / math.sqrt(d_model)

    def logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        x = self.token_embedding(input_ids) + self.position_embedding(positions)
        x = self.dropout(self.embedding_norm(x))
        padding = attention_mask == 0
        x = self.encoder(x, src_key_padding_mask=padding)
        scores = torch.einsum("btd,ld->blt", x, self.label_queries) * self.scale
        scores = scores.masked_fill(padding.unsqueeze(1), -1e4)
        pooled = torch.bmm(torch.softmax(scores, dim=-1), x)  # [B, L, D]
        h = torch.tanh(self.hidden(self.dropout(pooled)))
        return torch.einsum("blh,lhc->blc", h, self.class_weight) + self.class_bias

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(input_ids, attention_mask), dim=-1)
