#pragma once
// The paper's experiment on a dataset: how well predictors trained on simulator statistics rank
// candidates they have not seen, per workload, under two protocols:
//   within: train on a random part of the workload's own variants, rank the rest;
//   lowo:   leave one workload out — train on all the other workloads, rank this one.
#include <cstdint>
#include <string>
#include <vector>

#include "simtune/predictors/metrics.hpp"
#include "simtune/tuning/dataset.hpp"

namespace simtune {

struct ExperimentOptions {
    double train_fraction = 0.5;                    ///< within: share of a workload's variants trained on
    std::uint64_t seed = 7;
    std::vector<std::string> models{"ridge", "gbt"};
    int gbt_rounds = 200;
    int gbt_depth = 6;
};

struct ExperimentResult {
    std::string protocol;   ///< "within" or "lowo"
    std::string workload;
    std::string simulator;
    std::string model;
    RankingMetrics metrics; ///< over the ranked (test) variants
    std::vector<double> predicted, measured; ///< per test variant, seconds
};

std::vector<ExperimentResult> run_experiment(const Dataset& dataset, const ExperimentOptions& options = {});

/// A markdown table: one line per result, plus a summary line per (protocol, simulator, model).
std::string experiment_table(const std::vector<ExperimentResult>& results);

/// Writes predicted vs measured points as CSV (protocol,workload,simulator,model,predicted,measured)
/// for plotting (benchmarks/plot_experiment.py).
void save_experiment_points(const std::vector<ExperimentResult>& results, const std::filesystem::path& csv);

} // namespace simtune
