// Feature preparation: validation, fitting the standardisation, and its model-file section.
#include "simtune/predictors/features.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <unordered_set>

#include <fmt/ranges.h>

#include "simtune/predictors/model_file.hpp"
#include "simtune/util.hpp"

namespace simtune {

const std::vector<DerivedRatio>& standard_ratios() {
    static const std::vector<DerivedRatio> ratios{
        {"l1d_miss_rate", {"l1d_misses"}, {"l1d_accesses"}},
        {"l2_miss_rate", {"l2_misses"}, {"l2_accesses"}},
        {"llc_miss_rate", {"llc_misses"}, {"llc_accesses"}},
        {"l1d_misses_per_insn", {"l1d_misses"}, {"instructions"}},
        {"l2_misses_per_insn", {"l2_misses"}, {"instructions"}},
        {"llc_misses_per_insn", {"llc_misses"}, {"instructions"}},
        {"bytes_per_insn", {"bytes_loaded", "bytes_stored"}, {"instructions"}},
        {"loads_per_insn", {"mem_reads"}, {"instructions"}},
        {"stores_per_insn", {"mem_writes"}, {"instructions"}},
        {"simd_share", {"simd"}, {"instructions"}},
        {"fp_scalar_share", {"fp_scalar"}, {"instructions"}},
        {"mul_div_share", {"mul_div"}, {"instructions"}},
        {"branch_share", {"branch"}, {"instructions"}},
        {"branch_taken_share", {"branches_taken"}, {"branch"}},
        {"insns_per_block", {"instructions"}, {"basic_blocks"}},
        // Appended for models without raw counters: every class's share, and the memory and
        // pipeline figures per instruction and per estimated cycle, so that a kernel's size never
        // enters a feature.
        {"int_alu_share", {"int_alu"}, {"instructions"}},
        {"load_share", {"load"}, {"instructions"}},
        {"store_share", {"store"}, {"instructions"}},
        {"taken_branches_per_insn", {"branches_taken"}, {"instructions"}},
        {"mem_accesses_per_insn", {"mem_reads", "mem_writes"}, {"instructions"}},
        {"bytes_per_access", {"bytes_loaded", "bytes_stored"}, {"mem_reads", "mem_writes"}},
        {"store_bytes_share", {"bytes_stored"}, {"bytes_loaded", "bytes_stored"}},
        {"mca_cycles_per_insn", {"mca_cycles"}, {"instructions"}},
        {"mca_resource_share", {"mca_resource_cycles"}, {"mca_cycles"}},
        {"mca_uops_per_insn", {"mca_uops"}, {"instructions"}},
        {"l1d_misses_per_mca_cycle", {"l1d_misses"}, {"mca_cycles"}},
        {"l2_misses_per_mca_cycle", {"l2_misses"}, {"mca_cycles"}},
        {"llc_misses_per_mca_cycle", {"llc_misses"}, {"mca_cycles"}},
        {"bytes_per_mca_cycle", {"bytes_loaded", "bytes_stored"}, {"mca_cycles"}},
        // Appended with the TLB and stream counters: how many translations miss, and how many cache
        // misses a prefetcher could have hidden, per unit of work.
        {"dtlb_misses_per_access", {"dtlb_misses"}, {"mem_reads", "mem_writes"}},
        {"dtlb_misses_per_insn", {"dtlb_misses"}, {"instructions"}},
        {"stlb_misses_per_insn", {"stlb_misses"}, {"instructions"}},
        {"dtlb_misses_per_mca_cycle", {"dtlb_misses"}, {"mca_cycles"}},
        {"l1d_stream_share", {"l1d_stream_misses"}, {"l1d_misses"}},
        {"l2_stream_share", {"l2_stream_misses"}, {"l2_misses"}},
        // Appended with the store-miss counters: how many misses are stores (which stall the store
        // buffer rather than overlap), per unit of work, and how many of those a stream explains.
        {"l1d_store_miss_share", {"l1d_store_misses"}, {"l1d_misses"}},
        {"l1d_store_misses_per_mca_cycle", {"l1d_store_misses"}, {"mca_cycles"}},
        {"l1d_store_stream_share", {"l1d_store_stream_misses"}, {"l1d_store_misses"}},
        {"forwarded_load_share", {"store_forwarded_loads"}, {"mem_reads"}},
        {"forwarded_loads_per_mca_cycle", {"store_forwarded_loads"}, {"mca_cycles"}},
        // Appended with the dataflow limit: how far the longest chain outlasts MCA's figure (above
        // 1: the kernel is latency-bound by a chain MCA does not see) and the chain per instruction.
        {"dataflow_per_mca_cycle", {"dataflow_cycles"}, {"mca_cycles"}},
        {"dataflow_per_insn", {"dataflow_cycles"}, {"instructions"}},
        // Appended with the branch mispredictions: how many branches a predictor gets wrong, and
        // their refills per estimated cycle.
        {"branch_mispredict_share", {"branch_mispredicts"}, {"branch"}},
        {"mispredicts_per_mca_cycle", {"branch_mispredicts"}, {"mca_cycles"}},
        // Appended with the dataflow limit with memory: how far the walk that knows where each
        // load's data was found, and how many misses overlap, outlasts MCA's figure.
        {"dataflow_memory_per_mca_cycle", {"dataflow_memory_cycles"}, {"mca_cycles"}},
    };
    return ratios;
}

namespace {

void check_name(const std::string& name, std::size_t column) {
    if (name.empty()) fail(ErrorKind::invalid_data, "feature name of column {} is empty", column);
    if (std::ranges::any_of(name, [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }))
        fail(ErrorKind::invalid_data, "feature name '{}' (column {}) contains whitespace", name, column);
}

void check_value(double value, std::size_t row, std::size_t column, const std::string& name) {
    if (std::isnan(value)) fail(ErrorKind::invalid_data, "row {}, column {} ('{}'): value is NaN", row, column, name);
    if (std::isinf(value))
        fail(ErrorKind::invalid_data, "row {}, column {} ('{}'): value is infinite", row, column, name);
    if (value < 0)
        fail(ErrorKind::invalid_data, "row {}, column {} ('{}'): counter is negative ({})", row, column, name, value);
}

} // namespace

void validate_training_set(const TrainingSet& data) {
    const auto rows = static_cast<std::size_t>(data.features.rows());
    const auto cols = static_cast<std::size_t>(data.features.cols());
    if (rows == 0) fail(ErrorKind::invalid_data, "the training set has no rows");
    if (data.feature_names.size() != cols)
        fail(ErrorKind::invalid_data, "the training set names {} features but has {} columns",
             data.feature_names.size(), cols);
    if (static_cast<std::size_t>(data.seconds.size()) != rows)
        fail(ErrorKind::invalid_data, "the training set has {} rows but {} times", rows, data.seconds.size());
    if (!data.groups.empty() && data.groups.size() != rows)
        fail(ErrorKind::invalid_data, "the training set has {} rows but {} group labels", rows, data.groups.size());
    std::unordered_set<std::string> seen;
    for (std::size_t c = 0; c < cols; ++c) {
        check_name(data.feature_names[c], c);
        if (!seen.insert(data.feature_names[c]).second)
            fail(ErrorKind::invalid_data, "feature name '{}' appears twice", data.feature_names[c]);
    }
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c)
            check_value(data.features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)), r, c,
                        data.feature_names[c]);
        const double t = data.seconds[static_cast<Eigen::Index>(r)];
        if (!std::isfinite(t) || t <= 0)
            fail(ErrorKind::invalid_data, "row {}: run time must be finite and positive, got {}", r, t);
    }
}

