#pragma once
// The file the simtune QEMU plugin writes and QemuSimulator reads: small, versioned and
// line-oriented, so a truncated or foreign file is always detected.
//
//   simtune-qemu-stats 4
//   status ok                       (or: instruction_limit, no_roi)
//   instructions 1234               one "name value" line per Stats feature, in feature order
//   int_alu 400
//   ...
//   ...
//   l2_stream_misses 0
//   blocks 2                        executed blocks asked for (blocks=FIRST-END), then one line
//   0x401000 0x401020 1000          each: first address, end address (hex), executions (64-bit)
//   0x401020 0x401028 1
//   sampling 0                      1 with sample= (then the four lines below), else 0
//   windows 12                      measured windows, the first one included
//   measured_instructions 123456    ROI instructions inside them
//   retranslations 25               qemu_plugin_reset calls
//   interval instructions 0         one "interval name half-width" line per Stats feature: the
//   ...                             95 % interval of a sampled counter (0: not estimated)
//   end
//
// Version 2 added the block list (and, with Stats, the mca_* counters, which the plugin leaves 0:
// QemuSimulator prices the listed blocks with LLVM MCA); version 3 the TLB and stream counters;
// version 4 the store-miss counters; version 5 the dataflow limit; version 6 the sampling section; version 7
// the branch mispredictions; version 8 the dataflow limit with memory.
//
// Shared by the plugin (which formats) and the adapter (which parses strictly), header-only so the
// plugin does not pull the adapter's process control into QEMU.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/stats.hpp"

