// Model files: the format, loading either kind by header, and every way a file can be bad.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <simtune/predictors/any_predictor.hpp>
#include <simtune/predictors/synthetic.hpp>
#include <simtune/stats.hpp>

using namespace simtune;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / "simtune_test_model_files";
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// Loads `file` expecting ErrorKind::invalid_model; returns the message.
std::string load_error(const fs::path& file, std::span<const std::string> features = {}) {
    try {
        (void)load_model(file, features);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_model);
        CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
        return e.what();
    }
    FAIL("the model loaded");
    return {};
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

const TrainingSet& data() {
    static const auto d = synthetic_training_set({.groups = 3, .candidates_per_group = 40});
    return d;
}

} // namespace

TEST_CASE("a model file is versioned text: header, version, target, features, then numbers") {
    TempDir dir;
    RidgeRegressor ridge({.target = "host-x86-64"});
    ridge.fit(data());
    ridge.save(dir.path / "r.model");
    const auto text = read(dir.path / "r.model");
    CHECK(text.starts_with("simtune-model 1 ridge\nsimtune_version "));
    CHECK(text.find("\ntarget host-x86-64\n") != std::string::npos);
    CHECK(text.find(fmt::format("\nfeatures {} instructions int_alu", data().feature_names.size())) !=
          std::string::npos);
    CHECK(text.ends_with("\nend\n"));
}

TEST_CASE("load_model loads either kind by its header and predicts like the original") {
    TempDir dir;
    RidgeRegressor ridge;
    ridge.fit(data());
    GradientBoostedTrees gbt({.rounds = 20, .max_depth = 3, .target = "cortex-a72"});
    gbt.fit(data());
    ridge.save(dir.path / "ridge.model");
    gbt.save(dir.path / "gbt.model");
    const auto a = load_model(dir.path / "ridge.model");
    const auto b = load_model(dir.path / "gbt.model");
    CHECK(a.kind() == "ridge");
    CHECK(b.kind() == "gbt");
    CHECK(b.target() == "cortex-a72");
    CHECK(a.feature_names() == data().feature_names);
    CHECK((a.predict(data().features).array() == ridge.predict(data().features).array()).all());
    CHECK((b.predict(data().features).array() == gbt.predict(data().features).array()).all());
    // Saving through AnyPredictor writes the same file.
    b.save(dir.path / "again.model");
    CHECK(read(dir.path / "again.model") == read(dir.path / "gbt.model"));
    // With the expected feature set, it loads; a one-row prediction is width-checked.
    CHECK_NOTHROW((void)load_model(dir.path / "gbt.model", data().feature_names));
    const double short_row[] = {1, 2, 3};
    CHECK_THROWS_AS((void)b.predict(short_row), Error);
}

