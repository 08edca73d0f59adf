// QEMU simulation speed: plain QEMU user mode (no plugin), QEMU with simtune's plugin counting the
// instruction mix, with mix + memory traffic + caches counted exactly, the same sampled
// (QemuSampling), and everything (+ branches, pipeline, dataflow), per ISA, on a GEMM and a
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
#include "simtune/collectors/collector_set.hpp"
#include "simtune/process.hpp"
#include "simtune/simulators/qemu.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;

namespace {

struct BenchKernel {
    tk::TestKernel kernel;
    std::vector<std::string> flags; ///< size overrides
    std::string spec;
};

// Large enough that QEMU start-up and translation (~0.05 s) are a small part of every run.
const std::vector<BenchKernel>& bench_kernels() {
    static const std::vector<BenchKernel> kernels{
        {tk::gemm, {"-DM=256", "-DN=256", "-DK=256"}, "A:f32:65536:in;B:f32:65536:in;C:f32:65536:out"},
        {tk::conv2d,
         {"-DCI=32", "-DCO=32", "-DH=58", "-DW=58"},
         "input:f32:107648:in;weights:f32:9216:in;output:f32:100352:out"},
    };
    return kernels;
}

KernelBinary build(const BenchKernel& k, const Target& target) {
    BuildOptions options;
    options.flags = k.flags;
    return build_kernel(tk::read_source(k.kernel), parse_buffer_spec(k.spec), target, options);
}

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
    QemuSampling sampling;
    sampling.enabled = true;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--sample") && i + 1 < argc &&
                 std::sscanf(argv[++i], "%lu:%lu:%lu", &sampling.period, &sampling.warmup, &sampling.window) == 3) {
        } else {
            fmt::print(stderr, "usage: {} [--repeats N] [--sample PERIOD:WARMUP:WINDOW] [--quick]\n", argv[0]);
            return 2;
        }
    }
    struct Accuracy {
        std::string row;
        Stats exact, sampled;
        SamplingSummary summary;
    };
    std::vector<Accuracy> accuracy;
    try {
        fmt::print(
            "{:<12} {:<8} {:>12} {:>10} | {:>8} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | "
            "{:>8} {:>7} {:>7}\n",
            "target", "kernel", "ROI instr", "native s", "plain s", "MIPS", "mix s", "MIPS", "vs plain", "mix+mem+$",
            "MIPS", "vs plain", "sampled", "MIPS", "vs plain", "full s", "MIPS", "vs plain");
        for (const auto& k : bench_kernels()) {
            const double native = native_seconds(build(k, host_x86_64()));
            for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
                const auto binary = build(k, target);
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
                const std::string kernel_name{k.kernel.file.substr(0, k.kernel.file.find('.'))};
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
        fmt::print("\nsampled ({}:{}:{}) against exact: traffic error; per miss counter, error / stated 95 % "
                   "half-width (|ratio| <= 1: inside the interval)\n",
                   sampling.period, sampling.warmup, sampling.window);
        fmt::print("{:<21} {:>7} {:>9} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9}\n", "", "win/rtr",
                   "measured", "reads", "writes", "bytes ld", "bytes st", "l1d acc", "l1d miss", "l2 miss", "llc miss");
        for (const auto& a : accuracy) {
            auto relative = [&](std::uint64_t exact, std::uint64_t sampled) {
                return exact ? fmt::format("{:+.3f}%", 100.0 * (static_cast<double>(sampled) - exact) / exact)
                             : fmt::format("{}", sampled);
            };
            auto against = [&](std::uint64_t exact, std::uint64_t sampled, std::uint64_t half) {
                const double error = static_cast<double>(sampled) - static_cast<double>(exact);
                return half ? fmt::format("{:+.2f}", error / static_cast<double>(half))
                            : fmt::format("{:+.0f}/0", error);
            };
            const double measured = a.exact.instructions ? static_cast<double>(a.summary.measured_instructions) /
                                                               static_cast<double>(a.exact.instructions)
                                                         : 0.0;
            fmt::print("{} {:>7} {:>8.2f}% | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>9} {:>9} {:>9}\n", a.row,
                       fmt::format("{}/{}", a.summary.windows, a.summary.retranslations), 100.0 * measured,
                       relative(a.exact.mem_reads, a.sampled.mem_reads),
                       relative(a.exact.mem_writes, a.sampled.mem_writes),
                       relative(a.exact.bytes_loaded, a.sampled.bytes_loaded),
                       relative(a.exact.bytes_stored, a.sampled.bytes_stored),
                       relative(a.exact.l1d_accesses, a.sampled.l1d_accesses),
                       against(a.exact.l1d_misses, a.sampled.l1d_misses, a.summary.half_width.l1d_misses),
                       against(a.exact.l2_misses, a.sampled.l2_misses, a.summary.half_width.l2_misses),
                       against(a.exact.llc_misses, a.sampled.llc_misses, a.summary.half_width.llc_misses));
            fmt::print("{:<21} {:>7} {:>9} | exact misses l1d {} l2 {} llc {}; sampled {} +- {}, {} +- {}, {} +- {}\n",
                       "", "", "", a.exact.l1d_misses, a.exact.l2_misses, a.exact.llc_misses, a.sampled.l1d_misses,
                       a.summary.half_width.l1d_misses, a.sampled.l2_misses, a.summary.half_width.l2_misses,
                       a.sampled.llc_misses, a.summary.half_width.llc_misses);
        }
    } catch (const Error& e) {
        fmt::print(stderr, "bench_qemu: {}\n", e.what());
        return 1;
    }
    return 0;
}
