// The synthetic simulator-like data set: a small analytic performance model, not a simulator.
#include "simtune/predictors/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "simtune/stats.hpp"

namespace simtune {

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

} // namespace

TrainingSet synthetic_training_set(const SyntheticOptions& o) {
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto log_uniform = [&](double lo, double hi) {
        return std::exp(std::log(lo) + unit(rng) * (std::log(hi) - std::log(lo)));
    };
    auto pick = [&](std::initializer_list<double> values) {
        return *(values.begin() + static_cast<std::ptrdiff_t>(rng() % values.size()));
    };

    // The synthetic world has caches and a pipeline but no TLBs or prefetchers: the counters up
    // to the pipeline ones (which also keeps the benchmarks' data as it was).
    const std::size_t counters = Stats::pipeline_feature_count;
    const std::size_t rows = o.groups * o.candidates_per_group;
    TrainingSet data;
    for (auto name : Stats::feature_names().first(counters)) data.feature_names.emplace_back(name);
    for (std::size_t i = 0; i < o.extra_columns; ++i) data.feature_names.push_back(fmt::format("extra_{}", i));
    data.features.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(counters + o.extra_columns));
    data.seconds.resize(static_cast<Eigen::Index>(rows));
    data.groups.reserve(rows);

    // Which counter each noisy-copy extra column copies.
    std::vector<std::size_t> copied(o.extra_columns);
    for (auto& c : copied) c = rng() % counters;

    Eigen::Index row = 0;
    for (std::size_t g = 0; g < o.groups; ++g) {
        const double work = log_uniform(1e5, 1e7);          // elements processed
        const double intensity = log_uniform(0.5, 8.0);     // compute ops per element
        const double footprint = work * log_uniform(4, 64); // bytes touched
        const double reuse = unit(rng);                     // how much tiling can help
        for (std::size_t c = 0; c < o.candidates_per_group; ++c, ++row) {
            const double vec = pick({1, 2, 4, 8, 16});
            const double unroll = pick({1, 2, 4, 8});
            const double tile = log_uniform(2e3, 8e6);   // bytes of the working tile
            const double layout = log_uniform(0.5, 2.0); // access-pattern quality (1 = typical)

            Stats s;
            const double compute = work * intensity / vec;
            const double iterations = work / (vec * unroll);
            const double reads = work / vec * (1.0 + 0.5 / unroll) * layout;
            const double writes = work / vec * 0.3;
            const double branch = iterations + work / 1e3;
            const double alu = 2.0 * iterations + work * 0.05;
            const double muldiv = work / 500.0;
            auto u = [](double v) { return static_cast<std::uint64_t>(std::llround(v)); };
            s.counter(InsnClass::simd) = vec > 1 ? u(compute) : 0;
            s.counter(InsnClass::fp_scalar) = vec > 1 ? u(work / 200.0) : u(compute);
            s.counter(InsnClass::load) = u(reads);
            s.counter(InsnClass::store) = u(writes);
            s.counter(InsnClass::branch) = u(branch);
            s.counter(InsnClass::int_alu) = u(alu);
            s.counter(InsnClass::mul_div) = u(muldiv);
            for (auto n : s.by_class) s.instructions += n;
            s.branches_taken = u(iterations * (1.0 - 1.0 / (8.0 * unroll)) + work / 2e3);
            s.mem_reads = s.counter(InsnClass::load);
            s.mem_writes = s.counter(InsnClass::store);
            s.bytes_loaded = s.mem_reads * u(4 * vec);
            s.bytes_stored = s.mem_writes * u(4 * vec);
            s.l1d_accesses = s.mem_reads + s.mem_writes;
            // Miss rates grow as the tile outgrows each cache, less so where the workload reuses.
            const double l1_rate = std::clamp(
                (0.01 + 0.4 * sigmoid(1.5 * std::log(tile / 32e3))) * layout * (1.2 - 0.6 * reuse), 0.0, 1.0);
            const double l2_rate = std::clamp(0.05 + 0.85 * sigmoid(1.5 * std::log(tile / 1e6)) * layout, 0.0, 1.0);
            const double llc_rate =
                std::clamp(0.02 + 0.9 * sigmoid(std::log(footprint / 16e6)) * sigmoid(std::log(tile / 4e6)), 0.0, 1.0);
            s.l1d_misses = u(static_cast<double>(s.l1d_accesses) * l1_rate);
            s.l2_accesses = s.l1d_misses;
            s.l2_misses = u(static_cast<double>(s.l2_accesses) * l2_rate);
            s.llc_accesses = s.l2_misses;
            s.llc_misses = u(static_cast<double>(s.llc_accesses) * llc_rate);
            s.basic_blocks = s.counter(InsnClass::branch) + u(work / 1e4);

            // Time: compute and memory overlap partly; unrolling buys memory-level parallelism;
            // wide vectors pay a frequency penalty; not-taken loop exits mispredict.
            const double compute_cycles = compute / 2.0 + (alu + branch) / 4.0 + (reads + writes) / 2.0;
            const double mlp = 1.0 + 0.6 * std::log2(unroll);
            const double memory_cycles =
                (static_cast<double>(s.l1d_misses) * 4.0 + static_cast<double>(s.l2_misses) * 14.0 +
                 static_cast<double>(s.llc_misses) * 90.0) /
                mlp;
            const double mispredicts = static_cast<double>(s.counter(InsnClass::branch) -
                                                           std::min(s.counter(InsnClass::branch), s.branches_taken));
            const double cycles = std::max(compute_cycles, memory_cycles) +
                                  0.3 * std::min(compute_cycles, memory_cycles) + 15.0 * mispredicts;
            // What a pipeline model would say: the compute cycles, longer where little unrolling
            // leaves dependency chains exposed; micro-ops about one per instruction.
            s.mca_resource_cycles = u(compute_cycles);
            s.mca_cycles = u(compute_cycles * (1.0 + 1.0 / unroll));
            s.mca_uops = u(static_cast<double>(s.instructions) * 1.1);
            s.mca_unsupported = u(work / 1e5);
            const double frequency = vec >= 16 ? 2.6e9 : 3.0e9;
            data.seconds[row] = cycles / frequency * std::exp(o.noise_sigma * normal(rng));

            const auto f = s.to_features();
            for (std::size_t j = 0; j < counters; ++j) data.features(row, static_cast<Eigen::Index>(j)) = f[j];
            for (std::size_t j = 0; j < o.extra_columns; ++j) {
                const double v = j % 2 == 0 ? f[copied[j]] * std::exp(0.3 * normal(rng)) // noisy copy
                                            : std::floor(log_uniform(1, 1e6));           // pure noise
                data.features(row, static_cast<Eigen::Index>(counters + j)) = std::round(v);
            }
            data.groups.push_back(fmt::format("w{}", g));
        }
    }
    return data;
}

} // namespace simtune