TEST_CASE("malformed, truncated, wrong-version, wrong-kind and wrong-feature-set files are refused") {
    TempDir dir;
    GradientBoostedTrees gbt({.rounds = 5, .max_depth = 3});
    gbt.fit(data());
    gbt.save(dir.path / "good.model");
    RidgeRegressor ridge;
    ridge.fit(data());
    ridge.save(dir.path / "ridge.model");
    const auto good = read(dir.path / "good.model");
    const auto bad = dir.path / "bad.model";

    SUBCASE("missing file is an I/O error") {
        try {
            (void)load_model(dir.path / "absent.model");
            FAIL("loaded");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
        }
    }
    SUBCASE("empty") {
        write(bad, "");
        CHECK(load_error(bad).find("line 1: the file is empty") != std::string::npos);
    }
    SUBCASE("not a model") {
        write(bad, "hello world\n");
        CHECK(load_error(bad).find("line 1: not a simtune model file") != std::string::npos);
    }
    SUBCASE("wrong version") {
        write(bad, replace(good, "simtune-model 1 gbt", "simtune-model 2 gbt"));
        CHECK(load_error(bad).find("line 1: format version 2 is not supported") != std::string::npos);
    }
    SUBCASE("unknown kind") {
        write(bad, replace(good, "simtune-model 1 gbt", "simtune-model 1 forest"));
        CHECK(load_error(bad).find("unknown model kind 'forest'") != std::string::npos);
    }
    SUBCASE("wrong kind for the typed loader") {
        try {
            (void)RidgeRegressor::load(dir.path / "good.model");
            FAIL("loaded");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::invalid_model);
            CHECK(std::string(e.what()).find("this is a 'gbt' model, expected a 'ridge' model") != std::string::npos);
        }
    }
    SUBCASE("truncated in a table") {
        // Halfway through the split table.
        const auto table = good.find("\nsplits ");
        REQUIRE(table != std::string::npos);
        write(bad, good.substr(0, table + (good.find("\nleaves ") - table) / 2));
        CHECK(load_error(bad).find("truncated") != std::string::npos);
    }
    SUBCASE("truncated before the end line") {
        write(bad, good.substr(0, good.size() - 4));
        CHECK(load_error(bad).find("unexpected end of file (truncated?), expected 'end'") != std::string::npos);
    }
    SUBCASE("a bad number names its line") {
        write(bad, replace(good, "\nbase_score ", "\nbase_score x"));
        const auto msg = load_error(bad);
        CHECK(msg.find("base_score: 'x") != std::string::npos);
        CHECK(msg.find(", line ") != std::string::npos);
    }
    SUBCASE("a missing key") {
        write(bad, replace(good, "\nobjective squared\n", "\n"));
        CHECK(load_error(bad).find("expected 'objective', found 'max_depth'") != std::string::npos);
    }
    SUBCASE("a count that does not match") {
        write(bad, replace(good, fmt::format("\nfeatures {} ", data().feature_names.size()),
                           fmt::format("\nfeatures {} ", data().feature_names.size() + 1)));
        CHECK(load_error(bad).find(fmt::format("announces {} names but has {}", data().feature_names.size() + 1,
                                               data().feature_names.size())) != std::string::npos);
    }
    SUBCASE("a split on a feature the model does not have") {
        const auto at = good.find("\nsplits ");
        const auto row = good.find('\n', at + 1) + 1;
        std::string text = good;
        text.replace(row, good.find(' ', row) - row, "99");
        write(bad, text);
        CHECK(load_error(bad).find("uses feature 99") != std::string::npos);
    }
    SUBCASE("a NaN weight") {
        const auto text = read(dir.path / "ridge.model");
        const auto at = text.find("\nweights ");
        const auto first = text.find(' ', text.find(' ', at + 1) + 1) + 1;
        std::string t = text;
        t.replace(first, text.find(' ', first) - first, "nan");
        write(bad, t);
        CHECK(load_error(bad).find("is not a number") != std::string::npos);
    }
    SUBCASE("content after end") {
        write(bad, good + "extra\n");
        CHECK(load_error(bad).find("unexpected content after 'end'") != std::string::npos);
    }
    SUBCASE("wrong feature set") {
        std::vector<std::string> names = data().feature_names;
        names[3] = "vector_ops";
        CHECK(load_error(dir.path / "good.model", names)
                  .find("wrong feature set: feature 3 is 'fp_scalar', expected 'vector_ops'") != std::string::npos);
        names.pop_back();
        CHECK(load_error(dir.path / "ridge.model", names)
                  .find(fmt::format("wrong feature set: the model has {} features, expected {}",
                                    data().feature_names.size(), data().feature_names.size() - 1)) !=
              std::string::npos);
    }
    SUBCASE("standardisation that does not fit the features") {
        // One ratio fewer announced than listed.
        const auto at = good.find("\nratios ") + 8;
        const auto count = std::stoi(good.substr(at, good.find(' ', at) - at));
        write(bad, replace(good, fmt::format("\nratios {} ", count), fmt::format("\nratios {} ", count - 1)));
        (void)load_error(bad);
    }
}

