"""Builds a WordPiece vocabulary from a corpus: special tokens, every character seen (as a word
start and as a '##' continuation), then the most frequent whole words and sub-word pieces."""
import collections

from .wordpiece import SPECIAL_TOKENS, basic_tokenize


def build_vocab(texts, size, min_count=2):
    words = collections.Counter()
    for text in texts:
        words.update(basic_tokenize(text))
    chars = sorted({c for w in words for c in w})
    vocab = list(SPECIAL_TOKENS) + chars + ["##" + c for c in chars]
    # Lower-case ASCII letters and digits always, so that unseen words still decompose.
    for c in "abcdefghijklmnopqrstuvwxyz0123456789":
        for piece in (c, "##" + c):
            if piece not in vocab:
                vocab.append(piece)
    pieces = collections.Counter()
    for w, n in words.items():
        if n >= min_count:
            pieces[w] += n * 4  # whole words first: they keep sequences short
        for i in range(2, min(len(w), 8)):
            pieces[w[:i]] += n
        for i in range(1, len(w) - 1):
            for j in range(i + 2, min(len(w), i + 7) + 1):
                pieces["##" + w[i:j]] += n
    seen = set(vocab)
    for piece, _ in pieces.most_common():
        if len(vocab) >= size:
            break
        if piece not in seen:
            vocab.append(piece)
            seen.add(piece)
    return vocab
