// Sampled runs of the Unicorn engine (SamplingOptions; the twin-engine design is in
// unicorn_engine.hpp). The schedule is the QEMU plugin's: the first window from the kernel's
// entry, warm-up and window together, measured; then every period, at a random offset, a warm-up
// that only warms the caches and a measured window. The estimates are WindowEstimator's, and the
// traffic is per block, as in the plugin, so the two simulators sample alike.
//
// Phase boundaries fall between blocks. The block hook counts down the phase; a step that needs
// the other engine (a window's end, a window's start) asks the running one to stop, which Unicorn
// 2.0.1 does right after the hook, before the block runs (the hook takes its count back), and
// run_sampled() moves the CPU state across and takes the step there, where the instructions and
// the caches' counts are exactly those of what has run.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "simtune/collectors/cache.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/error.hpp"
#include "unicorn_engine.hpp"

namespace simtune::unicorn {

namespace {
constexpr std::int64_t until_switch = std::numeric_limits<std::int64_t>::max();
}

void Engine::open_twin() {
    twin_ = open_engine(conv_);
    twin_hooks_.emplace(twin_.get());
    map_memory(twin_.get());
    add_hooks(*twin_hooks_, /*memory=*/false);
    set_fixed_registers(twin_.get());
    uc_context* context = nullptr;
    check(uc_context_alloc(uc_.get(), &context), "allocating a context");
    switch_context_.reset(context);
}

Stats Engine::cache_counts() const {
    Stats counts;
    if (caches_ != nullptr) caches_->contribute(counts);
    if (dataflow_ != nullptr) dataflow_->contribute(counts);
    return counts;
}

void Engine::start_sampling(const SamplingOptions& sampling) {
    if (sampling.window == 0 || sampling.period <= sampling.warmup + sampling.window ||
        sampling.exact_prefix > (std::uint64_t{1} << 62))
        fail(ErrorKind::invalid_argument,
             "sampling needs a window > 0 and a period longer than warm-up + window (period {}, warm-up {}, "
             "window {})",
             sampling.period, sampling.warmup, sampling.window);
    sampling_ = sampling;
    for (auto& entry : block_store_)
        entry.watched = entry.reads = entry.writes = entry.bytes_read = entry.bytes_written = entry.lines =
            entry.first_window_executions = 0;
    estimator_ = WindowEstimator{};
    window_offset_ = 0;
    random_ = 0x9e3779b97f4a7c15ULL;
    line_shift_ = caches_ != nullptr ? static_cast<unsigned>(std::countr_zero(caches_->geometry().l1d.line_bytes)) : 6;
    current_ = &unattributed_;
    switch_requested_ = just_switched_ = false;
    stop_at_instruction_ = no_instruction;
    profile_left_ = until_switch;
    // The first window: from the entry, with the caches as exact counting starts them, measured
    // throughout its warm-up and window.
    active_ = uc_.get();
    begin_measuring(0);
    phase_remaining_ = static_cast<std::int64_t>(std::max(sampling_.warmup + sampling_.window, sampling_.exact_prefix));
}

void Engine::begin_measuring(std::uint64_t at) {
    phase_ = SamplePhase::measure;
    feed_caches_ = caches_ != nullptr;
    feed_dataflow_ = dataflow_ != nullptr;
    window_start_ = at;
    window_start_counts_ = cache_counts();
    if (caches_ != nullptr) window_start_certainty_ = caches_->certainty();
    phase_remaining_ = static_cast<std::int64_t>(sampling_.window);
}

void Engine::begin_window(std::uint64_t at) {
    profile_left_ = until_switch;
    if (caches_ != nullptr) caches_->begin_epoch(); // what they hold from before is stale now
    if (sampling_.warmup == 0) return begin_measuring(at);
    phase_ = SamplePhase::warm;
    feed_caches_ = caches_ != nullptr;
    feed_dataflow_ = dataflow_ != nullptr;
    phase_remaining_ = static_cast<std::int64_t>(
        estimator_.warmup_length(sampling_.warmup, sampling_.warmup_limit, sampling_.period, sampling_.window,
                                 caches_ != nullptr ? caches_->l1d_lines() : 0));
}

void Engine::finish_window(std::uint64_t at) {
    if (estimator_.windows() == 0) // the first window: which code it ran (estimate_sampled)
        for (auto& entry : block_store_) entry.first_window_executions = entry.executions;
    SampleWindow w;
    w.instructions = at - window_start_;
    const Stats counts = cache_counts();
    for (std::size_t i = 0; i < Stats::feature_count; ++i)
        w.counts.counter(i) = counts.counter(i) - window_start_counts_.counter(i);
    if (caches_ != nullptr) w.certainty = caches_->certainty() - window_start_certainty_;
    estimator_.add(w, at);
}

/// A block that first runs between windows is watched for this many instructions, so its
/// accesses per execution are measured rather than guessed (the traffic estimate is per block).
constexpr std::int64_t profile_instructions = 10'000;

// From the block hook, for a block counted but not run yet, when the phase's count ran out or (in
// the twin) the block was never watched. Returns whether the engine stops for a switch, which it
// does before the block runs.
bool Engine::next_sample_step(const BlockEntry& entry) {
    const std::uint64_t before_block = executed() - entry.block.instructions;
    const bool in_twin = active_ != uc_.get();
    switch (phase_) {
        case SamplePhase::warm: // same engine: the window begins with this block
            begin_measuring(before_block);
            return false;
        case SamplePhase::measure: step_ = SampleStep::end_window; break;
        case SamplePhase::off:
            if (phase_remaining_ <= 0) {
                if (!in_twin) { // still watching a new block: the window begins here
                    begin_window(before_block);
                    return false;
                }
                step_ = SampleStep::start_window;
            } else {
                step_ = in_twin ? SampleStep::profile : SampleStep::end_profile;
            }
            break;
    }
    switch_requested_ = true;
    if (instruction_events_ && !in_twin) stop_at_instruction_ = entry.block.address;
    else uc_emu_stop(active_);
    return true;
}

// Between two blocks, after the running engine stopped for step_: the CPU state moves to the other
// engine and the step is taken.
void Engine::switch_engine() {
    uc_engine* to = active_ == uc_.get() ? twin_.get() : uc_.get();
    check(uc_context_save(active_, switch_context_.get()), "saving the CPU state");
    check(uc_context_restore(to, switch_context_.get()), "moving the CPU state to the other engine");
    active_ = to;
    just_switched_ = true;
    const std::uint64_t now = executed();
    switch (step_) {
        case SampleStep::end_window: {
            finish_window(now);
            phase_ = SamplePhase::off;
            feed_caches_ = feed_dataflow_ = false;
            profile_left_ = until_switch;
            // The next window at a random offset in the next period (a fixed stride aliases with loops).
            const std::uint64_t slack = sampling_.period - sampling_.warmup - sampling_.window;
            const std::uint64_t next = next_window_offset(random_, slack);
            phase_remaining_ = static_cast<std::int64_t>(slack - window_offset_ + next);
            window_offset_ = next;
            break;
        }
        case SampleStep::start_window: begin_window(now); break;
        case SampleStep::profile: profile_left_ = profile_instructions; break;
        case SampleStep::end_profile: profile_left_ = until_switch; break;
    }
}

uc_err Engine::run_sampled(std::uint64_t begin) {
    const std::uint64_t sentinel = layout_.sentinel.address;
    std::uint64_t pc = begin;
    for (;;) {
        switch_requested_ = false;
        const uc_err err = uc_emu_start(active_, pc, sentinel, 0, 0);
        if (err != UC_ERR_OK || stop_ != Stop::none || !switch_requested_) return err;
        pc = read_pc();
        if (stop_at_instruction_ != no_instruction) {
            if (pc != stop_at_instruction_)
                fail(ErrorKind::simulation_fault,
                     "internal: the engine asked to stop before the instruction at {:#x} stopped at {:#x} (the "
                     "instruction mix would miscount)",
                     stop_at_instruction_, pc);
            stop_at_instruction_ = no_instruction;
        }
        if (pc == sentinel) return err;
        switch_engine();
    }
}

void Engine::finish_sampling(bool completed) {
    if (completed && phase_ == SamplePhase::measure) finish_window(executed()); // the last window, cut short
    feed_caches_ = feed_dataflow_ = false;
    active_ = uc_.get();
}

void Engine::on_memory_sampled(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t,
                               void* self) {
    auto& e = *static_cast<Engine*>(self);
    const bool store = type == UC_MEM_WRITE;
    const auto bytes = static_cast<std::uint32_t>(size);
    BlockEntry& b = *e.current_;
    b.reads += !store;
    b.writes += store;
    (store ? b.bytes_written : b.bytes_read) += bytes;
    const std::uint64_t line = address >> e.line_shift_, last = (address + (bytes ? bytes - 1 : 0)) >> e.line_shift_;
    b.lines += last - line + 1;
    MemoryAccess access{address, bytes, store, e.instruction_};
    if (e.feed_caches_) {
        if (e.feed_dataflow_ && e.dataflow_->memory_walk())
            access.served = e.caches_->access_served(address, bytes, store); // the walk with memory
        else e.caches_->access(address, bytes, store);
    }
    if (e.feed_dataflow_) e.dataflow_->on_memory(access);
}

void Engine::estimate_sampled(Stats& stats, SamplingSummary& summary, bool traffic) const {
    // Traffic: each block's accesses per watched execution times its executions.
    std::array<double, 5> estimate{}, watched{};
    double watched_instructions = 0, unwatched_instructions = 0;
    for (const auto& entry : block_store_) {
        if (entry.executions == 0) continue;
        const double instructions = static_cast<double>(entry.block.instructions);
        if (entry.watched == 0) {
            unwatched_instructions += static_cast<double>(entry.executions) * instructions;
            continue;
        }
        const std::array<double, 5> tallies{static_cast<double>(entry.reads), static_cast<double>(entry.writes),
                                            static_cast<double>(entry.bytes_read),
                                            static_cast<double>(entry.bytes_written), static_cast<double>(entry.lines)};
        const double scale = static_cast<double>(entry.executions) / static_cast<double>(entry.watched);
        for (std::size_t i = 0; i < tallies.size(); ++i) {
            estimate[i] += tallies[i] * scale;
            watched[i] += tallies[i];
        }
        watched_instructions += static_cast<double>(entry.watched) * instructions;
    }
    // Blocks that only ever ran between windows: the watched blocks' accesses per instruction.
    if (unwatched_instructions > 0 && watched_instructions > 0)
        for (std::size_t i = 0; i < estimate.size(); ++i)
            estimate[i] += watched[i] / watched_instructions * unwatched_instructions;
    auto rounded = [](double v) { return static_cast<std::uint64_t>(std::llround(std::max(0.0, v))); };
    if (traffic) {
        stats.mem_reads = rounded(estimate[0]);
        stats.mem_writes = rounded(estimate[1]);
        stats.bytes_loaded = rounded(estimate[2]);
        stats.bytes_stored = rounded(estimate[3]);
    }
    summary.windows = estimator_.windows();
    summary.measured_instructions = estimator_.measured_instructions();
    summary.retranslations = 0; // Unicorn switches engines instead
    WindowEstimator estimator = estimator_;
    if (estimator.windows() == 1) {
        // No window after the first: what the rest's code may hold beyond the first window's rate
        // (WindowEstimator::set_unvouched). At most, every L1D line that part accessed missed, and
        // each of its instructions waited the longest latency on the one before it.
        const double lines_per_instruction = watched_instructions > 0 ? watched[4] / watched_instructions : 0;
        std::vector<BlockRun> blocks;
        for (const auto& entry : block_store_) {
            const auto instructions = static_cast<double>(entry.block.instructions);
            blocks.push_back({static_cast<double>(entry.first_window_executions) * instructions,
                              static_cast<double>(entry.executions - entry.first_window_executions) * instructions,
                              entry.watched != 0 && instructions > 0
                                  ? static_cast<double>(entry.lines) / static_cast<double>(entry.watched) / instructions
                                  : lines_per_instruction});
        }
        double longest = 0, longest_with_memory = 0;
        if (dataflow_ != nullptr) {
            const DataflowCore& core = dataflow_->core();
            const std::uint32_t op = std::max({core.int_alu, core.mul_div, core.fp_scalar, core.simd, core.store});
            longest = core.load + op;
            if (dataflow_->memory_walk())
                longest_with_memory = std::max({core.load, core.l2, core.llc, core.memory}) + core.page_walk + op;
        }
        estimator.set_unvouched(unvouched_part(blocks), longest, longest_with_memory);
    }
    if (caches_ != nullptr) {
        stats.l1d_accesses = rounded(estimate[4]);
        estimator.fill(stats, summary.half_width, stats.instructions);
    }
    if (dataflow_ != nullptr)
        for (auto [name, field] : {std::pair{"dataflow_cycles", &Stats::dataflow_cycles},
                                   std::pair{"dataflow_memory_cycles", &Stats::dataflow_memory_cycles}}) {
            if (field == &Stats::dataflow_memory_cycles && !dataflow_->memory_walk()) continue;
            const auto [value, half] = estimator.estimate(Stats::feature_index(name), name, stats.instructions);
            stats.*field = rounded(value);
            summary.half_width.*field = static_cast<std::uint64_t>(std::ceil(half));
        }
}

} // namespace simtune::unicorn
