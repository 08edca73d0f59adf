// How much to trust native timings on this machine: measures workloads' variants in interleaved
// passes on alternating CPUs (every variant of every workload in the same passes, as a dataset
// chunk is) and compares, per workload, the minimum over one half of the passes with the minimum
// over the other (two independent halves of the measurement, each with both CPUs from four passes
// on: half_agreement). The halves' rank correlation is the
// ground truth's split-half reliability: a model cannot be judged more finely than it.
//
//   build/release/benchmarks/bench_native_noise [WORKLOADS] [VARIANTS] [PASSES] [MS] [TIMES_CSV]
//                                               [--huge-pages | --compare-huge-pages]
//                                               [--gate BOUND] [--batches B]
//
// --huge-pages times with the harness's buffers on transparent huge pages (NativeTimingOptions::
// huge_pages); --compare-huge-pages measures both ways, interleaved in time (rounds of two passes
// each way, alternating which goes first, PASSES passes in all each way) and prints both tables,
// so a busy or drifting machine affects both alike; --gate BOUND turns the noise gate on at that
// spread bound (default: off, the raw passes); --batches B sets the timed batches per process.
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
#include <simtune/util.hpp>

namespace {

std::vector<simtune::Workload> parse_workloads(const std::string& text) {
    if (text == "corpus") return simtune::corpus_workloads();
    std::vector<simtune::Workload> out;
    for (const auto& name : simtune::split_list(text)) out.push_back(simtune::workload_by_name(name));
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    simtune::NativeTimingOptions options;
    options.max_extra_passes = 0; // raw passes unless --gate
    bool compare = false;
    std::vector<std::string> pos;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--huge-pages") options.huge_pages = true;
        else if (a == "--compare-huge-pages") compare = true;
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
    auto report = [&](const std::vector<simtune::NativeTiming>& timings, double seconds,
                      const simtune::NativeTimingOptions& options) {
        fmt::print("{} variants, {} passes x {} ms ({} batches{}{}), {:.0f} s wall\n{}\n\n", binaries.size(),
                   options.passes, options.ms_per_measurement, options.batches,
                   options.huge_pages ? ", huge pages" : ", small pages",
                   options.max_extra_passes > 0 ? fmt::format(", noise gate at {:.0f} %", 100 * options.max_spread)
                                                : std::string(),
                   seconds, simtune::describe(simtune::summarise(timings)));
        fmt::print("| family | workload | variants | median spread % | p90 spread % | halves Spearman | halves median "
                   "diff % |\n"
                   "|---|---|---|---|---|---|---|\n");
        std::vector<double> rhos, diffs;
        for (std::size_t i = 0; i < workloads.size(); ++i) {
            const std::span<const simtune::NativeTiming> mine(timings.data() + ranges[i].first,
                                                              ranges[i].second - ranges[i].first);
            const auto halves = simtune::half_agreement(mine);
            std::vector<double> spreads;
            for (const auto& t : mine) spreads.push_back(t.spread);
            std::ranges::sort(spreads);
            fmt::print("| {} | {} | {} | {:.1f} | {:.1f} | {:.3f} | {:.1f} |\n", workloads[i].family, workloads[i].name,
                       mine.size(), 100 * spreads[spreads.size() / 2], 100 * spreads[spreads.size() * 9 / 10],
                       halves.spearman, 100 * halves.median_relative_diff);
            rhos.push_back(halves.spearman);
            diffs.push_back(halves.median_relative_diff);
        }
        std::ranges::sort(rhos);
        std::ranges::sort(diffs);
        if (workloads.size() > 1)
            fmt::print("| **median over {} workloads** | | | | | {:.3f} (worst {:.3f}) | {:.1f} (worst {:.1f}) |\n",
                       workloads.size(), rhos[rhos.size() / 2], rhos.front(), 100 * diffs[diffs.size() / 2],
                       100 * diffs.back());
    };
    if (compare) {
        // Rounds of two passes each way, interleaved; each variant's passes merged in order.
        std::vector<simtune::NativeTiming> ways[2];
        double seconds[2] = {0, 0};
        simtune::NativeTimingOptions each[2] = {options, options};
        each[0].huge_pages = false;
        each[1].huge_pages = true;
        for (auto& e : each) e.passes = 2;
        for (int round = 0; round < std::max(1, options.passes / 2); ++round)
            for (int k = 0; k < 2; ++k) {
                const int way = (round + k) % 2;
                const auto start = std::chrono::steady_clock::now();
                auto t = simtune::NativeRunner(each[way]).measure(binaries);
                seconds[way] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                if (ways[way].empty()) ways[way] = std::move(t);
                else
                    for (std::size_t i = 0; i < t.size(); ++i) {
                        auto& m = ways[way][i];
                        m.pass_seconds.insert(m.pass_seconds.end(), t[i].pass_seconds.begin(), t[i].pass_seconds.end());
                        m.pass_cpus.insert(m.pass_cpus.end(), t[i].pass_cpus.begin(), t[i].pass_cpus.end());
                        m.wall_seconds += t[i].wall_seconds;
                        auto sorted = m.pass_seconds;
                        std::ranges::sort(sorted);
                        const auto n = sorted.size();
                        m.seconds = sorted.front();
                        m.median_seconds = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
                        m.spread = (m.median_seconds - m.seconds) / m.seconds;
                    }
            }
        for (int way = 0; way < 2; ++way) {
            auto o = each[way];
            o.passes = static_cast<int>(ways[way].front().pass_seconds.size());
            report(ways[way], seconds[way], o);
            fmt::print("\n");
        }
        return 0;
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
    report(timings, seconds, options);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
