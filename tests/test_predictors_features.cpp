// Feature preparation: log scaling, derived ratios by column name, standardisation, bad rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <simtune/predictors/features.hpp>
#include <simtune/predictors/synthetic.hpp>
#include <simtune/stats.hpp>

using namespace simtune;
using doctest::Approx;

namespace {

TrainingSet small_set() {
    TrainingSet d;
    d.feature_names = {"instructions", "l1d_accesses", "l1d_misses", "simd"};
    d.features.resize(3, 4);
    d.features << 1000, 100, 10, 0, //
        2000, 400, 100, 500,        //
        4000, 0, 0, 4000;
    d.seconds.resize(3);
    d.seconds << 1.0, 2.0, 3.0;
    return d;
}

std::string message_of(auto&& f, ErrorKind expected) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() == expected);
        return e.what();
    }
    FAIL("no simtune::Error thrown");
    return {};
}

} // namespace

TEST_CASE("ratios are derived only from columns that exist, looked up by name") {
    const auto p = FeaturePipeline::fit(small_set(), {.standardise = false});
    const auto names = p.names();
    REQUIRE(names.size() == 7);
    CHECK(names[4] == "l1d_miss_rate");
    CHECK(names[5] == "l1d_misses_per_insn");
    CHECK(names[6] == "simd_share");

    double out[7];
    const double raw[] = {2000, 400, 100, 500};
    p.transform_row(raw, out);
    CHECK(out[0] == std::log1p(2000.0));
    CHECK(out[3] == std::log1p(500.0));
    CHECK(out[4] == Approx(0.25));
    CHECK(out[5] == Approx(0.05));
    CHECK(out[6] == Approx(0.25));
    // A zero denominator gives 0, not NaN.
    const double idle[] = {4000, 0, 0, 4000};
    p.transform_row(idle, out);
    CHECK(out[4] == 0.0);

    // The synthetic counters (every Stats counter up to the pipeline ones) give every standard
    // ratio whose columns they have.
    const auto full = FeaturePipeline::fit(synthetic_training_set({.groups = 2, .candidates_per_group = 10}));
    const auto stats_names = Stats::feature_names().first(Stats::pipeline_feature_count);
    auto has = [&](const std::string& c) { return std::ranges::find(stats_names, c) != stats_names.end(); };
    const auto applicable = std::ranges::count_if(standard_ratios(), [&](const DerivedRatio& r) {
        return std::ranges::all_of(r.numerator, has) && std::ranges::all_of(r.denominator, has);
    });
    CHECK(full.width() == Stats::pipeline_feature_count + static_cast<std::size_t>(applicable));
    CHECK(!FeaturePipeline::fit(small_set(), {.derived_ratios = false}).names().empty());
    CHECK(FeaturePipeline::fit(small_set(), {.derived_ratios = false}).width() == 4);
}

TEST_CASE("standardisation is fitted on the training rows: mean 0, spread 1") {
    const auto data = synthetic_training_set({.groups = 3, .candidates_per_group = 50});
    const auto p = FeaturePipeline::fit(data);
    const Eigen::MatrixXd z = p.transform(data.features);
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
        CAPTURE(p.names()[static_cast<std::size_t>(j)]);
        CHECK(z.col(j).mean() == Approx(0.0).epsilon(1e-9).scale(1.0));
        const double sd = std::sqrt((z.col(j).array() - z.col(j).mean()).square().mean());
        // Constant columns (none here) would keep spread 0.
        CHECK(sd == Approx(1.0).epsilon(1e-9));
    }
    // The same row prepared alone or in a batch gives the same numbers.
    std::vector<double> row(data.feature_names.size()), out(p.width());
    for (std::size_t j = 0; j < row.size(); ++j) row[j] = data.features(7, static_cast<Eigen::Index>(j));
    p.transform_row(row, out.data());
    for (std::size_t j = 0; j < out.size(); ++j) CHECK(out[j] == z(7, static_cast<Eigen::Index>(j)));
}

TEST_CASE("bad training rows are refused naming row and column") {
    auto bad = small_set();
    bad.features(1, 2) = std::numeric_limits<double>::quiet_NaN();
    auto msg = message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    CHECK(msg.find("row 1") != std::string::npos);
    CHECK(msg.find("l1d_misses") != std::string::npos);
    CHECK(msg.find("NaN") != std::string::npos);

    bad = small_set();
    bad.features(2, 0) = std::numeric_limits<double>::infinity();
    msg = message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    CHECK(msg.find("row 2") != std::string::npos);
    CHECK(msg.find("infinite") != std::string::npos);

    bad = small_set();
    bad.features(0, 3) = -1;
    msg = message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    CHECK(msg.find("negative") != std::string::npos);
    CHECK(msg.find("simd") != std::string::npos);

    bad = small_set();
    bad.seconds[1] = 0;
    msg = message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    CHECK(msg.find("row 1") != std::string::npos);
    bad.seconds[1] = std::numeric_limits<double>::quiet_NaN();
    (void)message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);

    bad = small_set();
    bad.feature_names.pop_back();
    msg = message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    CHECK(msg.find("3 features but has 4 columns") != std::string::npos);

    bad = small_set();
    bad.feature_names[1] = "instructions";
    (void)message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    bad = small_set();
    bad.groups = {"a", "b"};
    (void)message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    bad = small_set();
    bad.feature_names[0] = "two words";
    (void)message_of([&] { (void)FeaturePipeline::fit(bad); }, ErrorKind::invalid_data);
    (void)message_of([&] { (void)FeaturePipeline::fit(TrainingSet{}); }, ErrorKind::invalid_data);
}

TEST_CASE("bad prediction rows are refused: wrong width, NaN, inf, negative") {
    const auto p = FeaturePipeline::fit(small_set());
    double out[7];
    const double short_row[] = {1, 2, 3};
    auto msg = message_of([&] { p.transform_row(short_row, out, 5); }, ErrorKind::invalid_data);
    CHECK(msg.find("row 5 has 3 values, the model expects 4") != std::string::npos);
    const double nan_row[] = {1, 2, std::nan(""), 4};
    msg = message_of([&] { p.transform_row(nan_row, out); }, ErrorKind::invalid_data);
    CHECK(msg.find("l1d_misses") != std::string::npos);
    const double inf_row[] = {1, std::numeric_limits<double>::infinity(), 3, 4};
    (void)message_of([&] { p.transform_row(inf_row, out); }, ErrorKind::invalid_data);
    const double neg_row[] = {1, 2, 3, -4};
    (void)message_of([&] { p.transform_row(neg_row, out); }, ErrorKind::invalid_data);
    Eigen::MatrixXd wide(2, 5);
    wide.setOnes();
    (void)message_of([&] { (void)p.transform(wide); }, ErrorKind::invalid_data);
}
