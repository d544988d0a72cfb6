import torch

from radlabel_model.windows import batch_tensors, combine_windows, split_windows


def test_three_windows_overlap_and_reach_the_last_token():
    windows = split_windows(list(range(20)), max_tokens=10, overlap=2)
    assert windows == [list(range(0, 8)), list(range(6, 14)), list(range(12, 20))]


def test_short_and_exact_reports_are_one_window():
    assert split_windows([1, 2, 3], 10, 2) == [[1, 2, 3]]
    assert len(split_windows(list(range(8)), 10, 2)) == 1


def test_batch_tensors_frame_and_pad():
    ids, mask = batch_tensors([[5, 6], [7]], cls_id=2, sep_id=3, pad_id=0)
    assert ids.tolist() == [[2, 5, 6, 3], [2, 7, 3, 0]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]


def test_windows_within_the_tie_tolerance_go_to_the_earliest():
    # Windows 1 and 2 hold the same sentence, up to float noise.
    probs = torch.tensor([[[0.6, 0.4]], [[0.3, 0.7]], [[0.2999960, 0.7000040]]])
    assert torch.equal(combine_windows(probs, positive_index=1), torch.tensor([[0.3, 0.7]]))
    assert torch.equal(combine_windows(torch.tensor([[[0.3, 0.7]], [[0.29, 0.71]]]), 1), torch.tensor([[0.29, 0.71]]))


def test_combine_takes_per_label_the_most_positive_window_earliest_on_ties():
    probs = torch.tensor([
        [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1]],
        [[0.1, 0.80, 0.10], [0.5, 0.2, 0.3]],
        [[0.3, 0.60, 0.10], [0.1, 0.7, 0.2]],
    ])
    assert torch.equal(combine_windows(probs, positive_index=1),
                       torch.tensor([[0.1, 0.80, 0.10], [0.2, 0.7, 0.1]]))
