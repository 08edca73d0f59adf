#pragma once
// What predictors learn from: one row of raw simulator counters per implementation variant,
// its measured run time, and the workload it belongs to (candidates are only ever ranked against
// other candidates of the same workload).
#include <string>
#include <vector>

#include <Eigen/Core>

namespace simtune {

struct TrainingSet {
    std::vector<std::string> feature_names; ///< column names; usually Stats::feature_names()
    Eigen::MatrixXd features;               ///< rows = variants, raw counters (not yet scaled)
    Eigen::VectorXd seconds;                ///< measured run time of each row, > 0
    std::vector<std::string> groups;        ///< workload of each row; empty means one workload

    [[nodiscard]] Eigen::Index rows() const noexcept { return features.rows(); }
};

} // namespace simtune
