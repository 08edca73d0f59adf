// How much to trust native timings on this machine: measures workloads' variants in interleaved
// passes on alternating CPUs (every variant of every workload in the same passes, as a dataset
// chunk is) and compares, per workload, the minimum over the even passes with the minimum over the
// odd passes (two independent halves of the measurement). The halves' rank correlation is the
// ground truth's split-half reliability: a model cannot be judged more finely than it.
//
//   build/release/benchmarks/bench_native_noise [WORKLOADS] [VARIANTS] [PASSES] [MS] [TIMES_CSV]
//                                               [--huge-pages] [--gate BOUND] [--batches B]
//
// --huge-pages times with the harness's buffers on transparent huge pages (NativeTimingOptions::
// huge_pages); --gate BOUND turns the noise gate on at that spread bound (default: off, the raw
// passes); --batches B sets the timed batches per process.
//
// TIMES_CSV (optional) receives "key,seconds" per variant (the minimum over all passes): the format
// `simtune dataset --times-csv` reads, and what a second run compares against for test-retest.
//
// WORKLOADS: a workload name, names separated by commas, or "corpus" (every corpus workload; the
// variants are the ones `simtune dataset` and benchmarks/corpus.sh measure: seed 1, the first
// VARIANTS). One table row per workload, with its family, then the median over workloads.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include <simtune/research.hpp>

namespace {

std::vector<simtune::Workload> parse_workloads(const std::string& text) {
    if (text == "corpus") return simtune::corpus_workloads();
    std::vector<simtune::Workload> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = std::min(text.find(',', start), text.size());
        if (comma > start) out.push_back(simtune::workload_by_name(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    simtune::NativeTimingOptions options;
    options.max_extra_passes = 0; // raw passes unless --gate
    std::vector<std::string> pos;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--huge-pages") options.huge_pages = true;
        else if (a == "--gate" && i + 1 < argc) {
            options.max_spread = std::atof(argv[++i]);
            options.max_extra_passes = simtune::NativeTimingOptions{}.max_extra_passes;
        } else if (a == "--batches" && i + 1 < argc) options.batches = std::atoi(argv[++i]);
        else pos.push_back(a);
    }
    const auto workloads = parse_workloads(pos.size() > 0 ? pos[0] : "conv2d-nhwc-16x16x32x32-3x3");
    const std::size_t variants = pos.size() > 1 ? std::strtoul(pos[1].c_str(), nullptr, 10) : 60;
    options.passes = pos.size() > 2 ? std::atoi(pos[2].c_str()) : 6;
    options.ms_per_measurement = pos.size() > 3 ? std::atof(pos[3].c_str()) : 20;
    const auto host = simtune::host_x86_64();
    std::vector<simtune::KernelBinary> binaries;
    std::vector<std::string> keys;
    std::vector<std::pair<std::size_t, std::size_t>> ranges; // per workload: [first, end) in binaries
    for (const auto& w : workloads) {
        const auto first = binaries.size();
        for (const auto& v : simtune::enumerate_variants(w, variants)) {
            keys.push_back(v.key());
            simtune::BuildOptions b;
            b.flags = v.flags;
            binaries.push_back(simtune::build_kernel(v.source, v.buffers, host, b));
        }
        ranges.emplace_back(first, binaries.size());
    }
    const auto start = std::chrono::steady_clock::now();
    const auto timings = simtune::NativeRunner(options).measure(binaries);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (pos.size() > 4) {
        std::ofstream out(pos[4]);
        out << "key,seconds\n";
        for (std::size_t i = 0; i < timings.size(); ++i) out << fmt::format("{},{:.9g}\n", keys[i], timings[i].seconds);
        if (!out) throw simtune::Error(simtune::ErrorKind::io, fmt::format("cannot write {}", pos[4]));
    }
    fmt::print("{} variants, {} passes x {} ms ({} batches{}{}), {:.0f} s wall\n{}\n\n", binaries.size(), options.passes,
               options.ms_per_measurement, options.batches, options.huge_pages ? ", huge pages" : "",
               options.max_extra_passes > 0 ? fmt::format(", noise gate at {:.0f} %", 100 * options.max_spread) : std::string(),
               seconds, simtune::describe(simtune::summarise(timings)));
    fmt::print("| family | workload | variants | median spread % | p90 spread % | halves Spearman | halves median diff % |\n"
               "|---|---|---|---|---|---|---|\n");
    std::vector<double> rhos, diffs;
    for (std::size_t i = 0; i < workloads.size(); ++i) {
        const std::span<const simtune::NativeTiming> mine(timings.data() + ranges[i].first, ranges[i].second - ranges[i].first);
        const auto halves = simtune::half_agreement(mine);
        std::vector<double> spreads;
        for (const auto& t : mine) spreads.push_back(t.spread);
        std::ranges::sort(spreads);
        fmt::print("| {} | {} | {} | {:.1f} | {:.1f} | {:.3f} | {:.1f} |\n", workloads[i].family, workloads[i].name, mine.size(),
                   100 * spreads[spreads.size() / 2], 100 * spreads[spreads.size() * 9 / 10], halves.spearman,
                   100 * halves.median_relative_diff);
        rhos.push_back(halves.spearman);
        diffs.push_back(halves.median_relative_diff);
    }
    std::ranges::sort(rhos);
    std::ranges::sort(diffs);
    if (workloads.size() > 1)
        fmt::print("| **median over {} workloads** | | | | | {:.3f} (worst {:.3f}) | {:.1f} (worst {:.1f}) |\n", workloads.size(),
                   rhos[rhos.size() / 2], rhos.front(), 100 * diffs[diffs.size() / 2], 100 * diffs.back());
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
