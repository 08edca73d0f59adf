// CacheModel against miss counts worked out by hand for strided access patterns.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "simtune/collectors/cache.hpp"
#include "simtune/collectors/sampled_windows.hpp"
#include "simtune/error.hpp"
#include "simtune/target.hpp"
#include "support.hpp"

using namespace simtune;

namespace {

// L1D 32 KiB, 64 B lines, 8 ways -> 64 sets, 4 KiB per way.
// L2 256 KiB, 64 B lines, 8 ways -> 512 sets, 32 KiB per way.
// LLC 2 MiB, 64 B lines, 16 ways -> 2048 sets.
const CacheHierarchy small{{32 * 1024, 64, 8}, {256 * 1024, 64, 8}, {2 * 1024 * 1024, 64, 16}};
constexpr std::uint64_t base = 0x10000000; // line-, set- and way-aligned at every level

Stats stats_of(const CacheModel& m) {
    Stats s;
    m.contribute(s);
    return s;
}

void read_sequential(CacheModel& m, std::uint64_t bytes, std::uint32_t width, std::uint64_t start = base) {
    for (std::uint64_t off = 0; off < bytes; off += width) m.on_memory({start + off, width, false});
}

} // namespace

TEST_CASE("sequential reads miss once per line") {
    CacheModel m(small);
    read_sequential(m, 16 * 1024, 4); // 4096 accesses over 256 lines
    const Stats s = stats_of(m);
    CHECK(s.l1d_accesses == 4096);
    CHECK(s.l1d_misses == 256);
    CHECK(s.l2_accesses == 256);
    CHECK(s.l2_misses == 256);
    CHECK(s.llc_accesses == 256);
    CHECK(s.llc_misses == 256);
}

TEST_CASE("a stride of one line misses on every access when cold") {
    CacheModel m(small);
    for (std::uint64_t i = 0; i < 300; ++i) m.on_memory({base + i * 64, 8, false});
    const Stats s = stats_of(m);
    CHECK(s.l1d_accesses == 300);
    CHECK(s.l1d_misses == 300);
}

TEST_CASE("a set-aliasing stride with more lines than ways thrashes L1 but not L2") {
    // Stride 4 KiB: every line maps to L1 set 0. Nine lines cycle through an 8-way set, so LRU
    // evicts each line just before it is needed again: every access misses. In L2 (32 KiB per way)
    // the nine lines fall into nine different sets and stay.
    CacheModel m(small);
    constexpr int rounds = 10, lines = 9;
    for (int r = 0; r < rounds; ++r)
        for (int i = 0; i < lines; ++i) m.on_memory({base + std::uint64_t(i) * 4096, 4, false});
    Stats s = stats_of(m);
    CHECK(s.l1d_accesses == rounds * lines);
    CHECK(s.l1d_misses == rounds * lines);
    CHECK(s.l2_accesses == rounds * lines);
    CHECK(s.l2_misses == lines);
    CHECK(s.llc_accesses == lines);

    // The same with exactly eight lines (= ways): only the cold misses.
    m.reset();
    for (int r = 0; r < rounds; ++r)
        for (int i = 0; i < 8; ++i) m.on_memory({base + std::uint64_t(i) * 4096, 4, false});
    s = stats_of(m);
    CHECK(s.l1d_accesses == rounds * 8);
    CHECK(s.l1d_misses == 8);
}

TEST_CASE("an array that fits L1 hits on every access of the second pass") {
    CacheModel m(small);
    read_sequential(m, 16 * 1024, 8);
    const Stats first = stats_of(m);
    read_sequential(m, 16 * 1024, 8);
    const Stats both = stats_of(m);
    CHECK(first.l1d_misses == 256);
    CHECK(both.l1d_accesses == 2 * first.l1d_accesses);
    CHECK(both.l1d_misses == first.l1d_misses);
    CHECK(both.l2_accesses == first.l2_accesses);
}

TEST_CASE("an array that fits L2 but not L1 misses L1 on both passes and L2 on the first only") {
    // 128 KiB = 2048 lines, 32 lines per L1 set against 8 ways: a sequential sweep under LRU evicts
    // every line before its reuse, so both passes miss L1 on each line. L2 holds it all.
    CacheModel m(small);
    read_sequential(m, 128 * 1024, 64);
    read_sequential(m, 128 * 1024, 64);
    const Stats s = stats_of(m);
    CHECK(s.l1d_accesses == 4096);
    CHECK(s.l1d_misses == 4096);
    CHECK(s.l2_accesses == 4096);
    CHECK(s.l2_misses == 2048);
    CHECK(s.llc_accesses == 2048);
    CHECK(s.llc_misses == 2048);
}

