// QEMU simulation speed: plain QEMU user mode (no plugin), QEMU with simtune's plugin counting the
// instruction mix, with mix + memory traffic + caches counted exactly, the same sampled
// (SamplingOptions), and everything (+ branches, pipeline, dataflow), per ISA, on a GEMM and a
// conv2d kernel, beside the native x86-64 time of the same kernel. A table-printing harness: each
// configuration runs `--repeats` times (default 3) and the fastest run is reported, because on a
// shared machine slowdowns only ever add time. A second table compares the sampled memory counters
// with the exact ones: traffic's relative error, and each miss counter's error against its stated
// 95 % interval.
//
//   build/benchmarks/bench_qemu [--repeats N] [--sample PERIOD:WARMUP:WINDOW] [--quick]
//
// --quick times only plain QEMU and the sampled run (the exact one runs once, for the accuracy
// table; the mix and full columns are left empty): for tuning the sampling.
//
// MIPS = instructions counted in the kernel's region of interest / wall-clock seconds of the whole
// QEMU process (start-up and the harness's buffer initialisation included).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/test_kernels.hpp"
#include "sampling_accuracy.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/process.hpp"
#include "simtune/simulators/qemu.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;

namespace {

double seconds_of_plain_qemu(const KernelBinary& binary, const Target& target) {
    std::vector<std::string> argv{target.qemu_binary};
    if (!target.qemu_cpu.empty()) argv.insert(argv.end(), {"-cpu", target.qemu_cpu});
    argv.push_back(binary.path().string());
    const auto result = run_process(argv);
    if (!result.ok()) fail(ErrorKind::simulation_fault, "plain QEMU failed: {}", result.describe());
    return result.seconds;
}

/// Native per-call time from the harness's own timing loop (minimum over batches), in seconds.
double native_seconds(const KernelBinary& binary) {
    const auto result = run_process({binary.path().string(), "--time", "--min-ms", "300", "--passes", "9"});
    if (!result.ok()) fail(ErrorKind::simulation_fault, "native run failed: {}", result.describe());
    const auto at = result.out.find("min_ns=");
    if (at == std::string::npos) fail(ErrorKind::invalid_output, "no timing line: {}", result.out);
    return std::strtod(result.out.c_str() + at + 7, nullptr) * 1e-9;
}

template <class F>
double fastest(int repeats, F&& run) {
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < repeats; ++i) best = std::min(best, run());
    return best;
}

} // namespace

int main(int argc, char** argv) {
    int repeats = 3;
    SamplingOptions sampling;
    sampling.enabled = true;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--sample") && i + 1 < argc &&
                 std::sscanf(argv[++i], "%lu:%lu:%lu:%lu", &sampling.period, &sampling.warmup, &sampling.window,
                             &sampling.exact_prefix) >= 3) {
        } else {
            fmt::print(stderr, "usage: {} [--repeats N] [--sample PERIOD:WARMUP:WINDOW[:PREFIX]] [--quick]\n", argv[0]);
            return 2;
        }
    }
    std::vector<SamplingAccuracy> accuracy;
    try {
        fmt::print(
            "{:<12} {:<8} {:>12} {:>10} | {:>8} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | "
            "{:>8} {:>7} {:>7}\n",
            "target", "kernel", "ROI instr", "native s", "plain s", "MIPS", "mix s", "MIPS", "vs plain", "mix+mem+$",
            "MIPS", "vs plain", "sampled", "MIPS", "vs plain", "full s", "MIPS", "vs plain");
        for (const auto& k : tk::large_kernels()) {
            const double native = native_seconds(tk::build(k, host_x86_64()));
            for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
                const auto binary = tk::build(k, target);
                QemuOptions options;
                options.read_buffers = false;
                QemuSimulator simulator(options);
                options.sampling = sampling;
                QemuSimulator sampling_simulator(options);
                std::uint64_t instructions = 0;
                SimulationResult last;
                auto with = [&](CollectorSet& collectors, QemuSimulator& sim, bool timed = true) {
                    return fastest(timed ? repeats : 1, [&] {
                        last = sim.run(binary, target, collectors);
                        instructions = last.stats.instructions;
                        return last.seconds;
                    });
                };
                const double plain = fastest(repeats, [&] { return seconds_of_plain_qemu(binary, target); });
                auto mix_set = CollectorSet::mix_only();
                auto cache_set = CollectorSet::mix_only();
                cache_set.add_memory().add_caches(target.caches);
                auto full_set = CollectorSet::all(target);
                const double nan = std::numeric_limits<double>::quiet_NaN();
                const double mix = quick ? nan : with(mix_set, simulator);
                const double caches = with(cache_set, simulator, !quick);
                const Stats exact = last.stats;
                const double sampled = with(cache_set, sampling_simulator);
                const std::string kernel_name = k.name();
                accuracy.push_back({fmt::format("{:<12} {:<8}", target.name, kernel_name), exact, last.stats,
                                    last.sampling.value_or(SamplingSummary{})});
                const double full = quick ? nan : with(full_set, simulator);
                const double mi = static_cast<double>(instructions) / 1e6;
                fmt::print("{:<12} {:<8} {:>12} {:>10.5f} | {:>8.3f} {:>7.0f} | {:>8.3f} {:>7.0f} {:>6.2f}x | {:>8.3f} "
                           "{:>7.0f} {:>6.2f}x | {:>8.3f} {:>7.0f} {:>6.2f}x | {:>8.3f} {:>7.0f} {:>6.2f}x\n",
                           target.name, kernel_name, instructions, native, plain, mi / plain, mix, mi / mix,
                           mix / plain, caches, mi / caches, caches / plain, sampled, mi / sampled, sampled / plain,
                           full, mi / full, full / plain);
                std::fflush(stdout);
            }
        }
        print_sampling_accuracy(sampling, accuracy);
    } catch (const Error& e) {
        fmt::print(stderr, "bench_qemu: {}\n", e.what());
        return 1;
    }
    return 0;
}
