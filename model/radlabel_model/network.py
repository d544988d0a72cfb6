"""The classifiers, after Wood et al. 2021: a BERT encoder, one attention-pooling head per label,
one shared hidden layer, and per-label class outputs. ReportClassifier is the paper's (each
label pools the whole window), used for fine-tuned BERTs; SentenceClassifier, the default
model's, labels each sentence on its own and a report by its strongest sentence.

The encoder is exactly Hugging Face's BertModel (post-layer-norm layers, GELU, learned
positions, token types), built from torch's own TransformerEncoderLayer so that inference gets
torch's fused fast path; hf_bert.py maps a Hugging Face checkpoint onto it tensor by tensor. A
user's model is a converted BioBERT or PubMedBERT; the default model is a small encoder of the
same layout with pre-layer-norm layers (EncoderConfig.pre_layer_norm), pre-trained here on public
medical text by masked-language modelling (pretraining.py).

The scripted module is the bundle's model.pt. Its contract (docs/model-bundle.md):
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
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
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

    def forward(self, input_ids: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        # Reports are single segments: token type 0 everywhere.
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class _LabelHeads(nn.Module):
    """The parts both classifiers share: a BERT encoder (named as hf_bert.py maps a checkpoint),
    one attention-pooling query per label, a shared hidden layer and per-label class outputs."""

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
        self.num_heads = config.num_attention_heads

    def label_scores(self, x: torch.Tensor) -> torch.Tensor:
        """Each label query's attention score for each token: [B, T, D] -> [B, L, T]."""
        return torch.einsum("btd,ld->blt", x, self.label_queries) * self.scale

    def class_logits(self, pooled: torch.Tensor) -> torch.Tensor:
        """Per-label class logits of pooled vectors: [B, L, ..., D] -> [B, L, ..., C]."""
        h = torch.tanh(self.hidden(self.dropout(pooled)))
        shape = h.shape
        h = h.reshape(shape[0], shape[1], -1, shape[-1])
        logits = torch.einsum("blnh,lhc->blnc", h, self.class_weight) + self.class_bias.unsqueeze(1)
        return logits.reshape(list(shape[:-1]) + [logits.size(-1)])


