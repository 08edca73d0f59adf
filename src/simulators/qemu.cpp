// QemuSimulator: QEMU user mode + simtune's TCG plugin, driven as a child process.
#include "simtune/simulators/qemu.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "../qemu_plugin/report_format.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/error.hpp"
#include "simtune/process.hpp"
#include "simtune/util.hpp"

namespace simtune {
namespace {

constexpr std::string_view plugin_file_name = "libsimtune_qemu_plugin.so";

/// A private directory for one run's files, removed with everything in it.
class TemporaryDirectory {
public:
    TemporaryDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "simtune-qemu-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            fail(ErrorKind::io, "cannot create a temporary directory {}: {}", pattern, std::strerror(errno));
        path_ = std::filesystem::absolute(pattern);
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// A file QEMU or the plugin may not have written (a crash before the report): nullopt if absent.
std::optional<std::string> read_if_present(const std::filesystem::path& path, std::string_view what) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return std::nullopt;
    return read_file(path, what);
}

/// The last `lines` lines of `text`, for error messages.
std::string tail(std::string_view text, std::size_t lines = 8) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    std::size_t start = text.size();
    for (std::size_t seen = 0; start > 0; --start)
        if (text[start - 1] == '\n' && ++seen == lines) break;
    return text.empty() ? std::string("(no output)") : std::string(text.substr(start));
}

std::string geometry_argument(const CacheGeometry& g) {
    return fmt::format("{}:{}:{}", g.size_bytes, g.line_bytes, g.associativity);
}

/// The plugin's collector arguments for a collector set.
std::vector<std::string> collector_arguments(const CollectorSet& collectors) {
    if (collectors.user_collector_count() != 0)
        fail(ErrorKind::invalid_argument,
             "QEMU runs only simtune's built-in collectors inside its plugin; this collector set "
             "has {} user-defined collector(s) (UnicornSimulator runs those)",
             collectors.user_collector_count());
    std::vector<std::string> args{fmt::format("mix={}", int{collectors.instruction_mix() != nullptr}),
                                  fmt::format("branches={}", int{collectors.branch_counter() != nullptr}),
                                  fmt::format("mem={}", int{collectors.memory_traffic() != nullptr}),
                                  fmt::format("dataflow={}", int{collectors.dataflow() != nullptr})};
    if (const CacheModel* caches = collectors.cache_model()) {
        const auto& g = caches->geometry();
        args.push_back("cache=1");
        if (const DataflowCollector* walk = collectors.dataflow())
            args.push_back(fmt::format("memory_walk={}", int{walk->memory_walk()}));
        args.push_back("l1d=" + geometry_argument(g.l1d));
        args.push_back("l2=" + geometry_argument(g.l2));
        args.push_back("llc=" + geometry_argument(g.llc));
        if (g.dtlb.size_bytes) args.push_back("dtlb=" + geometry_argument(g.dtlb));
        if (g.stlb.size_bytes) args.push_back("stlb=" + geometry_argument(g.stlb));
    }
    return args;
}

/// Where the harness (src/harness/simtune_harness.c, map_fixed) places the kernel's buffers: from
/// SIMTUNE_LAYOUT_BASE up, each rounded up to SIMTUNE_LAYOUT_ALIGN with one alignment unit of gap
/// after it, in the binary's buffer order. The plugin cannot read guest memory (QEMU 7.2's plugin
/// API), so it is told; tests/test_qemu_unicorn_crosscheck.cpp checks that a warm run misses
/// nothing of buffers that fit in L2, which it would if these addresses were wrong.
std::vector<AddressRange> harness_buffer_ranges(const KernelBinary& kernel) {
    constexpr std::uint64_t base = 0x2000000000, align = 0x10000;
    std::vector<AddressRange> ranges;
    std::uint64_t next = base;
    for (const auto& b : kernel.buffers()) {
        const std::uint64_t bytes = b.bytes();
        ranges.push_back({next, bytes});
        next += std::max<std::uint64_t>(align, (bytes + align - 1) / align * align) + align;
    }
    return ranges;
}

/// Address ranges of the harness code around the kernel call, left out of the counts.
std::vector<std::string> glue_exclusions(const KernelBinary& kernel) {
    std::vector<std::string> args;
    auto exclude = [&](const auto& symbol) {
        args.push_back(fmt::format("exclude={:#x}-{:#x}", symbol.address,
                                   symbol.address + std::max<std::uint64_t>(symbol.size, 1)));
    };
    for (const std::string_view name : {"main", "simtune_call_kernel", "simtune_roi_begin", "simtune_roi_end"}) {
        const auto symbol = kernel.symbol(name);
        if (!symbol)
            fail(ErrorKind::invalid_binary, "{}: no symbol {} (not a simtune kernel binary?)", kernel.path().string(),
                 name);
        exclude(*symbol);
    }
    // Harnesses since the fixed guest layout run the ROI in a function of its own.
    if (const auto run = kernel.symbol("simtune_roi_run")) exclude(*run);
    return args;
}

std::vector<std::vector<std::byte>> split_dump(const std::string& bytes, const KernelBinary& kernel,
                                               const std::filesystem::path& file) {
    const auto& specs = kernel.buffers();
    const std::uint64_t expected =
        std::accumulate(specs.begin(), specs.end(), std::uint64_t{0},
                        [](std::uint64_t sum, const BufferSpec& b) { return sum + b.bytes(); });
    if (bytes.size() != expected)
        fail(ErrorKind::invalid_output, "buffer dump {} has {} bytes, the buffers need {}", file.string(), bytes.size(),
             expected);
    std::vector<std::vector<std::byte>> buffers;
    std::size_t offset = 0;
    for (const auto& spec : specs) {
        const auto* first = reinterpret_cast<const std::byte*>(bytes.data()) + offset;
        buffers.emplace_back(first, first + spec.bytes());
        offset += spec.bytes();
    }
    return buffers;
}

} // namespace

