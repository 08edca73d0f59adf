#include "simtune/tuning/native.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <cmath>

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

NativeTiming NativeRunner::measure(const KernelBinary& binary) const {
    return measure(std::span(&binary, 1)).front();
}

std::vector<NativeTiming> NativeRunner::measure(std::span<const KernelBinary> binaries) const {
    std::vector<NativeTiming> out(binaries.size());
    const std::vector<std::string> timing_args{"--time", "--min-ms", fmt::format("{}", options_.ms_per_measurement),
                                               "--passes", fmt::format("{}", options_.batches)};
    const std::size_t total = binaries.size() * static_cast<std::size_t>(options_.passes);
    std::size_t done = 0;
    for (int pass = 0; pass < options_.passes; ++pass) {
        // Odd passes walk the batch backwards, so no candidate always runs right after the same
        // neighbour or at the same point of a slow phase.
        for (std::size_t n = 0; n < binaries.size(); ++n) {
            const std::size_t i = pass % 2 ? binaries.size() - 1 - n : n;
            const auto& binary = binaries[i];
            // An absolute path, so a binary loaded by a relative name is not looked up in PATH.
            const std::string path = std::filesystem::absolute(binary.path()).string();
            const int cpu = options_.cpus[(i + static_cast<std::size_t>(pass)) % options_.cpus.size()];
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
            if (r.timed_out)
                fail(ErrorKind::time_limit, "{}: native run {}", binary.path().string(), r.describe());
            if (!r.ok())
                fail(ErrorKind::simulation_fault, "{}: native run failed ({}): {}", binary.path().string(), r.describe(),
                     r.err.substr(0, 500));
            out[i].pass_seconds.push_back(parse_harness_time(r.out));
            out[i].pass_cpus.push_back(options_.command_template.empty() ? cpu : -1);
            if (options_.progress) options_.progress(++done, total);
        }
    }
    for (auto& t : out) {
        t.seconds = *std::ranges::min_element(t.pass_seconds);
        t.median_seconds = median(t.pass_seconds);
        t.spread = (t.median_seconds - t.seconds) / t.seconds;
    }
    return out;
}

HalfAgreement half_agreement(std::span<const NativeTiming> timings) {
    std::vector<double> even, odd;
    for (const auto& t : timings) {
        if (t.pass_seconds.size() < 2) fail(ErrorKind::invalid_argument, "half agreement needs at least two passes");
        double e = INFINITY, o = INFINITY;
        for (std::size_t p = 0; p < t.pass_seconds.size(); ++p) (p % 2 ? o : e) = std::min(p % 2 ? o : e, t.pass_seconds[p]);
        even.push_back(e);
        odd.push_back(o);
    }
    HalfAgreement h;
    if (even.size() >= 2) h.spearman = spearman(even, odd);
    std::vector<double> diffs;
    for (std::size_t i = 0; i < even.size(); ++i) diffs.push_back(std::abs(even[i] - odd[i]) / std::min(even[i], odd[i]));
    h.median_relative_diff = median(diffs);
    return h;
}

} // namespace simtune
