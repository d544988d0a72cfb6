"""Real medical text for the vocabulary and for masked-language pre-training: the corpora in
model/data/ (model/data/SOURCES.md), less every text of the real-text evaluation set
(tests/data/real_text/): every ROCO caption of an article that an evaluation caption comes from
(the article's other figures are often described in the same words), and the whole of every
MTSamples record that an evaluation passage comes from. `documents` also drops any document
that still contains an evaluation text (case and white space folded), so that no text the model
is measured on was seen in pre-training.
"""
import gzip
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "model", "data")
EVALUATION_ITEMS = os.path.join(ROOT, "tests", "data", "real_text", "items.jsonl")


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fold(text):
    """Text as the evaluation set's deduplication compares it: case and white space folded."""
    return " ".join(text.lower().split())


def article(pmc_image):
    """The PubMed Central article of a ROCO figure ("PMC3409628_jocmr-04-295-g005.jpg")."""
    return pmc_image.split("_")[0]


def evaluation_items(path=EVALUATION_ITEMS):
    return read_jsonl(path)


def documents(data_dir=DATA, items=None):
    """[(source, text)]: every MTSamples transcription, ROCO caption and MedQuAD question and
    answer that the evaluation set does not use. `items`: the evaluation items (default: the
    committed set)."""
    items = evaluation_items() if items is None else items
    excluded_ids = {(i["source"], i["source_id"]) for i in items}
    excluded_articles = {article(i["pmc_image"]) for i in items if i.get("pmc_image")}
    docs = []
    for r in read_jsonl(os.path.join(data_dir, "mtsamples.jsonl.gz")):
        if ("mtsamples", r["id"]) not in excluded_ids:
            docs.append(("mtsamples", r["text"]))
    for r in read_jsonl(os.path.join(data_dir, "roco_captions.jsonl.gz")):
        if ("roco", r["id"]) not in excluded_ids and article(r["pmc_image"]) not in excluded_articles:
            docs.append(("roco", r["caption"]))
    for r in read_jsonl(os.path.join(data_dir, "medquad_qa.jsonl.gz")):
        docs.append(("medquad", f"{r['question']}\n{r['answer']}"))
    index = _TextIndex(fold(i["text"]) for i in items)
    return [(source, text) for source, text in docs if not index.found_in(fold(text))]


class _TextIndex:
    """Finds whether a document contains any of some texts (all folded): a text is looked for
    only where the document holds its first words."""

    FIRST_WORDS = 8

    def __init__(self, texts):
        self.by_start = {}
        for text in texts:
            self.by_start.setdefault(tuple(text.split()[:self.FIRST_WORDS]), []).append(text)
        self.lengths = sorted({len(start) for start in self.by_start})

    def found_in(self, document):
        words = document.split()
        for n in range(len(words)):
            for length in self.lengths:
                texts = self.by_start.get(tuple(words[n:n + length]))
                if texts and any(t in document for t in texts):
                    return True
        return False
