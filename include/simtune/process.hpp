#pragma once
// Running external programs (compilers, QEMU, native kernel binaries) with a time limit. Every child
// gets its own process group, so a timeout kills the child and anything it started.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace simtune {

struct ProcessOptions {
    std::chrono::milliseconds timeout{600'000};
    std::optional<std::filesystem::path> working_directory;
    /// Keep at most this many bytes of each of stdout and stderr (the tail); the rest is dropped.
    std::size_t max_output_bytes = 1 << 20;
    /// CPU to pin the child to (sched_setaffinity before exec); nullopt leaves it free.
    std::optional<int> cpu;
    /// The child's whole environment ("NAME=value" entries); nullopt: this process's environment.
    /// (The program is still looked up in this process's PATH.)
    std::optional<std::vector<std::string>> environment;
};

struct ProcessResult {
    int exit_code = -1;     ///< exit status if the child exited normally, else -1
    int signal = 0;         ///< the signal that killed it, 0 if none
    bool timed_out = false; ///< killed by simtune after the timeout
    std::string out;        ///< captured stdout (tail)
    std::string err;        ///< captured stderr (tail)
    double seconds = 0;     ///< wall-clock time

    [[nodiscard]] bool ok() const noexcept { return exit_code == 0 && !timed_out; }
    /// "exit code 3", "killed by signal 11 (Segmentation fault)", "timed out after 2.0 s".
    [[nodiscard]] std::string describe() const;
};

/// Runs argv[0] (looked up in PATH) with the arguments. Throws Error(tool_missing) if the program
/// cannot be found; never throws for the child's own failure (inspect the result).
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// True if `program` is found in PATH (or is an existing executable path).
bool program_exists(const std::string& program);

} // namespace simtune
