#pragma once
// Workload groups of a training set, and splitting a set by whole groups. Candidates are only
// ever compared within their workload, so cross-validation, validation splits and held-out test
// sets keep each workload whole: a model is judged on workloads it has never seen.
#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "simtune/predictors/training_set.hpp"
#include "simtune/util.hpp"

namespace simtune {

/// Row indices of each workload, in order of first appearance; one group holding every row when
/// `groups` is empty.
[[nodiscard]] inline std::vector<std::vector<Eigen::Index>> group_rows(const std::vector<std::string>& groups,
                                                                       Eigen::Index rows) {
    std::vector<std::vector<Eigen::Index>> out;
    if (groups.empty()) {
        out.emplace_back(static_cast<std::size_t>(rows));
        for (Eigen::Index r = 0; r < rows; ++r) out[0][static_cast<std::size_t>(r)] = r;
        return out;
    }
    std::unordered_map<std::string, std::size_t> index;
    for (Eigen::Index r = 0; r < rows; ++r) {
        const auto [it, inserted] = index.try_emplace(groups[static_cast<std::size_t>(r)], out.size());
        if (inserted) out.emplace_back();
        out[it->second].push_back(r);
    }
    return out;
}

/// The rows `rows` of `data`, in that order (names kept; groups kept if present).
[[nodiscard]] inline TrainingSet subset(const TrainingSet& data, std::span<const Eigen::Index> rows) {
    TrainingSet out;
    out.feature_names = data.feature_names;
    out.features.resize(static_cast<Eigen::Index>(rows.size()), data.features.cols());
    out.seconds.resize(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out.features.row(static_cast<Eigen::Index>(i)) = data.features.row(rows[i]);
        out.seconds[static_cast<Eigen::Index>(i)] = data.seconds[rows[i]];
        if (!data.groups.empty()) out.groups.push_back(data.groups[static_cast<std::size_t>(rows[i])]);
    }
    return out;
}

/// Assigns each group to one of `folds` folds, shuffled by `seed`, sizes as even as possible.
/// Returns the fold of each group (group_rows order).
[[nodiscard]] inline std::vector<int> assign_folds(std::size_t group_count, int folds, std::uint64_t seed) {
    std::vector<std::size_t> order(group_count);
    for (std::size_t i = 0; i < group_count; ++i) order[i] = i;
    std::mt19937_64 rng(seed);
    fisher_yates(order, rng);
    std::vector<int> fold(group_count);
    for (std::size_t i = 0; i < group_count; ++i)
        fold[order[i]] = static_cast<int>(i % static_cast<std::size_t>(folds));
    return fold;
}

} // namespace simtune
