// The ranking metrics; their definitions and conventions are in metrics.hpp.
#include "simtune/predictors/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/predictors/groups.hpp"

namespace simtune {

namespace {

/// Throws unless `predicted` and `actual` are alike in size, at least `min_size` long, finite, and
/// `actual` positive.
void check_metric_input(std::span<const double> predicted, std::span<const double> actual, std::size_t min_size) {
    if (predicted.size() != actual.size())
        fail(ErrorKind::invalid_data, "metrics: {} predictions for {} true times", predicted.size(), actual.size());
    if (predicted.size() < min_size)
        fail(ErrorKind::invalid_data, "metrics: need at least {} candidates, got {}", min_size, predicted.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        if (!std::isfinite(predicted[i]))
            fail(ErrorKind::invalid_data, "metrics: prediction {} is not finite ({})", i, predicted[i]);
        if (!std::isfinite(actual[i]) || actual[i] <= 0)
            fail(ErrorKind::invalid_data, "metrics: true time {} must be finite and positive, got {}", i, actual[i]);
    }
}

/// 1-based average ranks (ties share the mean of their positions).
std::vector<double> average_ranks(std::span<const double> v) {
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

void check_resolution(double resolution) {
    if (!(resolution >= 0) || !std::isfinite(resolution))
        fail(ErrorKind::invalid_data, "metrics: the measurement resolution must be finite and >= 0, got {}",
             resolution);
}

/// The slowest true time that still ties with the fastest at `resolution`.
double tie_limit(std::span<const double> actual, double resolution) {
    return *std::ranges::min_element(actual) * (1.0 + resolution);
}

} // namespace

double top_k_percent(std::span<const double> predicted, std::span<const double> actual, double resolution) {
    check_metric_input(predicted, actual, 1);
    check_resolution(resolution);
    const double limit = tie_limit(actual, resolution);
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

double regret(std::span<const double> predicted, std::span<const double> actual, double resolution) {
    check_metric_input(predicted, actual, 1);
    check_resolution(resolution);
    const double best_prediction = *std::ranges::min_element(predicted);
    double chosen = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i)
        if (predicted[i] == best_prediction) chosen = std::max(chosen, actual[i]);
    if (chosen <= tie_limit(actual, resolution)) return 0.0;
    return chosen / *std::ranges::min_element(actual) - 1.0;
}

double spearman(std::span<const double> predicted, std::span<const double> actual) {
    check_metric_input(predicted, actual, 2);
    const auto a = average_ranks(predicted), b = average_ranks(actual);
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

double kendall_tau_b(std::span<const double> predicted, std::span<const double> actual) {
    check_metric_input(predicted, actual, 2);
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
    const double denom = std::sqrt(static_cast<double>(n0 - ties_pred) * static_cast<double>(n0 - ties_true));
    if (denom == 0) return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(concordant - discordant) / denom;
}

double mape(std::span<const double> predicted, std::span<const double> actual) {
    check_metric_input(predicted, actual, 1);
    double sum = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) sum += std::abs(predicted[i] - actual[i]) / actual[i];
    return 100.0 * sum / static_cast<double>(predicted.size());
}

RankingMetrics ranking_metrics(std::span<const double> predicted, std::span<const double> actual, double resolution) {
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

std::string MetricsTable::to_string() const {
    std::string out = fmt::format("{:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n", "group", "n", "top-k%", "regret",
                                  "spearman", "kendall", "MAPE%");
    auto line = [&](const std::string& name, const RankingMetrics& m) {
        out += fmt::format("{:<24} {:>6} {:>8.2f} {:>8.4f} {:>8.4f} {:>8.4f} {:>8.2f}\n", name, m.candidates,
                           m.top_k_percent, m.regret, m.spearman, m.kendall, m.mape);
    };
    for (const auto& g : groups) line(g.group, g.metrics);
    line("mean", mean);
    line("worst", worst);
    return out;
}

MetricsTable metrics_by_group(std::span<const double> predicted, std::span<const double> actual,
                              const std::vector<std::string>& groups, double resolution) {
    check_metric_input(predicted, actual, 1);
    if (!groups.empty() && groups.size() != predicted.size())
        fail(ErrorKind::invalid_data, "metrics: {} group labels for {} candidates", groups.size(), predicted.size());
    MetricsTable table;
    const auto rows = group_rows(groups, static_cast<Eigen::Index>(predicted.size()));
    for (const auto& members : rows) {
        std::vector<double> p, a;
        for (auto r : members) {
            p.push_back(predicted[static_cast<std::size_t>(r)]);
            a.push_back(actual[static_cast<std::size_t>(r)]);
        }
        table.groups.push_back({groups.empty() ? std::string("all") : groups[static_cast<std::size_t>(members[0])],
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