FeaturePipeline FeaturePipeline::fit(const TrainingSet& data, FeatureOptions options) {
    validate_training_set(data);
    FeaturePipeline p;
    p.raw_names_ = data.feature_names;
    p.options_ = options;
    p.resolve_ratios();
    p.resolve_anchor();
    if (p.width() == 0)
        fail(ErrorKind::invalid_argument, "features: no column left (raw counters off and no derived ratio applies)");

    // Prepare every row without standardisation, then measure mean and spread per column.
    const auto w = p.width();
    p.options_.standardise = false;
    const Eigen::MatrixXd prepared = p.transform(data.features);
    p.options_.standardise = options.standardise;
    if (options.clamp_to_training_range) p.lower_.resize(w), p.upper_.resize(w);
    for (std::size_t j = 0; j < p.lower_.size(); ++j) {
        p.lower_[j] = prepared.col(static_cast<Eigen::Index>(j)).minCoeff();
        p.upper_[j] = prepared.col(static_cast<Eigen::Index>(j)).maxCoeff();
    }
    std::vector<double> mean(w, 0.0), scale(w, 1.0);
    if (options.standardise) {
        const auto n = static_cast<double>(prepared.rows());
        for (std::size_t j = 0; j < w; ++j) {
            const auto col = prepared.col(static_cast<Eigen::Index>(j));
            mean[j] = col.mean();
            const double var = (col.array() - mean[j]).square().sum() / n;
            // A constant column carries no information; scale 1 keeps it at 0 instead of NaN.
            scale[j] = var > 1e-24 ? std::sqrt(var) : 1.0;
        }
    }
    p.set_scales(std::move(mean), std::move(scale));
    return p;
}

