#pragma once
// WindowEstimator: a region's cache counters from sampled windows (issue 17). Both simulators'
// sampled modes (SamplingOptions) feed the simulated caches only inside windows; this is the one
// place that turns the windows' counts into whole-region estimates with a 95 % interval, so the
// QEMU plugin and the Unicorn engine report the same thing for the same windows.
//
// The estimate of counter k over a region of `total` instructions: the first window's count (it
// starts at the region's start with the caches as exact counting starts them) plus the later
// windows' count per instruction times the instructions after the first window. The interval is
// Student's t over the later windows' ratio residuals with the finite-population correction.
// The misses, and the accesses of a level below L1, also carry the windows' unsure misses and hits
// (WindowCertainty): the real count lies between the windows' count less their unsure misses (all
// of them hits of the real run) and plus their unsure hits (all of them misses). Extrapolated, D
// down and U up, the estimate is moved by (U - D)/2 and the interval widened by (U + D)/2. (This
// replaced counting as unsure every line the sampled caches saw for the first time, which could
// not tell a line the real run touched in the gap from one it never touched: the x86-64 GEMM's new
// rows of A and C, sure misses, were taken off at half and its L1D and L2 misses leaned low in
// every schedule; and leftover lines the sampled caches still hit were not counted at all.
// benchmarks/RESULTS.md.)
// The stream counters are not extrapolated from the windows' own counts either: a window's first
// miss on a page is judged against a stream table the gap left stale, which made them 27-33 % low
// on conv2d with intervals that did not say so. They are their level's miss estimate times the
// share of streams among the later windows' sure decisions; the interval adds that share's
// (Student's t over the windows, at least the binomial one) to the misses' own.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "simtune/collectors/cache.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// One measured window: its instructions and the cache counters' increase during it.
struct SampleWindow {
    std::uint64_t instructions = 0;
    Stats counts;
    WindowCertainty certainty; ///< the unsure misses' and sure stream decisions' increase during it
};

/// The cache counters a sampled run estimates from its windows (the traffic counters and
/// l1d_accesses are estimated per block instead, exactly for blocks with a fixed access pattern).
inline constexpr std::array<std::string_view, 12> windowed_cache_counters{"l1d_misses",
                                                                          "l2_accesses",
                                                                          "l2_misses",
                                                                          "llc_accesses",
                                                                          "llc_misses",
                                                                          "dtlb_misses",
                                                                          "stlb_misses",
                                                                          "l1d_stream_misses",
                                                                          "l2_stream_misses",
                                                                          "l1d_store_misses",
                                                                          "l1d_store_stream_misses",
                                                                          "store_forwarded_loads"};

/// How far a window's count of counter `name` may be from the real run's: {down, up}, its unsure
/// misses (hits of the real run) of its level and the levels above it (an unsure L1D miss may have
/// been a hit, and then the real run never asked L2), and the first level's unsure hits (misses of
/// the real run).
/// L1D store misses take the L1D's in proportion. {0, 0} for the counters no miss adds to.
[[nodiscard]] inline std::pair<double, double> unsure_part(std::string_view name, const WindowCertainty& c,
                                                           const Stats& counts) noexcept {
    using L = WindowCertainty::Level;
    // Only L1D's unsure hits: L2 and the LLC do not turn over within a warm-up, so most of their
    // hits are on leftovers, and counting them all as possible misses made the interval of the
    // x86-64 GEMM's L2 misses 70 times the count (its B matrix stays in L2 in the real run too).
    auto through = [&](L last) {
        double down = 0;
        for (std::size_t level = L::l1; level <= last; ++level) down += static_cast<double>(c.unsure_misses[level]);
        return std::pair{down, static_cast<double>(c.unsure_hits[L::l1])};
    };
    if (name == "l1d_misses" || name == "l2_accesses") return through(L::l1);
    if (name == "l2_misses" || name == "llc_accesses") return through(L::l2);
    if (name == "llc_misses") return through(L::llc);
    if (name == "dtlb_misses")
        return {static_cast<double>(c.unsure_misses[L::dtlb]), static_cast<double>(c.unsure_hits[L::dtlb])};
    if (name == "stlb_misses")
        return {static_cast<double>(c.unsure_misses[L::dtlb] + c.unsure_misses[L::stlb]),
                static_cast<double>(c.unsure_hits[L::dtlb])};
    if (name == "l1d_store_misses" && counts.l1d_misses > 0) {
        const double share = static_cast<double>(counts.l1d_store_misses) / static_cast<double>(counts.l1d_misses);
        const auto [down, up] = through(L::l1);
        return {down * share, up * share};
    }
    return {0.0, 0.0};
}

