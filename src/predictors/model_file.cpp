// The model file format: writing with shortest round-trip doubles, strict in-order reading.
#include "simtune/predictors/model_file.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#ifndef SIMTUNE_VERSION
#define SIMTUNE_VERSION "unknown"
#endif

namespace simtune {

namespace {

constexpr std::string_view magic = "simtune-model";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

void check_token(std::string_view what, std::string_view token) {
    if (token.empty()) fail(ErrorKind::invalid_argument, "model file: {} must not be empty", what);
    for (char c : token)
        if (is_space(c) || c == '\n')
            fail(ErrorKind::invalid_argument, "model file: {} '{}' contains whitespace", what, token);
}

/// fmt's "{}" for a double is the shortest representation that reads back to the same value.
void append_number(std::string& out, double value) {
    if (std::isnan(value)) fail(ErrorKind::invalid_argument, "model file: refusing to write NaN");
    fmt::format_to(std::back_inserter(out), "{}", value);
}

} // namespace

std::string_view simtune_library_version() noexcept { return SIMTUNE_VERSION; }

// ---- writer -------------------------------------------------------------------------------------

void ModelWriter::provenance(std::string_view target) {
    text("simtune_version", simtune_library_version());
    text("target", target.empty() ? "-" : target);
}

ModelWriter::ModelWriter(std::string_view kind) {
    check_token("model kind", kind);
    out_ = fmt::format("{} {} {}\n", magic, model_format_version, kind);
}

void ModelWriter::text(std::string_view key, std::string_view value) {
    check_token("key", key);
    if (value.find('\n') != std::string_view::npos)
        fail(ErrorKind::invalid_argument, "model file: value of '{}' spans several lines", key);
    fmt::format_to(std::back_inserter(out_), "{} {}\n", key, value);
}

void ModelWriter::number(std::string_view key, double value) {
    check_token("key", key);
    fmt::format_to(std::back_inserter(out_), "{} ", key);
    append_number(out_, value);
    out_ += '\n';
}

void ModelWriter::integer(std::string_view key, std::int64_t value) {
    check_token("key", key);
    fmt::format_to(std::back_inserter(out_), "{} {}\n", key, value);
}

void ModelWriter::names(std::string_view key, std::span<const std::string> names) {
    check_token("key", key);
    fmt::format_to(std::back_inserter(out_), "{} {}", key, names.size());
    for (const auto& name : names) {
        check_token("name", name);
        out_ += ' ';
        out_ += name;
    }
    out_ += '\n';
}

void ModelWriter::vector(std::string_view key, std::span<const double> values) {
    check_token("key", key);
    fmt::format_to(std::back_inserter(out_), "{} {}", key, values.size());
    for (double v : values) {
        out_ += ' ';
        append_number(out_, v);
    }
    out_ += '\n';
}

void ModelWriter::table(std::string_view key, const Eigen::MatrixXd& values) {
    check_token("key", key);
    fmt::format_to(std::back_inserter(out_), "{} {} {}\n", key, values.rows(), values.cols());
    for (Eigen::Index r = 0; r < values.rows(); ++r) {
        for (Eigen::Index c = 0; c < values.cols(); ++c) {
            if (c) out_ += ' ';
            append_number(out_, values(r, c));
        }
        out_ += '\n';
    }
}

void ModelWriter::block(std::string_view key, std::string_view text) {
    check_token("key", key);
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    if (!text.empty() && text.back() != '\n') ++lines;
    fmt::format_to(std::back_inserter(out_), "{} {}\n", key, lines);
    out_ += text;
    if (!text.empty() && text.back() != '\n') out_ += '\n';
}

std::string ModelWriter::contents() const { return out_ + "end\n"; }

void ModelWriter::save(const std::filesystem::path& file) const {
    // Written beside the target and renamed over it: a reader sees the old model or the new one,
    // never a truncated mix, and an interrupted save leaves the old file as it was.
    const auto temporary = std::filesystem::path(file).concat(fmt::format(".tmp-{}", ::getpid()));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) fail(ErrorKind::io, "cannot open model file '{}' for writing", file.string());
        const auto text = contents();
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            fail(ErrorKind::io, "cannot write model file '{}'", file.string());
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, file, error);
    if (error) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        fail(ErrorKind::io, "cannot write model file '{}': {}", file.string(), error.message());
    }
}

