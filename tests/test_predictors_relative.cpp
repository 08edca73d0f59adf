// Relative models: run time taken relative to an anchor column, size-free features only, and
// (trees) only the differences within each group learned. These are what lets a model trained on
// some operators rank an operator it never saw, whose kernels may be far larger or smaller.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <simtune/predictors/any_predictor.hpp>
#include <simtune/predictors/features.hpp>
#include <simtune/predictors/gbt.hpp>
#include <simtune/predictors/metrics.hpp>
#include <simtune/predictors/ridge.hpp>
#include <simtune/util.hpp>

#include "support.hpp"

using namespace simtune;
using doctest::Approx;

namespace {

/// Kernels whose time is instructions × a CPI that depends only on the miss rate per instruction:
/// seconds = instructions × 1e-9 × (1 + 20 × misses/instruction). Sizes span `lo`..`hi`
/// instructions; groups of 10 rows share a size scale.
TrainingSet cpi_world(double lo, double hi, int rows, unsigned seed) {
    TrainingSet d;
    d.feature_names = {"instructions", "l1d_accesses", "l1d_misses", "mem_reads"};
    d.features.resize(rows, 4);
    d.seconds.resize(rows);
    std::uint64_t state = seed;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    for (int r = 0; r < rows; ++r) {
        const double insns = std::round(lo * std::pow(hi / lo, (r / 10 + uniform()) / std::ceil(rows / 10.0)));
        const double miss_per_insn = 0.05 * uniform();
        const double accesses = std::round(0.4 * insns);
        d.features.row(r) << insns, accesses, std::round(miss_per_insn * insns), accesses;
        d.seconds[r] = insns * 1e-9 * (1 + 20 * miss_per_insn);
        d.groups.push_back("g" + std::to_string(r / 10));
    }
    return d;
}

} // namespace