TEST_CASE("a model reads from a stream exactly as from a file; a bad stream names itself") {
    TempDir dir;
    GradientBoostedTrees gbt({.rounds = 10, .max_depth = 3, .target = "host-x86-64@unicorn"});
    gbt.fit(data());
    gbt.save(dir.path / "g.model");
    std::istringstream in(read(dir.path / "g.model"));
    const auto from_stream = load_model(in, "in-memory model");
    const auto from_file = load_model(dir.path / "g.model");
    CHECK(from_stream.kind() == "gbt");
    CHECK((from_stream.predict(data().features) - from_file.predict(data().features)).cwiseAbs().maxCoeff() == 0);

    std::istringstream bad("simtune-model 1 gbt\nsimtune_version 0.1.0\n");
    try {
        (void)load_model(bad, "in-memory model");
        FAIL("a truncated stream loaded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_model);
        CHECK(std::string(e.what()).find("in-memory model") != std::string::npos);
    }
}

TEST_CASE("a huge column count is an error naming the table, not an allocation") {
    TempDir dir;
    GradientBoostedTrees gbt({.rounds = 5, .max_depth = 2});
    gbt.fit(data());
    gbt.save(dir.path / "g.model");
    auto text = read(dir.path / "g.model");
    const auto at = text.find("\nleaves ");
    REQUIRE(at != std::string::npos);
    const auto end = text.find('\n', at + 1);
    const auto rows = text.substr(at + 8, text.find(' ', at + 8) - (at + 8));
    text.replace(at + 1, end - at - 1, "leaves " + rows + " 1000000000000");
    std::istringstream in(text);
    try {
        (void)load_model(in, "huge-table");
        FAIL("loaded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_model);
        CHECK(std::string(e.what()).find("row 0 of table 'leaves'") != std::string::npos);
    }
}

TEST_CASE("saving over a model replaces it whole, leaving no temporary behind") {
    TempDir dir;
    GradientBoostedTrees first({.rounds = 3, .max_depth = 2}), second({.rounds = 6, .max_depth = 3});
    first.fit(data());
    second.fit(data());
    first.save(dir.path / "m.model");
    second.save(dir.path / "m.model");
    CHECK(std::get<GradientBoostedTrees>(load_model(dir.path / "m.model").model()).trees() == 6);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);
    // A directory in the way: a clear error, and nothing left behind.
    fs::create_directories(dir.path / "taken.model");
    CHECK_THROWS_AS(first.save(dir.path / "taken.model"), Error);
    files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 2);
}

TEST_CASE("an ensemble file holds its members' files and predicts their geometric mean") {
    TempDir dir;
    GbtOptions pairwise;
    pairwise.objective = GbtObjective::pairwise;
    pairwise.rounds = 20;
    Ensemble e({RidgeRegressor(), GradientBoostedTrees(pairwise)});
    e.set_target("host-x86-64");
    e.fit(data());
    REQUIRE(e.fitted());
    const Eigen::VectorXd ridge = std::get<RidgeRegressor>(e.members()[0]).predict(data().features);
    const Eigen::VectorXd trees = std::get<GradientBoostedTrees>(e.members()[1]).predict(data().features);
    const Eigen::VectorXd both = e.predict(data().features);
    for (Eigen::Index r = 0; r < both.size(); r += 17)
        CHECK(both[r] == doctest::Approx(std::sqrt(ridge[r] * trees[r])).epsilon(1e-12));

    const auto file = dir.path / "ensemble.model";
    e.save(file);
    const auto text = read(file);
    CHECK(text.starts_with("simtune-model 1 ensemble\n"));
    CHECK(text.find("\nmembers 2\nmember ") != std::string::npos);
    const auto loaded = load_model(file);
    CHECK(loaded.kind() == "ensemble");
    CHECK(loaded.target() == "host-x86-64");
    CHECK(loaded.feature_names() == data().feature_names);
    const Eigen::VectorXd back = loaded.predict(data().features);
    CHECK((back - both).cwiseAbs().maxCoeff() == 0);
    std::istringstream stream(text);
    CHECK((load_model(stream, "builtin:ensemble").predict(data().features) - both).cwiseAbs().maxCoeff() == 0);

    SUBCASE("a member block that runs past the end is refused, naming it") {
        write(dir.path / "bad.model", replace(text, "\nmember ", "\nmember 99999"));
        CHECK(load_error(dir.path / "bad.model").find("'member' announces") != std::string::npos);
    }
    SUBCASE("a broken member names the member") {
        write(dir.path / "bad.model", replace(text, "\nbias ", "\nbias x"));
        CHECK(load_error(dir.path / "bad.model").find("(member 1)") != std::string::npos);
    }
    SUBCASE("members must read the same features") {
        TrainingSet fewer = data();
        fewer.feature_names.pop_back();
        fewer.features.conservativeResize(Eigen::NoChange, fewer.features.cols() - 1);
        RidgeRegressor other;
        other.fit(fewer);
        CHECK_THROWS_AS(Ensemble({std::get<RidgeRegressor>(e.members()[0]), other}), Error);
    }
    SUBCASE("an ensemble with no members is refused") { CHECK_THROWS_AS(Ensemble({}), Error); }
    SUBCASE("equal weights write no weights line, as files before weights existed") {
        CHECK(text.find("\nmember_weights ") == std::string::npos);
    }
}

