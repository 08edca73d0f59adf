#pragma once
// Few-shot calibration: a model trained on other operators ranks a user's own kernel; measuring a
// handful of its candidates (N, typically 5–10) on the real CPU adapts the model to this kernel
// before the rest are ranked. Three steps:
//
//  1. pick N informative candidates — spread over the predicted order and over the feature space,
//     never just the predicted top N (pick_calibration_candidates);
//  2. measure them (natively, through a board's command, or from times measured elsewhere);
//  3. fit a small per-kernel correction of the model on the N and rank the rest with it; the
//     measured candidates keep their measured times in the ranking (calibrate).
//
// The correction (why it is this simple): log(measured / predicted) is regressed on the candidates'
// log counters and log prediction, standardised over all candidates of the kernel, by ridge
// regression with a free intercept. The intercept alone only rescales the model (so measured and
// predicted times are comparable in one ranking); the slopes re-order the unmeasured candidates
// where the model's errors follow a counter (e.g. it underrates cache misses on this kernel). With
// 5–20 points, anything richer overfits; the penalty is chosen among strong ones by leave-one-out
// on the N, and "intercept only" is one of the choices, so a kernel where the slopes do not help
// out of sample keeps the model's order. benchmarks/RESULTS.md ("Few-shot calibration") measures
// the choices.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "simtune/stats.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

struct CalibrationOptions {
    std::size_t count = 0;  ///< N, the candidates to measure; 0: no calibration
    std::uint64_t seed = 1; ///< the order strata are filled in (picks are deterministic for a seed)
    /// How much the strata shrink towards the predicted top (pick_calibration_candidates). 2, not
    /// 1: on unseen operators equal strata spent most picks far from where the best lies; strata
    /// growing quadratically took the true best into the top 3 % at N = 10 for 6 of 6 held-out
    /// workloads against 4 of 6 (benchmarks/RESULTS.md, "Few-shot calibration").
    double top_weight = 2.0;
    /// Ridge penalties λ tried for the correction's slopes (mean squared error + λ·|w|² over
    /// standardised features); leave-one-out on the N chooses among them and the intercept-only
    /// correction, preferring the stronger penalty on ties. Empty: intercept only.
    std::vector<double> penalties{30.0, 10.0, 3.0, 1.0};
    /// Fewer measured candidates than this: intercept only (a slope needs points to be checked on).
    std::size_t min_for_slopes = 5;
};

/// What calibration sees of each candidate: log1p of every Stats counter and the log of the
/// model's prediction, each standardised over the candidates given (no measured times needed);
/// constant columns are dropped. Rows = candidates.
[[nodiscard]] Eigen::MatrixXd calibration_features(std::span<const Stats> stats, std::span<const double> predicted);

/// Which candidates to measure, as indices into `predicted` in pick order: the predicted best
/// first (what a tuner confirms anyway), then one candidate from each of count − 1 strata of the
/// rest of the predicted order (bounds at the quantiles (k/(count−1))^top_weight: equal strata for
/// 1, strata shrinking towards the predicted top for more), each the candidate of its stratum
/// farthest (in `features`, e.g. calibration_features) from those already picked. All of them if
/// count ≥ size.
[[nodiscard]] std::vector<std::size_t> pick_calibration_candidates(std::span<const double> predicted,
                                                                   const Eigen::MatrixXd& features, std::size_t count,
                                                                   std::uint64_t seed = 1, double top_weight = 2.0);

/// How well the model, and the calibrated model, agree with the measured candidates.
struct CalibrationAgreement {
    std::size_t measured = 0;
    /// Spearman of the model's predictions against the measured times on the N.
    double spearman_model = std::numeric_limits<double>::quiet_NaN();
    /// Spearman of leave-one-out calibrated predictions (each from a correction fitted without
    /// that candidate) against the measured times on the N: what to expect on the rest. NaN below
    /// 3 measured candidates.
    double spearman_loo = std::numeric_limits<double>::quiet_NaN();
    /// The penalty chosen; infinity: intercept only.
    double penalty = std::numeric_limits<double>::infinity();
};

struct Calibration {
    /// Per candidate: the measured time of a measured one, the corrected prediction otherwise —
    /// the figures to rank by.
    std::vector<double> seconds;
    /// Per candidate: the corrected prediction (also for measured ones).
    std::vector<double> corrected;
    double intercept = 0;        ///< log-scale shift of every prediction
    std::vector<double> weights; ///< per feature column (zeros for intercept only)
    CalibrationAgreement agreement;
};

/// Fits the correction on the measured candidates (`picks`, with `measured` seconds in the same
/// order) and applies it to all. `features` rows and `predicted` are per candidate. Throws
/// Error(invalid_argument) for mismatched sizes, repeated or out-of-range picks, and
/// Error(invalid_data) for a measured or predicted time that is not finite and positive.
[[nodiscard]] Calibration calibrate(const Eigen::MatrixXd& features, std::span<const double> predicted,
                                    std::span<const std::size_t> picks, std::span<const double> measured,
                                    const CalibrationOptions& options = {});

// ---- on a Tuner's results -----------------------------------------------------------------------

/// Measures candidates: seconds per candidate, in the order given. Throws Error naming a candidate
/// it cannot measure.
using CalibrationMeasure = std::function<std::vector<double>(std::span<const CandidateResult>)>;

/// Times the candidates' binaries with NativeRunner (natively, or through options.command_template
/// on a board).
[[nodiscard]] CalibrationMeasure measure_natively(NativeTimingOptions options);
/// Looks the candidates up in times measured elsewhere (import_times_csv): by name, or by
/// "<workload>/<name>" when `workload` is given. Throws Error(invalid_data) listing every candidate
/// without a time, and naming `origin` (e.g. the file).
[[nodiscard]] CalibrationMeasure measure_from_times(std::map<std::string, double> times, std::string origin,
                                                    std::string workload = {});

struct CalibratedRanking {
    /// Successful candidates by calibrated seconds (measured ones carry measured_seconds), then
    /// the failures as given.
    std::vector<CandidateResult> ranking;
    std::vector<double> calibrated_seconds; ///< per ranking entry; NaN for failures
    std::vector<std::string> picks;         ///< the measured candidates' names, in pick order
    CalibrationAgreement agreement;
};

/// The names calibrate_ranking would measure for `ranked` (Tuner::rank's results), without
/// measuring: what to time on a board before handing the times over.
[[nodiscard]] std::vector<std::string> calibration_picks(std::span<const CandidateResult> ranked,
                                                         const CalibrationOptions& options);

/// Picks options.count of `ranked`'s successful candidates, measures them with `measure`, and
/// re-ranks all with the calibrated model. count 0 returns the ranking as given. Throws
/// Error(invalid_argument) if fewer than 2 candidates succeeded.
[[nodiscard]] CalibratedRanking calibrate_ranking(std::vector<CandidateResult> ranked,
                                                  const CalibrationOptions& options, const CalibrationMeasure& measure);

} // namespace simtune