// ---- reader -------------------------------------------------------------------------------------

ModelReader::ModelReader(const std::filesystem::path& file, std::string_view expected_kind) : file_(file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorKind::io, "cannot open model file '{}'", file.string());
    read_lines(in);
    check_header(expected_kind);
}

ModelReader::ModelReader(std::istream& in, std::filesystem::path name, std::string_view expected_kind)
    : file_(std::move(name)) {
    read_lines(in);
    check_header(expected_kind);
}

void ModelReader::read_lines(std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines_.push_back(std::move(line));
    }
    if (in.bad()) fail(ErrorKind::io, "cannot read model file '{}'", file_.string());
}

void ModelReader::check_header(std::string_view expected_kind) {
    if (lines_.empty()) fail_at(1, "the file is empty, expected a 'simtune-model' header");
    line_number_ = 1;
    const auto header = split(lines_[0]);
    if (header.size() != 3 || header[0] != magic)
        fail_here("not a simtune model file: expected '{} <version> <kind>', found '{}'", magic, lines_[0]);
    const auto version = parse_integer(header[1], "format version");
    if (version != model_format_version)
        fail_here("format version {} is not supported (this simtune reads version {})", version, model_format_version);
    if (!expected_kind.empty() && header[2] != expected_kind)
        fail_here("this is a '{}' model, expected a '{}' model", header[2], expected_kind);
}

std::string ModelReader::peek_kind(const std::filesystem::path& file) { return ModelReader(file, "").kind(); }

std::string ModelReader::kind() const { return std::string(split(lines_[0])[2]); }

void ModelReader::fail_at(std::size_t line, const std::string& message) const {
    fail(ErrorKind::invalid_model, "model file '{}', line {}: {}", file_.string(), line, message);
}

std::vector<std::string_view> ModelReader::split(std::string_view value) const {
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && is_space(value[i])) ++i;
        const auto start = i;
        while (i < value.size() && !is_space(value[i])) ++i;
        if (i > start) tokens.push_back(value.substr(start, i - start));
    }
    return tokens;
}

double ModelReader::parse_number(std::string_view token, std::string_view what) const {
    double value = 0;
    const auto* end = token.data() + token.size();
    auto [ptr, ec] = std::from_chars(token.data(), end, value);
    if (ec != std::errc{} || ptr != end || std::isnan(value)) fail_here("{}: '{}' is not a number", what, token);
    return value;
}

std::int64_t ModelReader::parse_integer(std::string_view token, std::string_view what) const {
    std::int64_t value = 0;
    const auto* end = token.data() + token.size();
    auto [ptr, ec] = std::from_chars(token.data(), end, value);
    if (ec != std::errc{} || ptr != end) fail_here("{}: '{}' is not an integer", what, token);
    return value;
}

std::string_view ModelReader::next_value(std::string_view key) {
    if (line_number_ >= lines_.size())
        fail_at(line_number_ + 1, fmt::format("unexpected end of file (truncated?), expected '{}'", key));
    ++line_number_;
    std::string_view line = lines_[line_number_ - 1];
    const auto space = line.find(' ');
    const auto found = line.substr(0, space);
    if (found != key) fail_here("expected '{}', found '{}'", key, found.empty() ? "an empty line" : found);
    return space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
}

std::string ModelReader::text(std::string_view key) { return std::string(next_value(key)); }

bool ModelReader::next_is(std::string_view key) const {
    if (line_number_ >= lines_.size()) return false;
    const std::string_view line = lines_[line_number_];
    return line.substr(0, line.find(' ')) == key;
}

std::string ModelReader::provenance() {
    (void)text("simtune_version");
    auto target = text("target");
    if (target == "-") target.clear();
    return target;
}

