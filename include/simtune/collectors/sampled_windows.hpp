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
// For the "cold" counters (a line the caches see for the first time adds one: the misses and the
// accesses below L1) the later windows' first-seen lines are cold-start uncertainty: such a miss
// of the sampled run may have been a hit of the real one, which touched the line between windows.
// That part of the extrapolation, C, is taken at half, C/2 +- C/2, and the interval widened by C/2.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "simtune/stats.hpp"

namespace simtune {

/// One measured window: its instructions and the cache counters' increase during it.
struct SampleWindow {
    std::uint64_t instructions = 0;
    Stats counts;
    std::uint64_t first_seen = 0; ///< lines the simulated caches saw for the first time in it
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

/// Whether a line the caches see for the first time adds one to the counter (see the file comment).
[[nodiscard]] constexpr bool is_cold_counter(std::string_view name) noexcept {
    return name == "l1d_misses" || name == "l2_accesses" || name == "l2_misses" || name == "llc_accesses" ||
           name == "llc_misses";
}

/// Two-sided 97.5 % quantile of Student's t for 1..30 degrees of freedom, then the normal's.
[[nodiscard]] inline double student_t_975(std::size_t degrees) noexcept {
    static constexpr std::array<double, 30> table{
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return degrees >= 1 && degrees <= table.size() ? table[degrees - 1] : 1.96;
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

    /// Measured windows, the first included.
    [[nodiscard]] std::uint64_t windows() const noexcept { return (first_ ? 1 : 0) + later_.size(); }
    /// Region instructions inside the measured windows.
    [[nodiscard]] std::uint64_t measured_instructions() const noexcept {
        std::uint64_t n = first_ ? first_->instructions : 0;
        for (const auto& w : later_) n += w.instructions;
        return n;
    }

    /// Counter `k` over the whole region of `total` instructions and its 95 % interval's half-width.
    [[nodiscard]] std::pair<double, double> estimate(std::size_t k, std::uint64_t total, bool cold) const {
        if (!first_) return {0.0, 0.0};
        const double prefix = static_cast<double>(first_->counts.counter(k));
        const double rest = total > first_end_ ? static_cast<double>(total - first_end_) : 0.0;
        if (rest == 0) return {prefix, 0.0};
        const std::size_t n = later_.size();
        if (n == 0) { // the region ended before a second window: the first one's rate, no confidence
            const double rate = first_->instructions ? prefix / static_cast<double>(first_->instructions) : 0.0;
            return {prefix + rate * rest, rate * rest};
        }
        double instructions = 0, count = 0, first_seen = 0;
        for (const auto& w : later_) {
            instructions += static_cast<double>(w.instructions);
            count += static_cast<double>(w.counts.counter(k));
            first_seen += static_cast<double>(w.first_seen);
        }
        const double rate = count / instructions;
        const double uncertain = cold ? std::min(count, first_seen) / instructions * rest / 2 : 0.0;
        const double estimate = prefix + rate * rest - uncertain;
        if (n == 1) return {estimate, rate * rest};
        double squares = 0;
        for (const auto& w : later_) {
            const double residual =
                static_cast<double>(w.counts.counter(k)) - rate * static_cast<double>(w.instructions);
            squares += residual * residual;
        }
        const double mean_instructions = instructions / static_cast<double>(n);
        const double sampled_fraction = std::min(1.0, instructions / rest);
        const double variance = rest * rest * (1.0 - sampled_fraction) * (squares / static_cast<double>(n - 1)) /
                                (static_cast<double>(n) * mean_instructions * mean_instructions);
        return {estimate, student_t_975(n - 1) * std::sqrt(variance) + uncertain};
    }

    /// Writes the estimates of windowed_cache_counters into `stats` (rounded, at least 0) and their
    /// half-widths (rounded up) into `half_width`, for a region of `total` instructions.
    void fill(Stats& stats, Stats& half_width, std::uint64_t total) const {
        for (const std::string_view name : windowed_cache_counters) {
            const std::size_t k = Stats::feature_index(name);
            const auto [value, half] = estimate(k, total, is_cold_counter(name));
            stats.counter(k) = static_cast<std::uint64_t>(std::llround(std::max(0.0, value)));
            half_width.counter(k) = static_cast<std::uint64_t>(std::ceil(half));
        }
    }

private:
    std::optional<SampleWindow> first_;
    std::uint64_t first_end_ = 0;
    std::vector<SampleWindow> later_;
};

/// The L1 lines the simulated caches have seen in a sampled run (SampleWindow::first_seen): an
/// open-addressing hash set of line numbers with a one-line memo in front. Every access in a
/// window asks it, so an answer must cost a probe, not an allocation: std::unordered_set, with a
/// node per line, took 2.7 % of a sampled QEMU run of conv2d on its own (benchmarks/RESULTS.md).
class LineSet {
public:
    /// Adds `line`; true if it was not in the set.
    bool insert(std::uint64_t line) {
        if (line == last_) return false;
        last_ = line;
        if (line == empty) { // the one value the slots cannot hold (lines of one byte only)
            const bool added = !has_empty_;
            has_empty_ = true;
            return added;
        }
        if (slots_.empty()) rehash(1024);
        std::size_t i = slot_of(line);
        for (;; i = (i + 1) & (slots_.size() - 1)) {
            if (slots_[i] == line) return false;
            if (slots_[i] == empty) break;
        }
        slots_[i] = line;
        if (++size_ * 2 > slots_.size()) rehash(slots_.size() * 2);
        return true;
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_ + (has_empty_ ? 1 : 0); }
    void clear() noexcept {
        slots_.clear();
        size_ = 0;
        has_empty_ = false;
        last_ = empty;
        shift_ = 64;
    }

private:
    static constexpr std::uint64_t empty = ~std::uint64_t{0};
    /// Fibonacci hashing: the multiplication's top bits (a line number's low bits alone would
    /// crowd the strided lines of a kernel into a few runs of slots).
    [[nodiscard]] std::size_t slot_of(std::uint64_t line) const noexcept {
        return static_cast<std::size_t>((line * 0x9e3779b97f4a7c15ULL) >> shift_);
    }
    void rehash(std::size_t capacity) {
        std::vector<std::uint64_t> old(capacity, empty);
        old.swap(slots_);
        shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
        for (const std::uint64_t line : old) {
            if (line == empty) continue;
            std::size_t i = slot_of(line);
            while (slots_[i] != empty) i = (i + 1) & (capacity - 1);
            slots_[i] = line;
        }
    }

    std::vector<std::uint64_t> slots_; ///< a power of two of them, at most half full
    std::size_t size_ = 0;             ///< lines in slots_
    unsigned shift_ = 64;
    bool has_empty_ = false;
    std::uint64_t last_ = empty; ///< the line asked last (kernels touch a line many times in a row)
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