namespace {

/// The plugin's report, if its status is ok; otherwise the Error its status means.
qemu_report::Report parse_ok_report(std::string_view text, std::string_view origin) {
    auto report = qemu_report::parse(text, origin);
    switch (report.status) {
        case qemu_report::Status::ok: return report;
        case qemu_report::Status::instruction_limit:
            fail(ErrorKind::instruction_limit, "the kernel executed more than the limit ({} instructions counted)",
                 report.stats.instructions);
        case qemu_report::Status::no_roi:
            fail(ErrorKind::simulation_fault, "the kernel binary exited without completing its region of interest "
                                              "(simtune_roi_begin .. simtune_roi_end)");
    }
    fail(ErrorKind::invalid_output, "{}: unknown status", origin);
}

} // namespace

Stats parse_qemu_plugin_report(std::string_view text, std::string_view origin) {
    return parse_ok_report(text, origin).stats;
}

std::filesystem::path QemuSimulator::plugin_path() const {
    if (!options_.plugin.empty()) {
        if (!std::filesystem::exists(options_.plugin))
            fail(ErrorKind::tool_missing, "the simtune QEMU plugin {} does not exist", options_.plugin.string());
        return options_.plugin;
    }
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("SIMTUNE_QEMU_PLUGIN"); env && *env) candidates.emplace_back(env);
    candidates.push_back(std::filesystem::path(SIMTUNE_BUILD_PLUGIN_DIR) / plugin_file_name);
    candidates.push_back(std::filesystem::path(SIMTUNE_INSTALL_PLUGIN_DIR) / plugin_file_name);
    for (const auto& candidate : candidates)
        if (std::filesystem::exists(candidate)) return candidate;
    std::string looked;
    for (const auto& candidate : candidates) looked += "\n  " + candidate.string();
    fail(ErrorKind::tool_missing, "cannot find the simtune QEMU plugin; looked at:{}", looked);
}

