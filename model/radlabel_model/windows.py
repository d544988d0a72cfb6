"""Long reports are never cut: the same windowing and combining as the C++ server
(server/text/windows.cc, server/core/combine.cc), so that offline and served probabilities agree.

A window holds [CLS] + up to (max_tokens - 2) report tokens + [SEP]. Consecutive windows share
`overlap` tokens (the bundle's chunk_overlap). Per label, the report takes the class
distribution of the window with the highest positive probability.
"""
import torch


def split_windows(ids, max_tokens, overlap):
    """The report's token ids, in windows' content (without [CLS] and [SEP])."""
    content = max_tokens - 2
    stride = content - overlap
    windows, start = [], 0
    while True:
        windows.append(ids[start:start + content])
        if start + content >= len(ids):
            return windows
        start += stride


def batch_tensors(windows, cls_id, sep_id, pad_id):
    length = max(len(w) for w in windows) + 2
    input_ids = torch.full((len(windows), length), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(windows), length), dtype=torch.int64)
    for i, w in enumerate(windows):
        row = [cls_id] + list(w) + [sep_id]
        input_ids[i, :len(row)] = torch.tensor(row, dtype=torch.int64)
        mask[i, :len(row)] = 1
    return input_ids, mask


# A later window must beat the best so far by more than this (server/core/combine.h says why).
WINDOW_TIE_TOLERANCE = 1e-5


def combine_windows(probs, positive_index):
    """probs: [windows, L, C] -> [L, C], per label the window with the highest positive
    probability, the earliest among those within WINDOW_TIE_TOLERANCE of each other."""
    positive = probs[:, :, positive_index].tolist()
    best = []
    for label in range(probs.size(1)):
        chosen = 0
        for window in range(1, probs.size(0)):
            if positive[window][label] > positive[chosen][label] + WINDOW_TIE_TOLERANCE:
                chosen = window
        best.append(chosen)
    return probs[torch.tensor(best), torch.arange(probs.size(1))]
