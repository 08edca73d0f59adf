#pragma once
// The collectors of one simulation run, chosen per run so users pay only for what they need.
//
// Division of labour: the simulator itself always fills Stats::instructions and
// Stats::basic_blocks (it counts them anyway to enforce the instruction limit); InstructionMix fills
// by_class; BranchCounter fills branches_taken; MemoryTraffic fills mem_reads/mem_writes and bytes;
// CacheModel fills the l1d/l2/llc accesses and misses; PipelineCollector fills the mca_* counters;
// DataflowCollector fills dataflow_cycles and, with the caches, dataflow_memory_cycles.
//
// The built-in collectors are held by value and called directly (no virtual call on the hot path);
// user collectors (any type modelling StatsCollector) are type-erased and called after them.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "simtune/collectors/branches.hpp"
#include "simtune/collectors/cache.hpp"
#include "simtune/collectors/dataflow.hpp"
#include "simtune/collectors/instruction_mix.hpp"
#include "simtune/collectors/memory.hpp"
#include "simtune/collectors/pipeline.hpp"
#include "simtune/concepts.hpp"
#include "simtune/events.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

/// Move-only (user collectors are owned through type erasure). Adding a built-in collector that is
/// already present replaces it (and so resets it); user collectors accumulate.
class CollectorSet {
public:
    CollectorSet() = default; ///< no collectors: the run counts instructions and blocks only

    /// Instruction mix only.
    static CollectorSet mix_only() {
        CollectorSet set;
        set.add_mix();
        return set;
    }
    /// Everything: mix, branches, memory traffic, the target's cache hierarchy (starting as
    /// `start` says, add_caches), its pipeline model and the dataflow limit.
    static CollectorSet all(const Target& target, CacheStart start = CacheStart::cold) {
        CollectorSet set;
        set.add_mix().add_branches().add_memory().add_caches(target.caches, start).add_pipeline(target).add_dataflow();
        return set;
    }

    CollectorSet& add_mix() {
        mix_.emplace();
        return *this;
    }
    CollectorSet& add_branches() {
        branches_.emplace();
        return *this;
    }
    CollectorSet& add_memory() {
        memory_.emplace();
        return *this;
    }
    /// The target's caches, starting each run empty (CacheStart::cold: what the shipped models are
    /// trained on), with the kernel's buffers cached (CacheStart::warm, warm_caches), or as the
    /// kernel's previous run left them (CacheStart::steady: the simulator runs it twice and counts
    /// the second run, reset_for_repeat). Throws Error(invalid_argument) if a level's geometry
    /// cannot be simulated.
    CollectorSet& add_caches(const CacheHierarchy& geometry, CacheStart start = CacheStart::cold) {
        caches_.emplace(geometry);
        cache_start_ = start;
        if (dataflow_) dataflow_->set_memory_walk(true);
        return *this;
    }
    /// LLVM MCA's block costs on the target's CPU model (Target::pipeline_cpu); the model itself is
    /// created when a simulator first binds a kernel (bind()).
    CollectorSet& add_pipeline(const Target& target) {
        pipeline_.emplace(PipelineCpu::of(target));
        return *this;
    }
    /// The dataflow limit (dataflow_cycles) with a generic core's latencies; with the caches also
    /// the limit with memory (dataflow_memory_cycles), whichever is added first.
    CollectorSet& add_dataflow(DataflowCore core = {}) {
        dataflow_.emplace(core);
        dataflow_->set_memory_walk(caches_.has_value());
        return *this;
    }
    /// Adds a user collector; it sees the same events as the built-in ones (those it asks for in
    /// its events()), after them.
    template <StatsCollector C>
    CollectorSet& add(C collector) {
        auto erased = std::make_unique<UserCollector<C>>(std::move(collector));
        const EventKind wanted = erased->events();
        if (has(wanted, EventKind::blocks)) block_users_.push_back(erased.get());
        if (has(wanted, EventKind::memory)) memory_users_.push_back(erased.get());
        users_.push_back(std::move(erased));
        return *this;
    }

    /// The union of what the collectors need; a simulator installs only these hooks.
    [[nodiscard]] EventKind events() const noexcept {
        EventKind e = EventKind::none;
        if (mix_) e = e | mix_->events();
        if (branches_) e = e | branches_->events();
        if (memory_) e = e | memory_->events();
        if (caches_) e = e | caches_->events();
        if (pipeline_) e = e | pipeline_->events();
        if (dataflow_) e = e | dataflow_->events();
        for (const auto& user : users_) e = e | user->events();
        return e;
    }

