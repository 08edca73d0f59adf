#pragma once
// Stats: the named counters every simulator fills. Predictors see them as a fixed-order feature
// vector; the order below is part of the model-file format, so append, never reorder.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace simtune {

/// The class of one instruction. Exactly one class per instruction, chosen in this precedence:
/// branch (any control transfer); load / store (pure data movement to or from memory, any register
/// file, e.g. `mov rax,[m]`, `movups xmm0,[m]`, `ldr q0,[x1]`, `flw`); simd (packed or vector
/// compute); fp_scalar (scalar floating point compute); mul_div (integer multiply/divide);
/// int_alu (everything else: integer arithmetic, logic, register moves, address computation).
/// Compute instructions with a memory operand (`addps xmm0,[m]`) keep their compute class; their
/// memory traffic is counted by the memory counters (mem_reads/mem_writes), not by load/store.
enum class InsnClass : std::uint8_t {
    int_alu,
    mul_div,
    fp_scalar,
    simd,
    load,
    store,
    branch
};
inline constexpr std::size_t insn_class_count = 7;

constexpr std::string_view to_string(InsnClass c) noexcept {
    constexpr std::array<std::string_view, insn_class_count> names{"int_alu", "mul_div", "fp_scalar", "simd",
                                                                   "load",    "store",   "branch"};
    return names[static_cast<std::size_t>(c)];
}

/// Per-class instruction counts, indexed by InsnClass.
using ClassCounts = std::array<std::uint64_t, insn_class_count>;

struct Stats {
    std::uint64_t instructions = 0;   ///< executed instructions inside the region of interest
    ClassCounts by_class{};           ///< instructions by InsnClass; sums to `instructions`
    std::uint64_t branches_taken = 0; ///< executed control transfers that left the fall-through path
    std::uint64_t mem_reads = 0;      ///< memory read accesses (one per access, any width)
    std::uint64_t mem_writes = 0;     ///< memory write accesses
    std::uint64_t bytes_loaded = 0;
    std::uint64_t bytes_stored = 0;
    std::uint64_t l1d_accesses = 0, l1d_misses = 0; ///< simulated data caches, line granularity
    std::uint64_t l2_accesses = 0, l2_misses = 0;
    std::uint64_t llc_accesses = 0, llc_misses = 0;
    std::uint64_t basic_blocks = 0; ///< executed translation blocks (simulator-defined blocks)
    // Appended: LLVM MCA's static estimate of each executed block of the kernel's code on the
    // target's CPU model (isa/pipeline_model.hpp), times the block's executions. Zero unless the
    // pipeline collector ran.
    std::uint64_t mca_cycles = 0;          ///< sum of cycles per iteration (block run back to back)
    std::uint64_t mca_resource_cycles = 0; ///< sum of the blocks' resource-bound reciprocal throughput
    std::uint64_t mca_uops = 0;            ///< micro-ops issued
    std::uint64_t mca_unsupported = 0;     ///< executed instructions MCA could not model (1 cycle each)
    // Appended: what decides memory-bound kernels beyond the cache miss counts (CacheModel, with the
    // target's TLB geometry). A miss a hardware prefetcher would have hidden costs little; a miss of
    // the data TLB costs a page walk or a second-level TLB lookup. Zero unless the caches ran.
    std::uint64_t dtlb_misses = 0; ///< accesses whose 4 KiB page missed the first-level data TLB
    std::uint64_t stlb_misses = 0; ///< ... and the second-level TLB (a page walk)
    std::uint64_t l1d_stream_misses =
        0; ///< L1D misses continuing a stream in their page (+-1 line or a repeated stride)
    std::uint64_t l2_stream_misses = 0; ///< L2 misses continuing a stream in their page
    // Appended: which L1D misses were stores. A load miss overlaps with other work (the core keeps
    // many loads in flight); a store miss needs its line read for ownership before the store
    // buffer can drain, and a strided one that no stream prefetcher follows stalls the core once the
    // buffer is full (a transpose writing columns runs 5-10x slower than one reading them).
    std::uint64_t l1d_store_misses = 0;        ///< L1D misses of stores (write-allocate)
    std::uint64_t l1d_store_stream_misses = 0; ///< ... of them, those continuing a stream in their page
    /// Loads of data stored at most 64 accesses earlier (same 8-byte word): what the core forwards
    /// from its store buffer. A sum kept in memory (`y[i] += ...` or y[c] = y[c-1] + ...) puts the
    /// store-to-load round trip, ~5 cycles, on every iteration's dependency chain; LLVM MCA assumes
    /// no memory dependency and cannot see it.
    std::uint64_t store_forwarded_loads = 0;
    // Appended: the dataflow limit (collectors/dataflow.hpp). Zero unless the dataflow collector ran.
    /// Cycles of the longest chain of dependent instructions, through registers and memory, with
    /// nominal latencies and unlimited execution resources: what a loop-carried chain costs, which
    /// MCA's per-block throughput does not see when the chain runs through memory or across blocks.
    std::uint64_t dataflow_cycles = 0;
    // Appended: conditional branches a modelled predictor gets wrong (collectors/branches.hpp,
    // BranchPredictor). Zero unless the branch counter ran. A branch on data is free while it is
    // predicted and a pipeline refill each time it is not.
    std::uint64_t branch_mispredicts = 0;
    // Appended: the dataflow limit with memory (collectors/dataflow.hpp). Zero unless the dataflow
    // collector and the caches both ran.
    /// The dataflow walk again, but each load waits for the level the caches found its data in
    /// (a prefetched stream's line sooner, a TLB miss later), at most `miss_buffers` L1D misses are
    /// in flight at once, and at most `dispatch_width` instructions enter the window per cycle: how
    /// many misses overlap (memory-level parallelism), which a count of misses cannot say.
    std::uint64_t dataflow_memory_cycles = 0;

