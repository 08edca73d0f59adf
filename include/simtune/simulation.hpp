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

/// Sampled memory statistics (issue 17): the plugin counts the instruction mix (and branches) for
/// the whole region of interest, but feeds the memory-traffic and cache collectors only inside
/// windows, retranslating the code with and without memory callbacks at each window's ends.
/// Every `period` ROI instructions: `warmup` instructions that only warm the simulated caches,
/// then a measured window of `window` instructions; the first window starts at the ROI's start
/// (cold caches, as in exact counting) with no warm-up.
///  - Traffic (mem_reads, mem_writes, bytes_loaded, bytes_stored, l1d_accesses): each block's
///    accesses per execution while it had memory callbacks, times its exact executions. Exact for
///    blocks whose accesses do not vary between executions.
///  - The other cache counters: the first window's counts plus the later windows' counts per
///    instruction times the rest of the ROI, with a 95 % interval (SimulationResult::sampling).
/// Ignored (exact counting) when the collector set has the dataflow collector, which needs every
/// access; then SimulationResult::sampling stays empty.
struct QemuSampling {
    bool enabled = false;
    std::uint64_t period = 5'000'000;
    std::uint64_t warmup = 100'000;
    std::uint64_t window = 50'000;
};

/// How a simulation estimated its memory statistics from sampled windows instead of counting every
/// access (QemuOptions::sampling).
struct SamplingSummary {
    std::uint64_t windows = 0;               ///< measured windows
    std::uint64_t measured_instructions = 0; ///< region-of-interest instructions inside them
    std::uint64_t retranslations = 0;        ///< times the simulator retranslated all code
    /// Per counter, the half-width of its 95 % confidence interval: the true count lies in
    /// stats.counter(i) +- half_width.counter(i). Zero for the counters not estimated from the
    /// windows (instruction mix, branches: exact; memory traffic: per block, see QemuSampling).
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
