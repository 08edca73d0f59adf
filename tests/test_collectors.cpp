// InstructionMix, MemoryTraffic, BranchCounter and CollectorSet on hand-built event sequences.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "support.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/isa/classify.hpp"

using namespace simtune;

namespace {

constexpr auto& block = testing::decoded_block;

template <class C>
Stats stats_of(const C& c) {
    Stats s;
    c.contribute(s);
    return s;
}

// A counted loop as a simulator sees it:
//   entry  [0x100,0x110) falls into the loop (no branch)
//   body   [0x110,0x130) ends in a conditional branch back to 0x110
//   exit   [0x130,0x138) ends in `ret`
// Executing the body n times: n-1 taken back edges, then the fall-through into exit.
const DecodedBlock entry = block(0x100, 0x110, 3, 1, false, false);
const DecodedBlock body = block(0x110, 0x130, 4, 2, true, true);
const DecodedBlock exit_block = block(0x130, 0x138, 1, 0, true, false);

template <class C>
void run_loop(C& c, int iterations) {
    c.on_block(entry);
    for (int i = 0; i < iterations; ++i) c.on_block(body);
    c.on_block(exit_block);
}

/// A user collector: counts executed blocks into basic_blocks.
struct BlockCounter {
    std::uint64_t blocks = 0;
    EventKind events() const { return EventKind::blocks; }
    void on_block(const DecodedBlock&) { ++blocks; }
    void on_memory(const MemoryAccess&) { FAIL("a blocks-only user collector got a memory event"); }
    void contribute(Stats& s) const { s.basic_blocks += blocks; }
    void reset() { blocks = 0; }
};
static_assert(StatsCollector<BlockCounter>);

} // namespace

TEST_CASE("InstructionMix adds each executed block's histogram") {
    InstructionMix mix;
    CHECK(mix.events() == EventKind::blocks);
    run_loop(mix, 5);
    const Stats s = stats_of(mix);
    CHECK(s.counter(InsnClass::int_alu) == 3 + 5 * 4 + 1);
    CHECK(s.counter(InsnClass::load) == 1 + 5 * 2);
    CHECK(s.counter(InsnClass::branch) == 5 + 1);
    CHECK(s.counter(InsnClass::simd) == 0);
    mix.reset();
    CHECK(stats_of(mix) == Stats{});
}

TEST_CASE("InstructionMix over a block decoded by the Classifier") {
    // movups xmm0,[rax]; mulps xmm0,xmm1; movups [rbx],xmm0; ret
    const std::vector<std::uint8_t> code{0x0f, 0x10, 0x00, 0x0f, 0x59, 0xc1, 0x0f, 0x11, 0x03, 0xc3};
    const DecodedBlock b = Classifier(Isa::x86_64).decode_block(std::as_bytes(std::span(code)), 0);
    InstructionMix mix;
    mix.on_block(b);
    mix.on_block(b);
    const Stats s = stats_of(mix);
    CHECK(s.counter(InsnClass::load) == 2);
    CHECK(s.counter(InsnClass::simd) == 2);
    CHECK(s.counter(InsnClass::store) == 2);
    CHECK(s.counter(InsnClass::branch) == 2);
}

TEST_CASE("MemoryTraffic counts accesses and bytes by direction") {
    MemoryTraffic mem;
    CHECK(mem.events() == EventKind::memory);
    mem.on_memory({0x1000, 4, false});
    mem.on_memory({0x1004, 16, false});
    mem.on_memory({0x2000, 8, true});
    const Stats s = stats_of(mem);
    CHECK(s.mem_reads == 2);
    CHECK(s.mem_writes == 1);
    CHECK(s.bytes_loaded == 20);
    CHECK(s.bytes_stored == 8);
    mem.reset();
    CHECK(stats_of(mem) == Stats{});
}

TEST_CASE("BranchCounter reconstructs taken branches from the block sequence") {
    SUBCASE("a loop of n iterations: n-1 taken back edges plus the final ret") {
        for (int n : {1, 2, 10}) {
            BranchCounter bc;
            run_loop(bc, n);
            CHECK(stats_of(bc).branches_taken == std::uint64_t(n - 1) + 1);
        }
    }
    SUBCASE("a conditional branch that jumps forward is taken") {
        BranchCounter bc;
        bc.on_block(block(0x100, 0x120, 2, 0, true, true)); // skips [0x120,0x140)
        bc.on_block(block(0x140, 0x150, 1, 0, true, false));
        CHECK(bc.taken() == 2);
    }
    SUBCASE("unconditional jumps and calls are always taken, even to the fall-through address") {
        BranchCounter bc;
        bc.on_block(block(0x100, 0x110, 1, 0, true, false)); // jmp 0x110
        bc.on_block(block(0x110, 0x120, 1, 0, true, false)); // call 0x500
        bc.on_block(block(0x500, 0x508, 1, 0, true, false)); // ret
        CHECK(bc.taken() == 3);
    }
    SUBCASE("the last block's conditional branch is unknown and counts as not taken") {
        BranchCounter bc;
        bc.on_block(block(0x100, 0x110, 1, 0, true, true));
        CHECK(stats_of(bc).branches_taken == 0);
        bc.on_block(block(0x200, 0x210, 1, 0, true, true)); // resolves the first as taken
        CHECK(stats_of(bc).branches_taken == 1);
    }
    SUBCASE("blocks without a branch count nothing") {
        BranchCounter bc;
        bc.on_block(block(0x100, 0x110, 4, 0, false, false));
        bc.on_block(block(0x300, 0x310, 4, 0, false, false));
        CHECK(bc.taken() == 0);
    }
    SUBCASE("reset forgets a pending branch") {
        BranchCounter bc;
        bc.on_block(block(0x100, 0x110, 1, 0, true, true));
        bc.reset();
        bc.on_block(block(0x400, 0x410, 1, 0, false, false));
        CHECK(bc.taken() == 0);
    }
}

