// The dataflow limit (collectors/dataflow.hpp): what the longest dependent chain of a run costs,
// first on hand-made blocks, then on kernels whose chains are known, in both simulators.
#include <doctest/doctest.h>

#include <memory>
#include <tuple>
#include <vector>

#include "support.hpp"
#include "kernels/test_kernels.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/collectors/dataflow.hpp"
#include "simtune/collectors/selection.hpp"
#include "simtune/predict.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/simulators/unicorn.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;

namespace {

InsnRegisters insn(std::uint64_t address, InsnClass cls, std::vector<unsigned> reads, std::vector<unsigned> writes) {
    InsnRegisters r;
    r.address = address;
    r.cls = cls;
    for (unsigned s : reads) r.read(s);
    for (unsigned s : writes) r.write(s);
    return r;
}

DecodedBlock block_of(std::vector<InsnRegisters> insns) {
    DecodedBlock b;
    b.address = insns.front().address;
    b.instructions = static_cast<std::uint32_t>(insns.size());
    b.registers = std::make_shared<const std::vector<InsnRegisters>>(std::move(insns));
    return b;
}

/// A test kernel's statistics with every collector, from Unicorn or QEMU.
Stats run_all(const tk::TestKernel& kernel, const Target& target, bool qemu) {
    auto collectors = CollectorSet::all(target);
    const auto binary = tk::build(kernel, target);
    return qemu ? QemuSimulator{}.run(binary, target, collectors).stats
                : UnicornSimulator{}.run(binary, target, collectors).stats;
}

std::uint64_t longest(DataflowCollector& c) {
    Stats s;
    c.contribute(s);
    return s.dataflow_cycles;
}

} // namespace

TEST_CASE("a chain through registers costs the sum of its latencies; independent work costs its longest part") {
    const DataflowCore lat;
    SUBCASE("three dependent floating-point adds") {
        DataflowCollector c;
        c.on_block(block_of({insn(0x10, InsnClass::fp_scalar, {1}, {1}), insn(0x14, InsnClass::fp_scalar, {1}, {2}),
                             insn(0x18, InsnClass::fp_scalar, {2}, {3})}));
        CHECK(longest(c) == 3 * lat.fp_scalar);
    }
    SUBCASE("three independent ones") {
        DataflowCollector c;
        c.on_block(block_of({insn(0x10, InsnClass::fp_scalar, {1}, {4}), insn(0x14, InsnClass::fp_scalar, {2}, {5}),
                             insn(0x18, InsnClass::fp_scalar, {3}, {6})}));
        CHECK(longest(c) == lat.fp_scalar);
    }
    SUBCASE("an eliminated register move adds nothing to the chain it copies") {
        // maxss, then movaps back into the running maximum: one operation per element, not two.
        InsnRegisters max = insn(0x10, InsnClass::simd, {1, 2}, {2});
        InsnRegisters copy = insn(0x14, InsnClass::simd, {2}, {1});
        copy.is_move = true;
        DataflowCollector c;
        const auto b = block_of({max, copy});
        for (int i = 0; i < 10; ++i) c.on_block(b);
        CHECK(longest(c) == 10 * lat.simd);
    }
    SUBCASE("a chain continues across blocks and executions") {
        DataflowCollector c;
        const auto b = block_of({insn(0x10, InsnClass::mul_div, {7}, {7})});
        for (int i = 0; i < 10; ++i) c.on_block(b);
        CHECK(longest(c) == 10 * lat.mul_div);
    }
    SUBCASE("the window: independent work waits for the instruction a window earlier to retire") {
        DataflowCore core;
        core.window = 4;
        DataflowCollector c(core);
        std::vector<InsnRegisters> eight;
        for (unsigned i = 0; i < 8; ++i) eight.push_back(insn(0x10 + 4 * i, InsnClass::mul_div, {i}, {10 + i}));
        c.on_block(block_of(eight));
        CHECK(longest(c) == 2 * core.mul_div); // two windows' worth, one after the other
        core.window = 3;
        simtune::testing::check_error([&] { DataflowCollector{core}; }, ErrorKind::invalid_argument,
                                      {"window", "power of two"});
    }
    SUBCASE("reset forgets the chain") {
        DataflowCollector c;
        c.on_block(block_of({insn(0x10, InsnClass::mul_div, {7}, {7})}));
        CHECK(longest(c) == lat.mul_div);
        c.reset();
        CHECK(longest(c) == 0);
    }
}

