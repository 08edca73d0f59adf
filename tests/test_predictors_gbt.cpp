// GradientBoostedTrees: fits a non-linear function ridge cannot, ranking objective, determinism,
// early stopping, importance, save/load round trip.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include <simtune/concepts.hpp>
#include <simtune/predictors/features.hpp>
#include <simtune/predictors/gbt.hpp>
#include <simtune/predictors/groups.hpp>
#include <simtune/predictors/metrics.hpp>
#include <simtune/predictors/ridge.hpp>
#include <simtune/predictors/synthetic.hpp>

using namespace simtune;
using doctest::Approx;

static_assert(Predictor<GradientBoostedTrees>);

namespace {

/// seconds = insns·1e-9 · (1 + 6·max(0, miss_rate − 0.2)) · (0.4 if simd share > 0.3 else 1):
/// a threshold and a hinge, which no linear model in the prepared features represents.
TrainingSet nonlinear_set(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    TrainingSet d;
    d.feature_names = {"instructions", "l1d_accesses", "l1d_misses", "simd", "noise"};
    d.features.resize(static_cast<Eigen::Index>(rows), 5);
    d.seconds.resize(static_cast<Eigen::Index>(rows));
    for (Eigen::Index r = 0; r < d.features.rows(); ++r) {
        const double insns = std::round(std::exp(10 + 4 * unit(rng)));
        const double acc = std::round(insns * (0.2 + 0.3 * unit(rng)));
        const double rate = unit(rng) * 0.6;
        const double miss = std::round(acc * rate);
        const double simd = std::round(insns * unit(rng) * 0.6);
        d.features.row(r) << insns, acc, miss, simd, std::round(unit(rng) * 1000);
        d.seconds[r] = insns * 1e-9 * (1 + 6 * std::max(0.0, miss / acc - 0.2)) * (simd / insns > 0.3 ? 0.4 : 1.0);
        d.groups.push_back(fmt::format("g{}", r / 100));
    }
    return d;
}

double mape_of(const Eigen::VectorXd& p, const Eigen::VectorXd& t) {
    return mape(std::span(p.data(), static_cast<std::size_t>(p.size())),
                std::span(t.data(), static_cast<std::size_t>(t.size())));
}

std::vector<double> row_of(const TrainingSet& d, Eigen::Index r) {
    std::vector<double> row(d.feature_names.size());
    for (std::size_t j = 0; j < row.size(); ++j) row[j] = d.features(r, static_cast<Eigen::Index>(j));
    return row;
}

} // namespace

TEST_CASE("gbt fits a known non-linear function and beats ridge on held-out rows") {
    const auto train = nonlinear_set(3000, 1), test = nonlinear_set(1000, 2);
    GradientBoostedTrees gbt({.rounds = 150, .max_depth = 5, .threads = 2});
    gbt.fit(train);
    RidgeRegressor ridge;
    ridge.fit(train);
    const double gbt_error = mape_of(gbt.predict(test.features), test.seconds);
    const double ridge_error = mape_of(ridge.predict(test.features), test.seconds);
    MESSAGE("held-out MAPE: gbt ", gbt_error, " %, ridge ", ridge_error, " %");
    CHECK(gbt_error < 5.0);
    CHECK(gbt_error < ridge_error / 3);

    // Importance: the miss rate and SIMD share drive the function, the noise column does not.
    std::map<std::string, double> gain;
    for (const auto& [name, g] : gbt.feature_importance()) gain[name] = g;
    CHECK(gain["l1d_miss_rate"] > 10 * gain["noise"]);
    CHECK(gain["simd_share"] > 10 * gain["noise"]);
}

TEST_CASE("gbt is deterministic for a seed, whatever the thread count") {
    const auto data = synthetic_training_set({.groups = 6, .candidates_per_group = 100, .extra_columns = 4});
    GbtOptions o{.rounds = 40, .max_depth = 4, .row_subsample = 0.7, .col_subsample = 0.6, .seed = 7};
    o.threads = 1;
    GradientBoostedTrees a(o);
    a.fit(data);
    o.threads = 2;
    GradientBoostedTrees b(o), c(o);
    b.fit(data);
    c.fit(data);
    const Eigen::VectorXd pa = a.predict(data.features), pb = b.predict(data.features), pc = c.predict(data.features);
    CHECK((pa.array() == pb.array()).all());
    CHECK((pb.array() == pc.array()).all());
    o.seed = 8;
    GradientBoostedTrees d(o);
    d.fit(data);
    CHECK(!(d.predict(data.features).array() == pa.array()).all());
}

