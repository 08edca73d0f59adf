// Ranking metrics on hand-computed examples.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <simtune/predictors/metrics.hpp>

using namespace simtune;
using doctest::Approx;

TEST_CASE("metrics of a small ranking, computed by hand") {
    // True order 0,1,2,3; predicted order 1,2,0,3.
    const std::vector<double> predicted{3, 1, 2, 4}, actual{1, 2, 3, 4};
    CHECK(top_k_percent(predicted, actual) == Approx(75.0));      // true best predicted 3rd of 4
    CHECK(regret(predicted, actual) == Approx(1.0));              // picks the 2 s candidate, best is 1 s
    CHECK(spearman(predicted, actual) == Approx(0.4));            // 1 - 6·6 / (4·15)
    CHECK(kendall_tau_b(predicted, actual) == Approx(2.0 / 6.0)); // 4 concordant, 2 discordant
    CHECK(mape(predicted, actual) == Approx(100.0 * (2.0 + 0.5 + 1.0 / 3.0) / 4.0));
}

TEST_CASE("a perfect ranking and a reversed one") {
    const std::vector<double> actual{1, 2, 3, 4, 5};
    const std::vector<double> same{10, 20, 30, 40, 50}, reversed{5, 4, 3, 2, 1};
    CHECK(top_k_percent(same, actual) == Approx(20.0)); // 1st of 5
    CHECK(regret(same, actual) == 0.0);
    CHECK(spearman(same, actual) == Approx(1.0));
    CHECK(kendall_tau_b(same, actual) == Approx(1.0));
    CHECK(top_k_percent(reversed, actual) == Approx(100.0));
    CHECK(regret(reversed, actual) == Approx(4.0));
    CHECK(spearman(reversed, actual) == Approx(-1.0));
    CHECK(kendall_tau_b(reversed, actual) == Approx(-1.0));
}

TEST_CASE("the true best ranked 3rd of 200 is top 1.5 %") {
    std::vector<double> predicted(200), actual(200);
    for (int i = 0; i < 200; ++i) {
        predicted[static_cast<std::size_t>(i)] = i;
        actual[static_cast<std::size_t>(i)] = 10.0 + i;
    }
    actual[2] = 1.0; // the truly fastest, predicted third
    CHECK(top_k_percent(predicted, actual) == Approx(1.5));
    CHECK(regret(predicted, actual) == Approx(9.0)); // picks the 10 s one
}

TEST_CASE("ties: pessimistic for predictions, tau-b and average ranks for correlations") {
    const std::vector<double> predicted{1, 1, 2}, actual{1, 2, 2};
    // The true best ties with another prediction, so it counts as 2nd of 3.
    CHECK(top_k_percent(predicted, actual) == Approx(200.0 / 3.0));
    // Two candidates tie for the predicted best; the slower (2 s) is charged.
    CHECK(regret(predicted, actual) == Approx(1.0));
    // 1 concordant, 0 discordant, one tie on each side: 1 / sqrt(2 · 2).
    CHECK(kendall_tau_b(predicted, actual) == Approx(0.5));
    // Ranks {1.5, 1.5, 3} and {1, 2.5, 2.5}: 0.75 / 1.5.
    CHECK(spearman(predicted, actual) == Approx(0.5));
    // Several candidates share the fastest true time: the best placed counts.
    const std::vector<double> p2{3, 1, 2}, a2{1, 1, 5};
    CHECK(top_k_percent(p2, a2) == Approx(100.0 / 3.0));
    CHECK(regret(p2, a2) == 0.0);
}

