#pragma once
// GradientBoostedTrees: histogram-based gradient boosting over the prepared features, on
// log(run time) (squared loss) or on the order of candidates within each workload (pairwise
// logistic loss, RankNet-style, with sampled pairs). Trees grow level by level to max_depth like
// XGBoost's `hist`; split finding uses per-feature quantile bins (at most 256), the smaller child's
// histogram is built and the sibling's obtained by subtraction, and the work of each level runs on
// a fixed pool of threads. Results are bit-identical for a seed whatever the thread count.
//
// Prediction walks trees stored as complete binary trees in flat arrays (a node that stopped
// early forwards every row to its left descendants), so a walk is exactly max_depth branch-free
// steps and several trees are walked at once.
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

enum class GbtObjective {
    squared,  ///< squared error on log(seconds)
    pairwise, ///< pairwise logistic loss on the order within each group, then calibrated to seconds
};

struct GbtOptions {
    int rounds = 200;                 ///< boosting rounds (trees), before early stopping
    int max_depth = 6;                ///< 1..12
    double learning_rate = 0.1;       ///< shrinkage of every leaf value
    int max_bins = 256;               ///< quantile bins per feature, 2..256
    double row_subsample = 1.0;       ///< share of rows drawn (without replacement) for each tree
    double col_subsample = 1.0;       ///< share of features drawn for each tree
    double min_child_weight = 1.0;    ///< minimum hessian sum in a child (rows, for squared loss)
    double l2 = 1.0;                  ///< L2 regularisation of leaf values (XGBoost's lambda)
    double min_split_gain = 0.0;      ///< a split must gain more than this (XGBoost's gamma)
    int early_stopping_rounds = 0;    ///< stop after this many rounds without validation gain; 0 = off
    double validation_fraction = 0.2; ///< share of groups held out when early stopping is on
    GbtObjective objective = GbtObjective::squared;
    /// Squared loss: learn only the differences within each group (workload), by moving every
    /// group's mean target to the overall mean before fitting. Ranking inside a group needs
    /// nothing else, and how whole operators differ from each other does not transfer to an
    /// operator the model never saw.
    bool center_groups = false;
    int pairs_per_row = 4;       ///< pairwise: partners sampled per row and round
    double pairwise_sigma = 1.0; ///< pairwise: steepness of the logistic
    /// Pairwise: a pair whose measured log times differ by less than this weighs proportionally
    /// less (two variants within the measurement's noise of each other have no reliable order);
    /// e.g. log(1.05) for a 5 % resolution. 0: every pair weighs 1.
    double pairwise_resolution = 0.0;
    /// Monotone constraints, by prepared column name (FeaturePipeline::names()): +1, the score may
    /// only rise as the column rises (every other column fixed); -1, only fall. Each tree obeys
    /// them (XGBoost's method: a split on a constrained column must order its children's values,
    /// and their midpoint bounds every value below them), so the sum does. Names the model does
    /// not have are ignored. physical_monotone_constraints() (features.hpp) says what costs time.
    std::vector<std::pair<std::string, int>> monotone{};
    /// Bagging over seeds: train this many models, the k-th with seed + k, and keep one model
    /// whose score is the mean of their calibrated scores (the mean of their log predictions).
    /// The pairwise objective samples its pairs from the seed, and which pairs a model saw moves a
    /// leave-one-family-out table as much as a change of recipe does (benchmarks/RESULTS.md,
    /// round 7); the mean of a few is steadier than any one. 1 = one model. The file format is the
    /// same: the bag's trees, their leaves scaled.
    int bags = 1;
    unsigned threads = 0; ///< training threads; 0 = std::thread::hardware_concurrency()
    std::uint64_t seed = 42;
    /// Trees are invariant to monotone transforms of a column, so log scaling and standardisation
    /// would only cost prediction time; the derived ratios are what adds information.
    FeatureOptions features{.log_scale = false, .derived_ratios = true, .standardise = false};
    std::string target{}; ///< the target the model is for (stored in the model file)
};

class GradientBoostedTrees {
public:
    static constexpr std::string_view kind = "gbt";

    explicit GradientBoostedTrees(GbtOptions options = {});

    /// Fits on `data`; ErrorKind::invalid_data for bad rows, invalid_argument for bad options.
    void fit(const TrainingSet& data);

    /// Predicted run time in seconds of one raw row (feature_names order).
    [[nodiscard]] double predict(std::span<const double> raw_row) const;
    /// Predicted seconds for every row of `raw_rows` (identical to predicting row by row).
    [[nodiscard]] Eigen::VectorXd predict(const Eigen::MatrixXd& raw_rows) const;
    /// The raw ensemble score of one row: log(seconds) for squared loss, an order score for
    /// pairwise (lower = faster); predict() is exp(calibration(score)).
    [[nodiscard]] double score(std::span<const double> raw_row) const;

    void save(const std::filesystem::path& file) const;
    /// The model file's contents, as save() writes them.
    [[nodiscard]] std::string text() const;
    [[nodiscard]] static GradientBoostedTrees load(const std::filesystem::path& file);
    /// As load, and the model must have been trained on exactly `expected_features`.
    [[nodiscard]] static GradientBoostedTrees load(const std::filesystem::path& file,
                                                   std::span<const std::string> expected_features);
    /// Reads a model of this kind from `in` (a file or any stream, e.g. a model compiled in).
    [[nodiscard]] static GradientBoostedTrees read(ModelReader& in,
                                                   std::span<const std::string> expected_features = {});

    [[nodiscard]] bool fitted() const noexcept { return trees_ > 0; }
    /// Trees kept (fewer than rounds after early stopping).
    [[nodiscard]] int trees() const noexcept { return trees_; }
    /// Validation loss after each round (empty without early stopping): RMSE of log(seconds) for
    /// squared loss, mean pairwise logistic loss on fixed validation pairs for pairwise.
    [[nodiscard]] const std::vector<double>& validation_history() const noexcept { return validation_; }
    /// Total split gain per prepared feature, by name, in feature order.
    [[nodiscard]] std::vector<std::pair<std::string, double>> feature_importance() const;

    [[nodiscard]] const FeaturePipeline& features() const noexcept { return pipeline_; }
    [[nodiscard]] const std::string& target() const noexcept { return options_.target; }
    void set_target(std::string target) { options_.target = std::move(target); }
    [[nodiscard]] const GbtOptions& options() const noexcept { return options_; }

private:
    [[nodiscard]] ModelWriter writer() const;
    void fit_bagged(const TrainingSet& data);
    friend struct GbtTrainer;
    [[nodiscard]] double score_prepared(const double* z) const noexcept;
    [[nodiscard]] std::size_t internal_per_tree() const noexcept { return (std::size_t{1} << depth_) - 1; }

    GbtOptions options_;
    FeaturePipeline pipeline_;
    int depth_ = 0;
    int trees_ = 0;
    std::vector<std::int32_t> split_feature_; ///< trees × (2^depth − 1), heap order
    std::vector<double> split_threshold_;     ///< go right when feature >= threshold
    std::vector<double> leaf_value_;          ///< trees × 2^depth
    double base_score_ = 0;
    double calibration_offset_ = 0, calibration_slope_ = 1; ///< log(seconds) = offset + slope·score
    std::vector<double> importance_;
    std::vector<double> validation_;
};

} // namespace simtune
