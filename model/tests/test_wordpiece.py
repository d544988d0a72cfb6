from radlabel_model.vocab import build_vocab
from radlabel_model.wordpiece import WordPieceTokenizer, basic_tokenize

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "cafe", ",", "a", "##a"]


def test_basic_tokenize_cleans_lowercases_strips_accents_and_splits_punctuation():
    assert basic_tokenize("CAFÉ,Café\x00 x\u3000y 北京") == ["cafe", ",", "cafe", "x", "y", "北", "京"]


def test_greedy_longest_match_and_unknown_words():
    tok = WordPieceTokenizer(VOCAB)
    assert tok.encode("unaffable") == [4, 5, 6]
    assert tok.encode("unaffablex") == [1]
    assert tok.encode("a" * 100) == [9] + [10] * 99
    assert tok.encode("a" * 101) == [1]


def test_built_vocab_covers_every_training_character():
    texts = ["Périventricular white matter hyperintensities.", "No acute infarct!"]
    vocab = build_vocab(texts, size=200)
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = WordPieceTokenizer(vocab)
    for text in texts:
        assert tok.unk_id not in tok.encode(text)
