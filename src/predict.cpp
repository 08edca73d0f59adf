// predict(): simulate, then score with the target's model. Models record what they were trained
// for in their target field as "<target>@<simulator>" (e.g. "host-x86-64@unicorn"), because a model
// trained on one simulator's statistics must be fed the same simulator's.
#include "simtune/predict.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>

#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/features.hpp"
#include "simtune/simulators/any_simulator.hpp"

namespace simtune {

namespace detail {
extern const std::vector<std::pair<std::string_view, std::string_view>> builtin_models;
}

namespace {

std::mutex registry_mutex;
std::map<std::string, TargetModel>& registry() {
    static std::map<std::string, TargetModel> r;
    return r;
}

TargetModel wrap(AnyPredictor predictor, std::string description) {
    TargetModel m;
    const auto& target = predictor.target();
    // A model with no "@<simulator>" in its tag was trained on Unicorn statistics (the default).
    std::string simulator = "unicorn";
    if (const auto at = target.find('@'); at != std::string::npos) simulator = target.substr(at + 1);
    try {
        m.simulator = parse_simulator_kind(simulator);
    } catch (const Error&) {
        fail(ErrorKind::invalid_model, "{}: model trained for simulator '{}'; expected unicorn or qemu", description,
             simulator);
    }
    const auto columns = stats_columns(predictor.feature_names(), description + ": the model");
    // A model that never reads the pipeline counters does not pay for LLVM MCA.
    m.collectors.pipeline = std::ranges::any_of(
        columns, [](std::size_t c) { return c >= Stats::base_feature_count && c < Stats::pipeline_feature_count; });
    // Nor for the dataflow walk.
    m.collectors.dataflow = std::ranges::any_of(columns, [](std::size_t c) {
        return c == Stats::feature_index("dataflow_cycles") || c == Stats::feature_index("dataflow_memory_cycles");
    });
    // Nor for the walk with memory (a second walk, a cache query per access) unless it reads it.
    m.collectors.dataflow_memory =
        std::ranges::any_of(columns, [](std::size_t c) { return c == Stats::feature_index("dataflow_memory_cycles"); });
    m.description = std::move(description);
    const auto& names = predictor.feature_names();
    if (std::ranges::find(names, "mca_cycles") != names.end()) {
        auto terms = parse_anchor(cycle_estimate(names), names);
        m.estimate = scorer_over(
            columns, [terms = std::move(terms)](std::span<const double> row) { return anchor_value(terms, row); });
    }
    auto shared = std::make_shared<const AnyPredictor>(std::move(predictor));
    m.scorer = scorer_over(columns, [shared](std::span<const double> row) { return shared->predict(row); });
    return m;
}

} // namespace

TargetModel load_target_model(const std::filesystem::path& file) { return wrap(load_model(file), file.string()); }

void set_default_model(const std::string& target_name, TargetModel model) {
    std::scoped_lock lock(registry_mutex);
    registry().insert_or_assign(target_name, std::move(model));
}

TargetModel default_model(const Target& target) {
    {
        std::scoped_lock lock(registry_mutex);
        if (const auto it = registry().find(target.name); it != registry().end()) return it->second;
    }
    for (const auto& [name, text] : detail::builtin_models) {
        if (name != target.name) continue;
        // Parsed from the text compiled into the library: no file, so nothing anyone else could
        // swap in between writing and reading.
        std::istringstream in{std::string(text)};
        const auto description = fmt::format("builtin:{}", name);
        auto m = wrap(load_model(in, description), description);
        set_default_model(target.name, m);
        return m;
    }
    fail(ErrorKind::invalid_model,
         "no default model for target '{}': train a predictor on the target's measured times and load it "
         "with load_target_model / set_default_model, or rank with the untrained analytic_model(target)",
         target.name);
}

Prediction predict(const KernelBinary& kernel, const Target& target) {
    return predict(kernel, target, default_model(target));
}

Prediction predict(const KernelBinary& kernel, const Target& target, const TargetModel& model,
                   SimulationLimits limits) {
    auto simulator = simulator_factory(model.simulator, limits)();
    auto collectors = model.collectors.make(target);
    Prediction p;
    p.stats = simulator.run(kernel, target, collectors).stats;
    p.seconds = model.scorer(p.stats);
    p.simulator = model.simulator;
    p.model = model.description;
    if (!std::isfinite(p.seconds) || p.seconds <= 0)
        fail(ErrorKind::invalid_data, "the model {} predicted {} s for {}", model.description, p.seconds,
             kernel.path().string());
    return p;
}

} // namespace simtune
