#include "simtune/tuning/tuner.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <type_traits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simtune/tuning/near_tie_gate.hpp"
#include "simtune/tuning/sharded_run.hpp"

namespace simtune {

namespace {
TunerOptions with_collectors(TunerOptions options, const CollectorSelection& collectors) {
    options.pool.collectors = collectors;
    return options;
}
} // namespace

static_assert(std::is_trivially_copyable_v<SamplingOptions>, "Tuner(target, model, options) reads options.sampling "
                                                             "while options may be moved from");

Tuner::Tuner(Target target, TargetModel model, TunerOptions options)
    // (options.sampling may be read after options is moved from: SamplingOptions is trivially
    // copyable, so a move leaves it as it was.)
    : Tuner(std::move(target), simulator_factory(model.simulator, {}, options.sampling), std::move(model.scorer),
            std::move(model.estimate), with_collectors(std::move(options), model.collectors)) {}

Tuner::Tuner(Target target, SimulatorFactory simulators, Scorer scorer, TunerOptions options)
    : Tuner(std::move(target), std::move(simulators), std::move(scorer), Scorer{}, std::move(options)) {}

Tuner::Tuner(Target target, SimulatorFactory simulators, Scorer scorer, Scorer estimate, TunerOptions options)
    : pool_(std::move(target), std::move(simulators), options.pool), scorer_(std::move(scorer)),
      estimate_(std::move(estimate)), options_(std::move(options)) {
    if (!scorer_) fail(ErrorKind::invalid_argument, "Tuner needs a scorer (a predictor)");
    if (!(options_.near_tie_window >= 0))
        fail(ErrorKind::invalid_argument, "the near-tie window {} is not a fraction >= 0", options_.near_tie_window);
}

std::vector<CandidateResult> Tuner::rank(std::span<const Candidate> candidates,
                                         const std::function<void(const CandidateResult&)>& on_result) {
    Collective* const collective = active_collective(options_.collective);
    const bool can_measure = pool_.target().native || !options_.native.command_template.empty();
    ShardedRunOptions sharded;
    sharded.send_binaries = options_.confirm_top > 0 && can_measure; // the root confirms natively
    if (collective)
        agree_on_plan(collective,
                      fmt::format("target={};confirm={}\n{}", pool_.target().name, options_.confirm_top,
                                  batch_fingerprint(candidates)),
                      "candidates (or target, or confirm_top)");
    auto results = run_sharded(
        pool_, candidates, collective,
        [&](CandidateResult& r) {
            if (r.ok()) {
                try {
                    r.predicted_seconds = scorer_(*r.stats);
                    if (!std::isfinite(r.predicted_seconds))
                        fail(ErrorKind::invalid_data, "the predictor returned {} for {}", r.predicted_seconds, r.name);
                    if (gated()) r.estimate_cycles = estimate_(*r.stats);
                } catch (const Error& e) {
                    r.error_kind = e.kind();
                    r.error = e.what();
                } catch (const std::exception& e) {
                    // Runs on a pool worker: any exception escaping here would std::terminate.
                    r.error_kind = ErrorKind::invalid_data;
                    r.error = fmt::format("the predictor failed for {}: {}", r.name, e.what());
                }
            }
            if (on_result) on_result(r);
        },
        sharded);
    if (collective && !collective->is_root()) {
        wait_for_root(collective); // until the root has confirmed: no simulation during its timing
        return {};
    }

    // Successful results by predicted time (or in the gate's order), then the failures in batch
    // order. (std::stable_partition, not std::ranges': clang 15 cannot compile the subrange it returns)
    const auto failed =
        std::stable_partition(results.begin(), results.end(), [](const CandidateResult& r) { return r.ok(); });
    const auto good = static_cast<std::size_t>(failed - results.begin());
    std::vector<CandidateResult> ranked;
    ranked.reserve(results.size());
    if (gated()) {
        std::vector<double> model, estimate;
        for (std::size_t i = 0; i < good; ++i)
            model.push_back(results[i].predicted_seconds), estimate.push_back(results[i].estimate_cycles);
        for (const auto i : near_tie_order(model, estimate, options_.near_tie_window))
            ranked.push_back(std::move(results[i]));
        std::move(failed, results.end(), std::back_inserter(ranked));
    } else {
        std::ranges::stable_sort(results.begin(), failed, {}, &CandidateResult::predicted_seconds);
        ranked = std::move(results);
    }

    const std::size_t top = std::min(options_.confirm_top, good);
    if (top > 0 && can_measure &&
        std::ranges::none_of(ranked, [](const auto& r) { return r.error_kind == ErrorKind::cancelled; })) {
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

void require_a_ranked_candidate(std::span<const CandidateResult> results) {
    if (results.empty() || std::ranges::any_of(results, &CandidateResult::ok)) return;
    const auto& first = results.front(); // rank() puts failures in batch order
    const ErrorKind kind = first.error_kind.value_or(ErrorKind::invalid_argument);
    // Counts by kind, in ErrorKind order: "12 tool missing" or "10 build failed, 2 simulation fault".
    std::vector<std::pair<ErrorKind, std::size_t>> counts;
    for (const auto& r : results) {
        const auto k = r.error_kind.value_or(ErrorKind::invalid_argument);
        auto it = std::ranges::find(counts, k, &std::pair<ErrorKind, std::size_t>::first);
        if (it == counts.end()) counts.emplace_back(k, 1);
        else ++it->second;
    }
    std::ranges::sort(counts);
    std::vector<std::string> parts;
    for (const auto& [k, n] : counts) parts.push_back(fmt::format("{} {}", n, to_string(k)));
    // Error::what() starts with the kind, which the overall error repeats already.
    std::string_view message = first.error;
    if (const auto prefix = fmt::format("{}: ", to_string(kind)); message.starts_with(prefix))
        message.remove_prefix(prefix.size());
    fail(kind, "{} failed ({}); the first, '{}': {}",
         results.size() == 1 ? std::string("the only candidate")
                             : fmt::format("every one of the {} candidates", results.size()),
         fmt::join(parts, ", "), first.name, message);
}

} // namespace simtune
