// Predictors vs XGBoost: ranking quality on held-out workloads, training time at equal settings,
// one-row prediction latency. A table-printing harness (not Google Benchmark): the interesting
// numbers are metrics of whole fits, not a micro-loop.
//
//   bench_predictors [--csv FILE] [--rounds 200] [--depth 6] [--eta 0.1] [--threads 2]
//                    [--groups 50] [--per-group 200] [--extra 20] [--seed 1] [--test-share 0.2]
//
// Data: synthetic_training_set (20 Stats counters + `extra` noisy-copy / noise columns, a
// non-linear time with multiplicative noise), or a CSV with a header "group,<features...>,seconds".
// Whole groups are held out for testing; every library sees the same split.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <simtune/error.hpp>
#include <simtune/predictors/gbt.hpp>
#include <simtune/predictors/groups.hpp>
#include <simtune/predictors/metrics.hpp>
#include <simtune/predictors/ridge.hpp>
#include <simtune/predictors/synthetic.hpp>

#ifdef SIMTUNE_HAVE_XGBOOST
#include <xgboost/c_api.h>
#endif

using namespace simtune;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
    std::string csv;
    int rounds = 200, depth = 6;
    double eta = 0.1;
    unsigned threads = 2;
    std::size_t groups = 50, per_group = 200, extra = 20;
    std::uint64_t seed = 1;
    double test_share = 0.2;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

TrainingSet read_csv(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(ErrorKind::io, "cannot open '{}'", path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    for (std::stringstream s(line); std::getline(s, line, ',');) header.push_back(line);
    if (header.size() < 3 || header.front() != "group" || header.back() != "seconds")
        fail(ErrorKind::invalid_data, "'{}': header must be group,<features...>,seconds", path);
    TrainingSet d;
    d.feature_names.assign(header.begin() + 1, header.end() - 1);
    std::vector<std::vector<double>> rows;
    std::vector<double> secs;
    std::size_t number = 1;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        std::vector<std::string> cells;
        for (std::stringstream s(line); std::getline(s, line, ',');) cells.push_back(line);
        if (cells.size() != header.size())
            fail(ErrorKind::invalid_data, "'{}' line {}: {} cells, expected {}", path, number, cells.size(),
                 header.size());
        d.groups.push_back(cells.front());
        std::vector<double> r;
        for (std::size_t i = 1; i + 1 < cells.size(); ++i) r.push_back(std::stod(cells[i]));
        rows.push_back(std::move(r));
        secs.push_back(std::stod(cells.back()));
    }
    d.features.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(d.feature_names.size()));
    d.seconds.resize(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t c = 0; c < rows[r].size(); ++c)
            d.features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
        d.seconds[static_cast<Eigen::Index>(r)] = secs[r];
    }
    return d;
}

struct Result {
    std::string name;
    MetricsTable metrics;
    double train_seconds = 0;
    double one_row_ns = 0;   ///< in-process prediction of one raw row, incl. feature preparation
    double batch_row_ns = 0; ///< per row, predicting the whole test matrix at once
    bool has_mape = true;
};

MetricsTable evaluate(const Eigen::VectorXd& predicted, const TrainingSet& test) {
    return metrics_by_group(std::span(predicted.data(), static_cast<std::size_t>(predicted.size())),
                            std::span(test.seconds.data(), static_cast<std::size_t>(test.seconds.size())), test.groups);
}

/// Mean time of `calls` one-row predictions cycling through the test rows.
double one_row_latency_ns(const TrainingSet& test, const std::function<double(std::span<const double>)>& predict) {
    std::vector<std::vector<double>> rows(static_cast<std::size_t>(test.rows()));
    for (Eigen::Index r = 0; r < test.rows(); ++r)
        for (Eigen::Index c = 0; c < test.features.cols(); ++c)
            rows[static_cast<std::size_t>(r)].push_back(test.features(r, c));
    volatile double sink = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(rows.size(), 200); ++i) sink = sink + predict(rows[i]); // warm up
    const std::size_t calls = 50'000;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < calls; ++i) sink = sink + predict(rows[i % rows.size()]);
    return seconds_since(start) * 1e9 / static_cast<double>(calls);
}

template <class Model>
Result run_ours(const std::string& name, Model model, const TrainingSet& train, const TrainingSet& test) {
    Result r{name, {}, 0, 0, 0, true};
    auto start = Clock::now();
    model.fit(train);
    r.train_seconds = seconds_since(start);
    start = Clock::now();
    const Eigen::VectorXd p = model.predict(test.features);
    r.batch_row_ns = seconds_since(start) * 1e9 / static_cast<double>(test.rows());
    r.metrics = evaluate(p, test);
    r.one_row_ns = one_row_latency_ns(test, [&](std::span<const double> row) { return model.predict(row); });
    return r;
}

