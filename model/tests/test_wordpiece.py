from radlabel_model.training import _statement_tokens
from radlabel_model.vocab import build_vocab
from radlabel_model.wordpiece import WordPieceTokenizer, basic_tokenize, mark_list_line_ends

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


def test_list_line_breaks_become_full_stops_and_wrapped_lines_do_not():
    # Items of a list without full stops become sentences; the header's colon already ends one.
    assert mark_list_line_ends("Findings:\n- small infarct\n- no mass") == "Findings:\n- small infarct.- no mass"
    assert mark_list_line_ends("Mass in the pons \r\n2. No haemorrhage") == "Mass in the pons \r.2. No haemorrhage"
    assert mark_list_line_ends("acute infarct\n\n\u2022 atrophy") == "acute infarct.\n\u2022 atrophy"
    # A wrapped sentence keeps its negation whole; a line that ended already is left alone.
    assert mark_list_line_ends("acute infarct\nA cyst\n12) Atrophy") == "acute infarct.A cyst.12) Atrophy"
    for text in ["There is no evidence of\nacute infarction.", "There is no\nFLAIR hyperintensity", "measures\n12 mm",
                 "No infarct.\nNo mass", "end\n", "\nMass"]:
        assert mark_list_line_ends(text) == text
    # Only ASCII white space is skipped, as the C++ tokenizer does.
    assert mark_list_line_ends("mass\u00a0\nNo") == "mass\u00a0.No"


def test_line_breaks_end_sentences_only_when_asked():
    vocab = VOCAB + ["."]
    assert WordPieceTokenizer(vocab).encode("a\nA a") == [9, 9, 9]
    assert WordPieceTokenizer(vocab, line_breaks_end_sentences=True).encode("a\nA a") == [9, 11, 9, 9]


def test_a_list_reports_statements_survive_line_break_marking():
    # Each statement is tokenized as a piece of the marked text: a piece cut at "\n- No mass"
    # must still see the line break that the whole text marks.
    text = "Findings:\n- Small acute infarct\n- No mass"
    statements = [{"start": text.index("- Small"), "end": text.index("\n- No")},
                  {"start": text.index("- No"), "end": len(text)}]
    tok = WordPieceTokenizer(build_vocab([text + "."], size=200), line_breaks_end_sentences=True)
    ids = tok.encode(text)
    assert tok.vocab["."] in ids
    assert _statement_tokens(text, statements, tok, ids) is not None
