#pragma once
// CacheModel: a set-associative LRU data-cache hierarchy L1D -> L2 -> LLC driven by the guest's
// memory accesses. It runs once per simulated access, so it is written for the hot path: shifts and
// masks (CacheGeometry::valid guarantees power-of-two lines and sets), a filter that counts an
// access to one of the two lines used last without any lookup, one flat tag array per level ordered
// most-recently-used first within each set (a linked LRU list for a fully associative level of
// many ways), a one-compare fast path for a hit on the MRU line, and no allocation after
// construction. (Per-way last-use stamps with a hint table naming each line's
// way, instead of the MRU order, were tried for issue 17: no faster on x86-64 conv2d and slower on
// cortex-a72's geometry; benchmarks/RESULTS.md, "The exact cache path's per-access cost".)
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

/// Where a run's caches start (CollectorSet::add_caches):
/// - `cold`, empty: every first touch of a line misses at every level (the default, and what the
///   shipped models are trained on);
/// - `warm`, with the kernel's buffers touched once (CacheModel::warm);
/// - `steady`, as the kernel's previous run left them: the simulator runs the kernel twice and
///   counts the second run, so its stack scratch, tables and every line it touched are where a
///   repeated run finds them, and so are the TLBs. That is the state native timing measures (it
///   calls the kernel again and again); it costs a second simulation.
enum class CacheStart {
    cold,
    warm,
    steady
};

/// What a sampled run's caches can vouch for. CacheModel::begin_epoch begins an epoch when they
/// resume after a stretch of accesses they did not see; from then on they count:
/// - Unsure misses and hits, per level. With LRU, the lines a set held before the epoch (its
///   leftovers) sit below every line touched in it, so the model knows, per set, how many of its
///   lines are the epoch's: a hit deeper than those is a hit on a leftover, which the real run,
///   having touched other lines in the gap, may have missed (unsure hit); a miss while the set
///   still holds leftovers may have been a hit of the real run (unsure miss). Once a set holds
///   only the epoch's lines, which the real run touched too, its misses are sure. (Hits on the
///   most recently used line are not examined, to keep the common hit free: a leftover there
///   counts as a hit of the epoch's, which can only make later decisions of its set look less
///   sure. Nor are hits of the fully associative TLBs kept as a linked list.)
/// - Stream decisions (does this miss continue one of its page's streams?): sure if taken from a
///   stream written in the epoch (for a stride, a stride learnt in it), and a miss that continues
///   none only if every stream of its page was. The real run's entry for a page was written by a
///   miss in the gap, so a window's first miss on each page is an unsure decision.
/// WindowEstimator turns unsure misses and hits into an interval, and the stream counters into the
/// misses times the share of streams among the sure decisions. An exact run begins no epoch and
/// counts none of this.
struct WindowCertainty {
    /// Levels, in the arrays below.
    enum Level : std::size_t {
        l1,
        l2,
        llc,
        dtlb,
        stlb,
        levels
    };
    std::array<std::uint64_t, levels> unsure_misses{}, unsure_hits{}; ///< llc: 0 if the LLC is L2
    std::uint64_t l1_sure = 0, l1_sure_streams = 0;                   ///< L1D misses' sure stream decisions
    std::uint64_t l2_sure = 0, l2_sure_streams = 0;                   ///< L2 misses'
    std::uint64_t store_sure = 0, store_sure_streams = 0;             ///< L1D store misses'
    /// Misses that continue a stream in the page of the level's previous miss (L1D, L2, L1D
    /// stores): runs that arrive at once, not interleaved with other pages' misses
    /// (sampled_windows.hpp, mean_run).
    std::uint64_t l1_bursting = 0, l2_bursting = 0, store_bursting = 0;
    friend WindowCertainty operator-(const WindowCertainty& a, const WindowCertainty& b) noexcept {
        WindowCertainty d;
        for (std::size_t i = 0; i < levels; ++i) {
            d.unsure_misses[i] = a.unsure_misses[i] - b.unsure_misses[i];
            d.unsure_hits[i] = a.unsure_hits[i] - b.unsure_hits[i];
        }
        d.l1_sure = a.l1_sure - b.l1_sure;
        d.l1_sure_streams = a.l1_sure_streams - b.l1_sure_streams;
        d.l2_sure = a.l2_sure - b.l2_sure;
        d.l2_sure_streams = a.l2_sure_streams - b.l2_sure_streams;
        d.store_sure = a.store_sure - b.store_sure;
        d.store_sure_streams = a.store_sure_streams - b.store_sure_streams;
        d.l1_bursting = a.l1_bursting - b.l1_bursting;
        d.l2_bursting = a.l2_bursting - b.l2_bursting;
        d.store_bursting = a.store_bursting - b.store_bursting;
        return d;
    }
    friend bool operator==(const WindowCertainty&, const WindowCertainty&) = default;
};

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
/// - Data TLBs (when the geometry has them) are LRU caches of 4 KiB-page translations: every access
///   looks up the pages of its first and last byte in the first-level TLB, a miss there in the
///   second level (dtlb_misses, stlb_misses). Huge pages are not modelled.
/// - Stream misses: hardware prefetchers hide misses that continue a regular stream within a page
///   (next line, previous line, or the stream's stride; up to four streams per page, as rows
///   walked together). Each miss of L1D and of L2 is checked against a small table of the pages
///   missed recently (StreamTable); one that continues one of its page's streams counts in
///   l1d_stream_misses / l2_stream_misses besides the misses.
///   Nothing is prefetched into the simulated caches: the counters only say which misses a
///   prefetcher could have hidden.
/// - Store misses: an L1D miss of a store also counts in l1d_store_misses, and, if it continues a
///   stream of its page, in l1d_store_stream_misses.
/// - Store forwarding: a load whose first 8-byte word was stored within the last
///   `forwarding_window` accesses counts in store_forwarded_loads (a direct-mapped table of recent
///   stores' words; a collision forgets the older store, so the count is a lower bound).
class CacheModel {
public:
    /// Throws Error(invalid_argument) naming a level whose geometry a model cannot simulate.
    explicit CacheModel(const CacheHierarchy& geometry)
        : geometry_(geometry), l1_(checked(geometry.l1d, "L1D")), l2_(checked(geometry.l2, "L2")),
          llc_is_l2_(geometry.l2 == geometry.llc), llc_(llc_is_l2_ ? Level{} : Level(checked(geometry.llc, "LLC"))),
          dtlb_(geometry.dtlb.size_bytes ? Level(checked(geometry.dtlb, "DTLB")) : Level{}),
          stlb_(geometry.stlb.size_bytes ? Level(checked(geometry.stlb, "STLB")) : Level{}),
          l1_streams_(l1_.line_shift), l2_streams_(l2_.line_shift) {}