SimulationResult QemuSimulator::run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors) {
    target.validate();
    if (kernel.isa() != target.isa)
        fail(ErrorKind::wrong_isa, "{} is an {} binary, target '{}' is {}", kernel.path().string(), kernel.isa(),
             target.name, target.isa);
    if (collectors.caches_start_steady())
        fail(ErrorKind::invalid_argument,
             "steady caches (steady-caches) are simulated by Unicorn only: the QEMU plugin counts one "
             "region of interest; start the caches cold or warm, or use Unicorn");
    if (!program_exists(target.qemu_binary))
        fail(ErrorKind::tool_missing,
             "QEMU user mode '{}' for target '{}' is not installed (Debian: apt-get install qemu-user)",
             target.qemu_binary, target.name);
    const auto plugin = std::filesystem::absolute(plugin_path()); // QEMU runs in the scratch directory
    const auto roi_begin = kernel.symbol("simtune_roi_begin");
    const auto roi_end = kernel.symbol("simtune_roi_end");
    if (!roi_begin || !roi_end)
        fail(ErrorKind::invalid_binary, "{}: no simtune_roi_begin/simtune_roi_end symbols", kernel.path().string());

    TemporaryDirectory scratch;
    const auto report_file = scratch.path() / "stats";
    const auto dump_file = scratch.path() / "buffers";
    // The guest's initial stack holds its environment, argv and file name, so their sizes shift
    // every stack address and with them the simulated caches' misses: QEMU runs the kernel as
    // "./kernel" from the scratch directory with an empty environment, so the statistics do not
    // depend on who runs simtune, from where, or where the binary lies (an MPI rank, a cache dir).
    const auto binary = scratch.path() / "kernel";
    const bool on_disk = !kernel.path().empty() && std::filesystem::exists(kernel.path());
    std::error_code link_error;
    if (on_disk) std::filesystem::create_symlink(std::filesystem::absolute(kernel.path()), binary, link_error);
    if (!on_disk || link_error) {
        // A binary made from bytes in memory: give QEMU a file to run.
        std::ofstream out(binary, std::ios::binary);
        out.write(reinterpret_cast<const char*>(kernel.bytes().data()),
                  static_cast<std::streamsize>(kernel.bytes().size()));
        if (!out.flush()) fail(ErrorKind::io, "cannot write {}", binary.string());
        out.close();
        ::chmod(binary.c_str(), 0700);
    }

    std::string plugin_argument = plugin.string();
    std::vector<std::string> plugin_args{
        "out=" + report_file.string(), fmt::format("roi_begin={:#x}", roi_begin->address),
        fmt::format("roi_end={:#x}", roi_end->address), fmt::format("limit={}", options_.limits.max_instructions)};
    for (auto& a : collector_arguments(collectors)) plugin_args.push_back(std::move(a));
    if (collectors.caches_start_warm())
        for (const auto& r : harness_buffer_ranges(kernel))
            plugin_args.push_back(fmt::format("warm={:#x}-{:#x}", r.address, r.address + r.bytes));
    const bool sampled = options_.sampling.enabled && collectors.dataflow() == nullptr &&
                         (collectors.memory_traffic() != nullptr || collectors.cache_model() != nullptr);
    if (sampled) {
        const auto& s = options_.sampling;
        if (s.window == 0 || s.period <= s.warmup + s.window)
            fail(ErrorKind::invalid_argument,
                 "QEMU sampling needs a window > 0 and a period longer than warm-up + window "
                 "(period {}, warm-up {}, window {})",
                 s.period, s.warmup, s.window);
        plugin_args.push_back(fmt::format("sample={}:{}:{}", s.period, s.warmup, s.window));
        if (s.exact_prefix != 0) plugin_args.push_back(fmt::format("sample_prefix={}", s.exact_prefix));
        if (s.warmup_limit > s.warmup) plugin_args.push_back(fmt::format("sample_warmup_limit={}", s.warmup_limit));
    }
    // The pipeline collector prices blocks here, from the binary's bytes: the plugin only lists
    // the executed blocks of the kernel's own code.
    const bool list_blocks = has(collectors.events(), EventKind::block_counts);
    if (list_blocks) {
        const auto [code_lo, code_hi] = kernel.kernel_code();
        plugin_args.push_back(fmt::format("blocks={:#x}-{:#x}", code_lo, code_hi));
    }
    for (auto& a : glue_exclusions(kernel)) plugin_args.push_back(std::move(a));
    for (const auto& a : plugin_args) plugin_argument += "," + a;
    if (plugin.string().find(',') != std::string::npos || scratch.path().string().find(',') != std::string::npos)
        fail(ErrorKind::invalid_argument, "QEMU plugin paths cannot contain ',': {} / {}", plugin.string(),
             scratch.path().string());

    std::vector<std::string> argv{target.qemu_binary};
    if (!target.qemu_cpu.empty()) argv.insert(argv.end(), {"-cpu", target.qemu_cpu});
    argv.insert(argv.end(), {"-plugin", plugin_argument, "./kernel"});
    if (options_.read_buffers) argv.insert(argv.end(), {"--dump", "buffers"});
    argv.insert(argv.end(), options_.kernel_arguments.begin(), options_.kernel_arguments.end());

    ProcessOptions process_options;
    process_options.timeout = options_.limits.timeout;
    process_options.max_output_bytes = 64 * 1024;
    process_options.working_directory = scratch.path();
    process_options.environment.emplace();
    const ProcessResult process = run_process(argv, process_options);
    const std::string what = fmt::format("{} under {}", kernel.path().filename().string(), target.qemu_binary);

    if (process.timed_out)
        fail(ErrorKind::time_limit, "{} did not finish within {:.1f} s (killed)", what,
             static_cast<double>(options_.limits.timeout.count()) / 1000.0);
    const auto report_text = read_if_present(report_file, "the QEMU plugin's report");
    // The limit outcome first: the plugin stops QEMU with its own exit status to report it.
    if (report_text && report_text->find("\nstatus instruction_limit\n") != std::string::npos) {
        (void)qemu_report::parse(*report_text, report_file.string()); // must still be well-formed
        fail(ErrorKind::instruction_limit, "{} executed more than {} instructions in its region of interest", what,
             options_.limits.max_instructions);
    }
    if (!process.ok()) {
        if (process.err.find("Could not load plugin") != std::string::npos)
            fail(ErrorKind::tool_missing, "{} could not load the simtune plugin {}: {}", target.qemu_binary,
                 plugin.string(), tail(process.err));
        fail(ErrorKind::simulation_fault, "{} failed: {}; stderr:\n{}", what, process.describe(), tail(process.err));
    }
    if (!report_text) fail(ErrorKind::invalid_output, "{}: the plugin wrote no report {}", what, report_file.string());

    SimulationResult result;
    const auto report = parse_ok_report(*report_text, report_file.string());
    result.stats = report.stats;
    if (report.sampling)
        result.sampling = SamplingSummary{report.sampling->windows, report.sampling->measured_instructions,
                                          report.sampling->retranslations, report.sampling->half_width};
    if (list_blocks) {
        // The plugin ran the other collectors; this set only prices the listed blocks.
        collectors.reset();
        collectors.bind(kernel);
        for (const auto& b : report.blocks) collectors.on_block_executions(b.address, b.end, b.executions);
        collectors.pipeline()->contribute(result.stats);
    }
    if (result.stats.instructions > options_.limits.max_instructions)
        fail(ErrorKind::instruction_limit, "{} executed {} instructions, more than the limit of {}", what,
             result.stats.instructions, options_.limits.max_instructions);
    if (options_.read_buffers) {
        const auto dump = read_if_present(dump_file, "the kernel's buffer dump");
        if (!dump) fail(ErrorKind::invalid_output, "{}: the harness wrote no buffer dump", what);
        result.buffers = split_dump(*dump, kernel, dump_file);
    }
    result.seconds = process.seconds;
    return result;
}

} // namespace simtune