TEST_CASE("LRU replacement with ways + 1 conflicting lines evicts the least recently used") {
    // A 4-way L1 of 4 sets (1 KiB); lines 256 B apart share set 0. Addresses A..E.
    const CacheHierarchy tiny{{1024, 64, 4}, {64 * 1024, 64, 8}, {1024 * 1024, 64, 16}};
    CacheModel m(tiny);
    const auto at = [](int i) { return base + std::uint64_t(i) * 256; };
    const int A = 0, B = 1, C = 2, D = 3, E = 4;
    std::uint64_t expected_misses = 0, accesses = 0;
    const auto touch = [&](int line, bool expect_miss) {
        const std::uint64_t before = stats_of(m).l1d_misses;
        m.on_memory({at(line), 4, false});
        ++accesses;
        expected_misses += expect_miss;
        CHECK_MESSAGE(stats_of(m).l1d_misses - before == std::uint64_t(expect_miss), "line ", char('A' + line));
    };
    for (int l : {A, B, C, D}) touch(l, true);  // MRU..LRU: D C B A
    touch(A, false);                            // A D C B
    touch(E, true);                             // E A D C (B evicted)
    for (int l : {A, C, D, E}) touch(l, false); // E D C A
    touch(B, true);                             // B E D C (A evicted)
    touch(A, true);                             // A B E D (C evicted)
    touch(D, false);
    touch(C, true);
    const Stats s = stats_of(m);
    CHECK(s.l1d_accesses == accesses);
    CHECK(s.l1d_misses == expected_misses);
    CHECK(expected_misses == 8);
}

TEST_CASE("an access that spans two lines touches both") {
    CacheModel m(small);
    m.on_memory({base + 60, 8, false}); // bytes 60..67: lines 0 and 1
    Stats s = stats_of(m);
    CHECK(s.l1d_accesses == 2);
    CHECK(s.l1d_misses == 2);
    m.on_memory({base + 64, 4, false}); // line 1: now cached
    m.on_memory({base + 0, 4, false});  // line 0: cached too
    m.on_memory({base + 56, 8, false}); // ends exactly at the line boundary: one line
    s = stats_of(m);
    CHECK(s.l1d_accesses == 5);
    CHECK(s.l1d_misses == 2);
}

TEST_CASE("stores allocate like loads") {
    CacheModel m(small);
    m.on_memory({base, 8, true});
    m.on_memory({base + 8, 8, false});
    const Stats s = stats_of(m);
    CHECK(s.l1d_accesses == 2);
    CHECK(s.l1d_misses == 1);
}

TEST_CASE("an L2 that is also the last level is simulated once and reported as both") {
    const Target a72 = cortex_a72();
    CacheModel m(a72.caches);
    CHECK(m.llc_is_l2());
    // 2 MiB read twice with line stride: exceeds the 1 MiB L2, so every access misses everywhere.
    read_sequential(m, 2 * 1024 * 1024, 64);
    read_sequential(m, 2 * 1024 * 1024, 64);
    const Stats s = stats_of(m);
    CHECK(s.l2_accesses == 65536);
    CHECK(s.l2_misses == 65536);
    CHECK(s.llc_accesses == s.l2_accesses);
    CHECK(s.llc_misses == s.l2_misses);

    CHECK_FALSE(CacheModel(small).llc_is_l2());
}

TEST_CASE("reset empties the caches and the counters") {
    CacheModel m(small);
    read_sequential(m, 4096, 64);
    m.reset();
    CHECK(stats_of(m) == Stats{});
    read_sequential(m, 4096, 64);
    CHECK(stats_of(m).l1d_misses == 64); // cold again
}

TEST_CASE("a geometry the model cannot simulate is rejected with the level named") {
    CacheHierarchy bad = small;
    bad.l2 = {3 * 64 * 8 * 1000, 64, 8}; // 3000 sets: not a power of two
    CHECK_THROWS_WITH_AS(CacheModel{bad}, doctest::Contains("L2 geometry"), Error);
    bad = small;
    bad.l1d.associativity = 0;
    CHECK_THROWS_WITH_AS(CacheModel{bad}, doctest::Contains("L1D"), Error);
}

TEST_CASE("data TLBs miss once per new page, and a page walk only past the second level") {
    CacheHierarchy geometry = small;
    geometry.dtlb = {4 * 4096, 4096, 4};  // 4 entries, fully associative
    geometry.stlb = {16 * 4096, 4096, 4}; // 16 entries, 4 sets
    CacheModel m(geometry);
    // A page-sized stride over 8 pages, twice: the first round misses both TLBs on every page; in
    // the second, 8 pages do not fit the 4-entry first level (LRU: every access misses) but all
    // fit the second level.
    for (int round = 0; round < 2; ++round)
        for (std::uint64_t p = 0; p < 8; ++p) m.on_memory({base + p * 4096, 4, false});
    Stats s = stats_of(m);
    CHECK(s.dtlb_misses == 16);
    CHECK(s.stlb_misses == 8);
    // Sequential reads within one page: one lookup that can miss, then hits.
    m.reset();
    read_sequential(m, 4096, 8);
    s = stats_of(m);
    CHECK(s.dtlb_misses == 1);
    CHECK(s.stlb_misses == 1);
    // An access that crosses a page boundary looks up both pages.
    m.reset();
    m.on_memory({base + 4096 - 4, 8, false});
    CHECK(stats_of(m).dtlb_misses == 2);
    // Without TLB geometry nothing is counted.
    CacheModel no_tlb(small);
    for (std::uint64_t p = 0; p < 8; ++p) no_tlb.on_memory({base + p * 4096, 4, false});
    CHECK(stats_of(no_tlb).dtlb_misses == 0);
}