TEST_CASE("a load waits for the store of the same bytes, not for stores elsewhere") {
    const DataflowCore lat;
    // 0x10: r1 = r1 * r1 (mul); 0x14: store r1 -> [A]; 0x18: load [B] -> r2
    const auto b = block_of({insn(0x10, InsnClass::mul_div, {1}, {1}), insn(0x14, InsnClass::store, {1}, {}),
                             insn(0x18, InsnClass::load, {}, {2})});
    SUBCASE("same word: the load is on the chain") {
        DataflowCollector c;
        c.on_block(b);
        c.on_memory({0x1000, 4, true, 0x14});
        c.on_memory({0x1000, 4, false, 0x18});
        CHECK(longest(c) == lat.mul_div + lat.store + lat.load);
    }
    SUBCASE("another word: it is not") {
        DataflowCollector c;
        c.on_block(b);
        c.on_memory({0x1000, 4, true, 0x14});
        c.on_memory({0x2000, 4, false, 0x18});
        CHECK(longest(c) == lat.load);
    }
    SUBCASE("without instruction addresses, accesses are placed by order where an instruction makes one") {
        auto insns = *b.registers;
        insns[1].writes_memory = true;
        insns[2].reads_memory = true;
        DataflowCollector c;
        c.on_block(block_of(insns));
        c.on_memory({0x1000, 4, true, 0});
        c.on_memory({0x1000, 4, false, 0});
        CHECK(longest(c) == lat.mul_div + lat.store + lat.load);
    }
    SUBCASE("accesses that cannot be placed are left out, not attributed at random") {
        DataflowCollector c;
        c.on_block(b);
        c.on_memory({0x1000, 4, true, 0});
        c.on_memory({0x1000, 4, false, 0});
        CHECK(longest(c) == lat.mul_div);
    }
}

TEST_CASE("the dataflow limit sees a chain through memory that MCA's block throughput does not") {
    for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
        CAPTURE(target.name);
        auto run = [&](const tk::TestKernel& kernel, bool qemu = false) { return run_all(kernel, target, qemu); };
        const Stats memory = run(tk::scan_memory), registers = run(tk::scan_register), scale = run(tk::scale);
        INFO(fmt::format("scan through memory: {}\nscan in a register: {}\nscale: {}", memory, registers, scale));
        const DataflowCore lat;
        constexpr std::uint64_t elements = 4095;
        // Each element: load the previous sum (after its store), add, store.
        CHECK(memory.dataflow_cycles >= elements * (lat.load + lat.fp_scalar + lat.store));
        CHECK(memory.dataflow_cycles > memory.mca_cycles); // what MCA misses
        // In a register: one add per element.
        CHECK(registers.dataflow_cycles >= elements * lat.fp_scalar);
        CHECK(registers.dataflow_cycles < elements * (lat.load + lat.fp_scalar));
        // Independent elements: far below one add per element.
        CHECK(scale.dataflow_cycles < elements * lat.fp_scalar / 2);
        // QEMU places the accesses by instruction address everywhere; the figures agree.
        CHECK(run(tk::scan_memory, true).dataflow_cycles == memory.dataflow_cycles);
    }
}

namespace {

std::uint64_t with_memory(DataflowCollector& c) {
    Stats s;
    c.contribute(s);
    return s.dataflow_memory_cycles;
}

MemoryAccess load_from(std::uint64_t address, std::uint64_t pc, std::uint8_t level, bool stream = false,
                       std::uint8_t tlb = 0) {
    MemoryAccess a{address, 8, false, pc};
    a.served = MemoryServed{level, stream, tlb};
    return a;
}

} // namespace

