#pragma once
// RidgeRegressor: multiple linear regression with an L2 penalty on log(run time) over the prepared
// features (features.hpp). Closed form, so it fits in milliseconds and is the baseline every other
// predictor must beat. The penalty is chosen by k-fold cross-validation over whole workload groups.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "simtune/predictors/features.hpp"
#include "simtune/predictors/training_set.hpp"

namespace simtune {

struct RidgeOptions {
    /// Candidate penalties λ, minimising mean((y - ŷ)²) + λ·|β|² over standardised features (so λ
    /// does not depend on the number of rows). One value skips cross-validation.
    std::vector<double> penalties{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0};
    int folds = 5;           ///< cross-validation folds (by workload group when there are enough)
    std::uint64_t seed = 42; ///< shuffles groups into folds
    FeatureOptions features{};
    std::string target{}; ///< the target the model is for (stored in the model file)
};

class RidgeRegressor {
public:
    static constexpr std::string_view kind = "ridge";

    explicit RidgeRegressor(RidgeOptions options = {});

    /// Fits on `data`; ErrorKind::invalid_data for bad rows, invalid_argument for bad options.
    void fit(const TrainingSet& data);

    /// Predicted run time in seconds of one raw row (feature_names order).
    [[nodiscard]] double predict(std::span<const double> raw_row) const;
    /// Predicted seconds for every row of `raw_rows`.
    [[nodiscard]] Eigen::VectorXd predict(const Eigen::MatrixXd& raw_rows) const;

    void save(const std::filesystem::path& file) const;
    /// The model file's contents, as save() writes them.
    [[nodiscard]] std::string text() const;
    [[nodiscard]] static RidgeRegressor load(const std::filesystem::path& file);
    /// As load, and the model must have been trained on exactly `expected_features`.
    [[nodiscard]] static RidgeRegressor load(const std::filesystem::path& file,
                                             std::span<const std::string> expected_features);
    /// Reads a model of this kind from `in` (a file or any stream, e.g. a model compiled in).
    [[nodiscard]] static RidgeRegressor read(ModelReader& in, std::span<const std::string> expected_features = {});

    [[nodiscard]] bool fitted() const noexcept { return !weights_.empty(); }
    /// The penalty cross-validation chose.
    [[nodiscard]] double penalty() const noexcept { return penalty_; }
    /// Mean validation MSE of log(time) per candidate penalty (empty if CV was skipped).
    [[nodiscard]] const std::vector<double>& cv_errors() const noexcept { return cv_errors_; }
    /// log(seconds) = intercept() + Σ coefficient · prepared feature, with the prepared feature
    /// before standardisation (log1p of a counter, or a ratio), by prepared-feature name.
    [[nodiscard]] std::vector<std::pair<std::string, double>> coefficients() const;
    [[nodiscard]] double intercept() const;

    [[nodiscard]] const FeaturePipeline& features() const noexcept { return pipeline_; }
    [[nodiscard]] const std::string& target() const noexcept { return options_.target; }
    void set_target(std::string target) { options_.target = std::move(target); }
    [[nodiscard]] const RidgeOptions& options() const noexcept { return options_; }

private:
    [[nodiscard]] ModelWriter writer() const;
    RidgeOptions options_;
    FeaturePipeline pipeline_;
    std::vector<double> weights_; ///< on standardised features
    double bias_ = 0;             ///< on standardised features
    double penalty_ = 0;
    std::vector<double> cv_errors_;
};

} // namespace simtune
