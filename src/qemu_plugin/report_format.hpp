#pragma once
// The file the simtune QEMU plugin writes and QemuSimulator reads: small, versioned and
// line-oriented, so a truncated or foreign file is always detected.
//
//   simtune-qemu-stats 1
//   status ok                       (or: instruction_limit, no_roi)
//   instructions 1234               one "name value" line per Stats feature, in feature order
//   int_alu 400
//   ...
//   basic_blocks 99
//   end
//
// Shared by the plugin (which formats) and the adapter (which parses strictly), header-only so the
// plugin does not pull the adapter's process control into QEMU.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/stats.hpp"

namespace simtune::qemu_report {

inline constexpr std::string_view magic = "simtune-qemu-stats";
inline constexpr int version = 1;

enum class Status { ok, instruction_limit, no_roi };

constexpr std::string_view to_string(Status s) noexcept {
    switch (s) {
    case Status::ok: return "ok";
    case Status::instruction_limit: return "instruction_limit";
    case Status::no_roi: return "no_roi";
    }
    return "?";
}

struct Report {
    Status status = Status::ok;
    Stats stats;
    friend bool operator==(const Report&, const Report&) = default;
};

inline std::string format(const Report& report) {
    std::string out = fmt::format("{} {}\nstatus {}\n", magic, version, to_string(report.status));
    const auto names = Stats::feature_names();
    for (std::size_t i = 0; i < names.size(); ++i) out += fmt::format("{} {}\n", names[i], report.stats.counter(i));
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
            fail(ErrorKind::invalid_output, "{}: truncated at line {} (no complete line)", origin,
                 line_number);
        const auto line = text.substr(0, newline);
        text.remove_prefix(newline + 1);
        return line;
    };
    auto split = [&](std::string_view line, std::string_view expected_key) -> std::string_view {
        const auto space = line.find(' ');
        if (space == std::string_view::npos || line.substr(0, space) != expected_key)
            fail(ErrorKind::invalid_output, "{}: line {} is \"{}\", expected \"{} <value>\"", origin,
                 line_number, line, expected_key);
        return line.substr(space + 1);
    };
    auto number = [&](std::string_view value) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
            fail(ErrorKind::invalid_output, "{}: line {}: \"{}\" is not an unsigned count", origin,
                 line_number, value);
        return v;
    };

    if (text.empty()) fail(ErrorKind::invalid_output, "{}: empty plugin output", origin);
    const auto v = split(next_line(), magic);
    if (v != fmt::format("{}", version))
        fail(ErrorKind::invalid_output, "{}: plugin output version {} (this simtune reads version {})",
             origin, v, version);
    Report report;
    const auto status = split(next_line(), "status");
    if (status == "ok") report.status = Status::ok;
    else if (status == "instruction_limit") report.status = Status::instruction_limit;
    else if (status == "no_roi") report.status = Status::no_roi;
    else fail(ErrorKind::invalid_output, "{}: unknown status \"{}\"", origin, status);
    const auto names = Stats::feature_names();
    for (std::size_t i = 0; i < names.size(); ++i)
        report.stats.counter(i) = number(split(next_line(), names[i]));
    if (const auto last = next_line(); last != "end")
        fail(ErrorKind::invalid_output, "{}: line {} is \"{}\", expected \"end\"", origin,
             line_number, last);
    if (!text.empty())
        fail(ErrorKind::invalid_output, "{}: unexpected text after \"end\"", origin);
    return report;
}

} // namespace simtune::qemu_report
