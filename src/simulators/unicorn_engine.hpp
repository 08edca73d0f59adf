#pragma once
// The Unicorn engine behind UnicornSimulator, private to src/simulators/. Its parts:
//   unicorn_layout.hpp   where the image, sentinel, stack and buffers go (pure, tested alone)
//   unicorn_isa.hpp      per-ISA facts: registers, calling convention, trap numbers
//   unicorn.cpp          the engine: building it, the hooks, a run
//   unicorn_diagnostics.cpp  turning a stopped run into an Error that names the address, the
//                        instruction and the reason
//
// Unicorn inserts hook calls into the code it translates, so the set of hooks must be fixed before
// code is translated: every hook is added when the engine is created, and a run that wants memory
// events uses a second engine of the same binary that has the memory hook.
//
// Sampled memory statistics (SamplingOptions) need the memory hook only inside windows. Dropping
// translated code is not an option in 2.0.1 (see Engine), so a sampling Engine opens a second
// uc_engine, its twin, over the same guest memory, with every hook but the memory hook: between
// windows the run continues in the twin, and at each window's ends the CPU state moves across
// (uc_context_save on one, uc_context_restore on the other) and the run resumes at the same PC.
// Each keeps its own translated code, so a switch costs two context copies, not a retranslation.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <unicorn/unicorn.h>

#include "simtune/collectors/dataflow.hpp"
#include "simtune/collectors/sampled_windows.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/simulators/unicorn.hpp"
#include "unicorn_isa.hpp"
#include "unicorn_layout.hpp"

namespace simtune {
class CacheModel;
class CollectorSet;
} // namespace simtune

namespace simtune::unicorn {

/// Throws Error(simulation_fault) naming `what` if `err` is not UC_ERR_OK.
void check(uc_err err, std::string_view what);

/// The host memory backing the guest: one private anonymous mapping, unmapped when destroyed.
class HostMemory {
public:
    /// Throws Error(simulation_fault) if the host cannot reserve `bytes`.
    explicit HostMemory(std::uint64_t bytes);
    ~HostMemory();
    HostMemory(const HostMemory&) = delete;
    HostMemory& operator=(const HostMemory&) = delete;

    [[nodiscard]] std::byte* data() const noexcept { return data_; }

private:
    std::byte* data_ = nullptr;
    std::uint64_t bytes_ = 0;
};

struct CloseEngine {
    void operator()(uc_engine* uc) const noexcept { uc_close(uc); }
};
/// An open uc_engine, closed when destroyed (which also frees whatever hooks remain).
using EngineHandle = std::unique_ptr<uc_engine, CloseEngine>;
/// Throws Error(simulation_fault) if Unicorn cannot open an engine for the ISA or set its CPU model.
EngineHandle open_engine(const IsaConvention& conv);

struct FreeContext {
    void operator()(uc_context* context) const noexcept { uc_context_free(context); }
};
using ContextHandle = std::unique_ptr<uc_context, FreeContext>;

/// The hooks added to one engine, deleted when destroyed. The hooks' user data is the Engine that
/// owns this set, so deleting them with it leaves no hook pointing at a destroyed Engine.
class Hooks {
public:
    explicit Hooks(uc_engine* uc) noexcept : uc_(uc) {}
    ~Hooks();
    Hooks(const Hooks&) = delete;
    Hooks& operator=(const Hooks&) = delete;

