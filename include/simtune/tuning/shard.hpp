#pragma once
// Sharding a batch across the ranks of a Collective: a round-robin partition over the batch order
// (item i belongs to rank i mod size), which every rank computes alone, without communication, and
// which spreads neighbouring (similar-cost) variants evenly. merge_shards() undoes it, so merged
// results come back in exactly the order a single process produces.
#include <cstddef>
#include <span>
#include <vector>

#include "simtune/error.hpp"

namespace simtune {

struct Shard {
    std::size_t index = 0; ///< this rank
    std::size_t count = 1; ///< all ranks

    [[nodiscard]] bool owns(std::size_t item) const noexcept { return item % count == index; }
    /// How many of `total` items belong to this shard.
    [[nodiscard]] std::size_t size_of(std::size_t total) const noexcept {
        return total / count + (index < total % count ? 1 : 0);
    }
    /// The batch position of this shard's `local`-th item.
    [[nodiscard]] std::size_t global_index(std::size_t local) const noexcept { return local * count + index; }
};

/// This shard's items of `items`, in batch order.
template <class T>
std::vector<T> take_shard(std::span<const T> items, Shard shard) {
    if (shard.count == 0 || shard.index >= shard.count)
        fail(ErrorKind::invalid_argument, "shard {} of {} does not exist", shard.index, shard.count);
    std::vector<T> out;
    out.reserve(shard.size_of(items.size()));
    for (std::size_t i = shard.index; i < items.size(); i += shard.count) out.push_back(items[i]);
    return out;
}

/// The inverse of take_shard over all shards: `parts[r]` is shard r's items in order; the result
/// is the `total` items in batch order. Throws Error(invalid_data) if a part has the wrong size.
template <class T>
std::vector<T> merge_shards(std::vector<std::vector<T>> parts, std::size_t total) {
    if (parts.empty()) fail(ErrorKind::invalid_argument, "merging shards needs at least one shard");
    const std::size_t count = parts.size();
    for (std::size_t r = 0; r < count; ++r) {
        const std::size_t expected = Shard{r, count}.size_of(total);
        if (parts[r].size() != expected)
            fail(ErrorKind::invalid_data, "shard {} of {} holds {} items, expected {} of {}", r, count, parts[r].size(),
                 expected, total);
    }
    std::vector<T> out;
    out.reserve(total);
    for (std::size_t i = 0; i < total; ++i) out.push_back(std::move(parts[i % count][i / count]));
    return out;
}

} // namespace simtune