TEST_CASE("a weighted ensemble predicts the weighted geometric mean, and its file keeps the weights") {
    TempDir dir;
    GbtOptions pairwise;
    pairwise.objective = GbtObjective::pairwise;
    pairwise.rounds = 20;
    Ensemble e({RidgeRegressor(), GradientBoostedTrees(pairwise)}, {2.0, 1.0});
    e.fit(data());
    const Eigen::VectorXd ridge = std::get<RidgeRegressor>(e.members()[0]).predict(data().features);
    const Eigen::VectorXd trees = std::get<GradientBoostedTrees>(e.members()[1]).predict(data().features);
    const Eigen::VectorXd both = e.predict(data().features);
    for (Eigen::Index r = 0; r < both.size(); r += 17) {
        CHECK(both[r] == doctest::Approx(std::cbrt(ridge[r] * ridge[r] * trees[r])).epsilon(1e-12));
        const std::vector<double> row(data().features.row(r).begin(), data().features.row(r).end());
        CHECK(e.predict(row) == doctest::Approx(both[r]).epsilon(1e-12));
    }

    const auto file = dir.path / "weighted.model";
    e.save(file);
    const auto text = read(file);
    CHECK(text.find("\nmember_weights 2 2 1\n") != std::string::npos);
    const auto loaded = load_model(file);
    CHECK((loaded.predict(data().features) - both).cwiseAbs().maxCoeff() == 0);

    SUBCASE("a weight that is not positive and finite is refused, in a file naming the line") {
        for (const char* bad : {"\nmember_weights 2 2 0\n", "\nmember_weights 2 nan 1\n", "\nmember_weights 2 -1 1\n",
                                "\nmember_weights 1 2\n"}) {
            CAPTURE(bad);
            write(dir.path / "bad.model", replace(text, "\nmember_weights 2 2 1\n", bad));
            CHECK(load_error(dir.path / "bad.model").find("weight") != std::string::npos);
        }
        CHECK_THROWS_AS(Ensemble({RidgeRegressor(), RidgeRegressor()}, {1.0}), Error);
        CHECK_THROWS_AS(Ensemble({RidgeRegressor()}, {std::numeric_limits<double>::infinity()}), Error);
    }
}

TEST_CASE("a save that fails part-way leaves the model file as it was") {
    // Issue 16, item 9: the disk fills up (here: a file size limit) while a model is saved over an
    // older one. The older model must still be there, whole, not a truncated mix.
    TempDir dir;
    GradientBoostedTrees first({.rounds = 3, .max_depth = 2}), second({.rounds = 40, .max_depth = 3});
    first.fit(data());
    second.fit(data());
    first.save(dir.path / "m.model");
    const auto before = read(dir.path / "m.model");
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    REQUIRE(::sigaction(SIGXFSZ, &ignore, &previous) == 0); // a write past the limit fails with EFBIG
    struct rlimit limit {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &limit) == 0);
    const auto saved = limit;
    limit.rlim_cur = 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    bool failed = false;
    try {
        second.save(dir.path / "m.model");
    } catch (const Error& e) {
        failed = e.kind() == ErrorKind::io;
    }
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
    ::sigaction(SIGXFSZ, &previous, nullptr);
    CHECK(failed);
    CHECK(read(dir.path / "m.model") == before);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 1); // no temporary left behind
}