TEST_CASE("at a measurement resolution, variants within it of the best tie with it") {
    // True times 1.00, 1.02, 1.05, 2.0 s; the model ranks the 1.02 s candidate first, the true best
    // (1.00 s) third.
    const std::vector<double> predicted{3, 1, 2, 4}, actual{1.00, 1.02, 1.05, 2.0};
    // Exact (resolution 0): the true best is 3rd of 4, the pick is 2 % slower.
    CHECK(top_k_percent(predicted, actual) == Approx(75.0));
    CHECK(regret(predicted, actual) == Approx(0.02));
    // At 3 %: 1.00 and 1.02 tie; the pick is one of the set, so top-k is 1st of 4 and regret 0.
    CHECK(top_k_percent(predicted, actual, 0.03) == Approx(25.0));
    CHECK(regret(predicted, actual, 0.03) == 0.0);
    // At 1 % the set is {1.00} again.
    CHECK(top_k_percent(predicted, actual, 0.01) == Approx(75.0));
    CHECK(regret(predicted, actual, 0.01) == Approx(0.02));
    // A pick outside the set is charged against the fastest time, not against the set's slowest.
    const std::vector<double> picks_slow{2, 3, 1, 4};
    CHECK(regret(picks_slow, actual, 0.03) == Approx(0.05));
    CHECK(top_k_percent(picks_slow, actual, 0.03) == Approx(50.0)); // 1.00 s is predicted 2nd
    // The boundary belongs to the set: 1.05 ties at exactly 5 %.
    CHECK(regret(picks_slow, actual, 0.05) == 0.0);
    // Prediction ties stay pessimistic: the slowest of the tied picks is charged.
    const std::vector<double> tied{1, 1, 2, 1};
    CHECK(regret(tied, actual, 0.03) == Approx(1.0)); // {1.00, 1.02, 2.0} tied: 2.0 s is charged
    // Through ranking_metrics and metrics_by_group; correlations and MAPE ignore the resolution.
    const auto m = ranking_metrics(predicted, actual, 0.03);
    CHECK(m.top_k_percent == Approx(25.0));
    CHECK(m.regret == 0.0);
    CHECK(m.spearman == doctest::Approx(spearman(predicted, actual)));
    const auto table = metrics_by_group(predicted, actual, {}, 0.03);
    CHECK(table.groups[0].metrics.top_k_percent == Approx(25.0));
    CHECK(table.mean.regret == 0.0);
    // A resolution must be a finite number >= 0.
    CHECK_THROWS_AS((void)regret(predicted, actual, -0.01), Error);
    CHECK_THROWS_AS((void)top_k_percent(predicted, actual, std::nan("")), Error);
}

TEST_CASE("correlations are NaN when one side is constant") {
    const std::vector<double> constant{2, 2, 2}, actual{1, 2, 3};
    CHECK(std::isnan(spearman(constant, actual)));
    CHECK(std::isnan(kendall_tau_b(constant, actual)));
}

TEST_CASE("grouped metrics are computed per workload and summarised") {
    const std::vector<double> predicted{3, 1, 2, 4, /**/ 10, 20, 30};
    const std::vector<double> actual{1, 2, 3, 4, /**/ 1, 2, 3};
    const std::vector<std::string> groups{"a", "a", "a", "a", "b", "b", "b"};
    const auto table = metrics_by_group(predicted, actual, groups);
    REQUIRE(table.groups.size() == 2);
    CHECK(table.groups[0].group == "a");
    CHECK(table.groups[0].metrics.candidates == 4);
    CHECK(table.groups[0].metrics.top_k_percent == Approx(75.0));
    CHECK(table.groups[1].group == "b");
    CHECK(table.groups[1].metrics.top_k_percent == Approx(100.0 / 3.0));
    CHECK(table.groups[1].metrics.kendall == Approx(1.0));
    CHECK(table.mean.top_k_percent == Approx((75.0 + 100.0 / 3.0) / 2));
    CHECK(table.mean.regret == Approx(0.5));
    CHECK(table.mean.spearman == Approx((0.4 + 1.0) / 2));
    CHECK(table.mean.candidates == 7);
    CHECK(table.worst.top_k_percent == Approx(75.0));
    CHECK(table.worst.kendall == Approx(1.0 / 3.0));
    CHECK(table.to_string().find("mean") != std::string::npos);

    const auto one = metrics_by_group(predicted, actual, {});
    REQUIRE(one.groups.size() == 1);
    CHECK(one.groups[0].group == "all");
}

TEST_CASE("bad metric input is refused with invalid_data") {
    const std::vector<double> two{1, 2}, three{1, 2, 3};
    auto kind_of = [](auto&& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.kind();
        }
        return ErrorKind::cancelled;
    };
    CHECK(kind_of([&] { (void)spearman(two, three); }) == ErrorKind::invalid_data);
    const std::vector<double> nan{1, std::nan("")}, zero{1, 0};
    CHECK(kind_of([&] { (void)regret(nan, two); }) == ErrorKind::invalid_data);
    CHECK(kind_of([&] { (void)mape(two, zero); }) == ErrorKind::invalid_data);
    CHECK(kind_of([&] { (void)metrics_by_group(two, two, {"a"}); }) == ErrorKind::invalid_data);
}