class ReportClassifier(_LabelHeads):
    """The paper's head: each label pools the whole window with its own attention."""

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states [B, T, D] of the last layer, exactly BertModel's last_hidden_state on
        real tokens."""
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        return self.encoder(self.embeddings(input_ids, positions), src_key_padding_mask=attention_mask == 0)

    def logits_and_attention(self, input_ids: torch.Tensor,
                             attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.encode(input_ids, attention_mask)
        scores = self.label_scores(x).masked_fill((attention_mask == 0).unsqueeze(1), -1e4)
        attention = torch.softmax(scores, dim=-1)  # [B, L, T]
        pooled = torch.bmm(attention, x)  # [B, L, D]
        return self.class_logits(pooled), attention

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits_and_attention(input_ids, attention_mask)[0], dim=-1)

    @torch.jit.export
    def evidence(self, input_ids: torch.Tensor,
                 attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        logits, attention = self.logits_and_attention(input_ids, attention_mask)
        return torch.softmax(logits, dim=-1), attention

    @torch.jit.ignore
    def training_loss(self, input_ids, attention_mask, target, token_classes, sentences_known, evidence_weight=0.5):
        """Cross-entropy over every label's classes, plus, where a report knows the sentences
        that state a label (token_classes >= 0 on their tokens; see SentenceClassifier's
        training_loss), evidence_weight x the negative
        log of the attention that label's pooling puts on them: that attention is what the
        server returns as evidence."""
        logits, attention = self.logits_and_attention(input_ids, attention_mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1))
        evidence = (token_classes >= 0).float()
        supervised = evidence.sum(-1) > 0  # [B, L]
        if evidence_weight > 0 and supervised.any():
            loss = loss - evidence_weight * torch.log((attention * evidence).sum(-1)[supervised] + 1e-6).mean()
        return loss


# Words after which a full stop abbreviates rather than ends a sentence, beside single letters
# ("L. frontal lobe", "e.g."); the server's evidence sentences use the same list
# (server/text/sentences.h).
ABBREVIATIONS = ["dr", "approx", "fig", "figs", "vs", "mr", "mrs", "lt", "rt", "cf", "ca", "prof"]


def abbreviation_ids(vocab):
    """The ids of the whole-word pieces of `vocab` ({piece: id}) that abbreviate: every single
    letter and ABBREVIATIONS."""
    words = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ABBREVIATIONS
    return [vocab[w] for w in words if w in vocab]


class SentenceClassifier(_LabelHeads):
    """Labels each sentence on its own and a report by its strongest sentence.

    Why: every rule of model/LABEL_RULES.md is decided inside one sentence (a negation's scope,
    a hedge, "normal for age"), and a report is positive for a label when some sentence asserts
    it. Here a token attends only to the tokens of its own sentence, and positions count from
    the sentence's start, so a sentence means the same wherever it stands and an unfamiliar
    normal sentence can speak only for itself. A sentence ends at a full stop (any token of
    `sentence_end_ids`) unless the stop stands between two number tokens (`number_ids`: "2.5 cm",
    "0.32") or follows an abbreviation (`abbreviation_ids`: "L.", "Dr.", "approx.", "e.g."); a
    header without one joins the sentence it introduces.

    Per sentence s and label l, attention pooling within s gives class probabilities p[l, s].
    The report's positive probability is max_s p[l, s, positive]; its uncertain probability
    max_s p[l, s, uncertain], capped so the three sum to 1. Evidence is the pooling attention of
    the sentence with the highest non-negative probability. Trained with a cross-entropy per
    sentence where the sentences' classes are known (generated reports), and on the report's
    probabilities everywhere.
    """

    def __init__(self, config: EncoderConfig, num_labels: int, classes: List[str], sentence_end_ids: List[int],
                 number_ids: List[int], pool_hidden: int = 128, abbreviation_ids: Optional[List[int]] = None):
        super().__init__(config, num_labels, len(classes), pool_hidden)
        self.sentence_end_ids = sentence_end_ids
        is_number = torch.zeros(config.vocab_size, dtype=torch.bool)
        is_number[number_ids] = True
        self.register_buffer("is_number", is_number)
        is_abbreviation = torch.zeros(config.vocab_size, dtype=torch.bool)
        is_abbreviation[abbreviation_ids or []] = True
        self.register_buffer("is_abbreviation", is_abbreviation)
        self.negative_index = classes.index("negative")
        self.positive_index = classes.index("positive")
        self.uncertain_index = classes.index("uncertain")

    def sentence_of_token(self, input_ids: torch.Tensor) -> torch.Tensor:
        """[B, T]: the index of the sentence each token belongs to (a full stop ends its own)."""
        stops = torch.zeros_like(input_ids, dtype=torch.bool)
        for end_id in self.sentence_end_ids:
            stops = stops | (input_ids == end_id)
        number = self.is_number[input_ids]
        kept = torch.zeros_like(stops)
        kept[:, 1:-1] = number[:, :-2] & number[:, 2:]
        kept[:, 1:] = kept[:, 1:] | self.is_abbreviation[input_ids[:, :-1]]
        ends = (stops & ~kept).long()
        return torch.cumsum(ends, dim=1) - ends

    def encode_sentences(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                         structure_ids: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """(hidden states [B, T, D], sentence index of each token [B, T]): each token attends
        to its own sentence, positions count from the sentence's start. Sentences are found in
        `structure_ids` when given (masked-language pre-training embeds masked tokens but keeps
        the text's sentences), else in input_ids."""
        sentence = self.sentence_of_token(input_ids if structure_ids is None else structure_ids)
        index = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        starts = torch.ones_like(sentence, dtype=torch.bool)
        starts[:, 1:] = sentence[:, 1:] != sentence[:, :-1]
        positions = index - torch.where(starts, index, torch.zeros_like(index)).cummax(dim=1)[0]
        real = attention_mask != 0
        blocked = (sentence.unsqueeze(2) != sentence.unsqueeze(1)) | ~real.unsqueeze(1)  # [B, T, T]
        x = self.encoder(self.embeddings(input_ids, positions),
                         mask=blocked.repeat_interleave(self.num_heads, dim=0))
        return x, sentence

    def sentences(self, input_ids: torch.Tensor, attention_mask: torch.Tensor
                  ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(class logits [B, L, S, C], pooling attention [B, L, S, T], membership [B, S, T]) for
        the S sentences of the batch; a row's sentences past its last are empty in membership."""
        x, sentence = self.encode_sentences(input_ids, attention_mask)
        real = attention_mask != 0
        count = int(sentence.max()) + 1
        members = (sentence.unsqueeze(1) == torch.arange(count, device=input_ids.device).view(1, -1, 1)) \
            & real.unsqueeze(1)  # [B, S, T]
        scores = self.label_scores(x).unsqueeze(2).masked_fill(~members.unsqueeze(1), -1e4)
        attention = torch.softmax(scores, dim=-1)  # [B, L, S, T]
        pooled = torch.einsum("blst,btd->blsd", attention, x)
        return self.class_logits(pooled), attention, members

    def report_probabilities(self, logits: torch.Tensor, members: torch.Tensor
                             ) -> Tuple[torch.Tensor, torch.Tensor]:
        """(class probabilities [B, L, C], index of each label's strongest sentence [B, L])."""
        p = torch.softmax(logits, dim=-1)
        empty = ~members.any(dim=-1).unsqueeze(1)  # [B, 1, S]
        positive = p[..., self.positive_index].masked_fill(empty, 0.0)
        uncertain = p[..., self.uncertain_index].masked_fill(empty, 0.0)
        best = (positive + uncertain).argmax(dim=-1)
        report_positive = positive.max(dim=-1)[0]
        report_uncertain = torch.minimum(uncertain.max(dim=-1)[0], 1.0 - report_positive)
        parts = [torch.zeros_like(report_positive)] * p.size(-1)
        parts[self.positive_index] = report_positive
        parts[self.uncertain_index] = report_uncertain
        parts[self.negative_index] = (1.0 - report_positive - report_uncertain).clamp(min=0.0)
        return torch.stack(parts, dim=-1), best

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits, _, members = self.sentences(input_ids, attention_mask)
        return self.report_probabilities(logits, members)[0]

    @torch.jit.export
    def evidence(self, input_ids: torch.Tensor,
                 attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        logits, attention, members = self.sentences(input_ids, attention_mask)
        probabilities, best = self.report_probabilities(logits, members)
        index = best.view(best.size(0), best.size(1), 1, 1).expand(-1, -1, 1, attention.size(-1))
        return probabilities, attention.gather(2, index).squeeze(2)

    @torch.jit.ignore
    def training_loss(self, input_ids, attention_mask, target, token_classes, sentences_known):
        """The negative log of the report's true class, plus the cross-entropy of each sentence
        of the reports whose sentences are known (sentences_known [B], generated reports):
        token_classes [B, L, T] holds the class that the sentence a token stands in states for
        the label, -1 where it states nothing (negative)."""
        logits, _, members = self.sentences(input_ids, attention_mask)
        probabilities, _ = self.report_probabilities(logits, members)
        loss = F.nll_loss(torch.log(probabilities.clamp(min=1e-6)).reshape(-1, probabilities.size(-1)),
                          target.reshape(-1))
        # A sentence's class is the strongest its tokens state: positive over uncertain over none.
        strength = torch.zeros(4, dtype=torch.long)  # indexed by class + 1: -1 (states nothing) is 0
        strength[self.uncertain_index + 1], strength[self.positive_index + 1] = 1, 2
        by_strength = torch.tensor([self.negative_index, self.uncertain_index, self.positive_index])
        token_strength = strength[token_classes + 1]  # [B, L, T]
        sentence_strength = (members.unsqueeze(1).long() * token_strength.unsqueeze(2)).amax(dim=-1)  # [B, L, S]
        sentence_target = by_strength[sentence_strength]
        known = (members.any(dim=-1) & sentences_known.unsqueeze(1)).unsqueeze(1).expand_as(sentence_target)
        if not known.any():
            return loss
        return loss + F.cross_entropy(logits[known], sentence_target[known])
