// Process-wide malloc settings for running LibTorch models.
#pragma once

namespace radlabel {

// Keeps large blocks in the heap instead of giving each one its own mmap. LibTorch allocates
// activation tensors of several MB per layer and batch; by default glibc serves each with a fresh
// mmap (page faults on first touch, munmap on free) until its dynamic threshold adapts, and it
// re-adapts whenever the batch shape changes, which costs a large share of a small model's
// throughput (docs/tuning.md). The cost: freed memory stays mapped up to the peak working set.
// Call once, before the model is loaded.
void KeepLargeAllocationsInHeap();

}  // namespace radlabel
