#pragma once
// Tuner: ranks a batch of candidate implementations by predicted run time: a SimulationPool
// builds and simulates them, a Scorer (any Predictor) turns each candidate's Stats into seconds,
// and optionally the best few are confirmed by native measurement, as autotuners do before
// committing to a choice.
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "simtune/build.hpp"
#include "simtune/collectors/selection.hpp"
#include "simtune/concepts.hpp"
#include "simtune/distributed/collective.hpp"
#include "simtune/error.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

/// Scores a candidate's Stats: predicted seconds. Must be callable from several threads at once.
using Scorer = std::function<double(const Stats&)>;

/// A Scorer from any Predictor (kept alive by the scorer). A predictor that names its raw features
/// (features().raw_names(), as simtune's do) is fed those Stats counters by name, so one trained on
/// a dataset without the appended counters keeps working; any other gets every counter in order.
template <Predictor P>
Scorer make_scorer(std::shared_ptr<const P> predictor) {
    if constexpr (requires { predictor->features().raw_names(); }) {
        std::vector<std::size_t> columns;
        for (const auto& name : predictor->features().raw_names()) {
            const std::size_t column = Stats::feature_index(name);
            if (column == Stats::feature_count)
                fail(ErrorKind::invalid_model, "the predictor's feature '{}' is not a simulator counter", name);
            columns.push_back(column);
        }
        return [predictor, columns = std::move(columns)](const Stats& stats) {
            std::array<double, Stats::feature_count> row{};
            for (std::size_t i = 0; i < columns.size(); ++i) row[i] = static_cast<double>(stats.counter(columns[i]));
            return static_cast<double>(predictor->predict(std::span<const double>(row.data(), columns.size())));
        };
    } else {
        return [predictor](const Stats& stats) {
            const auto row = stats.to_features();
            return static_cast<double>(predictor->predict(std::span<const double>(row)));
        };
    }
}

struct TunerOptions {
    PoolOptions pool;                     ///< workers, collectors, build options
    /// Measure the best `confirm_top` candidates natively (needs a native target or a command
    /// template in `native`) and order those by measured time.
    std::size_t confirm_top = 0;
    NativeTimingOptions native;
    /// Non-owning; null = one process. With several ranks, every rank calls rank() with the same
    /// candidates: each simulates and scores its round-robin shard, the root merges the results,
    /// ranks them and alone does the native confirmation while the others wait.
    Collective* collective = nullptr;
};

class Tuner {
public:
    Tuner(Target target, SimulatorFactory simulators, Scorer scorer, TunerOptions options = {});

    /// Simulates and scores every candidate; `on_result` is called (serialised, from worker
    /// threads) as each finishes, so a caller can show results as they arrive. Returns successful
    /// results ordered by predicted time (the confirmed top, if any, by measured time), then failed
    /// and cancelled ones in batch order. With a collective, the root returns the ranking and the
    /// other ranks an empty vector; a rank given other candidates throws Error(invalid_argument).
    std::vector<CandidateResult> rank(std::span<const Candidate> candidates,
                                      const std::function<void(const CandidateResult&)>& on_result = {});

    /// Stops a running rank() from any thread (see SimulationPool::cancel).
    void cancel() noexcept { pool_.cancel(); }

    [[nodiscard]] StatsCache& cache() noexcept { return pool_.cache(); }
    [[nodiscard]] const Target& target() const noexcept { return pool_.target(); }
    [[nodiscard]] std::size_t workers() const noexcept { return pool_.workers(); }

private:
    SimulationPool pool_;
    Scorer scorer_;
    TunerOptions options_;
};

} // namespace simtune
