// The shared small utilities of util.hpp: list splitting and the collector lists built on it.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <variant>

#include <simtune/collectors/selection.hpp>
#include <simtune/error.hpp>
#include <simtune/predictors/features.hpp>
#include <simtune/predictors/synthetic.hpp>
#include <simtune/tuning/experiment.hpp>
#include <simtune/util.hpp>

using namespace simtune;
using List = std::vector<std::string>;

TEST_CASE("split_list cuts at the separator, trims spaces and drops empty items") {
    CHECK(split_list("a,b,c") == List{"a", "b", "c"});
    CHECK(split_list(" mix , memory,caches ") == List{"mix", "memory", "caches"});
    CHECK(split_list("a,,b,") == List{"a", "b"});
    CHECK(split_list(",").empty());
    CHECK(split_list("").empty());
    CHECK(split_list("   ").empty());
    CHECK(split_list("ridge+gbt-rel", '+') == List{"ridge", "gbt-rel"});
    CHECK(split_list("dtlb_|stlb_", '|') == List{"dtlb_", "stlb_"});
    CHECK(split_list("a,b", '+') == List{"a,b"});
}

TEST_CASE("parse_collectors reads names, all and none, and names what it does not know") {
    CHECK(parse_collectors("all") == CollectorSelection::all());
    CHECK(parse_collectors("none") == CollectorSelection::none());
    CHECK(parse_collectors("mix") == CollectorSelection::mix_only());
    CHECK(parse_collectors(" mix, mix ,") == CollectorSelection::mix_only());
    auto memory = CollectorSelection::none();
    memory.memory = memory.pipeline = true;
    CHECK(parse_collectors("memory,mca") == memory);
    // Caches start cold unless asked for warm or steady; the three are different cache keys.
    const auto warm = parse_collectors("memory,warm-caches");
    CHECK(warm.caches);
    CHECK(warm.cache_start == CacheStart::warm);
    CHECK(parse_collectors("caches").cache_start == CacheStart::cold);
    CHECK(warm.key() == "memory+warm-caches");
    const auto steady = parse_collectors("steady-caches,memory");
    CHECK(steady.caches);
    CHECK(steady.cache_start == CacheStart::steady);
    CHECK(steady.key() == "memory+steady-caches");
    CHECK(parse_collectors("memory,caches").key() == "memory+caches");
    // The dataflow walk without the walk with memory: its own name, in the list and in the key.
    const auto plain_walk = parse_collectors("caches,dataflow-without-memory");
    CHECK(plain_walk.dataflow);
    CHECK_FALSE(plain_walk.dataflow_memory);
    CHECK(plain_walk.key() == "caches+dataflow-without-memory");
    CHECK(parse_collectors("caches,dataflow").dataflow_memory);
    CHECK_THROWS_WITH_AS((void)parse_collectors("mix,bogus"), doctest::Contains("unknown collector 'bogus'"), Error);
    CHECK_THROWS_WITH_AS((void)parse_collectors(" , "), doctest::Contains("the collector list is empty"), Error);
}

TEST_CASE("an ensemble with an empty member is an error, not a smaller ensemble") {
    const auto data = synthetic_training_set({.groups = 3, .candidates_per_group = 20});
    ExperimentOptions eo;
    eo.gbt_rounds = 3;
    CHECK_NOTHROW((void)train_model("ridge + ridge-rel", data, eo, "t@unicorn"));
    for (const char* kind : {"ridge++ridge-rel", "ridge+", "+ridge", "ridge+ +ridge-rel"})
        CHECK_THROWS_WITH_AS((void)train_model(kind, data, eo, "t@unicorn"), doctest::Contains("a member is empty"),
                             Error);
}

TEST_CASE("the 'estimate' model ranks by the cycle estimate alone, and the shipped recipe carries it") {
    const auto data = synthetic_training_set({.groups = 4, .candidates_per_group = 30});
    ExperimentOptions eo;
    eo.gbt_rounds = 5;
    const auto estimate = train_model("estimate", data, eo, "t@unicorn");
    const auto terms = parse_anchor(cycle_estimate(data.feature_names), data.feature_names);
    REQUIRE(terms.size() >= 4); // the base and the miss levels at least
    const Eigen::VectorXd predicted = estimate.predict(data.features);
    // Seconds = one scale × the estimate, whatever the row: nothing else was learned.
    double ratio = 0;
    for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
        double cycles = 0;
        for (const auto& t : terms) { // weight x the largest scaled column of the term
            double largest = -1e300;
            for (const auto& c : t.choices)
                largest = std::max(largest, c.scale * data.features(r, static_cast<Eigen::Index>(c.column)));
            cycles += t.weight * largest;
        }
        const double this_ratio = predicted[r] / std::max(cycles, 1.0);
        if (r == 0) ratio = this_ratio;
        CHECK(this_ratio == doctest::Approx(ratio).epsilon(1e-9));
    }

    const auto shipped = train_model(std::string(shipped_model_recipe), data, eo, "t@unicorn");
    REQUIRE(shipped.kind() == "ensemble");
    CHECK(std::get<Ensemble>(shipped.model()).members().size() == 2);
    // The estimate named twice is one member with two votes (round 10).
    CHECK(std::get<Ensemble>(shipped.model()).weights() == std::vector<double>{2.0, 1.0});
}

TEST_CASE("the 'estimate-memory' model ranks by the estimate from the walk with memory, and needs its column") {
    auto data = synthetic_training_set({.groups = 4, .candidates_per_group = 30});
    // The synthetic set stops before the walk's column: add one, above MCA's figure on some rows.
    const auto mca =
        static_cast<Eigen::Index>(std::ranges::find(data.feature_names, "mca_cycles") - data.feature_names.begin());
    REQUIRE(mca < static_cast<Eigen::Index>(data.feature_names.size()));
    data.feature_names.emplace_back("dataflow_memory_cycles");
    data.features.conservativeResize(Eigen::NoChange, data.features.cols() + 1);
    for (Eigen::Index r = 0; r < data.features.rows(); ++r)
        data.features(r, data.features.cols() - 1) = data.features(r, mca) * (0.5 + static_cast<double>(r % 3) * 0.5);
    ExperimentOptions eo;
    const auto anchor = memory_cycle_estimate(data.feature_names);
    REQUIRE(anchor.starts_with("max(mca_cycles,dataflow_memory_cycles)"));
    const auto terms = parse_anchor(anchor, data.feature_names);
    const Eigen::VectorXd predicted = train_model("estimate-memory", data, eo, "t@unicorn").predict(data.features);
    double ratio = 0;
    for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
        const Eigen::VectorXd copy = data.features.row(r).transpose();
        const double cycles = anchor_value(terms, {copy.data(), static_cast<std::size_t>(copy.size())});
        const double this_ratio = predicted[r] / std::max(cycles, 1.0);
        if (r == 0) ratio = this_ratio;
        CHECK(this_ratio == doctest::Approx(ratio).epsilon(1e-9));
    }
    // Data without the column (a dataset written before it, or without the caches): a clear error.
    for (auto& name : data.feature_names)
        if (name == "dataflow_memory_cycles") name = "something_else";
    CHECK(memory_cycle_estimate(data.feature_names).empty());
    CHECK_THROWS_WITH_AS((void)train_model("estimate-memory", data, eo, "t@unicorn"),
                         doctest::Contains("dataflow_memory_cycles"), Error);
}