    [[nodiscard]] EventKind events() const noexcept { return EventKind::memory; }

    void on_block(const DecodedBlock&) noexcept {}
    void on_memory(const MemoryAccess& access) noexcept { this->access(access.address, access.size, access.is_store); }

    /// One data access of `size` bytes at `address`. Loads and stores behave alike in the caches
    /// (write-allocate); a store's L1D misses are also counted apart (l1d_store_misses), and every
    /// access goes through the store-forwarding table first (the filter below skips only cache
    /// lookups that cannot change anything).
    [[gnu::always_inline]] void access(std::uint64_t address, std::uint32_t size, bool is_store = false) noexcept {
        step<Tracking::ask>(hot_, address, size, is_store);
    }

    /// access(), and where the data was found (the deepest level any of its lines reached, whether
    /// that miss continued a stream, and how its page translated): the dataflow walk's memory
    /// latencies (DataflowCollector). Read off the counters the access moved, so the lookups are
    /// the exact path's own and an exact run without the walk pays nothing for it.
    [[nodiscard]] MemoryServed access_served(std::uint64_t address, std::uint32_t size, bool is_store) noexcept {
        const Level& llc = llc_is_l2_ ? l2_ : llc_;
        const std::uint64_t l1 = l1_.misses, l2 = l2_.misses, l3 = llc.misses, tlb1 = dtlb_.misses, tlb2 = stlb_.misses,
                            s1 = l1_streams_.stream_misses, s2 = l2_streams_.stream_misses;
        access(address, size, is_store);
        MemoryServed served;
        if (l1_.misses == l1) served.level = 1;
        else if (l2_.misses == l2) {
            served.level = 2;
            served.stream = l1_streams_.stream_misses != s1;
        } else {
            served.level = llc_is_l2_ || llc.misses != l3 ? 4 : 3;
            served.stream = l2_streams_.stream_misses != s2;
        }
        served.tlb = dtlb_.misses == tlb1 ? 0 : stlb_.ways && stlb_.misses != tlb2 ? 2 : 1;
        return served;
    }

