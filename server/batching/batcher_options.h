// Options of the dynamic batcher. The field initialisers are the CPU defaults, for the default
// model (256-token windows, sentence by sentence) on two CPU cores; ForDevice("cuda...") gives
// the GPU defaults, named per field. What each option costs and when to change it, with
// measurements: docs/tuning.md.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace radlabel {

class BatcherObserver;
class Clock;

// The most model worker threads a batcher runs.
inline constexpr int kMaxModelWorkers = 64;

struct BatcherOptions {
  // Most windows (rows) in one model call. Range 1..4096; default 4: on CPU with one thread per
  // call, rows beyond a few add padding (and, for the sentence model, empty sentence slots)
  // faster than they save. CUDA default 256: a GPU needs thousands of tokens per call to keep
  // its matrix units busy.
  int max_batch_size = 4;

  // Most padded tokens in one model call: rows x longest row of the batch. Range: at least the
  // model window; default 4096 (32 full 128-token windows). Bounds the memory and latency of a
  // single model call whatever the mix of lengths. CUDA default 65536 (256 rows of 256 tokens):
  // a BERT-base batch of that size is tens of milliseconds of float16 work on an H100.
  int max_batch_tokens = 4096;

  // Longest time the first window queued waits for batch-mates while the batch is not full.
  // Range >= 0; default 2 ms; zero never waits. The wait happens only when concurrent callers
  // are there to wait for (the previous batch combined several submissions, and this window's
  // request came less than this long after the one before it); a single caller waiting for each
  // answer never waits. While the model is busy work accumulates anyway, so it can only matter
  // at moderate load.
  absl::Duration max_queue_delay = absl::Milliseconds(2);

  // Most windows waiting in the queue. Range >= max_batch_size; default 8192 (about 30 s of work
  // on 2 cores). A submission that does not fit is refused whole with RESOURCE_EXHAUSTED; the
  // caller may retry later. CUDA default 32768 (several seconds of work for a GPU).
  int max_queue_windows = 8192;

  // Most tokens in the windows waiting in the queue: the memory bound that holds whatever the
  // mix of lengths. Range >= the model window; default 1048576 (4,096 full 256-token windows,
  // about 4 MiB of token ids). A submission that does not fit is refused whole with
  // RESOURCE_EXHAUSTED. CUDA default 8388608.
  int64_t max_queue_tokens = int64_t{1} << 20;

  // Threads that each take the next batch and run it on the model, concurrently. Range
  // 1..kMaxModelWorkers; default 2 (the server's --model_workers default on CPU is the cores it
  // may use: AvailableCores()), with 1 LibTorch intra-op thread each: workers x intra-op threads = the cores to
  // use. More single-threaded workers beat fewer multi-threaded ones for a small model: its
  // operators are too short for intra-op parallelism to pay, and a single-threaded worker
  // preempted by a gRPC or tokenizing thread stalls only itself, not a second thread waiting
  // for it at every operator. CUDA default 4: each worker has its own CUDA stream, so while one
  // waits for its results (and a model's host-side steps) others keep the GPU busy.
  int model_workers = 2;

  // Time source; nullptr means the real clock. Tests inject a fake one.
  Clock* clock = nullptr;

  // Receives batch statistics and queue depth (metrics); nullptr reports nothing.
  BatcherObserver* observer = nullptr;

  // The defaults for a model on `device` ("cpu", "cuda", "cuda:N"): the CPU ones above, or the
  // CUDA ones named per field.
  static BatcherOptions ForDevice(absl::string_view device);

  // Checks ranges against the model window (max_tokens). The error says which field to fix.
  absl::Status Validate(int model_max_tokens) const;
};

}  // namespace radlabel
