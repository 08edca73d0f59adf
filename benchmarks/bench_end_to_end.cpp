// The tuner's whole inner loop against the alternative it replaces: the same N candidates of one
// workload, from C source to a ranking, with each simulator and 1 and 2 workers (every
// configuration builds into its own empty build cache, so the build is included), beside timing
// the same N natively with the main command's protocol (8 passes x 5 ms, noise gate at 5 %).
// Prints candidates/s, the speed-up of the second worker, each path's cost against native timing,
// and how well each simulator's ranking agrees with the native times (ties at the measured
// resolution). Unicorn runs twice, exact and sampled (SamplingOptions' defaults: memory, caches
// and the dataflow walk in windows); QEMU exact only, as it counts exactly when the collector set
// has the dataflow walk, which the shipped models read. The model is the target's default (shipped) model; with
// QEMU its Unicorn-trained scorer reads QEMU's counters, which agree with Unicorn's (the
// cross-check test), so the ranking is meaningful and the cost is what a QEMU model would pay.
// Results and the command that produced them: benchmarks/RESULTS.md, "End to end".
//
// usage: bench_end_to_end [CANDIDATES=60] [WORKLOAD=gemm-128x128x128]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "simtune/build.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/scorer.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/tuning/workloads.hpp"

using namespace simtune;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

} // namespace

int main(int argc, char** argv) try {
    const std::size_t count = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 60;
    const std::string workload_name = argc > 2 ? argv[2] : "gemm-128x128x128";
    const Target target = host_x86_64();
    const auto workload = workload_by_name(workload_name);
    const auto variants = enumerate_variants(workload, count);
    std::vector<Candidate> candidates;
    for (const auto& v : variants) candidates.push_back(Candidate::from_source(v.key(), v.source, v.buffers, v.flags));
    const auto model = default_model(target);
    fmt::print("End to end: {} variants of {} on {} ({} hardware threads), C source to ranking; model: {}\n\n",
               variants.size(), workload.name, target.name, std::thread::hardware_concurrency(), model.description);

    const auto scratch = std::filesystem::temp_directory_path() / fmt::format("simtune-bench-e2e-{}", ::getpid());
    std::map<std::string, std::vector<double>> predicted_by_simulator; // in variant order
    struct Row {
        std::string path;
        std::size_t workers;
        double seconds;
    };
    std::vector<Row> rows;
    std::filesystem::path last_cache;
    // A warm-up per simulator (2 candidates, not reported): the first run in a process pays for
    // loading the compiler, LLVM's tables and the simulator, which would flatter the second worker.
    for (const auto simulator : {SimulatorKind::unicorn, SimulatorKind::qemu}) {
        TunerOptions options;
        options.pool.workers = 1;
        options.pool.build.cache_dir = scratch / fmt::format("warm-up-{}", simulator);
        auto m = model;
        m.simulator = simulator;
        (void)Tuner(target, m, options).rank(std::span(candidates).first(std::min<std::size_t>(2, candidates.size())));
    }
    struct Path {
        SimulatorKind simulator;
        bool sampled;
    };
    for (const auto [simulator, sampled] :
         {Path{SimulatorKind::unicorn, false}, Path{SimulatorKind::unicorn, true}, Path{SimulatorKind::qemu, false}}) {
        const std::string counting = sampled ? "sampled" : "exact";
        for (const std::size_t workers : {std::size_t{1}, std::size_t{2}}) {
            TunerOptions options;
            options.pool.workers = workers;
            options.sampling.enabled = sampled;
            // empty: the build is timed too
            last_cache = scratch / fmt::format("{}-{}-{}", simulator, counting, workers);
            options.pool.build.cache_dir = last_cache;
            auto m = model;
            m.simulator = simulator;
            Tuner tuner(target, m, options);
            const auto start = Clock::now();
            const auto ranked = tuner.rank(candidates);
            const double seconds = since(start);
            std::vector<double> predicted(candidates.size(), std::numeric_limits<double>::quiet_NaN());
            for (const auto& r : ranked) {
                if (!r.ok()) throw Error(ErrorKind::simulation_fault, fmt::format("{}: {}", r.name, r.error));
                predicted[r.index] = r.predicted_seconds;
            }
            predicted_by_simulator[fmt::format("{}, {}", simulator, counting)] = predicted;
            rows.push_back({fmt::format("simulate ({}, {}) + build + score", simulator, counting), workers, seconds});
        }
    }

    // Native: the binaries (already in the last cache, so this build is cheap and reported apart)
    // timed with the main command's protocol.
    std::vector<KernelBinary> binaries;
    auto start = Clock::now();
    for (const auto& v : variants) {
        BuildOptions build;
        build.flags = v.flags;
        build.cache_dir = last_cache;
        binaries.push_back(build_kernel(v.source, v.buffers, target, build));
    }
    const double cached_build = since(start);
    NativeTimingOptions timing;
    timing.passes = 8;
    timing.ms_per_measurement = 5;
    timing.max_spread = 0.05;
    start = Clock::now();
    const auto times = NativeRunner(timing).measure(binaries);
    const double native_seconds = since(start);
    const auto summary = summarise(times);
    std::vector<double> measured;
    for (const auto& t : times) measured.push_back(t.seconds);

    fmt::print("| path | workers | seconds | candidates/s | 2 workers vs 1 | cost vs native timing |\n"
               "|---|---:|---:|---:|---:|---:|\n");
    std::map<std::string, double> one_worker;
    const auto n = static_cast<double>(candidates.size());
    for (const auto& r : rows) {
        if (r.workers == 1) one_worker[r.path] = r.seconds;
        fmt::print("| {} | {} | {:.1f} | {:.2f} | {} | {:.1f}x |\n", r.path, r.workers, r.seconds, n / r.seconds,
                   r.workers == 1 ? std::string("") : fmt::format("{:.2f}x", one_worker[r.path] / r.seconds),
                   r.seconds / native_seconds);
    }
    fmt::print("| time natively (8 passes x 5 ms, gate 5 %; binaries from the cache in {:.1f} s) | 2 CPUs | {:.1f} | "
               "{:.2f} | | 1.0x |\n\n",
               cached_build, native_seconds, n / native_seconds);
    fmt::print("Native resolution (split-half median difference): {:.1f} %; spread over passes median {:.1f} %; {} "
               "re-measured, {} still noisy.\n\n",
               100 * summary.resolution(), 100 * summary.median_spread, summary.remeasured, summary.noisy);
    fmt::print("| ranking by | true best in top-k % | regret % | Spearman |\n|---|---:|---:|---:|\n");
    for (const auto& [name, predicted] : predicted_by_simulator)
        fmt::print("| shipped model, {} statistics | {:.1f} | {:.1f} | {:.2f} |\n", name,
                   top_k_percent(predicted, measured, summary.resolution()),
                   100 * regret(predicted, measured, summary.resolution()), spearman(predicted, measured));
    std::filesystem::remove_all(scratch);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "bench_end_to_end: {}\n", e.what());
    return 1;
}
