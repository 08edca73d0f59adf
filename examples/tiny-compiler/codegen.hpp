#pragma once
// Code generation: (loop nest, schedule) → one C translation unit defining
// `void simtune_kernel(const float *restrict A, ..., float *restrict C)`, the function simtune's
// harness calls with one pointer per BufferSpec in LoopNest::buffers() order.
#include <string>

#include "ir.hpp"
#include "schedule.hpp"

namespace tiny {

/// The C source of `nest` under `schedule` (checked with check_schedule first).
std::string emit_c(const LoopNest& nest, const Schedule& schedule);

} // namespace tiny
