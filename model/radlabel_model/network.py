"""The classifier, after Wood et al. 2021: a BERT encoder, one attention-pooling head per label,
one shared hidden layer, and per-label class outputs.

The encoder is exactly Hugging Face's BertModel (post-layer-norm layers, GELU, learned
positions, token types), built from torch's own TransformerEncoderLayer so that inference gets
torch's fused fast path; hf_bert.py maps a Hugging Face checkpoint onto it tensor by tensor. A
user's model is a converted BioBERT or PubMedBERT; the default model is a small encoder of the
same layout trained from scratch, with pre-layer-norm layers (EncoderConfig.pre_layer_norm).

The scripted module is the bundle's model.pt. Its contract (see README, "Model bundle"):
  forward(input_ids: int64 [B, T], attention_mask: int64 [B, T]) -> float32 [B, L, C]
where T <= max_tokens, each row starts with [CLS] and ends with [SEP] before its padding,
attention_mask is 1 on real tokens and 0 on padding, and the output holds class probabilities
(each [b, l, :] sums to 1) for the L labels and C classes of labels.json, in that order.
Optionally also
  evidence(input_ids, attention_mask) -> (probabilities [B, L, C], attention [B, L, T])
where attention[b, l, :] is label l's pooling weight over the tokens (0 on padding, sums to 1).
"""
import math
from dataclasses import asdict, dataclass
from typing import Tuple

import torch
from torch import nn


@dataclass
class EncoderConfig:
    """The fields of a Hugging Face BERT config.json that shape the encoder."""
    vocab_size: int
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    # Not a Hugging Face field: pre-layer-norm layers plus a final norm. Small encoders trained
    # from scratch (the default model) converge faster and at higher learning rates with it;
    # converted BERT checkpoints are post-layer-norm (False).
    pre_layer_norm: bool = False

    def to_dict(self):
        return asdict(self)


class BertEmbeddings(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)  # HF's name
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        # Reports are single segments: token type 0 everywhere.
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class ReportClassifier(nn.Module):
    def __init__(self, config: EncoderConfig, num_labels: int, num_classes: int, pool_hidden: int = 128):
        super().__init__()
        self.embeddings = BertEmbeddings(config)
        layer = nn.TransformerEncoderLayer(
            config.hidden_size, config.num_attention_heads, config.intermediate_size,
            config.hidden_dropout_prob, activation="gelu", layer_norm_eps=config.layer_norm_eps,
            batch_first=True, norm_first=config.pre_layer_norm)
        final_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps) if config.pre_layer_norm else None
        self.encoder = nn.TransformerEncoder(layer, config.num_hidden_layers, norm=final_norm)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.label_queries = nn.Parameter(torch.randn(num_labels, config.hidden_size) * 0.02)
        self.hidden = nn.Linear(config.hidden_size, pool_hidden)
        self.class_weight = nn.Parameter(torch.randn(num_labels, pool_hidden, num_classes) * 0.02)
        self.class_bias = nn.Parameter(torch.zeros(num_labels, num_classes))
        self.scale = 1.0 / math.sqrt(config.hidden_size)

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states [B, T, D] of the last layer, exactly BertModel's last_hidden_state on
        real tokens."""
        return self.encoder(self.embeddings(input_ids), src_key_padding_mask=attention_mask == 0)

    def logits_and_attention(self, input_ids: torch.Tensor,
                             attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.encode(input_ids, attention_mask)
        scores = torch.einsum("btd,ld->blt", x, self.label_queries) * self.scale
        scores = scores.masked_fill((attention_mask == 0).unsqueeze(1), -1e4)
        attention = torch.softmax(scores, dim=-1)  # [B, L, T]
        pooled = torch.bmm(attention, x)  # [B, L, D]
        h = torch.tanh(self.hidden(self.dropout(pooled)))
        logits = torch.einsum("blh,lhc->blc", h, self.class_weight) + self.class_bias
        return logits, attention

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits_and_attention(input_ids, attention_mask)[0], dim=-1)

    @torch.jit.export
    def evidence(self, input_ids: torch.Tensor,
                 attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        logits, attention = self.logits_and_attention(input_ids, attention_mask)
        return torch.softmax(logits, dim=-1), attention
