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
//
// Where the caches ran too (CollectorSet passes MemoryAccess::served), a second walk of the same
// instructions gives Stats::dataflow_memory_cycles: a load waits for the level its data came from
// (14, 45, 250 cycles for L2, LLC, memory; a miss a stream prefetcher would have covered one level
// sooner; a TLB miss more), no more than `miss_buffers` L1D misses are in flight at once, each
// line's transfer occupies the path into L1D for its level's share of the bandwidth (prefetched or
// not, loads and stores), and at most `dispatch_width` instructions enter the window per cycle, so
// a window held up by a miss loses the cycles it could not dispatch in. Why: the cycle estimate
// charges each miss a fixed share of its latency in series, but a core overlaps independent misses
// (a GEMM tile with 8x the L1 misses of another ran faster on real hardware) and cannot overlap a
// chain of them (a gather through loaded indices). How many misses overlap is what this walk
// measures and a count of misses cannot say. On the corpus it ranks less well than the estimate
// (benchmarks/RESULTS.md, "The dataflow walk with memory"), and as a voter beside the shipped
// recipe it helped on one machine and hurt on the other ("Two machines"): it is a counter and an
// optional voter (model kind estimate-memory), not the base.
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
    // The walk with memory (dataflow_memory_cycles) only: load to use where the caches found the
    // data, what a TLB miss adds, how many L1D misses can be in flight, and how many instructions
    // enter the window per cycle. Nominal figures of a generic out-of-order core of the 2020s
    // (the cycle estimate's, features.hpp), not any one CPU's.
    std::uint32_t l2 = 14;           ///< an L1D miss that hits L2
    std::uint32_t llc = 45;          ///< an L2 miss that hits the last level
    std::uint32_t memory = 250;      ///< a miss of every level
    std::uint32_t dtlb_miss = 7;     ///< added for a first-level data TLB miss (a second-level lookup)
    std::uint32_t page_walk = 30;    ///< added instead for a second-level miss
    std::uint32_t miss_buffers = 16; ///< L1D misses in flight at once (fill buffers, MSHRs)
    std::uint32_t dispatch_width = 4;
    // Bandwidth: the cycles one line's transfer into L1D occupies the path it comes by (64 bytes
    // at 32, 16 and 8 bytes a cycle), prefetched or not, loads and stores (a store miss reads its
    // line for ownership). Overlap hides a miss's latency, never its transfer.
    std::uint32_t l2_line = 2;
    std::uint32_t llc_line = 4;
    std::uint32_t memory_line = 8;

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
        : core_(core), memory_(std::make_unique<std::array<Word, word_slots>>()) {
        if (core.window == 0 || (core.window & (core.window - 1)) != 0)
            fail(ErrorKind::invalid_argument, "dataflow window of {} instructions: must be a power of two",
                 core.window);
        if (core.miss_buffers == 0 || core.dispatch_width == 0)
            fail(ErrorKind::invalid_argument,
                 "dataflow core with {} miss buffers and a dispatch width of {}: both must be at least 1",
                 core.miss_buffers, core.dispatch_width);
        plain_.retired.assign(core.window, 0);
        with_memory_.retired.assign(core.window, 0);
        fills_.assign(core.miss_buffers, 0);
    }

    /// Whether the walk with memory runs (dataflow_memory_cycles): only where every access says
    /// where the caches found it (CollectorSet turns it on with the caches; off, the counter stays 0).
    void set_memory_walk(bool on) {
        memory_walk_ = on;
        if (on && !memory_with_) memory_with_ = std::make_unique<std::array<Word, word_slots>>();
    }
    [[nodiscard]] bool memory_walk() const noexcept { return memory_walk_; }

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
        stats.dataflow_cycles += plain_.longest;
        if (memory_walk_) stats.dataflow_memory_cycles += with_memory_.longest;
    }
    void reset() {
        current_.reset();
        pending_.clear();
        std::fill(memory_->begin(), memory_->end(), Word{});
        if (memory_with_) std::fill(memory_with_->begin(), memory_with_->end(), Word{});
        plain_.clear();
        with_memory_.clear();
        std::ranges::fill(fills_, 0);
        next_fill_ = 0;
        fill_path_ = 0;
    }

    [[nodiscard]] const DataflowCore& core() const noexcept { return core_; }