TEST_CASE("misses that continue a stream in their page are counted as stream misses") {
    // Sequential lines: every miss after the first in each page continues the page's stream.
    CacheModel m(small);
    read_sequential(m, 8 * 4096, 64); // 8 pages of 64 lines, cold: 512 L1 misses
    Stats s = stats_of(m);
    CHECK(s.l1d_misses == 512);
    CHECK(s.l1d_stream_misses == 512 - 8);
    CHECK(s.l2_stream_misses == 512 - 8);
    // A constant stride of 3 lines within a page: the first miss opens the page, the second sets
    // the stride, the rest repeat it.
    m.reset();
    for (std::uint64_t i = 0; i < 20; ++i) m.on_memory({base + i * 3 * 64, 4, false});
    s = stats_of(m);
    CHECK(s.l1d_misses == 20);
    CHECK(s.l1d_stream_misses == 18);
    // One line per page (a 4 KiB stride, as a column walk of a row-major matrix): no stream.
    m.reset();
    for (std::uint64_t i = 0; i < 32; ++i) m.on_memory({base + i * 4096, 4, false});
    s = stats_of(m);
    CHECK(s.l1d_misses == 32);
    CHECK(s.l1d_stream_misses == 0);
    // Rows walked together (an unroll-and-jam), two rows of 2 KiB in one page: lines 0, 32, 1, 33,
    // ... Each row is its own stream: every miss after each row's first continues it.
    m.reset();
    for (std::uint64_t c = 0; c < 16; ++c)
        for (std::uint64_t row : {0, 32}) m.on_memory({base + (row + c) * 64, 4, false});
    s = stats_of(m);
    CHECK(s.l1d_misses == 32);
    CHECK(s.l1d_stream_misses == 30);
    // Four rows of 1 KiB: every miss but four continues a stream (the page's first, and row 1's
    // first three: its lines first look like a stride of 16 lines across the rows).
    m.reset();
    for (std::uint64_t c = 0; c < 8; ++c)
        for (std::uint64_t row : {0, 16, 32, 48}) m.on_memory({base + (row + c) * 64, 4, false});
    s = stats_of(m);
    CHECK(s.l1d_misses == 32);
    CHECK(s.l1d_stream_misses == 28);
    // Irregular lines within a page: strides 5, 2, 7, 3 never repeat and are never +-1.
    m.reset();
    for (std::uint64_t line : {0, 5, 7, 14, 17}) m.on_memory({base + line * 64, 4, false});
    CHECK(stats_of(m).l1d_stream_misses == 0);
}

TEST_CASE("a store's L1D misses are also counted as store misses, stream or not") {
    CacheModel m(small);
    // Loads only: no store misses however many lines miss.
    read_sequential(m, 4096, 64);
    CHECK(stats_of(m).l1d_misses == 64);
    CHECK(stats_of(m).l1d_store_misses == 0);
    // Stores to one page, line after line: 64 misses, all stores, all but the first continue the
    // page's stream.
    m.reset();
    for (std::uint64_t i = 0; i < 64; ++i) m.on_memory({base + i * 64, 4, true});
    Stats s = stats_of(m);
    CHECK(s.l1d_misses == 64);
    CHECK(s.l1d_store_misses == 64);
    CHECK(s.l1d_store_stream_misses == 63);
    // A store that hits (the line is in L1D) is no miss; a store to one line per page (a column
    // of a row-major matrix) misses with no stream.
    m.on_memory({base, 4, true});
    CHECK(stats_of(m).l1d_store_misses == 64);
    m.reset();
    for (std::uint64_t i = 0; i < 16; ++i) m.on_memory({base + (i + 1) * 4096, 4, true});
    s = stats_of(m);
    CHECK(s.l1d_store_misses == 16);
    CHECK(s.l1d_store_stream_misses == 0);
    // Mixed: loads miss, then stores to the same lines hit.
    m.reset();
    read_sequential(m, 1024, 64);
    for (std::uint64_t i = 0; i < 16; ++i) m.on_memory({base + i * 64, 4, true});
    s = stats_of(m);
    CHECK(s.l1d_misses == 16);
    CHECK(s.l1d_store_misses == 0);
}

