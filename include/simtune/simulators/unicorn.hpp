#pragma once
// UnicornSimulator: in-process, function-level simulation of a kernel binary with Unicorn 2.
//
// Only `simtune_kernel` runs: the binary's loadable segments are mapped with their permissions, the
// kernel's buffers are mapped (64-byte aligned, each behind an unmapped guard page) and filled
// exactly as the harness fills them, the pointers are passed per the ISA's C calling convention, and
// the kernel runs until it returns to a sentinel address. Every executed block is counted
// (Stats::instructions, Stats::basic_blocks) and handed to the run's collectors.
//
// Per-run cost matters (a compiler calls this thousands of times a minute), so the engine, its
// translation cache and the mapped binary are kept between runs of the same binary: a repeated run
// restores the writable segments, the buffers and the registers and starts again.
//
// Unicorn's limits, which the simulator reports as Error(simulation_fault) rather than working
// around: x86-64 has no AVX (kernels must target x86-64-v2, as host_x86_64() does) and RISC-V has no
// vector extension. Not thread-safe: use one UnicornSimulator per thread.
#include <cstdint>
#include <memory>
#include <string_view>

#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/target.hpp"

namespace simtune {

class CollectorSet;

struct UnicornOptions {
    SimulationLimits limits;
    /// Bytes of stack below the kernel's initial stack pointer.
    std::uint64_t stack_bytes = 1 << 20;
    /// Read the final buffers back into SimulationResult::buffers.
    bool read_buffers = true;
    /// Off by default: every access is counted (exact, the statistics models are trained on). On:
    /// the memory hook runs only in windows (a twin engine without it runs between them); ignored
    /// with the dataflow collector, refused with user collectors that want memory accesses.
    SamplingOptions sampling;
};

class UnicornSimulator {
public:
    static constexpr std::string_view name = "unicorn";

    UnicornSimulator();
    explicit UnicornSimulator(SimulationLimits limits);
    explicit UnicornSimulator(UnicornOptions options);
    ~UnicornSimulator();
    UnicornSimulator(UnicornSimulator&&) noexcept;
    UnicornSimulator& operator=(UnicornSimulator&&) noexcept;
    UnicornSimulator(const UnicornSimulator&) = delete;
    UnicornSimulator& operator=(const UnicornSimulator&) = delete;

    /// Runs `simtune_kernel` of `kernel` once. The collectors are reset first and contribute their
    /// counters to the result. Throws Error: wrong_isa (kernel and target disagree),
    /// invalid_argument (more buffers than the simulator can pass), simulation_fault (bad access,
    /// invalid or unsupported instruction, system call, control leaving the kernel's code; the
    /// message names the address, the instruction and the reason), instruction_limit, time_limit.
    /// After an error the simulator stays usable.
    SimulationResult run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors);

    [[nodiscard]] const UnicornOptions& options() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace simtune
