// What a Stats-cache hit costs per candidate (issue 17, item 3): one small GEMM binary is built and
// simulated once, then a batch of N candidates holding that same binary is ranked again and again
// (every candidate a cache hit), by Tuner::rank and by SimulationPool::run alone, with 1 and 2
// workers; and the parts of a hit on their own (a KernelBinary copy, the cache key, the lookup).
// A table-printing harness; each figure is the fastest of `--repeats` runs (default 5).
//
//   build/benchmarks/bench_stats_cache [--candidates N] [--repeats R] [--simulator qemu|unicorn]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/test_kernels.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/tuning/pool.hpp"
#include "simtune/tuning/tuner.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

template <class F>
double fastest(int repeats, F&& run) {
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < repeats; ++i) best = std::min(best, run());
    return best;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t count = 2000;
    int repeats = 5;
    std::string simulator = "qemu";
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--candidates") && i + 1 < argc)
            count = static_cast<std::size_t>(std::atol(argv[++i]));
        else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--simulator") && i + 1 < argc) simulator = argv[++i];
        else {
            fmt::print(stderr, "usage: {} [--candidates N] [--repeats R] [--simulator qemu|unicorn]\n", argv[0]);
            return 2;
        }
    }
    try {
        const Target target = host_x86_64();
        BuildOptions build;
        build.flags = {"-DM=16", "-DN=16", "-DK=16"};
        const KernelBinary binary = build_kernel(
            tk::read_source(tk::gemm), parse_buffer_spec("A:f32:256:in;B:f32:256:in;C:f32:256:out"), target, build);
        std::vector<Candidate> candidates;
        for (std::size_t i = 0; i < count; ++i)
            candidates.push_back(Candidate::from_binary(fmt::format("c{}", i), binary));

        fmt::print("Stats-cache hits: {} candidates holding one binary ({} buffers, {} bytes), simulator {}; "
                   "fastest of {}\n\n",
                   count, binary.buffers().size(), binary.bytes().size(), simulator, repeats);
        fmt::print("| what | workers | µs per candidate |\n|---|---:|---:|\n");
        const Scorer scorer = [](const Stats& s) { return static_cast<double>(s.instructions) * 1e-9; };
        for (std::size_t workers : {1u, 2u}) {
            TunerOptions options;
            options.pool.workers = workers;
            options.pool.collectors = CollectorSelection{true, false, true, true, false};
            Tuner tuner(target, simulator_factory(simulator), scorer, options);
            (void)tuner.rank(std::span(candidates).first(1)); // the one simulation; the rest are hits
            const double rank = fastest(repeats, [&] {
                const auto start = Clock::now();
                const auto ranked = tuner.rank(candidates);
                const double s = since(start);
                if (!std::ranges::all_of(ranked, &CandidateResult::cache_hit))
                    fail(ErrorKind::invalid_output, "not every candidate hit the cache");
                return s;
            });
            fmt::print("| Tuner::rank, all hits | {} | {:.2f} |\n", workers, 1e6 * rank / static_cast<double>(count));
            SimulationPool pool(target, simulator_factory(simulator), options.pool);
            (void)pool.run(std::span(candidates).first(1));
            const double run = fastest(repeats, [&] {
                const auto start = Clock::now();
                const auto results = pool.run(candidates);
                return since(start);
            });
            fmt::print("| SimulationPool::run, all hits | {} | {:.2f} |\n", workers,
                       1e6 * run / static_cast<double>(count));
        }
        // The parts, one thread.
        constexpr int parts = 20000;
        std::vector<KernelBinary> copies;
        copies.reserve(parts);
        const double copy = fastest(repeats, [&] {
            copies.clear();
            const auto start = Clock::now();
            for (int i = 0; i < parts; ++i) copies.push_back(binary);
            return since(start);
        });
        fmt::print("| KernelBinary copy | 1 | {:.3f} |\n", 1e6 * copy / parts);
        StatsCache cache;
        const std::string collectors = CollectorSelection{true, false, true, true, false}.key();
        cache.insert(StatsCache::key(binary.content_hash(), target.name, simulator, collectors), Stats{});
        double sink = 0;
        const double lookup = fastest(repeats, [&] {
            const auto start = Clock::now();
            for (int i = 0; i < parts; ++i)
                sink += static_cast<double>(
                    cache.find(StatsCache::key(binary.content_hash(), target.name, simulator, collectors))
                        ->instructions);
            return since(start);
        });
        fmt::print("| StatsCache key + find | 1 | {:.3f} |\n", 1e6 * lookup / parts);
        if (sink != 0) fmt::print("(checksum {})\n", sink);
    } catch (const Error& e) {
        fmt::print(stderr, "bench_stats_cache: {}\n", e.what());
        return 1;
    }
    return 0;
}
