#pragma once
// BranchCounter: taken control transfers, reconstructed from the sequence of executed blocks.
#include <cstdint>

#include "simtune/events.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// Counts Stats::branches_taken. Blocks end at most at their first branch (decode_block), so:
/// - a block ending in an unconditional branch (jump, call, return) is taken on every execution;
/// - a block ending in a conditional branch is taken when the next executed block does not start
///   at its `end` (the fall-through address), and not taken when it does.
/// The last block of a run has no successor. If it ends in a conditional branch its outcome cannot
/// be known, and contribute() counts it as not taken; an unconditional one (the kernel's final
/// `ret`, the usual last block) is counted as taken like any other. A block that ends without a
/// branch (the simulator split a straight line) counts nothing.
class BranchCounter {
public:
    [[nodiscard]] EventKind events() const noexcept { return EventKind::blocks; }

    void on_block(const DecodedBlock& block) noexcept {
        // Resolve the previous block's conditional branch by where execution went next.
        taken_ += static_cast<std::uint64_t>(pending_ && block.address != pending_fallthrough_);
        pending_ = block.ends_in_branch && block.branch_is_conditional;
        pending_fallthrough_ = block.end;
        taken_ += static_cast<std::uint64_t>(block.ends_in_branch && !block.branch_is_conditional);
    }
    void on_memory(const MemoryAccess&) noexcept {}

    /// Adds the taken count; a still-unresolved conditional branch of the last block counts as
    /// not taken (see the class comment).
    void contribute(Stats& stats) const noexcept { stats.branches_taken += taken_; }
    void reset() noexcept {
        taken_ = 0;
        pending_ = false;
        pending_fallthrough_ = 0;
    }

    [[nodiscard]] std::uint64_t taken() const noexcept { return taken_; }

private:
    std::uint64_t taken_ = 0;
    bool pending_ = false;                  ///< the previous block ended in a conditional branch
    std::uint64_t pending_fallthrough_ = 0; ///< its fall-through address
};

} // namespace simtune
