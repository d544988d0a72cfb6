// The command-line flags that choose where and how the model runs: device, precision, threads,
// and every batch flag (limits, queue bounds, wait). Shared by radlabel-server and
// radlabel-offline-ceiling so that the ceiling measures exactly what the server would run. Flags
// left unset take the device's defaults (BatcherOptions::ForDevice).
#pragma once

#include "batching/batcher_options.h"
#include "model/torch_model.h"

namespace radlabel {

struct ModelRuntime {
  TorchModelOptions model;
  BatcherOptions batching;
};

// `model` (from TorchModelOptionsFor) with --device, --precision and --intra_op_threads applied,
// and the device's batcher defaults overridden by the batch flags that were given.
ModelRuntime ModelRuntimeFromFlags(TorchModelOptions model);

}  // namespace radlabel
