// Throughput of the batch path and latency of the one-call path:
//  - Tuner::rank on a 200-candidate GEMM space (enumerate_variants of gemm-128x128x128) with 1 and
//    2 workers, candidates given as pre-built binaries so simulation is timed apart from the build
//    (the build of the 200 binaries is timed on its own, with a fresh build cache);
//  - ranking the same batch again (every candidate a Stats-cache hit);
//  - predict(kernel, target, model): simulation + scoring of one binary, and the scorer alone.
// The model is the target's default model if there is one, else a RidgeRegressor fitted on a few
// simulated variants and their native times. A table-printing harness: each figure is one timed
// run of seconds-long work, so Google Benchmark's repetition machinery adds nothing.
// Results and the command that produced them: benchmarks/RESULTS.md, "Tuner and predict".
//
// usage: bench_tuner [CANDIDATES=200] [SIMULATOR=the model's, unicorn for the fitted ridge]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "simtune/build.hpp"
#include "simtune/predictors/ridge.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/predict.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/tuning/workloads.hpp"

using namespace simtune;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Builds every variant on `threads` threads into `cache_dir`.
std::vector<KernelBinary> build_all(const std::vector<Variant>& variants, const Target& target,
                                    const std::filesystem::path& cache_dir, unsigned threads) {
    std::vector<std::optional<KernelBinary>> built(variants.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next++) < variants.size();) {
            BuildOptions options;
            options.flags = variants[i].flags;
            options.cache_dir = cache_dir;
            built[i] = build_kernel(variants[i].source, variants[i].buffers, target, options);
        }
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
    pool.clear();
    std::vector<KernelBinary> out;
    for (auto& b : built) out.push_back(std::move(*b));
    return out;
}