TEST_CASE("CollectorSet: events, contribute, reset and user collectors") {
    SUBCASE("an empty set needs no events and contributes nothing") {
        CollectorSet set;
        CHECK(set.events() == EventKind::none);
        run_loop(set, 3);
        set.on_memory({0x10, 4, false});
        CHECK(stats_of(set) == Stats{});
    }
    SUBCASE("mix() asks for blocks only") {
        const CollectorSet set = CollectorSet::mix_only();
        CHECK(set.events() == EventKind::blocks);
        CHECK(set.instruction_mix() != nullptr);
        CHECK(set.cache_model() == nullptr);
    }
    SUBCASE("memory and caches alone ask for memory only") {
        CollectorSet set;
        set.add_memory().add_caches(cortex_a72().caches);
        CHECK(set.events() == EventKind::memory);
    }
    SUBCASE("full() is the union and its contribution is the sum of the parts") {
        const Target target = sifive_u74();
        CollectorSet set = CollectorSet::all(target);
        CHECK(set.events() == (EventKind::blocks | EventKind::memory | EventKind::block_counts | EventKind::dataflow));
        REQUIRE(set.pipeline() != nullptr);
        REQUIRE(set.dataflow() != nullptr);
        CHECK(set.pipeline()->cpu() == PipelineCpu::of(target));

        InstructionMix mix;
        BranchCounter branches;
        MemoryTraffic memory;
        CacheModel caches(target.caches);
        const auto feed = [&](auto& c) {
            run_loop(c, 4);
            for (std::uint64_t i = 0; i < 100; ++i) c.on_memory({0x8000 + i * 24, 8, i % 3 == 0});
        };
        feed(set);
        feed(mix);
        feed(branches);
        feed(memory);
        feed(caches);
        Stats expected;
        mix.contribute(expected);
        branches.contribute(expected);
        memory.contribute(expected);
        caches.contribute(expected);
        const Stats got = stats_of(set);
        CHECK(got == expected);
        CHECK(got.branches_taken == 4);
        CHECK(got.mem_reads + got.mem_writes == 100);
        CHECK(got.l1d_misses > 0);

        set.reset();
        CHECK(stats_of(set) == Stats{});
        CHECK(set.events() == (EventKind::blocks | EventKind::memory | EventKind::block_counts |
                               EventKind::dataflow)); // the choice is kept
    }
    SUBCASE("a user collector sees the events it asked for and adds to the same Stats") {
        CollectorSet set = CollectorSet::mix_only();
        set.add_memory();
        set.add(BlockCounter{});
        CHECK(set.user_collector_count() == 1);
        CHECK(set.events() == (EventKind::blocks | EventKind::memory));
        run_loop(set, 3);
        set.on_memory({0x10, 4, false}); // must not reach BlockCounter::on_memory
        Stats s = stats_of(set);
        CHECK(s.basic_blocks == 5);
        CHECK(s.counter(InsnClass::load) == 1 + 3 * 2);
        CHECK(s.mem_reads == 1);

        CollectorSet moved = std::move(set);
        moved.on_block(entry);
        CHECK(stats_of(moved).basic_blocks == 6);
        moved.reset();
        CHECK(stats_of(moved) == Stats{});
    }
    SUBCASE("a user collector alone decides the set's events") {
        CollectorSet set;
        set.add(BlockCounter{});
        CHECK(set.events() == EventKind::blocks);
    }
}

TEST_CASE("a block replayed n times counts as n executions, in 64 bits") {
    DecodedBlock block;
    block.address = 0x1000;
    block.end = 0x1100;
    block.instructions = 1000; // 1000 × 10^7 runs overflows 32 bits: replayed in chunks
    block.class_counts[static_cast<std::size_t>(InsnClass::simd)] = 600;
    block.class_counts[static_cast<std::size_t>(InsnClass::load)] = 400;
    CollectorSet mix = CollectorSet::mix_only();
    mix.on_block_repeated(block, 10'000'000);
    mix.on_block_repeated(block, 0);
    Stats s;
    mix.contribute(s);
    CHECK(s.counter(InsnClass::simd) == 6'000'000'000ULL);
    CHECK(s.counter(InsnClass::load) == 4'000'000'000ULL);
    // Replaying is only exact for the mix: a branch counter needs every execution in order.
    CollectorSet with_branches;
    with_branches.add_mix().add_branches();
    CHECK_THROWS_AS(with_branches.on_block_repeated(block, 2), Error);
}
