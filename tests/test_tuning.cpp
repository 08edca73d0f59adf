// Specification of the tuning layer: the Tuner ranks by prediction, caches Stats by content, turns
// failures into results, can be cancelled; datasets round-trip and resume; the experiment and
// predict() work end to end on real kernels, simulators and native times.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <simtune/research.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

/// Candidates doing 1x, 2x, 3x, ... the work of a scaling loop, plus one that faults.
std::vector<Candidate> scaled_candidates(int n, bool with_fault) {
    auto c = scaling_loop_candidates(n);
    std::ranges::reverse(c); // the most work first: ranking must reorder them
    const std::vector<BufferSpec> b{{"x", ElemType::f32, 256, BufferRole::inout}};
    if (with_fault)
        c.push_back(
            Candidate::from_source("faulty", "void simtune_kernel(float *x) { ((volatile float *)0)[1] = x[0]; }", b));
    return c;
}

/// Predicts the instruction count: ranks exactly by simulated work.
double by_instructions(const Stats& s) { return static_cast<double>(s.instructions) * 1e-9; }

} // namespace

TEST_CASE("the Tuner ranks by prediction, caches by content and reports failures as results") {
    const auto dir = scratch_dir("tuner");
    PoolOptions pool;
    pool.workers = 2;
    pool.build.cache_dir = dir;
    TunerOptions options;
    options.pool = pool;
    Tuner tuner(host_x86_64(), simulator_factory("unicorn"), by_instructions, options);
    const auto candidates = scaled_candidates(5, true);
    std::size_t seen = 0;
    const auto ranked = tuner.rank(candidates, [&](const CandidateResult&) { ++seen; });
    CHECK(seen == candidates.size());
    REQUIRE(ranked.size() == 6);
    for (int i = 0; i < 5; ++i) {
        CHECK(ranked[static_cast<std::size_t>(i)].ok());
        CHECK(ranked[static_cast<std::size_t>(i)].name == fmt::format("work{}", i + 1));
    }
    CHECK_FALSE(ranked[5].ok());
    CHECK(ranked[5].name == "faulty");
    CHECK(ranked[5].error_kind == ErrorKind::simulation_fault);
    CHECK(ranked[5].error.find("0x4") != std::string::npos); // names the address

    // The same batch again: every successful candidate is a cache hit with identical Stats.
    const auto again = tuner.rank(candidates);
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(again[i].cache_hit);
        CHECK(*again[i].stats == *ranked[i].stats);
    }
    CHECK(tuner.cache().hits() >= 5);

    // Native confirmation of the top 2 reorders them by measured time.
    options.confirm_top = 2;
    options.native.passes = 2;
    options.native.ms_per_measurement = 5;
    Tuner confirming(host_x86_64(), simulator_factory("unicorn"), by_instructions, options);
    const auto confirmed = confirming.rank(candidates);
    CHECK(confirmed[0].measured_seconds.has_value());
    CHECK(confirmed[1].measured_seconds.has_value());
    CHECK_FALSE(confirmed[2].measured_seconds.has_value());
    CHECK(*confirmed[0].measured_seconds <= *confirmed[1].measured_seconds);
    fs::remove_all(dir);
}

TEST_CASE("cancelling a Tuner turns the candidates not yet started into cancelled results") {
    const auto dir = scratch_dir("cancel");
    TunerOptions options;
    options.pool.workers = 1;
    options.pool.build.cache_dir = dir;
    Tuner tuner(host_x86_64(), simulator_factory("unicorn"), by_instructions, options);
    const auto candidates = scaled_candidates(6, false);
    const auto ranked = tuner.rank(candidates, [&](const CandidateResult& r) {
        if (r.index == 1) tuner.cancel();
    });
    std::size_t cancelled = 0;
    for (const auto& r : ranked) cancelled += r.error_kind == ErrorKind::cancelled;
    CHECK(cancelled == 4);
    CHECK(ranked.size() == 6);
    fs::remove_all(dir);
}

