#pragma once
// The estimate's near-tie gate: a ranking rule over a set of candidates, not a prediction per
// candidate. The untrained cycle estimate (predictors/features.hpp) and a trained model err
// differently. On operators like those it was trained on, the model's trees mend the estimate's
// near-ties: candidates a few per cent apart in the estimate, whose true order its nominal costs
// miss. On an operator unlike any trained on, the same trees can overturn the estimate's right pick
// by 1.5× (benchmarks/RESULTS.md, stops 46 and 47). The gate keeps the first and refuses the second:
// the model orders only the candidates the estimate prices within a window of its cheapest; the
// estimate's other candidates follow them, ordered by the model too.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "simtune/error.hpp"

namespace simtune {

/// The window the Tuner gates with by default (TunerOptions::near_tie_window): 4 % above the
/// estimate's cheapest. Chosen by leaving one family out on data the model family had seen
/// (RESULTS.md, stop 46: at 6 % the gate lets the trees overturn a pick the estimate had 5.2 %
/// ahead), then tested, pre-registered, on six families written after it (stop 47).
inline constexpr double default_near_tie_window = 0.04;

/// The largest estimate inside the window: (1 + within) × the smallest finite estimate (infinity
/// when none is finite). Throws Error(invalid_argument) when `within` is negative or NaN.
[[nodiscard]] inline double near_tie_limit(std::span<const double> estimate, double within) {
    if (!(within >= 0)) fail(ErrorKind::invalid_argument, "near-tie gate: window {} is not a fraction >= 0", within);
    double cheapest = INFINITY;
    for (const double e : estimate)
        if (std::isfinite(e)) cheapest = std::min(cheapest, e);
    return cheapest * (1 + within);
}

/// How many candidates are inside the window: those near_tie_order puts first.
[[nodiscard]] inline std::size_t near_tie_count(std::span<const double> estimate, double within) {
    const double limit = near_tie_limit(estimate, within);
    return static_cast<std::size_t>(
        std::ranges::count_if(estimate, [&](double e) { return std::isfinite(e) && e <= limit; }));
}

/// The candidates' order under the gate, as indices into the spans: first those whose `estimate`
/// is at most (1 + within) × the smallest finite estimate, by `model` (ascending; ties keep index
/// order; NaN last), then the others by `model`. A candidate whose estimate is not finite is outside the
/// window. `within` +infinity orders by the model alone. Throws Error(invalid_argument) when the
/// spans' sizes differ or `within` is negative or NaN.
[[nodiscard]] inline std::vector<std::size_t> near_tie_order(std::span<const double> model,
                                                             std::span<const double> estimate, double within) {
    if (model.size() != estimate.size())
        fail(ErrorKind::invalid_argument, "near-tie gate: {} model predictions but {} estimates", model.size(),
             estimate.size());
    const double limit = near_tie_limit(estimate, within);
    auto inside = [&](std::size_t i) { return std::isfinite(estimate[i]) && estimate[i] <= limit; };
    std::vector<std::size_t> order(model.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // A NaN prediction sorts last, so the comparison stays a strict weak order.
    auto key = [&](std::size_t i) { return std::isnan(model[i]) ? INFINITY : model[i]; };
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) {
        if (inside(a) != inside(b)) return inside(a);
        return key(a) < key(b);
    });
    return order;
}

/// The gate's order as a number per candidate: its 1-based position in near_tie_order, which the
/// ranking metrics (predictors/metrics.hpp) can rank by. Positions say nothing about time: a MAPE
/// of them is meaningless. Throws as near_tie_order does.
[[nodiscard]] inline std::vector<double> near_tie_ranks(std::span<const double> model, std::span<const double> estimate,
                                                        double within) {
    const auto order = near_tie_order(model, estimate, within);
    std::vector<double> position(order.size());
    for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = static_cast<double>(p + 1);
    return position;
}

/// The gate applied to each group of rows on its own (a dataset's workloads): per row, its 1-based
/// position in its group's gated order (near_tie_ranks within the group). Throws as near_tie_order
/// does, and when `groups` does not have one entry per row.
[[nodiscard]] inline std::vector<double> near_tie_positions(std::span<const double> model,
                                                            std::span<const double> estimate,
                                                            std::span<const std::string> groups, double within) {
    if (groups.size() != model.size())
        fail(ErrorKind::invalid_argument, "near-tie gate: {} rows but {} group names", model.size(), groups.size());
    std::map<std::string_view, std::vector<std::size_t>> rows_of;
    for (std::size_t i = 0; i < groups.size(); ++i) rows_of[groups[i]].push_back(i);
    std::vector<double> positions(model.size());
    std::vector<double> m, e;
    for (const auto& [group, rows] : rows_of) {
        m.clear();
        e.clear();
        for (const auto i : rows) m.push_back(model[i]), e.push_back(estimate[i]);
        const auto ranks = near_tie_ranks(m, e, within);
        for (std::size_t k = 0; k < rows.size(); ++k) positions[rows[k]] = ranks[k];
    }
    return positions;
}

} // namespace simtune
