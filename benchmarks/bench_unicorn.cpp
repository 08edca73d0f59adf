// UnicornSimulator speed: simulated MIPS for a GEMM and a conv2d kernel on each ISA with
//   (a) no collectors, (b) the instruction mix, (c) mix + branches + memory + the target's caches,
// beside the native x86-64 time of the same kernel, and the fixed cost of one run; then, on
// bench_qemu's larger kernels, what sampled memory statistics (UnicornOptions::sampling) cost
// against exact ones and how close they come; with --steady, what steady caches (the kernel run
// twice, the second counted; the first feeds the caches alone) cost against a cold start.
//
//   bench_unicorn [--reps R] [--sampling-only] [--steady] [--sample P:W:N[:F]]
//                 prints Markdown tables (benchmarks/RESULTS.md, "## Unicorn")
//
// Each figure is the fastest of R runs after one warm-up run (the machine is shared and noisy;
// slowdowns only ever add time). MIPS = simulated instructions / wall-clock seconds of run().
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <simtune/research.hpp>

#include "kernels/test_kernels.hpp"
#include "sampling_accuracy.hpp"

using namespace simtune;
namespace fs = std::filesystem;
namespace tk = simtune::test_kernels;

namespace {

const char* gemm_source = R"(
#define N 96
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < N; ++i)
        for (int k = 0; k < N; ++k) {
            const float aik = a[i * N + k];
            for (int j = 0; j < N; ++j) c[i * N + j] += aik * b[k * N + j];
        }
}
)";

const char* conv_source = R"(
#define C 16
#define H 30
#define W 30
#define K 16
#define OH (H - 2)
#define OW (W - 2)
void simtune_kernel(const float *restrict in, const float *restrict w, float *restrict out) {
    for (int k = 0; k < K; ++k)
        for (int y = 0; y < OH; ++y)
            for (int x = 0; x < OW; ++x) {
                float acc = 0.0f;
                for (int c = 0; c < C; ++c)
                    for (int r = 0; r < 3; ++r)
                        for (int s = 0; s < 3; ++s)
                            acc += in[(c * H + y + r) * W + x + s] * w[((k * C + c) * 3 + r) * 3 + s];
                out[(k * OH + y) * OW + x] = acc;
            }
}
)";

const char* tiny_source = R"(
void simtune_kernel(float *x) { x[0] += 1.0f; }
)";

struct BenchKernel {
    const char* name;
    const char* source;
    std::vector<BufferSpec> buffers;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Fastest of `reps` runs (after a warm-up) and the instructions of one run.
std::pair<double, std::uint64_t> time_runs(UnicornSimulator& sim, const KernelBinary& k, const Target& t,
                                           CollectorSet& collectors, int reps) {
    std::uint64_t instructions = sim.run(k, t, collectors).stats.instructions;
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        instructions = sim.run(k, t, collectors).stats.instructions;
        best = std::min(best, seconds_since(start));
    }
    return {best, instructions};
}

/// The native per-call minimum (ns) of the x86-64 build, from the harness's --time.
double native_ns(const KernelBinary& k) {
    const auto r = run_process({k.path().string(), "--time", "--min-ms", "300", "--passes", "15"});
    if (!r.ok()) fail(ErrorKind::invalid_output, "native run failed: {} {}", r.describe(), r.err);
    const auto at = r.out.find("min_ns=");
    if (at == std::string::npos) fail(ErrorKind::invalid_output, "no simtune-time line in: {}", r.out);
    return std::strtod(r.out.c_str() + at + 7, nullptr);
}

