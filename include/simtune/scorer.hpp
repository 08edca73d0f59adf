#pragma once
// Scoring: how a candidate's Stats become predicted seconds. A TargetModel is a Scorer together with
// what it must be fed — the simulator and the collectors its training statistics came from — so a
// caller hands a Tuner or predict() one value and never matches a model to a simulator by hand.
#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/collectors/selection.hpp"
#include "simtune/error.hpp"
#include "simtune/concepts.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

/// Scores a candidate's Stats: predicted seconds. Must be callable from several threads at once.
using Scorer = std::function<double(const Stats&)>;

/// The Stats counters named `names`, as indices in feature order. `who` names the model in the
/// error for a name that is no counter ("<who>'s feature 'x' is not a simulator counter").
inline std::vector<std::size_t> stats_columns(std::span<const std::string> names, std::string_view who) {
    std::vector<std::size_t> columns;
    for (const auto& name : names) {
        const std::size_t column = Stats::feature_index(name);
        if (column == Stats::feature_count)
            fail(ErrorKind::invalid_model, "{}'s feature '{}' is not a simulator counter", who, name);
        columns.push_back(column);
    }
    return columns;
}

/// A Scorer that hands `predict` (callable on a span of doubles) the counters at `columns`, in
/// that order: a model is fed the counters it names, so one trained before counters were appended
/// to Stats (or on a subset) keeps predicting.
template <class Predict>
Scorer scorer_over(std::vector<std::size_t> columns, Predict predict) {
    return [columns = std::move(columns), predict = std::move(predict)](const Stats& stats) {
        std::array<double, Stats::feature_count> row{};
        for (std::size_t i = 0; i < columns.size(); ++i) row[i] = static_cast<double>(stats.counter(columns[i]));
        return static_cast<double>(predict(std::span<const double>(row.data(), columns.size())));
    };
}

/// A Scorer from any Predictor (kept alive by the scorer).
template <Predictor P>
Scorer make_scorer(std::shared_ptr<const P> predictor) {
    if constexpr (requires { predictor->features().raw_names(); }) {
        // A predictor that names its raw features (simtune's do) is fed those Stats counters by name.
        return scorer_over(stats_columns(predictor->features().raw_names(), "the predictor"),
                           [predictor](std::span<const double> row) { return predictor->predict(row); });
    } else {
        return [predictor](const Stats& stats) {
            const auto row = stats.to_features();
            return static_cast<double>(predictor->predict(std::span<const double>(row)));
        };
    }
}

/// A trained model as a scorer plus what it needs: the simulator and collectors its training
/// data came from (a model trained on QEMU stats must be fed QEMU stats).
struct TargetModel {
    Scorer scorer;
    /// The untrained cycle estimate (cycle_estimate(), predictors/features.hpp) over the counters
    /// the model reads, in cycles: what the near-tie gate (tuning/near_tie_gate.hpp) screens with.
    /// Empty when the model does not read MCA's cycles (no estimate worth gating by).
    Scorer estimate;
    SimulatorKind simulator = SimulatorKind::unicorn;
    CollectorSelection collectors;
    std::string description;
};

/// What a model file records as the target it was trained for: "<target>@<simulator>", e.g.
/// "host-x86-64@unicorn" (a predictor's `target` option when it is trained for simtune).
inline std::string model_tag(std::string_view target_name, SimulatorKind simulator) {
    return fmt::format("{}@{}", target_name, simulator);
}

/// Loads a model file written by a predictor's save() (either kind) as a TargetModel.
TargetModel load_target_model(const std::filesystem::path& file);

/// The default model for `target`: one registered with set_default_model, else the pretrained
/// model shipped with simtune for that target. Throws Error(invalid_model) if there is none.
TargetModel default_model(const Target& target);
/// Registers `model` as the default for targets named `target_name` (thread-safe).
void set_default_model(const std::string& target_name, TargetModel model);

} // namespace simtune
