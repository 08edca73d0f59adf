// The dataflow limit (collectors/dataflow.hpp): what the longest dependent chain of a run costs,
// first on hand-made blocks, then on kernels whose chains are known, in both simulators.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "support.hpp"
#include "kernels/test_kernels.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/collectors/dataflow.hpp"
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
        UnicornSimulator unicorn;
        auto run = [&](const tk::TestKernel& kernel, bool qemu = false) {
            auto collectors = CollectorSet::all(target);
            const auto binary = tk::build(kernel, target);
            return qemu ? QemuSimulator{}.run(binary, target, collectors).stats
                        : unicorn.run(binary, target, collectors).stats;
        };
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