void FeaturePipeline::resolve_ratios() { (void)resolve_ratios({}); }

void FeaturePipeline::resolve_anchor() {
    anchor_.clear();
    if (options_.anchor.empty()) return;
    anchor_ = parse_anchor(options_.anchor, raw_names_);
}

std::vector<AnchorTerm> parse_anchor(std::string_view text, std::span<const std::string> raw_names) {
    if (text.empty()) fail(ErrorKind::invalid_data, "features: the anchor is empty");
    std::vector<AnchorTerm> terms;
    std::size_t at = 0;
    while (at < text.size()) {
        double sign = 1;
        if (text[at] == '+' || text[at] == '-') {
            if (at == 0 && text[at] == '+')
                fail(ErrorKind::invalid_data, "features: anchor '{}' starts with '+'", text);
            sign = text[at] == '-' ? -1 : 1;
            ++at;
        }
        const auto end = text.find_first_of("+-", at);
        const auto term = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (term.empty()) fail(ErrorKind::invalid_data, "features: anchor '{}' has an empty term", text);
        AnchorTerm t;
        // A decimal weight before '*' (no exponent, no sign: signs join terms); a '*' inside max()
        // scales an item of it.
        const auto weighted = [&](std::string_view item, double& weight) {
            const auto star = item.find('*');
            if (star == std::string_view::npos || star > item.find('(')) return item;
            const auto digits = item.substr(0, star);
            double value = 0;
            const auto [end_of_number, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value, std::chars_format::fixed);
            if (digits.empty() || ec != std::errc{} || end_of_number != digits.data() + digits.size() ||
                !std::isfinite(value))
                fail(ErrorKind::invalid_data, "features: anchor term '{}': '{}' is not a decimal weight", term, digits);
            weight = value;
            return item.substr(star + 1);
        };
        const std::string_view name = weighted(term, t.weight);
        t.weight *= sign;
        const auto column_of = [&](std::string_view column) {
            const auto it = std::ranges::find(raw_names, column);
            if (it == raw_names.end())
                fail(ErrorKind::invalid_data, "features: anchor term '{}': '{}' is not among the features", term,
                     column);
            return static_cast<std::size_t>(it - raw_names.begin());
        };
        if (name.starts_with("max(")) {
            if (!name.ends_with(')') || name.find(',') == std::string_view::npos)
                fail(ErrorKind::invalid_data, "features: anchor term '{}': expected max(NAME,[W*]NAME,...)", term);
            const auto inside = name.substr(4, name.size() - 5);
            const auto items = split_list(inside, ',');
            if (items.size() != static_cast<std::size_t>(std::ranges::count(inside, ',')) + 1)
                fail(ErrorKind::invalid_data, "features: anchor term '{}': an empty item in max()", term);
            for (const auto& item : items) {
                AnchorTerm::Choice c;
                c.column = column_of(weighted(item, c.scale));
                t.choices.push_back(c);
            }
        } else {
            t.choices.push_back({1, column_of(name)});
        }
        terms.push_back(t);
        at = end == std::string_view::npos ? text.size() : end;
    }
    return terms;
}

