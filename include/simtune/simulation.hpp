#pragma once
// What every simulator returns and the bounds every simulation runs under.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// The built-in simulators. A model records the one its training statistics came from, because a
/// model must be fed the same simulator's statistics.
enum class SimulatorKind {
    unicorn, ///< in-process, function-level (UnicornSimulator)
    qemu,    ///< whole program under qemu-user with simtune's plugin (QemuSimulator)
};

constexpr std::string_view to_string(SimulatorKind kind) noexcept {
    return kind == SimulatorKind::qemu ? "qemu" : "unicorn";
}

/// "unicorn" or "qemu"; throws Error(invalid_argument) naming the unknown simulator otherwise.
inline SimulatorKind parse_simulator_kind(std::string_view name) {
    if (name == "unicorn") return SimulatorKind::unicorn;
    if (name == "qemu") return SimulatorKind::qemu;
    fail(ErrorKind::invalid_argument, "unknown simulator '{}' (built-in: unicorn, qemu)", name);
}

/// The longest time limit simtune accepts for a simulation or a child process (a year): a
/// deadline `now + limit` on steady_clock (nanoseconds in 64 bits) cannot overflow below it.
inline constexpr std::chrono::milliseconds max_timeout{std::chrono::hours(24 * 366)};

/// Bounds on one simulation. Exceeding either is Error(instruction_limit / time_limit).
struct SimulationLimits {
    std::uint64_t max_instructions = 20'000'000'000ULL;
    std::chrono::milliseconds timeout{120'000};
};

/// Sampled memory statistics (issue 17), for both simulators: the instruction mix (and branches)
/// is counted for the whole region of interest, but the memory-traffic and cache collectors see
/// accesses only inside windows. Every `period` ROI instructions, at a random offset: `warmup`
/// instructions that only warm the simulated caches, then a measured window of `window`
/// instructions; the first window starts at the ROI's start (caches as exact counting starts them)
/// and is measured throughout, warm-up and window together. Outside windows no memory hook runs:
///  - QEMU retranslates all code with and without memory callbacks at each window's ends
///    (`qemu_plugin_reset`, about 0.2 ms each);
///  - Unicorn switches between two engines over the same guest memory, one with the memory hook
///    and one without, moving the CPU state across (no retranslation).
/// Estimates (WindowEstimator, include/simtune/collectors/sampled_windows.hpp):
///  - Traffic (mem_reads, mem_writes, bytes_loaded, bytes_stored, l1d_accesses): each block's
///    accesses per execution while it was watched, times its exact executions. Exact for blocks
///    whose accesses do not vary between executions.
///  - The other cache counters: the first window's counts plus the later windows' counts per
///    instruction times the rest of the ROI, with a 95 % interval (SimulationResult::sampling).
/// A region of interest that ends inside the first window is counted exactly (windows == 1, zero
/// intervals). With the dataflow collector, Unicorn walks the dataflow in warm-ups and windows only
/// and extrapolates the growth of its longest chain per instruction (dataflow_cycles, with an
/// interval; the ring of the last `window` retirements carries the chain across a gap); QEMU ignores
/// sampling then (exact counting, SimulationResult::sampling empty: its windows' memory callbacks
/// carry the block, the walk needs the instruction). Refused by Unicorn with user memory collectors
/// (they want every access). Off by default: models are trained on exact statistics.
struct SamplingOptions {
    bool enabled = false;
    std::uint64_t period = 5'000'000;
    std::uint64_t warmup = 100'000;
    std::uint64_t window = 50'000;
    /// A warm-up lasts `warmup` instructions and then on, up to `warmup_limit`, as long as it takes
    /// to refill the L1D twice at the kernel's miss rate so far (WindowEstimator::warmup_length):
    /// what a window inherits from the previous one turns over with misses, not instructions. (With a fixed 100 k warm-up, conv2d's
    /// ~86 misses per 100 k instructions left L1D and the stream tables stale: its stream misses
    /// were estimated 27-33 % low, outside their intervals; benchmarks/RESULTS.md.) A limit at or
    /// below `warmup` keeps every warm-up at `warmup`; a warm-up never lasts longer than the period
    /// less the window. An extended warm-up delays the windows after it, so a kernel with few
    /// misses gets fewer windows.
    std::uint64_t warmup_limit = 1'000'000;
    /// The first window lasts max(warmup + window, exact_prefix) instructions, so a region shorter
    /// than that is counted exactly. For short kernels, the ones a tuner mostly ranks: there
    /// sampling saves milliseconds, and extrapolating from their one or two windows moved rankings
    /// (the corpus of 36 operators, Unicorn, the shipped model trained on exact statistics: without
    /// a prefix the same pick on 27 of 36 workloads and Spearman against exact down to 0.79; with
    /// 2'000'000 on all 36, Spearman at least 0.96, median 1.000; benchmarks/RESULTS.md, stops 31
    /// and 34). The default since stop 34, when the intervals learned that misses come in bursts
    /// (mean_run, collectors/sampled_windows.hpp) and so hold with it too.
    std::uint64_t exact_prefix = 2'000'000;
};
/// The name before Unicorn could sample too.
using QemuSampling = SamplingOptions;

/// How a simulation estimated its memory statistics from sampled windows instead of counting every
/// access (QemuOptions::sampling, UnicornOptions::sampling).
struct SamplingSummary {
    std::uint64_t windows = 0;               ///< measured windows
    std::uint64_t measured_instructions = 0; ///< region-of-interest instructions inside them
    std::uint64_t retranslations = 0;        ///< times the simulator retranslated all code
    /// Per counter, the half-width of its 95 % confidence interval: the true count lies in
    /// stats.counter(i) +- half_width.counter(i). Zero for the counters not estimated from the
    /// windows (instruction mix, branches: exact; memory traffic: per block, see SamplingOptions).
    Stats half_width;
};

struct SimulationResult {
    Stats stats;
    /// Set if the memory statistics were sampled rather than counted exactly.
    std::optional<SamplingSummary> sampling;
    /// Final contents of every buffer, in the binary's buffer order (empty if not read back).
    std::vector<std::vector<std::byte>> buffers;
    /// Wall-clock seconds the simulation took (including simulator start-up for QEMU).
    double seconds = 0;
};

} // namespace simtune

template <>
struct fmt::formatter<simtune::SimulatorKind> : fmt::formatter<std::string_view> {
    auto format(simtune::SimulatorKind kind, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(simtune::to_string(kind), ctx);
    }
};