TEST_CASE("when every candidate fails to build, each is a failed result and the overall error names the first") {
    const auto dir = scratch_dir("all-fail");
    TunerOptions options;
    options.pool.workers = 2;
    options.pool.build.cache_dir = dir;
    const std::vector<BufferSpec> b{{"x", ElemType::f32, 16, BufferRole::inout}};
    const std::vector<Candidate> broken{
        Candidate::from_source("broken-a", "void simtune_kernel(float *x) { x[0] = undeclared_a; }", b),
        Candidate::from_source("broken-b", "void simtune_kernel(float *x) { x[0] = undeclared_b; }", b)};

    // Kernels that do not compile: build_failed, with the compiler's diagnostics.
    Tuner host(host_x86_64(), simulator_factory("unicorn"), by_instructions, options);
    const auto ranked = host.rank(broken);
    REQUIRE(ranked.size() == 2);
    for (const auto& r : ranked) CHECK(r.error_kind == ErrorKind::build_failed);
    CHECK_THROWS_WITH_AS(
        require_a_ranked_candidate(ranked),
        doctest::Contains("every one of the 2 candidates failed (2 build failed); the first, 'broken-a'"), Error);
    CHECK_THROWS_WITH_AS(require_a_ranked_candidate(ranked), doctest::Contains("undeclared_a"), Error);

    // A cross compiler that is not there: tool_missing, naming it.
    auto arm = cortex_a72();
    arm.toolchain_prefix = (dir / "no-such-toolchain" / "aarch64-linux-gnu-").string();
    Tuner cross(arm, simulator_factory("unicorn"), by_instructions, options);
    const auto missing = cross.rank(scaled_candidates(3, false));
    REQUIRE(missing.size() == 3);
    for (const auto& r : missing) CHECK(r.error_kind == ErrorKind::tool_missing);
    try {
        require_a_ranked_candidate(missing);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::tool_missing);
        CHECK(std::string(e.what()).find("no-such-toolchain/aarch64-linux-gnu-gcc' for target cortex-a72 not found") !=
              std::string::npos);
    }

    // One success is enough, and an empty batch is no error.
    auto mixed = broken;
    mixed.push_back(scaled_candidates(1, false).front());
    CHECK_NOTHROW(require_a_ranked_candidate(host.rank(mixed)));
    CHECK_NOTHROW(require_a_ranked_candidate({}));
    fs::remove_all(dir);
}

TEST_CASE("exceptions other than simtune::Error on the Tuner's worker threads never std::terminate") {
    const auto dir = scratch_dir("worker-exceptions");
    TunerOptions options;
    options.pool.workers = 2;
    options.pool.build.cache_dir = dir;
    const auto candidates = scaled_candidates(3, false);

    // A scorer throwing std::out_of_range: each candidate fails with the message.
    Tuner throwing(
        host_x86_64(), simulator_factory("unicorn"), [](const Stats&) -> double { return std::vector<double>{}.at(3); },
        options);
    const auto ranked = throwing.rank(candidates);
    REQUIRE(ranked.size() == 3);
    for (const auto& r : ranked) {
        CHECK_FALSE(r.ok());
        CHECK(r.error.find("the predictor failed for") != std::string::npos);
    }
    CHECK_THROWS_AS(require_a_ranked_candidate(ranked), Error);

    // A result callback throwing: rank() rethrows it on the calling thread after the workers end.
    Tuner tuner(host_x86_64(), simulator_factory("unicorn"), by_instructions, options);
    CHECK_THROWS_WITH_AS(
        tuner.rank(candidates, [](const CandidateResult&) { throw std::runtime_error("callback broke"); }),
        "callback broke", std::runtime_error);
    fs::remove_all(dir);
}

