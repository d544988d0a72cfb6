"""Long reports are never cut: the same windowing and aggregation as the C++ server
(server/text/chunker.cc), so that offline and served probabilities agree.

A window holds [CLS] + up to (max_tokens - 2) report tokens + [SEP]. Consecutive windows share
chunk_overlap tokens. Per label, the report takes the class distribution of the chunk with the
highest positive probability.
"""
import torch


def chunk_ids(ids, max_tokens, chunk_overlap):
    content = max_tokens - 2
    stride = content - chunk_overlap
    chunks, start = [], 0
    while True:
        chunks.append(ids[start:start + content])
        if start + content >= len(ids):
            return chunks
        start += stride


def batch_tensors(chunks, cls_id, sep_id, pad_id):
    length = max(len(c) for c in chunks) + 2
    input_ids = torch.full((len(chunks), length), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(chunks), length), dtype=torch.int64)
    for i, c in enumerate(chunks):
        row = [cls_id] + list(c) + [sep_id]
        input_ids[i, :len(row)] = torch.tensor(row, dtype=torch.int64)
        mask[i, :len(row)] = 1
    return input_ids, mask


# A later chunk must beat the best so far by more than this (server/text/chunker.h says why).
WINDOW_TIE_TOLERANCE = 1e-5


def combine_chunks(probs, positive_index):
    """probs: [chunks, L, C] -> [L, C], per label the chunk with the highest positive probability,
    the earliest among those within WINDOW_TIE_TOLERANCE of each other."""
    positive = probs[:, :, positive_index].tolist()
    best = []
    for label in range(probs.size(1)):
        chosen = 0
        for chunk in range(1, probs.size(0)):
            if positive[chunk][label] > positive[chosen][label] + WINDOW_TIE_TOLERANCE:
                chosen = chunk
        best.append(chosen)
    return probs[torch.tensor(best), torch.arange(probs.size(1))]
