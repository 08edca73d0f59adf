#pragma once
// BranchCounter: taken control transfers and the conditional branches a modelled predictor gets
// wrong, reconstructed from the sequence of executed blocks.
//
// Why mispredictions: a branch on data (a running maximum's "new record?", an early exit, a
// select the compiler kept as a branch) costs nothing while it is predicted and a pipeline refill
// (~15 cycles on current cores) each time it is not. No other counter sees that: an argmax whose
// record updates are branches has 28 % fewer instructions and fewer MCA cycles than a two-pass one
// and still runs 25 % slower (benchmarks/RESULTS.md, round 8).
#include <array>
#include <cstdint>
#include <memory>

#include "simtune/events.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// The conditional-branch predictor BranchCounter models: gshare (2^16 two-bit saturating counters
/// indexed by the branch's address XOR the outcomes of the last 16 conditional branches) beside a
/// loop predictor (per branch, the length of its runs in one direction; once the same length has
/// come three times, it predicts the run's end). Much smaller than the TAGE-like predictors of
/// current cores, but it predicts what they predict in kernels: strongly biased branches, short
/// patterns through the history, loop exits of a fixed trip count of any length (which gshare
/// alone misses once per loop as soon as the loop is longer than its history: tiled loops of 64
/// would cost a refill each). And it misses what they miss: outcomes that depend on the data.
class BranchPredictor {
public:
    static constexpr unsigned history_bits = 16;

    BranchPredictor()
        : counters_(std::make_unique<std::array<std::uint8_t, gshare_entries>>()),
          loops_(std::make_unique<std::array<Loop, loop_entries>>()) {
        reset();
    }

    /// Predicts the branch at `address`, learns its outcome `taken`; returns whether the
    /// prediction was wrong.
    bool mispredicted(std::uint64_t address, bool taken) noexcept {
        // Instruction addresses differ in their low bits; fold the high ones in.
        const std::uint64_t pc = address ^ (address >> history_bits);
        std::uint8_t& c = (*counters_)[(pc ^ history_) & (gshare_entries - 1)];
        Loop& loop = (*loops_)[(pc ^ (pc >> 8)) & (loop_entries - 1)];
        const bool own = loop.address == address;
        bool predicted = c >= 2;
        if (own && loop.confidence >= 2) predicted = loop.run < loop.trip ? loop.direction : !loop.direction;
        // Learn: the gshare counter and history, then the loop entry.
        if (taken) c = static_cast<std::uint8_t>(c + (c < 3));
        else c = static_cast<std::uint8_t>(c - (c > 0));
        history_ = ((history_ << 1) | std::uint64_t{taken}) & (gshare_entries - 1);
        if (!own) loop = Loop{address, taken, 1, 0, 0};
        else if (taken == loop.direction) {
            ++loop.run;
            if (loop.trip != 0 && loop.run > loop.trip) loop.confidence = 0; // a longer run: not that loop
        } else if (loop.run == 0) {
            loop = Loop{address, taken, 1, 0, 0}; // two ends in a row: the run goes the other way
        } else {
            if (loop.run == loop.trip)
                loop.confidence = static_cast<std::uint8_t>(loop.confidence + (loop.confidence < 3));
            else {
                loop.trip = loop.run;
                loop.confidence = 0;
            }
            loop.run = 0;
        }
        return predicted != taken;
    }
    /// Every counter weakly not taken, an empty history, no loops: a cold predictor, as a cold cache.
    void reset() noexcept {
        counters_->fill(1);
        loops_->fill(Loop{});
        history_ = 0;
    }

private:
    static constexpr std::size_t gshare_entries = std::size_t{1} << history_bits;
    static constexpr std::size_t loop_entries = 256;
    struct Loop {
        std::uint64_t address = ~std::uint64_t{0}; ///< the branch this entry follows
        bool direction = false;                    ///< the direction of its runs
        std::uint32_t run = 0;                     ///< outcomes in that direction since the last end
        std::uint32_t trip = 0;                    ///< the length of the last complete run
        std::uint8_t confidence = 0;               ///< how many runs in a row had that length, less one
    };
    std::unique_ptr<std::array<std::uint8_t, gshare_entries>> counters_;
    std::unique_ptr<std::array<Loop, loop_entries>> loops_;
    std::uint64_t history_ = 0;
};

/// Counts Stats::branches_taken and Stats::branch_mispredicts (BranchPredictor, keyed by the
/// branch's fall-through address: the address just past the branch instruction, which names it).
/// Blocks end at most at their first branch (decode_block), so:
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
        if (pending_) {
            const bool taken = block.address != pending_fallthrough_;
            taken_ += static_cast<std::uint64_t>(taken);
            mispredicts_ += static_cast<std::uint64_t>(predictor_.mispredicted(pending_fallthrough_, taken));
        }
        pending_ = block.ends_in_branch && block.branch_is_conditional;
        pending_fallthrough_ = block.end;
        taken_ += static_cast<std::uint64_t>(block.ends_in_branch && !block.branch_is_conditional);
    }
    void on_memory(const MemoryAccess&) noexcept {}

    /// Adds the taken and mispredicted counts; a still-unresolved conditional branch of the last
    /// block counts as not taken and predicted (see the class comment).
    void contribute(Stats& stats) const noexcept {
        stats.branches_taken += taken_;
        stats.branch_mispredicts += mispredicts_;
    }
    void reset() noexcept {
        taken_ = 0;
        mispredicts_ = 0;
        predictor_.reset();
        pending_ = false;
        pending_fallthrough_ = 0;
    }

    [[nodiscard]] std::uint64_t taken() const noexcept { return taken_; }
    [[nodiscard]] std::uint64_t mispredicts() const noexcept { return mispredicts_; }

private:
    std::uint64_t taken_ = 0;
    std::uint64_t mispredicts_ = 0;
    BranchPredictor predictor_;
    bool pending_ = false;                  ///< the previous block ended in a conditional branch
    std::uint64_t pending_fallthrough_ = 0; ///< its fall-through address
};

} // namespace simtune
