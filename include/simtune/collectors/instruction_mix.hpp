#pragma once
// InstructionMix: the executed instructions by class. Each block was classified once at
// translation time (isa/classify.hpp), so an execution costs one histogram addition.
#include <cstddef>

#include "simtune/events.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// Adds each executed block's class histogram to Stats::by_class.
class InstructionMix {
public:
    [[nodiscard]] EventKind events() const noexcept { return EventKind::blocks; }

    void on_block(const DecodedBlock& block) noexcept {
        for (std::size_t i = 0; i < insn_class_count; ++i) counts_[i] += block.class_counts[i];
    }
    void on_memory(const MemoryAccess&) noexcept {}

    void contribute(Stats& stats) const noexcept {
        for (std::size_t i = 0; i < insn_class_count; ++i) stats.by_class[i] += counts_[i];
    }
    void reset() noexcept { counts_ = {}; }

    /// The counts so far, indexed by InsnClass.
    [[nodiscard]] const ClassCounts& counts() const noexcept { return counts_; }

private:
    ClassCounts counts_{};
};

} // namespace simtune