    /// Number of entries in the feature vector.
    static constexpr std::size_t feature_count = 1 + insn_class_count + 26;
    /// The counters before the pipeline counters were appended: what datasets written by earlier
    /// versions hold.
    static constexpr std::size_t base_feature_count = 1 + insn_class_count + 12;
    /// The counters before the TLB and stream counters were appended (with the pipeline counters).
    static constexpr std::size_t pipeline_feature_count = base_feature_count + 4;
    /// The counters before the store-miss and store-forwarding counters were appended.
    static constexpr std::size_t tlb_feature_count = pipeline_feature_count + 4;
    /// The counters before the dataflow limit was appended.
    static constexpr std::size_t store_feature_count = tlb_feature_count + 3;
    /// The counters before the branch mispredictions were appended.
    static constexpr std::size_t dataflow_feature_count = store_feature_count + 1;
    /// The counters before the dataflow limit with memory was appended.
    static constexpr std::size_t branch_feature_count = dataflow_feature_count + 1;
    /// Every prefix of feature_names() a dataset of some simtune version holds, oldest first.
    static constexpr std::array<std::size_t, 7> feature_layouts{
        base_feature_count,     pipeline_feature_count, tlb_feature_count, store_feature_count,
        dataflow_feature_count, branch_feature_count,   feature_count};

    /// Feature names in vector order: "instructions", "int_alu", ..., "basic_blocks".
    static std::span<const std::string_view> feature_names() noexcept {
        static constexpr std::array<std::string_view, feature_count> names{"instructions",
                                                                           "int_alu",
                                                                           "mul_div",
                                                                           "fp_scalar",
                                                                           "simd",
                                                                           "load",
                                                                           "store",
                                                                           "branch",
                                                                           "branches_taken",
                                                                           "mem_reads",
                                                                           "mem_writes",
                                                                           "bytes_loaded",
                                                                           "bytes_stored",
                                                                           "l1d_accesses",
                                                                           "l1d_misses",
                                                                           "l2_accesses",
                                                                           "l2_misses",
                                                                           "llc_accesses",
                                                                           "llc_misses",
                                                                           "basic_blocks",
                                                                           "mca_cycles",
                                                                           "mca_resource_cycles",
                                                                           "mca_uops",
                                                                           "mca_unsupported",
                                                                           "dtlb_misses",
                                                                           "stlb_misses",
                                                                           "l1d_stream_misses",
                                                                           "l2_stream_misses",
                                                                           "l1d_store_misses",
                                                                           "l1d_store_stream_misses",
                                                                           "store_forwarded_loads",
                                                                           "dataflow_cycles",
                                                                           "branch_mispredicts",
                                                                           "dataflow_memory_cycles"};
        return names;
    }

