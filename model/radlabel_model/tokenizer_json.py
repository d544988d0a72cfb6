"""Writes a Hugging Face tokenizer.json for a WordPiece vocab.txt: the same BERT tokenizer that
radlabel's C++ and Python tokenizers implement, in the form Hugging Face's tokenizers (Rust,
Python, JavaScript) load. The tokenizer conformance test compares against it."""
import json
import os

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def tokenizer_json(vocab, do_lower_case=True, max_input_chars_per_word=100):
    ids = {}
    for i, token in enumerate(vocab):
        ids[token] = i  # like BERT's loader, a later duplicate wins
    special = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for t in SPECIAL_TOKENS if t in ids]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": do_lower_case},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": max_input_chars_per_word, "vocab": ids},
    }


def write_tokenizer_json(vocab_path, out_path, do_lower_case=True, max_input_chars_per_word=100):
    """Writes out_path (a tokenizer.json) and, beside it, the tokenizer_config.json that
    Hugging Face's loaders read with it."""
    with open(vocab_path, encoding="utf-8") as f:
        vocab = [line.rstrip("\n").rstrip("\r") for line in f]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, do_lower_case, max_input_chars_per_word), f, ensure_ascii=False)
    with open(os.path.join(os.path.dirname(out_path), "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": do_lower_case, "tokenizer_class": "BertTokenizer",
                   "model_max_length": 512}, f)