TEST_CASE("without raw counters the features are the size-free ratios alone") {
    const auto d = cpi_world(1e3, 1e4, 40, 1);
    FeatureOptions o;
    o.raw_counters = false;
    const auto p = FeaturePipeline::fit(d, o);
    const auto names = p.names();
    CHECK(p.raw_width() == 4);
    CHECK(p.width() == names.size());
    CHECK(std::ranges::find(names, "instructions") == names.end());
    CHECK(std::ranges::find(names, "l1d_misses_per_insn") != names.end());
    // Doubling every counter (the same kernel, twice the size) leaves every feature unchanged.
    Eigen::MatrixXd twice = 2 * d.features;
    const Eigen::MatrixXd a = p.transform(d.features), b = p.transform(twice);
    CHECK((a - b).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("an anchored model extrapolates in size; an unanchored tree model cannot") {
    // Trained on kernels of 1e3–1e4 instructions, asked about kernels 100–1000 times larger.
    const auto train = cpi_world(1e3, 1e4, 200, 2);
    const auto test = cpi_world(1e6, 1e7, 60, 3);
    GbtOptions anchored;
    anchored.features.raw_counters = false;
    anchored.features.anchor = "instructions";
    anchored.rounds = 100;
    GradientBoostedTrees rel(anchored), plain(GbtOptions{.rounds = 100});
    rel.fit(train);
    plain.fit(train);
    const Eigen::VectorXd p_rel = rel.predict(test.features), p_plain = plain.predict(test.features);
    std::vector<double> actual(test.seconds.data(), test.seconds.data() + test.seconds.size());
    const std::vector<double> rel_v(p_rel.data(), p_rel.data() + p_rel.size());
    const std::vector<double> plain_v(p_plain.data(), p_plain.data() + p_plain.size());
    CAPTURE(mape(rel_v, actual));
    CAPTURE(mape(plain_v, actual));
    CHECK(mape(rel_v, actual) < 10);   // per cent: the CPI law carries over
    CHECK(mape(plain_v, actual) > 90); // trees saturate at the largest training size
    CHECK(spearman(rel_v, actual) > 0.95);

    RidgeOptions ro;
    ro.features.raw_counters = false;
    ro.features.anchor = "instructions";
    RidgeRegressor ridge(ro);
    ridge.fit(train);
    const Eigen::VectorXd p_ridge = ridge.predict(test.features);
    CHECK(mape(std::vector<double>(p_ridge.data(), p_ridge.data() + p_ridge.size()), actual) < 15);
}

TEST_CASE("center_groups learns differences within groups, not between them") {
    // Each group's times carry a large factor of its own that no feature explains (as operators
    // differ in ways the counters do not show). Without centring the trees chase it; with it they
    // learn the within-group law and rank a new group as well as the law allows.
    auto d = cpi_world(1e4, 1e5, 200, 4);
    for (Eigen::Index r = 0; r < d.features.rows(); ++r)
        d.seconds[r] *= 1 + 3 * ((r / 10) % 3); // group factors 1, 4, 7
    const auto test = cpi_world(1e4, 1e5, 10, 5);
    GbtOptions o;
    o.features.raw_counters = false;
    o.features.anchor = "instructions";
    o.center_groups = true;
    o.rounds = 100;
    GradientBoostedTrees centred(o);
    centred.fit(d);
    const Eigen::VectorXd p = centred.predict(test.features);
    const std::vector<double> actual(test.seconds.data(), test.seconds.data() + test.seconds.size());
    CHECK(spearman(std::vector<double>(p.data(), p.data() + p.size()), actual) > 0.9);
}

TEST_CASE("anchor and raw_counters survive a model file; files without them still load") {
    const auto dir = simtune::testing::scratch_dir("relative-model");
    const auto d = cpi_world(1e3, 1e4, 60, 6);
    GbtOptions o;
    o.features.raw_counters = false;
    o.features.anchor = "instructions";
    o.rounds = 20;
    GradientBoostedTrees m(o);
    m.fit(d);
    m.save(dir / "rel.model");
    const auto back = load_model(dir / "rel.model");
    const Eigen::VectorXd a = m.predict(d.features), b = back.predict(d.features);
    CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-12 * a.cwiseAbs().maxCoeff());
    const auto& g = std::get<GradientBoostedTrees>(back.model());
    CHECK(g.features().options().anchor == "instructions");
    CHECK_FALSE(g.features().options().raw_counters);

    // A file written before these keys existed (raw counters, no anchor) still loads.
    GradientBoostedTrees plain(GbtOptions{.rounds = 5});
    plain.fit(d);
    plain.save(dir / "plain.model");
    std::string text, line;
    {
        std::ifstream in(dir / "plain.model");
        while (std::getline(in, line))
            if (!line.starts_with("raw_counters ") && !line.starts_with("anchor ")) text += line + "\n";
    }
    REQUIRE(text.find("ratios ") != std::string::npos);
    std::ofstream(dir / "old.model") << text;
    const auto old = load_model(dir / "old.model");
    std::visit(
        [](const auto& model) {
            CHECK(model.features().options().raw_counters);
            CHECK(model.features().options().anchor.empty());
        },
        old.model());
    const Eigen::VectorXd p_old = old.predict(d.features), p_plain = plain.predict(d.features);
    CHECK((p_old - p_plain).cwiseAbs().maxCoeff() == 0);

    SUBCASE("an anchor that is not a feature is refused") {
        GbtOptions bad = o;
        bad.features.anchor = "no_such_counter";
        simtune::testing::check_error([&] { GradientBoostedTrees(bad).fit(d); }, ErrorKind::invalid_data,
                                      {"anchor", "no_such_counter"});
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("features are clamped to their training range, so a linear model cannot run away") {
    // Trained where the miss rate per instruction stays below 5 %; asked about a kernel with 90 %.
    const auto train = cpi_world(1e3, 1e4, 100, 7);
    RidgeOptions o;
    o.features.raw_counters = false;
    o.features.anchor = "instructions";
    Eigen::MatrixXd odd = train.features.topRows(1);
    odd(0, 2) = 0.9 * odd(0, 0); // l1d_misses
    RidgeRegressor clamped(o);
    clamped.fit(train);
    o.features.clamp_to_training_range = false;
    RidgeRegressor free(o);
    free.fit(train);
    const double at_edge = clamped.predict(odd)[0], beyond = free.predict(odd)[0];
    const double instructions = odd(0, 0);
    // The clamped model predicts no more than the CPI at the edge of training (1 + 20 × 5 %).
    CHECK(at_edge <= instructions * 1e-9 * 2.0 * 1.05);
    CHECK(beyond > 2 * at_edge);
}

TEST_CASE("pairwise pairs closer than the resolution weigh less") {
    // Measured times carry up to ±2 % of noise; pairs that close have no reliable order. With a
    // 5 % resolution they weigh less, and the model still learns the law that orders the rest.
    auto train = cpi_world(1e3, 1e5, 200, 7);
    for (Eigen::Index r = 0; r < train.seconds.size(); ++r)
        train.seconds[r] *= 1 + 0.02 * std::sin(12.9898 * static_cast<double>(r));
    const auto test = cpi_world(1e3, 1e5, 60, 8);
    GbtOptions o;
    o.objective = GbtObjective::pairwise;
    o.features.raw_counters = false;
    o.features.anchor = "instructions";
    o.pairwise_resolution = std::log(1.05);
    o.rounds = 60;
    GradientBoostedTrees m(o);
    m.fit(train);
    const Eigen::VectorXd p = m.predict(test.features);
    const std::vector<double> actual(test.seconds.data(), test.seconds.data() + test.seconds.size());
    CHECK(spearman(std::vector<double>(p.data(), p.data() + p.size()), actual) > 0.95);

    GbtOptions bad = o;
    bad.pairwise_resolution = -1;
    simtune::testing::check_error([&] { GradientBoostedTrees(bad).fit(train); }, ErrorKind::invalid_argument,
                                  {"pairwise_resolution"});
}

TEST_CASE("an anchor is a column or a weighted sum of columns") {
    const std::vector<std::string> names{"instructions", "l1d_misses", "mca_cycles"};
    CHECK(parse_anchor("instructions", names) == std::vector<AnchorTerm>{{1.0, {{1.0, 0}}}});
    CHECK(parse_anchor("mca_cycles+5*l1d_misses-0.5*instructions", names) ==
          std::vector<AnchorTerm>{{1.0, {{1.0, 2}}}, {5.0, {{1.0, 1}}}, {-0.5, {{1.0, 0}}}});
    CHECK(parse_anchor("-2*l1d_misses", names) == std::vector<AnchorTerm>{{-2.0, {{1.0, 1}}}});
    CHECK(parse_anchor("max(mca_cycles,instructions)+5*l1d_misses", names) ==
          std::vector<AnchorTerm>{{1.0, {{1.0, 2}, {1.0, 0}}}, {5.0, {{1.0, 1}}}});
    const std::vector<double> row{100, 2, 40};
    CHECK(anchor_value(parse_anchor("max(mca_cycles,instructions)+5*l1d_misses", names), row) == 110);
    CHECK(anchor_value(parse_anchor("0.5*max(l1d_misses,mca_cycles)", names), row) == 20);
    // Whichever of several scaled limits binds: 40 cycles, 30 misses at 2 each, 100 instructions at 0.5.
    CHECK(parse_anchor("3*max(mca_cycles,2*l1d_misses,0.5*instructions)", names) ==
          std::vector<AnchorTerm>{{3.0, {{1.0, 2}, {2.0, 1}, {0.5, 0}}}});
    CHECK(anchor_value(parse_anchor("max(mca_cycles,2*l1d_misses,0.5*instructions)", names), row) == 50);
    CHECK(anchor_value(parse_anchor("max(mca_cycles,2*l1d_misses,0.5*instructions)", names),
                       std::vector<double>{60, 30, 40}) == 60);

    SUBCASE("malformed anchors are refused, naming the term") {
        using simtune::testing::check_error;
        check_error([&] { (void)parse_anchor("", names); }, ErrorKind::invalid_data, {"anchor", "empty"});
        check_error([&] { (void)parse_anchor("instructions+", names); }, ErrorKind::invalid_data, {"empty term"});
        check_error([&] { (void)parse_anchor("+instructions", names); }, ErrorKind::invalid_data, {"starts with"});
        check_error([&] { (void)parse_anchor("x*l1d_misses", names); }, ErrorKind::invalid_data, {"'x'", "weight"});
        check_error([&] { (void)parse_anchor("1e3*l1d_misses", names); }, ErrorKind::invalid_data, {"1e3"});
        check_error([&] { (void)parse_anchor("5*l2_misses", names); }, ErrorKind::invalid_data,
                    {"5*l2_misses", "l2_misses", "not among the features"});
        check_error([&] { (void)parse_anchor("max(mca_cycles)", names); }, ErrorKind::invalid_data,
                    {"max(mca_cycles)", "max(NAME,[W*]NAME,...)"});
        check_error([&] { (void)parse_anchor("max(mca_cycles,,instructions)", names); }, ErrorKind::invalid_data,
                    {"max(mca_cycles,,instructions)", "empty item"});
        check_error([&] { (void)parse_anchor("max(mca_cycles,x*instructions)", names); }, ErrorKind::invalid_data,
                    {"'x'", "weight"});
        check_error([&] { (void)parse_anchor("max(mca_cycles,l9)", names); }, ErrorKind::invalid_data,
                    {"'l9'", "not among the features"});
    }

    SUBCASE("the model predicts relative to the weighted sum, and a file keeps it") {
        // seconds = 1e-9 × (instructions + 20 × misses): with that anchor the model has nothing
        // left to learn, so it predicts kernels of any size and miss rate it never saw.
        TrainingSet d = cpi_world(1e3, 1e4, 80, 11);
        for (Eigen::Index r = 0; r < d.seconds.size(); ++r)
            d.seconds[r] = 1e-9 * (d.features(r, 0) + 20 * d.features(r, 2));
        RidgeOptions o;
        o.features.raw_counters = false;
        o.features.anchor = "instructions+20*l1d_misses";
        RidgeRegressor m(o);
        m.fit(d);
        Eigen::MatrixXd far = d.features.topRows(1);
        far(0, 0) *= 1000; // a kernel 1000× larger than any trained on
        far(0, 1) *= 1000;
        far(0, 2) *= 1000;
        CHECK(m.predict(far)[0] == Approx(1e-9 * (far(0, 0) + 20 * far(0, 2))).epsilon(0.02));

        const auto dir = simtune::testing::scratch_dir("weighted-anchor");
        m.save(dir / "m.model");
        const auto back = load_model(dir / "m.model");
        CHECK(back.predict(far)[0] == Approx(m.predict(far)[0]).epsilon(1e-12));
        // A file whose anchor names a column the model lacks is refused with the reason.
        std::string text = simtune::read_file(dir / "m.model");
        const auto at = text.find("+20*l1d_misses");
        REQUIRE(at != std::string::npos);
        text.replace(at, 14, "+20*l3_misses");
        std::ofstream(dir / "bad.model") << text;
        simtune::testing::check_error([&] { (void)load_model(dir / "bad.model"); }, ErrorKind::invalid_model,
                                      {"anchor", "l3_misses"});
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("the cycle estimate is built from the columns the data has") {
    CHECK(cycle_estimate(std::vector<std::string>{"instructions", "l1d_misses"}) == "0.5*instructions+5*l1d_misses");
    const std::vector<std::string> all{"instructions",
                                       "mca_cycles",
                                       "l1d_misses",
                                       "l1d_stream_misses",
                                       "l2_misses",
                                       "llc_misses",
                                       "l1d_store_misses",
                                       "l1d_store_stream_misses",
                                       "store_forwarded_loads",
                                       "branch_mispredicts",
                                       "dtlb_misses"};
    const auto anchor = cycle_estimate(all);
    CHECK(anchor.ends_with("+15*branch_mispredicts+7*dtlb_misses"));
    // The base: MCA's cycles, or the L1D's prefetched streams at 2 cycles a line where they are
    // longer; a stream miss then adds no latency of its own.
    CHECK(anchor.starts_with("max(mca_cycles,2*l1d_stream_misses)+"));
    CHECK(anchor.find("+5*l1d_misses-5*l1d_stream_misses+") != std::string::npos);
    const auto terms = parse_anchor(anchor, all); // every term names a column of the data
    CHECK(terms.size() == all.size());            // the instruction count too: MCA's ideal front end
    CHECK(anchor.starts_with("max(mca_cycles,2*l1d_stream_misses)+0.05*instructions+"));
    CHECK(anchor.find("+2*store_forwarded_loads") != std::string::npos);

    // With the dataflow limit, the base is the longer of MCA's throughput and the longest chain.
    auto with_dataflow = all;
    with_dataflow.push_back("dataflow_cycles");
    CHECK(cycle_estimate(with_dataflow).starts_with("max(mca_cycles,dataflow_cycles,2*l1d_stream_misses)+"));
    CHECK(parse_anchor(cycle_estimate(with_dataflow), with_dataflow).front().choices[1].column == all.size());
    // Without the stream counter, MCA's cycles alone and the stream term as it was.
    const std::vector<std::string> no_streams{"instructions", "mca_cycles", "l1d_misses"};
    CHECK(cycle_estimate(no_streams) == "mca_cycles+0.05*instructions+5*l1d_misses");
}