    /// Adds a hook over all addresses; `instruction` is UC_HOOK_INSN's instruction id, or -1.
    void add(int type, void* callback, void* user_data, std::string_view what, int instruction = -1);

private:
    uc_engine* uc_;
    std::vector<uc_hook> hooks_;
};

/// Why a run stopped early, as recorded by a hook (hooks must not throw through Unicorn's C frames).
enum class Stop {
    none,
    instruction_limit,
    time_limit,
    cancelled,
    left_code,
    bad_memory,
    interrupt,
    syscall,
    exception
};

/// A decoded block, whether it lies inside the kernel's code, and how often the current run has
/// executed it.
struct BlockEntry {
    std::uint64_t executions = 0;
    bool inside_kernel = false;
    std::uint32_t size = 0; ///< bytes, as Unicorn translated it (decoding may stop short of it)
    DecodedBlock block;
    /// Sampled runs: executions with the memory hook, and their accesses (L1 lines: l1d_accesses).
    std::uint64_t watched = 0, reads = 0, writes = 0, bytes_read = 0, bytes_written = 0, lines = 0;
    std::uint64_t first_window_executions = 0; ///< sampled runs: executions when the first window ended
};

/// Where a sampled run is in its schedule of windows (SamplingOptions).
enum class SamplePhase {
    off,    ///< between windows: the twin runs, without the memory hook (but see SampleStep::profile)
    warm,   ///< warming the caches
    measure ///< a measured window
};

/// What a sampled run does at the next engine switch.
enum class SampleStep {
    end_window,   ///< a measured window ends: continue in the twin
    start_window, ///< the next window's warm-up (or window) begins: continue with the memory hook
    profile,      ///< the twin met a block never watched: watch it (and what follows) for a while
    end_profile   ///< back to the twin
};

/// One Unicorn engine with one kernel binary mapped, reused by every run of that binary.
class Engine {
public:
    /// `memory_events`: the engine reports every data access to the collectors. Fixed for the
    /// engine's life: Unicorn compiles hook calls into translated code, and dropping translated
    /// code to add or remove the hook is unreliable in 2.0.1 (uc_ctl_remove_cache left x86-64 code
    /// in place; a full flush took up to seconds), so the simulator keeps one engine of each kind.
    /// `instruction_events` (with memory events): an instruction hook keeps the address of the
    /// instruction running, which each access then carries (MemoryAccess::pc, for the dataflow
    /// collector). Unicorn 2.0.1's program counter read inside a memory hook is not it: on x86-64
    /// it can still hold an earlier instruction's address, on RISC-V the block's (measured).
    /// `sampled` (with memory events and without instruction events): runs sample the memory
    /// statistics per options.sampling, with a twin engine for the stretches between windows.
    Engine(const KernelBinary& kernel, const UnicornOptions& options, bool memory_events,
           bool instruction_events = false, bool sampled = false);
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    [[nodiscard]] bool holds(const KernelBinary& k) const {
        return k.isa() == kernel_.isa() && k.content_hash() == kernel_.content_hash();
    }
    SimulationResult run(CollectorSet& collectors, const UnicornOptions& options);

private:
    // Building the engine (unicorn.cpp), in this order.
    void load_image();
    void map_memory(uc_engine* uc);
    void add_hooks(Hooks& hooks, bool memory);
    void open_twin();
    void set_fixed_registers(uc_engine* uc);

