#pragma once
// A shuffle that gives the same order with every standard library (std::shuffle does not): the
// workload sample and the experiment's train/test split must be reproducible everywhere.
#include <cstdint>
#include <utility>
#include <vector>

namespace simtune::detail {

/// splitmix64: a small, fully specified generator.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Fisher-Yates with splitmix64 seeded by `seed`.
template <class T>
void deterministic_shuffle(std::vector<T>& items, std::uint64_t seed) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[splitmix64(seed) % i]);
}

} // namespace simtune::detail
