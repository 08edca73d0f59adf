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
//
// The noise gate: a candidate whose spread still exceeds `max_spread` after the planned passes is
// re-measured — two more passes at a time, one on each CPU, interleaved with the other noisy
// candidates — until its spread is within the bound, it has had `max_extra_passes` more passes, or
// the batch has spent its re-measurement budget (`extra_budget` times the planned processes). A
// candidate still above the bound then is reported as `noisy`, never silently.
//
// The resolution a batch reached is the split-half agreement of its passes (half_agreement): each
// candidate's minimum over one half of its passes against its minimum over the other; their median
// relative difference is the relative time difference below which two candidates are not told
// apart. Every table of measured times should state it; the ranking metrics take it as their tie
// tolerance (predictors/metrics.hpp).
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <vector>

#include "simtune/kernel.hpp"

namespace simtune {

struct NativeTimingOptions {
    int passes = 6;                 ///< interleaved passes over all candidates
    double ms_per_measurement = 30; ///< one process: warm-up + `batches` batches, about this long
    int batches = 5;                ///< timed batches per process; the pass's figure is their minimum
    /// Back the harness's buffers with transparent huge pages while timing (harness --huge-pages:
    /// same addresses, 2 MiB pages), so physically indexed caches see the same placement in every
    /// process. Only timing runs do this; simulations never do.
    bool huge_pages = false;
    std::vector<int> cpus;                     ///< CPUs to alternate over; empty: every CPU this process may use
    std::chrono::milliseconds timeout{60'000}; ///< per process
    /// The noise gate (see above): the spread bound, the most extra passes one candidate gets, and
    /// the batch's budget of extra processes as a fraction of passes × candidates. max_spread <= 0
    /// or max_extra_passes == 0 turns the gate off.
    double max_spread = 0.05;
    int max_extra_passes = 6;
    double extra_budget = 0.5;
    /// If set, run this shell command instead of the binary itself, with {binary} replaced by the
    /// binary's path and {args} by the harness's timing arguments, e.g.
    /// "scp -q {binary} pi:/tmp/k && ssh pi /tmp/k {args}". Its output must contain the harness's
    /// "simtune-time:" line. No CPU pinning is done for commands.
    std::string command_template;
    /// Called after each measurement with (done, total).
    std::function<void(std::size_t, std::size_t)> progress;
};

struct NativeTiming {
    double seconds = 0;               ///< per call: the minimum over passes
    double median_seconds = 0;        ///< per call: the median over passes
    double spread = 0;                ///< (median - minimum) / minimum over passes: the noise
    std::vector<double> pass_seconds; ///< per pass, in pass order
    std::vector<int> pass_cpus;       ///< the CPU of each pass (-1: not pinned)
    int extra_passes = 0;             ///< passes added by the noise gate (included above)
    bool noisy = false;               ///< spread still above max_spread when the gate stopped
    double wall_seconds = 0;          ///< wall-clock time of all its measuring processes
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

/// How well two halves of the passes agree: each candidate's minimum over one half of its passes
/// against its minimum over the other (passes 0,1,2,3,4,5,... in halves A,B,B,A,A,B,...: with four
/// passes or more each half holds both CPUs, like the minimum over all passes). Needs at least two
/// passes.
struct HalfAgreement {
    double spearman = 0;             ///< rank correlation between the halves' times (NaN: one candidate)
    double median_relative_diff = 0; ///< median |a - b| / min(a, b) over candidates: the resolution
};
HalfAgreement half_agreement(std::span<const NativeTiming> timings);
/// One candidate's halves (minimum over half A, minimum over half B; see half_agreement); a half
/// without passes is 0.
std::pair<double, double> half_minima(const NativeTiming& timing);
/// The resolution of a set of candidates' halves, given as their two halves' minima (as datasets keep
/// them): the median relative difference, and the halves' rank correlation; pairs with a 0 (unknown)
/// are left out; NaN when none is left.
HalfAgreement half_agreement(std::span<const std::pair<double, double>> halves);

/// What a batch's measurement reached: its resolution and what the noise gate did.
struct NativeSummary {
    std::size_t candidates = 0;
    HalfAgreement halves;     ///< halves.median_relative_diff is the resolution
    double median_spread = 0; ///< median over candidates of (median - min) / min
    double mean_spread = 0;
    std::size_t remeasured = 0;   ///< candidates the gate gave extra passes
    std::size_t extra_passes = 0; ///< processes the gate ran
    std::size_t noisy = 0;        ///< candidates still above the bound
    double wall_seconds = 0;      ///< all measuring processes
    [[nodiscard]] double resolution() const noexcept { return halves.median_relative_diff; }
};
/// Summarises `timings` (at least two passes each).
NativeSummary summarise(std::span<const NativeTiming> timings);
/// One line for tables: "resolution 2.1 % (split-half Spearman 0.987), spread median 1.2 % ...".
std::string describe(const NativeSummary& summary);

} // namespace simtune
