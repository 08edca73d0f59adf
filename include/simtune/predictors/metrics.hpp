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
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/predictors/groups.hpp"

namespace simtune {

namespace detail {

inline void check_metric_input(std::span<const double> predicted, std::span<const double> actual,
                               std::size_t min_size) {
    if (predicted.size() != actual.size())
        fail(ErrorKind::invalid_data, "metrics: {} predictions for {} true times", predicted.size(),
             actual.size());
    if (predicted.size() < min_size)
        fail(ErrorKind::invalid_data, "metrics: need at least {} candidates, got {}", min_size,
             predicted.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        if (!std::isfinite(predicted[i]))
            fail(ErrorKind::invalid_data, "metrics: prediction {} is not finite ({})", i, predicted[i]);
        if (!std::isfinite(actual[i]) || actual[i] <= 0)
            fail(ErrorKind::invalid_data, "metrics: true time {} must be finite and positive, got {}",
                 i, actual[i]);
    }
}

/// 1-based average ranks (ties share the mean of their positions).
inline std::vector<double> average_ranks(std::span<const double> v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double mean_rank = static_cast<double>(i + j) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mean_rank;
        i = j + 1;
    }
    return rank;
}

inline void check_resolution(double resolution) {
    if (!(resolution >= 0) || !std::isfinite(resolution))
        fail(ErrorKind::invalid_data, "metrics: the measurement resolution must be finite and >= 0, got {}", resolution);
}

/// The slowest true time that still ties with the fastest at `resolution`.
inline double tie_limit(std::span<const double> actual, double resolution) {
    return *std::ranges::min_element(actual) * (1.0 + resolution);
}

} // namespace detail

/// Position of the truly fastest candidate (any of the set tied with it at `resolution`) in the
/// predicted ranking, as a percentage of n.
[[nodiscard]] inline double top_k_percent(std::span<const double> predicted,
                                          std::span<const double> actual, double resolution = 0) {
    detail::check_metric_input(predicted, actual, 1);
    detail::check_resolution(resolution);
    const double limit = detail::tie_limit(actual, resolution);
    std::size_t position = predicted.size();
    for (std::size_t i = 0; i < actual.size(); ++i) {
        if (actual[i] > limit) continue;
        // Pessimistic about prediction ties: every candidate predicted <= this one comes first.
        std::size_t p = 0;
        for (double q : predicted) p += q <= predicted[i];
        position = std::min(position, p);
    }
    return 100.0 * static_cast<double>(position) / static_cast<double>(predicted.size());
}

/// True time of the predicted-fastest candidate over the fastest true time, minus 1; 0 if it ties
/// with the fastest at `resolution`.
[[nodiscard]] inline double regret(std::span<const double> predicted,
                                   std::span<const double> actual, double resolution = 0) {
    detail::check_metric_input(predicted, actual, 1);
    detail::check_resolution(resolution);
    const double best_prediction = *std::ranges::min_element(predicted);
    double chosen = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i)
        if (predicted[i] == best_prediction) chosen = std::max(chosen, actual[i]);
    if (chosen <= detail::tie_limit(actual, resolution)) return 0.0;
    return chosen / *std::ranges::min_element(actual) - 1.0;
}

/// Spearman's rank correlation (Pearson on average ranks).
[[nodiscard]] inline double spearman(std::span<const double> predicted,
                                     std::span<const double> actual) {
    detail::check_metric_input(predicted, actual, 2);
    const auto a = detail::average_ranks(predicted), b = detail::average_ranks(actual);
    const double mean = (static_cast<double>(a.size()) + 1.0) / 2.0; // the mean of any ranking
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - mean) * (b[i] - mean);
        saa += (a[i] - mean) * (a[i] - mean);
        sbb += (b[i] - mean) * (b[i] - mean);
    }
    if (saa == 0 || sbb == 0) return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

/// Kendall's tau-b.
[[nodiscard]] inline double kendall_tau_b(std::span<const double> predicted,
                                          std::span<const double> actual) {
    detail::check_metric_input(predicted, actual, 2);
    const std::size_t n = predicted.size();
    long long concordant = 0, discordant = 0, ties_pred = 0, ties_true = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const double dp = predicted[i] - predicted[j], dt = actual[i] - actual[j];
            if (dp == 0) ++ties_pred;
            if (dt == 0) ++ties_true;
            if (dp == 0 || dt == 0) continue;
            ((dp > 0) == (dt > 0) ? concordant : discordant) += 1;
        }
    const auto n0 = static_cast<long long>(n * (n - 1) / 2);
    const double denom =
        std::sqrt(static_cast<double>(n0 - ties_pred) * static_cast<double>(n0 - ties_true));
    if (denom == 0) return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(concordant - discordant) / denom;
}

