#pragma once
// The loop-nest code generator shared by every workload family: tile loops in a chosen order, then
// point loops in a chosen order, the innermost one optionally unrolled. Private to src/tuning.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace simtune::detail {

/// One loop of a nest: its variable, trip count and tile (tile == extent: not tiled).
struct Loop {
    std::string var;
    int extent = 0;
    int tile = 0;
};

/// The operator-specific part of a nest.
struct Nest {
    std::vector<Loop> loops;              ///< every loop; tiled ones get an outer tile loop
    std::vector<std::string> tile_order;  ///< order of the outer tile loops (tiled loops only)
    std::vector<std::string> point_order; ///< order of the point loops (all loops)
    std::string before_points;            ///< code between tile loops and point loops
    std::string body;
    int unroll = 1;
};

inline const Loop& find(const std::vector<Loop>& loops, const std::string& var) {
    return *std::ranges::find(loops, var, &Loop::var);
}

inline std::string emit(const Nest& nest) {
    std::string code;
    std::string indent = "    ";
    int opened = 0;
    for (const auto& var : nest.tile_order) {
        const auto& l = find(nest.loops, var);
        code += fmt::format("{}for (int {}0 = 0; {}0 < {}; {}0 += {}) {{\n", indent, var, var, l.extent, var, l.tile);
        indent += "    ";
        ++opened;
    }
    for (const auto& l : nest.loops)
        if (l.tile == l.extent) code += fmt::format("{}const int {}0 = 0;\n", indent, l.var);
    code += nest.before_points.empty() ? "" : indent + nest.before_points + "\n";
    for (std::size_t i = 0; i < nest.point_order.size(); ++i) {
        const auto& l = find(nest.loops, nest.point_order[i]);
        if (i + 1 == nest.point_order.size() && nest.unroll > 1)
            code += fmt::format("{}#pragma GCC unroll {}\n", indent, nest.unroll);
        code += fmt::format("{}for (int {} = {}0; {} < {}0 + {}; ++{}) {{\n", indent, l.var, l.var, l.var, l.var,
                            l.tile, l.var);
        indent += "    ";
        ++opened;
    }
    code += indent + nest.body + "\n";
    for (int i = 0; i < opened; ++i) {
        indent.resize(indent.size() - 4);
        code += indent + "}\n";
    }
    return code;
}

/// Tile sizes worth trying for a loop of `extent` iterations: divisors among 4..64, and the extent.
inline std::vector<int> tile_choices(int extent) {
    std::vector<int> t;
    for (int s : {4, 8, 16, 32, 64})
        if (s < extent && extent % s == 0) t.push_back(s);
    t.push_back(extent);
    return t;
}

inline std::vector<std::vector<std::string>> permutations(std::vector<std::string> v) {
    std::ranges::sort(v);
    std::vector<std::vector<std::string>> out;
    do out.push_back(v);
    while (std::ranges::next_permutation(v).found);
    return out;
}

} // namespace simtune::detail