    void on_block(const DecodedBlock& block) { on_block(block, true); }
    /// The same, the dataflow collector only if `dataflow` (a sampled run walks it in its windows).
    void on_block(const DecodedBlock& block, bool dataflow) {
        if (mix_) mix_->on_block(block);
        if (branches_) branches_->on_block(block);
        if (dataflow_ && dataflow) dataflow_->on_block(block);
        for (Erased* user : block_users_) user->on_block(block);
    }
    void on_memory(const MemoryAccess& access) {
        if (memory_) memory_->on_memory(access);
        if (caches_ && dataflow_ && dataflow_->memory_walk()) {
            // The walk with memory needs to know where the caches found the data.
            MemoryAccess served = access;
            served.served = caches_->access_served(access.address, access.size, access.is_store);
            dataflow_->on_memory(served);
        } else {
            if (caches_) caches_->on_memory(access);
            if (dataflow_) dataflow_->on_memory(access);
        }
        for (Erased* user : memory_users_) user->on_memory(access);
    }
    /// `runs` executions of `block` in a few calls instead of one per execution. Only when the
    /// instruction mix is the one collector that reads blocks (no branch counter, no user block
    /// collector: Error(invalid_argument) otherwise): its sums are linear, so a block whose
    /// histogram is scaled by k stands for k executions. Both simulators feed the mix this way from
    /// their per-block execution counts. Chunks keep every scaled count (each at most the block's
    /// instructions × k) within 32 bits.
    void on_block_repeated(const DecodedBlock& block, std::uint64_t runs) {
        if (branches_ || dataflow_ || !block_users_.empty())
            fail(ErrorKind::invalid_argument,
                 "on_block_repeated: a branch counter, dataflow or user collector needs every execution in order");
        if (!mix_ || runs == 0) return;
        const std::uint64_t chunk =
            std::numeric_limits<std::uint32_t>::max() / std::max<std::uint32_t>(1, block.instructions);
        auto scaled = [&](std::uint64_t k) {
            DecodedBlock copy = block;
            copy.instructions = static_cast<std::uint32_t>(std::uint64_t{block.instructions} * k);
            for (auto& c : copy.class_counts) c = static_cast<std::uint32_t>(std::uint64_t{c} * k);
            return copy;
        };
        if (runs >= chunk) {
            const DecodedBlock big = scaled(chunk);
            for (; runs >= chunk; runs -= chunk) mix_->on_block(big);
        }
        if (runs > 0) mix_->on_block(scaled(runs));
    }
    /// After a run: `executions` runs of the block [address, end) (EventKind::block_counts).
    void on_block_executions(std::uint64_t address, std::uint64_t end, std::uint64_t executions) {
        if (pipeline_) pipeline_->add_executions(address, end, executions);
    }
    /// Before a run: the binary the run executes, for collectors that read its code. Creates the
    /// pipeline model on first use (Error(invalid_argument) for a CPU LLVM cannot model).
    void bind(const KernelBinary& kernel) {
        if (pipeline_) pipeline_->bind(kernel, PipelineModel::shared(pipeline_->cpu()));
    }

    /// Before a run, after reset(): the caches as a previous run of the kernel left them (its
    /// buffers, `buffers`, where the simulator placed them; CacheModel::warm) if the cache model
    /// was added with CacheStart::warm. Both simulators call it, each with its own layout.
    void warm_caches(std::span<const AddressRange> buffers) noexcept {
        if (caches_start_warm()) caches_->warm(buffers);
    }
    /// True if a cache model is chosen and starts warm (warm_caches does something).
    [[nodiscard]] bool caches_start_warm() const noexcept { return caches_ && cache_start_ == CacheStart::warm; }
    /// True if a cache model is chosen and starts steady: the simulator must run the kernel once
    /// before the run it counts, and call reset_for_repeat() in between.
    [[nodiscard]] bool caches_start_steady() const noexcept { return caches_ && cache_start_ == CacheStart::steady; }