TEST_CASE("a load of a word stored a few accesses before counts as store-forwarded") {
    CacheModel m(small);
    // A running sum in memory: y[c] = y[c - 1] + x[c] loads the word stored by the previous iteration.
    const std::uint64_t x = base, y = base + 64 * 1024;
    for (std::uint64_t c = 1; c < 100; ++c) {
        m.on_memory({y + (c - 1) * 4, 4, false});
        m.on_memory({x + c * 4, 4, false});
        m.on_memory({y + c * 4, 4, true});
    }
    // Words are 8 bytes: the load of y[c-1] finds the store of y[c-1] (same word or not, the word
    // of the previous store is the same or the one before, which was stored 3 accesses earlier).
    CHECK(stats_of(m).store_forwarded_loads == 98);
    // Loads of data stored long ago (beyond the window) or never stored are not forwarded.
    m.reset();
    m.on_memory({y, 8, true});
    for (std::uint64_t i = 0; i < CacheModel::forwarding_window; ++i) m.on_memory({x + i * 8, 8, false});
    m.on_memory({y, 8, false});
    CHECK(stats_of(m).store_forwarded_loads == 0);
    m.reset();
    m.on_memory({y, 8, true});
    m.on_memory({y, 8, false});
    m.on_memory({y + 8, 8, false}); // another word
    CHECK(stats_of(m).store_forwarded_loads == 1);
}

namespace {

// A deliberately plain model of the same behaviour (each set an MRU-first list, searched and
// reordered on every access; no filter, no hints): the fast CacheModel must count exactly what
// it counts.
class ReferenceCacheModel {
public:
    explicit ReferenceCacheModel(const CacheHierarchy& g)
        : l1_(g.l1d), l2_(g.l2), llc_is_l2_(g.l2 == g.llc), llc_(g.llc), dtlb_(g.dtlb), stlb_(g.stlb),
          l1_streams_(l1_.shift), l2_streams_(l2_.shift) {}

    void access(std::uint64_t address, std::uint32_t size) {
        const std::uint64_t end = address + (size ? size - 1 : 0);
        if (dtlb_.ways)
            for (std::uint64_t page = address >> dtlb_.shift; page <= end >> dtlb_.shift; ++page)
                if (!dtlb_.access(page) && stlb_.ways) stlb_.access(page);
        for (std::uint64_t line = address >> l1_.shift; line <= end >> l1_.shift; ++line) {
            if (l1_.access(line)) continue;
            l1_streams_.on_miss(line);
            const std::uint64_t a = line << l1_.shift;
            if (l2_.access(a >> l2_.shift)) continue;
            l2_streams_.on_miss(a >> l2_.shift);
            if (!llc_is_l2_) llc_.access(a >> llc_.shift);
        }
    }

    Stats stats() const {
        Stats s;
        s.l1d_accesses = l1_.accesses;
        s.l1d_misses = l1_.misses;
        s.l2_accesses = l2_.accesses;
        s.l2_misses = l2_.misses;
        s.llc_accesses = llc_is_l2_ ? l2_.accesses : llc_.accesses;
        s.llc_misses = llc_is_l2_ ? l2_.misses : llc_.misses;
        s.dtlb_misses = dtlb_.misses;
        s.stlb_misses = stlb_.misses;
        s.l1d_stream_misses = l1_streams_.hits;
        s.l2_stream_misses = l2_streams_.hits;
        return s;
    }

private:
    struct Level {
        std::vector<std::vector<std::uint64_t>> sets;
        std::uint64_t ways = 0, shift = 0, accesses = 0, misses = 0;
        explicit Level(const CacheGeometry& g) {
            if (!g.size_bytes) return;
            sets.resize(g.sets());
            ways = g.associativity;
            shift = static_cast<std::uint64_t>(std::countr_zero(g.line_bytes));
        }
        bool access(std::uint64_t line) {
            ++accesses;
            auto& set = sets[line % sets.size()];
            const auto at = std::find(set.begin(), set.end(), line);
            const bool hit = at != set.end();
            if (hit) set.erase(at);
            else {
                ++misses;
                if (set.size() == ways) set.pop_back();
            }
            set.insert(set.begin(), line);
            return hit;
        }
    };
    // Up to four streams per page, most recently used first: a miss continues the first whose last
    // line is next to it, else the first a stride away, else begins one (its stride the step from
    // the page's last miss) in place of the first whose last line it is, else of the oldest.
    struct Streams {
        struct Head {
            std::int64_t last = 0, stride = 0;
        };
        struct Entry {
            std::uint64_t page = ~std::uint64_t{0};
            std::vector<Head> heads;
        };
        std::vector<Entry> table = std::vector<Entry>(64);
        unsigned lines_per_page_shift;
        std::uint64_t hits = 0;
        explicit Streams(std::uint64_t line_shift)
            : lines_per_page_shift(line_shift < 12 ? 12 - static_cast<unsigned>(line_shift) : 0) {}
        void on_miss(std::uint64_t line) {
            const std::uint64_t page = line >> lines_per_page_shift;
            Entry& e = table[(page ^ (page >> 6)) % 64];
            const auto l = static_cast<std::int64_t>(line);
            if (e.page != page) {
                e = Entry{page, {Head{l, 0}}};
                return;
            }
            if (l == e.heads.front().last) return;
            for (const bool by_stride : {false, true})
                for (auto it = e.heads.begin(); it != e.heads.end(); ++it) {
                    const std::int64_t step = l - it->last;
                    if (step != 0 && (by_stride ? step == it->stride : step == 1 || step == -1)) {
                        ++hits;
                        e.heads.erase(it);
                        e.heads.insert(e.heads.begin(), Head{l, step});
                        return;
                    }
                }
            const std::int64_t step = l - e.heads.front().last;
            // A stream whose last line this is begins again here (the most recent such).
            if (const auto again = std::ranges::find(e.heads, l, &Head::last); again != e.heads.end())
                e.heads.erase(again);
            if (e.heads.size() == 4) e.heads.pop_back();
            e.heads.insert(e.heads.begin(), Head{l, step});
        }
    };
    Level l1_, l2_;
    bool llc_is_l2_;
    Level llc_, dtlb_, stlb_;
    Streams l1_streams_, l2_streams_;
};

} // namespace

