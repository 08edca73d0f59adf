// Specification of a user's own candidates: a directory of sources or binaries becomes candidates
// (buffers from buffers.spec), a dataset over candidates trains like any other, and few-shot
// calibration picks spread-out candidates deterministically, learns a per-kernel correction that
// re-orders the rest when the model's error follows a counter, and keeps the model's order when it
// does not.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <set>

#include <simtune/research.hpp>
#include <simtune/tuning/calibration.hpp>
#include <simtune/tuning/candidate_directory.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, std::string_view text) { std::ofstream(file) << text; }

/// n candidates whose "model" sees only the instruction count while the truth also pays for
/// L1D misses, which vary independently: the model's error follows a counter.
struct Synthetic {
    std::vector<Stats> stats;
    std::vector<double> predicted, truth;
};
Synthetic synthetic(std::size_t n) {
    Synthetic s;
    for (std::size_t i = 0; i < n; ++i) {
        Stats st;
        st.instructions = 100'000 + 7'919 * ((i * 37) % n);
        st.l1d_misses = 1'000 + 40'000 * ((i * 11) % 7);
        st.l1d_accesses = st.instructions / 3;
        s.stats.push_back(st);
        s.predicted.push_back(1e-9 * static_cast<double>(st.instructions));
        s.truth.push_back(1e-9 * static_cast<double>(st.instructions) + 2e-9 * static_cast<double>(st.l1d_misses));
    }
    return s;
}

} // namespace

TEST_CASE("a directory of C sources becomes candidates named by stem, buffers from buffers.spec") {
    const auto dir = scratch_dir("userdir") / "rowmax";
    fs::create_directories(dir);
    write(dir / "a.c", "void simtune_kernel(const float* x, float* y) { y[0] = x[0]; }");
    write(dir / "b.c", "void simtune_kernel(const float* x, float* y) { y[0] = x[1]; }");
    write(dir / "notes.txt", "ignored: there are sources");
    check_error([&] { (void)load_candidate_directory(dir); }, ErrorKind::invalid_argument,
                {"no buffers", "buffers.spec"});
    write(dir / "buffers.spec", "# the input\nx:f32:64:in\ny:f32:8:out  # and the output\n");
    const auto d = load_candidate_directory(dir);
    CHECK(d.name == "rowmax");
    CHECK(d.from_sources);
    REQUIRE(d.candidates.size() == 2);
    CHECK(d.candidates[0].name == "a");
    CHECK(d.candidates[1].name == "b");
    CHECK(d.buffers == parse_buffer_spec("x:f32:64:in;y:f32:8:out"));
    // Given buffers win over the file.
    CandidateDirectoryOptions given;
    given.buffers = parse_buffer_spec("x:f32:64:in;y:f32:16:out");
    CHECK(load_candidate_directory(dir, given).candidates[0].buffers[1].count == 16);
    write(dir / "buffers.spec", "x:f32:64:in\ny:f99:8:out\n");
    check_error([&] { (void)load_candidate_directory(dir); }, ErrorKind::invalid_argument, {"buffers.spec:2", "f99"});

    const auto empty = scratch_dir("userdir-empty");
    check_error([&] { (void)load_candidate_directory(empty); }, ErrorKind::invalid_argument, {"no candidates in"});
    check_error([&] { (void)load_candidate_directory(empty / "missing"); }, ErrorKind::invalid_argument,
                {"not a directory"});
}

TEST_CASE("a dataset over a directory's candidates has workload = the name and variant = the stem") {
    const auto dir = scratch_dir("userdir-dataset");
    const auto sources = dir / "scale";
    fs::create_directories(sources);
    write(sources / "buffers.spec", "x:f32:256:inout");
    for (int k : {1, 2, 4})
        write(sources / fmt::format("r{}.c", k),
              fmt::format("void simtune_kernel(float* x) {{ for (int r = 0; r < {}; ++r) for (int i = 0; i < 256; ++i) "
                          "x[i] = x[i] * 0.5f + 1.0f; }}",
                          4 * k));
    const auto candidates = load_candidate_directory(sources);
    std::ofstream(dir / "times.csv") << "key,seconds\nr1,1e-6\nscale/r2,2e-6\nr4,4e-6\n"; // either key form
    DatasetOptions options;
    options.times_csv = dir / "times.csv";
    options.workers = 2;
    const auto d = build_dataset(candidates.name, candidates.candidates, cortex_a72(), options, dir / "scale.csv");
    REQUIRE(d.rows.size() == 3);
    const auto loaded = Dataset::load_csv(dir / "scale.csv");
    CHECK(loaded.workloads() == std::vector<std::string>{"scale"});
    CHECK(loaded.rows[1].key() == "scale/r2");
    CHECK(loaded.rows[1].seconds == doctest::Approx(2e-6));
    CHECK(loaded.rows[2].stats.at("unicorn").instructions > loaded.rows[0].stats.at("unicorn").instructions);
    CHECK(loaded.training_set("unicorn").rows() == 3);
    check_error([&] { (void)build_dataset("a,b", candidates.candidates, cortex_a72(), options, dir / "x.csv"); },
                ErrorKind::invalid_argument, {"workload 'a,b'"});
}

