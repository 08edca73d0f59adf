#include "common.hpp"

#include <charconv>
#include "job.hpp"

#include "simtune/predictors/analytic_model.hpp"
#include "simtune/util.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>

namespace simtune::cli {

int exit_code_for(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::invalid_argument: return exit_usage;
        case ErrorKind::io:
        case ErrorKind::invalid_binary:
        case ErrorKind::wrong_isa:
        case ErrorKind::invalid_model:
        case ErrorKind::invalid_data: return exit_bad_input;
        case ErrorKind::tool_missing: return exit_tool_missing;
        case ErrorKind::build_failed:
        case ErrorKind::simulation_fault:
        case ErrorKind::instruction_limit:
        case ErrorKind::time_limit:
        case ErrorKind::invalid_output:
        case ErrorKind::cancelled: return exit_failed;
    }
    return exit_failed;
}

void print_json(const Json& document) {
    // NaN/inf are not JSON: dump() would write null for them, which is what a reader should see.
    std::cout << document.dump(2) << '\n';
    std::cout.flush();
}

Json to_json(const Stats& stats) {
    Json j = Json::object();
    const auto names = Stats::feature_names();
    const auto values = stats.to_features();
    for (std::size_t i = 0; i < values.size(); ++i) j[std::string(names[i])] = static_cast<std::uint64_t>(values[i]);
    return j;
}

Json to_json(std::span<const BufferSpec> buffers) {
    Json j = Json::array();
    for (const auto& b : buffers)
        j.push_back({{"name", b.name}, {"type", to_string(b.type)}, {"count", b.count}, {"role", to_string(b.role)}});
    return j;
}

Json to_json(const NativeTiming& t) {
    return {{"seconds", t.seconds},
            {"median_seconds", t.median_seconds},
            {"spread", t.spread},
            {"pass_seconds", t.pass_seconds},
            {"pass_cpus", t.pass_cpus}};
}

Json to_json(const Target& t) {
    auto cache = [](const CacheGeometry& g) {
        return Json{{"size_bytes", g.size_bytes}, {"line_bytes", g.line_bytes}, {"associativity", g.associativity}};
    };
    return {{"name", t.name},
            {"isa", to_string(t.isa)},
            {"compiler", t.compiler()},
            {"cflags", t.cflags},
            {"qemu", t.qemu_binary},
            {"qemu_cpu", t.qemu_cpu},
            {"native", t.native},
            {"caches", {{"l1d", cache(t.caches.l1d)}, {"l2", cache(t.caches.l2)}, {"llc", cache(t.caches.llc)}}}};
}

Json to_json(const CandidateResult& r) {
    Json j{{"index", r.index}, {"name", r.name}, {"ok", r.ok()}};
    if (r.binary) j["binary"] = r.binary->path().string();
    if (r.ok()) j["predicted_seconds"] = r.predicted_seconds;
    if (std::isfinite(r.estimate_cycles)) j["estimate_cycles"] = r.estimate_cycles; // ranked with the near-tie gate
    j["measured_seconds"] = r.measured_seconds ? Json(*r.measured_seconds) : Json(nullptr);
    j["cache_hit"] = r.cache_hit;
    j["simulation_seconds"] = r.simulation_seconds;
    if (r.stats) j["stats"] = to_json(*r.stats);
    if (!r.ok()) {
        j["error_kind"] = kind_name(*r.error_kind);
        j["error"] = r.error;
    }
    return j;
}

std::string format_seconds(double s) {
    if (!std::isfinite(s)) return "n/a";
    const double a = std::abs(s);
    if (a < 1e-6) return fmt::format("{:.1f} ns", s * 1e9);
    if (a < 1e-3) return fmt::format("{:.2f} µs", s * 1e6);
    if (a < 1) return fmt::format("{:.3f} ms", s * 1e3);
    return fmt::format("{:.2f} s", s);
}

// ---- progress -----------------------------------------------------------------------------------

namespace {
std::string clock_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const auto total = static_cast<long>(seconds + 0.5);
    if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
    return fmt::format("{}:{:02}", total / 60, total % 60);
}
} // namespace

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && Job::current().is_root()), terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(std::size_t done, std::size_t total, std::string_view phase) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!phase.empty() && phase != phase_) {
        if (open_ && terminal_) std::fputc('\n', stderr);
        // A later phase's rate counts from its own start; the first counts from construction.
        if (!phase_.empty()) start_ = now;
        open_ = false;
        phase_ = std::string(phase);
    }
    last_done_ = done;
    last_total_ = total;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = rate > 0 && total >= done ? static_cast<double>(total - done) / rate : NAN;
    const std::string name = phase_.empty() ? label_ : label_ + " " + phase_;
    if (terminal_) {
        // Redraw at most ~10 times a second, and always for the last item.
        if (open_ && done < total && now - last_print_ < std::chrono::milliseconds(100)) return;
        constexpr int width = 28;
        const int filled = total ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total)) : 0;
        fmt::print(stderr, "\r{} [{}{}] {}/{}  {:.1f}/s  ETA {}\x1b[K", name,
                   std::string(static_cast<std::size_t>(filled), '#'),
                   std::string(static_cast<std::size_t>(width - filled), '.'), done, total, rate, clock_text(eta));
        std::fflush(stderr);
        open_ = true;
    } else {
        // Plain lines for logs: the first item, then every 5 s, and the last.
        if (open_ && done < total && now - last_print_ < std::chrono::seconds(5)) return;
        fmt::print(stderr, "{}: {}/{} ({:.1f}/s, ETA {})\n", name, done, total, rate, clock_text(eta));
        open_ = true;
    }
    last_print_ = now;
}

