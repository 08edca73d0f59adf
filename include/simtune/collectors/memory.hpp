#pragma once
// MemoryTraffic: how many data accesses the guest made and how many bytes they moved.
#include <cstdint>

#include "simtune/events.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// Counts mem_reads/mem_writes (one per access, whatever its width) and bytes_loaded/bytes_stored.
class MemoryTraffic {
public:
    [[nodiscard]] EventKind events() const noexcept { return EventKind::memory; }

    void on_block(const DecodedBlock&) noexcept {}
    void on_memory(const MemoryAccess& access) noexcept {
        // Branch-free: index the pair of counters by direction.
        accesses_[access.is_store] += 1;
        bytes_[access.is_store] += access.size;
    }

    /// Many accesses at once (a simulator that batches them): `reads` loads of `loaded` bytes in
    /// total and `writes` stores of `stored` bytes.
    void add(std::uint64_t reads, std::uint64_t writes, std::uint64_t loaded, std::uint64_t stored) noexcept {
        accesses_[0] += reads;
        accesses_[1] += writes;
        bytes_[0] += loaded;
        bytes_[1] += stored;
    }

    void contribute(Stats& stats) const noexcept {
        stats.mem_reads += accesses_[0];
        stats.mem_writes += accesses_[1];
        stats.bytes_loaded += bytes_[0];
        stats.bytes_stored += bytes_[1];
    }
    void reset() noexcept {
        accesses_[0] = accesses_[1] = 0;
        bytes_[0] = bytes_[1] = 0;
    }

private:
    std::uint64_t accesses_[2]{}; ///< [0] reads, [1] writes
    std::uint64_t bytes_[2]{};    ///< [0] loaded, [1] stored
};

} // namespace simtune