TEST_CASE("calibration picks: the predicted best first, then one per stratum of the order, deterministic") {
    const auto s = synthetic(40);
    const auto f = calibration_features(s.stats, s.predicted);
    CHECK(f.rows() == 40);
    const auto picks = pick_calibration_candidates(s.predicted, f, 5, 1);
    REQUIRE(picks.size() == 5);
    CHECK(std::set<std::size_t>(picks.begin(), picks.end()).size() == 5);
    const auto best =
        static_cast<std::size_t>(std::min_element(s.predicted.begin(), s.predicted.end()) - s.predicted.begin());
    CHECK(picks[0] == best);
    // Positions in the predicted order: one in each fifth-ish stratum, so not the top 5.
    std::vector<std::size_t> position;
    for (auto p : picks)
        position.push_back(static_cast<std::size_t>(
            std::count_if(s.predicted.begin(), s.predicted.end(), [&](double q) { return q < s.predicted[p]; })));
    std::ranges::sort(position);
    CHECK(position.front() == 0);
    CHECK(position.back() >= 30);
    CHECK(pick_calibration_candidates(s.predicted, f, 5, 1) == picks);
    CHECK(pick_calibration_candidates(s.predicted, f, 50, 1).size() == 40);
    CHECK(pick_calibration_candidates(s.predicted, f, 0, 1).empty());
}

TEST_CASE("calibration learns a correction that follows a counter, and keeps the model's order otherwise") {
    const auto s = synthetic(60);
    const auto f = calibration_features(s.stats, s.predicted);
    auto spearman_of = [&](const std::vector<double>& v) { return spearman(v, s.truth); };
    const double before = spearman_of(s.predicted);
    CalibrationOptions options;
    options.count = 10;
    const auto picks = pick_calibration_candidates(s.predicted, f, 10, 1);
    std::vector<double> measured;
    for (auto i : picks) measured.push_back(s.truth[i]);
    const auto c = calibrate(f, s.predicted, picks, measured, options);
    CHECK(std::isfinite(c.agreement.penalty)); // the slopes helped out of sample
    CHECK(spearman_of(c.corrected) > before + 0.1);
    CHECK(c.agreement.spearman_loo > c.agreement.spearman_model);
    for (std::size_t k = 0; k < picks.size(); ++k) CHECK(c.seconds[picks[k]] == measured[k]);

    // A model that is right up to a scale: intercept only, the model's order kept.
    std::vector<double> scaled;
    for (auto i : picks) scaled.push_back(3 * s.predicted[i]);
    const auto same = calibrate(f, s.predicted, picks, scaled, options);
    CHECK(same.intercept == doctest::Approx(std::log(3.0)).epsilon(1e-3));
    CHECK(spearman(same.corrected, s.predicted) == doctest::Approx(1.0));

    check_error([&] { (void)calibrate(f, s.predicted, picks, std::vector<double>(3, 1.0), options); },
                ErrorKind::invalid_argument, {"3 measured times for 10"});
    std::vector<double> bad = measured;
    bad[2] = -1;
    check_error([&] { (void)calibrate(f, s.predicted, picks, bad, options); }, ErrorKind::invalid_data,
                {"finite and positive"});
}

TEST_CASE("calibrate_ranking measures the picks and ranks measured and calibrated together; missing times are named") {
    const auto s = synthetic(12);
    std::vector<CandidateResult> ranked;
    for (std::size_t i = 0; i < s.stats.size(); ++i) {
        CandidateResult r;
        r.index = i;
        r.name = fmt::format("c{}", i);
        r.stats = s.stats[i];
        r.predicted_seconds = s.predicted[i];
        ranked.push_back(r);
    }
    CandidateResult failed;
    failed.name = "broken";
    failed.error_kind = ErrorKind::build_failed;
    ranked.push_back(failed);
    std::map<std::string, double> times;
    for (std::size_t i = 0; i < s.truth.size(); ++i) times[fmt::format("c{}", i)] = s.truth[i];
    CalibrationOptions options;
    options.count = 5;
    const auto picks = calibration_picks(ranked, options);
    const auto out = calibrate_ranking(ranked, options, measure_from_times(times, "times.csv"));
    CHECK(out.picks == picks);
    REQUIRE(out.ranking.size() == 13);
    CHECK(out.ranking.back().name == "broken");
    CHECK(std::isnan(out.calibrated_seconds.back()));
    CHECK(std::is_sorted(out.calibrated_seconds.begin(), out.calibrated_seconds.end() - 1));
    CHECK(std::ranges::count_if(out.ranking, [](const auto& r) { return r.measured_seconds.has_value(); }) == 5);
    CHECK(std::isfinite(out.agreement.spearman_loo));

    times.erase(picks[2]);
    check_error([&] { (void)calibrate_ranking(ranked, options, measure_from_times(times, "times.csv")); },
                ErrorKind::invalid_data, {"times.csv has no time for 1 of the 5 candidates", picks[2]});
    options.count = 0;
    CHECK(calibrate_ranking(ranked, options, {}).ranking.size() == 13);
}