bool FeaturePipeline::resolve_ratios(std::span<const std::string> names) {
    ratios_.clear();
    if (!options_.derived_ratios) return names.empty();
    for (const auto& name : names)
        if (std::ranges::find(standard_ratios(), name, &DerivedRatio::name) == standard_ratios().end()) return false;
    auto index_of = [&](const std::string& name) -> std::ptrdiff_t {
        const auto it = std::ranges::find(raw_names_, name);
        return it == raw_names_.end() ? -1 : it - raw_names_.begin();
    };
    for (const auto& ratio : standard_ratios()) {
        const bool named = std::ranges::find(names, ratio.name) != names.end();
        if (!names.empty() && !named) continue;
        if (std::ranges::find(raw_names_, ratio.name) != raw_names_.end())
            continue; // the data already has a column of that name
        ResolvedRatio r{ratio.name, {}, {}};
        bool complete = true;
        for (const auto& n : ratio.numerator) {
            const auto i = index_of(n);
            if (i < 0) complete = false;
            else r.numerator.push_back(static_cast<std::size_t>(i));
        }
        for (const auto& d : ratio.denominator) {
            const auto i = index_of(d);
            if (i < 0) complete = false;
            else r.denominator.push_back(static_cast<std::size_t>(i));
        }
        if (complete) ratios_.push_back(std::move(r));
        else if (named) return false;
    }
    // A file names its ratios in the order it computed them; keep that order.
    if (!names.empty()) {
        if (ratios_.size() != names.size()) return false;
        std::vector<ResolvedRatio> ordered;
        for (const auto& name : names) ordered.push_back(*std::ranges::find(ratios_, name, &ResolvedRatio::name));
        ratios_ = std::move(ordered);
    }
    return true;
}

void FeaturePipeline::set_scales(std::vector<double> mean, std::vector<double> scale) {
    mean_ = std::move(mean);
    scale_ = std::move(scale);
    inv_scale_.resize(scale_.size());
    for (std::size_t j = 0; j < scale_.size(); ++j) inv_scale_[j] = 1.0 / scale_[j];
}

std::vector<std::string> FeaturePipeline::names() const {
    std::vector<std::string> out;
    if (options_.raw_counters) out = raw_names_;
    for (const auto& r : ratios_) out.push_back(r.name);
    return out;
}

void FeaturePipeline::check_row(std::span<const double> raw, std::size_t row_index) const {
    if (raw.size() != raw_names_.size())
        fail(ErrorKind::invalid_data, "row {} has {} values, the model expects {} features", row_index, raw.size(),
             raw_names_.size());
    for (std::size_t j = 0; j < raw.size(); ++j)
        if (!(raw[j] >= 0) || std::isinf(raw[j])) check_value(raw[j], row_index, j, raw_names_[j]);
}

Eigen::MatrixXd FeaturePipeline::transform(const Eigen::MatrixXd& raw) const {
    if (static_cast<std::size_t>(raw.cols()) != raw_width())
        fail(ErrorKind::invalid_data, "the data has {} columns, the model expects {} features", raw.cols(),
             raw_width());
    Eigen::MatrixXd out(raw.rows(), static_cast<Eigen::Index>(width()));
    std::vector<double> row(raw_width()), prepared(width());
    for (Eigen::Index r = 0; r < raw.rows(); ++r) {
        for (std::size_t j = 0; j < row.size(); ++j) row[j] = raw(r, static_cast<Eigen::Index>(j));
        transform_row(row, prepared.data(), static_cast<std::size_t>(r));
        for (std::size_t j = 0; j < prepared.size(); ++j) out(r, static_cast<Eigen::Index>(j)) = prepared[j];
    }
    return out;
}

std::string relative_anchor(const TrainingSet& data) {
    const bool mca = std::ranges::find(data.feature_names, "mca_cycles") != data.feature_names.end();
    return mca ? "mca_cycles" : "instructions";
}