/// How many misses of counter `name` arrive together, on average, in `windows`: its level's
/// misses over its bursts, a burst being a miss and the misses right after it at that level that
/// continue its stream in the same page (WindowCertainty::l1_bursting and the like: a stream
/// interleaved with other pages' misses, a loop walking 32 channels at once, is no burst). 1 for
/// counters without a stream table (the TLBs).
/// Why: misses that come in bursts are no Poisson events. A 256³ GEMM misses L2 on a new row of
/// C, 16 lines at once, once every 148 k instructions, which a 50 k window holds or does not;
/// counted as single events, the windows' counting noise was a quarter of the truth, and QEMU's
/// x86-64 GEMM L2 estimate fell outside its interval in 5 of 12 schedules (benchmarks/RESULTS.md,
/// stop 34). As a compound Poisson process of bursts, the count's variance is the bursts' rate
/// times the mean square of a burst's length, at least the count times the mean burst: the floor
/// estimate() uses. (Counting runs of a page's stream regardless of what came between widened the
/// conv2ds' L1D intervals fourfold, to ±9-10 % around estimates 0.1-2 % off.)
[[nodiscard]] inline double mean_run(std::string_view name, std::span<const SampleWindow> windows) noexcept {
    std::uint64_t Stats::*misses = nullptr;
    std::uint64_t WindowCertainty::*bursting = nullptr;
    if (name == "l1d_misses" || name == "l2_accesses") { // L2's accesses are L1D's misses
        misses = &Stats::l1d_misses;
        bursting = &WindowCertainty::l1_bursting;
    } else if (name == "l2_misses" || name == "llc_accesses" || name == "llc_misses") {
        // The LLC's misses are some of L2's, in L2's bursts (it has no stream table of its own).
        misses = &Stats::l2_misses;
        bursting = &WindowCertainty::l2_bursting;
    } else if (name == "l1d_store_misses") {
        misses = &Stats::l1d_store_misses;
        bursting = &WindowCertainty::store_bursting;
    } else {
        return 1.0;
    }
    double total = 0, continuing = 0;
    for (const auto& w : windows) {
        total += static_cast<double>(w.counts.*misses);
        continuing += static_cast<double>(w.certainty.*bursting);
    }
    return std::max(1.0, total / std::max(1.0, total - continuing));
}

