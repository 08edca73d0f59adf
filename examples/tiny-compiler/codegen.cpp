// Emits the tile loops, then the point loops, then the guarded statement. A point loop of a split
// variable runs over its tile, clamped to the extent only when the tile does not divide it.
#include "codegen.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tiny {

namespace {

std::string access_c(const LoopNest& nest, const Access& a) {
    return fmt::format("{}[{}]", nest.tensors[a.tensor].name, nest.linear(a).to_c());
}

} // namespace

std::string emit_c(const LoopNest& nest, const Schedule& s) {
    check_schedule(nest, s);
    std::string params;
    for (const auto& t : nest.tensors)
        params += fmt::format("{}{}float *restrict {}", params.empty() ? "" : ", ",
                              t.role == simtune::BufferRole::input ? "const " : "", t.name);
    std::string code = fmt::format("/* tiny-compiler: {}\n   schedule: {} */\n", nest.description, s.describe());
    code += "#define MIN(a, b) ((a) < (b) ? (a) : (b))\n";
    code += fmt::format("void simtune_kernel({}) {{\n", params);
    std::string indent = "    ";
    int depth = 0;
    for (const auto& v : s.outer) {
        const int extent = nest.loop(v).extent, tile = s.tiles.at(v);
        code += fmt::format("{}for (int {}_o = 0; {}_o < {}; {}_o += {}) {{\n", indent, v, v, extent, v, tile);
        indent += "    ";
        ++depth;
    }
    for (std::size_t i = 0; i < s.inner.size(); ++i) {
        const auto& v = s.inner[i];
        const int extent = nest.loop(v).extent;
        if (i + 1 == s.inner.size() && s.unroll > 1) code += fmt::format("{}#pragma GCC unroll {}\n", indent, s.unroll);
        if (const auto t = s.tiles.find(v); t != s.tiles.end()) {
            const auto bound = extent % t->second == 0 ? fmt::format("{}_o + {}", v, t->second)
                                                       : fmt::format("MIN({}_o + {}, {})", v, t->second, extent);
            code += fmt::format("{}for (int {} = {}_o; {} < {}; ++{}) {{\n", indent, v, v, v, bound, v);
        } else {
            code += fmt::format("{}for (int {} = 0; {} < {}; ++{}) {{\n", indent, v, v, extent, v);
        }
        indent += "    ";
        ++depth;
    }
    auto guards = nest.guards(nest.lhs);
    const auto rhs_guards = nest.guards(nest.rhs);
    guards.insert(guards.end(), rhs_guards.begin(), rhs_guards.end());
    const auto statement =
        fmt::format("{} += {} * {};", access_c(nest, nest.out), access_c(nest, nest.lhs), access_c(nest, nest.rhs));
    if (guards.empty()) code += indent + statement + "\n";
    else code += fmt::format("{}if ({}) {}\n", indent, fmt::join(guards, " && "), statement);
    for (int i = 0; i < depth; ++i) {
        indent.resize(indent.size() - 4);
        code += indent + "}\n";
    }
    code += "}\n";
    return code;
}

} // namespace tiny
