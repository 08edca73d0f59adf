#pragma once
// DataflowCollector: the run's dataflow limit (Stats::dataflow_cycles), the cycles its chains of
// dependent instructions, through registers and through memory, take on a core with nominal
// latencies, unlimited execution resources and a finite instruction window.
//
// Why: LLVM MCA prices each block alone, run back to back, so it sees port pressure and the
// register chains a one-block loop carries, but not a chain that runs through memory (a prefix sum
// kept in memory, `y[i] += ...` with y aliasing nothing MCA can prove) or across the blocks of a
// loop with branches inside. Those kernels run at the latency of the chain, not at the throughput
// MCA reports: a scan whose carry goes through memory took 5-10x what MCA said. The dataflow limit
// is a lower bound on the run time of an out-of-order core with these latencies and this window,
// so a cycle estimate takes the larger of it and MCA's figure.
//
// The window matters: without it, independent chains (one per row of a row-wise prefix sum) would
// all run at once, and the limit would be one row's chain, not the kernel's. A core retires in
// order and holds only so many instructions in flight; here an instruction cannot start before
// the one `window` instructions earlier has retired.
//
// How: the simulator gives every executed block with its instructions' registers
// (DecodedBlock::registers, decoded once) and every data access with the address of its
// instruction (MemoryAccess::pc). When the next block starts, the collector walks the previous
// block's instructions in order: an instruction starts when its source registers are ready and,
// for a load, when the last store to the loaded bytes has its data; it completes its latency later
// and its destination registers (and stored bytes) are ready then. Memory is tracked per 8-byte word
// in a direct-mapped table (a word evicted from it costs a missed dependency, never a false one).
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/stats.hpp"

namespace simtune {

/// Nominal latencies of a generic out-of-order core, in cycles, by instruction class, and its
/// window (reorder buffer) in instructions.
struct DataflowCore {
    std::uint32_t int_alu = 1;
    std::uint32_t mul_div = 4;
    std::uint32_t fp_scalar = 4;
    std::uint32_t simd = 4;
    std::uint32_t load = 5;  ///< load to use, also added to an operation that reads memory
    std::uint32_t store = 1; ///< from the data's readiness to a load being able to forward it
    std::uint32_t branch = 0;
    std::uint32_t window = 256; ///< instructions in flight (a power of two)

    [[nodiscard]] std::uint32_t of(InsnClass c) const noexcept {
        switch (c) {
            case InsnClass::int_alu: return int_alu;
            case InsnClass::mul_div: return mul_div;
            case InsnClass::fp_scalar: return fp_scalar;
            case InsnClass::simd: return simd;
            case InsnClass::load: return 0; // the load latency is added for the access itself
            case InsnClass::store: return 0;
            case InsnClass::branch: return branch;
        }
        return 1;
    }
};

class DataflowCollector {
public:
    /// Throws Error(invalid_argument) if the window is not a power of two.
    explicit DataflowCollector(DataflowCore core = {})
        : core_(core), memory_(std::make_unique<std::array<Word, word_slots>>()), retired_(core.window, 0) {
        if (core.window == 0 || (core.window & (core.window - 1)) != 0)
            fail(ErrorKind::invalid_argument, "dataflow window of {} instructions: must be a power of two",
                 core.window);
    }

    [[nodiscard]] EventKind events() const noexcept {
        return EventKind::blocks | EventKind::memory | EventKind::dataflow;
    }

    void on_block(const DecodedBlock& block) {
        finish();
        current_ = block.registers;
    }
    void on_memory(const MemoryAccess& access) {
        if (current_) pending_.push_back(access);
    }

    /// Stats::dataflow_cycles: the longest chain so far, the block in progress included.
    void contribute(Stats& stats) const {
        // contribute() is const, but the block in progress must be walked before its chain counts;
        // walking it early is what the next on_block would have done.
        const_cast<DataflowCollector*>(this)->finish();
        stats.dataflow_cycles += longest_;
    }
    void reset() {
        current_.reset();
        pending_.clear();
        ready_.fill(0);
        std::fill(memory_->begin(), memory_->end(), Word{});
        std::fill(retired_.begin(), retired_.end(), 0);
        sequence_ = 0;
        longest_ = 0;
    }

    [[nodiscard]] const DataflowCore& core() const noexcept { return core_; }

private:
    static constexpr std::size_t word_slots = std::size_t{1} << 16;
    struct Word {
        std::uint64_t word = ~std::uint64_t{0}; ///< address / 8 of the word held, or all ones
        std::uint64_t ready = 0;                ///< when its last store's data was available
    };

    Word& slot(std::uint64_t word) noexcept { return (*memory_)[(word ^ (word >> 16)) & (word_slots - 1)]; }

    /// When the bytes an access reads were last stored (0 if not in the table).
    std::uint64_t stored_at(const MemoryAccess& a) noexcept {
        std::uint64_t t = 0;
        const std::uint64_t last = (a.address + std::max<std::uint32_t>(a.size, 1) - 1) >> 3;
        for (std::uint64_t w = a.address >> 3; w <= last; ++w)
            if (const Word& s = slot(w); s.word == w) t = std::max(t, s.ready);
        return t;
    }
    void store(const MemoryAccess& a, std::uint64_t ready) noexcept {
        const std::uint64_t last = (a.address + std::max<std::uint32_t>(a.size, 1) - 1) >> 3;
        for (std::uint64_t w = a.address >> 3; w <= last; ++w) slot(w) = Word{w, ready};
    }