void Progress::finish() {
    if (!enabled_ || !open_) return;
    if (terminal_) std::fputc('\n', stderr);
    open_ = false;
}

// ---- shared options -----------------------------------------------------------------------------

void add_target_option(ArgParser& args, std::optional<std::string> default_value) {
    std::string known;
    for (const auto& t : builtin_targets()) known += (known.empty() ? "" : ", ") + t.name;
    args.option("target", "NAME", fmt::format("target CPU: {} (or an ISA name)", known), std::move(default_value));
}

Target resolve_target(const ArgParser& args, std::optional<Isa> isa) {
    if (auto name = args.get_optional("target")) return target_by_name(*name);
    if (isa) return target_by_name(to_string(*isa));
    return host_x86_64();
}

CollectorSelection parse_collectors(std::string_view text) {
    if (text != "all" && text != "none" && split_list(text).empty())
        throw UsageError("--collectors needs a list: mix,branches,memory,caches, all or none");
    try {
        return simtune::parse_collectors(text);
    } catch (const Error& e) {
        // A bad --collectors value is a usage error of the command; the library's message says which name.
        std::string_view message = e.what();
        message.remove_prefix(std::min(message.size(), to_string(e.kind()).size() + 2));
        throw UsageError(std::string(message));
    }
}

SamplingOptions parse_sampling(std::string_view text) {
    SamplingOptions s;
    s.enabled = true;
    if (text == "on") return s;
    const auto fields = split_list(text, ':');
    auto number = [&](const std::string& field) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
        if (field.empty() || ec != std::errc{} || end != field.data() + field.size())
            throw UsageError(
                fmt::format("--sample '{}': '{}' is not a number (give on or PERIOD:WARMUP:WINDOW)", text, field));
        return v;
    };
    const auto colons = static_cast<std::size_t>(std::ranges::count(text, ':'));
    if (fields.size() < 3 || fields.size() > 5 || colons + 1 != fields.size())
        throw UsageError(fmt::format("--sample '{}': give on or PERIOD:WARMUP:WINDOW[:PREFIX[:WARMUP_LIMIT]] (e.g. "
                                     "5000000:100000:50000:2000000)",
                                     text));
    s.period = number(fields[0]);
    s.warmup = number(fields[1]);
    s.window = number(fields[2]);
    if (fields.size() >= 4) s.exact_prefix = number(fields[3]);
    if (fields.size() == 5) s.warmup_limit = number(fields[4]);
    if (s.window == 0 || s.period <= s.warmup + s.window || s.period >= (std::uint64_t{1} << 62) ||
        s.exact_prefix >= (std::uint64_t{1} << 62))
        throw UsageError(
            fmt::format("--sample '{}': needs 0 < WINDOW and WARMUP + WINDOW < PERIOD < 2^62, PREFIX < 2^62", text));
    return s;
}

TargetModel resolve_model(const ArgParser& args, const Target& target) {
    if (auto file = args.get_optional("model")) {
        // "analytic" names the built-in cost model; a file by that name can still be given as ./analytic.
        if (*file == "analytic") return analytic_model(target);
        return load_target_model(*file);
    }
    try {
        return default_model(target);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::invalid_model) throw;
        // The library's message names library calls; a command user needs the commands and options.
        fail(ErrorKind::invalid_model,
             "no default model for target '{}': train one on the target's measured times (simtune dataset, then "
             "simtune train) and pass it with --model FILE, or rank with the untrained analytic cost model "
             "(--model analytic)",
             target.name);
    }
}

KernelBinary load_binary(const std::filesystem::path& path, const ArgParser& args) {
    std::optional<Isa> expected;
    if (auto name = args.get_optional("target")) expected = target_by_name(*name).isa;
    // Absolute, so a binary run natively is never looked up in PATH.
    return KernelBinary::load(std::filesystem::absolute(path), expected);
}

std::string read_text_file(const std::filesystem::path& path) { return read_file(path); }

void add_timing_options(ArgParser& args, std::string passes_default, std::string ms_default) {
    args.option("passes", "N", "interleaved timing passes over all binaries (minimum over passes)",
                std::move(passes_default));
    args.option("ms", "MS", "milliseconds of timing per binary and pass", std::move(ms_default));
}

NativeTimingOptions timing_options(const ArgParser& args) {
    NativeTimingOptions options;
    options.passes = static_cast<int>(args.get_int("passes", 1, 1000));
    options.ms_per_measurement = args.get_double("ms", 0.1, 60'000);
    return options;
}

} // namespace simtune::cli