TEST_CASE("gbt: batch and one-row predictions agree; save and load give identical predictions") {
    const auto data = synthetic_training_set({.groups = 5, .candidates_per_group = 80});
    for (auto objective : {GbtObjective::squared, GbtObjective::pairwise}) {
        CAPTURE(static_cast<int>(objective));
        GradientBoostedTrees gbt({.rounds = 30, .max_depth = 5, .objective = objective, .target = "sifive-u74"});
        gbt.fit(data);
        const auto file = std::filesystem::temp_directory_path() / "simtune_test_gbt.model";
        gbt.save(file);
        const auto loaded = GradientBoostedTrees::load(file);
        CHECK(loaded.target() == "sifive-u74");
        CHECK(loaded.trees() == gbt.trees());
        CHECK(loaded.options().objective == objective);
        const Eigen::VectorXd batch = gbt.predict(data.features);
        for (Eigen::Index r = 0; r < data.rows(); ++r) {
            const auto row = row_of(data, r);
            CHECK(gbt.predict(row) == batch[r]);
            CHECK(loaded.predict(row) == batch[r]);
        }
        CHECK(loaded.feature_importance() == gbt.feature_importance());
        std::filesystem::remove(file);
    }
}

TEST_CASE("the pairwise objective ranks candidates within held-out workloads") {
    const auto data = synthetic_training_set({.groups = 24, .candidates_per_group = 100, .seed = 3});
    const auto groups = group_rows(data.groups, data.rows());
    std::vector<Eigen::Index> train_rows, test_rows;
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (auto r : groups[g]) (g < 18 ? train_rows : test_rows).push_back(r);
    const auto train = subset(data, train_rows), test = subset(data, test_rows);
    GradientBoostedTrees ranker(
        {.rounds = 60, .max_depth = 5, .min_child_weight = 0.1, .objective = GbtObjective::pairwise});
    ranker.fit(train);
    const Eigen::VectorXd p = ranker.predict(test.features);
    const auto table =
        metrics_by_group(std::span(p.data(), static_cast<std::size_t>(p.size())),
                         std::span(test.seconds.data(), static_cast<std::size_t>(test.seconds.size())), test.groups);
    MESSAGE(table.to_string());
    CHECK(table.mean.spearman > 0.9);
    CHECK(table.mean.top_k_percent < 10);
}

TEST_CASE("early stopping keeps the best round on a held-out group split") {
    const auto data = synthetic_training_set({.groups = 10, .candidates_per_group = 60, .noise_sigma = 0.3});
    GradientBoostedTrees gbt({.rounds = 400, .max_depth = 6, .learning_rate = 0.3, .early_stopping_rounds = 10});
    gbt.fit(data);
    CHECK(gbt.trees() < 400);
    REQUIRE(!gbt.validation_history().empty());
    const auto& h = gbt.validation_history();
    CHECK(static_cast<int>(h.size()) >= gbt.trees());
    CHECK(*std::min_element(h.begin(), h.end()) == h[static_cast<std::size_t>(gbt.trees() - 1)]);
}

TEST_CASE("monotone constraints: the prediction never falls as a constrained cost rises, whatever the data say") {
    // Rows where time first falls, then rises with the miss rate (a training operator's quirk, say):
    // unconstrained trees learn the dip; trees monotone in the misses cannot.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0, 1);
    TrainingSet d;
    d.feature_names = {"instructions", "l1d_accesses", "l1d_misses", "simd"};
    d.features.resize(2000, 4);
    d.seconds.resize(2000);
    for (Eigen::Index r = 0; r < 2000; ++r) {
        const double insns = std::round(std::exp(10 + 2 * unit(rng))), acc = std::round(insns * 0.3);
        const double rate = unit(rng) * 0.5, simd = std::round(insns * unit(rng) * 0.5);
        d.features.row(r) << insns, acc, std::round(acc * rate), simd;
        d.seconds[r] = insns * 1e-9 * (1.5 - 4 * rate * (0.5 - rate)) * (1 - simd / insns);
        d.groups.push_back(fmt::format("g{}", r / 100));
    }
    // One row per miss rate, everything else fixed: the prediction along the sweep.
    auto sweep = [](const auto& model) {
        std::vector<double> p;
        for (int i = 0; i <= 50; ++i) {
            const double row[] = {1e5, 3e4, std::round(3e4 * 0.01 * i), 2e4};
            p.push_back(model.predict(row));
        }
        return p;
    };
    auto falls = [](const std::vector<double>& p) {
        for (std::size_t i = 1; i < p.size(); ++i)
            if (p[i] < p[i - 1]) return true;
        return false;
    };
    for (auto objective : {GbtObjective::squared, GbtObjective::pairwise}) {
        CAPTURE(static_cast<int>(objective));
        GbtOptions o{.rounds = 80, .max_depth = 4, .objective = objective};
        GradientBoostedTrees free(o);
        free.fit(d);
        CHECK(falls(sweep(free))); // the data do have the dip
        o.monotone = physical_monotone_constraints();
        GradientBoostedTrees constrained(o);
        constrained.fit(d);
        const auto p = sweep(constrained);
        CHECK_FALSE(falls(p));
        CHECK(p.back() > p.front()); // and it still learned that misses cost
    }
    // Where the data are monotone, the constraint costs little accuracy (the first test's function).
    const auto train = nonlinear_set(3000, 1), test = nonlinear_set(1000, 2);
    GradientBoostedTrees free({.rounds = 150, .max_depth = 5});
    GradientBoostedTrees constrained({.rounds = 150, .max_depth = 5, .monotone = physical_monotone_constraints()});
    free.fit(train);
    constrained.fit(train);
    const double free_error = mape_of(free.predict(test.features), test.seconds),
                 constrained_error = mape_of(constrained.predict(test.features), test.seconds);
    MESSAGE("held-out MAPE on a monotone function: free ", free_error, " %, constrained ", constrained_error, " %");
    CHECK(constrained_error < 1.5 * free_error);
    CHECK_THROWS_AS(GradientBoostedTrees({.monotone = {{"l1d_misses", 2}}}), Error);
}

