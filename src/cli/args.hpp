#pragma once
// A small command-line parser for the simtune command: each subcommand declares its options and
// positionals, gets a --help text generated from them, and any mistake (unknown option, missing
// value, bad number) becomes a UsageError, which the command maps to exit code 2.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace simtune::cli {

/// A mistake in how the command was called: exit code 2, message and a pointer to --help.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ArgParser {
public:
    /// `command`: "simtune build"; `synopsis`: "[options] SOURCE.c"; `summary`: one paragraph.
    ArgParser(std::string command, std::string synopsis, std::string summary);

    /// An option taking a value: `--name VALUE` or `--name=VALUE` (and `-s VALUE` if `short_name`).
    /// `repeatable` options collect every occurrence; others keep the last one.
    ArgParser& option(std::string name, std::string metavar, std::string help,
                      std::optional<std::string> default_value = {}, char short_name = 0, bool repeatable = false);
    /// A switch without value: `--name`.
    ArgParser& flag(std::string name, std::string help, char short_name = 0);
    /// Positional arguments, in order; the last may take `max_count` > 1 (0 = unbounded).
    ArgParser& positional(std::string metavar, std::string help, std::size_t min_count = 1, std::size_t max_count = 1);
    /// Free text appended to --help (examples, notes).
    ArgParser& epilog(std::string text);

    /// Parses `args` (without the program and command names). Returns false if --help was given
    /// (the help text has been printed to stdout). Throws UsageError on any mistake.
    bool parse(std::span<const std::string> args);

    [[nodiscard]] std::string help() const;

    [[nodiscard]] bool has(std::string_view name) const;        ///< option given (or defaulted) / flag set
    [[nodiscard]] std::string get(std::string_view name) const; ///< option's value; UsageError if absent
    [[nodiscard]] std::optional<std::string> get_optional(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const; ///< repeatable option
    [[nodiscard]] std::vector<std::string> positionals() const { return positional_values_; }
    /// The value as a number, with a clear UsageError naming the option if it is not one or is out
    /// of [min, max].
    [[nodiscard]] std::int64_t get_int(std::string_view name, std::int64_t min, std::int64_t max) const;
    [[nodiscard]] double get_double(std::string_view name, double min, double max) const;
    [[nodiscard]] const std::string& command() const noexcept { return command_; }

private:
    struct Spec {
        std::string name, metavar, help;
        std::optional<std::string> default_value;
        char short_name = 0;
        bool takes_value = true;
        bool repeatable = false;
    };
    struct Positional {
        std::string metavar, help;
        std::size_t min_count = 1, max_count = 1;
    };
    const Spec* find_long(std::string_view name) const;
    const Spec* find_short(char c) const;
    const Spec& spec(std::string_view name) const;

    std::string command_, synopsis_, summary_, epilog_;
    std::vector<Spec> specs_;
    std::vector<Positional> positional_specs_;
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::vector<std::string> positional_values_;
};

} // namespace simtune::cli