std::string cycle_estimate(std::span<const std::string> feature_names) {
    auto has = [&](std::string_view name) { return std::ranges::find(feature_names, name) != feature_names.end(); };
    // Nominal stall cycles per event of a generic out-of-order core, with the few misses its window
    // overlaps: an L1D miss that hits L2 exposes ~5 of its ~14 cycles, a prefetched (stream) one
    // about half that (none where the base below carries the streams' bandwidth); an L2 miss ~20 of ~50; an LLC miss ~80 of ~250; a store miss no stream
    // explains holds a store-buffer entry until its line arrives (~10); a load served from a
    // store a few accesses earlier costs ~2 cycles beside the dataflow walk, which already charges
    // the chains a forwarded value is on (4, the store-to-load latency itself, counted those
    // twice: benchmarks/RESULTS.md, stop 40); a mispredicted branch refills the pipeline, ~15
    // cycles; a first-level DTLB miss waits for the second-level TLB, ~7 cycles (its page walks,
    // on a second-level miss, are rare on these kernels and left out; RESULTS, round 9).
    static constexpr std::pair<std::string_view, std::string_view> stalls[] = {
        {"l1d_misses", "+5*l1d_misses"},
        {"l1d_stream_misses", "-2.5*l1d_stream_misses"},
        {"l2_misses", "+20*l2_misses"},
        {"llc_misses", "+80*llc_misses"},
        {"l1d_store_misses", "+10*l1d_store_misses"},
        {"l1d_store_stream_misses", "-10*l1d_store_stream_misses"},
        {"store_forwarded_loads", "+2*store_forwarded_loads"},
        {"branch_mispredicts", "+15*branch_mispredicts"},
        {"dtlb_misses", "+7*dtlb_misses"},
    };
    // The base: MCA's cycles (throughput and the register chains one block carries), or the
    // dataflow limit where a chain through memory or across blocks is longer, or the time the
    // L1D's prefetched streams take to arrive from L2 at 32 bytes a cycle (2 per line), where that
    // is longer. A stream the prefetcher runs ahead of the loop is a bandwidth, which overlaps the
    // core's work, not a latency added to it: charged per miss, the streams of a compute-bound
    // kernel that rereads L2-resident weights (a two-layer MLP one token at a time) cost it half
    // again its time in the estimate and nothing on the machine (benchmarks/RESULTS.md, stop 45).
    const bool stream_bound = has("mca_cycles") && has("l1d_stream_misses");
    std::string anchor = !has("mca_cycles")
                             ? "0.5*instructions"
                             : fmt::format("max(mca_cycles{}{})", has("dataflow_cycles") ? ",dataflow_cycles" : "",
                                           stream_bound ? ",2*l1d_stream_misses" : "");
    if (anchor == "max(mca_cycles)") anchor = "mca_cycles";
    // Plus 1/20 cycle per instruction: MCA prices each block in a steady state of ideal fetch and
    // decode, which a real core does not reach (taken branches, decoder and micro-op cache
    // limits, the loop's entry and exit). It decides where the costs above lie within a few per
    // cent of each other, as when the cold misses every variant shares dominate: on the corpus it
    // mended four picks (150 % on Intel's row reduction, 17 % on the triangular solve) and lost
    // none with Unicorn's statistics (one with QEMU's); 1/20 was chosen by a scan of both
    // machines' data (benchmarks/RESULTS.md, stop 40).
    if (has("mca_cycles") && has("instructions")) anchor += "+0.05*instructions";
    for (const auto& [column, term] : stalls)
        if (has(column)) anchor += stream_bound && column == "l1d_stream_misses" ? "-5*l1d_stream_misses" : term;
    return anchor;
}