TEST_CASE("bagging: one model that predicts the geometric mean of the models of seeds seed .. seed + bags - 1") {
    const auto data = synthetic_training_set({.groups = 12, .candidates_per_group = 40, .seed = 5});
    for (auto objective : {GbtObjective::pairwise, GbtObjective::squared}) {
        CAPTURE(static_cast<int>(objective));
        GbtOptions o{.rounds = 30, .max_depth = 4, .objective = objective, .seed = 11};
        std::vector<GradientBoostedTrees> singles;
        for (std::uint64_t k = 0; k < 3; ++k) {
            o.seed = 11 + k;
            singles.emplace_back(o).fit(data);
        }
        o.seed = 11;
        o.bags = 3;
        GradientBoostedTrees bagged(o);
        bagged.fit(data);
        CHECK(bagged.trees() == singles[0].trees() + singles[1].trees() + singles[2].trees());
        const Eigen::VectorXd p = bagged.predict(data.features);
        const Eigen::VectorXd a = singles[0].predict(data.features), b = singles[1].predict(data.features),
                              c = singles[2].predict(data.features);
        bool seeds_differ = false;
        for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
            CHECK(p[r] == Approx(std::cbrt(a[r] * b[r] * c[r])).epsilon(1e-9));
            seeds_differ = seeds_differ || a[r] != b[r];
        }
        // The pairwise objective's models differ by seed (else bagging would buy nothing); squared
        // loss without subsampling draws nothing from the seed.
        CHECK(seeds_differ == (objective == GbtObjective::pairwise));
        const auto file = std::filesystem::temp_directory_path() / "simtune_test_gbt_bagged.model";
        bagged.save(file);
        const Eigen::VectorXd q = GradientBoostedTrees::load(file).predict(data.features);
        std::filesystem::remove(file);
        for (Eigen::Index r = 0; r < data.features.rows(); ++r) CHECK(q[r] == Approx(p[r]).epsilon(1e-12));
    }
    CHECK_THROWS_AS(GradientBoostedTrees({.bags = 0}), Error);
}

TEST_CASE("gbt refuses bad options and use before fit") {
    CHECK_THROWS_AS(GradientBoostedTrees({.rounds = 0}), Error);
    CHECK_THROWS_AS(GradientBoostedTrees({.max_depth = 13}), Error);
    CHECK_THROWS_AS(GradientBoostedTrees({.learning_rate = 0}), Error);
    CHECK_THROWS_AS(GradientBoostedTrees({.max_bins = 300}), Error);
    CHECK_THROWS_AS(GradientBoostedTrees({.row_subsample = 0}), Error);
    CHECK_THROWS_AS(GradientBoostedTrees({.early_stopping_rounds = 5, .validation_fraction = 1.0}), Error);
    GradientBoostedTrees unfitted;
    const double row[] = {1.0};
    CHECK_THROWS_AS((void)unfitted.predict(row), Error);
    // A bad training row is reported as invalid data, not trained on.
    auto data = nonlinear_set(50, 4);
    data.features(10, 1) = std::nan("");
    try {
        GradientBoostedTrees().fit(data);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_data);
        CHECK(std::string(e.what()).find("row 10") != std::string::npos);
    }
}
