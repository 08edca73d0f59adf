#pragma once
// The accuracy table of sampled against exact statistics, shared by bench_qemu and bench_unicorn.
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"

namespace simtune {

struct SamplingAccuracy {
    std::string row; ///< "target kernel", 21 characters
    Stats exact, sampled;
    SamplingSummary summary;
};

/// Traffic as relative error; each miss counter as error / stated 95 % half-width.
inline void print_sampling_accuracy(const SamplingOptions& sampling, const std::vector<SamplingAccuracy>& rows) {
    fmt::print("\nsampled ({}:{}:{}:{}) against exact: traffic error; per miss counter, error / stated 95 % "
               "half-width (|ratio| <= 1: inside the interval)\n",
               sampling.period, sampling.warmup, sampling.window, sampling.exact_prefix);
    fmt::print("{:<21} {:>7} {:>9} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9}\n", "", "win/rtr", "measured",
               "reads", "writes", "bytes ld", "bytes st", "l1d acc", "l1d miss", "l2 miss", "llc miss");
    for (const auto& a : rows) {
        auto relative = [](std::uint64_t exact, std::uint64_t sampled) {
            return exact ? fmt::format("{:+.3f}%", 100.0 * (static_cast<double>(sampled) - static_cast<double>(exact)) /
                                                       static_cast<double>(exact))
                         : fmt::format("{}", sampled);
        };
        auto against = [](std::uint64_t exact, std::uint64_t sampled, std::uint64_t half) {
            const double error = static_cast<double>(sampled) - static_cast<double>(exact);
            return half ? fmt::format("{:+.2f}", error / static_cast<double>(half)) : fmt::format("{:+.0f}/0", error);
        };
        const double measured = a.exact.instructions ? static_cast<double>(a.summary.measured_instructions) /
                                                           static_cast<double>(a.exact.instructions)
                                                     : 0.0;
        fmt::print("{} {:>7} {:>8.2f}% | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9}\n", a.row,
                   fmt::format("{}/{}", a.summary.windows, a.summary.retranslations), 100.0 * measured,
                   relative(a.exact.mem_reads, a.sampled.mem_reads), relative(a.exact.mem_writes, a.sampled.mem_writes),
                   relative(a.exact.bytes_loaded, a.sampled.bytes_loaded),
                   relative(a.exact.bytes_stored, a.sampled.bytes_stored),
                   relative(a.exact.l1d_accesses, a.sampled.l1d_accesses),
                   against(a.exact.l1d_misses, a.sampled.l1d_misses, a.summary.half_width.l1d_misses),
                   against(a.exact.l2_misses, a.sampled.l2_misses, a.summary.half_width.l2_misses),
                   against(a.exact.llc_misses, a.sampled.llc_misses, a.summary.half_width.llc_misses));
        fmt::print("{:<21} {:>7} {:>9} | exact misses l1d {} l2 {} llc {}; sampled {} +- {}, {} +- {}, {} +- {}\n", "",
                   "", "", a.exact.l1d_misses, a.exact.l2_misses, a.exact.llc_misses, a.sampled.l1d_misses,
                   a.summary.half_width.l1d_misses, a.sampled.l2_misses, a.summary.half_width.l2_misses,
                   a.sampled.llc_misses, a.summary.half_width.llc_misses);
    }
}

} // namespace simtune
