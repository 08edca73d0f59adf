#pragma once
// A synthetic, simulator-like training set for tests, benchmarks and demos: workloads of
// candidates that differ in vector width, unrolling and tiling, described by the 20 Stats counters
// (consistent with each other: misses <= accesses, classes sum to instructions...) plus optional
// extra columns (noisy copies of counters and pure noise), and a run time that is a non-linear
// function of them (compute vs memory bound, cache-miss penalties, SIMD speedup, memory-level
// parallelism from unrolling) with multiplicative log-normal noise. Deterministic for a seed.
#include <cstddef>
#include <cstdint>

#include "simtune/predictors/training_set.hpp"

namespace simtune {

struct SyntheticOptions {
    std::size_t groups = 50;                ///< workloads
    std::size_t candidates_per_group = 200; ///< implementation variants per workload
    std::size_t extra_columns = 0;          ///< appended after the counters, "extra_<i>"
    double noise_sigma = 0.03;              ///< log-normal multiplicative noise on the time
    std::uint64_t seed = 1;
};

/// Columns: the first Stats::pipeline_feature_count of Stats::feature_names() (no TLB or stream
/// counters), then extra_<i>; groups "w<k>".
[[nodiscard]] TrainingSet synthetic_training_set(const SyntheticOptions& options = {});

} // namespace simtune