    /// The position of a feature name in feature_names(), or feature_count if there is none.
    static std::size_t feature_index(std::string_view name) noexcept {
        const auto names = feature_names();
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return i;
        return feature_count;
    }

    /// Counter `i` (< feature_count) in feature_names() order: the one place that maps the order
    /// to the fields, for every reader and writer of Stats as a sequence.
    [[nodiscard]] std::uint64_t& counter(std::size_t i) noexcept;
    [[nodiscard]] std::uint64_t counter(std::size_t i) const noexcept { return const_cast<Stats&>(*this).counter(i); }
    /// The counter of instruction class `c` (its by_class entry).
    [[nodiscard]] std::uint64_t& counter(InsnClass c) noexcept { return by_class[static_cast<std::size_t>(c)]; }
    [[nodiscard]] std::uint64_t counter(InsnClass c) const noexcept { return by_class[static_cast<std::size_t>(c)]; }

    /// The counters as doubles, in feature_names() order.
    [[nodiscard]] std::array<double, feature_count> to_features() const noexcept {
        std::array<double, feature_count> f{};
        for (std::size_t i = 0; i < feature_count; ++i) f[i] = static_cast<double>(counter(i));
        return f;
    }

    Stats& operator+=(const Stats& o) noexcept;
    friend bool operator==(const Stats&, const Stats&) = default;
};

inline std::uint64_t& Stats::counter(std::size_t i) noexcept {
    // After `instructions` and the per-class counts, the other counters in feature order.
    constexpr std::array<std::uint64_t Stats::*, feature_count - 1 - insn_class_count> rest{
        &Stats::branches_taken,
        &Stats::mem_reads,
        &Stats::mem_writes,
        &Stats::bytes_loaded,
        &Stats::bytes_stored,
        &Stats::l1d_accesses,
        &Stats::l1d_misses,
        &Stats::l2_accesses,
        &Stats::l2_misses,
        &Stats::llc_accesses,
        &Stats::llc_misses,
        &Stats::basic_blocks,
        &Stats::mca_cycles,
        &Stats::mca_resource_cycles,
        &Stats::mca_uops,
        &Stats::mca_unsupported,
        &Stats::dtlb_misses,
        &Stats::stlb_misses,
        &Stats::l1d_stream_misses,
        &Stats::l2_stream_misses,
        &Stats::l1d_store_misses,
        &Stats::l1d_store_stream_misses,
        &Stats::store_forwarded_loads,
        &Stats::dataflow_cycles,
        &Stats::branch_mispredicts,
        &Stats::dataflow_memory_cycles};
    if (i == 0) return instructions;
    if (i <= insn_class_count) return by_class[i - 1];
    return this->*rest[i - 1 - insn_class_count];
}

inline Stats& Stats::operator+=(const Stats& o) noexcept {
    for (std::size_t i = 0; i < feature_count; ++i) counter(i) += o.counter(i);
    return *this;
}

} // namespace simtune

/// Prints "instructions=… int_alu=… … basic_blocks=…" on one line.
template <>
struct fmt::formatter<simtune::Stats> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    auto format(const simtune::Stats& s, format_context& ctx) const {
        auto out = ctx.out();
        const auto names = simtune::Stats::feature_names();
        const auto values = s.to_features();
        for (std::size_t i = 0; i < values.size(); ++i)
            out = fmt::format_to(out, "{}{}={}", i ? " " : "", names[i], static_cast<std::uint64_t>(values[i]));
        return out;
    }
};
