import os
import re

import torch

from radlabel_model.labels import CLASSES
from radlabel_model.network import ABBREVIATIONS, EncoderConfig, SentenceClassifier

FULL_STOP = 5
CLS, SEP = 1, 2
NUMBERS = [6, 7]


def tiny_model(seed=0):
    torch.manual_seed(seed)
    config = EncoderConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=64, pre_layer_norm=True)
    model = SentenceClassifier(config, num_labels=3, classes=CLASSES, sentence_end_ids=[FULL_STOP],
                               number_ids=NUMBERS, pool_hidden=8)
    return torch.jit.script(model.eval())


def batch(rows):
    length = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), length), dtype=torch.int64)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids, mask


def test_a_sentence_means_the_same_wherever_it_stands():
    model = tiny_model()
    finding = [11, 12, 13, FULL_STOP]
    others = [[20, 21, FULL_STOP], [30, 31, 32, 33, 34, FULL_STOP, 22, FULL_STOP]]
    rows = [[CLS] + finding + [SEP]] + [[CLS] + o + finding + [SEP] for o in others]
    with torch.no_grad():
        logits, _, members = model.sentences(*batch(rows))
    # The finding is sentence 1 of row 1 and sentence 2 of row 2 (row 0's holds [CLS] too).
    assert torch.allclose(logits[1, :, 1], logits[2, :, 2], atol=1e-5)
    assert members.sum(-1).tolist()[1][:3] == [4, 4, 1]  # [CLS] 20 21 . | 11 12 13 . | [SEP]


def test_report_takes_each_labels_strongest_sentence_and_probabilities_sum_to_one():
    model = tiny_model()
    ids, mask = batch([[CLS, 11, 12, FULL_STOP, 20, 21, FULL_STOP, 30, FULL_STOP, SEP], [CLS, 14, FULL_STOP, SEP]])
    with torch.no_grad():
        logits, _, members = model.sentences(ids, mask)
        probabilities = model(ids, mask)
    sentence_probabilities = torch.softmax(logits, dim=-1)
    positive = CLASSES.index("positive")
    real = members.any(-1)
    for b in range(2):
        expected = sentence_probabilities[b, :, real[b], positive].max(dim=-1)[0]
        assert torch.allclose(probabilities[b, :, positive], expected, atol=1e-6)
    assert torch.allclose(probabilities.sum(-1), torch.ones(2, 3), atol=1e-6)


def test_evidence_attention_lies_in_one_sentence():
    model = tiny_model()
    ids, mask = batch([[CLS, 11, 12, FULL_STOP, 20, 21, FULL_STOP, SEP]])
    with torch.no_grad():
        probabilities, attention = model.evidence(ids, mask)
    assert torch.allclose(probabilities, model(ids, mask))
    sentence = model.sentence_of_token(ids)[0]
    for label in range(3):
        weighted = attention[0, label] > 1e-6
        assert len(set(sentence[weighted].tolist())) == 1
        assert torch.isclose(attention[0, label].sum(), torch.tensor(1.0), atol=1e-5)


def test_a_decimal_point_does_not_end_a_sentence():
    model = tiny_model()
    # "a 2.5 cm mass." then "2." ends a sentence: a number before the stop is not enough.
    ids, _ = batch([[CLS, 11, 6, FULL_STOP, 7, 12, FULL_STOP, 6, FULL_STOP, 13, FULL_STOP, SEP]])
    assert model.sentence_of_token(ids)[0].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3]


def test_a_full_stop_after_an_abbreviation_or_between_numbers_ends_no_sentence():
    torch.manual_seed(0)
    config = EncoderConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=64, pre_layer_norm=True)
    LETTER = 9  # as in "L. frontal lobe"
    model = SentenceClassifier(config, num_labels=3, classes=CLASSES, sentence_end_ids=[FULL_STOP],
                               number_ids=NUMBERS, pool_hidden=8, abbreviation_ids=[LETTER]).eval()
    ids = torch.tensor([[CLS, 11, LETTER, FULL_STOP, 12, 6, FULL_STOP, 7, 13, FULL_STOP, 14, FULL_STOP, SEP]])
    assert model.sentence_of_token(ids).tolist() == [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]]


def test_the_server_ends_evidence_sentences_after_the_same_abbreviations():
    # server/text/sentences.cc keeps its own copy of the list: the two must not drift apart.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "server", "text", "sentences.cc")) as f:
        listed = re.search(r"kAbbreviations\[\] = \{([^}]*)\}", f.read()).group(1)
    assert re.findall(r'"([a-z]+)"', listed) == ABBREVIATIONS