/// Mean absolute percentage error, in percent.
[[nodiscard]] inline double mape(std::span<const double> predicted, std::span<const double> actual) {
    detail::check_metric_input(predicted, actual, 1);
    double sum = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i)
        sum += std::abs(predicted[i] - actual[i]) / actual[i];
    return 100.0 * sum / static_cast<double>(predicted.size());
}

struct RankingMetrics {
    std::size_t candidates = 0;
    double top_k_percent = 0, regret = 0, spearman = 0, kendall = 0, mape = 0;
};

/// All metrics for one workload's candidates (correlations NaN for a single candidate); top-k %
/// and regret with ties at `resolution`.
[[nodiscard]] inline RankingMetrics ranking_metrics(std::span<const double> predicted,
                                                    std::span<const double> actual, double resolution = 0) {
    RankingMetrics m;
    m.candidates = predicted.size();
    m.top_k_percent = simtune::top_k_percent(predicted, actual, resolution);
    m.regret = simtune::regret(predicted, actual, resolution);
    const bool pairs = predicted.size() >= 2;
    m.spearman = pairs ? simtune::spearman(predicted, actual) : std::numeric_limits<double>::quiet_NaN();
    m.kendall = pairs ? kendall_tau_b(predicted, actual) : std::numeric_limits<double>::quiet_NaN();
    m.mape = simtune::mape(predicted, actual);
    return m;
}

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
    [[nodiscard]] std::string to_string() const {
        std::string out = fmt::format("{:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n", "group", "n",
                                      "top-k%", "regret", "spearman", "kendall", "MAPE%");
        auto line = [&](const std::string& name, const RankingMetrics& m) {
            out += fmt::format("{:<24} {:>6} {:>8.2f} {:>8.4f} {:>8.4f} {:>8.4f} {:>8.2f}\n", name,
                               m.candidates, m.top_k_percent, m.regret, m.spearman, m.kendall,
                               m.mape);
        };
        for (const auto& g : groups) line(g.group, g.metrics);
        line("mean", mean);
        line("worst", worst);
        return out;
    }
};

/// Metrics per workload group (group_rows order; one group "all" when `groups` is empty); top-k %
/// and regret with ties at `resolution`.
[[nodiscard]] inline MetricsTable metrics_by_group(std::span<const double> predicted,
                                                   std::span<const double> actual,
                                                   const std::vector<std::string>& groups,
                                                   double resolution = 0) {
    detail::check_metric_input(predicted, actual, 1);
    if (!groups.empty() && groups.size() != predicted.size())
        fail(ErrorKind::invalid_data, "metrics: {} group labels for {} candidates", groups.size(),
             predicted.size());
    MetricsTable table;
    const auto rows = group_rows(groups, static_cast<Eigen::Index>(predicted.size()));
    for (const auto& members : rows) {
        std::vector<double> p, a;
        for (auto r : members) {
            p.push_back(predicted[static_cast<std::size_t>(r)]);
            a.push_back(actual[static_cast<std::size_t>(r)]);
        }
        table.groups.push_back({groups.empty() ? std::string("all")
                                               : groups[static_cast<std::size_t>(members[0])],
                                ranking_metrics(p, a, resolution)});
    }
    auto& mean = table.mean;
    auto& worst = table.worst;
    worst.spearman = worst.kendall = std::numeric_limits<double>::infinity();
    std::size_t correlated = 0;
    for (const auto& g : table.groups) {
        const auto& m = g.metrics;
        mean.candidates += m.candidates;
        mean.top_k_percent += m.top_k_percent;
        mean.regret += m.regret;
        mean.mape += m.mape;
        worst.candidates = std::max(worst.candidates, m.candidates);
        worst.top_k_percent = std::max(worst.top_k_percent, m.top_k_percent);
        worst.regret = std::max(worst.regret, m.regret);
        worst.mape = std::max(worst.mape, m.mape);
        if (!std::isnan(m.spearman) && !std::isnan(m.kendall)) {
            ++correlated;
            mean.spearman += m.spearman;
            mean.kendall += m.kendall;
            worst.spearman = std::min(worst.spearman, m.spearman);
            worst.kendall = std::min(worst.kendall, m.kendall);
        }
    }
    const auto g = static_cast<double>(table.groups.size());
    mean.top_k_percent /= g;
    mean.regret /= g;
    mean.mape /= g;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    mean.spearman = correlated ? mean.spearman / static_cast<double>(correlated) : nan;
    mean.kendall = correlated ? mean.kendall / static_cast<double>(correlated) : nan;
    if (!correlated) worst.spearman = worst.kendall = nan;
    return table;
}

} // namespace simtune
