#pragma once
// Small helpers the doctest specifications share: a per-process scratch folder and the check that
// an action fails with a simtune::Error of the right kind whose message names the problem.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <simtune/error.hpp>
#include <simtune/events.hpp>
#include <simtune/simulation.hpp>
#include <simtune/stats.hpp>
#include <simtune/tuning/pool.hpp>

namespace simtune::testing {

/// A decoded block [address, end) of `alu` integer and `loads` load instructions, ending in a
/// branch (conditional or not) if `branch`: what a simulator hands the block collectors.
inline DecodedBlock decoded_block(std::uint64_t address, std::uint64_t end, std::uint32_t alu, std::uint32_t loads,
                                  bool branch, bool conditional) {
    DecodedBlock b;
    b.address = address;
    b.end = end;
    b.class_counts[static_cast<std::size_t>(InsnClass::int_alu)] = alu;
    b.class_counts[static_cast<std::size_t>(InsnClass::load)] = loads;
    b.class_counts[static_cast<std::size_t>(InsnClass::branch)] = branch ? 1 : 0;
    b.instructions = alu + loads + (branch ? 1 : 0);
    b.ends_in_branch = branch;
    b.branch_is_conditional = conditional;
    return b;
}

/// An empty folder under the system's temp directory, unique to this test process.
inline std::filesystem::path scratch_dir(std::string_view name) {
    auto dir = std::filesystem::temp_directory_path() / fmt::format("simtune-test-{}-{}", name, ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

/// `action` must throw simtune::Error of `kind` whose message contains every one of `needles`.
void check_error(auto&& action, ErrorKind kind, std::initializer_list<std::string_view> needles) {
    try {
        action();
        FAIL("expected simtune::Error of kind ", to_string(kind));
    } catch (const Error& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(e.kind() == kind);
        for (auto needle : needles) CHECK(message.find(needle) != std::string::npos);
    }
}

/// The same with one needle.
void check_error(auto&& action, ErrorKind kind, std::string_view needle) { check_error(action, kind, {needle}); }

/// A sampled counter `name` lies within its stated 95 % interval of the exact run's.
inline void check_within_interval(const SimulationResult& exact, const SimulationResult& sampled,
                                  std::string_view name) {
    CAPTURE(name);
    const auto k = Stats::feature_index(name);
    const auto e = static_cast<double>(exact.stats.counter(k));
    const auto v = static_cast<double>(sampled.stats.counter(k));
    CAPTURE(e);
    CAPTURE(v);
    CHECK(std::abs(v - e) <= static_cast<double>(sampled.sampling->half_width.counter(k)));
}

/// What sampled memory statistics promise against an exact run of the same kernel (either
/// simulator) sampled by `options`: the same outputs and exact mix, most of the region after the
/// first window (its exact prefix) outside the windows, traffic within 2 % (no interval), every
/// miss counter inside its stated 95 % interval.
inline void check_sampled_against_exact(const SimulationResult& exact, const SimulationResult& sampled,
                                        const SamplingOptions& options) {
    CHECK_FALSE(exact.sampling.has_value());
    REQUIRE(sampled.sampling.has_value());
    const auto& summary = *sampled.sampling;
    CAPTURE(summary.windows);
    CHECK(sampled.buffers == exact.buffers);
    CHECK(sampled.stats.instructions == exact.stats.instructions);
    CHECK(sampled.stats.by_class == exact.stats.by_class);
    CHECK(sampled.stats.basic_blocks == exact.stats.basic_blocks);
    CHECK(summary.windows >= 5);
    const std::uint64_t first = std::max(options.warmup + options.window, options.exact_prefix);
    REQUIRE(exact.stats.instructions > first);
    REQUIRE(summary.measured_instructions >= first);
    CHECK((summary.measured_instructions - first) * 20 < exact.stats.instructions - first);
    for (const std::string_view name : {"mem_reads", "mem_writes", "bytes_loaded", "bytes_stored", "l1d_accesses"}) {
        CAPTURE(name);
        const auto k = Stats::feature_index(name);
        const double e = static_cast<double>(exact.stats.counter(k));
        CHECK(std::abs(static_cast<double>(sampled.stats.counter(k)) - e) <= 0.02 * e);
        CHECK(summary.half_width.counter(k) == 0);
    }
    for (const std::string_view name : {"l1d_misses", "l2_accesses", "l2_misses", "llc_accesses", "llc_misses"})
        check_within_interval(exact, sampled, name);
}

/// A kernel of two phases (about 3 M and 1.3 M instructions): sums over a 4 KB array that stays in
/// L1D, then one load per new line of a 16 MB array, each a miss. With SamplingOptions' defaults
/// its region ends after the 2 M prefix but before a second window: the second phase is seen by
/// no window, and its misses are 99 % of the run's.
inline constexpr const char* two_phase_kernel = R"(
void simtune_kernel(const float *restrict small, const float *restrict big, float *restrict out) {
    float s = 0;
    for (int r = 0; r < 640; ++r)
        for (int i = 0; i < 1024; ++i) s += small[i] * 0.5f;
    for (int i = 0; i < (1 << 22); i += 16) s += big[i];
    out[0] = s;
}
)";
inline constexpr const char* two_phase_buffers = "small:f32:1024:in;big:f32:4194304:in;out:f32:1:out";

/// What a sampled run promises for a region whose rest no window after the first one saw: the exact
/// mix, and every miss counter (and the dataflow walk, if `dataflow`) inside its stated interval,
/// however unlike the first window the rest is.
inline void check_unseen_rest(const SimulationResult& exact, const SimulationResult& sampled, bool dataflow) {
    REQUIRE(sampled.sampling.has_value());
    CHECK(sampled.sampling->windows == 1);
    CHECK(sampled.stats.instructions == exact.stats.instructions);
    CHECK(sampled.stats.by_class == exact.stats.by_class);
    CHECK(exact.stats.l1d_misses > 200'000); // the second phase's
    for (const std::string_view name : {"l1d_misses", "l2_misses", "llc_misses", "dtlb_misses"})
        check_within_interval(exact, sampled, name);
    if (dataflow) check_within_interval(exact, sampled, "dataflow_cycles");
}

/// Candidates "work1" ... "workN" in that order: a loop over 256 floats run passes_per_step × i
/// times by candidate i, so each does about i times the first's work (the tuning tests' batches).
inline std::vector<Candidate> scaling_loop_candidates(int n, int passes_per_step = 4) {
    std::vector<Candidate> c;
    const std::vector<BufferSpec> b{{"x", ElemType::f32, 256, BufferRole::inout}};
    for (int i = 1; i <= n; ++i)
        c.push_back(Candidate::from_source(fmt::format("work{}", i),
                                           fmt::format("void simtune_kernel(float *x) {{ for (int r = 0; r < {}; ++r) "
                                                       "for (int i = 0; i < 256; ++i) x[i] = x[i] * 0.5f + 1.0f; }}",
                                                       passes_per_step * i),
                                           b));
    return c;
}

/// Two runs that must have looked up the same accesses in the same caches: every level's and TLB's
/// accesses and misses, and the stream misses, agree.
inline void check_same_cache_counters(const Stats& a, const Stats& b) {
    CHECK(a.l1d_accesses == b.l1d_accesses);
    CHECK(a.l1d_misses == b.l1d_misses);
    CHECK(a.l2_accesses == b.l2_accesses);
    CHECK(a.l2_misses == b.l2_misses);
    CHECK(a.llc_accesses == b.llc_accesses);
    CHECK(a.llc_misses == b.llc_misses);
    CHECK(a.dtlb_misses == b.dtlb_misses);
    CHECK(a.stlb_misses == b.stlb_misses);
    CHECK(a.l1d_stream_misses == b.l1d_stream_misses);
    CHECK(a.l2_stream_misses == b.l2_stream_misses);
}

} // namespace simtune::testing
