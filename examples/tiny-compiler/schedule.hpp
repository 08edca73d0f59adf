#pragma once
// The schedule language and its space. A schedule of a loop nest says:
//   split   loop v by a tile t: an outer tile loop v_o (step t) and an inner point loop v that
//           stays within [v_o, min(v_o + t, extent)) — so tiles need not divide the extent;
//   reorder the tile loops among themselves (all of them go outside all point loops), and the point
//           loops among themselves;
//   unroll  the innermost point loop by a factor (#pragma GCC unroll);
//   vectorize: let the C compiler vectorise (-O3) or forbid it (-fno-tree-vectorize).
// Legality: the nest is a sum of products, so every order computes every output from the same
// terms; only the summation order of reductions can change, by rounding. To keep results as close
// as possible the point order keeps reduction loops in their naive relative order and leaves
// loops of extent 1 outermost.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir.hpp"

namespace tiny {

struct Schedule {
    std::map<std::string, int> tiles; ///< split loops: var → tile size
    std::vector<std::string> outer;   ///< tile loops, outermost first (exactly the split vars)
    std::vector<std::string> inner;   ///< point loops, outermost first (every var once)
    int unroll = 1;
    bool vectorize = false;

    /// e.g. "tile(i=16,k=32) outer(k,i) inner(i,k,j) unroll4 vec" — unique per schedule.
    [[nodiscard]] std::string describe() const;
    /// A short identifier usable in file names: "s-i16k32-ki-ikj-u4-v1".
    [[nodiscard]] std::string id() const;
    /// Compiler flags this schedule needs.
    [[nodiscard]] std::vector<std::string> flags() const;
};

/// The nest as written: no splits, the naive loop order, no unrolling, no vectorisation.
Schedule naive_schedule(const LoopNest& nest);
/// Throws Error(invalid_argument) naming what is wrong (unknown or repeated loop, bad tile...).
void check_schedule(const LoopNest& nest, const Schedule& s);

/// The space's dimensions for this nest: tile choices per splittable loop, orders, unroll factors.
struct ScheduleSpace {
    std::vector<std::pair<std::string, std::vector<int>>> tile_choices; ///< 0 = not split
    std::vector<std::vector<std::string>> inner_orders;
    std::vector<int> unrolls{1, 4};
    std::vector<bool> vectorize{false, true};
    /// Points of the product space (outer orders counted at their largest, 3! or 4!).
    [[nodiscard]] double size() const;
};
ScheduleSpace schedule_space(const LoopNest& nest);

/// Up to `count` distinct schedules: the naive one first, then a deterministic sample of the space
/// drawn with `seed`.
std::vector<Schedule> enumerate_schedules(const LoopNest& nest, std::size_t count, std::uint64_t seed);

} // namespace tiny
