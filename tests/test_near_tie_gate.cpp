// Specification of the estimate's near-tie gate: the model orders only the candidates the cycle
// estimate prices within a window of its cheapest, the others follow by the model; the Tuner ranks
// so when asked and when its model has an estimate, and says whether it did.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <simtune/research.hpp>
#include <simtune/tuning/near_tie_gate.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

TEST_CASE("the gate lets the model order only the estimate's near-ties, and the rest after them") {
    //                               0     1     2     3     4
    const std::vector<double> model{5.0, 1.0, 3.0, 4.0, 2.0};
    const std::vector<double> estimate{100, 103, 110, 104, 150};
    // Within 4 %: candidates 0, 1 and 3 (100, 103, 104); the model orders them 1, 3, 0; then 4, 2.
    CHECK(near_tie_order(model, estimate, 0.04) == std::vector<std::size_t>{1, 3, 0, 4, 2});
    // A window of 0 keeps only the estimate's cheapest ahead; an infinite one is the model alone.
    CHECK(near_tie_order(model, estimate, 0) == std::vector<std::size_t>{0, 1, 4, 2, 3});
    CHECK(near_tie_order(model, estimate, INFINITY) == std::vector<std::size_t>{1, 4, 2, 3, 0});
    CHECK(near_tie_ranks(model, estimate, 0.04) == std::vector<double>{3, 1, 5, 2, 4});
    CHECK(near_tie_count(estimate, 0.04) == 3);
    CHECK(near_tie_limit(estimate, 0.04) == doctest::Approx(104));

    SUBCASE("an estimate that is not a number is outside the window; a prediction that is not one sorts last") {
        const std::vector<double> with_nan{NAN, 103, 110, 104, 150};
        CHECK(near_tie_order(model, with_nan, 0.04) == std::vector<std::size_t>{1, 3, 4, 2, 0});
        const std::vector<double> nan_model{5.0, NAN, 3.0, 4.0, 2.0};
        CHECK(near_tie_order(nan_model, estimate, 0.04) == std::vector<std::size_t>{3, 0, 1, 4, 2});
    }
    SUBCASE("ties in the model keep the candidates' order") {
        const std::vector<double> flat(5, 1.0);
        CHECK(near_tie_order(flat, estimate, 0.04) == std::vector<std::size_t>{0, 1, 3, 2, 4});
    }
    SUBCASE("mismatched sizes and a negative or NaN window are clear errors") {
        CHECK_THROWS_WITH_AS(near_tie_order(model, std::vector<double>{1, 2}, 0.04),
                             doctest::Contains("5 model predictions but 2 estimates"), Error);
        CHECK_THROWS_WITH_AS(near_tie_order(model, estimate, -0.01), doctest::Contains("window"), Error);
        CHECK_THROWS_WITH_AS(near_tie_order(model, estimate, NAN), doctest::Contains("window"), Error);
    }
}

TEST_CASE("per group, the gate gives each row its position in its own group's gated order") {
    const std::vector<double> model{2.0, 1.0, 9.0, 1.0, 2.0};
    const std::vector<double> estimate{100, 101, 1, 300, 100};
    const std::vector<std::string> groups{"a", "a", "b", "a", "b"};
    // a: rows 0, 1 near-tied (1 first by the model), row 3 after; b: row 2 alone in the window.
    CHECK(near_tie_positions(model, estimate, groups, 0.04) == std::vector<double>{2, 1, 1, 3, 2});
    CHECK_THROWS_WITH_AS(near_tie_positions(model, estimate, std::vector<std::string>{"a"}, 0.04),
                         doctest::Contains("group names"), Error);
}

namespace {

std::vector<std::string> names(const std::vector<CandidateResult>& ranked) {
    std::vector<std::string> out;
    for (const auto& r : ranked) out.push_back(r.name);
    return out;
}

} // namespace

TEST_CASE("a Tuner with a window and an estimate ranks the estimate's near-ties by the model, first") {
    const auto dir = scratch_dir("near-tie-tuner");
    TunerOptions options;
    options.pool.workers = 2;
    options.pool.build.cache_dir = dir;
    // A model that prefers more work, an estimate that counts it: only the gate separates them.
    const Scorer prefers_work = [](const Stats& s) { return 1.0 / static_cast<double>(s.instructions); };
    const Scorer counts_work = [](const Stats& s) { return static_cast<double>(s.instructions); };
    const auto candidates = scaling_loop_candidates(5);

    CHECK(options.near_tie_window == default_near_tie_window); // on unless asked otherwise
    options.near_tie_window = 0;
    Tuner ungated(host_x86_64(), simulator_factory("unicorn"), prefers_work, counts_work, options);
    CHECK_FALSE(ungated.gated()); // no window: the model alone
    const auto by_model = ungated.rank(candidates);
    CHECK(names(by_model) == std::vector<std::string>{"work5", "work4", "work3", "work2", "work1"});
    CHECK(std::isnan(by_model[0].estimate_cycles));

    // work2 runs about twice work1's instructions: a window of 150 % holds both, not work3.
    options.near_tie_window = 1.5;
    Tuner gated(host_x86_64(), simulator_factory("unicorn"), prefers_work, counts_work, options);
    CHECK(gated.gated());
    const auto ranked = gated.rank(candidates);
    CHECK(names(ranked) == std::vector<std::string>{"work2", "work1", "work5", "work4", "work3"});
    for (const auto& r : ranked) CHECK(r.estimate_cycles == doctest::Approx(counts_work(*r.stats)));

    // Without an estimate the same window cannot gate: the Tuner ranks by the model and says so.
    Tuner no_estimate(host_x86_64(), simulator_factory("unicorn"), prefers_work, options);
    CHECK_FALSE(no_estimate.gated());
    CHECK(names(no_estimate.rank(candidates)) == names(by_model));

    options.near_tie_window = -0.5;
    CHECK_THROWS_WITH_AS(Tuner(host_x86_64(), simulator_factory("unicorn"), prefers_work, counts_work, options),
                         doctest::Contains("near-tie window"), Error);
    fs::remove_all(dir);
}

TEST_CASE("a model that reads MCA's cycles carries the cycle estimate; one that does not, none") {
    const auto shipped = default_model(host_x86_64());
    REQUIRE(shipped.estimate);
    Stats s;
    s.instructions = 1000;
    s.counter(Stats::feature_index("mca_cycles")) = 400;
    // The estimate's base is MCA's cycles, plus a twentieth of a cycle per instruction.
    CHECK(shipped.estimate(s) == doctest::Approx(450));
    CHECK_FALSE(analytic_model(host_x86_64()).estimate);
}
