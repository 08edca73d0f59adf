#pragma once
// What every simulator returns and the bounds every simulation runs under.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "simtune/stats.hpp"

namespace simtune {

/// Bounds on one simulation. Exceeding either is Error(instruction_limit / time_limit).
struct SimulationLimits {
    std::uint64_t max_instructions = 20'000'000'000ULL;
    std::chrono::milliseconds timeout{120'000};
};

struct SimulationResult {
    Stats stats;
    /// Final contents of every buffer, in the binary's buffer order (empty if not read back).
    std::vector<std::vector<std::byte>> buffers;
    /// Wall-clock seconds the simulation took (including simulator start-up for QEMU).
    double seconds = 0;
};

} // namespace simtune