TEST_CASE("the fast model counts exactly what a plain MRU-list LRU model counts") {
    CacheHierarchy with_tlb = small;
    with_tlb.dtlb = {4 * 4096, 4096, 4};
    with_tlb.stlb = {64 * 4096, 4096, 4};
    for (const CacheHierarchy& geometry :
         {small, with_tlb, host_x86_64().caches, cortex_a72().caches, sifive_u74().caches}) {
        CAPTURE(geometry.l1d.size_bytes);
        CacheModel fast(geometry);
        ReferenceCacheModel reference(geometry);
        std::mt19937_64 random(7);
        auto feed = [&](std::uint64_t address, std::uint32_t size) {
            fast.on_memory({address, size, (random() & 3) == 0});
            reference.access(address, size);
        };
        // Interleaved streams with repeats (the filter), a set-thrashing stride (evictions and
        // stale hints), random accesses in working sets around the L1, L2 and TLB sizes, and
        // unaligned accesses that span lines and pages.
        for (int phase = 0; phase < 40; ++phase) {
            const std::uint64_t span = std::uint64_t{1} << (10 + phase % 14);
            const auto kind = phase % 5;
            for (int i = 0; i < 4000; ++i) {
                const std::uint32_t size = std::uint32_t{1} << (random() % 6);
                std::uint64_t address = base;
                if (kind == 0) address += (static_cast<std::uint64_t>(i) * 4) % span + ((i & 1) ? span : 0);
                else if (kind == 1) address += (static_cast<std::uint64_t>(i) * 4096 * 3) % (span * 64);
                else if (kind == 2) address += random() % span;
                else if (kind == 3) address += (random() % 64) * 64 + 60;
                else address += (static_cast<std::uint64_t>(i / 4) * 64 + 4096 - 8) % (span * 2);
                feed(address, size);
            }
        }
        // Two lines in pages of one TLB set (and at times in one L1 set) used in turn, which the
        // filter answers by swapping the sets' first two entries, then enough other lines in
        // those sets to evict one of the two: which one depends on the swaps.
        for (std::uint64_t round = 0; round < 300; ++round) {
            const std::uint64_t a = base + (round % 7) * 4096 * 97;
            const std::uint64_t b = a + 4096 * 16 * (1 + round % 3) + 64 * (round % 5);
            for (std::uint64_t i = 0; i < 2 + round % 5; ++i) {
                feed(a + 8 * i, 4);
                feed(b + 8 * i, 4);
            }
            if (round % 2) feed(a, 4);
            for (std::uint64_t p = 0; p < 1 + round % 47; ++p) feed(base + (1 << 26) + (round * 64 + p) * 4096 * 16, 4);
            feed(a + (round % 2) * 64 * (round % 5), 4);
        }
        testing::check_same_cache_counters(stats_of(fast), reference.stats());
        // After reset the model starts from empty caches again.
        fast.reset();
        ReferenceCacheModel fresh(geometry);
        for (std::uint64_t i = 0; i < 3000; ++i) {
            fast.on_memory({base + i * 40, 8, false});
            fresh.access(base + i * 40, 8);
        }
        testing::check_same_cache_counters(stats_of(fast), fresh.stats());
    }
}

