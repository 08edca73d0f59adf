#include "simtune/tuning/experiment.hpp"

#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "simtune/util.hpp"
#include "simtune/error.hpp"
#include "simtune/predictors/any_predictor.hpp"

namespace simtune {

namespace {

AnyPredictor make_model(const std::string& kind, const ExperimentOptions& o) {
    if (kind == "ridge") return RidgeRegressor();
    if (kind == "gbt") {
        GbtOptions g;
        g.rounds = o.gbt_rounds;
        g.max_depth = o.gbt_depth;
        g.seed = o.seed;
        return GradientBoostedTrees(g);
    }
    if (kind == "gbt-rank") {
        GbtOptions g;
        g.rounds = o.gbt_rounds;
        g.max_depth = o.gbt_depth;
        g.seed = o.seed;
        g.objective = GbtObjective::pairwise;
        return GradientBoostedTrees(g);
    }
    fail(ErrorKind::invalid_argument, "unknown model '{}' (ridge, gbt, gbt-rank)", kind);
}

void fit(AnyPredictor& p, const TrainingSet& t) {
    auto model = p.model();
    std::visit([&](auto& m) { m.fit(t); }, model);
    p = std::visit([](auto& m) { return AnyPredictor(std::move(m)); }, model);
}

ExperimentResult evaluate(const AnyPredictor& p, const TrainingSet& test) {
    ExperimentResult r;
    const Eigen::VectorXd predicted = p.predict(test.features);
    r.predicted.assign(predicted.data(), predicted.data() + predicted.size());
    r.measured.assign(test.seconds.data(), test.seconds.data() + test.seconds.size());
    r.metrics = ranking_metrics(r.predicted, r.measured);
    return r;
}

} // namespace

std::vector<ExperimentResult> run_experiment(const Dataset& dataset, const ExperimentOptions& options) {
    if (dataset.rows.empty()) fail(ErrorKind::invalid_data, "the dataset is empty");
    std::vector<ExperimentResult> out;
    const auto workloads = dataset.workloads();
    // Trains every model kind on `train`, ranks `test`, records the metrics.
    auto judge = [&](const char* protocol, const std::string& w, const std::string& sim, const TrainingSet& train,
                     const TrainingSet& test) {
        for (const auto& kind : options.models) {
            auto p = make_model(kind, options);
            fit(p, train);
            auto r = evaluate(p, test);
            r.protocol = protocol;
            r.workload = w;
            r.simulator = sim;
            r.model = kind;
            out.push_back(std::move(r));
        }
    };
    for (const auto& sim : dataset.simulators()) {
        for (const auto& w : workloads) {
            // within: a seeded random split of this workload's rows.
            std::vector<std::string> keys;
            for (const auto& r : dataset.rows)
                if (r.workload == w) keys.push_back(r.key());
            std::uint64_t seed = options.seed;
            for (unsigned char c : w) seed = (seed ^ c) * 0x100000001b3ull; // FNV-1a: one split per workload
            detail::deterministic_shuffle(keys, seed);
            const auto n_train = static_cast<std::size_t>(static_cast<double>(keys.size()) * options.train_fraction);
            std::set<std::string> train_keys(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n_train));
            if (n_train >= 4 && keys.size() - n_train >= 2) {
                const auto train = dataset.training_set(sim, [&](const DatasetRow& r) { return train_keys.contains(r.key()); });
                const auto test = dataset.training_set(sim, [&](const DatasetRow& r) { return r.workload == w && !train_keys.contains(r.key()); });
                judge("within", w, sim, train, test);
            }
            if (workloads.size() >= 2) {
                const auto train = dataset.training_set(sim, [&](const DatasetRow& r) { return r.workload != w; });
                const auto test = dataset.training_set(sim, [&](const DatasetRow& r) { return r.workload == w; });
                judge("lowo", w, sim, train, test);
            }
        }
    }
    return out;
}

std::string experiment_table(const std::vector<ExperimentResult>& results) {
    std::string t = "| protocol | simulator | model | workload | ranked | true best in top-k % | regret % | Spearman | Kendall | MAPE % |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : results)
        t += fmt::format("| {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.3f} | {:.3f} | {:.1f} |\n", r.protocol, r.simulator,
                         r.model, r.workload, r.metrics.candidates, r.metrics.top_k_percent, 100 * r.metrics.regret,
                         r.metrics.spearman, r.metrics.kendall, r.metrics.mape);
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<const ExperimentResult*>> groups;
    for (const auto& r : results) groups[{r.protocol, r.simulator, r.model}].push_back(&r);
    t += "\n| protocol | simulator | model | workloads | worst top-k % | mean top-k % | mean regret % | mean Spearman | mean MAPE % |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& [key, rs] : groups) {
        double worst = 0, top = 0, regret = 0, rho = 0, mape = 0;
        for (const auto* r : rs) {
            worst = std::max(worst, r->metrics.top_k_percent);
            top += r->metrics.top_k_percent;
            regret += r->metrics.regret;
            rho += r->metrics.spearman;
            mape += r->metrics.mape;
        }
        const double n = static_cast<double>(rs.size());
        t += fmt::format("| {} | {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.3f} | {:.1f} |\n", std::get<0>(key), std::get<1>(key),
                         std::get<2>(key), rs.size(), worst, top / n, 100 * regret / n, rho / n, mape / n);
    }
    return t;
}

void save_experiment_points(const std::vector<ExperimentResult>& results, const std::filesystem::path& csv) {
    std::ofstream out(csv);
    out << "protocol,workload,simulator,model,predicted,measured\n";
    for (const auto& r : results)
        for (std::size_t i = 0; i < r.predicted.size(); ++i)
            out << fmt::format("{},{},{},{},{:.9g},{:.9g}\n", r.protocol, r.workload, r.simulator, r.model, r.predicted[i], r.measured[i]);
    if (!out) fail(ErrorKind::io, "cannot write {}", csv.string());
}

} // namespace simtune
