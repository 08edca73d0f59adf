// The description parser: split into words, check each key against the operator's table.
#include "frontend.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <simtune/error.hpp>

namespace tiny {

using simtune::ErrorKind;
using simtune::fail;

namespace {

struct KeySpec {
    std::string_view key;
    int default_value; ///< -1: required
    int minimum;
};

const std::vector<KeySpec>& keys_of(OpName op) {
    static const std::vector<KeySpec> gemm{{"M", -1, 1}, {"N", -1, 1}, {"K", -1, 1}};
    static const std::vector<KeySpec> conv{{"N", 1, 1},  {"H", -1, 1}, {"W", -1, 1},     {"C", -1, 1}, {"K", -1, 1},
                                           {"R", -1, 1}, {"S", -1, 1}, {"stride", 1, 1}, {"pad", 0, 0}};
    return op == OpName::gemm ? gemm : conv;
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

} // namespace

int Operator::out_h() const { return (dim("H") + 2 * dim("pad") - dim("R")) / dim("stride") + 1; }
int Operator::out_w() const { return (dim("W") + 2 * dim("pad") - dim("S")) / dim("stride") + 1; }

Operator parse_operator(std::string_view text, std::string_view origin) {
    const auto w = words(text);
    if (w.empty())
        fail(ErrorKind::invalid_argument, "{}: empty operator description (expected e.g. 'gemm M=64 N=64 K=64')",
             origin);
    Operator op;
    if (w[0] == "gemm") op.op = OpName::gemm;
    else if (w[0] == "conv2d") op.op = OpName::conv2d;
    else fail(ErrorKind::invalid_argument, "{}: unknown operator '{}' (known: gemm, conv2d)", origin, w[0]);

    const auto& specs = keys_of(op.op);
    std::set<std::string> seen;
    for (std::size_t i = 1; i < w.size(); ++i) {
        const auto eq = w[i].find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == w[i].size())
            fail(ErrorKind::invalid_argument, "{}: '{}' is not key=value", origin, w[i]);
        const std::string key = w[i].substr(0, eq), value = w[i].substr(eq + 1);
        if (!seen.insert(key).second) fail(ErrorKind::invalid_argument, "{}: '{}' given twice", origin, key);
        if (op.op == OpName::conv2d && key == "layout") {
            if (value == "nhwc") op.layout = Layout::nhwc;
            else if (value == "nchw") op.layout = Layout::nchw;
            else fail(ErrorKind::invalid_argument, "{}: layout '{}' is not nhwc or nchw", origin, value);
            continue;
        }
        const auto spec = std::ranges::find(specs, key, &KeySpec::key);
        if (spec == specs.end()) {
            std::vector<std::string_view> known;
            for (const auto& s : specs) known.push_back(s.key);
            if (op.op == OpName::conv2d) known.push_back("layout");
            fail(ErrorKind::invalid_argument, "{}: {} has no parameter '{}' (known: {})", origin, w[0], key,
                 fmt::join(known, " "));
        }
        int v = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc{} || end != value.data() + value.size())
            fail(ErrorKind::invalid_argument, "{}: {}={} is not an integer", origin, key, value);
        if (v < spec->minimum || v > 4096)
            fail(ErrorKind::invalid_argument, "{}: {}={} is out of range [{}, 4096]", origin, key, v, spec->minimum);
        op.dims[key] = v;
    }
    for (const auto& s : specs) {
        if (op.dims.contains(std::string(s.key))) continue;
        if (s.default_value < 0) fail(ErrorKind::invalid_argument, "{}: {} needs {}=<integer>", origin, w[0], s.key);
        op.dims[std::string(s.key)] = s.default_value;
    }
    if (op.op == OpName::conv2d) {
        if (op.dim("R") > op.dim("H") + 2 * op.dim("pad") || op.dim("S") > op.dim("W") + 2 * op.dim("pad"))
            fail(ErrorKind::invalid_argument, "{}: the {}x{} filter is larger than the padded {}x{} input", origin,
                 op.dim("R"), op.dim("S"), op.dim("H") + 2 * op.dim("pad"), op.dim("W") + 2 * op.dim("pad"));
        if (op.dim("pad") >= op.dim("R") || op.dim("pad") >= op.dim("S"))
            fail(ErrorKind::invalid_argument, "{}: pad={} must be smaller than the filter ({}x{})", origin,
                 op.dim("pad"), op.dim("R"), op.dim("S"));
    }
    // Keep buffers to a size a simulator handles in seconds: 64 Mi elements per tensor at most.
    std::uint64_t product = 1;
    for (const auto& [k, v] : op.dims) product *= static_cast<std::uint64_t>(v);
    if (product > (std::uint64_t{1} << 40))
        fail(ErrorKind::invalid_argument, "{}: the operator is too large for this example", origin);
    op.text = fmt::format("{}", fmt::join(w, " "));
    return op;
}

Operator parse_operator_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(ErrorKind::io, "cannot read operator description file '{}'", path);
    std::string description;
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        if (!description.empty())
            fail(ErrorKind::invalid_argument, "{}: more than one description (one operator per file)", path);
        description = line;
    }
    return parse_operator(description, path);
}

} // namespace tiny