#ifdef SIMTUNE_HAVE_XGBOOST
void xgb_check(int rc, const char* what) {
    if (rc != 0) fail(ErrorKind::invalid_output, "xgboost {}: {}", what, XGBGetLastError());
}

/// XGBoost `hist` with the same rounds, depth, eta, threads, bins, lambda and min_child_weight.
/// `prepared`: feed it our prepared features (log1p + ratios) instead of the raw columns.
Result run_xgboost(const std::string& name, const Settings& s, const TrainingSet& train, const TrainingSet& test,
                   bool prepared, bool ranking) {
    Result r{name, {}, 0, 0, 0, !ranking};
    FeaturePipeline pipeline;
    if (prepared) pipeline = FeaturePipeline::fit(train);
    auto to_float = [&](const Eigen::MatrixXd& raw) {
        const Eigen::MatrixXd m = prepared ? pipeline.transform(raw) : raw;
        std::vector<float> out(static_cast<std::size_t>(m.size()));
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            for (Eigen::Index j = 0; j < m.cols(); ++j)
                out[static_cast<std::size_t>(i * m.cols() + j)] = static_cast<float>(m(i, j));
        return std::pair{out, m.cols()};
    };

    const auto start = Clock::now();
    const auto [x, cols] = to_float(train.features);
    DMatrixHandle dtrain = nullptr;
    xgb_check(XGDMatrixCreateFromMat(x.data(), static_cast<bst_ulong>(train.rows()), static_cast<bst_ulong>(cols),
                                     std::nanf(""), &dtrain),
              "DMatrix");
    std::vector<float> label(static_cast<std::size_t>(train.rows()));
    for (Eigen::Index i = 0; i < train.rows(); ++i)
        label[static_cast<std::size_t>(i)] =
            static_cast<float>(ranking ? -std::log(train.seconds[i]) : std::log(train.seconds[i]));
    xgb_check(XGDMatrixSetFloatInfo(dtrain, "label", label.data(), label.size()), "label");
    if (ranking) { // rows of a group are contiguous (the split keeps group order)
        std::vector<unsigned> sizes;
        for (const auto& g : group_rows(train.groups, train.rows())) sizes.push_back(static_cast<unsigned>(g.size()));
        xgb_check(XGDMatrixSetGroup(dtrain, sizes.data(), sizes.size()), "group");
    }
    BoosterHandle booster = nullptr;
    xgb_check(XGBoosterCreate(&dtrain, 1, &booster), "booster");
    const std::vector<std::pair<std::string, std::string>> params{
        {"tree_method", "hist"},
        {"objective", ranking ? "rank:pairwise" : "reg:squarederror"},
        {"max_depth", std::to_string(s.depth)},
        {"eta", fmt::format("{}", s.eta)},
        {"nthread", std::to_string(s.threads)},
        {"max_bin", "256"},
        {"lambda", "1"},
        {"min_child_weight", "1"},
        {"seed", std::to_string(s.seed)},
        {"verbosity", "0"}};
    for (const auto& [k, v] : params) xgb_check(XGBoosterSetParam(booster, k.c_str(), v.c_str()), "param");
    for (int i = 0; i < s.rounds; ++i) xgb_check(XGBoosterUpdateOneIter(booster, i, dtrain), "update");
    r.train_seconds = seconds_since(start);

    const auto [xt, tcols] = to_float(test.features);
    const char* config =
        R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "cache_id": 0, "missing": NaN})";
    auto predict_dense = [&](const float* data, std::size_t rows) {
        const auto array = fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                                       reinterpret_cast<std::uintptr_t>(data), rows, tcols);
        const bst_ulong* shape = nullptr;
        bst_ulong dim = 0;
        const float* out = nullptr;
        xgb_check(XGBoosterPredictFromDense(booster, array.c_str(), config, nullptr, &shape, &dim, &out), "predict");
        return out;
    };
    auto bstart = Clock::now();
    const float* out = predict_dense(xt.data(), static_cast<std::size_t>(test.rows()));
    r.batch_row_ns = seconds_since(bstart) * 1e9 / static_cast<double>(test.rows());
    Eigen::VectorXd p(test.rows());
    for (Eigen::Index i = 0; i < test.rows(); ++i)
        p[i] = ranking ? std::exp(-static_cast<double>(out[i])) : std::exp(static_cast<double>(out[i]));
    r.metrics = evaluate(p, test);

    // One row: convert (and prepare, if the model was trained on prepared features) and predict.
    std::vector<double> prepared_row(prepared ? pipeline.width() : 0);
    std::vector<float> row(static_cast<std::size_t>(tcols));
    r.one_row_ns = one_row_latency_ns(test, [&](std::span<const double> raw) {
        if (prepared) {
            pipeline.transform_row(raw, prepared_row.data());
            for (std::size_t j = 0; j < row.size(); ++j) row[j] = static_cast<float>(prepared_row[j]);
        } else {
            for (std::size_t j = 0; j < row.size(); ++j) row[j] = static_cast<float>(raw[j]);
        }
        return static_cast<double>(*predict_dense(row.data(), 1));
    });
    XGBoosterFree(booster);
    XGDMatrixFree(dtrain);
    return r;
}
#endif

