#pragma once
// CacheModel: a set-associative LRU data-cache hierarchy L1D -> L2 -> LLC driven by the guest's
// memory accesses. It runs once per simulated access, so it is written for the hot path: shifts and
// masks (CacheGeometry::valid guarantees power-of-two lines and sets), one flat tag array per level
// ordered most-recently-used first within each set, a one-compare fast path for a hit on the MRU
// line, and no allocation after construction.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

/// The modelled behaviour:
/// - Each level is set-associative with true LRU replacement, write-allocate (a store that misses
///   brings its line in like a load), and non-inclusive: a level fills on its own misses only and
///   never invalidates lines of another level. Dirty write-backs are not modelled (they are not
///   counted as accesses of the next level).
/// - An access counts at line granularity: one that spans two L1 lines touches (and counts) both.
/// - An L1D miss accesses L2 with the missing L1 line's address; an L2 miss accesses the LLC.
/// - When the L2 and LLC geometries are identical (the built-in cortex-a72 and sifive-u74 targets
///   give their L2 as the last level), they are one cache: it is simulated once and its counters
///   are reported both as L2 and as LLC (llc_accesses == l2_accesses, llc_misses == l2_misses).
class CacheModel {
public:
    /// Throws Error(invalid_argument) naming a level whose geometry a model cannot simulate.
    explicit CacheModel(const CacheHierarchy& geometry)
        : geometry_(geometry), l1_(checked(geometry.l1d, "L1D")), l2_(checked(geometry.l2, "L2")),
          llc_is_l2_(geometry.l2 == geometry.llc),
          llc_(llc_is_l2_ ? Level{} : Level(checked(geometry.llc, "LLC"))) {}

    [[nodiscard]] EventKind events() const noexcept { return EventKind::memory; }

    void on_block(const DecodedBlock&) noexcept {}
    void on_memory(const MemoryAccess& access) noexcept { this->access(access.address, access.size); }

    /// One data access of `size` bytes at `address` (loads and stores behave alike).
    void access(std::uint64_t address, std::uint32_t size) noexcept {
        const unsigned shift = l1_.line_shift;
        std::uint64_t line = address >> shift;
        const std::uint64_t last = (address + (size ? size - 1 : 0)) >> shift;
        for (;;) {
            if (!l1_.access(line)) [[unlikely]]
                miss_below_l1(line << shift);
            if (line == last) [[likely]]
                break;
            ++line;
        }
    }

    void contribute(Stats& stats) const noexcept {
        stats.l1d_accesses += l1_.accesses;
        stats.l1d_misses += l1_.misses;
        stats.l2_accesses += l2_.accesses;
        stats.l2_misses += l2_.misses;
        const Level& llc = llc_is_l2_ ? l2_ : llc_;
        stats.llc_accesses += llc.accesses;
        stats.llc_misses += llc.misses;
    }

    /// Empties every cache and zeroes the counters.
    void reset() noexcept {
        l1_.clear();
        l2_.clear();
        llc_.clear();
    }

    [[nodiscard]] const CacheHierarchy& geometry() const noexcept { return geometry_; }
    /// True if L2 and LLC have the same geometry and are modelled as one cache.
    [[nodiscard]] bool llc_is_l2() const noexcept { return llc_is_l2_; }

private:
    /// One cache level. `tags` holds `ways` line numbers per set, most recently used first; an
    /// empty way holds `empty`, which no line number reaches unless lines are one byte wide.
    struct Level {
        static constexpr std::uint64_t empty = ~std::uint64_t{0};
        std::vector<std::uint64_t> tags;
        std::uint64_t set_mask = 0;
        std::uint32_t ways = 0;
        unsigned line_shift = 0;
        std::uint64_t accesses = 0, misses = 0;

        Level() = default;
        explicit Level(const CacheGeometry& g)
            : tags(g.sets() * g.associativity, empty), set_mask(g.sets() - 1), ways(g.associativity),
              line_shift(static_cast<unsigned>(std::countr_zero(g.line_bytes))) {}

        /// Looks up line number `line`, makes it the set's MRU line; returns true on a hit.
        bool access(std::uint64_t line) noexcept {
            ++accesses;
            std::uint64_t* set = tags.data() + (line & set_mask) * ways;
            if (set[0] == line) [[likely]]
                return true;
            return access_slow(set, line);
        }

        /// Not the MRU way: search the rest, then move the line (found or filled) to the front,
        /// shifting the more recent ones back by one; a miss drops the LRU way off the end.
        /// (Measured against a branch-free match mask with memmove or selects, and against
        /// per-way age stamps: this plain loop was as fast or faster on sequential, strided and
        /// set-thrashing streams, and within noise on random ones.)
        bool access_slow(std::uint64_t* set, std::uint64_t line) noexcept {
            std::uint32_t way = 1;
            while (way < ways && set[way] != line) ++way;
            const bool hit = way < ways;
            if (!hit) {
                ++misses;
                way = ways - 1;
            }
            for (std::uint32_t i = way; i > 0; --i) set[i] = set[i - 1];
            set[0] = line;
            return hit;
        }

        void clear() noexcept {
            std::ranges::fill(tags, empty);
            accesses = misses = 0;
        }
    };

    static const CacheGeometry& checked(const CacheGeometry& g, const char* level) {
        if (!g.valid())
            fail(ErrorKind::invalid_argument,
                 "{} geometry {} B / {} B lines / {} ways is not a power-of-two set-associative "
                 "cache",
                 level, g.size_bytes, g.line_bytes, g.associativity);
        return g;
    }

    /// An L1 miss: the line goes to L2 and, if L2 misses too and the LLC is a separate cache,
    /// to the LLC. Kept out of line so the L1 hit path stays small.
    [[gnu::noinline]] void miss_below_l1(std::uint64_t address) noexcept {
        if (!l2_.access(address >> l2_.line_shift) && !llc_is_l2_)
            llc_.access(address >> llc_.line_shift);
    }

    CacheHierarchy geometry_;
    Level l1_;
    Level l2_;
    bool llc_is_l2_;
    Level llc_;
};

} // namespace simtune
