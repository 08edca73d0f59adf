#pragma once
// Feature preparation shared by all predictors. Raw simulator counters span many orders of
// magnitude and matter mostly through their ratios (a miss rate says more than a miss count), so
// every predictor sees: log1p of each raw counter, then the derived ratios whose columns exist,
// each standardised with the mean and spread of the training data. The pipeline is fitted once on
// the training rows and saved inside the model, so prediction prepares a row exactly as training
// did.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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
    /// Keep the raw counters as features. Off: only the derived ratios, which do not grow with a
    /// kernel's size, so what a model learns on one operator can apply to another of any size
    /// (trees cannot extrapolate a counter beyond the range they were trained on).
    bool raw_counters = true;
    /// What the run time is taken relative to: a raw column ("instructions", "mca_cycles") or a
    /// weighted sum of raw columns ("mca_cycles+5*l1d_misses-2.5*l1d_stream_misses", see
    /// parse_anchor). The predictor models log(seconds / anchor) and predicts anchor × exp(model).
    /// The anchor carries the kernel's size and first-order cost; the model only corrects it.
    /// Empty: no anchor.
    std::string anchor{};
    /// Clamp every prepared column to its range in the training rows, so that no model
    /// extrapolates a feature beyond what it was trained on (a linear model's prediction runs away
    /// on an operator unlike any in training; trees are unaffected).
    bool clamp_to_training_range = true;
};

/// One term of an anchor: weight × a raw column, or weight × the largest of several scaled raw
/// columns (a bound that is whichever of several limits binds: max(mca_cycles,dataflow_cycles)).
struct AnchorTerm {
    struct Choice {
        double scale = 1;
        std::size_t column = 0;
        friend bool operator==(const Choice&, const Choice&) = default;
    };
    double weight = 1;
    std::vector<Choice> choices; ///< one: the column; several: the largest scale × column
    friend bool operator==(const AnchorTerm&, const AnchorTerm&) = default;
};

/// The value of an anchor for a raw row: the weighted sum of its terms, at least 1 (a kernel costs
/// at least something).
[[nodiscard]] inline double anchor_value(std::span<const AnchorTerm> terms, std::span<const double> raw) noexcept {
    double sum = 0;
    for (const auto& t : terms) {
        double value = 0;
        bool first = true;
        for (const auto& c : t.choices) {
            const double v = c.scale * raw[c.column];
            value = first ? v : std::max(value, v);
            first = false;
        }
        sum += t.weight * value;
    }
    return std::max(sum, 1.0);
}

/// Parses an anchor: terms joined by '+' or '-', each a raw column name or `max(A,B,...)` of two or
/// more names each optionally scaled (`2*l1d_stream_misses`), optionally preceded by a decimal
/// weight (no exponent) and '*' ("max(mca_cycles,dataflow_cycles)+5*l1d_misses"); no spaces. Fails with
/// ErrorKind::invalid_data naming the term that is malformed or not one of `raw_names`.
[[nodiscard]] std::vector<AnchorTerm> parse_anchor(std::string_view text, std::span<const std::string> raw_names);

/// The anchor `text` (parse_anchor, over data.feature_names) for every row of `data`: an untrained
/// ranking by counters alone (the experiment's and `simtune report`'s baselines).
[[nodiscard]] std::vector<double> anchor_values(std::string_view text, const TrainingSet& data);

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
    /// Names of the prepared columns: the raw names (unless raw_counters is off), then the derived
    /// ratios kept.
    [[nodiscard]] std::vector<std::string> names() const;
    [[nodiscard]] std::size_t raw_width() const noexcept { return raw_names_.size(); }
    [[nodiscard]] std::size_t width() const noexcept {
        return (options_.raw_counters ? raw_names_.size() : 0) + ratios_.size();
    }

    /// log(anchor_value) of a raw row, the offset the predictor's model is relative to; 0 without
    /// an anchor.
    [[nodiscard]] double log_anchor(std::span<const double> raw) const noexcept {
        return anchor_.empty() ? 0.0 : std::log(anchor_value(anchor_, raw));
    }
    [[nodiscard]] const FeatureOptions& options() const noexcept { return options_; }

    /// Checks one raw row (width, finite, non-negative); `row_index` only names it in the error.
    void check_row(std::span<const double> raw, std::size_t row_index = 0) const;

    /// Prepares one raw row into `out` (width() values) after check_row. Allocation-free.
    void transform_row(std::span<const double> raw, double* out, std::size_t row_index = 0) const {
        check_row(raw, row_index);
        std::size_t k = 0;
        if (options_.raw_counters)
            for (; k < raw.size(); ++k) out[k] = options_.log_scale ? std::log1p(raw[k]) : raw[k];
        for (const auto& ratio : ratios_) {
            double num = 0, den = 0;
            for (auto c : ratio.numerator) num += raw[c];
            for (auto c : ratio.denominator) den += raw[c];
            out[k++] = den > 0 ? num / den : 0.0;
        }
        if (!lower_.empty())
            for (std::size_t j = 0; j < k; ++j) out[j] = std::clamp(out[j], lower_[j], upper_[j]);
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
    [[nodiscard]] static FeaturePipeline read(ModelReader& in, std::span<const std::string> expected_raw_names = {});

private:
    struct ResolvedRatio {
        std::string name;
        std::vector<std::size_t> numerator, denominator; ///< raw column indices
    };
    void resolve_ratios();
    /// Keeps the standard ratios named `names` (all of them when empty); false if one is unknown
    /// or needs a column the raw features lack.
    bool resolve_ratios(std::span<const std::string> names);
    void resolve_anchor();
    void set_scales(std::vector<double> mean, std::vector<double> scale);

    std::vector<std::string> raw_names_;
    FeatureOptions options_;
    std::vector<ResolvedRatio> ratios_;
    std::vector<AnchorTerm> anchor_; ///< options_.anchor parsed; empty without an anchor
    std::vector<double> mean_, scale_, inv_scale_;
    /// The training range of each prepared column (before standardisation): values outside it are
    /// clamped to it, so no model extrapolates a feature beyond what it was trained on (a linear
    /// model's prediction would run away on an operator unlike any in training). Empty in model
    /// files written before the range was kept: no clamping.
    std::vector<double> lower_, upper_;
};

