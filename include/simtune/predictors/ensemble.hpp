#pragma once
// Ensemble: several models of one training set, predicting together by the weighted geometric
// mean of their predicted times. Models that err differently (the untrained cycle estimate, trees
// that learned what its nominal costs miss) rank an operator none of them saw better together
// than either alone (benchmarks/RESULTS.md), and a file holds them as one model.
//
// File: the "ensemble" kind, its provenance, then "members N" and each member's complete model
// file as a block ("member L", then its L lines), then "member_weights N W1 ... WN" unless every weight is
// 1 (files without the line, as before weights existed, weigh their members equally), then "end".
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "simtune/predictors/gbt.hpp"
#include "simtune/predictors/ridge.hpp"
#include "simtune/predictors/training_set.hpp"

namespace simtune {

class ModelReader;
class ModelWriter;

class Ensemble {
public:
    static constexpr std::string_view kind = "ensemble";
    using Member = std::variant<RidgeRegressor, GradientBoostedTrees>;

    /// At least one member. Members may be unfitted (fit() fits them all) or fitted on the same
    /// raw features (ErrorKind::invalid_argument otherwise). `weights`: one positive, finite weight
    /// per member, or empty for equal weights (ErrorKind::invalid_argument otherwise).
    explicit Ensemble(std::vector<Member> members, std::vector<double> weights = {});

    /// Fits every member on `data`.
    void fit(const TrainingSet& data);

    /// exp(weighted mean over members of log(predicted seconds)).
    [[nodiscard]] double predict(std::span<const double> raw_row) const;
    [[nodiscard]] Eigen::VectorXd predict(const Eigen::MatrixXd& raw_rows) const;

    void save(const std::filesystem::path& file) const;
    [[nodiscard]] std::string text() const;
    [[nodiscard]] static Ensemble load(const std::filesystem::path& file,
                                       std::span<const std::string> expected_features = {});
    /// Reads an ensemble from `in`; each member must have the raw features of the first (and
    /// `expected_features`, if given).
    [[nodiscard]] static Ensemble read(ModelReader& in, std::span<const std::string> expected_features = {});

    [[nodiscard]] bool fitted() const;
    [[nodiscard]] const std::vector<Member>& members() const noexcept { return members_; }
    /// One weight per member (all 1 unless given).
    [[nodiscard]] const std::vector<double>& weights() const noexcept { return weights_; }
    /// The first member's feature preparation: every member reads the same raw features.
    [[nodiscard]] const FeaturePipeline& features() const;
    [[nodiscard]] const std::string& target() const noexcept { return target_; }
    void set_target(std::string target);

private:
    [[nodiscard]] ModelWriter writer() const;
    void check_members() const;

    std::vector<Member> members_;
    std::vector<double> weights_;
    std::string target_;
};

} // namespace simtune
