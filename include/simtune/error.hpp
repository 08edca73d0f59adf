#pragma once
// simtune reports every failure as one exception type whose kind says what went wrong, so callers
// (a tuner, the CLI, the Python binding) can branch on the kind and still show the message as is.
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace simtune {

enum class ErrorKind {
    invalid_argument,  ///< a caller passed something that cannot be right (empty name, zero size...)
    io,                ///< a file could not be read or written
    invalid_binary,    ///< not an ELF64 executable simtune can use (corrupt, truncated, missing symbols)
    wrong_isa,         ///< a valid ELF, but for another instruction set than the target's
    build_failed,      ///< the (cross) compiler or linker rejected a kernel
    tool_missing,      ///< a required external program (compiler, QEMU) is not installed
    simulation_fault,  ///< the simulated kernel faulted: bad access, invalid instruction, syscall...
    instruction_limit, ///< the simulation exceeded its instruction budget
    time_limit,        ///< the simulation or native run exceeded its wall-clock budget
    invalid_output,    ///< an external tool produced output that does not parse
    invalid_model,     ///< a model file is malformed, truncated, of another version or feature set
    invalid_data,      ///< training or prediction data is malformed (NaN, inf, wrong width)
    cancelled,         ///< the work was cancelled by its caller
};

constexpr std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::invalid_argument: return "invalid argument";
        case ErrorKind::io: return "I/O error";
        case ErrorKind::invalid_binary: return "invalid binary";
        case ErrorKind::wrong_isa: return "wrong ISA";
        case ErrorKind::build_failed: return "build failed";
        case ErrorKind::tool_missing: return "tool missing";
        case ErrorKind::simulation_fault: return "simulation fault";
        case ErrorKind::instruction_limit: return "instruction limit";
        case ErrorKind::time_limit: return "time limit";
        case ErrorKind::invalid_output: return "invalid output";
        case ErrorKind::invalid_model: return "invalid model";
        case ErrorKind::invalid_data: return "invalid data";
        case ErrorKind::cancelled: return "cancelled";
    }
    return "unknown error";
}

/// A stable machine-readable name of an error kind, its enumerator's name: "invalid_binary",
/// "simulation_fault", ... (the CLI's JSON and the Python enum use it).
constexpr std::string_view kind_name(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::invalid_argument: return "invalid_argument";
        case ErrorKind::io: return "io";
        case ErrorKind::invalid_binary: return "invalid_binary";
        case ErrorKind::wrong_isa: return "wrong_isa";
        case ErrorKind::build_failed: return "build_failed";
        case ErrorKind::tool_missing: return "tool_missing";
        case ErrorKind::simulation_fault: return "simulation_fault";
        case ErrorKind::instruction_limit: return "instruction_limit";
        case ErrorKind::time_limit: return "time_limit";
        case ErrorKind::invalid_output: return "invalid_output";
        case ErrorKind::invalid_model: return "invalid_model";
        case ErrorKind::invalid_data: return "invalid_data";
        case ErrorKind::cancelled: return "cancelled";
    }
    return "unknown";
}

/// Every ErrorKind, in declaration order (for bindings that enumerate them).
inline constexpr ErrorKind error_kinds[] = {
    ErrorKind::invalid_argument, ErrorKind::io,
    ErrorKind::invalid_binary,   ErrorKind::wrong_isa,
    ErrorKind::build_failed,     ErrorKind::tool_missing,
    ErrorKind::simulation_fault, ErrorKind::instruction_limit,
    ErrorKind::time_limit,       ErrorKind::invalid_output,
    ErrorKind::invalid_model,    ErrorKind::invalid_data,
    ErrorKind::cancelled,
};

/// The one exception simtune throws. `what()` reads "<kind>: <message>".
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message)
        : std::runtime_error(fmt::format("{}: {}", to_string(kind), message)), kind_(kind) {}

    [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

/// Throws `Error(kind, fmt::format(fmt, args...))`.
template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
    throw Error(kind, fmt::format(format, std::forward<Args>(args)...));
}

} // namespace simtune