/// Sampled against exact memory statistics on bench_qemu's kernels: the four modes run in
/// interleaved rounds (fastest of `reps` each), so a slow spell of the machine hits them alike.
void sampled_table(int reps, const SamplingOptions& sampling) {
    UnicornOptions options;
    options.read_buffers = false;
    options.sampling = sampling;
    fmt::print("\n## Sampled memory statistics ({}:{}:{}:{}; fastest of {} interleaved rounds)\n\n", sampling.period,
               sampling.warmup, sampling.window, sampling.exact_prefix, reps);
    fmt::print("| target | kernel | M instr | none s | mix | mix + memory + caches, exact | **sampled** | "
               "sampled vs mix |\n");
    fmt::print("|---|---|---:|---:|---:|---:|---:|---:|\n");
    std::vector<SamplingAccuracy> accuracy;
    for (const auto& k : tk::large_kernels()) {
        for (const auto& target : builtin_targets()) {
            const auto binary = tk::build(k, target);
            UnicornSimulator exact_sim(UnicornOptions{.limits = {}, .read_buffers = false, .sampling = {}});
            UnicornSimulator sampled_sim(options);
            CollectorSet none;
            CollectorSet mix = CollectorSet::mix_only();
            CollectorSet caches = CollectorSet::mix_only();
            caches.add_memory().add_caches(target.caches);
            std::array<double, 4> best;
            best.fill(1e300);
            SimulationResult exact, sampled;
            for (int r = 0; r <= reps; ++r) { // round 0 warms up (translation, decoding)
                auto timed = [&](std::size_t i, UnicornSimulator& sim, CollectorSet& set) {
                    const auto start = Clock::now();
                    auto result = sim.run(binary, target, set);
                    if (r > 0) best[i] = std::min(best[i], seconds_since(start));
                    return result;
                };
                timed(0, exact_sim, none);
                timed(1, exact_sim, mix);
                exact = timed(2, exact_sim, caches);
                sampled = timed(3, sampled_sim, caches);
            }
            const std::string name = k.name();
            fmt::print("| {} | {} | {:.1f} | {:.3f} | {:.2f}x | {:.2f}x | **{:.2f}x** | {:.2f}x |\n", target.name, name,
                       static_cast<double>(exact.stats.instructions) / 1e6, best[0], best[1] / best[0],
                       best[2] / best[0], best[3] / best[0], best[3] / best[1]);
            std::fflush(stdout);
            accuracy.push_back({fmt::format("{:<12} {:<8}", target.name, name), exact.stats, sampled.stats,
                                sampled.sampling.value_or(SamplingSummary{})});
        }
    }
    print_sampling_accuracy(options.sampling, accuracy);
}

