// How well the untrained analytic cost model ranks where that can be checked: this machine's
// measured dataset (benchmarks/experiment-dataset.csv: 6 workloads × 120 variants, Unicorn Stats
// and native times). Per workload: Spearman, the true best's position in the analytic ranking
// (top-k %, metrics.hpp), and the regret of the analytic pick — next to the trained GBT's figures
// under the fair protocol for a model that never saw the workload (lofo: trained on the other
// five workloads), computed here by run_experiment.
//
// Usage: bench_analytic_model [dataset.csv] [--no-gbt]
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <simtune/research.hpp>

using namespace simtune;

int main(int argc, char** argv) try {
    std::string csv = "benchmarks/experiment-dataset.csv";
    bool gbt = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--no-gbt")) gbt = false;
        else csv = argv[i];
    }
    const auto dataset = Dataset::load_csv(csv);
    const auto host = host_x86_64();
    const auto core = core_model_for(host);
    const auto model = analytic_model(host, core);

    // The GBT trained on the other workloads' Unicorn Stats (lowo), per workload.
    std::map<std::string, RankingMetrics> trained;
    if (gbt) {
        ExperimentOptions options;
        options.models = {"gbt"};
        for (const auto& r : run_experiment(dataset, options))
            if (r.protocol == "lofo" && r.simulator == "unicorn") trained[r.workload] = r.metrics;
    }

    fmt::print("analytic model: {} at {} GHz ({}), scored on {} rows of {}\n", core.name, core.ghz, core.source,
               dataset.rows.size(), csv);
    fmt::print("{:<30} {:>4} | {:>8} {:>7} {:>8} {:>6} | {:>8} {:>7} {:>8} | {}\n", "workload", "n", "spearman",
               "top-k%", "regret%", "MAPE%", "gbt rho", "gbt k%", "gbt reg%", "analytic bound of the true best");
    std::vector<double> all_p, all_t;
    std::vector<std::string> groups;
    for (const auto& w : dataset.workloads()) {
        std::vector<double> predicted, measured;
        std::string best_bound;
        double best_time = 1e300;
        for (const auto& row : dataset.rows) {
            if (row.workload != w) continue;
            const auto& stats = row.stats.at("unicorn");
            predicted.push_back(model.scorer(stats));
            measured.push_back(row.seconds);
            if (row.seconds < best_time) {
                best_time = row.seconds;
                best_bound = analytic_breakdown(stats, core).explain();
            }
            groups.push_back(w);
        }
        all_p.insert(all_p.end(), predicted.begin(), predicted.end());
        all_t.insert(all_t.end(), measured.begin(), measured.end());
        const auto m = ranking_metrics(predicted, measured);
        const auto it = trained.find(w);
        const auto g = it == trained.end() ? std::string(" (not run)")
                                           : fmt::format("{:>8.3f} {:>7.1f} {:>8.1f}", it->second.spearman,
                                                         it->second.top_k_percent, 100 * it->second.regret);
        fmt::print("{:<30} {:>4} | {:>8.3f} {:>7.1f} {:>8.1f} {:>6.0f} | {} | {}\n", w, m.candidates, m.spearman,
                   m.top_k_percent, 100 * m.regret, m.mape, g, best_bound);
    }
    const auto table = metrics_by_group(all_p, all_t, groups);
    fmt::print("{:<30} {:>4} | {:>8.3f} {:>7.1f} {:>8.1f} {:>6.0f}\n", "mean over workloads", table.mean.candidates,
               table.mean.spearman, table.mean.top_k_percent, 100 * table.mean.regret, table.mean.mape);
    fmt::print("{:<30} {:>4} | {:>8.3f} {:>7.1f} {:>8.1f} {:>6.0f}\n", "worst workload", table.worst.candidates,
               table.worst.spearman, table.worst.top_k_percent, 100 * table.worst.regret, table.worst.mape);
    if (!trained.empty()) {
        std::vector<RankingMetrics> g;
        double rho = 0, k = 0, reg = 0;
        for (const auto& [w, m] : trained) {
            rho += m.spearman;
            k += m.top_k_percent;
            reg += m.regret;
        }
        const auto n = static_cast<double>(trained.size());
        fmt::print("{:<30} {:>4} | {:>8} {:>7} {:>8} {:>6} | {:>8.3f} {:>7.1f} {:>8.1f}\n", "gbt (lofo) mean", "", "",
                   "", "", "", rho / n, k / n, 100 * reg / n);
    }
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "bench_analytic_model: {}\n", e.what());
    return 1;
}