void print(const std::vector<Result>& results) {
    fmt::print("| model | top-k % mean | top-k % worst | true best in top 1 % | regret mean | regret worst | Spearman "
               "| Kendall tau-b | MAPE % | train s | one-row predict µs | batch µs/row |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& r : results) {
        const auto& m = r.metrics;
        std::size_t hits = 0;
        for (const auto& g : m.groups) hits += g.metrics.top_k_percent <= 1.0;
        fmt::print(
            "| {} | {:.2f} | {:.2f} | {}/{} | {:.4f} | {:.4f} | {:.4f} | {:.4f} | {} | {:.3f} | {:.2f} | {:.3f} |\n",
            r.name, m.mean.top_k_percent, m.worst.top_k_percent, hits, m.groups.size(), m.mean.regret, m.worst.regret,
            m.mean.spearman, m.mean.kendall, r.has_mape ? fmt::format("{:.2f}", m.mean.mape) : std::string("n/a"),
            r.train_seconds, r.one_row_ns / 1000.0, r.batch_row_ns / 1000.0);
    }
}

} // namespace

int main(int argc, char** argv) try {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) fail(ErrorKind::invalid_argument, "{} needs a value", a);
            return argv[++i];
        };
        if (a == "--csv") s.csv = value();
        else if (a == "--rounds") s.rounds = std::stoi(value());
        else if (a == "--depth") s.depth = std::stoi(value());
        else if (a == "--eta") s.eta = std::stod(value());
        else if (a == "--threads") s.threads = static_cast<unsigned>(std::stoul(value()));
        else if (a == "--groups") s.groups = std::stoul(value());
        else if (a == "--per-group") s.per_group = std::stoul(value());
        else if (a == "--extra") s.extra = std::stoul(value());
        else if (a == "--seed") s.seed = std::stoull(value());
        else if (a == "--test-share") s.test_share = std::stod(value());
        else fail(ErrorKind::invalid_argument, "unknown option '{}'", a);
    }
    const TrainingSet data =
        s.csv.empty()
            ? synthetic_training_set(
                  {.groups = s.groups, .candidates_per_group = s.per_group, .extra_columns = s.extra, .seed = s.seed})
            : read_csv(s.csv);
    validate_training_set(data);

    // Hold out whole groups; keep each group's rows contiguous and in order.
    const auto groups = group_rows(data.groups, data.rows());
    if (groups.size() < 2) fail(ErrorKind::invalid_data, "need at least two groups to hold some out");
    const auto folds = assign_folds(groups.size(), static_cast<int>(std::lround(1.0 / s.test_share)), s.seed);
    std::vector<Eigen::Index> train_rows, test_rows;
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (auto r : groups[g]) (folds[g] == 0 ? test_rows : train_rows).push_back(r);
    const auto train = subset(data, train_rows), test = subset(data, test_rows);
    fmt::print("data: {} ({} rows x {} features, {} groups); train {} rows, test {} rows in {} held-out groups\n",
               s.csv.empty() ? "synthetic" : s.csv, data.rows(), data.features.cols(), groups.size(), train.rows(),
               test.rows(), group_rows(test.groups, test.rows()).size());
    fmt::print("settings: rounds {}, depth {}, eta {}, threads {}, 256 bins, lambda 1, min_child_weight 1\n\n",
               s.rounds, s.depth, s.eta, s.threads);

    std::vector<Result> results;
    results.push_back(run_ours("simtune ridge (CV penalty)", RidgeRegressor{}, train, test));
    GbtOptions gbt{
        .rounds = s.rounds, .max_depth = s.depth, .learning_rate = s.eta, .threads = s.threads, .seed = s.seed};
    results.push_back(run_ours("simtune GBT squared", GradientBoostedTrees(gbt), train, test));
    gbt.objective = GbtObjective::pairwise;
    gbt.min_child_weight = 0.1; // pairwise hessians are small; 1 would block most splits
    results.push_back(run_ours("simtune GBT pairwise", GradientBoostedTrees(gbt), train, test));
#ifdef SIMTUNE_HAVE_XGBOOST
    results.push_back(run_xgboost("XGBoost hist squared, raw columns", s, train, test, false, false));
    results.push_back(run_xgboost("XGBoost hist squared, simtune features", s, train, test, true, false));
    results.push_back(run_xgboost("XGBoost hist rank:pairwise, simtune features", s, train, test, true, true));
#else
    fmt::print("(built without XGBoost: no comparison rows)\n");
#endif
    print(results);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_predictors: %s\n", e.what());
    return 1;
}
