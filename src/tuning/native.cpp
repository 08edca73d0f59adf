#include "simtune/tuning/native.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/process.hpp"

namespace simtune {

namespace {

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(-1);
    return cpus;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::ranges::sort(v);
    const auto n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// `text` as one single-quoted shell word ('it'\''s').
std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
    for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size()))
        s.replace(pos, what.size(), with);
    return s;
}

} // namespace

double parse_harness_time(const std::string& output) {
    const auto pos = output.find("simtune-time: min_ns=");
    if (pos == std::string::npos)
        fail(ErrorKind::invalid_output, "no 'simtune-time:' line in the kernel's output: {}", output.substr(0, 200));
    const char* begin = output.data() + pos + 21;
    double ns = 0;
    const auto [end, ec] = std::from_chars(begin, output.data() + output.size(), ns);
    if (ec != std::errc{} || end == begin || !(ns > 0) || !std::isfinite(ns))
        fail(ErrorKind::invalid_output, "malformed 'simtune-time:' line: {}", output.substr(pos, 80));
    return ns * 1e-9;
}

NativeRunner::NativeRunner(NativeTimingOptions options) : options_(std::move(options)) {
    if (options_.passes < 1 || options_.batches < 1 || !(options_.ms_per_measurement > 0))
        fail(ErrorKind::invalid_argument, "native timing needs passes >= 1, batches >= 1 and a positive time");
    if (options_.cpus.empty() && options_.command_template.empty()) options_.cpus = allowed_cpus();
    if (options_.cpus.empty()) options_.cpus = {-1};
}

NativeTiming NativeRunner::measure(const KernelBinary& binary) const { return measure(std::span(&binary, 1)).front(); }

