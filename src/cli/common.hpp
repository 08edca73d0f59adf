#pragma once
// What every simtune subcommand shares: exit codes, progress display, JSON conversion of simtune's
// values, and resolving the usual options (--target, --collectors, --model) into library values.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "args.hpp"
#include "simtune/collectors/selection.hpp"
#include "simtune/error.hpp"
#include "simtune/kernel.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/pool.hpp"
#include "simtune/predict.hpp"

namespace simtune::cli {

using Json = nlohmann::ordered_json;

/// The exit codes of the simtune command (documented in `simtune --help`).
enum ExitCode : int {
    exit_ok = 0,           ///< the command did what it was asked
    exit_failed = 1,       ///< the work failed: a build error, a faulting kernel, a timeout
    exit_usage = 2,        ///< bad command line: unknown option, missing or malformed value
    exit_bad_input = 3,    ///< an input file is unusable: corrupt ELF, wrong ISA, malformed model or CSV
    exit_tool_missing = 4, ///< a required external program (compiler, QEMU, python3-matplotlib) is missing
};

/// The exit code for a simtune::Error of `kind`.
int exit_code_for(ErrorKind kind) noexcept;

/// Prints a JSON document to stdout (pretty, one trailing newline).
void print_json(const Json& document);

Json to_json(const Stats& stats);
Json to_json(std::span<const BufferSpec> buffers);
Json to_json(const NativeTiming& timing);
Json to_json(const Target& target);
Json to_json(const CandidateResult& result);

/// "12.3 µs", "1.25 ms", "2.00 s".
std::string format_seconds(double seconds);

/// Progress of long work on stderr: a bar with rate and ETA redrawn in place on a terminal, a plain
/// line every few seconds otherwise. Silent when disabled (--quiet).
class Progress {
public:
    Progress(std::string label, bool enabled);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// `done` of `total` items; `label` changes the phase shown if non-empty. Thread-safe enough for
    /// callers that serialise their calls (all simtune progress callbacks are).
    void update(std::size_t done, std::size_t total, std::string_view phase = {});
    /// Ends the line (terminal) or prints the final count.
    void finish();

private:
    std::string label_, phase_;
    bool enabled_, terminal_, open_ = false;
    std::chrono::steady_clock::time_point start_, last_print_;
    std::size_t last_done_ = 0, last_total_ = 0;
};

// ---- the options several commands share ---------------------------------------------------------

/// Adds --target NAME.
void add_target_option(ArgParser& args, std::optional<std::string> default_value = std::nullopt);
/// The target named by --target, else the built-in target for `isa` (if given), else this host.
Target resolve_target(const ArgParser& args, std::optional<Isa> isa = {});
/// simtune::parse_collectors for --collectors: a bad list is a usage error.
CollectorSelection parse_collectors(std::string_view text);
/// --sample: "on" (SamplingOptions' defaults) or PERIOD:WARMUP:WINDOW[:PREFIX[:WARMUP_LIMIT]]
/// (SamplingOptions::exact_prefix, ::warmup_limit); a bad value is a usage error.
SamplingOptions parse_sampling(std::string_view text);
/// The model: --model FILE if given, else the target's default model.
TargetModel resolve_model(const ArgParser& args, const Target& target);
/// Loads a binary, with the target's ISA expected if --target was given.
KernelBinary load_binary(const std::filesystem::path& path, const ArgParser& args);
/// Reads a whole text file; Error(io) if it cannot.
std::string read_text_file(const std::filesystem::path& path);

/// Adds --passes, --ms (native timing).
void add_timing_options(ArgParser& args, std::string passes_default = "6", std::string ms_default = "30");
NativeTimingOptions timing_options(const ArgParser& args);

// ---- the commands -------------------------------------------------------------------------------
// Each takes the arguments after its name and returns the exit code; UsageError and simtune::Error
// propagate to main(), which prints them and maps them to exit codes.
int cmd_build(std::span<const std::string> args);
int cmd_simulate(std::span<const std::string> args);
int cmd_measure(std::span<const std::string> args);
int cmd_dataset(std::span<const std::string> args);
int cmd_train(std::span<const std::string> args);
int cmd_predict(std::span<const std::string> args);
int cmd_tune(std::span<const std::string> args);
int cmd_report(std::span<const std::string> args);
int cmd_targets(std::span<const std::string> args);
int cmd_workloads(std::span<const std::string> args);

} // namespace simtune::cli