    static constexpr std::uint32_t unplaced = ~std::uint32_t{0};

    /// Which instruction of the block in progress made each pending access (owner_), or unplaced.
    /// An access carrying the address of one of the block's instructions is that instruction's.
    /// The others (no address, or a stale one: Unicorn's program counter in a memory hook is not
    /// always the instruction's) are placed by order: at the first instruction from the last
    /// placed one on that accesses memory that way, one access each, except that the pieces of a
    /// split wide access (same address given, contiguous) stay together.
    void place_accesses() {
        const auto& insns = *current_;
        owner_.assign(pending_.size(), unplaced);
        std::uint32_t cursor = 0; // the instruction of the last placed access
        bool cursor_loaded = false, cursor_stored = false;
        for (std::size_t k = 0; k < pending_.size(); ++k) {
            const MemoryAccess& a = pending_[k];
            std::uint32_t owner = unplaced;
            if (a.pc != 0)
                for (std::uint32_t i = cursor; i < insns.size() && owner == unplaced; ++i)
                    if (insns[i].address == a.pc) owner = i;
            if (owner == unplaced && k > 0 && a.pc != 0 && owner_[k - 1] != unplaced) {
                const MemoryAccess& b = pending_[k - 1];
                if (b.pc == a.pc && b.is_store == a.is_store && b.address + b.size == a.address) owner = owner_[k - 1];
            }
            if (owner == unplaced)
                for (std::uint32_t i = cursor; i < insns.size(); ++i) {
                    const bool taken = i == cursor && (a.is_store ? cursor_stored : cursor_loaded);
                    if (!taken && (a.is_store ? insns[i].writes_memory : insns[i].reads_memory)) {
                        owner = i;
                        break;
                    }
                }
            if (owner == unplaced) continue;
            if (owner != cursor) cursor_loaded = cursor_stored = false;
            cursor = owner;
            (a.is_store ? cursor_stored : cursor_loaded) = true;
            owner_[k] = owner;
        }
    }

    /// Walks the block in progress with the accesses it made.
    void finish() {
        if (!current_) {
            pending_.clear();
            return;
        }
        place_accesses();
        std::size_t next = 0; // owners never decrease along the accesses
        const auto& insns = *current_;
        for (std::uint32_t index = 0; index < insns.size(); ++index) {
            const InsnRegisters& insn = insns[index];
            // The window: the instruction `window` places earlier must have retired.
            std::uint64_t& slot_of_window = retired_[sequence_++ & (retired_.size() - 1)];
            std::uint64_t start = slot_of_window;
            for (std::uint8_t i = 0; i < insn.read_count; ++i) start = std::max(start, ready_[insn.reads[i]]);
            bool loads = false;
            std::uint64_t stored = 0; // when the loaded bytes' last store had its data
            std::size_t first = next;
            for (; next < pending_.size() && (owner_[next] == unplaced || owner_[next] <= index); ++next)
                if (owner_[next] != unplaced && !pending_[next].is_store) {
                    loads = true;
                    stored = std::max(stored, stored_at(pending_[next]));
                }
            // A load waits for its address registers and the stored data. An operation with a
            // folded load (x86 `addss xmm0, [rax]`) starts its load early, as its address
            // registers are rarely on the chain: its register operand waits only for the operation.
            const std::uint32_t op = insn.is_move ? 0 : core_.of(insn.cls); // an eliminated move: none
            std::uint64_t done = start + op;
            if (loads)
                done = insn.cls == InsnClass::load ? std::max(start, stored) + core_.load
                                                   : std::max(start + op, stored + core_.load + op);
            for (; first < next; ++first)
                if (owner_[first] != unplaced && pending_[first].is_store) store(pending_[first], done + core_.store);
            for (std::uint8_t i = 0; i < insn.write_count; ++i) ready_[insn.writes[i]] = done;
            longest_ = std::max(longest_, done); // retirement is in order: the latest so far
            slot_of_window = longest_;
        }
        current_.reset();
        pending_.clear();
    }

    DataflowCore core_;
    std::shared_ptr<const std::vector<InsnRegisters>> current_; ///< the block in progress
    std::vector<MemoryAccess> pending_;                         ///< its accesses so far
    std::vector<std::uint32_t> owner_;                          ///< their instructions (place_accesses)
    std::array<std::uint64_t, register_slots> ready_{};         ///< when each register slot is ready
    std::unique_ptr<std::array<Word, word_slots>> memory_;      ///< when each word's data is ready
    std::vector<std::uint64_t> retired_;                        ///< retirement times of the last `window` instructions
    std::uint64_t sequence_ = 0;                                ///< instructions walked
    std::uint64_t longest_ = 0;                                 ///< the latest retirement so far
};

} // namespace simtune