    /// `n` accesses in order, exactly as n calls of access(); the i-th is `at(i)`, anything with
    /// `address`, `size` and `is_store` members. For a simulator that batches its accesses: the
    /// filter and the store-forwarding counters stay in registers for the whole batch (through
    /// access() they are loaded and stored around every out-of-line lookup, since the compiler
    /// cannot tell that the lookup leaves them alone).
    template <class At>
    [[gnu::always_inline]] void access_batch(std::size_t n, At&& at) noexcept {
        Hot hot = hot_;
        if (tracking_) [[unlikely]]
            for (std::size_t i = 0; i < n; ++i) {
                const auto& a = at(i);
                step<Tracking::on>(hot, a.address, a.size, a.is_store);
            }
        else
            for (std::size_t i = 0; i < n; ++i) {
                const auto& a = at(i);
                step<Tracking::off>(hot, a.address, a.size, a.is_store);
            }
        hot_ = hot;
    }

    void contribute(Stats& stats) const noexcept {
        stats.l1d_accesses += l1_.accesses + hot_.repeats;
        stats.l1d_misses += l1_.misses;
        stats.l2_accesses += l2_.accesses;
        stats.l2_misses += l2_.misses;
        const Level& llc = llc_is_l2_ ? l2_ : llc_;
        stats.llc_accesses += llc.accesses;
        stats.llc_misses += llc.misses;
        stats.dtlb_misses += dtlb_.misses;
        stats.stlb_misses += stlb_.misses;
        stats.l1d_stream_misses += l1_streams_.stream_misses;
        stats.l2_stream_misses += l2_streams_.stream_misses;
        stats.l1d_store_misses += l1_store_misses_;
        stats.l1d_store_stream_misses += l1_store_stream_misses_;
        stats.store_forwarded_loads += hot_.forwarded;
    }

    /// Empties every cache and zeroes the counters.
    void reset() noexcept {
        l1_.clear();
        l2_.clear();
        llc_.clear();
        dtlb_.clear();
        stlb_.clear();
        l1_streams_.clear();
        l2_streams_.clear();
        zero_counters();
        last_store_page_ = ~std::uint64_t{0}; // as the stream tables' last pages (clear)
        tracking_ = false;
    }

    /// Leaves the caches and TLBs as a previous run of the kernel would, as far as its data goes:
    /// every line of `ranges` (the kernel's buffers) is touched once, in order, and then every
    /// counter, stream table and the store-forwarding table start from zero. Why: native timing
    /// calls the kernel again and again, so what it measures is a run whose buffers are already
    /// cached wherever they fit; a cold simulation charges each of their lines a compulsory miss
    /// at every level, a constant 10-30x the kernel's own cycles on the corpus (RESULTS.md,
    /// round 9, where it is measured and why it is not yet the default). Buffers larger than a
    /// level leave their last lines in it, as a streaming kernel does. Call after reset() and
    /// before the run's first access.
    void warm(std::span<const AddressRange> ranges) noexcept {
        const std::uint64_t line_bytes = std::uint64_t{1} << l1_.line_shift;
        for (const auto& r : ranges)
            for (std::uint64_t a = r.address & ~(line_bytes - 1); a < r.address + r.bytes; a += line_bytes)
                look_up<false>(a, 1, a >> l1_.line_shift, a >> l1_.line_shift, false);
        begin_repeat();
    }

    /// Keeps every cached line and TLB entry, and starts the counters, the stream tables and the
    /// store-forwarding table from zero: the next accesses are a new run of the kernel on the
    /// caches the previous one left (CacheStart::steady, and the end of warm()).
    void begin_repeat() noexcept {
        l1_streams_.clear();
        l2_streams_.clear();
        zero_counters();
    }

    /// How many accesses back a store may be for a load of its word to count as forwarded: about
    /// what a store buffer holds.
    static constexpr std::uint64_t forwarding_window = 64;

    [[nodiscard]] const CacheHierarchy& geometry() const noexcept { return geometry_; }
    /// True if L2 and LLC have the same geometry and are modelled as one cache.
    [[nodiscard]] bool llc_is_l2() const noexcept { return llc_is_l2_; }