TEST_CASE("a warm start caches the given ranges wherever they fit and counts nothing for it") {
    // 128 KiB: four times L1, half of L2. After warm() every counter is zero; reading the range
    // again misses L1 (it holds only the last 32 KiB, which the first reads evict before use) but
    // never L2 or the LLC, where a cold model misses each of its 2048 lines.
    constexpr std::uint64_t bytes = 128 * 1024, lines = bytes / 64;
    CacheModel cold(small), warm(small);
    const AddressRange range{base, bytes};
    warm.warm(std::span(&range, 1));
    CHECK(stats_of(warm) == Stats{});
    read_sequential(cold, bytes, 8);
    read_sequential(warm, bytes, 8);
    const Stats c = stats_of(cold), w = stats_of(warm);
    CHECK(c.l2_misses == lines);
    CHECK(c.llc_misses == lines);
    CHECK(w.l1d_accesses == c.l1d_accesses);
    CHECK(w.l1d_misses == lines);
    CHECK(w.l2_accesses == lines);
    CHECK(w.l2_misses == 0);
    CHECK(w.llc_misses == 0);

    SUBCASE("a range that fits in L1 then hits everywhere, and reset() empties the caches again") {
        CacheModel m(small);
        const AddressRange small_range{base, 16 * 1024};
        m.warm(std::span(&small_range, 1));
        read_sequential(m, 16 * 1024, 4);
        CHECK(stats_of(m).l1d_misses == 0);
        m.reset();
        read_sequential(m, 16 * 1024, 4);
        CHECK(stats_of(m).l1d_misses == 16 * 1024 / 64);
    }
    SUBCASE("a range larger than the LLC leaves its last lines, as a streaming kernel would") {
        CacheModel m(small);
        const AddressRange big{base, 4 * 1024 * 1024}; // twice the 2 MiB LLC
        m.warm(std::span(&big, 1));
        read_sequential(m, 64 * 1024, 64, base + 4 * 1024 * 1024 - 64 * 1024); // the last 64 KiB
        CHECK(stats_of(m).llc_misses == 0);
        read_sequential(m, 64 * 1024, 64); // the first 64 KiB: evicted long ago
        CHECK(stats_of(m).llc_misses == 64 * 1024 / 64);
    }
}

TEST_CASE("after an epoch begins, leftover lines make misses and deep hits unsure until the set is refilled") {
    // What a sampled run's window can vouch for (WindowCertainty): L1 set 0 of `small` holds the
    // lines base + k * 4 KiB. Before the epoch it is filled with lines 0..7 (an exact run, or one
    // before any epoch, counts nothing).
    CacheModel m(small);
    auto touch = [&](std::uint64_t k) { m.on_memory({base + k * 4096, 8, false}); };
    using L = WindowCertainty::Level;
    for (std::uint64_t k = 0; k < 8; ++k) touch(k);
    CHECK(m.certainty().unsure_misses == WindowCertainty{}.unsure_misses);
    CHECK(m.certainty().unsure_hits == WindowCertainty{}.unsure_hits);
    m.begin_epoch();
    touch(3); // a hit four deep on a leftover: the real run may have evicted it in the gap
    CHECK(m.certainty().unsure_hits[L::l1] == 1);
    touch(7); // the MRU line before: now second, and a leftover too
    touch(3); // second, but touched in the epoch: sure
    CHECK(m.certainty().unsure_hits[L::l1] == 2);
    for (std::uint64_t k = 100; k < 106; ++k) touch(k); // six new lines while leftovers remain: unsure
    CHECK(m.certainty().unsure_misses[L::l1] == 6);
    touch(0); // evicted by now (the set holds only the epoch's 8 lines): a sure miss
    touch(200);
    CHECK(m.certainty().unsure_misses[L::l1] == 6);
    CHECK(stats_of(m).l1d_misses == 8 + 6 + 2);
    // Another set, untouched in the epoch, still misses unsure.
    m.on_memory({base + 64, 8, false});
    CHECK(m.certainty().unsure_misses[L::l1] == 7);
}

TEST_CASE("a stream decision from a stream-table entry older than the epoch is unsure") {
    CacheModel m(small);
    const std::uint64_t page = base + 0x100000;
    auto miss_line = [&](std::uint64_t line) { m.on_memory({page + line * 64, 8, false}); };
    miss_line(0);
    miss_line(1); // continues the page's stream; an exact run (no epoch yet) keeps no certainty
    CHECK(stats_of(m).l1d_stream_misses == 1);
    CHECK(m.certainty() == WindowCertainty{});
    m.begin_epoch();
    miss_line(2); // decided from an entry of the exact run: unsure
    CHECK(m.certainty().l1_sure_streams == 0);
    miss_line(3); // from an entry of this epoch: sure
    CHECK(m.certainty().l1_sure_streams == 1);
    m.begin_epoch();
    const WindowCertainty before = m.certainty();
    miss_line(4); // a stream by the stale entry; the real run's entry came from the gap
    WindowCertainty d = m.certainty() - before;
    CHECK(stats_of(m).l1d_stream_misses == 4);
    CHECK(d.l1_sure == 0);
    miss_line(5); // the entry was written in this epoch: sure
    d = m.certainty() - before;
    CHECK(d.l1_sure == 1);
    CHECK(d.l1_sure_streams == 1);
    miss_line(9);  // a stride of 4 learnt from line 5: sure, and no stream
    miss_line(13); // continues the stride of 4: sure, a stream
    d = m.certainty() - before;
    CHECK(d.l1_sure == 3);
    CHECK(d.l1_sure_streams == 2);
}