TEST_CASE("the walk with memory: a load waits for where its data was, and misses overlap only so far") {
    const DataflowCore lat;
    // 0x10: r1 = load [r0]; 0x14: r2 = load [r1] (its address is the first load's value);
    // 0x18: r3 = load [r0 + 64] (independent of both).
    const auto chain = block_of({insn(0x10, InsnClass::load, {0}, {1}), insn(0x14, InsnClass::load, {1}, {2})});
    const auto apart = block_of({insn(0x10, InsnClass::load, {0}, {1}), insn(0x18, InsnClass::load, {0}, {3})});
    auto run = [](DataflowCollector& c, const DecodedBlock& b, std::uint8_t level, bool stream = false) {
        c.set_memory_walk(true);
        c.on_block(b);
        const auto& insns = *b.registers;
        c.on_memory(load_from(0x100000, insns[0].address, level, stream));
        c.on_memory(load_from(0x200000, insns[1].address, level, stream));
    };
    SUBCASE("two dependent misses to memory cost two memory latencies; the plain walk sees two L1 hits") {
        DataflowCollector c;
        run(c, chain, 4);
        CHECK(with_memory(c) == 2 * lat.memory);
        CHECK(longest(c) == 2 * lat.load);
    }
    SUBCASE("two independent ones overlap, all but the second line's transfer") {
        DataflowCollector c;
        run(c, apart, 4);
        CHECK(with_memory(c) == lat.memory + lat.memory_line);
    }
    SUBCASE("bandwidth: lines a prefetcher brought in time still take the path one after another") {
        std::vector<InsnRegisters> loads;
        for (unsigned i = 0; i < 100; ++i) loads.push_back(insn(0x10 + 4 * i, InsnClass::load, {0}, {1 + i % 8}));
        DataflowCollector c;
        c.set_memory_walk(true);
        c.on_block(block_of(loads));
        for (unsigned i = 0; i < 100; ++i) c.on_memory(load_from(0x1000 + 64 * i, 0x10 + 4 * i, 2, true));
        CHECK(with_memory(c) == lat.load + 99 * lat.l2_line); // not 25 cycles of dispatch and a load
    }
    SUBCASE("... unless there is one miss buffer") {
        DataflowCore core;
        core.miss_buffers = 1;
        DataflowCollector c(core);
        run(c, apart, 4);
        CHECK(with_memory(c) == 2 * core.memory);
    }
    SUBCASE("by level: L1, L2, the LLC; a stream a prefetcher follows comes a level sooner; a TLB miss adds") {
        for (auto [level, stream, expected] :
             {std::tuple{1, false, lat.load}, std::tuple{2, false, lat.l2}, std::tuple{3, false, lat.llc},
              std::tuple{4, true, lat.llc}, std::tuple{2, true, lat.load}}) {
            CAPTURE(level);
            CAPTURE(stream);
            DataflowCollector c;
            c.set_memory_walk(true);
            c.on_block(block_of({insn(0x10, InsnClass::load, {0}, {1})}));
            c.on_memory(load_from(0x1000, 0x10, static_cast<std::uint8_t>(level), stream));
            CHECK(with_memory(c) == expected);
        }
        DataflowCollector c;
        c.set_memory_walk(true);
        c.on_block(block_of({insn(0x10, InsnClass::load, {0}, {1})}));
        c.on_memory(load_from(0x1000, 0x10, 1, false, 2));
        CHECK(with_memory(c) == lat.load + lat.page_walk);
    }
    SUBCASE("dispatch: at most dispatch_width instructions enter the window per cycle") {
        std::vector<InsnRegisters> eight;
        for (unsigned i = 0; i < 8; ++i) eight.push_back(insn(0x10 + 4 * i, InsnClass::int_alu, {i}, {10 + i}));
        DataflowCollector c;
        c.set_memory_walk(true);
        c.on_block(block_of(eight));
        CHECK(longest(c) == lat.int_alu);                                  // unlimited
        CHECK(with_memory(c) == 8 / lat.dispatch_width - 1 + lat.int_alu); // two cycles of dispatch
    }
    SUBCASE("off (no caches told it where data was), the counter stays zero") {
        DataflowCollector c;
        c.on_block(chain);
        c.on_memory(load_from(0x100000, 0x10, 4));
        CHECK(with_memory(c) == 0);
        CHECK(longest(c) > 0);
    }
    SUBCASE("a core without miss buffers or dispatch is refused") {
        DataflowCore core;
        core.miss_buffers = 0;
        simtune::testing::check_error([&] { DataflowCollector{core}; }, ErrorKind::invalid_argument, {"miss buffers"});
        core.miss_buffers = 16;
        core.dispatch_width = 0;
        simtune::testing::check_error([&] { DataflowCollector{core}; }, ErrorKind::invalid_argument,
                                      {"dispatch width"});
    }
}

