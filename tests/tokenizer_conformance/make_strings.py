#!/usr/bin/python3
"""Writes tests/data/tokenizer_conformance_strings.jsonl: the strings on which the C++ tokenizer
must give exactly the ids of Hugging Face's tokenizer (docs/model-bundle.md, "Tokenizer conformance").
Deterministic; rerun after changing the generator or the challenge set:

    /usr/bin/python3 tests/tokenizer_conformance/make_strings.py
"""
import json
import os
import random
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "model"))
from radlabel_model.generator import generate  # noqa: E402

# Only assigned code points: unassigned ones are "other" to Python's BERT tokenizer and to the
# Rust tokenizers but not to the JavaScript one, and their status changes with Unicode versions.
def assigned(c):
    return unicodedata.category(c) != "Cn"


def sample(rng, ranges, k):
    chars = []
    while len(chars) < k:
        lo, hi = rng.choice(ranges)
        c = chr(rng.randint(lo, hi))
        if assigned(c):
            chars.append(c)
    return chars


ACCENTED = ("Périventriculaire café naïve Ångström façade señor Zürich crème brûlée Øresund Łódź "
            "São Paulo İstanbul ŞİŞLİ Dvořák Ærø garçon ĲSSELMEER ﬁnding œdème Straße ΣΊΣΥΦΟΣ ΟΔΟΣ "
            "Μάρκος Ελληνικά ΑΣ.Β Москва ёлка Ђорђе مرحبا שָׁלוֹם हिन्दी ไทย Việt Nam Ẓ ẞ ǅ ῼ").split()
PUNCTUATION_AND_SPACES = [
    (0x2000, 0x206F), (0x3000, 0x303F), (0x00A0, 0x00BF), (0xFE30, 0xFE6F), (0xFF01, 0xFF20),
    (0x2E00, 0x2E4F), (0x0021, 0x002F), (0x003A, 0x0040), (0x005B, 0x0060), (0x007B, 0x007E)]
# Basic-plane CJK only: @huggingface/tokenizers 0.2.0 isolates CJK ideographs by UTF-16 code
# unit, so it misses those beyond U+FFFF (Extension B and later), which Python's BERT tokenizer
# and the Rust tokenizers isolate; radlabel follows the latter.
CJK_AND_FRIENDS = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x3040, 0x30FF),
                   (0xAC00, 0xD7A3)]
CONTROLS = [(0x0000, 0x001F), (0x007F, 0x009F), (0x200B, 0x200F), (0x2060, 0x2064), (0xFEFF, 0xFEFF),
            (0x00AD, 0x00AD), (0xFFF9, 0xFFFB), (0xE000, 0xE0FF), (0xFFFD, 0xFFFD)]
MIXED = PUNCTUATION_AND_SPACES + CJK_AND_FRIENDS + [
    (0x0041, 0x007A), (0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x06FF),
    (0x0900, 0x097F), (0x0300, 0x036F), (0x1F300, 0x1FAFF), (0x2100, 0x214F), (0xFB00, 0xFB4F),
    (0x1D400, 0x1D7FF), (0x0030, 0x0039), (0x0009, 0x000D), (0x0020, 0x0020)]


def main():
    rng = random.Random(20261126)
    strings = ["", " ", "\n", "\t \r\n", "\u3000", "\u00a0\u2028\u2029"]
    reports = list(generate(300, seed=21, split="train")) + list(generate(300, seed=22, split="held_out"))
    strings += [r["text"] for r in reports]
    with open(os.path.join(ROOT, "tests", "data", "challenge_reports.jsonl"), encoding="utf-8") as f:
        challenge = [json.loads(line)["text"] for line in f if line.strip()]
    strings += challenge
    sentences = [s for text in challenge for s in text.replace("\n", ". ").split(". ") if s]
    strings += rng.sample(sentences, min(300, len(sentences)))
    for _ in range(200):  # accents, case and scripts inside report text
        words = rng.sample(ACCENTED, 3)
        strings.append(f"{words[0]} infarct {words[1].upper()} {words[2]}, {words[0].lower()}.")
    for _ in range(200):
        strings.append("".join(sample(rng, PUNCTUATION_AND_SPACES, rng.randint(1, 12))) + " WMH"
                       + "".join(sample(rng, PUNCTUATION_AND_SPACES, rng.randint(0, 4))) + "lesion")
    for _ in range(150):
        strings.append("MRI " + "".join(sample(rng, CJK_AND_FRIENDS, rng.randint(1, 10))) + " brain"
                       + "".join(sample(rng, CJK_AND_FRIENDS, rng.randint(0, 3))))
    for _ in range(150):
        strings.append("no" + "".join(sample(rng, CONTROLS, rng.randint(1, 3))) + "acute infarct"
                       + "".join(sample(rng, CONTROLS, rng.randint(0, 3))) + ".")
    for n in list(range(95, 106)) * 6 + [200, 500, 1000]:  # around max_input_chars_per_word (100)
        base = rng.choice(["a", "é", "ab", "x", "北", "ß", "infarct"])
        strings.append(("pre " if n % 2 else "") + (base * n)[:n] + rng.choice(["", " post", "."]))
    for _ in range(350):
        strings.append("".join(sample(rng, MIXED, rng.randint(1, 40))))
    out = os.path.join(ROOT, "tests", "data", "tokenizer_conformance_strings.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for s in strings:
            f.write(json.dumps({"text": s}, ensure_ascii=True) + "\n")
    print(f"wrote {len(strings)} strings to {out}")


if __name__ == "__main__":
    main()
