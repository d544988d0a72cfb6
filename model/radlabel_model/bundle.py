"""Writes and reads model bundles, and labels reports offline exactly as the server does.

A bundle directory holds model.pt (TorchScript), vocab.txt, labels.json and MANIFEST.sha256
(`sha256sum` format over the other three). The contract is documented in docs/model-bundle.md.
"""
import hashlib
import json
import os

import torch

from .windows import batch_tensors, combine_windows, split_windows
from .wordpiece import WordPieceTokenizer

BUNDLE_FILES = ["model.pt", "vocab.txt", "labels.json"]
MANIFEST = "MANIFEST.sha256"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(bundle_dir, files=BUNDLE_FILES):
    """MANIFEST.sha256 (`sha256sum` format) over `files` of the directory."""
    lines = [f"{sha256_file(os.path.join(bundle_dir, name))}  {name}\n" for name in files]
    with open(os.path.join(bundle_dir, MANIFEST), "w") as f:
        f.writelines(lines)


class OfflineLabeller:
    """Runs a bundle's model.pt over reports, reading long ones in windows as the server does."""

    def __init__(self, bundle_dir, threads=2):
        torch.set_num_threads(threads)
        with open(os.path.join(bundle_dir, "labels.json")) as f:
            self.config = json.load(f)
        self.tokenizer = WordPieceTokenizer.from_file(
            os.path.join(bundle_dir, "vocab.txt"),
            do_lower_case=self.config["do_lower_case"],
            max_input_chars_per_word=self.config["max_input_chars_per_word"],
            line_breaks_end_sentences=self.config.get("line_breaks_end_sentences", False))
        self.model = torch.jit.load(os.path.join(bundle_dir, "model.pt"))
        self.model.eval()
        self.positive_index = self.config["classes"].index(self.config["positive_class"])

    def probabilities(self, text):
        """[L, C] class probabilities for one report."""
        windows = split_windows(self.tokenizer.encode(text), self.config["max_tokens"],
                                self.config["chunk_overlap"])
        ids, mask = batch_tensors(windows, self.tokenizer.cls_id, self.tokenizer.sep_id,
                                  self.tokenizer.pad_id)
        with torch.inference_mode():
            return combine_windows(self.model(ids, mask), self.positive_index)

    def decisions(self, probs):
        return decide(probs, self.config["labels"], self.positive_index)


def decide(probs, labels, positive_index):
    """Class index per label: positive at or above the label's threshold, else the more probable
    of the other classes (the server's rule). probs: [L][C]; labels: labels.json's entries."""
    out = []
    for p, label in zip(probs, labels):
        if p[positive_index] >= label["threshold"]:
            out.append(positive_index)
        else:
            others = [c for c in range(len(p)) if c != positive_index]
            out.append(max(others, key=lambda c: (p[c], -c)))
    return out