    // Hooks: plain functions with the Engine as user data.
    /// Which engine a block hook serves: the only one (exact runs), or a sampling engine's hooked
    /// engine or twin. A template parameter, so the exact path carries no sampling code and the
    /// twin, which runs most of a sampled run, only its countdown.
    enum class HookMode {
        exact,
        hooked,
        twin
    };
    template <HookMode Mode>
    static void on_block(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self);
    static void on_memory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size, std::int64_t value,
                          void* self);
    static void on_memory_sampled(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size, std::int64_t value,
                                  void* self);
    static bool on_bad_memory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size, std::int64_t value,
                              void* self);
    static void on_interrupt(uc_engine* uc, std::uint32_t number, void* self);
    static void on_syscall(uc_engine* uc, void* self);
    static void on_instruction(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self);

    template <HookMode Mode>
    [[gnu::noinline]] void on_block_slow(std::uint64_t address, std::uint32_t size);
    BlockEntry& lookup(std::uint64_t address, std::uint32_t size);
    template <HookMode Mode>
    void count_block(std::uint64_t address, std::uint32_t size);
    void stop(Stop why);
    void replay_blocks(CollectorSet& collectors) const;
    // Sampled runs (unicorn_sampling.cpp).
    void start_sampling(const SamplingOptions& sampling);
    bool next_sample_step(const BlockEntry& entry);
    void begin_window(std::uint64_t at);
    void begin_measuring(std::uint64_t at);
    void finish_window(std::uint64_t at);
    void switch_engine();
    [[nodiscard]] uc_err run_sampled(std::uint64_t begin);
    void finish_sampling(bool completed);
    void estimate_sampled(Stats& stats, SamplingSummary& summary, bool traffic) const;
    [[nodiscard]] Stats cache_counts() const;
    [[nodiscard]] std::uint64_t executed() const noexcept { return max_instructions_ - budget_; }
    /// One simulation of the kernel from its initial state; `repeat`: on the caches the previous
    /// pass left (CollectorSet::reset_for_repeat instead of reset).
    SimulationResult run_pass(CollectorSet& collectors, const UnicornOptions& options, bool repeat);
    void reset_state();
    void set_arguments();
    [[nodiscard]] std::uint64_t read_pc() const;
    [[nodiscard]] std::byte* host(std::uint64_t guest) const {
        return memory_.data() + (guest - layout_.guest.address);
    }
    [[nodiscard]] bool in_image(std::uint64_t a, std::uint64_t n) const {
        return a >= layout_.image.address && a + n <= layout_.image.end();
    }

    // Diagnostics (unicorn_diagnostics.cpp).
    [[nodiscard]] std::string where(std::uint64_t address) const;
    [[nodiscard]] std::string instruction_at(std::uint64_t address) const;
    /// The image's bytes from `address` that one instruction can span (15, x86-64's longest; fewer
    /// at the image's end); empty outside the image.
    [[nodiscard]] std::span<const std::byte> instruction_bytes(std::uint64_t address) const;
    [[nodiscard]] std::uint32_t instruction_size(std::uint64_t address, std::uint64_t limit) const;
    [[nodiscard]] std::uint64_t trapping_instruction(std::uint64_t pc) const;
    [[nodiscard]] std::string block_listing(std::uint64_t start) const;
    [[noreturn]] void invalid_instruction(std::uint64_t at);
    /// If the block [address, address + size) ends inside an instruction (where Unicorn stopped
    /// translating), throws invalid_instruction for it; returns otherwise.
    void cut_short_block(std::uint64_t address, std::uint32_t size);
    [[nodiscard]] std::string buffer_hint(std::uint64_t address) const;
    [[noreturn]] void report(uc_err err);

    KernelBinary kernel_;
    IsaConvention conv_;
    Classifier classifier_;
    GuestLayout layout_;
    // Destroyed in reverse: the snapshot, the hooks, the engine, then the memory the engine maps.
    HostMemory memory_;
    EngineHandle uc_;
    Hooks hooks_;
    ContextHandle initial_context_;
    // The twin of a sampling engine (none otherwise): same memory, no memory hook.
    EngineHandle twin_;
    std::optional<Hooks> twin_hooks_;
    ContextHandle switch_context_; ///< the CPU state in transit between the two
    uc_engine* active_ = nullptr;  ///< the engine running now: uc_ or the twin

    std::uint64_t code_lo_ = 0, code_hi_ = 0;
    std::uint64_t kernel_entry_ = 0; ///< address of simtune_kernel
    /// The buffers' page-rounded initial contents (layout_.buffers[i].mapped bytes each), restored
    /// before every run.
    std::vector<std::vector<std::byte>> buffer_initial_;
    /// Writable pages of the image and their initial contents, restored before every run.
    std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> writable_;

    bool memory_events_ = false;
    bool sampled_ = false;
    bool instruction_events_ = false;
    std::uint64_t instruction_ = 0; ///< the instruction running (with instruction_events_)

    // Decoded blocks, keyed by (address, size): a small direct-mapped front table that stays in the
    // L1 cache, over a map; the entries live in a deque so pointers to them stay valid.
    std::deque<BlockEntry> block_store_;
    std::unordered_map<std::uint64_t, BlockEntry*> blocks_;
    struct FastEntry {
        std::uint64_t key = ~0ULL;
        BlockEntry* entry = nullptr;
    };
    static constexpr std::size_t fast_slots = 512;
    std::array<FastEntry, fast_slots> fast_{};
    /// A block's key: its address, and its size in the top 16 bits (last_block() undoes it).
    [[nodiscard]] static constexpr std::uint64_t block_key(std::uint64_t address, std::uint32_t size) noexcept {
        return address | (std::uint64_t{size} << 48);
    }
    [[nodiscard]] static constexpr std::size_t fast_slot(std::uint64_t address) noexcept {
        return (address ^ (address >> 9)) & (fast_slots - 1);
    }

    // Per-run state, written by the hooks.
    CollectorSet* collectors_ = nullptr;
    bool feed_blocks_ = false;   ///< call the collectors' on_block from the block hook
    bool replay_blocks_ = false; ///< feed them from the execution counts after the run instead
    // The hook keeps one counter, the remaining instruction budget; instructions and blocks are
    // summed from the per-block execution counts after the run (no counter pair the compiler
    // would update with one vector store that the next block's load then waits for).
    std::uint64_t budget_ = 0, max_instructions_ = 0;
    std::chrono::steady_clock::time_point deadline_{};
    std::chrono::milliseconds timeout_{};
    std::uint32_t clock_countdown_ = 0;
    Stop stop_ = Stop::none;
    std::uint64_t last_block_key_ = 0; ///< (address, size) of the last block entered, for reports
    [[nodiscard]] std::uint64_t last_block() const { return last_block_key_ & ((1ULL << 48) - 1); }
    [[nodiscard]] std::uint32_t last_block_size() const { return static_cast<std::uint32_t>(last_block_key_ >> 48); }
    std::uint64_t fault_pc_ = 0, fault_address_ = 0;
    int fault_size_ = 0;
    uc_mem_type fault_type_ = UC_MEM_READ;
    std::uint32_t interrupt_ = 0;
    std::exception_ptr pending_; ///< thrown by a collector or the decoder inside a hook

    // Sampled-run state (sampled_ only).
    SamplingOptions sampling_;
    SamplePhase phase_ = SamplePhase::measure;
    SampleStep step_ = SampleStep::end_window;
    bool switch_requested_ = false;    ///< the block hook asked to continue in the other engine
    bool just_switched_ = false;       ///< no block has run since the last switch
    bool feed_caches_ = false;         ///< accesses go to the caches (warm and measured windows)
    std::int64_t phase_remaining_ = 0; ///< instructions until the schedule's next step
    std::int64_t profile_left_ = 0;    ///< instructions until a profile (SampleStep::profile) ends
    std::uint64_t window_offset_ = 0, random_ = 0;
    std::uint64_t window_start_ = 0;
    WindowCertainty window_start_certainty_;
    Stats window_start_counts_;
    WindowEstimator estimator_;
    unsigned line_shift_ = 6;
    CacheModel* caches_ = nullptr;
    DataflowCollector* dataflow_ = nullptr; ///< sampled: walked in warm-ups and windows only
    /// A switch the hooked engine asks for when it has the instruction hook: the first instruction
    /// of the block whose hook asked stops the engine (on_instruction), since with UC_HOOK_CODE
    /// Unicorn 2.0.1 honours a stop from the block hook only before the block's last instruction
    /// (an x86-64 GEMM's 9-instruction block ran 8), and sometimes a block later. A stop from the
    /// instruction hook takes effect before that instruction (measured: 192 of 192 switches on
    /// bench_qemu's kernels, all three ISAs; run_sampled checks every one).
    std::uint64_t stop_at_instruction_ = no_instruction;
    static constexpr std::uint64_t no_instruction = ~std::uint64_t{0};
    bool feed_dataflow_ = false;    ///< blocks and accesses go to dataflow_ (warm and measured windows)
    BlockEntry* current_ = nullptr; ///< the block running (sampled runs: its accesses' tallies)
    BlockEntry unattributed_;       ///< current_ before the first block
};

} // namespace simtune::unicorn
