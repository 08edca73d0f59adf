#pragma once
// Feature preparation shared by all predictors. Raw simulator counters span many orders of
// magnitude and matter mostly through their ratios (a miss rate says more than a miss count), so
// every predictor sees: log1p of each raw counter, then the derived ratios whose columns exist,
// each standardised with the mean and spread of the training data. The pipeline is fitted once on
// the training rows and saved inside the model, so prediction prepares a row exactly as training
// did.
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "simtune/error.hpp"
#include "simtune/predictors/training_set.hpp"

namespace simtune {

class ModelReader;
class ModelWriter;

/// A ratio of sums of raw columns, looked up by name: sum(numerator) / sum(denominator), 0 when the
/// denominator is 0. Computed on the raw counters, before any log scaling.
struct DerivedRatio {
    std::string name;
    std::vector<std::string> numerator;
    std::vector<std::string> denominator;
};

/// The ratios derived from Stats counters (stats.hpp names). One that needs a column the data
/// does not have is skipped.
[[nodiscard]] const std::vector<DerivedRatio>& standard_ratios();

struct FeatureOptions {
    bool log_scale = true;      ///< log1p of every raw counter (else the counter as is)
    bool derived_ratios = true; ///< append standard_ratios() whose columns are present
    bool standardise = true;    ///< subtract the training mean, divide by the training spread
};

/// Checks a training set before anything is fitted on it: widths agree, names are unique and
/// whitespace-free, counters are finite and non-negative, times finite and positive, one group
/// per row (or none). Fails with ErrorKind::invalid_data naming the row and column.
void validate_training_set(const TrainingSet& data);

/// The fitted preparation: raw row (feature_names order) -> prepared row (names() order).
class FeaturePipeline {
public:
    FeaturePipeline() = default;

    /// Fits the standardisation on `data` (validated first).
    [[nodiscard]] static FeaturePipeline fit(const TrainingSet& data, FeatureOptions options = {});

    [[nodiscard]] const std::vector<std::string>& raw_names() const noexcept { return raw_names_; }
    /// Names of the prepared columns: the raw names, then the derived ratios kept.
    [[nodiscard]] std::vector<std::string> names() const;
    [[nodiscard]] std::size_t raw_width() const noexcept { return raw_names_.size(); }
    [[nodiscard]] std::size_t width() const noexcept { return raw_names_.size() + ratios_.size(); }
    [[nodiscard]] const FeatureOptions& options() const noexcept { return options_; }

    /// Checks one raw row (width, finite, non-negative); `row_index` only names it in the error.
    void check_row(std::span<const double> raw, std::size_t row_index = 0) const;

    /// Prepares one raw row into `out` (width() values) after check_row. Allocation-free.
    void transform_row(std::span<const double> raw, double* out, std::size_t row_index = 0) const {
        check_row(raw, row_index);
        const std::size_t n = raw.size();
        for (std::size_t j = 0; j < n; ++j) out[j] = options_.log_scale ? std::log1p(raw[j]) : raw[j];
        std::size_t k = n;
        for (const auto& ratio : ratios_) {
            double num = 0, den = 0;
            for (auto c : ratio.numerator) num += raw[c];
            for (auto c : ratio.denominator) den += raw[c];
            out[k++] = den > 0 ? num / den : 0.0;
        }
        if (options_.standardise)
            for (std::size_t j = 0; j < k; ++j) out[j] = (out[j] - mean_[j]) * inv_scale_[j];
    }

    /// Prepares every row of `raw` (rows = samples).
    [[nodiscard]] Eigen::MatrixXd transform(const Eigen::MatrixXd& raw) const;

    /// The standardisation, per prepared column.
    [[nodiscard]] const std::vector<double>& means() const noexcept { return mean_; }
    [[nodiscard]] const std::vector<double>& scales() const noexcept { return scale_; }

    void write(ModelWriter& out) const;
    /// Reads what write() wrote. If `expected_raw_names` is non-empty, the model's raw feature
    /// names must equal it (ErrorKind::invalid_model naming the first difference).
    [[nodiscard]] static FeaturePipeline read(ModelReader& in,
                                              std::span<const std::string> expected_raw_names = {});

private:
    struct ResolvedRatio {
        std::string name;
        std::vector<std::size_t> numerator, denominator; ///< raw column indices
    };
    void resolve_ratios();
    void set_scales(std::vector<double> mean, std::vector<double> scale);

    std::vector<std::string> raw_names_;
    FeatureOptions options_;
    std::vector<ResolvedRatio> ratios_;
    std::vector<double> mean_, scale_, inv_scale_;
};

/// Raw width of a prepared-row buffer that fits on the stack; wider rows use the heap.
inline constexpr std::size_t stack_row_capacity = 256;

} // namespace simtune
