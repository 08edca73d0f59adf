#pragma once
// The text format every simtune model is saved in. Human-readable so a model can be inspected and
// diffed, versioned so an old simtune refuses a newer file instead of misreading it, and written
// with the shortest round-trip representation of every double so a loaded model predicts
// bit-identically to the one that was saved.
//
//   simtune-model 1 <kind>          header: magic, format version, model kind ("ridge", "gbt")
//   simtune_version 0.1.0           key/value lines: a key, one space, the rest of the line
//   target x86-64-skylake
//   features 3 instructions l1d_accesses l1d_misses     names: count, then the names
//   mean 4 1.5 2 3.25 0                                 vectors: count, then the values
//   nodes 2 3                                           tables: rows and columns, then one line
//   0 1.5 2                                             per row
//   -1 0.25 0
//   end                                                 the last line; anything missing is a
//                                                       truncated file
//
// Readers consume the keys in the order they were written; any deviation (a missing, extra or
// renamed key, a bad number, a count that does not match) fails with ErrorKind::invalid_model and
// a message naming the file, the line and what was expected.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>

#include "simtune/error.hpp"

namespace simtune {

/// The format version this simtune writes and reads.
inline constexpr int model_format_version = 1;

/// The simtune version recorded in model files (the library's CMake project version).
[[nodiscard]] std::string_view simtune_library_version() noexcept;

/// Builds a model file line by line; `save` writes it (with the closing "end") in one go.
class ModelWriter {
public:
    explicit ModelWriter(std::string_view kind);

    /// The provenance lines every model starts with: the simtune version and the target the model
    /// was trained for ("-" when none was set).
    void provenance(std::string_view target);
    /// "key value". The value must fit on one line.
    void text(std::string_view key, std::string_view value);
    void number(std::string_view key, double value);
    void integer(std::string_view key, std::int64_t value);
    /// "key N name…". Names must be non-empty and free of whitespace.
    void names(std::string_view key, std::span<const std::string> names);
    /// "key N v…" on one line.
    void vector(std::string_view key, std::span<const double> values);
    /// "key R C", then R lines of C values.
    void table(std::string_view key, const Eigen::MatrixXd& values);
    /// "key N", then the N lines of `text` as they are: a whole model file inside another (an
    /// ensemble's members).
    void block(std::string_view key, std::string_view text);

    /// The complete file contents so far, including the closing "end".
    [[nodiscard]] std::string contents() const;
    /// Writes contents() to `file`; ErrorKind::io if it cannot.
    void save(const std::filesystem::path& file) const;

private:
    std::string out_;
};

/// Reads a model file written by ModelWriter, strictly in order.
class ModelReader {
public:
    /// Reads `file` and checks its header: the magic, the format version and that it is a
    /// `expected_kind` model. ErrorKind::io if the file cannot be read.
    ModelReader(const std::filesystem::path& file, std::string_view expected_kind);
    /// Reads a model from `in` (a model held in memory, a pipe); `name` stands for the file in
    /// messages (e.g. "builtin:host-x86-64"). ErrorKind::io if the stream fails.
    ModelReader(std::istream& in, std::filesystem::path name, std::string_view expected_kind);

    /// The kind named in the header of `file` ("ridge", "gbt"), after checking magic and version.
    [[nodiscard]] static std::string peek_kind(const std::filesystem::path& file);
    /// The kind named in the header of `reader`'s model.
    [[nodiscard]] std::string kind() const;

    /// Reads the lines ModelWriter::provenance wrote; returns the target ("" when none was set).
    [[nodiscard]] std::string provenance();
    [[nodiscard]] std::string text(std::string_view key);
    [[nodiscard]] double number(std::string_view key);
    [[nodiscard]] std::int64_t integer(std::string_view key);
    [[nodiscard]] std::vector<std::string> names(std::string_view key);
    [[nodiscard]] std::vector<double> vector(std::string_view key);
    [[nodiscard]] Eigen::MatrixXd table(std::string_view key);
    /// What block() wrote: the N lines after "key N", joined with newlines.
    [[nodiscard]] std::string block(std::string_view key);
    /// Whether the next line holds `key`: for keys that newer writers add and older files lack.
    [[nodiscard]] bool next_is(std::string_view key) const;
    /// Expects the closing "end" and nothing after it.
    void finish();

    /// Fails with ErrorKind::invalid_model: "model file '<file>', line <n>: <message>", the line
    /// being the one read last.
    template <typename... Args>
    [[noreturn]] void fail_here(fmt::format_string<Args...> format, Args&&... args) const {
        fail_at(line_number_, fmt::format(format, std::forward<Args>(args)...));
    }

    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

private:
    [[noreturn]] void fail_at(std::size_t line, const std::string& message) const;
    void read_lines(std::istream& in);
    void check_header(std::string_view expected_kind);
    /// The value part of the next line, which must start with `key`.
    std::string_view next_value(std::string_view key);
    double parse_number(std::string_view token, std::string_view what) const;
    std::int64_t parse_integer(std::string_view token, std::string_view what) const;
    std::vector<std::string_view> split(std::string_view value) const;

    std::filesystem::path file_;
    std::vector<std::string> lines_;
    std::size_t line_number_ = 0; ///< 1-based number of the line read last
};

} // namespace simtune
