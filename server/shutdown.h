// SIGTERM/SIGINT handling without async-signal-safety hazards: the signals are blocked in every
// thread (call BlockShutdownSignals before starting any) and the main thread waits for them.
#pragma once

namespace radlabel {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards.
void BlockShutdownSignals();

// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace radlabel
