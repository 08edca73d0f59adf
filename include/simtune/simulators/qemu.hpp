#pragma once
// QemuSimulator: runs a whole kernel binary under QEMU user mode with simtune's TCG plugin
// (src/qemu_plugin/), which counts the region of interest and writes its Stats to a file.
//
// What is counted: everything simtune_kernel executes, callees included, during the harness's one
// call between simtune_roi_begin() and simtune_roi_end(); the harness glue around the call is left
// out, so the figures equal a function-level run of the kernel (UnicornSimulator).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/concepts.hpp"
#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

class CollectorSet;

struct QemuOptions {
    SimulationLimits limits;
    /// The plugin library; empty: $SIMTUNE_QEMU_PLUGIN, else the build tree's, else the installed one.
    std::filesystem::path plugin;
    /// Read the final buffers back (the harness's --dump); costs one file write and read.
    bool read_buffers = true;
    /// Extra arguments for the kernel binary's harness, e.g. {"--startup-work", "1000000"}.
    std::vector<std::string> kernel_arguments;
    /// Off by default: every access is counted (exact, the statistics models are trained on).
    SamplingOptions sampling;
};

class QemuSimulator {
public:
    static constexpr std::string_view name = "qemu";

    QemuSimulator() = default;
    explicit QemuSimulator(QemuOptions options) : options_(std::move(options)) {}

    /// Runs `kernel` under `target.qemu_binary` (with `-cpu target.qemu_cpu` if set). The collector
    /// set chooses which of the plugin's collectors run (mix, branches, memory traffic, caches, the
    /// geometry of its cache collector); user-defined collectors cannot run inside QEMU and are
    /// rejected. The collectors themselves are not fed: the result carries the plugin's Stats.
    /// Throws Error: wrong_isa, tool_missing (no QEMU, no plugin, or QEMU refused the plugin),
    /// simulation_fault (the kernel crashed or exited non-zero; signal or exit code and the end of
    /// QEMU's stderr), time_limit, instruction_limit, invalid_output (missing, truncated or
    /// malformed plugin output or buffer dump).
    SimulationResult run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors);

    [[nodiscard]] const QemuOptions& options() const noexcept { return options_; }

    /// The plugin library run() loads; throws Error(tool_missing) listing the places it looked.
    [[nodiscard]] std::filesystem::path plugin_path() const;

private:
    QemuOptions options_;
};

static_assert(Simulator<QemuSimulator>);

/// Parses the plugin's report file text (the format is in src/qemu_plugin/report_format.hpp):
/// Stats for status "ok"; Error(instruction_limit) for "instruction_limit"; Error(invalid_output)
/// naming the line for anything malformed or truncated. `origin` names the file in messages.
Stats parse_qemu_plugin_report(std::string_view text, std::string_view origin = "QEMU plugin output");

} // namespace simtune
