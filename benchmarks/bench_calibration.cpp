// Few-shot calibration on operators the model never saw, from a kept dataset (no new timing): each
// workload is held out in turn, a model is trained on the others, and the held-out workload is
// ranked with N = 0, 5, 10, ... of its variants measured (their times looked up in the dataset)
// and the model calibrated on them (tuning/calibration.hpp). Prints a markdown table per model:
// the true best's position in the final order (top-k %), regret and Spearman over all variants,
// the final order being measured times for the N and calibrated predictions for the rest.
//
//   bench_calibration [--dataset FILE] [--simulator unicorn|qemu] [--models gbt-rel-rank,gbt]
//                     [--counts 0,5,10,20] [--seeds 1,2,...] [--holdout workload|family]
//                     [--picks spread|top] [--correction loo|scale] [--top-weight W] [--penalties a,b]
// --picks top measures the predicted top N instead (the naive choice, for comparison);
// --correction scale fits the common scale only (measured times merged into the model's order).
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <simtune/research.hpp>
#include <simtune/tuning/calibration.hpp>
#include <simtune/tuning/dataset.hpp>
#include <simtune/tuning/experiment.hpp>
#include <simtune/util.hpp>

namespace {

struct Row {
    std::string workload;
    std::size_t n = 0;
    std::uint64_t seed = 1;
    simtune::RankingMetrics metrics;
    double spearman_rest = NAN; ///< over the unmeasured variants only
    simtune::CalibrationAgreement agreement;
};

} // namespace