std::vector<NativeTiming> NativeRunner::measure(std::span<const KernelBinary> binaries) const {
    std::vector<NativeTiming> out(binaries.size());
    std::vector<std::string> timing_args{"--time", "--min-ms", fmt::format("{}", options_.ms_per_measurement),
                                         "--passes", fmt::format("{}", options_.batches)};
    if (options_.huge_pages) timing_args.emplace_back("--huge-pages");
    const std::size_t planned = binaries.size() * static_cast<std::size_t>(options_.passes);
    std::size_t total = planned, done = 0;
    // One process: binary i's next pass. Its CPU continues the binary's alternation, so every
    // further pass runs on the other CPU than the one before.
    auto run_one = [&](std::size_t i) {
        const auto& binary = binaries[i];
        auto& t = out[i];
        // An absolute path, so a binary loaded by a relative name is not looked up in PATH.
        const std::string path = std::filesystem::absolute(binary.path()).string();
        const int cpu = options_.cpus[(i + t.pass_seconds.size()) % options_.cpus.size()];
        ProcessOptions po;
        po.timeout = options_.timeout;
        std::vector<std::string> argv;
        if (options_.command_template.empty()) {
            if (cpu >= 0) po.cpu = cpu;
            argv.push_back(path);
            argv.insert(argv.end(), timing_args.begin(), timing_args.end());
        } else {
            // Quoted: a path with spaces, quotes or `$(...)` is one word, never shell code.
            auto cmd = replace_all(options_.command_template, "{binary}", shell_quote(path));
            cmd = replace_all(cmd, "{args}", fmt::format("{}", fmt::join(timing_args, " ")));
            argv = {"/bin/sh", "-c", cmd};
        }
        const auto r = run_process(argv, po);
        if (r.timed_out) fail(ErrorKind::time_limit, "{}: native run {}", binary.path().string(), r.describe());
        if (!r.ok())
            fail(ErrorKind::simulation_fault, "{}: native run failed ({}): {}", binary.path().string(), r.describe(),
                 r.err.substr(0, 500));
        t.pass_seconds.push_back(parse_harness_time(r.out));
        t.pass_cpus.push_back(options_.command_template.empty() ? cpu : -1);
        t.wall_seconds += r.seconds;
        if (options_.progress) options_.progress(++done, total);
    };
    auto settle = [](NativeTiming& t) {
        t.seconds = *std::ranges::min_element(t.pass_seconds);
        t.median_seconds = median(t.pass_seconds);
        t.spread = (t.median_seconds - t.seconds) / t.seconds;
    };
    // Passes over the whole batch; odd passes walk it backwards, so no candidate always runs right
    // after the same neighbour or at the same point of a slow phase.
    auto pass_over = [&](const std::vector<std::size_t>& which, int pass) {
        for (std::size_t n = 0; n < which.size(); ++n) run_one(which[pass % 2 ? which.size() - 1 - n : n]);
    };
    std::vector<std::size_t> all(binaries.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    for (int pass = 0; pass < options_.passes; ++pass) pass_over(all, pass);
    for (auto& t : out) settle(t);

    // The noise gate: re-measure candidates above the bound, up to two passes (one per CPU) per
    // candidate and round, until none is above it, each has had its extra passes, or the budget is spent.
    const bool gate = options_.passes >= 2 && options_.max_spread > 0 && options_.max_extra_passes > 0;
    auto budget = static_cast<std::size_t>(std::max(0.0, options_.extra_budget) * static_cast<double>(planned));
    while (gate && budget > 0) {
        std::vector<std::pair<std::size_t, int>> plan; // candidate, passes this round
        for (std::size_t i = 0; i < out.size() && budget > 0; ++i) {
            if (!(out[i].spread > options_.max_spread) || out[i].extra_passes >= options_.max_extra_passes) continue;
            const int want = static_cast<int>(std::min<std::size_t>(
                budget, static_cast<std::size_t>(std::min(2, options_.max_extra_passes - out[i].extra_passes))));
            plan.emplace_back(i, want);
            budget -= static_cast<std::size_t>(want);
            total += static_cast<std::size_t>(want);
        }
        if (plan.empty()) break;
        for (int p = 0; p < 2; ++p) {
            std::vector<std::size_t> these;
            for (const auto& [i, want] : plan)
                if (want > p) these.push_back(i);
            pass_over(these, p);
        }
        for (const auto& [i, want] : plan) {
            out[i].extra_passes += want;
            settle(out[i]);
        }
    }
    for (auto& t : out) t.noisy = options_.passes >= 2 && options_.max_spread > 0 && t.spread > options_.max_spread;
    return out;
}

std::pair<double, double> half_minima(const NativeTiming& t) {
    // Passes 0,1,2,3,4,5,6,7 go to halves A,B,B,A,A,B,B,A: passes alternate CPUs, so from four
    // passes on each half holds both CPUs, as the minimum over all passes does (even/odd halves
    // would compare the CPUs instead).
    double a = INFINITY, b = INFINITY;
    for (std::size_t p = 0; p < t.pass_seconds.size(); ++p) {
        double& half = (p + p / 2) % 2 ? b : a;
        half = std::min(half, t.pass_seconds[p]);
    }
    return {std::isinf(a) ? 0.0 : a, std::isinf(b) ? 0.0 : b};
}

HalfAgreement half_agreement(std::span<const std::pair<double, double>> halves) {
    std::vector<double> even, odd, diffs;
    for (const auto& [e, o] : halves) {
        if (!(e > 0) || !(o > 0)) continue;
        even.push_back(e);
        odd.push_back(o);
        diffs.push_back(std::abs(e - o) / std::min(e, o));
    }
    HalfAgreement h;
    h.spearman = even.size() >= 2 ? spearman(even, odd) : std::nan("");
    h.median_relative_diff = diffs.empty() ? std::nan("") : median(diffs);
    return h;
}

HalfAgreement half_agreement(std::span<const NativeTiming> timings) {
    std::vector<std::pair<double, double>> halves;
    for (const auto& t : timings) {
        if (t.pass_seconds.size() < 2) fail(ErrorKind::invalid_argument, "half agreement needs at least two passes");
        halves.push_back(half_minima(t));
    }
    return half_agreement(std::span<const std::pair<double, double>>(halves));
}

NativeSummary summarise(std::span<const NativeTiming> timings) {
    NativeSummary s;
    s.candidates = timings.size();
    std::vector<double> spreads;
    bool halves = !timings.empty();
    for (const auto& t : timings) {
        spreads.push_back(t.spread);
        s.mean_spread += t.spread;
        s.remeasured += t.extra_passes > 0 ? 1 : 0;
        s.extra_passes += static_cast<std::size_t>(t.extra_passes);
        s.noisy += t.noisy ? 1 : 0;
        s.wall_seconds += t.wall_seconds;
        halves = halves && t.pass_seconds.size() >= 2;
    }
    if (!timings.empty()) s.mean_spread /= static_cast<double>(timings.size());
    s.median_spread = median(spreads);
    if (halves) s.halves = half_agreement(timings);
    else s.halves.spearman = s.halves.median_relative_diff = std::nan("");
    return s;
}

std::string describe(const NativeSummary& s) {
    auto percent = [](double v) { return std::isnan(v) ? std::string("unknown") : fmt::format("{:.1f} %", 100 * v); };
    return fmt::format(
        "resolution {} (split-half median difference; Spearman of the halves {}), spread over passes "
        "median {} / mean {}; noise gate re-measured {} of {} ({} extra passes), {} still above the bound",
        percent(s.resolution()),
        std::isnan(s.halves.spearman) ? std::string("–") : fmt::format("{:.3f}", s.halves.spearman),
        percent(s.median_spread), percent(s.mean_spread), s.remeasured, s.candidates, s.extra_passes, s.noisy);
}

} // namespace simtune
