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
#include "simtune/scorer.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/near_tie_gate.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

struct TunerOptions {
    PoolOptions pool; ///< workers, collectors, build options
    /// Measure the best `confirm_top` candidates natively (needs a native target or a command
    /// template in `native`) and order those by measured time.
    std::size_t confirm_top = 0;
    NativeTimingOptions native;
    /// Sampled statistics (SamplingOptions; off by default) for the Tuner made from a model.
    /// Unicorn samples every collector a shipped model reads, the dataflow walk included (in its
    /// warm-ups and windows); QEMU counts exactly when the dataflow collector is in the set.
    SamplingOptions sampling;
    /// The estimate's near-tie gate (tuning/near_tie_gate.hpp): the model orders only the
    /// candidates the untrained cycle estimate prices within this fraction of its cheapest; the
    /// others follow. 0: rank by the model alone. On by default (4 %): on operator families no
    /// model had seen it ranked better than the model alone, pre-registered (benchmarks/RESULTS.md,
    /// "The near-tie gate"). Applies where the model has an estimate (TargetModel::estimate: it
    /// reads MCA's cycles); a Tuner made without one ranks by the model and gated() says so.
    /// Negative or NaN: Error(invalid_argument) from the constructor.
    double near_tie_window = default_near_tie_window;
    /// Non-owning; null = one process. With several ranks, every rank calls rank() with the same
    /// candidates: each simulates and scores its round-robin shard, the root merges the results,
    /// ranks them and alone does the native confirmation while the others wait.
    Collective* collective = nullptr;
};

class Tuner {
public:
    /// The way in: ranks with `model`, simulating with the simulator and collectors it was trained
    /// on (they replace `options.pool.collectors`).
    Tuner(Target target, TargetModel model, TunerOptions options = {});
    /// With any simulator and scorer (a user's own Simulator, or a scorer that is not a model);
    /// `options.pool.collectors` says what each simulation collects.
    Tuner(Target target, SimulatorFactory simulators, Scorer scorer, TunerOptions options = {});

    /// With a screening `estimate` (cycles) for the near-tie gate beside the scorer (empty: none).
    Tuner(Target target, SimulatorFactory simulators, Scorer scorer, Scorer estimate, TunerOptions options);

    /// Simulates and scores every candidate; `on_result` is called (serialised, from worker
    /// threads) as each finishes, so a caller can show results as they arrive. Returns successful
    /// results ordered by predicted time (with the gate: the estimate's near-ties first; the
    /// confirmed top, if any, by measured time), then failed
    /// and cancelled ones in batch order. With a collective, the root returns the ranking and the
    /// other ranks an empty vector; a rank given other candidates throws Error(invalid_argument).
    std::vector<CandidateResult> rank(std::span<const Candidate> candidates,
                                      const std::function<void(const CandidateResult&)>& on_result = {});

    /// Stops a running rank() from any thread (see SimulationPool::cancel).
    void cancel() noexcept { pool_.cancel(); }

    [[nodiscard]] StatsCache& cache() noexcept { return pool_.cache(); }
    [[nodiscard]] const Target& target() const noexcept { return pool_.target(); }
    [[nodiscard]] std::size_t workers() const noexcept { return pool_.workers(); }
    /// Whether rank() applies the near-tie gate: a window above 0 and an estimate to screen with.
    [[nodiscard]] bool gated() const noexcept { return options_.near_tie_window > 0 && estimate_; }

private:
    SimulationPool pool_;
    Scorer scorer_;
    Scorer estimate_;
    TunerOptions options_;
};

/// The overall error of a batch in which nothing could be ranked: throws Error when `results` (what
/// rank() returned) holds candidates and none succeeded, with the first failure's kind and a
/// message that counts the failures by kind and quotes the first one, e.g. "every one of the 12
/// candidates failed (12 tool missing); the first, 'a': compiler 'aarch64-linux-gnu-gcc' ... not
/// found". Returns normally for an empty batch or when at least one candidate was ranked. (rank()
/// itself reports failures as results, so a caller can show each before calling this.)
void require_a_ranked_candidate(std::span<const CandidateResult> results);

} // namespace simtune
