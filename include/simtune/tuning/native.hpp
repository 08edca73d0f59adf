#pragma once
// Measuring kernel binaries on real hardware: this machine (the host target), or a board reached by
// a command template (e.g. over ssh).
//
// Hosts are often shared and noisy (virtual machines, neighbours' jobs): within one measurement
// timings can vary by several per cent, and one CPU at a time can run throughput-bound code up to
// 2x slower for longer than a measurement lasts (benchmarks/RESULTS.md has figures). So every
// candidate is measured in several passes over the whole batch, passes alternate the CPU each
// candidate runs on, and a candidate's time is its minimum over passes (slowdowns only ever add
// time). The spread over passes is reported as the candidate's noise.
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "simtune/kernel.hpp"

namespace simtune {

struct NativeTimingOptions {
    int passes = 6;                     ///< interleaved passes over all candidates
    double ms_per_measurement = 30;     ///< one process: warm-up + `batches` batches, about this long
    int batches = 5;                    ///< timed batches per process; the pass's figure is their minimum
    std::vector<int> cpus;              ///< CPUs to alternate over; empty: every CPU this process may use
    std::chrono::milliseconds timeout{60'000}; ///< per process
    /// If set, run this shell command instead of the binary itself, with {binary} replaced by the
    /// binary's path and {args} by the harness's timing arguments, e.g.
    /// "scp -q {binary} pi:/tmp/k && ssh pi /tmp/k {args}". Its output must contain the harness's
    /// "simtune-time:" line. No CPU pinning is done for commands.
    std::string command_template;
    /// Called after each measurement with (done, total).
    std::function<void(std::size_t, std::size_t)> progress;
};

struct NativeTiming {
    double seconds = 0;                 ///< per call: the minimum over passes
    double median_seconds = 0;          ///< per call: the median over passes
    double spread = 0;                  ///< (median - minimum) / minimum over passes: the noise
    std::vector<double> pass_seconds;   ///< per pass, in pass order
    std::vector<int> pass_cpus;         ///< the CPU of each pass (-1: not pinned)
};

/// Parses the harness's "simtune-time: min_ns=... median_ns=..." line; per-call minimum in seconds.
/// Throws Error(invalid_output) if the line is missing or malformed.
double parse_harness_time(const std::string& output);

class NativeRunner {
public:
    explicit NativeRunner(NativeTimingOptions options = {});

    /// Measures every binary, interleaved as described above. Binaries must be for this machine
    /// (or for the command template's board). Throws Error on the first binary that fails
    /// (simulation_fault for a crash, time_limit for a timeout), naming it.
    [[nodiscard]] std::vector<NativeTiming> measure(std::span<const KernelBinary> binaries) const;
    [[nodiscard]] NativeTiming measure(const KernelBinary& binary) const;

    [[nodiscard]] const NativeTimingOptions& options() const noexcept { return options_; }

private:
    NativeTimingOptions options_;
};

/// How well two halves of the passes agree: each candidate's minimum over the even passes against
/// its minimum over the odd passes. Needs at least two passes.
struct HalfAgreement {
    double spearman = 0;              ///< rank correlation between the halves' times
    double median_relative_diff = 0;  ///< median |even - odd| / min(even, odd)
};
HalfAgreement half_agreement(std::span<const NativeTiming> timings);

} // namespace simtune