    /// The caches resume after a stretch of accesses they did not see (a sampled run's window
    /// begins): what they hold from before now no longer vouches for the real run (WindowCertainty).
    void begin_epoch() noexcept {
        for (Level* level : {&l1_, &l2_, &llc_, &dtlb_, &stlb_}) ++level->epoch;
        for (StreamTable* t : {&l1_streams_, &l2_streams_}) ++t->epoch;
        tracking_ = true;
        // The filter's lines may be leftovers: the first access to each must reach its set.
        hot_.recent[0] = hot_.recent[1] = Level::empty;
    }
    /// Lines the L1D holds (WindowEstimator::warmup_length).
    [[nodiscard]] std::uint64_t l1d_lines() const noexcept { return l1_.tags.size(); }
    /// The unsure misses and sure stream decisions so far (WindowCertainty); reset() and warm()
    /// zero them.
    [[nodiscard]] WindowCertainty certainty() const noexcept {
        WindowCertainty c;
        const Level* levels[] = {&l1_, &l2_, llc_is_l2_ ? nullptr : &llc_, &dtlb_, &stlb_};
        for (std::size_t i = 0; i < WindowCertainty::levels; ++i)
            if (levels[i] != nullptr) {
                c.unsure_misses[i] = levels[i]->unsure_misses;
                c.unsure_hits[i] = levels[i]->unsure_hits;
            }
        c.l1_sure = l1_streams_.sure;
        c.l1_sure_streams = l1_streams_.sure_streams;
        c.l2_sure = l2_streams_.sure;
        c.l2_sure_streams = l2_streams_.sure_streams;
        c.store_sure = store_sure_;
        c.store_sure_streams = store_sure_streams_;
        c.l1_bursting = l1_streams_.bursting;
        c.l2_bursting = l2_streams_.bursting;
        c.store_bursting = store_bursting_;
        return c;
    }

private:
    /// What every access reads and writes besides the cache and TLB arrays: the filter's two lines,
    /// the accesses it counted (L1 hits, in l1d_accesses), and the store-forwarding table's clock
    /// and count. A value, so access_batch can keep it in registers.
    struct Hot {
        std::uint64_t recent[2] = {~std::uint64_t{0}, ~std::uint64_t{0}}; ///< L1 lines, most recent first
        std::uint64_t repeats = 0;
        std::uint64_t now = 0, forwarded = 0; ///< accesses so far; loads forwarded
    };

    /// Whether a lookup keeps WindowCertainty (look_up's Track): known for a whole batch, or asked
    /// (tracking_) only when the filter does not answer, so that a single access() costs no more.
    enum class Tracking {
        off,
        on,
        ask
    };

    /// One access (access(), access_batch()).
    template <Tracking T>
    [[gnu::always_inline]] void step(Hot& h, std::uint64_t address, std::uint32_t size, bool is_store) noexcept {
        // Store forwarding: a load of a word a store wrote at most forwarding_window accesses ago.
        ++h.now;
        const std::uint64_t word = address >> 3;
        StoredWord& stored = forwarding_[(word ^ (word >> 8)) & (forwarding_entries - 1)];
        if (is_store) stored = {word, h.now};
        else if (stored.word == word && h.now - stored.when <= forwarding_window) ++h.forwarded;

        const unsigned shift = l1_.line_shift;
        const std::uint64_t line = address >> shift;
        const std::uint64_t last = (address + (size ? size - 1 : 0)) >> shift;
        // A filter in front of the lookups, for the two lines used last (kernels interleave a few
        // streams: a load from one array, then from another). The line of the last access is its
        // set's most recently used line in L1 and its page the most recently used one in its
        // first-level TLB set. The line before it was so too when it was used, and since then only
        // the last line was used: so it is still its L1 set's MRU line, or, in the last line's
        // set, the second; likewise its page in the first-level TLB. An access within one of the
        // two lines hits L1 and the TLB; it changes no replacement order except by swapping the
        // first two entries of a set the two lines (or their pages) share, so it is only counted
        // and, if need be, swapped. (Needs ways >= 2 where a swap is needed: with one way the
        // line before was evicted.) Spanning accesses leave the filter empty.
        if (line == last) [[likely]] {
            if (line == h.recent[0]) {
                ++h.repeats;
                return;
            }
            if (line == h.recent[1]) {
                const std::uint64_t other = h.recent[0];
                const bool l1_swap = ((line ^ other) & l1_.set_mask) == 0;
                const std::uint64_t page = line >> page_lines_shift_, other_page = other >> page_lines_shift_;
                const bool tlb_swap = page != other_page && ((page ^ other_page) & tlb_set_mask_) == 0;
                if ((!l1_swap || l1_.ways > 1) && (!tlb_swap || dtlb_.ways > 1)) [[likely]] {
                    if (l1_swap) [[unlikely]]
                        l1_.swap_first(line, other);
                    if (tlb_swap) dtlb_.swap_first(page, other_page);
                    ++h.repeats;
                    h.recent[1] = other;
                    h.recent[0] = line;
                    return;
                }
            }
            if (filter_ok_) {
                h.recent[1] = h.recent[0];
                h.recent[0] = line;
            }
        } else {
            h.recent[0] = h.recent[1] = Level::empty;
        }
        if constexpr (T == Tracking::ask) {
            if (tracking_) [[unlikely]]
                look_up<true>(address, size, line, last, is_store);
            else look_up<false>(address, size, line, last, is_store);
        } else look_up<T == Tracking::on>(address, size, line, last, is_store);
    }