    /// Adds every collector's counters to `stats`.
    void contribute(Stats& stats) const {
        if (mix_) mix_->contribute(stats);
        if (branches_) branches_->contribute(stats);
        if (memory_) memory_->contribute(stats);
        if (caches_) caches_->contribute(stats);
        if (pipeline_) pipeline_->contribute(stats);
        if (dataflow_) dataflow_->contribute(stats);
        for (const auto& user : users_) user->contribute(stats);
    }
    /// Between a steady run's two passes: resets every collector but the caches, which keep their
    /// lines and zero their counters (CacheModel::begin_repeat).
    void reset_for_repeat() {
        reset_all_but_caches();
        if (caches_) caches_->begin_repeat();
    }
    /// A steady run's first pass only has to leave the caches as a run leaves them: this moves the
    /// cache model out into a set of its own (starting cold), for the simulator to run that pass
    /// with; end_priming() takes it back. Why: every other collector's counts of that pass are
    /// thrown away, and feeding them (the dataflow walk above all) costs as much as the counted
    /// pass. The caches see the same accesses either way, so they end up the same (tested).
    /// Error(invalid_argument) if the caches do not start steady.
    [[nodiscard]] CollectorSet begin_priming() {
        if (!caches_start_steady())
            fail(ErrorKind::invalid_argument, "begin_priming: the caches must be chosen and start steady");
        CollectorSet priming;
        priming.caches_.emplace(std::move(*caches_));
        caches_.reset();
        return priming;
    }
    /// After the priming pass: takes back the cache model begin_priming() moved into `priming`,
    /// with the lines and TLB entries that pass left; reset_for_repeat() then starts the counted
    /// pass.
    void end_priming(CollectorSet&& priming) {
        if (!priming.caches_ || caches_) fail(ErrorKind::invalid_argument, "end_priming: no begin_priming() to end");
        caches_.emplace(std::move(*priming.caches_));
        priming.caches_.reset();
    }
    /// Resets every collector (keeps the choice of collectors).
    void reset() {
        reset_all_but_caches();
        if (caches_) caches_->reset();
    }

    /// The built-in collectors, or nullptr if not chosen (for inspection and tests).
    [[nodiscard]] const InstructionMix* instruction_mix() const noexcept { return ptr(mix_); }
    [[nodiscard]] const BranchCounter* branch_counter() const noexcept { return ptr(branches_); }
    [[nodiscard]] const MemoryTraffic* memory_traffic() const noexcept { return ptr(memory_); }
    [[nodiscard]] const CacheModel* cache_model() const noexcept { return ptr(caches_); }
    [[nodiscard]] const PipelineCollector* pipeline() const noexcept { return ptr(pipeline_); }
    [[nodiscard]] const DataflowCollector* dataflow() const noexcept { return ptr(dataflow_); }
    /// The same, to feed (a sampled run walks it in its windows only).
    [[nodiscard]] DataflowCollector* dataflow() noexcept { return ptr(dataflow_); }
    [[nodiscard]] std::size_t user_collector_count() const noexcept { return users_.size(); }
    /// User collectors that want every memory access (a sampled run cannot give them that).
    [[nodiscard]] std::size_t user_memory_collector_count() const noexcept { return memory_users_.size(); }
    /// The cache model, for a simulator that feeds it directly (a sampled run feeds it only inside
    /// windows), or nullptr.
    [[nodiscard]] CacheModel* cache_model() noexcept { return ptr(caches_); }

private:
    void reset_all_but_caches() {
        if (mix_) mix_->reset();
        if (branches_) branches_->reset();
        if (memory_) memory_->reset();
        if (pipeline_) pipeline_->reset();
        if (dataflow_) dataflow_->reset();
        for (const auto& user : users_) user->reset();
    }

    struct Erased {
        virtual ~Erased() = default;
        [[nodiscard]] virtual EventKind events() const = 0;
        virtual void on_block(const DecodedBlock&) = 0;
        virtual void on_memory(const MemoryAccess&) = 0;
        virtual void contribute(Stats&) const = 0;
        virtual void reset() = 0;
    };
    template <class C>
    struct UserCollector final : Erased {
        C collector;
        explicit UserCollector(C c) : collector(std::move(c)) {}
        [[nodiscard]] EventKind events() const override { return collector.events(); }
        void on_block(const DecodedBlock& b) override { collector.on_block(b); }
        void on_memory(const MemoryAccess& a) override { collector.on_memory(a); }
        void contribute(Stats& s) const override { collector.contribute(s); }
        void reset() override { collector.reset(); }
    };

    template <class T>
    static const T* ptr(const std::optional<T>& o) noexcept {
        return o ? &*o : nullptr;
    }
    template <class T>
    static T* ptr(std::optional<T>& o) noexcept {
        return o ? &*o : nullptr;
    }

    std::optional<InstructionMix> mix_;
    std::optional<BranchCounter> branches_;
    std::optional<MemoryTraffic> memory_;
    std::optional<CacheModel> caches_;
    CacheStart cache_start_ = CacheStart::cold;
    std::optional<PipelineCollector> pipeline_;
    std::optional<DataflowCollector> dataflow_;
    std::vector<std::unique_ptr<Erased>> users_;
    // Dispatch lists: the users that asked for each kind of event (owned by users_).
    std::vector<Erased*> block_users_;
    std::vector<Erased*> memory_users_;
};

static_assert(StatsCollector<InstructionMix>);
static_assert(StatsCollector<MemoryTraffic>);
static_assert(StatsCollector<BranchCounter>);
static_assert(StatsCollector<CacheModel>);
static_assert(StatsCollector<PipelineCollector>);
static_assert(StatsCollector<DataflowCollector>);
static_assert(StatsCollector<CollectorSet>);

} // namespace simtune
