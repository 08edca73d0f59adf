#pragma once
// How good a predictor is for tuning. A tuner keeps the candidates predicted fastest, so what
// matters is where the truly fastest candidate lands in the predicted ranking (top-k %) and what
// picking the predicted best costs (regret); rank correlations and MAPE describe the whole ranking
// and the absolute error. Every metric compares candidates of ONE workload; metrics_by_group
// computes them per workload and summarises.
//
// Conventions (both vectors hold seconds, lower is better, same candidate order):
// - top_k_percent: sort candidates by predicted time, ascending. p = the 1-based position of the
//   truly fastest candidate, where a candidate whose prediction ties with others is placed after
//   all of them (pessimistic); if several candidates share the fastest true time, the best placed
//   of them counts. top-k % = 100 · p / n. A perfect ranking of 200 gives 0.5 %; the true best at
//   3rd of 200 gives 1.5 %; "within top 1 %" means top_k_percent <= 1.
// - regret: true time of the predicted-fastest candidate / fastest true time − 1 (0 is perfect);
//   among candidates tied for the smallest prediction, the slowest counts (pessimistic).
// - spearman: Pearson correlation of the average ranks (ties share their mean rank).
// - kendall: Kendall's tau-b, (concordant − discordant) / sqrt((n0 − ties_pred)(n0 − ties_true))
//   over all n0 = n(n−1)/2 pairs; O(n²), meant for groups of hundreds to a few thousand.
//   Both correlations are NaN when either side is constant (undefined), and ignored in means.
// - mape: 100 · mean(|predicted − true| / true), in percent.
//
// Measurement resolution (ties). Measured times are noisy: two variants whose true times differ by
// less than the measurement's resolution r (a relative figure, e.g. 0.03 for 3 %; native timing
// states it, see tuning/native.hpp half_agreement) cannot be told apart. With a resolution r > 0
// the true best is a SET: every candidate whose true time is within r of the fastest one
// (actual <= (1 + r) · min). Then
// - top_k_percent: the best predicted position (pessimistic about prediction ties, as above) of
//   any member of the set;
// - regret: 0 if the candidate charged (the predicted best; the slowest of a prediction tie) is in
//   the set, else its true time over the fastest true time − 1 (as without ties).
// r = 0 is the exact definition above (the set is the candidates sharing the fastest time).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "simtune/error.hpp"

namespace simtune {

// Every function throws Error(invalid_data) when the two vectors differ in length, hold fewer
// candidates than the metric needs (one; two for the correlations), a prediction is not finite or a
// true time is not finite and positive, or (where taken) the resolution is not finite and >= 0.

/// Position of the truly fastest candidate (any of the set tied with it at `resolution`) in the
/// predicted ranking, as a percentage of n.
[[nodiscard]] double top_k_percent(std::span<const double> predicted, std::span<const double> actual,
                                   double resolution = 0);

/// True time of the predicted-fastest candidate over the fastest true time, minus 1; 0 if it ties
/// with the fastest at `resolution`.
[[nodiscard]] double regret(std::span<const double> predicted, std::span<const double> actual, double resolution = 0);

/// Spearman's rank correlation (Pearson on average ranks).
[[nodiscard]] double spearman(std::span<const double> predicted, std::span<const double> actual);

/// Kendall's tau-b.
[[nodiscard]] double kendall_tau_b(std::span<const double> predicted, std::span<const double> actual);

/// Mean absolute percentage error, in percent.
[[nodiscard]] double mape(std::span<const double> predicted, std::span<const double> actual);

struct RankingMetrics {
    std::size_t candidates = 0;
    double top_k_percent = 0, regret = 0, spearman = 0, kendall = 0, mape = 0;
};

/// All metrics for one workload's candidates (correlations NaN for a single candidate); top-k %
/// and regret with ties at `resolution`.
[[nodiscard]] RankingMetrics ranking_metrics(std::span<const double> predicted, std::span<const double> actual,
                                             double resolution = 0);

struct GroupMetrics {
    std::string group;
    RankingMetrics metrics;
};

/// Per-workload metrics and their summary: `mean` averages each metric over groups (each group
/// weighs the same; NaN correlations skipped; `candidates` is the total), `worst` holds the worst
/// value of each metric (`candidates`: the largest group).
struct MetricsTable {
    std::vector<GroupMetrics> groups;
    RankingMetrics mean;
    RankingMetrics worst;

    /// A fixed-width text table, one line per group plus mean and worst.
    [[nodiscard]] std::string to_string() const;
};

/// Metrics per workload group (group_rows order; one group "all" when `groups` is empty); top-k %
/// and regret with ties at `resolution`. Also throws Error(invalid_data) when `groups` is neither
/// empty nor one label per candidate.
[[nodiscard]] MetricsTable metrics_by_group(std::span<const double> predicted, std::span<const double> actual,
                                            const std::vector<std::string>& groups, double resolution = 0);

} // namespace simtune