    /// The accesses the filter does not answer: the TLBs, then each L1 line (and below on a miss).
    /// Out of line, so the filter stays small enough to inline into a simulator's access loop.
    /// `Track`: an epoch has begun (a sampled run), so the certainty bookkeeping runs too; an exact
    /// run's lookups are compiled without it (as a runtime branch in the search loop and the stream
    /// table it made bench_cache_model's exact streams 3-18 % slower: RESULTS.md, stop 31).
    template <bool Track>
    [[gnu::noinline]] void look_up(std::uint64_t address, std::uint32_t size, std::uint64_t line, std::uint64_t last,
                                   bool is_store) noexcept {
        const unsigned shift = l1_.line_shift;
        if (dtlb_.ways) [[likely]]
            translate<Track>(address, size);
        for (;;) {
            if (!l1_.access<Track>(line)) [[unlikely]]
                miss_below_l1<Track>(line << shift, is_store);
            if (line == last) [[likely]]
                break;
            ++line;
        }
    }

    /// One cache level. `tags` holds `ways` line numbers per set, most recently used first; an
    /// empty way holds `empty`, which no line number reaches unless lines are one byte wide.
    struct Level {
        static constexpr std::uint64_t empty = ~std::uint64_t{0};
        std::vector<std::uint64_t> tags;
        std::uint64_t set_mask = 0;
        std::uint32_t ways = 0;
        unsigned line_shift = 0;
        std::uint64_t accesses = 0, misses = 0;
        /// A single set of more than a few ways (the fully associative TLBs of cortex-a72 and
        /// sifive-u74: 32 and 40 entries) keeps its LRU order as a doubly linked list over the
        /// ways instead, and finds a line's way through a small table of hints, so a hit at any
        /// depth and a miss cost the same few loads and stores. (In MRU order, every TLB lookup
        /// of conv2d on those targets hit about ten entries deep: a search and a shift of ten.)
        bool linked = false;
        std::vector<std::uint32_t> prev, next; ///< linked: the LRU list, head the MRU way
        std::uint32_t head = 0, tail = 0;
        static constexpr std::size_t hint_buckets = 1024; // a power of two
        /// linked: per bucket of line numbers (their low bits), the way last filled or found, and
        /// how many lines held now fall in the bucket (0: a line of it misses, no search needed).
        std::vector<std::uint32_t> hint_way, hint_count;
        // (After the lookup's own fields, so an exact run's hot data keeps its layout.)
        /// Per set, the epoch it was last looked at in (high 32 bits) and how many of its lines
        /// were touched in that epoch (low 32, at most `ways`): WindowCertainty.
        std::vector<std::uint64_t> epoch_lines;
        std::uint32_t epoch = 0;
        std::uint64_t unsure_misses = 0, unsure_hits = 0;

        Level() = default;
        explicit Level(const CacheGeometry& g)
            : tags(g.sets() * g.associativity, empty), set_mask(g.sets() - 1), ways(g.associativity),
              line_shift(static_cast<unsigned>(std::countr_zero(g.line_bytes))), linked(set_mask == 0 && ways > 4),
              epoch_lines(g.sets(), 0) {
            if (linked) {
                prev.resize(ways);
                next.resize(ways);
                hint_way.resize(hint_buckets);
                hint_count.resize(hint_buckets);
                clear();
            }
        }

        /// Looks up line number `line`, makes it the set's MRU line; returns true on a hit.
        /// `Track`: count unsure misses and hits (WindowCertainty).
        template <bool Track>
        bool access(std::uint64_t line) noexcept {
            ++accesses;
            if (linked) [[unlikely]]
                return access_linked<Track>(line);
            std::uint64_t* set = tags.data() + (line & set_mask) * ways;
            if (set[0] == line) [[likely]]
                return true;
            return access_slow<Track>(set, line);
        }

        /// Not the MRU way: search the rest, then move the line (found or filled) to the front,
        /// shifting the more recent ones back by one; a miss drops the LRU way off the end.
        /// (Measured against a branch-free match mask with memmove or selects, and against
        /// per-way age stamps: this plain loop was as fast or faster on sequential, strided and
        /// set-thrashing streams, and within noise on random ones.)
        template <bool Track>
        bool access_slow(std::uint64_t* set, std::uint64_t line) noexcept {
            std::uint32_t way = 1;
            while (way < ways && set[way] != line) ++way;
            const bool hit = way < ways;
            if constexpr (Track) note(set, way, hit);
            if (!hit) {
                ++misses;
                way = ways - 1;
            }
            for (std::uint32_t i = way; i > 0; --i) set[i] = set[i - 1];
            set[0] = line;
            return hit;
        }

