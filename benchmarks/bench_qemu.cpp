// QEMU simulation speed: plain QEMU user mode (no plugin), QEMU with simtune's plugin counting the
// instruction mix, and with mix + memory traffic + caches (+ branches), per ISA, on a GEMM and a
// conv2d kernel, beside the native x86-64 time of the same kernel. A table-printing harness: each
// configuration runs `--repeats` times (default 3) and the fastest run is reported, because on a
// shared machine slowdowns only ever add time.
//
//   build/benchmarks/bench_qemu [--repeats N]
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
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else {
            fmt::print(stderr, "usage: {} [--repeats N]\n", argv[0]);
            return 2;
        }
    }
    try {
        fmt::print(
            "{:<12} {:<8} {:>12} {:>10} | {:>8} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7} | {:>8} {:>7} {:>7}\n",
            "target", "kernel", "ROI instr", "native s", "plain s", "MIPS", "mix s", "MIPS", "vs plain", "mix+mem+$",
            "MIPS", "vs plain", "full s", "MIPS", "vs plain");
        for (const auto& k : bench_kernels()) {
            const double native = native_seconds(build(k, host_x86_64()));
            for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
                const auto binary = build(k, target);
                QemuOptions options;
                options.read_buffers = false;
                QemuSimulator simulator(options);
                std::uint64_t instructions = 0;
                auto with = [&](CollectorSet& collectors) {
                    return fastest(repeats, [&] {
                        const auto r = simulator.run(binary, target, collectors);
                        instructions = r.stats.instructions;
                        return r.seconds;
                    });
                };
                const double plain = fastest(repeats, [&] { return seconds_of_plain_qemu(binary, target); });
                auto mix_set = CollectorSet::mix_only();
                auto cache_set = CollectorSet::mix_only();
                cache_set.add_memory().add_caches(target.caches);
                auto full_set = CollectorSet::all(target);
                const double mix = with(mix_set);
                const double caches = with(cache_set);
                const double full = with(full_set);
                const double mi = static_cast<double>(instructions) / 1e6;
                fmt::print("{:<12} {:<8} {:>12} {:>10.5f} | {:>8.3f} {:>7.0f} | {:>8.3f} {:>7.0f} {:>6.2f}x | {:>8.3f} "
                           "{:>7.0f} {:>6.2f}x | {:>8.3f} {:>7.0f} {:>6.2f}x\n",
                           target.name, k.kernel.file.substr(0, k.kernel.file.find('.')), instructions, native, plain,
                           mi / plain, mix, mi / mix, mix / plain, caches, mi / caches, caches / plain, full, mi / full,
                           full / plain);
                std::fflush(stdout);
            }
        }
    } catch (const Error& e) {
        fmt::print(stderr, "bench_qemu: {}\n", e.what());
        return 1;
    }
    return 0;
}