int main(int argc, char** argv) try {
    std::string dataset_file = "benchmarks/experiment-dataset.csv", simulator = "unicorn", holdout = "workload";
    std::string picks_mode = "spread", correction = "loo";
    std::vector<std::string> models{"gbt-rel-rank", "gbt"};
    std::vector<std::size_t> counts{0, 5, 10, 20};
    std::vector<std::uint64_t> seeds{1};
    simtune::ExperimentOptions eo;
    simtune::CalibrationOptions co;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw simtune::Error(simtune::ErrorKind::invalid_argument, a + " needs a value");
            return argv[++i];
        };
        if (a == "--dataset") dataset_file = value();
        else if (a == "--simulator") simulator = value();
        else if (a == "--models") models = simtune::split_list(value());
        else if (a == "--counts") {
            counts.clear();
            for (const auto& c : simtune::split_list(value())) counts.push_back(std::stoul(c));
        } else if (a == "--seeds") {
            seeds.clear();
            for (const auto& v : simtune::split_list(value())) seeds.push_back(std::stoull(v));
        } else if (a == "--holdout") holdout = value();
        else if (a == "--picks") picks_mode = value();
        else if (a == "--correction") correction = value();
        else if (a == "--top-weight") co.top_weight = std::stod(value());
        else if (a == "--penalties") {
            co.penalties.clear();
            for (const auto& v : simtune::split_list(value())) co.penalties.push_back(std::stod(v));
        } else {
            fmt::print(stderr,
                       "usage: {} [--dataset FILE] [--simulator S] [--models a,b] [--counts 0,5,10,20] "
                       "[--holdout workload|family] [--picks spread|top] [--correction loo|scale] [--top-weight W] "
                       "[--penalties a,b] [--seeds 1,2]\n",
                       argv[0]);
            return 2;
        }
    }
    const auto dataset = simtune::Dataset::load_csv(dataset_file);
    auto group_of = [&](const std::string& w) { return holdout == "family" ? simtune::workload_family(w) : w; };
    if (correction == "scale") co.penalties.clear();
    if (correction != "scale" && correction != "loo")
        throw simtune::Error(simtune::ErrorKind::invalid_argument, "--correction: loo or scale");

    fmt::print("Few-shot calibration: {} ({} rows), {} statistics, each {} held out in turn; picks {} (top weight "
               "{:g}), correction {} "
               "(penalties {}), seeds {}\n\n",
               dataset_file, dataset.rows.size(), simulator, holdout, picks_mode, co.top_weight, correction,
               fmt::join(co.penalties, ","), fmt::join(seeds, ","));
    for (const auto& kind : models) {
        std::vector<Row> rows;
        for (const auto& w : dataset.workloads()) {
            const auto held = group_of(w);
            const auto train = dataset.training_set(
                simulator, [&](const simtune::DatasetRow& r) { return group_of(r.workload) != held; });
            const auto model = simtune::train_model(kind, train, eo, "bench");
            const auto test =
                dataset.training_set(simulator, [&](const simtune::DatasetRow& r) { return r.workload == w; });
            std::vector<simtune::Stats> stats;
            for (const auto& r : dataset.rows)
                if (r.workload == w) stats.push_back(r.stats.at(simulator));
            const Eigen::VectorXd p = model.predict(test.features);
            const std::vector<double> predicted(p.data(), p.data() + p.size());
            const std::vector<double> truth(test.seconds.data(), test.seconds.data() + test.seconds.size());
            const auto features = simtune::calibration_features(stats, predicted);
            for (const auto seed : seeds)
                for (const auto n : counts) {
                    std::vector<std::size_t> picks;
                    if (picks_mode == "top") {
                        std::vector<std::size_t> order(predicted.size());
                        std::iota(order.begin(), order.end(), std::size_t{0});
                        std::ranges::stable_sort(order, [&](auto a, auto b) { return predicted[a] < predicted[b]; });
                        picks.assign(order.begin(),
                                     order.begin() + static_cast<std::ptrdiff_t>(std::min(n, order.size())));
                    } else {
                        picks = simtune::pick_calibration_candidates(predicted, features, n, seed, co.top_weight);
                    }
                    std::vector<double> measured;
                    for (const auto i : picks) measured.push_back(truth[i]);
                    co.count = n;
                    co.seed = seed;
                    const auto c = simtune::calibrate(features, predicted, picks, measured, co);
                    Row row{w, n, seed, simtune::ranking_metrics(c.seconds, truth), NAN, c.agreement};
                    std::vector<bool> picked(truth.size(), false);
                    for (const auto i : picks) picked[i] = true;
                    std::vector<double> rest_p, rest_t;
                    for (std::size_t i = 0; i < truth.size(); ++i)
                        if (!picked[i]) rest_p.push_back(c.corrected[i]), rest_t.push_back(truth[i]);
                    if (rest_p.size() >= 2) row.spearman_rest = simtune::spearman(rest_p, rest_t);
                    rows.push_back(row);
                }
        }
        auto number = [](double v, int digits) {
            return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("–");
        };
        fmt::print("### model {}\n\n", kind);
        if (seeds.size() > 1)
            fmt::print("Per workload with seed {}; the summary below is over seeds {}.\n\n", seeds.front(),
                       fmt::join(seeds, ","));
        fmt::print(
            "| held-out workload | N | true best in top-k % | regret % | Spearman (all) | Spearman (unmeasured) | "
            "Spearman on the N: model / calibrated LOO | correction |\n|---|---|---|---|---|---|---|---|\n");
        for (const auto& r : rows)
            if (r.seed == seeds.front())
                fmt::print("| {} | {} | {:.1f} | {:.1f} | {:.3f} | {} | {} / {} | {} |\n", r.workload, r.n,
                           r.metrics.top_k_percent, 100 * r.metrics.regret, r.metrics.spearman,
                           number(r.spearman_rest, 3), number(r.agreement.spearman_model, 2),
                           number(r.agreement.spearman_loo, 2),
                           r.n == 0                          ? std::string("–")
                           : std::isinf(r.agreement.penalty) ? std::string("scale")
                                                             : fmt::format("ridge λ={:g}", r.agreement.penalty));
        fmt::print("\n| N | mean top-k % | worst top-k % | held-out runs (workload × seed) with the true best in the "
                   "top 3 % | mean regret % | worst regret % | mean Spearman (all) | mean Spearman (unmeasured) |\n"
                   "|---|---|---|---|---|---|---|---|\n");
        for (const auto n : counts) {
            double top = 0, worst = 0, regret = 0, worst_regret = 0, rho = 0, rho_rest = 0;
            std::size_t k = 0, at_bar = 0, rest_n = 0;
            for (const auto& r : rows) {
                if (r.n != n) continue;
                ++k;
                top += r.metrics.top_k_percent;
                worst = std::max(worst, r.metrics.top_k_percent);
                regret += r.metrics.regret;
                worst_regret = std::max(worst_regret, r.metrics.regret);
                rho += r.metrics.spearman;
                if (std::isfinite(r.spearman_rest)) rho_rest += r.spearman_rest, ++rest_n;
                at_bar += r.metrics.top_k_percent <= 3.0 ? 1 : 0;
            }
            const double d = static_cast<double>(k);
            fmt::print("| {} | {:.1f} | {:.1f} | {} of {} | {:.1f} | {:.1f} | {:.3f} | {} |\n", n, top / d, worst,
                       at_bar, k, 100 * regret / d, 100 * worst_regret, rho / d,
                       number(rest_n ? rho_rest / static_cast<double>(rest_n) : NAN, 3));
        }
        fmt::print("\n");
    }
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "bench_calibration: {}\n", e.what());
    return 1;
}