/// The column a relative model of `data` is anchored on: the MCA cycle estimate where the data has
/// it (it carries port pressure and register dependency chains within blocks), else the
/// instruction count.
[[nodiscard]] std::string relative_anchor(const TrainingSet& data);

/// A first-order cycle estimate as an anchor (a weighted sum of the columns in `feature_names`):
/// the MCA cycle estimate where there is one (the largest of it, the dataflow limit where the
/// data has `dataflow_cycles`: a chain MCA does not see, and the time the L1D's prefetched
/// streams take to arrive from L2 at 32 bytes a cycle: a bandwidth the core's work overlaps),
/// else half the instruction count, plus the stalls MCA cannot see, each at a nominal cost of a
/// generic out-of-order core: misses by level (prefetchable L1D stream misses free where the base
/// carries them, else at half price), store misses no stream explains, loads
/// forwarded from a recent store, mispredicted branches (a pipeline refill), first-level DTLB
/// misses (a second-level TLB lookup); with MCA, also 1/20 cycle per instruction (MCA's ideal
/// front end). Two of these figures, the per-instruction one and the forwarded load's 2 cycles,
/// were chosen by scanning the corpus of both machines (benchmarks/RESULTS.md, stop 40); the
/// others are not fitted to any workload.
/// The "estimate" model ranks by it alone
/// (benchmarks/RESULTS.md: untrained, it ranks operators the trained models never saw about as
/// well as they do, and the two together better than either).
[[nodiscard]] std::string cycle_estimate(std::span<const std::string> feature_names);

/// The cycle estimate with the dataflow walk with memory as its base (dataflow_memory_cycles: each
/// load waits where the caches found it, misses overlap as far as miss buffers and bandwidth let
/// them) instead of miss counts charged in series; store misses and mispredicted branches added at
/// cycle_estimate's costs. Empty without mca_cycles and dataflow_memory_cycles. Not what "estimate"
/// ranks by: on the corpus it ranks worse than cycle_estimate (benchmarks/RESULTS.md, "The dataflow
/// walk with memory"); the experiment's baseline "memory-estimate" shows it beside the others.
[[nodiscard]] std::string memory_cycle_estimate(std::span<const std::string> feature_names);

/// The directions in which run time can only move with a prepared column, every other column
/// fixed, as GbtOptions::monotone takes them: +1 for counts and shares of events that stall a core
/// (cache and TLB misses, store misses, loads forwarded from stores, mispredicted branches, MCA's
/// and the dataflow model's cycles), -1 for the share of misses a stream prefetcher hides.
/// Physics, not a fit: a tree that learned on its training operators that more misses mean less
/// time (a correlation through something else) cannot carry that to an operator it never saw.
[[nodiscard]] const std::vector<std::pair<std::string, int>>& physical_monotone_constraints();

/// log(anchor) of every row of `raw` (zeros without an anchor).
[[nodiscard]] Eigen::VectorXd log_anchors(const FeaturePipeline& pipeline, const Eigen::MatrixXd& raw);

/// Raw width of a prepared-row buffer that fits on the stack; wider rows use the heap.
inline constexpr std::size_t stack_row_capacity = 256;

} // namespace simtune
