// RidgeRegressor: exact recovery of a linear model, cross-validation, batch = single-row, files.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include <simtune/concepts.hpp>
#include <simtune/predictors/metrics.hpp>
#include <simtune/predictors/ridge.hpp>
#include <simtune/predictors/synthetic.hpp>

using namespace simtune;
using doctest::Approx;

static_assert(Predictor<RidgeRegressor>);

namespace {

/// log(seconds) = 0.3 + 0.8·log1p(instructions) − 0.5·log1p(l1d_accesses) + 2·l1d_miss_rate − 0.7·simd_share.
TrainingSet linear_set(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    TrainingSet d;
    d.feature_names = {"instructions", "l1d_accesses", "l1d_misses", "simd"};
    d.features.resize(static_cast<Eigen::Index>(rows), 4);
    d.seconds.resize(static_cast<Eigen::Index>(rows));
    for (Eigen::Index r = 0; r < d.features.rows(); ++r) {
        const double insns = std::round(std::exp(8 + 8 * unit(rng)));
        const double acc = std::round(insns * (0.1 + 0.5 * unit(rng)));
        const double miss = std::round(acc * unit(rng) * 0.5);
        const double simd = std::round(insns * unit(rng) * 0.6);
        d.features.row(r) << insns, acc, miss, simd;
        d.seconds[r] = std::exp(0.3 + 0.8 * std::log1p(insns) - 0.5 * std::log1p(acc) +
                                2.0 * (acc > 0 ? miss / acc : 0) - 0.7 * simd / insns);
        d.groups.push_back(fmt::format("g{}", r % 10));
    }
    return d;
}

} // namespace

TEST_CASE("ridge with a tiny penalty recovers a known linear model exactly") {
    const auto data = linear_set(300, 3);
    // Without the clamp to the training range: some held-out rows lie just outside it.
    RidgeRegressor ridge({.penalties = {1e-12}, .features = {.clamp_to_training_range = false}});
    ridge.fit(data);
    std::map<std::string, double> coef;
    for (const auto& [name, value] : ridge.coefficients()) coef[name] = value;
    REQUIRE(coef.size() == 7);
    CHECK(coef["instructions"] == Approx(0.8).epsilon(1e-7));
    CHECK(coef["l1d_accesses"] == Approx(-0.5).epsilon(1e-7));
    CHECK(coef["l1d_miss_rate"] == Approx(2.0).epsilon(1e-7));
    CHECK(coef["simd_share"] == Approx(-0.7).epsilon(1e-7));
    CHECK(coef["simd"] == Approx(0.0).scale(1.0).epsilon(1e-7));
    CHECK(coef["l1d_misses"] == Approx(0.0).scale(1.0).epsilon(1e-7));
    CHECK(coef["l1d_misses_per_insn"] == Approx(0.0).scale(1.0).epsilon(1e-6));
    CHECK(ridge.intercept() == Approx(0.3).epsilon(1e-6));

    // Held-out rows are predicted to rounding error.
    const auto test = linear_set(50, 99);
    const Eigen::VectorXd predicted = ridge.predict(test.features);
    for (Eigen::Index r = 0; r < predicted.size(); ++r) CHECK(predicted[r] == Approx(test.seconds[r]).epsilon(1e-8));
}

TEST_CASE("cross-validation picks a penalty from the grid and reports each error") {
    auto data = synthetic_training_set({.groups = 10, .candidates_per_group = 40, .extra_columns = 10});
    RidgeRegressor ridge;
    ridge.fit(data);
    REQUIRE(ridge.cv_errors().size() == ridge.options().penalties.size());
    const auto best = std::min_element(ridge.cv_errors().begin(), ridge.cv_errors().end());
    CHECK(ridge.penalty() == ridge.options().penalties[static_cast<std::size_t>(best - ridge.cv_errors().begin())]);
    for (double e : ridge.cv_errors()) CHECK(std::isfinite(e));
    // A huge penalty alone shrinks everything to the mean: visibly worse than the chosen one.
    RidgeRegressor flat({.penalties = {1e6}});
    flat.fit(data);
    const Eigen::VectorXd good = ridge.predict(data.features), bad = flat.predict(data.features);
    CHECK(mape(std::span(good.data(), good.size()), std::span(data.seconds.data(), data.seconds.size())) <
          mape(std::span(bad.data(), bad.size()), std::span(data.seconds.data(), data.seconds.size())));
}

TEST_CASE("ridge: one-row and batch predictions agree; save and load give identical predictions") {
    const auto data = synthetic_training_set({.groups = 5, .candidates_per_group = 40});
    RidgeRegressor ridge({.target = "cortex-a72 (qemu)"});
    ridge.fit(data);
    const Eigen::VectorXd batch = ridge.predict(data.features);
    const auto file = std::filesystem::temp_directory_path() / "simtune_test_ridge.model";
    ridge.save(file);
    const auto loaded = RidgeRegressor::load(file);
    CHECK(loaded.target() == "cortex-a72 (qemu)");
    CHECK(loaded.penalty() == ridge.penalty());
    std::vector<double> row(data.feature_names.size());
    for (Eigen::Index r = 0; r < data.rows(); ++r) {
        for (std::size_t j = 0; j < row.size(); ++j) row[j] = data.features(r, static_cast<Eigen::Index>(j));
        const double one = ridge.predict(row);
        CHECK(one == batch[r]);
        CHECK(loaded.predict(row) == one);
    }
    CHECK((loaded.predict(data.features).array() == batch.array()).all());
    std::filesystem::remove(file);
}

TEST_CASE("ridge refuses bad options and use before fit") {
    CHECK_THROWS_AS(RidgeRegressor({.penalties = {}}), Error);
    CHECK_THROWS_AS(RidgeRegressor({.penalties = {-1.0}}), Error);
    CHECK_THROWS_AS(RidgeRegressor({.folds = 1}), Error);
    RidgeRegressor unfitted;
    const double row[] = {1.0};
    CHECK_THROWS_AS((void)unfitted.predict(row), Error);
}
