// Limits of the labelling service, whichever transport serves it. Free of gRPC.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/labeller.h"

namespace radlabel {

struct ServiceOptions {
  // Most reports in one LabelRequest (a unary call or one stream message). Range 1..100000;
  // default 1024. Larger requests get INVALID_ARGUMENT: split them.
  int max_reports_per_request = 1024;
  // Stream messages a LabelStream reads ahead of the responses it has written. Range >= 1;
  // default 16. When reached the server stops reading, so gRPC flow control slows the writer
  // instead of the server buffering without bound.
  int max_stream_messages_in_flight = 16;
  // Longest report text, in bytes (LabelOptions::max_report_bytes). Range >= 1; default 256 KiB.
  int64_t max_report_bytes = static_cast<int64_t>(LabelOptions().max_report_bytes);
  // Largest request message gRPC accepts, in bytes; a larger one fails its call with
  // RESOURCE_EXHAUSTED. Range >= 1024; default 64 MiB.
  int max_message_bytes = 64 << 20;
  // Bytes of request messages and HTTP bodies held at once, across every call, stream and HTTP
  // request (RequestBytesBudget). A gRPC message is read only when max_message_bytes of this
  // are free, an HTTP body when its Content-Length (max_message_bytes when chunked) is; until
  // then its call waits, in arrival order, reading nothing (flow control keeps the bytes at the
  // client), and its deadline still runs. Once read it holds its own size until its call is
  // done (Label, HTTP) or its response is written (LabelStream). Resident memory stays under the
  // idle size plus about twice this (a message as received and as parsed). Range >=
  // max_message_bytes; default 256 MiB: four messages of the largest size read at once.
  int64_t max_request_bytes_in_flight = int64_t{256} << 20;
  // The least pushback sent with a unary call refused with RESOURCE_EXHAUSTED (queue full), as
  // the grpc-retry-pushback-ms trailer: how long gRPC clients with a retry policy (radlabel's
  // client library has one) wait before trying again. Under load the time when the batcher
  // has booked room for the call is sent instead where it is longer (batching/batcher.h). Range
  // >= 0; default 100 ms, a few batches' time.
  absl::Duration retry_pushback = absl::Milliseconds(100);

  absl::Status Validate() const;
};

}  // namespace radlabel