        /// access() of a linked level: the hinted way, else (if the bucket holds a line at all) a
        /// search; a miss fills the LRU way. Either way the line's way moves to the list's head.
        template <bool Track>
        [[gnu::noinline]] bool access_linked(std::uint64_t line) noexcept {
            if (tags[head] == line) return true;
            const std::size_t bucket = line & (hint_buckets - 1);
            std::uint32_t way = hint_way[bucket];
            bool hit = true;
            if (tags[way] != line) {
                way = ways;
                if (hint_count[bucket] != 0)
                    for (std::uint32_t w = 0; w < ways; ++w)
                        if (tags[w] == line) {
                            way = w;
                            break;
                        }
                if (way == ways) {
                    hit = false;
                    ++misses;
                    if constexpr (Track) note(tags.data(), ways, false);
                    way = tail;
                    if (tags[way] != empty) --hint_count[tags[way] & (hint_buckets - 1)];
                    tags[way] = line;
                    ++hint_count[bucket];
                }
                hint_way[bucket] = way;
            }
            to_head(way);
            return hit;
        }

        /// An access found its line at depth `way` of the set at `set` (hit) or missed: counts it unsure
        /// if it involves a leftover of the set (WindowCertainty), and notes the line as touched.
        void note(const std::uint64_t* set, std::uint32_t way, bool hit) noexcept {
            std::uint64_t& f = epoch_lines[static_cast<std::size_t>(set - tags.data()) / ways];
            if (f >> 32 != epoch) f = std::uint64_t{epoch} << 32;
            const auto touched = static_cast<std::uint32_t>(f);
            if (hit ? way < touched : touched >= ways) return; // a line of the epoch's; or a sure miss
            ++(hit ? unsure_hits : unsure_misses);
            ++f;
        }

        /// linked: makes `way` the MRU way.
        void to_head(std::uint32_t way) noexcept {
            if (way == head) return;
            const std::uint32_t before = prev[way], after = next[way];
            next[before] = after;
            if (way == tail) tail = before;
            else prev[after] = before;
            next[way] = head;
            prev[head] = way;
            head = way;
        }

        /// A hit on `line`, the second line of its set, whose first line is `first`: the two swap.
        /// (Not counted here: the filter counts its hits.)
        void swap_first(std::uint64_t line, std::uint64_t first) noexcept {
            if (linked) {
                to_head(next[head]);
                return;
            }
            std::uint64_t* set = tags.data() + (line & set_mask) * ways;
            set[0] = line;
            set[1] = first;
        }

        void clear() noexcept {
            std::ranges::fill(tags, empty);
            std::ranges::fill(epoch_lines, 0);
            epoch = 0;
            accesses = misses = unsure_misses = unsure_hits = 0;
            if (linked) {
                for (std::uint32_t w = 0; w < ways; ++w) {
                    prev[w] = w == 0 ? 0 : w - 1;
                    next[w] = w + 1 == ways ? 0 : w + 1;
                }
                head = 0;
                tail = ways - 1;
                std::ranges::fill(hint_way, 0);
                std::ranges::fill(hint_count, 0);
            }
        }
    };

    /// The pages recently missed in one cache level, each with up to `heads` streams (a stream's
    /// last missed line and stride): what stream prefetchers track. Several per page because a
    /// kernel often walks several rows of a page at once (an unroll-and-jam of two rows of 2 KiB
    /// misses lines L, L+32, L+1, L+33, ...), and the cores' prefetchers follow each of them (an L1
    /// prefetcher per load instruction, an L2 streamer with dozens of streams); one stream per page
    /// called every one of those misses irregular. Direct-mapped by page number; touched on misses
    /// only, so it costs nothing on hits.
    struct StreamTable {
        static constexpr std::size_t entries = 64;
        static constexpr unsigned page_shift = 12;
        static constexpr std::size_t heads = 4;
        struct Head {
            std::int64_t last_line = 0;
            std::int64_t stride = 0;
            std::uint32_t epoch = 0; ///< when it was last written (begin_epoch)
            bool stride_sure = true; ///< the stride is the real run's (not a step from a stale line)
        };
        struct Entry {
            std::uint64_t page = ~std::uint64_t{0};
            std::uint32_t epoch = 0; ///< when the slot was last written (begin_epoch)
            std::uint32_t used = 0;  ///< heads in use, most recently used first
            std::array<Head, heads> head{};
        };
        std::vector<Entry> table = std::vector<Entry>(entries);
        unsigned lines_per_page_shift = 0;
        std::uint64_t stream_misses = 0;
        std::uint32_t epoch = 0;
        std::uint64_t sure = 0, sure_streams = 0;    ///< WindowCertainty: tracked decisions only
        std::uint64_t bursting = 0;                  ///< WindowCertainty: tracked misses only
        std::uint64_t last_page = ~std::uint64_t{0}; ///< the page of the previous tracked miss

