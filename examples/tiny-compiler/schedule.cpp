// Schedules: description, validation, and a deterministic sample of the space.
#include "schedule.hpp"

#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <simtune/error.hpp>

namespace tiny {

using simtune::ErrorKind;
using simtune::fail;

std::string Schedule::describe() const {
    std::vector<std::string> t;
    for (const auto& v : outer) t.push_back(fmt::format("{}={}", v, tiles.at(v)));
    return fmt::format("tile({}) outer({}) inner({}) unroll{} {}", fmt::join(t, ","), fmt::join(outer, ","),
                       fmt::join(inner, ","), unroll, vectorize ? "vec" : "novec");
}

std::string Schedule::id() const {
    std::string t;
    for (const auto& v : outer) t += fmt::format("{}{}", v, tiles.at(v));
    return fmt::format("s-{}-{}-{}-u{}-v{}", t.empty() ? "none" : t,
                       outer.empty() ? "none" : fmt::format("{}", fmt::join(outer, "")), fmt::join(inner, ""), unroll,
                       vectorize ? 1 : 0);
}

std::vector<std::string> Schedule::flags() const {
    if (vectorize) return {"-O3"};
    return {"-fno-tree-vectorize"};
}

Schedule naive_schedule(const LoopNest& nest) {
    Schedule s;
    for (const auto& l : nest.loops) s.inner.push_back(l.var);
    return s;
}

void check_schedule(const LoopNest& nest, const Schedule& s) {
    std::set<std::string> seen;
    for (const auto& v : s.inner) {
        (void)nest.loop(v); // throws for an unknown loop
        if (!seen.insert(v).second)
            fail(ErrorKind::invalid_argument, "schedule {}: loop '{}' appears twice", s.describe(), v);
    }
    if (seen.size() != nest.loops.size())
        fail(ErrorKind::invalid_argument, "schedule {}: the point order must name all {} loops", s.describe(),
             nest.loops.size());
    if (s.outer.size() != s.tiles.size())
        fail(ErrorKind::invalid_argument, "schedule {}: every split loop needs exactly one tile loop", s.describe());
    for (const auto& v : s.outer) {
        const auto it = s.tiles.find(v);
        if (it == s.tiles.end())
            fail(ErrorKind::invalid_argument, "schedule {}: tile loop '{}' is not split", s.describe(), v);
        if (it->second < 2 || it->second >= nest.loop(v).extent)
            fail(ErrorKind::invalid_argument, "schedule {}: tile {} of loop '{}' (extent {}) splits nothing",
                 s.describe(), it->second, v, nest.loop(v).extent);
    }
    if (s.unroll < 1 || s.unroll > 64)
        fail(ErrorKind::invalid_argument, "schedule {}: unroll must be 1..64", s.describe());
}

ScheduleSpace schedule_space(const LoopNest& nest) {
    ScheduleSpace space;
    // Split loops long enough to matter; tiles that need not divide the extent.
    for (const auto& l : nest.loops) {
        if (l.extent < 8) continue;
        std::vector<int> choices{0};
        for (int t : {4, 8, 16, 32, 64})
            if (t < l.extent && (t >= 8 || l.extent <= 16)) choices.push_back(t);
        space.tile_choices.emplace_back(l.var, choices);
    }
    // Point orders: loops of extent 1 outermost, reductions in their naive relative order.
    std::vector<std::string> fixed, movable;
    for (const auto& l : nest.loops) (l.extent == 1 ? fixed : movable).push_back(l.var);
    std::vector<std::string> reductions;
    for (const auto& l : nest.loops)
        if (l.reduction && l.extent > 1) reductions.push_back(l.var);
    std::vector<std::string> perm = movable;
    std::ranges::sort(perm);
    do {
        std::vector<std::string> red_order;
        for (const auto& v : perm)
            if (std::ranges::find(reductions, v) != reductions.end()) red_order.push_back(v);
        if (red_order != reductions) continue;
        auto order = fixed;
        order.insert(order.end(), perm.begin(), perm.end());
        space.inner_orders.push_back(order);
    } while (std::ranges::next_permutation(perm).found);
    return space;
}

double ScheduleSpace::size() const {
    double n = static_cast<double>(inner_orders.size() * unrolls.size() * vectorize.size());
    for (const auto& [v, c] : tile_choices) n *= static_cast<double>(c.size());
    std::size_t splittable = tile_choices.size(), perms = 1;
    for (std::size_t i = 2; i <= splittable; ++i) perms *= i;
    return n * static_cast<double>(perms);
}

std::vector<Schedule> enumerate_schedules(const LoopNest& nest, std::size_t count, std::uint64_t seed) {
    std::vector<Schedule> out;
    if (count == 0) return out;
    out.push_back(naive_schedule(nest));
    std::set<std::string> ids{out[0].id()};
    const auto space = schedule_space(nest);
    std::mt19937_64 rng(seed);
    auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    // Draw until `count` distinct schedules or the draws stop finding new ones.
    for (std::size_t draws = 0; out.size() < count && draws < 200 * count; ++draws) {
        Schedule s;
        for (const auto& [v, choices] : space.tile_choices)
            if (const int t = choices[pick(choices.size())]; t != 0) {
                s.tiles[v] = t;
                s.outer.push_back(v);
            }
        std::shuffle(s.outer.begin(), s.outer.end(), rng);
        s.inner = space.inner_orders[pick(space.inner_orders.size())];
        s.unroll = space.unrolls[pick(space.unrolls.size())];
        s.vectorize = space.vectorize[pick(space.vectorize.size())];
        check_schedule(nest, s);
        if (ids.insert(s.id()).second) out.push_back(std::move(s));
    }
    return out;
}

} // namespace tiny
