// Debian's Abseil (20220623) predates ABSL_RETURN_IF_ERROR; these two are all we need.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RADLABEL_RETURN_IF_ERROR(expr)           \
  do {                                           \
    const absl::Status radlabel_status_ = (expr); \
    if (!radlabel_status_.ok()) return radlabel_status_; \
  } while (0)

#define RADLABEL_CONCAT_INNER_(a, b) a##b
#define RADLABEL_CONCAT_(a, b) RADLABEL_CONCAT_INNER_(a, b)
#define RADLABEL_ASSIGN_OR_RETURN(lhs, rexpr) \
  RADLABEL_ASSIGN_OR_RETURN_IMPL_(RADLABEL_CONCAT_(radlabel_statusor_, __LINE__), lhs, rexpr)
#define RADLABEL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)