TEST_CASE("sampled stream counters are the misses' estimate times the sure decisions' share of streams") {
    // A first window from the region's start, then four later windows of 1 000 instructions with
    // 40 L1D misses each, none unsure, and 20 sure decisions of which 15 are streams; their own
    // stream counts (30) are what a stale table made of them and must not be used.
    WindowEstimator estimator;
    SampleWindow first;
    first.instructions = 1'000;
    first.counts.l1d_misses = 50;
    first.counts.l1d_stream_misses = 20;
    estimator.add(first, 1'000);
    for (int i = 0; i < 4; ++i) {
        SampleWindow w;
        w.instructions = 1'000;
        w.counts.l1d_misses = 40;
        w.counts.l1d_stream_misses = 30;
        w.certainty.l1_sure = 20;
        w.certainty.l1_sure_streams = 15;
        estimator.add(w, 10'000 + 10'000 * i);
    }
    Stats stats, half;
    estimator.fill(stats, half, 101'000);
    CHECK(stats.l1d_misses == 50 + 4'000);        // 40 per 1 000 over the 100 000 after the first window
    CHECK(stats.l1d_stream_misses == 20 + 3'000); // 75 % of those
    // Every window alike: no spread, so the interval is the counting noise of the 160 windowed
    // misses (none of them in a burst: mean_run), t(3) * 4 000 * sqrt((1 - 4 %) / 160).
    CHECK(half.l1d_misses == doctest::Approx(3.182 * 4'000 * std::sqrt(0.96 / 160)).epsilon(0.001));
    // The misses' width scaled by the share, plus the share's own (80 sure decisions: the
    // binomial's, 1.96 * sqrt(0.75 * 0.25 / 80)) on the misses' upper bound.
    const double share_half = 1.96 * std::sqrt(0.75 * 0.25 / 80);
    CHECK(half.l1d_stream_misses ==
          doctest::Approx(0.75 * half.l1d_misses + (4'000 + half.l1d_misses) * share_half).epsilon(0.002));
    // Unsure misses are taken at half, the interval widened by that half.
    SampleWindow unsure;
    unsure.instructions = 1'000;
    unsure.counts.l1d_misses = 40;
    unsure.certainty.unsure_misses[WindowCertainty::l1] = 40;
    WindowEstimator all_unsure;
    all_unsure.add(first, 1'000);
    all_unsure.add(unsure, 10'000);
    all_unsure.add(unsure, 20'000);
    all_unsure.fill(stats, half, 101'000);
    CHECK(stats.l1d_misses == 50 + 2'000);
    CHECK(half.l1d_misses == doctest::Approx(2'000 + 12.706 * 4'000 * std::sqrt(0.98 / 80)).epsilon(0.001));
}

TEST_CASE("a rest no later window saw is vouched for only as far as it ran the first window's code") {
    // Blocks: instructions {in the first window, after it}, L1D lines per instruction.
    const std::vector<BlockRun> same{{600, 300, 0.5}, {400, 200, 0.1}};
    CHECK(unvouched_part(same).instructions == doctest::Approx(0));
    const std::vector<BlockRun> other{{1'000, 0, 0.5}, {0, 500, 0.25}}; // the rest: other code
    CHECK(unvouched_part(other).instructions == doctest::Approx(500));
    CHECK(unvouched_part(other).lines == doctest::Approx(125));
    // A GEMM, then its GELU: the GEMM's 500 are vouched for, the GELU's 500 are not.
    const std::vector<BlockRun> phases{{1'000, 500, 0.5}, {0, 500, 1.0}};
    CHECK(unvouched_part(phases).instructions == doctest::Approx(500));
    CHECK(unvouched_part(phases).lines == doctest::Approx(500));
    // A first window of 1 000 instructions with 10 misses, a rest of 9 000: 90 more at its rate,
    // within that rate times the rest, and the unvouched part's 2 000 line accesses on top.
    WindowEstimator estimator;
    SampleWindow first;
    first.instructions = 1'000;
    first.counts.l1d_misses = 10;
    estimator.add(first, 1'000);
    const std::size_t k = Stats::feature_index("l1d_misses");
    CHECK(estimator.estimate(k, "l1d_misses", 10'000).second == doctest::Approx(90));
    estimator.set_unvouched(Unvouched{.instructions = 1'000, .lines = 2'000});
    const auto [value, half] = estimator.estimate(k, "l1d_misses", 10'000);
    CHECK(value == doctest::Approx(100));
    CHECK(half == doctest::Approx(90 + 2'000));
    // A later window makes it a sample again: the windows' own spread.
    estimator.add(first, 6'000);
    CHECK(estimator.estimate(k, "l1d_misses", 10'000).second < 2'000);
}

TEST_CASE("a miss continuing a stream in the page of the level's previous miss is part of a burst") {
    CacheModel m(small);
    const std::uint64_t page = base + 0x200000;
    auto load = [&](std::uint64_t p, std::uint64_t line) { m.on_memory({page + p * 4096 + line * 64, 8, false}); };
    auto store = [&](std::uint64_t p, std::uint64_t line) { m.on_memory({page + p * 4096 + line * 64, 8, true}); };
    for (std::uint64_t line = 0; line < 4; ++line) load(0, line); // an exact run keeps no certainty
    CHECK(m.certainty().l1_bursting == 0);
    m.begin_epoch();
    for (std::uint64_t line = 0; line < 8; ++line) load(1, line); // a row at once: 7 continue it
    CHECK(m.certainty().l1_bursting == 7);
    CHECK(m.certainty().l2_bursting == 7);           // L2 misses on the same new lines
    for (std::uint64_t line = 0; line < 8; ++line) { // two streams interleaved: streams, no burst
        load(2, line);
        load(3, line);
    }
    CHECK(stats_of(m).l1d_stream_misses == 3 + 7 + 14);
    CHECK(m.certainty().l1_bursting == 7);
    for (std::uint64_t line = 0; line < 4; ++line) store(4, line); // store misses: 3 continue
    CHECK(m.certainty().store_bursting == 3);
    CHECK(m.certainty().l1_bursting == 10);
}

TEST_CASE("misses that come in bursts widen the counting noise by the mean burst") {
    // L2 misses arriving as whole rows of 16 lines at once (a GEMM's new row of C): each window
    // holds one row or none, and 15 of a row's 16 misses continue the burst.
    auto window = [](std::uint64_t rows, bool bursts) {
        SampleWindow w;
        w.instructions = 1'000;
        w.counts.l2_misses = 16 * rows;
        w.counts.l2_stream_misses = 15 * rows;
        w.counts.dtlb_misses = 16 * rows;
        if (bursts) w.certainty.l2_bursting = 15 * rows;
        return w;
    };
    const std::vector<SampleWindow> rows{window(1, true), window(0, true), window(1, true), window(0, true)};
    CHECK(mean_run("l2_misses", rows) == doctest::Approx(16));
    CHECK(mean_run("llc_misses", rows) == doctest::Approx(16)); // the LLC's misses are some of L2's
    CHECK(mean_run("dtlb_misses", rows) == 1);                  // no stream table
    CHECK(mean_run("l1d_misses", rows) == 1);                   // no L1D misses at all
    // Streams that are no bursts (interleaved with other pages' misses) count one by one.
    const std::vector<SampleWindow> interleaved{window(1, false), window(0, false)};
    CHECK(mean_run("l2_misses", interleaved) == 1);

    // The interval: 8 windows each holding one row leave no spread, so it is the counting noise of
    // their 128 misses in bursts of 16 (as if 8 events), four times that of 128 single misses.
    SampleWindow first = window(0, true);
    auto half_of = [&](bool bursts) {
        WindowEstimator estimator;
        estimator.add(first, 1'000);
        for (int i = 0; i < 8; ++i) estimator.add(window(1, bursts), 10'000 * (i + 1));
        Stats stats, half;
        estimator.fill(stats, half, 101'000);
        CHECK(stats.l2_misses == 16 * 100); // the same estimate either way
        return static_cast<double>(half.l2_misses);
    };
    CHECK(half_of(true) == doctest::Approx(4 * half_of(false)).epsilon(0.01));
}

TEST_CASE("a warm-up lasts as long as refilling the L1D twice takes at the miss rate so far, within its bounds") {
    WindowEstimator estimator;
    // No window yet: the minimum.
    CHECK(estimator.warmup_length(100'000, 1'000'000, 5'000'000, 50'000, 512) == 100'000);
    SampleWindow first;
    first.instructions = 150'000;
    first.counts.l1d_misses = 300; // one miss per 500 instructions
    estimator.add(first, 150'000);
    // 2 * 512 lines * 500 instructions per miss.
    CHECK(estimator.warmup_length(100'000, 1'000'000, 5'000'000, 50'000, 512) == 512'000);
    // Bounded by the limit, and by what the period leaves beside the window.
    CHECK(estimator.warmup_length(100'000, 400'000, 5'000'000, 50'000, 512) == 400'000);
    CHECK(estimator.warmup_length(100'000, 1'000'000, 300'000, 50'000, 512) == 250'000);
    // A kernel that misses often needs no more than the minimum; one that never misses gets it too.
    first.counts.l1d_misses = 150'000;
    WindowEstimator busy;
    busy.add(first, 150'000);
    CHECK(busy.warmup_length(100'000, 1'000'000, 5'000'000, 50'000, 512) == 100'000);
    first.counts.l1d_misses = 0;
    WindowEstimator idle;
    idle.add(first, 150'000);
    CHECK(idle.warmup_length(100'000, 1'000'000, 5'000'000, 50'000, 512) == 100'000);
}
