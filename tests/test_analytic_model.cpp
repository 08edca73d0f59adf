// Specification of the analytic cost model: monotone in work and in misses, finite and positive,
// a real kernel with more work predicted slower on every built-in target, and clear errors for
// targets and cores it cannot describe.
#include <doctest/doctest.h>

#include <cmath>

#include <simtune/simtune.hpp>

using namespace simtune;
namespace fs = std::filesystem;

namespace {

/// Counters of a plausible small loop: 1000 instructions of every class, some misses.
Stats typical_stats() {
    Stats s;
    s.by_class = {400, 20, 150, 100, 200, 60, 70};
    for (auto c : s.by_class) s.instructions += c;
    s.branches_taken = 60;
    s.mem_reads = 220;
    s.mem_writes = 60;
    s.bytes_loaded = 220 * 4;
    s.bytes_stored = 60 * 4;
    s.l1d_accesses = 280;
    s.l1d_misses = 20;
    s.l2_accesses = 20;
    s.l2_misses = 5;
    s.llc_accesses = 5;
    s.llc_misses = 2;
    s.basic_blocks = 70;
    return s;
}

Stats scaled(Stats s, std::uint64_t factor) {
    for (std::size_t i = 0; i < Stats::feature_count; ++i) s.counter(i) *= factor;
    return s;
}

} // namespace

TEST_CASE("every built-in target has a valid core model; an unknown target is named in the error") {
    for (const auto& t : builtin_targets()) {
        CAPTURE(t.name);
        const auto core = core_model_for(t);
        CHECK_NOTHROW(core.validate());
        CHECK_FALSE(core.source.empty());
        const auto m = analytic_model(t);
        CHECK(m.description == "analytic:" + t.name);
        CHECK(m.simulator == SimulatorKind::unicorn);
        CHECK(m.collectors == CollectorSelection::all());
    }
    auto unknown = host_x86_64();
    unknown.name = "cortex-m4";
    try {
        (void)core_model_for(unknown);
        FAIL("no error for an unknown target");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_argument);
        CHECK(std::string(e.what()).find("cortex-m4") != std::string::npos);
    }
    CHECK_THROWS_AS(analytic_model(unknown), Error);

    auto bad = core_model_for(host_x86_64());
    bad.ghz = 0;
    CHECK_THROWS_WITH_AS(analytic_model(host_x86_64(), bad), doctest::Contains("ghz"), Error);
    bad = core_model_for(host_x86_64());
    bad.cycles_per_insn[static_cast<std::size_t>(InsnClass::load)] = std::nan("");
    CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("load"), Error);
}

TEST_CASE("more work, more misses: more time, never negative or NaN") {
    for (const auto& t : builtin_targets()) {
        CAPTURE(t.name);
        const auto core = core_model_for(t);
        const auto scorer = analytic_model(t).scorer;
        const Stats base = typical_stats();
        const double base_s = scorer(base);
        CHECK(std::isfinite(base_s));
        CHECK(base_s > 0);
        CHECK(scorer(Stats{}) == 0);                                   // nothing executed, nothing predicted
        CHECK(scorer(scaled(base, 3)) == doctest::Approx(3 * base_s)); // the model is linear in work

        // More instructions of the bottleneck class (whichever it is) cost more.
        const auto b = analytic_breakdown(base, core);
        CHECK(b.total_cycles == doctest::Approx(b.compute_cycles + b.memory_cycles));
        CHECK(b.seconds == doctest::Approx(base_s));
        Stats more = base;
        for (auto& c : more.by_class) c *= 2;
        more.instructions *= 2;
        more.mem_reads *= 2;
        more.mem_writes *= 2;
        more.branches_taken *= 2;
        CHECK(scorer(more) > base_s);

        // More L1 misses (served by L2), more L2 misses, more LLC misses: each costs more.
        Stats l1 = base;
        l1.l1d_misses += 1000;
        CHECK(scorer(l1) > base_s);
        Stats llc = l1;
        llc.l2_misses += 1000;
        llc.llc_misses += 1000;
        CHECK(scorer(llc) > scorer(l1));

        // Huge counters stay finite.
        CHECK(std::isfinite(scorer(scaled(base, 1'000'000'000))));
    }
}

TEST_CASE("a kernel doing more work is predicted slower on every target, from real simulations") {
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-test-analytic-{}", ::getpid());
    BuildOptions opts;
    opts.cache_dir = dir;
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 1024, BufferRole::inout},
                                          {"y", ElemType::f32, 64 * 1024, BufferRole::input}};
    // `small` streams 1 KiB four times; `large` does 8x the arithmetic and walks 256 KiB with a
    // cache-line stride (one miss per access).
    const std::string small =
        "void simtune_kernel(float *x, const float *y) { for (int r = 0; r < 4; ++r) for (int i = 0; i < 1024; ++i) "
        "x[i] = x[i] * 0.5f + y[i]; }";
    const std::string large =
        "void simtune_kernel(float *x, const float *y) { for (int r = 0; r < 32; ++r) for (int i = 0; i < 1024; ++i) "
        "x[i] = x[i] * 0.5f + y[(i * 16 + r) % (64 * 1024)]; }";
    for (const auto& t : builtin_targets()) {
        CAPTURE(t.name);
        const auto model = analytic_model(t);
        const auto ps = predict(build_kernel(small, buffers, t, opts), t, model);
        const auto pl = predict(build_kernel(large, buffers, t, opts), t, model);
        CHECK(ps.model == "analytic:" + t.name);
        CHECK(ps.stats.instructions > 0);
        CHECK(pl.stats.instructions > 4 * ps.stats.instructions);
        CHECK(pl.stats.l1d_misses > ps.stats.l1d_misses);
        CHECK(pl.seconds > 4 * ps.seconds);
        // Plausible magnitudes: between 0.1 and 20 cycles per instruction at the core's clock.
        const auto core = core_model_for(t);
        const double cpi = ps.seconds * core.ghz * 1e9 / static_cast<double>(ps.stats.instructions);
        CHECK(cpi > 0.1);
        CHECK(cpi < 20);
        const auto why = analytic_breakdown(pl.stats, core).explain();
        CHECK(why.find("cycles = compute") != std::string::npos);
    }
    fs::remove_all(dir);
}