        StreamTable() = default;
        explicit StreamTable(unsigned line_shift)
            : lines_per_page_shift(line_shift < page_shift ? page_shift - line_shift : 0) {}

        /// What on_miss decided, and whether the real run decides the same (WindowCertainty): the
        /// stream it continued was written in the current epoch and, where the stride decides, so
        /// was its stride; a miss that continues none is sure if every stream of its page is.
        struct Decision {
            bool stream, sure;
        };
        /// A miss of line number `line`: counts it if it continues one of its page's streams (the
        /// next or previous line of a stream's last, else that line plus the stream's stride; of
        /// several, the most recently used); a miss that continues none begins a stream, its stride
        /// the step from the page's most recent miss, in place of a stream whose last line it is
        /// (the walk begins again there), else of the least recently used one. `Track`: an epoch
        /// has begun, decide whether the decision is sure; else it is not looked at.
        template <bool Track>
        Decision on_miss(std::uint64_t line) noexcept {
            const std::uint64_t page = line >> lines_per_page_shift;
            Entry& e = table[(page ^ (page >> 6)) % entries];
            const auto l = static_cast<std::int64_t>(line);
            const bool same_page = page == last_page;
            if constexpr (Track) last_page = page;
            if (e.page != page) {
                // In the real run the slot may have held this page (written in the gap): unsure.
                const bool current = e.epoch == epoch;
                e.page = page;
                e.epoch = epoch;
                e.used = 1;
                e.head[0] = Head{l, 0, epoch, current};
                if constexpr (Track) sure += current;
                return {false, Track && current};
            }
            // The next or previous line of a stream first, then a stride: rows walked together
            // each keep their own stream rather than one stride across them.
            std::size_t match = e.used, again = e.used;
            for (std::size_t i = 0; i < e.used; ++i) {
                const std::int64_t step = l - e.head[i].last_line;
                if (step == 0 && i == 0) {
                    // The page's last missed line again (evicted and missed again at once): no
                    // stream, nothing learnt.
                    const bool is_sure = Track && e.head[0].epoch == epoch;
                    if constexpr (Track) sure += is_sure;
                    return {false, is_sure};
                }
                // An older stream's last line: the walk begins again there (the most recent such).
                if (step == 0) again = std::min(again, i);
                else if (match == e.used && (step == 1 || step == -1)) match = i;
            }
            for (std::size_t i = 0; i < e.used && match == e.used; ++i) {
                const std::int64_t step = l - e.head[i].last_line;
                if (step != 0 && step == e.head[i].stride) match = i;
            }
            if (match != e.used) {
                Head h = e.head[match];
                const std::int64_t step = l - h.last_line;
                const bool current = h.epoch == epoch;
                const bool is_sure = Track && current && (step == 1 || step == -1 || h.stride_sure);
                ++stream_misses;
                if constexpr (Track) {
                    sure += is_sure;
                    sure_streams += is_sure;
                    bursting += same_page;
                }
                // A step from a stale line is not the real run's stride.
                put_first(e, match, Head{l, step, epoch, current});
                return {true, is_sure};
            }
            bool is_sure = Track;
            if constexpr (Track)
                for (std::size_t i = 0; i < e.used; ++i)
                    is_sure = is_sure && e.head[i].epoch == epoch && e.head[i].stride_sure;
            if constexpr (Track) sure += is_sure;
            const Head recent = e.head[0];
            // In place of the stream that begins again here (one stream, not two), else of none
            // while a slot is free, else of the least recently used (the last).
            const std::size_t slot = again != e.used ? again : e.used < heads ? e.used++ : heads - 1;
            put_first(e, slot, Head{l, l - recent.last_line, epoch, recent.epoch == epoch});
            return {false, is_sure};
        }
        /// Writes `head` in place of slot `slot` and moves it to the front (most recently used).
        void put_first(Entry& e, std::size_t slot, const Head& head) noexcept {
            std::rotate(e.head.begin(), e.head.begin() + static_cast<std::ptrdiff_t>(slot),
                        e.head.begin() + static_cast<std::ptrdiff_t>(slot) + 1);
            e.head[0] = head;
            e.epoch = epoch;
        }
        void clear() noexcept {
            std::ranges::fill(table, Entry{});
            stream_misses = sure = sure_streams = bursting = 0;
            last_page = ~std::uint64_t{0};
            epoch = 0;
        }
    };