double ModelReader::number(std::string_view key) {
    const auto tokens = split(next_value(key));
    if (tokens.size() != 1) fail_here("'{}' needs exactly one number", key);
    return parse_number(tokens[0], key);
}

std::int64_t ModelReader::integer(std::string_view key) {
    const auto tokens = split(next_value(key));
    if (tokens.size() != 1) fail_here("'{}' needs exactly one integer", key);
    return parse_integer(tokens[0], key);
}

std::vector<std::string> ModelReader::names(std::string_view key) {
    const auto tokens = split(next_value(key));
    if (tokens.empty()) fail_here("'{}' needs a count", key);
    const auto count = parse_integer(tokens[0], fmt::format("count of '{}'", key));
    if (count < 0 || static_cast<std::size_t>(count) != tokens.size() - 1)
        fail_here("'{}' announces {} names but has {}", key, count, tokens.size() - 1);
    return {tokens.begin() + 1, tokens.end()};
}

std::vector<double> ModelReader::vector(std::string_view key) {
    const auto tokens = split(next_value(key));
    if (tokens.empty()) fail_here("'{}' needs a count", key);
    const auto count = parse_integer(tokens[0], fmt::format("count of '{}'", key));
    if (count < 0 || static_cast<std::size_t>(count) != tokens.size() - 1)
        fail_here("'{}' announces {} values but has {}", key, count, tokens.size() - 1);
    std::vector<double> values;
    values.reserve(tokens.size() - 1);
    for (std::size_t i = 1; i < tokens.size(); ++i)
        values.push_back(parse_number(tokens[i], fmt::format("'{}' value {}", key, i - 1)));
    return values;
}

Eigen::MatrixXd ModelReader::table(std::string_view key) {
    const auto header = split(next_value(key));
    if (header.size() != 2) fail_here("'{}' needs a row and a column count", key);
    const auto rows = parse_integer(header[0], fmt::format("rows of '{}'", key));
    const auto cols = parse_integer(header[1], fmt::format("columns of '{}'", key));
    if (rows < 0 || cols < 0) fail_here("'{}' has a negative size", key);
    if (static_cast<std::size_t>(rows) > lines_.size() - line_number_)
        fail_at(lines_.size() + 1, fmt::format("unexpected end of file (truncated?): table '{}' "
                                               "announces {} rows, only {} lines follow",
                                               key, rows, lines_.size() - line_number_));
    // Check the first row's width before allocating: a corrupt column count must be an error
    // naming the table, not an allocation of rows × a huge number.
    if (rows > 0 && static_cast<std::int64_t>(split(lines_[line_number_]).size()) != cols)
        fail_at(line_number_ + 1, fmt::format("row 0 of table '{}' has {} values, expected {}", key,
                                              split(lines_[line_number_]).size(), cols));
    Eigen::MatrixXd values(rows, cols);
    for (std::int64_t r = 0; r < rows; ++r) {
        ++line_number_;
        const auto tokens = split(lines_[line_number_ - 1]);
        if (static_cast<std::int64_t>(tokens.size()) != cols)
            fail_here("row {} of table '{}' has {} values, expected {}", r, key, tokens.size(), cols);
        for (std::int64_t c = 0; c < cols; ++c)
            values(r, c) = parse_number(tokens[static_cast<std::size_t>(c)],
                                        fmt::format("table '{}' row {} column {}", key, r, c));
    }
    return values;
}

std::string ModelReader::block(std::string_view key) {
    const auto count = parse_integer(next_value(key), key);
    if (count < 0 || static_cast<std::uint64_t>(count) > lines_.size() - line_number_)
        fail_here("'{}' announces {} lines but {} remain", key, count, lines_.size() - line_number_);
    std::string out;
    for (std::int64_t i = 0; i < count; ++i) {
        out += lines_[line_number_++];
        out += '\n';
    }
    return out;
}

void ModelReader::finish() {
    (void)next_value("end");
    if (line_number_ != lines_.size()) {
        ++line_number_;
        fail_here("unexpected content after 'end'");
    }
}

} // namespace simtune