TEST_CASE("the walk with memory tells a chain of misses from as many independent ones; their count cannot") {
    for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
        CAPTURE(target.name);
        auto run = [&](const tk::TestKernel& kernel, bool qemu = false) { return run_all(kernel, target, qemu); };
        const Stats dependent = run(tk::chase_dependent), independent = run(tk::chase_independent);
        INFO(fmt::format("dependent: {}\nindependent: {}", dependent, independent));
        const DataflowCore lat;
        constexpr std::uint64_t steps = 20000;
        // Both miss L2 on most of their 20 000 loads: as counters, the two kernels look alike.
        CHECK(dependent.l2_misses > steps / 2);
        CHECK(independent.l2_misses > steps / 2);
        CHECK(dependent.l1d_misses < 2 * independent.l1d_misses);
        CHECK(independent.l1d_misses < 2 * dependent.l1d_misses);
        // The chain waits for each miss in turn (at least an LLC hit each); the independent loads
        // overlap, as many at a time as there are miss buffers.
        CHECK(dependent.dataflow_memory_cycles > steps * lat.llc);
        CHECK(dependent.dataflow_memory_cycles > 5 * independent.dataflow_memory_cycles);
        CHECK(independent.dataflow_memory_cycles < steps * lat.memory / 4);
        // The walk with memory never finishes before the plain one.
        CHECK(dependent.dataflow_memory_cycles >= dependent.dataflow_cycles);
        CHECK(independent.dataflow_memory_cycles >= independent.dataflow_cycles);
        // QEMU's plugin feeds the walk the same accesses. The caches' answers agree but for a few
        // stream decisions (the two simulators' stacks are not at the same addresses: 30 against
        // 35 stream misses on host-x86-64), so the figures agree within 0.1 %.
        const Stats q = run(tk::chase_dependent, true);
        INFO(fmt::format("qemu dependent: {}", q));
        CHECK(q.l2_misses == dependent.l2_misses);
        CHECK(static_cast<double>(q.dataflow_memory_cycles) ==
              doctest::Approx(static_cast<double>(dependent.dataflow_memory_cycles)).epsilon(0.001));
    }
}

TEST_CASE("without the walk with memory a run counts the same, but for dataflow_memory_cycles (0)") {
    // What predict() asks for when its model does not read the counter: the second walk and the
    // cache query per access it needs are left out, and nothing else may change.
    const Target target = host_x86_64();
    CollectorSelection plain_only;
    plain_only.dataflow_memory = false;
    CHECK(plain_only.key() == "mix+branches+memory+caches+pipeline+dataflow-without-memory");
    CHECK(CollectorSelection{}.key() == "mix+branches+memory+caches+pipeline+dataflow");
    const auto binary = tk::build(tk::chase_dependent, target);
    for (const bool qemu : {false, true}) {
        CAPTURE(qemu);
        auto run = [&](const CollectorSelection& selection) {
            auto collectors = selection.make(target);
            return qemu ? QemuSimulator{}.run(binary, target, collectors).stats
                        : UnicornSimulator{}.run(binary, target, collectors).stats;
        };
        const Stats with = run(CollectorSelection{}), without = run(plain_only);
        INFO(fmt::format("with: {}\nwithout: {}", with, without));
        CHECK(with.dataflow_memory_cycles > 0);
        CHECK(without.dataflow_memory_cycles == 0);
        for (std::size_t i = 0; i < Stats::feature_count; ++i)
            if (i != Stats::feature_index("dataflow_memory_cycles")) CHECK(with.counter(i) == without.counter(i));
    }
    // The shipped model reads dataflow_cycles, not the walk with memory.
    const TargetModel shipped = default_model(target);
    CHECK(shipped.collectors.dataflow);
    CHECK_FALSE(shipped.collectors.dataflow_memory);
}