/// Steady against cold caches on bench_qemu's kernels, with the caches alone (mix + memory +
/// caches) and with every collector: interleaved rounds, fastest of `reps` each. A steady run's
/// priming pass feeds only the cache model, so its cost over a cold run is that pass's.
void steady_table(int reps) {
    fmt::print("\n## Steady caches against cold (fastest of {} interleaved rounds; seconds per run)\n\n", reps);
    fmt::print("| target | kernel | M instr | caches: cold s | steady s | steady/cold | every collector: cold s | "
               "steady s | steady/cold |\n");
    fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& k : tk::large_kernels()) {
        for (const auto& target : builtin_targets()) {
            const auto binary = tk::build(k, target);
            UnicornSimulator sim(UnicornOptions{.limits = {}, .read_buffers = false, .sampling = {}});
            auto caches = [&](CacheStart start) {
                CollectorSet set = CollectorSet::mix_only();
                set.add_memory().add_caches(target.caches, start);
                return set;
            };
            std::array<CollectorSet, 4> sets{caches(CacheStart::cold), caches(CacheStart::steady),
                                             CollectorSet::all(target), CollectorSet::all(target, CacheStart::steady)};
            std::array<double, 4> best;
            best.fill(1e300);
            std::uint64_t instructions = 0;
            for (int r = 0; r <= reps; ++r) // round 0 warms up (translation, decoding, MCA's blocks)
                for (std::size_t i = 0; i < sets.size(); ++i) {
                    const auto start = Clock::now();
                    instructions = sim.run(binary, target, sets[i]).stats.instructions;
                    if (r > 0) best[i] = std::min(best[i], seconds_since(start));
                }
            fmt::print("| {} | {} | {:.1f} | {:.3f} | {:.3f} | {:.2f}x | {:.3f} | {:.3f} | {:.2f}x |\n", target.name,
                       k.name(), static_cast<double>(instructions) / 1e6, best[0], best[1], best[1] / best[0], best[2],
                       best[3], best[3] / best[2]);
            std::fflush(stdout);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    int reps = 5;
    bool sampling_only = false, steady_only = false;
    SamplingOptions sampling;
    sampling.enabled = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--sampling-only")) sampling_only = true;
        else if (!std::strcmp(argv[i], "--steady")) steady_only = true;
        else if (!std::strcmp(argv[i], "--sample") && i + 1 < argc &&
                 std::sscanf(argv[++i], "%lu:%lu:%lu:%lu", &sampling.period, &sampling.warmup, &sampling.window,
                             &sampling.exact_prefix) >= 3) {
        } else {
            fmt::print(stderr,
                       "usage: {} [--reps R] [--sampling-only] [--steady] [--sample PERIOD:WARMUP:WINDOW[:PREFIX]]\n",
                       argv[0]);
            return 2;
        }
    }
    const auto cache = fs::temp_directory_path() / fmt::format("simtune-bench-unicorn-{}", ::getpid());
    BuildOptions opts;
    opts.cache_dir = cache;

    const std::vector<BenchKernel> workloads{{"gemm 96³",
                                              gemm_source,
                                              {{"a", ElemType::f32, 96 * 96, BufferRole::input},
                                               {"b", ElemType::f32, 96 * 96, BufferRole::input},
                                               {"c", ElemType::f32, 96 * 96, BufferRole::output}}},
                                             {"conv2d 16×30×30→16, 3×3",
                                              conv_source,
                                              {{"in", ElemType::f32, 16 * 30 * 30, BufferRole::input},
                                               {"w", ElemType::f32, 16 * 16 * 9, BufferRole::input},
                                               {"out", ElemType::f32, 16 * 28 * 28, BufferRole::output}}}};

    try {
        if (steady_only) {
            steady_table(reps);
            fs::remove_all(cache);
            return 0;
        }
        if (sampling_only) {
            sampled_table(reps, sampling);
            fs::remove_all(cache);
            return 0;
        }
        fmt::print("## Simulated MIPS (fastest of {} runs; instructions per run in M)\n\n", reps);
        fmt::print("| kernel | ISA | M instr | (a) none MIPS | (b) mix MIPS | (b)/(a) | (c) full MIPS | (c)/(a) | "
                   "native x86-64 | slowdown (a) |\n");
        fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (const auto& w : workloads) {
            double native = 0;
            for (const auto& target : builtin_targets()) {
                const auto k = build_kernel(w.source, w.buffers, target, opts);
                if (target.isa == Isa::x86_64) native = native_ns(k) * 1e-9;
                UnicornSimulator sim;
                CollectorSet none;
                CollectorSet mix = CollectorSet::mix_only();
                CollectorSet full = CollectorSet::all(target);
                const auto [ta, n] = time_runs(sim, k, target, none, reps);
                const auto [tb, nb] = time_runs(sim, k, target, mix, reps);
                const auto [tc, nc] = time_runs(sim, k, target, full, reps);
                if (n != nb || n != nc) fail(ErrorKind::invalid_output, "instruction counts differ between modes");
                const double m = static_cast<double>(n) / 1e6;
                fmt::print(
                    "| {} | {} | {:.2f} | {:.0f} | {:.0f} | {:.0f} % | {:.0f} | {:.0f} % | {:.3f} ms | {:.0f}× |\n",
                    w.name, target.isa, m, m / ta, m / tb, 100 * ta / tb, m / tc, 100 * ta / tc, native * 1e3,
                    ta / native);
                std::fflush(stdout);
            }
        }

        fmt::print("\n## Fixed cost of one run (a one-instruction-block kernel, fastest of {} × 1000)\n\n", reps);
        fmt::print(
            "| ISA | reused engine, no collectors | reused engine, full collectors | new simulator each run |\n");
        fmt::print("|---|---:|---:|---:|\n");
        const std::vector<BufferSpec> tiny_buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
        for (const auto& target : builtin_targets()) {
            const auto k = build_kernel(tiny_source, tiny_buffers, target, opts);
            auto per_run = [&](auto&& body, int n) {
                double best = 1e300;
                for (int r = 0; r < reps; ++r) {
                    const auto start = Clock::now();
                    for (int i = 0; i < n; ++i) body();
                    best = std::min(best, seconds_since(start) / n);
                }
                return best * 1e6;
            };
            UnicornSimulator sim;
            CollectorSet none;
            CollectorSet full = CollectorSet::all(target);
            sim.run(k, target, none);
            const double reused = per_run([&] { sim.run(k, target, none); }, 1000);
            sim.run(k, target, full);
            const double reused_full = per_run([&] { sim.run(k, target, full); }, 1000);
            const double fresh = per_run(
                [&] {
                    UnicornSimulator s;
                    s.run(k, target, none);
                },
                20);
            fmt::print("| {} | {:.1f} µs | {:.1f} µs | {:.0f} µs |\n", target.isa, reused, reused_full, fresh);
            std::fflush(stdout);
        }
        sampled_table(reps, sampling);
    } catch (const Error& e) {
        fmt::print(stderr, "bench_unicorn: {}\n", e.what());
        fs::remove_all(cache);
        return 1;
    }
    fs::remove_all(cache);
    return 0;
}