private:
    static constexpr std::size_t word_slots = std::size_t{1} << 16;
    struct Word {
        std::uint64_t word = ~std::uint64_t{0}; ///< address / 8 of the word held, or all ones
        std::uint64_t ready = 0;                ///< when its last store's data was available
    };

    /// One walk's state: when each register is ready, the retirement times of the last `window`
    /// instructions, the latest retirement so far, and (the walk with memory) the dispatch clock.
    struct Chain {
        std::array<std::uint64_t, register_slots> ready{};
        std::vector<std::uint64_t> retired;
        std::uint64_t sequence = 0; ///< instructions walked
        std::uint64_t longest = 0;
        std::uint64_t dispatch = 0;   ///< the cycle instructions now enter the window in
        std::uint32_t dispatched = 0; ///< ... and how many have entered in it
        void clear() {
            ready.fill(0);
            std::ranges::fill(retired, 0);
            sequence = longest = dispatch = 0;
            dispatched = 0;
        }
    };

    /// The word's slot in one walk's table (each walk has its own: a shared one let one walk's
    /// stores evict the other's words, which moved the plain walk's figure by a cycle).
    template <bool Memory>
    Word& slot(std::uint64_t word) noexcept {
        return (Memory ? *memory_with_ : *memory_)[(word ^ (word >> 16)) & (word_slots - 1)];
    }

    /// When the bytes an access reads were last stored (0 if not in the table), in one walk.
    template <bool Memory>
    std::uint64_t stored_at(const MemoryAccess& a) noexcept {
        std::uint64_t t = 0;
        const std::uint64_t last = (a.address + std::max<std::uint32_t>(a.size, 1) - 1) >> 3;
        for (std::uint64_t w = a.address >> 3; w <= last; ++w)
            if (const Word& s = slot<Memory>(w); s.word == w) t = std::max(t, s.ready);
        return t;
    }
    template <bool Memory>
    void store(const MemoryAccess& a, std::uint64_t ready) noexcept {
        const std::uint64_t last = (a.address + std::max<std::uint32_t>(a.size, 1) - 1) >> 3;
        for (std::uint64_t w = a.address >> 3; w <= last; ++w) slot<Memory>(w) = Word{w, ready};
    }

    /// The cycles an access's line transfer occupies the fill path (0: an L1D hit, or not known).
    [[nodiscard]] std::uint32_t line_cycles(const MemoryServed& served) const noexcept {
        const std::uint32_t by_level[] = {0, 0, core_.l2_line, core_.llc_line, core_.memory_line};
        return by_level[std::min<std::uint32_t>(served.level, 4)];
    }
    /// A line arriving no sooner than `ready` that takes `cycles` of the fill path: when it has
    /// arrived (after the lines before it have).
    std::uint64_t transfer(std::uint64_t ready, std::uint32_t cycles) noexcept {
        if (cycles == 0) return ready;
        fill_path_ = std::max(ready, fill_path_ + cycles);
        return fill_path_;
    }

    /// Load to use of an access in the walk with memory (served.level 0, not known: an L1D hit).
    [[nodiscard]] std::uint32_t latency(const MemoryServed& served) const noexcept {
        std::uint32_t level = served.level;
        if (served.stream && level >= 2) --level; // the prefetcher fetched it a level closer
        const std::uint32_t by_level[] = {core_.load, core_.load, core_.l2, core_.llc, core_.memory};
        const std::uint32_t tlb = served.tlb == 0 ? 0 : served.tlb == 1 ? core_.dtlb_miss : core_.page_walk;
        return by_level[std::min<std::uint32_t>(level, 4)] + tlb;
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

    /// Walks the block in progress with the accesses it made (and again with memory).
    void finish() {
        if (!current_) {
            pending_.clear();
            return;
        }
        place_accesses();
        walk<false>(plain_);
        if (memory_walk_) walk<true>(with_memory_);
        current_.reset();
        pending_.clear();
    }

    template <bool Memory>
    void walk(Chain& chain) {
        std::size_t next = 0; // owners never decrease along the accesses
        const auto& insns = *current_;
        const std::uint64_t window_mask = chain.retired.size() - 1;
        for (std::uint32_t index = 0; index < insns.size(); ++index) {
            const InsnRegisters& insn = insns[index];
            // The window: the instruction `window` places earlier must have retired.
            std::uint64_t& slot_of_window = chain.retired[chain.sequence++ & window_mask];
            std::uint64_t start = slot_of_window;
            std::uint64_t dispatched_at = 0; // (the plain walk has no dispatch limit)
            if constexpr (Memory) {
                // Dispatch: `dispatch_width` instructions a cycle, and none before the window has room.
                if (chain.dispatched == core_.dispatch_width) {
                    ++chain.dispatch;
                    chain.dispatched = 0;
                }
                if (start > chain.dispatch) {
                    chain.dispatch = start;
                    chain.dispatched = 0;
                }
                ++chain.dispatched;
                start = dispatched_at = chain.dispatch;
            }
            for (std::uint8_t i = 0; i < insn.read_count; ++i) start = std::max(start, chain.ready[insn.reads[i]]);
            bool loads = false, misses = false;
            std::uint32_t load_latency = core_.load, load_line = 0;
            std::uint64_t stored = 0; // when the loaded bytes' last store had its data
            std::size_t first = next;
            for (; next < pending_.size() && (owner_[next] == unplaced || owner_[next] <= index); ++next)
                if (owner_[next] != unplaced && !pending_[next].is_store) {
                    loads = true;
                    stored = std::max(stored, stored_at<Memory>(pending_[next]));
                    if constexpr (Memory) {
                        const MemoryServed& served = pending_[next].served;
                        load_latency = std::max(load_latency, latency(served));
                        load_line = std::max(load_line, line_cycles(served));
                        misses = misses || (served.level >= 2 && !(served.stream && served.level == 2));
                    }
                }
            // A load waits for its address registers and the stored data. An operation with a
            // folded load (x86 `addss xmm0, [rax]`) issues its load early, as its address
            // registers are rarely on the chain (the plain walk: at once; with memory: when it is
            // dispatched): its register operand waits only for the operation. With memory, a miss
            // also waits for a free miss buffer; data still in the store buffer comes from there.
            const std::uint32_t op = insn.is_move ? 0 : core_.of(insn.cls); // an eliminated move: none
            std::uint64_t done = start + op;
            if (loads) {
                std::uint64_t issue = insn.cls == InsnClass::load ? start : dispatched_at;
                if constexpr (Memory)
                    if (misses) issue = std::max(issue, fills_[next_fill_]);
                if (stored > issue) { // from the store buffer
                    load_latency = core_.load;
                    load_line = 0;
                }
                std::uint64_t arrives = std::max(issue, stored) + load_latency;
                if constexpr (Memory)
                    if (stored <= issue) arrives = transfer(arrives, load_line);
                done = insn.cls == InsnClass::load ? arrives : std::max(start + op, arrives + op);
                if constexpr (Memory)
                    if (misses) {
                        fills_[next_fill_] = arrives;
                        next_fill_ = next_fill_ + 1 == fills_.size() ? 0 : next_fill_ + 1;
                    }
            }
            for (; first < next; ++first)
                if (owner_[first] != unplaced && pending_[first].is_store) {
                    store<Memory>(pending_[first], done + core_.store);
                    // A store miss waits in the store buffer, but its line still takes the path.
                    if constexpr (Memory) (void)transfer(done, line_cycles(pending_[first].served));
                }
            for (std::uint8_t i = 0; i < insn.write_count; ++i) chain.ready[insn.writes[i]] = done;
            chain.longest = std::max(chain.longest, done); // retirement is in order: the latest so far
            slot_of_window = chain.longest;
        }
    }

    DataflowCore core_;
    std::shared_ptr<const std::vector<InsnRegisters>> current_; ///< the block in progress
    std::vector<MemoryAccess> pending_;                         ///< its accesses so far
    std::vector<std::uint32_t> owner_;                          ///< their instructions (place_accesses)
    std::unique_ptr<std::array<Word, word_slots>> memory_;      ///< when each word's data is ready
    std::unique_ptr<std::array<Word, word_slots>> memory_with_; ///< the same in the walk with memory
    Chain plain_;                                               ///< the walk with nominal latencies
    Chain with_memory_;                                         ///< the walk with memory
    std::vector<std::uint64_t> fills_; ///< the walk with memory: when each miss buffer is free again
    std::size_t next_fill_ = 0;        ///< the buffer the next miss takes (the least recently taken)
    std::uint64_t fill_path_ = 0;      ///< when the last line transfer into L1D ends
    bool memory_walk_ = false;
};

} // namespace simtune
