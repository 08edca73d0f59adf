// The shared small utilities of util.hpp: list splitting and the collector lists built on it.
#include <doctest/doctest.h>

#include <simtune/collectors/selection.hpp>
#include <simtune/error.hpp>
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
    CHECK_THROWS_WITH_AS((void)parse_collectors("mix,bogus"), doctest::Contains("unknown collector 'bogus'"), Error);
    CHECK_THROWS_WITH_AS((void)parse_collectors(" , "), doctest::Contains("the collector list is empty"), Error);
}

TEST_CASE("an ensemble with an empty member is an error, not a smaller ensemble") {
    SyntheticOptions so;
    so.groups = 3;
    so.candidates_per_group = 20;
    const auto data = synthetic_training_set(so);
    ExperimentOptions eo;
    eo.gbt_rounds = 3;
    CHECK_NOTHROW((void)train_model("ridge + ridge-rel", data, eo, "t@unicorn"));
    for (const char* kind : {"ridge++ridge-rel", "ridge+", "+ridge", "ridge+ +ridge-rel"})
        CHECK_THROWS_WITH_AS((void)train_model(kind, data, eo, "t@unicorn"), doctest::Contains("a member is empty"),
                             Error);
}
