"""The reference BERT WordPiece tokenizer: the C++ server's tokenizer must give exactly these ids.

Semantics are those of BERT's original BasicTokenizer + WordpieceTokenizer:
clean text (drop NUL, U+FFFD and control characters; map white space to a space), put spaces
around CJK ideographs, split on white space, lowercase and strip accents (NFD, drop Mn marks)
when do_lower_case, split off punctuation, then greedy longest-match-first WordPiece with '##'
continuation pieces; a word longer than max_input_chars_per_word code points, or one that cannot
be covered by vocabulary pieces, becomes [UNK].
"""
import re
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text, do_lower_case=True):
    """Splits text into words and punctuation marks, before WordPiece."""
    cleaned = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            cleaned.append(" ")
        elif _is_cjk(cp):
            cleaned.append(f" {ch} ")
        else:
            cleaned.append(ch)
    words = []
    for token in "".join(cleaned).split():
        if do_lower_case:
            token = token.lower()
            token = "".join(c for c in unicodedata.normalize("NFD", token)
                            if unicodedata.category(c) != "Mn")
        current = []
        for ch in token:
            if _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


def read_vocab(path):
    """The tokens of a vocab.txt, one per line; a token's id is its line number from 0. Lines
    end at "\n" only, with one trailing "\r" dropped, as the server reads them."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def write_vocab(path, vocab):
    """Writes `vocab` (tokens in id order) as read_vocab reads it."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.writelines(token + "\n" for token in vocab)


# A line break ends a sentence where the line has text without a sentence end and the next line
# starts like a new item: a list marker, a number and its "." or ")", or a capital followed by a
# lowercase letter or a space ("No mass", "A cyst"). Anything else on the next line (a lowercase
# word, an acronym, a measurement) continues a wrapped sentence, whose line break must not cut a
# negation from what it negates ("no\nFLAIR hyperintensity"). ASCII white space only, so that the
# C++ tokenizer, which reads bytes, finds the same breaks.
_LIST_LINE_END = re.compile(
    r"(?<=[^.:;!?\s])[ \t\r]*\n(?=\s*(?:[*-]|\u2022|\u2013|[0-9]+[.)]|[A-Z][a-z ]))", re.ASCII)


def mark_list_line_ends(text):
    """text with each list item's line break (_LIST_LINE_END) replaced by a full stop: the
    findings of a list without full stops become sentences. One character for one, so offsets
    into the text still hold. server/text/tokenizer.cc applies the same rule."""
    return _LIST_LINE_END.sub(lambda m: m.group(0)[:-1] + ".", text)


class WordPieceTokenizer:
    def __init__(self, vocab, do_lower_case=True, max_input_chars_per_word=100, line_breaks_end_sentences=False):
        """vocab: list of tokens; a token's id is its index (its line number in vocab.txt).
        line_breaks_end_sentences: encode a list item's line break as a full stop
        (mark_list_line_ends), for models that end sentences at full stops."""
        self.vocab = {tok: i for i, tok in enumerate(vocab)}
        self.do_lower_case = do_lower_case
        self.max_input_chars_per_word = max_input_chars_per_word
        self.line_breaks_end_sentences = line_breaks_end_sentences
        self.unk_id = self.vocab["[UNK]"]
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.pad_id = self.vocab["[PAD]"]

    @classmethod
    def from_file(cls, path, **kwargs):
        return cls(read_vocab(path), **kwargs)

    def word_ids(self, word):
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            ids.append(found)
            start = end
        return ids

    def mark(self, text):
        """The text as the tokenizer reads it: list line breaks marked when the option is on."""
        return mark_list_line_ends(text) if self.line_breaks_end_sentences else text

    def encode(self, text, marked=False):
        """Token ids of text without [CLS]/[SEP]. marked: text is already `mark`ed (a piece
        of a marked text, whose line breaks cannot be judged without the text around them)."""
        if not marked:
            text = self.mark(text)
        ids = []
        for word in basic_tokenize(text, self.do_lower_case):
            ids.extend(self.word_ids(word))
        return ids