std::string memory_cycle_estimate(std::span<const std::string> feature_names) {
    auto has = [&](std::string_view name) { return std::ranges::find(feature_names, name) != feature_names.end(); };
    if (!has("mca_cycles") || !has("dataflow_memory_cycles")) return {};
    // The walk with memory already waits for each load where the caches found it, with as many
    // misses in flight as a core overlaps and each line's transfer: the load-side stalls are in it,
    // not added in series. What it does not see stays added: store misses no stream explains and
    // mispredicted branches, at the nominal costs of cycle_estimate.
    std::string anchor = "max(mca_cycles,dataflow_memory_cycles)";
    if (has("l1d_store_misses")) anchor += "+10*l1d_store_misses";
    if (has("l1d_store_stream_misses")) anchor += "-10*l1d_store_stream_misses";
    if (has("branch_mispredicts")) anchor += "+15*branch_mispredicts";
    return anchor;
}

const std::vector<std::pair<std::string, int>>& physical_monotone_constraints() {
    static const std::vector<std::pair<std::string, int>> constraints = [] {
        std::vector<std::pair<std::string, int>> c;
        // Raw counters (absolute models) and the ratios that put them per instruction, per access
        // or per MCA cycle (relative models): more of a stall, at everything else equal, is slower.
        for (const char* event :
             {"l1d_misses", "l2_misses", "llc_misses", "dtlb_misses", "stlb_misses", "l1d_store_misses",
              "store_forwarded_loads", "mca_cycles", "dataflow_cycles", "branch_mispredicts", "dataflow_memory_cycles"})
            c.emplace_back(event, +1);
        for (const char* ratio : {"l1d_miss_rate",
                                  "l2_miss_rate",
                                  "llc_miss_rate",
                                  "l1d_misses_per_insn",
                                  "l2_misses_per_insn",
                                  "llc_misses_per_insn",
                                  "l1d_misses_per_mca_cycle",
                                  "l2_misses_per_mca_cycle",
                                  "llc_misses_per_mca_cycle",
                                  "dtlb_misses_per_access",
                                  "dtlb_misses_per_insn",
                                  "stlb_misses_per_insn",
                                  "dtlb_misses_per_mca_cycle",
                                  "l1d_store_misses_per_mca_cycle",
                                  "forwarded_load_share",
                                  "forwarded_loads_per_mca_cycle",
                                  "dataflow_per_mca_cycle",
                                  "dataflow_per_insn",
                                  "dataflow_memory_per_mca_cycle",
                                  "branch_mispredict_share",
                                  "mispredicts_per_mca_cycle"})
            c.emplace_back(ratio, +1);
        // Misses a stream prefetcher follows cost less than the others.
        for (const char* hidden : {"l1d_stream_misses", "l2_stream_misses", "l1d_store_stream_misses",
                                   "l1d_stream_share", "l2_stream_share", "l1d_store_stream_share"})
            c.emplace_back(hidden, -1);
        return c;
    }();
    return constraints;
}

std::vector<double> anchor_values(std::string_view text, const TrainingSet& data) {
    const auto terms = parse_anchor(text, data.feature_names);
    std::vector<double> out, row(data.feature_names.size());
    out.reserve(static_cast<std::size_t>(data.rows()));
    for (Eigen::Index r = 0; r < data.rows(); ++r) {
        for (std::size_t c = 0; c < row.size(); ++c) row[c] = data.features(r, static_cast<Eigen::Index>(c));
        out.push_back(anchor_value(terms, row));
    }
    return out;
}

Eigen::VectorXd log_anchors(const FeaturePipeline& pipeline, const Eigen::MatrixXd& raw) {
    Eigen::VectorXd out(raw.rows());
    std::vector<double> row(static_cast<std::size_t>(raw.cols()));
    for (Eigen::Index r = 0; r < raw.rows(); ++r) {
        for (std::size_t j = 0; j < row.size(); ++j) row[j] = raw(r, static_cast<Eigen::Index>(j));
        out[r] = pipeline.log_anchor(row);
    }
    return out;
}

void FeaturePipeline::write(ModelWriter& out) const {
    out.names("features", raw_names_);
    out.integer("log_scale", options_.log_scale ? 1 : 0);
    out.integer("derived_ratios", options_.derived_ratios ? 1 : 0);
    out.integer("standardise", options_.standardise ? 1 : 0);
    out.integer("raw_counters", options_.raw_counters ? 1 : 0);
    out.text("anchor", options_.anchor.empty() ? "-" : options_.anchor);
    std::vector<std::string> ratio_names;
    for (const auto& r : ratios_) ratio_names.push_back(r.name);
    out.names("ratios", ratio_names);
    out.vector("mean", mean_);
    out.vector("scale", scale_);
    if (!lower_.empty()) {
        out.vector("lower", lower_);
        out.vector("upper", upper_);
    }
}

