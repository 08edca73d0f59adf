#pragma once
// AnyPredictor: a model of any kind (ridge, gbt, or an ensemble of them) behind one type, so a
// caller (the CLI, a tuner, the Python binding) can load a model file without knowing which
// predictor wrote it.
#include <filesystem>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "simtune/error.hpp"
#include "simtune/predictors/ensemble.hpp"
#include "simtune/predictors/gbt.hpp"
#include "simtune/predictors/model_file.hpp"
#include "simtune/predictors/ridge.hpp"

namespace simtune {

class AnyPredictor {
public:
    using Model = std::variant<RidgeRegressor, GradientBoostedTrees, Ensemble>;

    AnyPredictor(RidgeRegressor model) : model_(std::move(model)) {}       // NOLINT: implicit by design
    AnyPredictor(GradientBoostedTrees model) : model_(std::move(model)) {} // NOLINT: implicit by design
    AnyPredictor(Ensemble model) : model_(std::move(model)) {}             // NOLINT: implicit by design

    /// "ridge", "gbt" or "ensemble", as in the model file header.
    [[nodiscard]] std::string_view kind() const {
        return std::visit([](const auto& m) { return std::remove_cvref_t<decltype(m)>::kind; }, model_);
    }
    [[nodiscard]] double predict(std::span<const double> raw_row) const {
        return std::visit([&](const auto& m) { return m.predict(raw_row); }, model_);
    }
    [[nodiscard]] Eigen::VectorXd predict(const Eigen::MatrixXd& raw_rows) const {
        return std::visit([&](const auto& m) { return m.predict(raw_rows); }, model_);
    }
    void save(const std::filesystem::path& file) const {
        std::visit([&](const auto& m) { m.save(file); }, model_);
    }
    [[nodiscard]] const std::vector<std::string>& feature_names() const {
        return std::visit([](const auto& m) -> const std::vector<std::string>& { return m.features().raw_names(); },
                          model_);
    }
    [[nodiscard]] const std::string& target() const {
        return std::visit([](const auto& m) -> const std::string& { return m.target(); }, model_);
    }
    [[nodiscard]] const Model& model() const noexcept { return model_; }

private:
    Model model_;
};

/// Loads a model of any kind by its header. With `expected_features`, the model must have been
/// trained on exactly those features. ErrorKind::invalid_model for an unknown kind.
[[nodiscard]] inline AnyPredictor load_model(const std::filesystem::path& file,
                                             std::span<const std::string> expected_features = {}) {
    const auto kind = ModelReader::peek_kind(file);
    if (kind == RidgeRegressor::kind) return RidgeRegressor::load(file, expected_features);
    if (kind == GradientBoostedTrees::kind) return GradientBoostedTrees::load(file, expected_features);
    if (kind == Ensemble::kind) return Ensemble::load(file, expected_features);
    fail(ErrorKind::invalid_model, "model file '{}', line 1: unknown model kind '{}' (known: ridge, gbt, ensemble)",
         file.string(), kind);
}

/// The same from a stream: `name` names it in errors (e.g. "builtin:host-x86-64").
[[nodiscard]] inline AnyPredictor load_model(std::istream& in, const std::string& name,
                                             std::span<const std::string> expected_features = {}) {
    ModelReader reader(in, name, "");
    const auto kind = reader.kind();
    if (kind == RidgeRegressor::kind) return RidgeRegressor::read(reader, expected_features);
    if (kind == GradientBoostedTrees::kind) return GradientBoostedTrees::read(reader, expected_features);
    if (kind == Ensemble::kind) return Ensemble::read(reader, expected_features);
    fail(ErrorKind::invalid_model, "model '{}', line 1: unknown model kind '{}' (known: ridge, gbt, ensemble)", name,
         kind);
}

} // namespace simtune