    /// The words of recent stores, by access sequence number (store_forwarded_loads): a
    /// direct-mapped table, one entry (the word and when it was stored) per slot, held in the
    /// model itself so the per-access lookup needs no pointer.
    struct StoredWord {
        std::uint64_t word = ~std::uint64_t{0};
        std::uint64_t when = 0;
    };
    static constexpr std::size_t forwarding_entries = 256; // a power of two

    /// The TLB lookups of one access: its first byte's page and, if it crosses into the next page,
    /// that one too.
    template <bool Track>
    void translate(std::uint64_t address, std::uint32_t size) noexcept {
        const unsigned shift = dtlb_.line_shift;
        const std::uint64_t first = address >> shift, last = (address + (size ? size - 1 : 0)) >> shift;
        for (std::uint64_t page = first;; ++page) {
            if (!dtlb_.access<Track>(page) && stlb_.ways) [[unlikely]]
                (void)stlb_.template access<Track>(page);
            if (page == last) [[likely]]
                break;
        }
    }

    /// Zeroes every counter and forgets the filter, the stream tables' counts and recent stores;
    /// the cached lines stay.
    void zero_counters() noexcept {
        hot_ = Hot{};
        for (Level* level : {&l1_, &l2_, &llc_, &dtlb_, &stlb_}) {
            level->accesses = level->misses = level->unsure_misses = level->unsure_hits = 0;
        }
        for (StreamTable* t : {&l1_streams_, &l2_streams_})
            t->stream_misses = t->sure = t->sure_streams = t->bursting = 0;
        l1_store_misses_ = l1_store_stream_misses_ = store_sure_ = store_sure_streams_ = store_bursting_ = 0;
        forwarding_.fill(StoredWord{});
    }

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
    template <bool Track>
    [[gnu::noinline]] void miss_below_l1(std::uint64_t address, bool is_store) noexcept {
        const auto decision = l1_streams_.on_miss<Track>(address >> l1_.line_shift);
        if (is_store) {
            ++l1_store_misses_;
            l1_store_stream_misses_ += decision.stream;
            if constexpr (Track) {
                store_sure_ += decision.sure;
                store_sure_streams_ += decision.stream && decision.sure;
                const std::uint64_t page = (address >> l1_.line_shift) >> l1_streams_.lines_per_page_shift;
                store_bursting_ += decision.stream && page == last_store_page_;
                last_store_page_ = page;
            }
        }
        const std::uint64_t l2_line = address >> l2_.line_shift;
        if (l2_.access<Track>(l2_line)) return;
        l2_streams_.on_miss<Track>(l2_line);
        if (!llc_is_l2_) llc_.access<Track>(address >> llc_.line_shift);
    }

    CacheHierarchy geometry_;
    Level l1_;
    Level l2_;
    bool llc_is_l2_;
    Level llc_;
    Level dtlb_, stlb_; ///< ways == 0: not modelled
    StreamTable l1_streams_, l2_streams_;
    std::uint64_t l1_store_misses_ = 0, l1_store_stream_misses_ = 0;
    std::uint64_t store_sure_ = 0, store_sure_streams_ = 0; ///< WindowCertainty
    std::uint64_t store_bursting_ = 0;                      ///< WindowCertainty
    std::uint64_t last_store_page_ = ~std::uint64_t{0};     ///< the page of the previous tracked store miss
    std::array<StoredWord, forwarding_entries> forwarding_{};
    Hot hot_;
    bool tracking_ = false; ///< an epoch has begun (begin_epoch): lookups keep WindowCertainty
    /// The filter (step()) needs a TLB page at least as large as an L1 line; without TLBs every
    /// line counts as its own page in its own set (no TLB swap is ever needed).
    bool filter_ok_ = !dtlb_.ways || dtlb_.line_shift >= l1_.line_shift;
    unsigned page_lines_shift_ = dtlb_.ways && filter_ok_ ? dtlb_.line_shift - l1_.line_shift : 0;
    std::uint64_t tlb_set_mask_ = dtlb_.ways ? dtlb_.set_mask : ~std::uint64_t{0};
};

} // namespace simtune