/// The default model, or a ridge model fitted on `binaries`' Unicorn stats and native times.
TargetModel model_for(const Target& target, std::span<const KernelBinary> binaries, const std::string& simulator_name,
                      std::string& how) {
    try {
        auto model = default_model(target);
        how = "default model: " + model.description;
        // Throughput only: another simulator's stats would not suit the model, but cost the same to score.
        if (!simulator_name.empty()) model.simulator = parse_simulator_kind(simulator_name);
        return model;
    } catch (const Error&) {}
    const std::string fitted_on = simulator_name.empty() ? "unicorn" : simulator_name;
    auto simulator = simulator_factory(fitted_on)();
    TrainingSet data;
    for (auto n : Stats::feature_names()) data.feature_names.emplace_back(n);
    data.features.resize(static_cast<Eigen::Index>(binaries.size()), static_cast<Eigen::Index>(Stats::feature_count));
    for (std::size_t i = 0; i < binaries.size(); ++i) {
        auto collectors = CollectorSelection::all().make(target);
        const auto row = simulator.run(binaries[i], target, collectors).stats.to_features();
        for (std::size_t j = 0; j < row.size(); ++j)
            data.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = row[j];
    }
    NativeTimingOptions timing;
    timing.passes = 2;
    timing.ms_per_measurement = 5;
    const auto times = NativeRunner(timing).measure(binaries);
    data.seconds.resize(static_cast<Eigen::Index>(times.size()));
    for (std::size_t i = 0; i < times.size(); ++i) data.seconds[static_cast<Eigen::Index>(i)] = times[i].seconds;
    RidgeOptions options;
    options.penalties = {1.0};
    auto ridge = std::make_shared<RidgeRegressor>(options);
    ridge->fit(data);
    how = fmt::format("RidgeRegressor fitted on {} variants' {} stats (no default model)", binaries.size(), fitted_on);
    TargetModel model;
    model.simulator = parse_simulator_kind(fitted_on);
    model.scorer = make_scorer(std::shared_ptr<const RidgeRegressor>(ridge));
    model.description = "ridge (benchmark)";
    return model;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 200;
    const std::string simulator_name = argc > 2 ? argv[2] : "";
    const Target target = host_x86_64();
    const auto workload = workload_by_name("gemm-128x128x128");
    const auto variants = enumerate_variants(workload, count);
    fmt::print("Tuner and predict: {} variants of {} on {} ({} hardware threads)\n\n", variants.size(), workload.name,
               target.name, std::thread::hardware_concurrency());

    const auto cache_dir = std::filesystem::temp_directory_path() / fmt::format("simtune-bench-tuner-{}", ::getpid());
    auto start = Clock::now();
    const auto binaries = build_all(variants, target, cache_dir, 2);
    const double build_seconds = since(start);
    fmt::print("build: {} binaries in {:.1f} s on 2 threads ({:.1f} binaries/s)\n", binaries.size(), build_seconds,
               static_cast<double>(binaries.size()) / build_seconds);

    std::string how;
    const auto model =
        model_for(target, std::span(binaries).first(std::min<std::size_t>(12, binaries.size())), simulator_name, how);
    fmt::print("model: {}; simulator: {}\n\n", how, model.simulator);

    std::vector<Candidate> candidates;
    for (std::size_t i = 0; i < binaries.size(); ++i)
        candidates.push_back(Candidate::from_binary(variants[i].key(), binaries[i]));

    fmt::print("| run | workers | candidates | seconds | candidates/s | speed-up |\n|---|---:|---:|---:|---:|---:|\n");
    double one_worker = 0;
    std::optional<Tuner> last;
    for (std::size_t workers : {1u, 2u}) {
        TunerOptions options;
        options.pool.workers = workers;
        last.emplace(target, model, options);
        start = Clock::now();
        const auto ranked = last->rank(candidates);
        const double seconds = since(start);
        const auto failed = std::ranges::count_if(ranked, [](const auto& r) { return !r.ok(); });
        if (failed) fmt::print(stderr, "{} candidates failed, e.g. {}\n", failed, ranked.back().error);
        if (workers == 1) one_worker = seconds;
        fmt::print("| simulate + score | {} | {} | {:.2f} | {:.2f} | {:.2f} |\n", workers, candidates.size(), seconds,
                   static_cast<double>(candidates.size()) / seconds, one_worker / seconds);
    }
    start = Clock::now();
    const auto again = last->rank(candidates);
    const double cached = since(start);
    const auto hits = std::ranges::count_if(again, &CandidateResult::cache_hit);
    fmt::print("| same batch again (cache hits: {}) | 2 | {} | {:.4f} | {:.0f} | {:.1f} µs/candidate |\n\n", hits,
               candidates.size(), cached, static_cast<double>(candidates.size()) / cached,
               1e6 * cached / static_cast<double>(candidates.size()));

    // predict(): simulation + scoring of one binary, over the first 20 binaries.
    const std::size_t n = std::min<std::size_t>(20, binaries.size());
    std::vector<double> latencies;
    for (std::size_t i = 0; i < n; ++i) {
        start = Clock::now();
        const auto p = predict(binaries[i], target, model);
        latencies.push_back(since(start));
        if (!(p.seconds > 0)) fmt::print(stderr, "prediction {} is {}\n", i, p.seconds);
    }
    std::ranges::sort(latencies);
    const Stats stats = *again.front().stats;
    constexpr int scorer_calls = 100'000;
    double sink = 0;
    start = Clock::now();
    for (int i = 0; i < scorer_calls; ++i) sink += model.scorer(stats);
    const double scorer = since(start) / scorer_calls;
    fmt::print(
        "predict(): median {:.1f} ms, min {:.1f} ms, max {:.1f} ms over {} binaries; scorer alone {:.2f} µs/call "
        "(checksum {:.3g})\n",
        1e3 * latencies[n / 2], 1e3 * latencies.front(), 1e3 * latencies.back(), n, 1e6 * scorer, sink);
    std::filesystem::remove_all(cache_dir);
    return 0;
}