namespace simtune::qemu_report {

inline constexpr std::string_view magic = "simtune-qemu-stats";
inline constexpr int version = 8;

enum class Status {
    ok,
    instruction_limit,
    no_roi
};

constexpr std::string_view to_string(Status s) noexcept {
    switch (s) {
        case Status::ok: return "ok";
        case Status::instruction_limit: return "instruction_limit";
        case Status::no_roi: return "no_roi";
    }
    return "?";
}

/// Executions of the block [address, end) inside the region of interest.
struct BlockExecutions {
    std::uint64_t address = 0, end = 0, executions = 0;
    friend bool operator==(const BlockExecutions&, const BlockExecutions&) = default;
};

/// How the memory counters of a sampled run were estimated (plugin argument sample=).
struct Sampling {
    std::uint64_t windows = 0;               ///< measured windows, the first one included
    std::uint64_t measured_instructions = 0; ///< ROI instructions inside them
    std::uint64_t retranslations = 0;        ///< flushes of every translated block asked for
    Stats half_width;                        ///< per counter, its 95 % interval's half-width
    friend bool operator==(const Sampling&, const Sampling&) = default;
};

struct Report {
    Status status = Status::ok;
    Stats stats;
    std::vector<BlockExecutions> blocks;
    std::optional<Sampling> sampling; ///< only for a sampled run
    friend bool operator==(const Report&, const Report&) = default;
};

inline std::string format(const Report& report) {
    std::string out = fmt::format("{} {}\nstatus {}\n", magic, version, to_string(report.status));
    const auto names = Stats::feature_names();
    for (std::size_t i = 0; i < names.size(); ++i) out += fmt::format("{} {}\n", names[i], report.stats.counter(i));
    out += fmt::format("blocks {}\n", report.blocks.size());
    for (const auto& b : report.blocks) out += fmt::format("{:#x} {:#x} {}\n", b.address, b.end, b.executions);
    out += fmt::format("sampling {}\n", int{report.sampling.has_value()});
    if (const auto& s = report.sampling) {
        out += fmt::format("windows {}\nmeasured_instructions {}\nretranslations {}\n", s->windows,
                           s->measured_instructions, s->retranslations);
        for (std::size_t i = 0; i < names.size(); ++i)
            out += fmt::format("interval {} {}\n", names[i], s->half_width.counter(i));
    }
    out += "end\n";
    return out;
}

/// Parses format()'s output; anything else (other version, missing, reordered or extra lines,
/// non-numeric values, no final "end") is Error(invalid_output) naming the line. `origin` names
/// the file in messages.
inline Report parse(std::string_view text, std::string_view origin) {
    std::size_t line_number = 0;
    auto next_line = [&]() -> std::string_view {
        ++line_number;
        const auto newline = text.find('\n');
        if (newline == std::string_view::npos)
            fail(ErrorKind::invalid_output, "{}: truncated at line {} (no complete line)", origin, line_number);
        const auto line = text.substr(0, newline);
        text.remove_prefix(newline + 1);
        return line;
    };
    auto split = [&](std::string_view line, std::string_view expected_key) -> std::string_view {
        const auto space = line.find(' ');
        if (space == std::string_view::npos || line.substr(0, space) != expected_key)
            fail(ErrorKind::invalid_output, "{}: line {} is \"{}\", expected \"{} <value>\"", origin, line_number, line,
                 expected_key);
        return line.substr(space + 1);
    };
    auto number = [&](std::string_view value) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
            fail(ErrorKind::invalid_output, "{}: line {}: \"{}\" is not an unsigned count", origin, line_number, value);
        return v;
    };
    auto address = [&](std::string_view value) {
        std::uint64_t v = 0;
        if (!value.starts_with("0x") || value.size() == 2)
            fail(ErrorKind::invalid_output, "{}: line {}: \"{}\" is not a hex address", origin, line_number, value);
        value.remove_prefix(2);
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v, 16);
        if (ec != std::errc{} || end != value.data() + value.size())
            fail(ErrorKind::invalid_output, "{}: line {}: \"0x{}\" is not a hex address", origin, line_number, value);
        return v;
    };

    if (text.empty()) fail(ErrorKind::invalid_output, "{}: empty plugin output", origin);
    const auto v = split(next_line(), magic);
    if (v != fmt::format("{}", version))
        fail(ErrorKind::invalid_output, "{}: plugin output version {} (this simtune reads version {})", origin, v,
             version);
    Report report;
    const auto status = split(next_line(), "status");
    if (status == "ok") report.status = Status::ok;
    else if (status == "instruction_limit") report.status = Status::instruction_limit;
    else if (status == "no_roi") report.status = Status::no_roi;
    else fail(ErrorKind::invalid_output, "{}: unknown status \"{}\"", origin, status);
    const auto names = Stats::feature_names();
    for (std::size_t i = 0; i < names.size(); ++i) report.stats.counter(i) = number(split(next_line(), names[i]));
    const std::uint64_t block_count = number(split(next_line(), "blocks"));
    for (std::uint64_t b = 0; b < block_count; ++b) {
        const auto line = next_line();
        const auto first_space = line.find(' '), last_space = line.rfind(' ');
        if (first_space == std::string_view::npos || first_space == last_space)
            fail(ErrorKind::invalid_output, "{}: line {} is \"{}\", expected \"<first> <end> <executions>\"", origin,
                 line_number, line);
        BlockExecutions block{address(line.substr(0, first_space)),
                              address(line.substr(first_space + 1, last_space - first_space - 1)),
                              number(line.substr(last_space + 1))};
        if (block.end <= block.address)
            fail(ErrorKind::invalid_output, "{}: line {}: block end {:#x} is not after its start {:#x}", origin,
                 line_number, block.end, block.address);
        report.blocks.push_back(block);
    }
    const auto sampled = split(next_line(), "sampling");
    if (sampled == "1") {
        Sampling s;
        s.windows = number(split(next_line(), "windows"));
        s.measured_instructions = number(split(next_line(), "measured_instructions"));
        s.retranslations = number(split(next_line(), "retranslations"));
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto value = split(next_line(), "interval");
            const auto space = value.find(' ');
            if (space == std::string_view::npos || value.substr(0, space) != names[i])
                fail(ErrorKind::invalid_output, "{}: line {} is \"interval {}\", expected \"interval {} <value>\"",
                     origin, line_number, value, names[i]);
            s.half_width.counter(i) = number(value.substr(space + 1));
        }
        report.sampling = s;
    } else if (sampled != "0") {
        fail(ErrorKind::invalid_output, "{}: line {}: sampling is \"{}\", expected 0 or 1", origin, line_number,
             sampled);
    }
    if (const auto last = next_line(); last != "end")
        fail(ErrorKind::invalid_output, "{}: line {} is \"{}\", expected \"end\"", origin, line_number, last);
    if (!text.empty()) fail(ErrorKind::invalid_output, "{}: unexpected text after \"end\"", origin);
    return report;
}

} // namespace simtune::qemu_report
