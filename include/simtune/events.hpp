#pragma once
// The events a simulator feeds to its StatsCollectors. Both simulators decode each translated block
// once (isa/classify.hpp), keep the DecodedBlock, and hand the same object to the collectors on every
// execution, so a collector's per-execution work is a few additions.
#include <cstdint>

#include "simtune/stats.hpp"

namespace simtune {

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
};

/// One data memory access made by the guest.
struct MemoryAccess {
    std::uint64_t address = 0;
    std::uint32_t size = 0; ///< bytes
    bool is_store = false;
};

/// What a collector wants to be told about; simulators install only the hooks that some collector
/// of the run needs, so a mix-only run pays nothing for memory hooks.
///  - blocks: every execution of a block, in execution order (on_block);
///  - memory: every data access (on_memory);
///  - block_counts: once after the run, each distinct block of the kernel's code with its number of
///    executions (CollectorSet::on_block_executions). Both simulators count executions per block
///    anyway, so this costs nothing per execution; only built-in collectors can ask for it.
enum class EventKind : unsigned {
    none = 0,
    blocks = 1,
    memory = 2,
    block_counts = 4
};

constexpr EventKind operator|(EventKind a, EventKind b) noexcept {
    return static_cast<EventKind>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(EventKind set, EventKind e) noexcept {
    return (static_cast<unsigned>(set) & static_cast<unsigned>(e)) != 0;
}

} // namespace simtune
