#pragma once
// The corpus operator families beyond the six original built-in workloads (families.cpp).
// Private to src/tuning: workloads.cpp dispatches to these for every OpKind after `dense`.
#include <cstdint>
#include <vector>

#include "simtune/tuning/workloads.hpp"

namespace simtune::detail {

/// True for the operators whose generator is the frozen original one in workloads.cpp.
constexpr bool is_original_op(OpKind op) { return op <= OpKind::dense; }

/// The corpus workloads that are not built-in, in a fixed order.
std::vector<Workload> family_workloads();
std::uint64_t family_macs(const Workload& w);
std::vector<BufferSpec> family_buffers(const Workload& w);
/// Every distinct valid schedule of a corpus-only workload, unshuffled; the first is the naive
/// reference schedule.
std::vector<Variant> family_variants(const Workload& w);

} // namespace simtune::detail
