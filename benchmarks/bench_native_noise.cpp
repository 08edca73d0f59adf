// How much to trust native timings on this machine: measures a workload's variants in interleaved
// passes on alternating CPUs and compares the minimum over the even passes with the minimum over
// the odd passes (two independent halves of the measurement).
//
//   build/release/benchmarks/bench_native_noise [WORKLOAD] [VARIANTS] [PASSES] [MS]
#include <cstdlib>

#include <simtune/research.hpp>

int main(int argc, char** argv) try {
    const std::string workload = argc > 1 ? argv[1] : "conv2d-nhwc-16x16x32x32-3x3";
    const std::size_t variants = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 60;
    simtune::NativeTimingOptions options;
    options.passes = argc > 3 ? std::atoi(argv[3]) : 6;
    options.ms_per_measurement = argc > 4 ? std::atof(argv[4]) : 20;
    const auto host = simtune::host_x86_64();
    std::vector<simtune::KernelBinary> binaries;
    for (const auto& v : simtune::enumerate_variants(simtune::workload_by_name(workload), variants)) {
        simtune::BuildOptions b;
        b.flags = v.flags;
        binaries.push_back(simtune::build_kernel(v.source, v.buffers, host, b));
    }
    const auto start = std::chrono::steady_clock::now();
    const auto timings = simtune::NativeRunner(options).measure(binaries);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto halves = simtune::half_agreement(timings);
    std::vector<double> spreads;
    for (const auto& t : timings) spreads.push_back(t.spread);
    std::ranges::sort(spreads);
    fmt::print("| workload | variants | passes x ms | wall s | median spread % | p90 spread % | halves Spearman | halves median diff % |\n"
               "|---|---|---|---|---|---|---|---|\n");
    fmt::print("| {} | {} | {} x {} | {:.0f} | {:.1f} | {:.1f} | {:.3f} | {:.1f} |\n", workload, binaries.size(), options.passes,
               options.ms_per_measurement, seconds, 100 * spreads[spreads.size() / 2], 100 * spreads[spreads.size() * 9 / 10],
               halves.spearman, 100 * halves.median_relative_diff);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