TEST_CASE("a dataset is built with both simulators, saved, resumed and used for the experiment") {
    const auto dir = scratch_dir("dataset");
    DatasetOptions options;
    options.simulators = {"unicorn", "qemu"};
    options.variants_per_workload = 8;
    options.native.passes = 2;
    options.native.ms_per_measurement = 3;
    options.build_cache = dir / "cache";
    options.chunk = 4;
    const std::vector<Workload> workloads{workload_by_name("dense-512x1024"),
                                          workload_by_name("depthwise-nhwc-32x32x64-3x3")};
    const auto csv = dir / "data.csv";
    auto first = build_dataset(std::span(workloads).first(1), host_x86_64(), options, csv);
    REQUIRE(first.rows.size() == 8);
    CHECK(first.simulators() == std::vector<std::string>{"qemu", "unicorn"});
    for (const auto& r : first.rows) {
        CHECK(r.seconds > 0);
        CHECK(r.seconds <= r.median_seconds);
        // The halves of the passes and the measuring time are kept, for the resolution.
        CHECK(r.half_a_seconds >= r.seconds);
        CHECK(r.half_b_seconds >= r.seconds);
        CHECK(std::min(r.half_a_seconds, r.half_b_seconds) == r.seconds);
        CHECK(r.native_seconds > 0);
        // Both simulators count the same kernel code: identical instruction totals.
        CHECK(r.stats.at("qemu").instructions == r.stats.at("unicorn").instructions);
    }
    // Resume: the first workload's rows are kept, only the second's are added.
    std::size_t simulated = 0;
    options.progress = [&](std::string_view phase, std::size_t, std::size_t) {
        simulated += phase == "build+simulate";
    };
    // A writer killed mid-row leaves a torn last line (no newline): the resume drops it and redoes
    // that row instead of refusing the file.
    {
        std::ofstream torn(csv, std::ios::app);
        torn << "depthwise-nhwc-32x32x64-3x3,toc16-tow2-u1,oc=16;ow";
    }
    const auto both = build_dataset(workloads, host_x86_64(), options, csv);
    CHECK(both.rows.size() == 16);
    CHECK(simulated == 16); // 8 new variants x 2 simulators
    const auto loaded = Dataset::load_csv(csv);
    REQUIRE(loaded.rows.size() == 16);
    CHECK(std::ranges::none_of(loaded.rows, [](const DatasetRow& r) { return r.variant == "toc16-tow2-u1"; }));
    CHECK(loaded.rows[3].stats.at("unicorn") == both.rows[3].stats.at("unicorn"));
    CHECK(loaded.rows[3].knobs == both.rows[3].knobs);
    CHECK(loaded.timing_details);
    CHECK(loaded.rows[3].half_a_seconds == doctest::Approx(both.rows[3].half_a_seconds));
    CHECK(loaded.rows[3].native_seconds > 0);
    CHECK(loaded.workloads().size() == 2);

    const auto ts = loaded.training_set("unicorn");
    CHECK(ts.rows() == 16);
    CHECK(ts.groups.size() == 16);

    ExperimentOptions eo;
    eo.gbt_rounds = 20;
    eo.models = {"ridge", "gbt", "gbt-rel"};
    eo.baselines = {"insn-count", "analytic"};
    const auto results = run_experiment(loaded, eo);
    // Every (simulator, workload, protocol) gets the two baselines and the three trained models.
    CHECK(results.size() == 2 /*sims*/ * 2 /*workloads*/ * 2 /*protocols*/ * (2 + 3));
    for (const auto& r : results) {
        CAPTURE(r.model);
        CHECK(r.metrics.candidates == r.predicted.size());
        CHECK(r.metrics.top_k_percent > 0);
        CHECK(r.metrics.top_k_percent <= 100);
        CHECK(r.family == r.workload); // no family_of: each workload its own family
        CHECK(r.baseline == (r.model == "insn-count" || r.model == "analytic"));
        // Judged with ties at the workload's measured resolution.
        CHECK(r.ties);
        CHECK(r.resolution == doctest::Approx(workload_resolution(loaded, r.workload).median_relative_diff));
        CHECK(r.variants.size() == r.predicted.size());
        if (r.model == "insn-count") {
            // The baseline ranks by the instruction count itself.
            CHECK(r.predicted.size() == r.measured.size());
            CHECK(std::ranges::all_of(r.predicted, [](double v) { return v >= 1; }));
        }
    }
    const auto table = experiment_table(results);
    CHECK(table.find("| lofo | unicorn | gbt | dense-512x1024 | dense-512x1024 |") != std::string::npos);
    CHECK(table.find("| lofo | unicorn | (baseline) insn-count | dense-512x1024 |") != std::string::npos);

    // With families, lofo leaves out every workload of the family at once.
    eo.family_of = [](const std::string&) { return std::string("one-family"); };
    const auto one_family = run_experiment(loaded, eo);
    CHECK(std::ranges::none_of(one_family, [](const ExperimentResult& r) { return r.protocol == "lofo"; }));

    // lofo trains only on the rows `trainable` accepts. A second copy of the data as "another
    // machine" measured it, in the opposite order: trained on the first machine only, the copy of a
    // workload is ranked exactly as the original; trained on both, the reversed times change it.
    Dataset two_machines = loaded;
    for (auto r : loaded.rows) {
        r.workload += "@other";
        r.seconds = 1e-6 / r.seconds;
        r.half_a_seconds = r.half_b_seconds = r.seconds;
        two_machines.rows.push_back(std::move(r));
    }
    ExperimentOptions cross;
    cross.models = {"ridge"};
    cross.baselines = {};
    cross.protocols = {"lofo"};
    cross.family_of = [](const std::string& w) { return w.substr(0, w.find('@')); };
    auto ridge_lofo = [&](const ExperimentOptions& o) { // workload -> predictions, Unicorn statistics
        std::map<std::string, std::vector<double>> predicted;
        for (const auto& r : run_experiment(two_machines, o))
            if (r.simulator == "unicorn") predicted[r.workload] = r.predicted;
        return predicted;
    };
    const auto trained_on_both = ridge_lofo(cross);
    cross.trainable = [](const DatasetRow& r) { return r.workload.find('@') == std::string::npos; };
    const auto trained_on_first = ridge_lofo(cross);
    REQUIRE(trained_on_first.contains("dense-512x1024"));
    REQUIRE(trained_on_first.contains("dense-512x1024@other"));
    REQUIRE(trained_on_both.contains("dense-512x1024@other"));
    CHECK(trained_on_first.at("dense-512x1024@other") == trained_on_first.at("dense-512x1024"));
    CHECK(trained_on_both.at("dense-512x1024@other") != trained_on_first.at("dense-512x1024"));

    // A model trained on the dataset predicts through predict().
    RidgeOptions ro;
    ro.target = "host-x86-64@unicorn";
    RidgeRegressor ridge(ro);
    ridge.fit(ts);
    ridge.save(dir / "m.model");
    const auto model = load_target_model(dir / "m.model");
    CHECK(model.simulator == SimulatorKind::unicorn);
    BuildOptions bo;
    bo.cache_dir = dir / "cache";
    const auto v = enumerate_variants(workloads[0], 1, 99)[0];
    bo.flags = v.flags;
    const auto k = build_kernel(v.source, v.buffers, host_x86_64(), bo);
    const auto p = predict(k, host_x86_64(), model);
    CHECK(p.seconds > 0);
    CHECK(p.stats.instructions > 0);
    CHECK(p.simulator == SimulatorKind::unicorn);

    // Malformed datasets are refused with the line named.
    std::ofstream(dir / "bad.csv") << "workload,variant\n";
    CHECK_THROWS_WITH_AS(Dataset::load_csv(dir / "bad.csv"), doctest::Contains(":1:"), Error);
    std::ifstream in(csv);
    std::string header;
    std::getline(in, header);
    std::ofstream(dir / "short.csv") << header << "\ndense,x,,1,2\n";
    CHECK_THROWS_WITH_AS(Dataset::load_csv(dir / "short.csv"), doctest::Contains(":2:"), Error);
    fs::remove_all(dir);
}

TEST_CASE("targets without a model and unknown simulators are clear errors") {
    Target t = cortex_a72();
    t.name = "my-board-without-model";
    CHECK_THROWS_WITH_AS(default_model(t), doctest::Contains("no default model for target 'my-board-without-model'"),
                         Error);
    CHECK_THROWS_WITH_AS(simulator_factory("gem5"), doctest::Contains("unknown simulator 'gem5'"), Error);
    DatasetOptions o;
    o.times_csv.reset();
    CHECK_THROWS_AS(build_dataset({}, cortex_a72(), o, "/nonexistent/x.csv"), Error);
}