FeaturePipeline FeaturePipeline::read(ModelReader& in, std::span<const std::string> expected_raw_names) {
    FeaturePipeline p;
    p.raw_names_ = in.names("features");
    if (p.raw_names_.empty()) in.fail_here("the model has no features");
    if (!expected_raw_names.empty()) {
        if (p.raw_names_.size() != expected_raw_names.size())
            in.fail_here("wrong feature set: the model has {} features, expected {}", p.raw_names_.size(),
                         expected_raw_names.size());
        for (std::size_t j = 0; j < p.raw_names_.size(); ++j)
            if (p.raw_names_[j] != expected_raw_names[j])
                in.fail_here("wrong feature set: feature {} is '{}', expected '{}'", j, p.raw_names_[j],
                             expected_raw_names[j]);
    }
    std::unordered_set<std::string> seen;
    for (const auto& n : p.raw_names_)
        if (!seen.insert(n).second) in.fail_here("feature '{}' appears twice", n);
    auto flag = [&](std::string_view key) {
        const auto v = in.integer(key);
        if (v != 0 && v != 1) in.fail_here("'{}' must be 0 or 1, got {}", key, v);
        return v == 1;
    };
    p.options_.log_scale = flag("log_scale");
    p.options_.derived_ratios = flag("derived_ratios");
    p.options_.standardise = flag("standardise");
    // Files written before these keys existed have raw counters and no anchor.
    if (in.next_is("raw_counters")) p.options_.raw_counters = flag("raw_counters");
    if (in.next_is("anchor")) {
        p.options_.anchor = in.text("anchor");
        if (p.options_.anchor == "-") p.options_.anchor.clear();
        try {
            p.resolve_anchor();
        } catch (const Error& e) {
            in.fail_here("the anchor '{}' is invalid: {}", p.options_.anchor, e.what());
        }
    }
    // The ratios the file names, as this simtune computes them (later versions may derive more
    // ratios for new models; a model keeps the ones it was trained with).
    const auto ratio_names = in.names("ratios");
    if (!p.resolve_ratios(ratio_names))
        in.fail_here("derived ratios [{}] are not all ratios this simtune derives from the features",
                     fmt::join(ratio_names, " "));
    if (p.width() == 0) in.fail_here("the model has no feature columns");
    auto mean = in.vector("mean");
    if (mean.size() != p.width()) in.fail_here("'mean' has {} values, expected {}", mean.size(), p.width());
    auto scale = in.vector("scale");
    if (scale.size() != p.width()) in.fail_here("'scale' has {} values, expected {}", scale.size(), p.width());
    for (std::size_t j = 0; j < scale.size(); ++j)
        if (!(scale[j] > 0) || std::isinf(scale[j]) || std::isinf(mean[j]))
            in.fail_here("standardisation of column {} is invalid (mean {}, scale {})", j, mean[j], scale[j]);
    p.set_scales(std::move(mean), std::move(scale));
    p.options_.clamp_to_training_range = in.next_is("lower"); // older files have no range
    if (p.options_.clamp_to_training_range) {
        p.lower_ = in.vector("lower");
        p.upper_ = in.vector("upper");
        if (p.lower_.size() != p.width() || p.upper_.size() != p.width())
            in.fail_here("'lower'/'upper' have {}/{} values, expected {}", p.lower_.size(), p.upper_.size(), p.width());
        for (std::size_t j = 0; j < p.lower_.size(); ++j)
            if (!(p.lower_[j] <= p.upper_[j]) || std::isinf(p.lower_[j]) || std::isinf(p.upper_[j]))
                in.fail_here("the training range of column {} is invalid ({} .. {})", j, p.lower_[j], p.upper_[j]);
    }
    return p;
}

} // namespace simtune