/// Two-sided 97.5 % quantile of Student's t for 1..30 degrees of freedom, then the normal's.
[[nodiscard]] inline double student_t_975(std::size_t degrees) noexcept {
    static constexpr std::array<double, 30> table{
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return degrees >= 1 && degrees <= table.size() ? table[degrees - 1] : 1.96;
}

/// One block's part in a sampled region: its instructions in the first window and after it, and
/// the L1D lines it accesses per instruction (from the executions the memory hook saw).
struct BlockRun {
    double first = 0, rest = 0, lines_per_instruction = 0;
};

/// The part of a region's rest that its first window does not vouch for: per block, the
/// instructions it ran after the first window beyond its share of the first window's (scaled to
/// the rest), and the L1D lines those accessed. None when the rest runs the first window's code in
/// the first window's proportions; all of it when the rest runs other code (a GEMM's GELU after
/// the GEMM). The simulators count every block's executions exactly, sampled or not.
struct Unvouched {
    double instructions = 0, lines = 0;
};
[[nodiscard]] inline Unvouched unvouched_part(std::span<const BlockRun> blocks) noexcept {
    double first = 0, rest = 0;
    for (const auto& b : blocks) {
        first += b.first;
        rest += b.rest;
    }
    Unvouched part;
    for (const auto& b : blocks) {
        const double beyond = std::max(0.0, b.rest - (first > 0 ? b.first / first * rest : 0.0));
        part.instructions += beyond;
        part.lines += beyond * b.lines_per_instruction;
    }
    return part;
}

class WindowEstimator {
public:
    /// Records a finished window; `region_instructions` is the region's instruction count when it
    /// ended. The first window recorded is the one from the region's start; a later window with no
    /// instructions (the region ended as it began) is dropped.
    void add(const SampleWindow& window, std::uint64_t region_instructions) {
        if (!first_) {
            first_ = window;
            first_end_ = region_instructions;
        } else if (window.instructions > 0) {
            later_.push_back(window);
        }
    }

    /// How many times over a warm-up should refill the L1D (warmup_length). Once was not enough on
    /// x86-64 conv2d (its L1D misses 7-13 % low, most schedules outside their interval): the misses
    /// do not spread evenly over the sets.
    static constexpr double warmup_turnovers = 2;

    /// How long the next window's warm-up lasts (SamplingOptions::warmup_limit): long enough for
    /// warmup_turnovers times as many L1D misses as the L1D holds lines, at the windows' miss rate
    /// so far; at least `warmup`, at most `limit` and at most what a period of `period` leaves
    /// beside a window of `window`. Decided before the warm-up, from earlier windows: a warm-up that
    /// ran until it had seen enough misses would end in a burst of them, and the window after it
    /// would sample bursts more often than they occur.
    [[nodiscard]] std::uint64_t warmup_length(std::uint64_t warmup, std::uint64_t limit, std::uint64_t period,
                                              std::uint64_t window, std::uint64_t l1d_lines) const noexcept {
        limit = std::min(limit, period > window ? period - window : 0);
        if (limit <= warmup || !first_) return warmup;
        const std::size_t k = Stats::feature_index("l1d_misses");
        double instructions = static_cast<double>(first_->instructions);
        double misses = static_cast<double>(first_->counts.counter(k));
        for (const auto& w : later_) {
            instructions += static_cast<double>(w.instructions);
            misses += static_cast<double>(w.counts.counter(k));
        }
        if (misses <= 0 || instructions <= 0) return warmup; // nothing turns over
        const double wanted = warmup_turnovers * static_cast<double>(l1d_lines) * instructions / misses;
        return wanted >= static_cast<double>(limit) ? limit : std::max(warmup, static_cast<std::uint64_t>(wanted));
    }

    /// For a region no window after the first one saw: each counter's largest count over the part
    /// of the rest the first window does not vouch for (misses: every line it accessed missed; the
    /// walk: each of its instructions waited the longest latency on the one before it). Such a region's interval then also holds that much: the rest may be a
    /// later phase (a GEMM's GELU after the GEMM) that the first window's rate says nothing about
    /// (without it, such a kernel's dataflow walk came out 55 % low, 2.9 half-widths outside its
    /// interval; a second phase of misses, 99 % low).
    /// `part` is unvouched_part's; the windowed cache counters are bounded by its L1D line
    /// accesses, dataflow_cycles by its instructions times `longest_latency` (0 without the walk),
    /// dataflow_memory_cycles by its instructions times `longest_memory_latency` (0 without it).
    void set_unvouched(const Unvouched& part, double longest_latency = 0, double longest_memory_latency = 0) noexcept {
        const auto lines = static_cast<std::uint64_t>(std::llround(std::max(0.0, part.lines)));
        for (const std::string_view name : windowed_cache_counters)
            unvouched_.counter(Stats::feature_index(name)) = lines;
        unvouched_.dataflow_cycles =
            static_cast<std::uint64_t>(std::llround(std::max(0.0, part.instructions * longest_latency)));
        unvouched_.dataflow_memory_cycles =
            static_cast<std::uint64_t>(std::llround(std::max(0.0, part.instructions * longest_memory_latency)));
    }

    /// Measured windows, the first included.
    [[nodiscard]] std::uint64_t windows() const noexcept { return (first_ ? 1 : 0) + later_.size(); }
    /// Region instructions inside the measured windows.
    [[nodiscard]] std::uint64_t measured_instructions() const noexcept {
        std::uint64_t n = first_ ? first_->instructions : 0;
        for (const auto& w : later_) n += w.instructions;
        return n;
    }

    /// Counter `k` (named `name`) over the whole region of `total` instructions and its 95 %
    /// interval's half-width.
    [[nodiscard]] std::pair<double, double> estimate(std::size_t k, std::string_view name, std::uint64_t total) const {
        if (!first_) return {0.0, 0.0};
        const double prefix = static_cast<double>(first_->counts.counter(k));
        const double rest = total > first_end_ ? static_cast<double>(total - first_end_) : 0.0;
        if (rest == 0) return {prefix, 0.0};
        const std::size_t n = later_.size();
        if (n == 0) { // the region ended before a second window: the first one's rate, no confidence
            const double rate = first_->instructions ? prefix / static_cast<double>(first_->instructions) : 0.0;
            return {prefix + rate * rest, rate * rest + static_cast<double>(unvouched_.counter(k))};
        }
        double instructions = 0, count = 0, down = 0, up = 0;
        for (const auto& w : later_) {
            instructions += static_cast<double>(w.instructions);
            count += static_cast<double>(w.counts.counter(k));
            const auto [d, u] = unsure_part(name, w.certainty, w.counts);
            down += d;
            up += u;
        }
        const double rate = count / instructions;
        down = std::min(count, down) / instructions * rest;
        up = up / instructions * rest;
        const double uncertain = down / 2 + up;
        const double estimate = prefix + rate * rest - down / 2;
        if (n == 1) return {estimate, rate * rest};
        double squares = 0;
        for (const auto& w : later_) {
            const double residual =
                static_cast<double>(w.counts.counter(k)) - rate * static_cast<double>(w.instructions);
            squares += residual * residual;
        }
        const double mean_instructions = instructions / static_cast<double>(n);
        const double sampled_fraction = std::min(1.0, instructions / rest);
        const double spread = rest * rest * (1.0 - sampled_fraction) * (squares / static_cast<double>(n - 1)) /
                              (static_cast<double>(n) * mean_instructions * mean_instructions);
        // At least the counting noise of the events the windows saw (as if they were Poisson): a
        // kernel whose windows land on the same phase of its loops every time shows less spread
        // than its count has (x86-64 conv2d in QEMU: L1D misses 4 % low, the spread's interval
        // 1.6 %; counting noise over its ~1 900 windowed misses, 4.5 %). Windows that saw none or
        // almost none say only that the rate is small: at least three events' noise (the rule of
        // three), not a zero-width interval. Misses that come in bursts (a page's stream at once)
        // count as bursts (mean_run): a compound Poisson process.
        const double per_event = rest / instructions;
        const double counting =
            per_event * per_event * std::max(count, 3.0) * mean_run(name, later_) * (1.0 - sampled_fraction);
        const double variance = std::max(spread, counting);
        return {estimate, student_t_975(n - 1) * std::sqrt(variance) + uncertain};
    }

    /// A stream counter `k` over the region: the estimate of its level's misses `misses` (a
    /// counter index) times the share of streams among the later windows' sure decisions, which
    /// `sure` and `streams` pick out of a window's WindowCertainty (see the file comment).
    template <class Sure, class Streams>
    [[nodiscard]] std::pair<double, double> estimate_streams(std::size_t k, std::string_view misses_name,
                                                             std::uint64_t total, Sure sure, Streams streams) const {
        if (!first_ || later_.empty() || total <= first_end_) return estimate(k, "", total);
        const std::size_t misses = Stats::feature_index(misses_name);
        const auto [all_misses, misses_half] = estimate(misses, misses_name, total);
        const double prefix = static_cast<double>(first_->counts.counter(k));
        const double rest = std::max(0.0, all_misses - static_cast<double>(first_->counts.counter(misses)));
        double decided = 0, yes = 0;
        for (const auto& w : later_) {
            decided += static_cast<double>(sure(w.certainty));
            yes += static_cast<double>(streams(w.certainty));
        }
        // No sure decision at all: the share could be anything.
        double share = 0.5, share_half = 0.5;
        if (decided > 0) {
            share = yes / decided;
            share_half = 1.96 * std::sqrt(share * (1 - share) / decided);
            if (const std::size_t n = later_.size(); n >= 2) {
                double squares = 0;
                for (const auto& w : later_) {
                    const double residual =
                        static_cast<double>(streams(w.certainty)) - share * static_cast<double>(sure(w.certainty));
                    squares += residual * residual;
                }
                const double mean = decided / static_cast<double>(n);
                share_half = std::max(share_half, student_t_975(n - 1) *
                                                      std::sqrt(squares / static_cast<double>(n * (n - 1))) / mean);
            }
            share_half = std::min(share_half, std::max(share, 1 - share));
        }
        return {prefix + share * rest, share * misses_half + (rest + misses_half) * share_half};
    }

    /// Writes the estimates of windowed_cache_counters into `stats` (rounded, at least 0) and their
    /// half-widths (rounded up) into `half_width`, for a region of `total` instructions.
    void fill(Stats& stats, Stats& half_width, std::uint64_t total) const {
        for (const std::string_view name : windowed_cache_counters) {
            const std::size_t k = Stats::feature_index(name);
            std::pair<double, double> estimated;
            using C = const WindowCertainty&;
            if (name == "l1d_stream_misses")
                estimated = estimate_streams(
                    k, "l1d_misses", total, [](C c) { return c.l1_sure; }, [](C c) { return c.l1_sure_streams; });
            else if (name == "l2_stream_misses")
                estimated = estimate_streams(
                    k, "l2_misses", total, [](C c) { return c.l2_sure; }, [](C c) { return c.l2_sure_streams; });
            else if (name == "l1d_store_stream_misses")
                estimated = estimate_streams(
                    k, "l1d_store_misses", total, [](C c) { return c.store_sure; },
                    [](C c) { return c.store_sure_streams; });
            else estimated = estimate(k, name, total);
            const auto [value, half] = estimated;
            stats.counter(k) = static_cast<std::uint64_t>(std::llround(std::max(0.0, value)));
            half_width.counter(k) = static_cast<std::uint64_t>(std::ceil(half));
        }
    }

private:
    std::optional<SampleWindow> first_;
    std::uint64_t first_end_ = 0;
    std::vector<SampleWindow> later_;
    Stats unvouched_; ///< set_unvouched
};

/// The next window's offset within its period: splitmix64 over `state` (a fixed stride would alias
/// with a kernel's loops, and the sequence must not depend on anything but the run).
[[nodiscard]] inline std::uint64_t next_window_offset(std::uint64_t& state, std::uint64_t slack) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % (slack + 1);
}

} // namespace simtune
