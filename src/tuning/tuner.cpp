#include "simtune/tuning/tuner.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "simtune/tuning/sharded_run.hpp"

namespace simtune {

namespace {
TunerOptions with_collectors(TunerOptions options, const CollectorSelection& collectors) {
    options.pool.collectors = collectors;
    return options;
}
} // namespace

Tuner::Tuner(Target target, TargetModel model, TunerOptions options)
    : Tuner(std::move(target), simulator_factory(model.simulator), std::move(model.scorer),
            with_collectors(std::move(options), model.collectors)) {}

Tuner::Tuner(Target target, SimulatorFactory simulators, Scorer scorer, TunerOptions options)
    : pool_(std::move(target), std::move(simulators), options.pool), scorer_(std::move(scorer)),
      options_(std::move(options)) {
    if (!scorer_) fail(ErrorKind::invalid_argument, "Tuner needs a scorer (a predictor)");
}

std::vector<CandidateResult> Tuner::rank(std::span<const Candidate> candidates,
                                         const std::function<void(const CandidateResult&)>& on_result) {
    Collective* const collective = active_collective(options_.collective);
    const bool can_measure = pool_.target().native || !options_.native.command_template.empty();
    ShardedRunOptions sharded;
    sharded.send_binaries = options_.confirm_top > 0 && can_measure; // the root confirms natively
    if (collective)
        agree_on_plan(collective, fmt::format("target={};confirm={}\n{}", pool_.target().name, options_.confirm_top,
                                              batch_fingerprint(candidates)),
                      "candidates (or target, or confirm_top)");
    auto results = run_sharded(pool_, candidates, collective, [&](CandidateResult& r) {
        if (r.ok()) {
            try {
                r.predicted_seconds = scorer_(*r.stats);
                if (!std::isfinite(r.predicted_seconds))
                    fail(ErrorKind::invalid_data, "the predictor returned {} for {}", r.predicted_seconds, r.name);
            } catch (const Error& e) {
                r.error_kind = e.kind();
                r.error = e.what();
            }
        }
        if (on_result) on_result(r);
    }, sharded);
    if (collective && !collective->is_root()) {
        wait_for_root(collective); // until the root has confirmed: no simulation during its timing
        return {};
    }

    // Successful results by predicted time, then the failures in batch order.
    auto failed = std::ranges::stable_partition(results, &CandidateResult::ok);
    std::ranges::stable_sort(results.begin(), failed.begin(), {}, &CandidateResult::predicted_seconds);
    const auto good = static_cast<std::size_t>(failed.begin() - results.begin());
    std::vector<CandidateResult> ranked = std::move(results);

    const std::size_t top = std::min(options_.confirm_top, good);
    if (top > 0 && can_measure && std::ranges::none_of(ranked, [](const auto& r) { return r.error_kind == ErrorKind::cancelled; })) {
        std::vector<KernelBinary> binaries;
        for (std::size_t i = 0; i < top; ++i) binaries.push_back(*ranked[i].binary);
        const auto times = NativeRunner(options_.native).measure(binaries);
        for (std::size_t i = 0; i < top; ++i) ranked[i].measured_seconds = times[i].seconds;
        std::stable_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(top),
                         [](const auto& a, const auto& b) { return *a.measured_seconds < *b.measured_seconds; });
    }
    wait_for_root(collective);
    return ranked;
}

} // namespace simtune
