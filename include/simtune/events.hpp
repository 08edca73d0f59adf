#pragma once
// The events a simulator feeds to its StatsCollectors. Both simulators decode each translated block
// once (isa/classify.hpp), keep the DecodedBlock, and hand the same object to the collectors on every
// execution, so a collector's per-execution work is a few additions.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "simtune/stats.hpp"

namespace simtune {

/// Register slots of InsnRegisters: small ISA-specific indices (x86-64: the 16 integer registers,
/// 32 vector registers, flags, mask and x87/MMX registers; AArch64: x0-x30, v0-v31, NZCV; RISC-V:
/// x1-x31, f0-f31, v0-v31). Sub-registers share their full register's slot (eax and rax, xmm0 and
/// ymm0, w0 and x0, s0 and v0). The stack pointer, the program counter and zero registers have no
/// slot: a stack engine renames stack-pointer updates, and nothing waits for a zero.
inline constexpr std::size_t register_slots = 128;

/// The registers one instruction reads and writes (for the dataflow collector), decoded once.
struct InsnRegisters {
    static constexpr std::size_t max_reads = 6, max_writes = 4;
    std::uint64_t address = 0; ///< guest address of the instruction
    std::array<std::uint8_t, max_reads> reads{};
    std::array<std::uint8_t, max_writes> writes{};
    std::uint8_t read_count = 0, write_count = 0;
    InsnClass cls = InsnClass::int_alu;
    /// The instruction reads / writes data memory (an explicit memory operand, push/pop/call/ret):
    /// how accesses without a usable instruction address are placed, one per instruction.
    bool reads_memory = false, writes_memory = false;
    /// A copy from one register to another that the renamer of an out-of-order x86 core performs
    /// (move elimination: `mov`, `movaps`, ... register to register): no latency, its destination is
    /// ready when its source is. A compiler's `movaps xmm1, xmm0` after `maxss` is not a second
    /// operation on the running maximum's chain.
    bool is_move = false;
    void read(unsigned slot) noexcept {
        if (slot < register_slots && read_count < max_reads) reads[read_count++] = static_cast<std::uint8_t>(slot);
    }
    void write(unsigned slot) noexcept {
        if (slot < register_slots && write_count < max_writes) writes[write_count++] = static_cast<std::uint8_t>(slot);
    }
};

/// A translated block as decoded once at translation time.
struct DecodedBlock {
    std::uint64_t address = 0;      ///< guest address of the first instruction
    std::uint64_t end = 0;          ///< address just past the last instruction (fall-through)
    std::uint32_t instructions = 0; ///< instructions in the block
    std::array<std::uint32_t, insn_class_count> class_counts{}; ///< the block's class histogram
    /// The last instruction transfers control. If it is unconditional (jump, call, return) every
    /// execution is taken; if conditional, an execution is taken when the next block does not start
    /// at `end`.
    bool ends_in_branch = false;
    bool branch_is_conditional = false;
    /// Each instruction's registers, in order; only when decoded for a collector that asked for
    /// EventKind::dataflow (shared: blocks are copied, their instructions are not).
    std::shared_ptr<const std::vector<InsnRegisters>> registers;
};

/// Where the simulated caches found an access's data (CacheModel::access_served): what the
/// dataflow walk's memory latencies need (DataflowCollector, dataflow_memory_cycles).
struct MemoryServed {
    /// 0: not known (no cache model saw the access); 1: L1D; 2: L2; 3: the LLC; 4: memory. (Where
    /// L2 is the last level, an L2 miss is served by memory.)
    std::uint8_t level = 0;
    /// The miss continued a stream in its page (the L1D's stream table for an L2 hit, L2's for a
    /// miss below it): a stream prefetcher would have fetched the line ahead of the load.
    bool stream = false;
    /// 0: the page hit the first-level data TLB; 1: it missed there and hit the second level (or
    /// there is none); 2: it missed both (a page walk).
    std::uint8_t tlb = 0;
};

/// One data memory access made by the guest.
struct MemoryAccess {
    std::uint64_t address = 0;
    std::uint32_t size = 0; ///< bytes
    bool is_store = false;
    /// Address of the instruction that made the access; 0 unless a collector asked for
    /// EventKind::dataflow and the simulator knows it (then accesses are placed by their order).
    std::uint64_t pc = 0;
    /// Where the caches found the data: filled for the dataflow collector where the caches ran
    /// (CollectorSet, the simulators' sampled paths), else level 0. (Last, so that the positional
    /// initialisers {address, size, is_store, pc} stay as they were.)
    MemoryServed served{};
};

/// A half-open range [address, address + bytes) of guest memory: a kernel buffer where the
/// simulator placed it (CollectorSet::warm_caches).
struct AddressRange {
    std::uint64_t address = 0;
    std::uint64_t bytes = 0;
};

/// What a collector wants to be told about; simulators install only the hooks that some collector
/// of the run needs, so a mix-only run pays nothing for memory hooks.
///  - blocks: every execution of a block, in execution order (on_block);
///  - memory: every data access (on_memory);
///  - block_counts: once after the run, each distinct block of the kernel's code with its number of
///    executions (CollectorSet::on_block_executions). Both simulators count executions per block
///    anyway, so this costs nothing per execution; only built-in collectors can ask for it.
///  - dataflow: blocks carry their instructions' registers (DecodedBlock::registers) and memory
///    accesses the address of their instruction (MemoryAccess::pc); with blocks and memory, in
///    execution order.
enum class EventKind : unsigned {
    none = 0,
    blocks = 1,
    memory = 2,
    block_counts = 4,
    dataflow = 8
};

constexpr EventKind operator|(EventKind a, EventKind b) noexcept {
    return static_cast<EventKind>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(EventKind set, EventKind e) noexcept {
    return (static_cast<unsigned>(set) & static_cast<unsigned>(e)) != 0;
}

} // namespace simtune
