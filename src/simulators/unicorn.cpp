// UnicornSimulator: see include/simtune/simulators/unicorn.hpp for the contract, and
// unicorn_engine.hpp for the engine's parts (guest layout, ISA facts, diagnostics).
//
// Speed: Unicorn 2.0.1 treats every RAM page as holding translated code, so every guest store takes
// the slow path through notdirty_write (fixed upstream in Unicorn 2.1); store-heavy kernels run at a
// fraction of the speed of load-heavy ones, whatever the hooks (benchmarks/RESULTS.md, "## Unicorn").
#include "simtune/simulators/unicorn.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "simtune/collectors/collector_set.hpp"
#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/interrupt.hpp"
#include "unicorn_engine.hpp"

namespace simtune {
namespace unicorn {

static_assert(prot_read == std::uint32_t{UC_PROT_READ} && prot_write == std::uint32_t{UC_PROT_WRITE} &&
              prot_exec == std::uint32_t{UC_PROT_EXEC});

void check(uc_err err, std::string_view what) {
    if (err != UC_ERR_OK) fail(ErrorKind::simulation_fault, "Unicorn: {} failed: {}", what, uc_strerror(err));
}

HostMemory::HostMemory(std::uint64_t bytes) : bytes_(bytes) {
    void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        fail(ErrorKind::simulation_fault, "cannot reserve {} bytes of host memory for the guest", bytes);
    data_ = static_cast<std::byte*>(mem);
}

HostMemory::~HostMemory() { ::munmap(data_, bytes_); }

EngineHandle open_engine(const IsaConvention& conv) {
    uc_engine* uc = nullptr;
    check(uc_open(conv.arch, conv.mode, &uc), "uc_open");
    EngineHandle handle(uc);
    if (conv.cpu_model >= 0) check(uc_ctl_set_cpu_model(uc, conv.cpu_model), "selecting the CPU model");
    return handle;
}

Hooks::~Hooks() {
    for (const uc_hook h : hooks_) uc_hook_del(uc_, h);
}

void Hooks::add(int type, void* callback, void* user_data, std::string_view what, int instruction) {
    uc_hook h{};
    if (instruction >= 0) check(uc_hook_add(uc_, &h, type, callback, user_data, 1, 0, instruction), what);
    else check(uc_hook_add(uc_, &h, type, callback, user_data, 1, 0), what);
    hooks_.push_back(h);
}

/// Blocks between two looks at the clock: frequent enough to stop within milliseconds of the
/// deadline, rare enough that the clock costs nothing measurable.
constexpr std::uint32_t clock_check_blocks = 4096;

Engine::Engine(const KernelBinary& kernel, const UnicornOptions& options, bool memory_events, bool instruction_events,
               bool sampled)
    : kernel_(kernel), conv_(convention(kernel.isa())), classifier_(kernel.isa()),
      layout_(layout_guest(kernel.segments(), kernel.buffers(), options.stack_bytes, kernel.path().string())),
      memory_(layout_.guest.bytes), uc_(open_engine(conv_)), hooks_(uc_.get()), active_(uc_.get()),
      memory_events_(memory_events), sampled_(sampled && memory_events),
      instruction_events_(memory_events && instruction_events) {
    std::tie(code_lo_, code_hi_) = kernel.kernel_code();
    kernel_entry_ = kernel.symbol("simtune_kernel")->address; // KernelBinary::load checked it exists
    load_image();
    map_memory(uc_.get());
    add_hooks(hooks_, memory_events_);
    set_fixed_registers(uc_.get());
    if (sampled_) open_twin();
    // The snapshot every run starts from.
    uc_context* context = nullptr;
    check(uc_context_alloc(uc_.get(), &context), "allocating a context");
    initial_context_.reset(context);
    check(uc_context_save(uc_.get(), context), "saving the initial context");
}

void Engine::load_image() {
    const auto file = kernel_.bytes();
    for (const auto& s : kernel_.segments())
        if (s.mem_size != 0) std::memcpy(host(s.vaddr), file.data() + s.file_offset, std::min(s.file_size, s.mem_size));
}

void Engine::map_memory(uc_engine* uc) {
    const bool first = uc == uc_.get(); // the twin maps the same host memory, already filled
    for (const auto& run : layout_.image_runs) {
        const auto [at, n] = run.pages;
        check(uc_mem_map_ptr(uc, at, n, run.protection, host(at)), "mapping the image");
        if (first && (run.protection & prot_write))
            writable_.emplace_back(at, std::vector<std::byte>(host(at), host(at) + n));
    }
    const auto& sentinel = layout_.sentinel;
    check(uc_mem_map_ptr(uc, sentinel.address, sentinel.bytes, UC_PROT_READ | UC_PROT_EXEC, host(sentinel.address)),
          "mapping the sentinel page");
    const auto& stack = layout_.stack;
    check(uc_mem_map_ptr(uc, stack.address, stack.bytes, UC_PROT_READ | UC_PROT_WRITE, host(stack.address)),
          "mapping the stack");
    const auto& specs = kernel_.buffers();
    for (std::size_t i = 0; i < layout_.buffers.size(); ++i) {
        const auto& b = layout_.buffers[i];
        check(uc_mem_map_ptr(uc, b.address, b.mapped, UC_PROT_READ | UC_PROT_WRITE, host(b.address)),
              "mapping a buffer");
        if (!first) continue;
        auto& initial = buffer_initial_.emplace_back(b.mapped, std::byte{0});
        initialise_buffer(specs[i], i, std::span(initial).first(b.bytes));
    }
}

void Engine::add_hooks(Hooks& hooks, bool memory) {
    void* on_block_hook = !sampled_ ? reinterpret_cast<void*>(&Engine::on_block<HookMode::exact>)
                          : memory  ? reinterpret_cast<void*>(&Engine::on_block<HookMode::hooked>)
                                    : reinterpret_cast<void*>(&Engine::on_block<HookMode::twin>);
    hooks.add(UC_HOOK_BLOCK, on_block_hook, this, "adding the block hook");
    hooks.add(UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&Engine::on_bad_memory), this,
              "adding the invalid-memory hook");
    hooks.add(UC_HOOK_INTR, reinterpret_cast<void*>(&Engine::on_interrupt), this, "adding the interrupt hook");
    if (memory)
        hooks.add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                  reinterpret_cast<void*>(sampled_ ? &Engine::on_memory_sampled : &Engine::on_memory), this,
                  "adding the memory hook");
    if (instruction_events_ && memory) // a sampling twin walks no dataflow
        hooks.add(UC_HOOK_CODE, reinterpret_cast<void*>(&Engine::on_instruction), this, "adding the instruction hook");
    if (conv_.syscall_instruction >= 0)
        hooks.add(UC_HOOK_INSN, reinterpret_cast<void*>(&Engine::on_syscall), this, "adding the syscall hook",
                  conv_.syscall_instruction);
}

void Engine::set_fixed_registers(uc_engine* uc) {
    if (conv_.status_register >= 0) {
        std::uint64_t status = 0;
        check(uc_reg_read(uc, conv_.status_register, &status), "reading the status register");
        status |= conv_.status_bits;
        check(uc_reg_write(uc, conv_.status_register, &status), "setting the status register");
    }
    if (conv_.global_pointer >= 0)
        if (const auto gp = kernel_.symbol(conv_.global_pointer_symbol)) {
            std::uint64_t v = gp->address;
            check(uc_reg_write(uc, conv_.global_pointer, &v), "setting the global pointer");
        }
}

void Engine::stop(Stop why) {
    if (stop_ == Stop::none) stop_ = why;
    uc_emu_stop(active_);
}

BlockEntry& Engine::lookup(std::uint64_t address, std::uint32_t size) {
    const std::uint64_t key = block_key(address, size);
    auto& slot = fast_[fast_slot(address)];
    if (slot.key == key) [[likely]]
        return *slot.entry;
    auto [it, inserted] = blocks_.try_emplace(key, nullptr);
    if (inserted) {
        BlockEntry& e = block_store_.emplace_back();
        e.inside_kernel = address >= code_lo_ && address + size <= code_hi_;
        e.size = size;
        if (e.inside_kernel && in_image(address, size)) {
            // With the registers always: the engine outlives runs, and any run may want dataflow.
            try {
                e.block = classifier_.decode_block(std::span<const std::byte>(host(address), size), address, SIZE_MAX,
                                                   /*with_registers=*/true);
            } catch (const Error&) {
                // Forget the entry (the simulator stays usable after the error), then report a
                // clearer error if Unicorn cut the block at a valid instruction it refused.
                blocks_.erase(it);
                block_store_.pop_back();
                cut_short_block(address, size);
                throw;
            }
        } else {
            e.block.address = address;
            e.block.end = address + size;
        }
        it->second = &e;
    }
    slot = {key, it->second};
    return *it->second;
}

// The block hook runs once per executed block (42 M times in bench_qemu's conv2d), so its common
// case is a leaf that calls nothing: a block already in the front table, inside the kernel, within
// the budget, with no clock check, no collector to feed and (sampled) no step of the schedule due.
// It updates exactly what count_block would and returns; anything else goes to on_block_slow. A
// hook that may call out saves and restores registers on every call: under callgrind, lookup's
// and the hook's prologues and epilogues were a third of the hook's instructions.
template <Engine::HookMode Mode>
void Engine::on_block(uc_engine*, std::uint64_t address, std::uint32_t size, void* self) {
    auto& e = *static_cast<Engine*>(self);
    const std::uint64_t key = block_key(address, size);
    const FastEntry& slot = e.fast_[fast_slot(address)]; // never holds the sentinel (see lookup)
    if (slot.key == key) [[likely]] {
        BlockEntry& entry = *slot.entry;
        const std::uint64_t n = entry.block.instructions;
        bool common = entry.inside_kernel && n <= e.budget_ && e.clock_countdown_ > 1 && !e.feed_blocks_;
        if constexpr (Mode == HookMode::twin)
            common = common && e.phase_remaining_ > static_cast<std::int64_t>(n) && entry.watched != 0;
        if constexpr (Mode == HookMode::hooked)
            common = common && e.phase_remaining_ > static_cast<std::int64_t>(n) &&
                     e.profile_left_ > static_cast<std::int64_t>(n);
        if (common) [[likely]] {
            e.last_block_key_ = key;
            ++entry.executions;
            e.budget_ -= n;
            --e.clock_countdown_;
            if constexpr (Mode != HookMode::exact) {
                e.phase_remaining_ -= static_cast<std::int64_t>(n);
                e.just_switched_ = false;
            }
            if constexpr (Mode == HookMode::hooked) {
                e.profile_left_ -= static_cast<std::int64_t>(n);
                e.current_ = &entry;
                ++entry.watched;
            }
            return;
        }
    }
    e.on_block_slow<Mode>(address, size);
}

// Exceptions must not unwind through Unicorn's C frames: the hooks catch everything (free on the
// path that does not throw), stop the engine, and run() rethrows.
template <Engine::HookMode Mode>
void Engine::on_block_slow(std::uint64_t address, std::uint32_t size) {
    if (address == layout_.sentinel.address) return;
    try {
        count_block<Mode>(address, size);
    } catch (...) {
        pending_ = std::current_exception();
        stop(Stop::exception);
    }
}

template <Engine::HookMode Mode>
void Engine::count_block(std::uint64_t address, std::uint32_t size) {
    Engine& e = *this;
    BlockEntry& entry = e.lookup(address, size);
    e.last_block_key_ = block_key(address, size);
    if (!entry.inside_kernel) [[unlikely]] {
        e.fault_pc_ = address;
        return e.stop(Stop::left_code);
    }
    ++entry.executions;
    if (entry.block.instructions > e.budget_) [[unlikely]] {
        e.budget_ = 0;
        return e.stop(Stop::instruction_limit);
    }
    e.budget_ -= entry.block.instructions;
    if constexpr (Mode != HookMode::exact) {
        const auto n = static_cast<std::int64_t>(entry.block.instructions);
        e.phase_remaining_ -= n;
        if constexpr (Mode == HookMode::hooked) e.profile_left_ -= n;
        // The next step of the schedule: the phase's count ran out, a profile ended (hooked), or
        // the twin met a block never watched. The first block after a switch does not end its
        // phase (in a window shorter than a block it would stop before running, and bounce
        // between the engines).
        const bool due = Mode == HookMode::twin ? e.phase_remaining_ <= 0 || entry.watched == 0
                                                : e.phase_remaining_ <= 0 || e.profile_left_ <= 0;
        if (due) [[unlikely]] {
            const bool may_end_phase = !e.just_switched_;
            if ((may_end_phase && e.phase_remaining_ <= 0) ||
                (Mode == HookMode::twin ? entry.watched == 0 : e.profile_left_ <= 0)) {
                if (e.next_sample_step(entry)) {
                    // Stopped for the other engine before this block ran (Unicorn 2.0.1 checks for
                    // a stop right after the block hook; with the instruction hook, the stop comes
                    // from that hook, see stop_at_instruction_): it runs, and is counted, there.
                    --entry.executions;
                    e.budget_ += entry.block.instructions;
                    e.phase_remaining_ += n;
                    if constexpr (Mode == HookMode::hooked) e.profile_left_ += n;
                    return;
                }
            }
        }
        e.just_switched_ = false;
        if constexpr (Mode == HookMode::hooked) {
            e.current_ = &entry;
            ++entry.watched;
        }
    }
    if (--e.clock_countdown_ == 0) [[unlikely]] {
        e.clock_countdown_ = clock_check_blocks;
        if (std::chrono::steady_clock::now() > e.deadline_) return e.stop(Stop::time_limit);
        if (interrupt_requested()) return e.stop(Stop::cancelled); // SIGINT/SIGTERM: stop within milliseconds
    }
    if (e.feed_blocks_) {
        // A sampled run walks the dataflow in warm-ups and windows only (in the hooked engine).
        if constexpr (Mode == HookMode::exact) e.collectors_->on_block(entry.block);
        else e.collectors_->on_block(entry.block, Mode == HookMode::hooked && e.feed_dataflow_);
    }
}

void Engine::on_memory(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t, void* self) {
    auto& e = *static_cast<Engine*>(self);
    try {
        e.collectors_->on_memory(
            MemoryAccess{address, static_cast<std::uint32_t>(size), type == UC_MEM_WRITE, e.instruction_});
    } catch (...) {
        e.pending_ = std::current_exception();
        e.stop(Stop::exception);
    }
}

bool Engine::on_bad_memory(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t, void* self) {
    auto& e = *static_cast<Engine*>(self);
    if (e.stop_ == Stop::none) {
        e.fault_pc_ = e.read_pc();
        e.fault_address_ = address;
        e.fault_size_ = size;
        e.fault_type_ = type;
        e.stop_ = Stop::bad_memory;
    }
    return false; // not handled: Unicorn stops with the matching UC_ERR_*
}

void Engine::on_interrupt(uc_engine*, std::uint32_t number, void* self) {
    auto& e = *static_cast<Engine*>(self);
    if (e.stop_ == Stop::none) {
        e.fault_pc_ = e.read_pc();
        e.interrupt_ = number;
    }
    e.stop(Stop::interrupt);
}

void Engine::on_instruction(uc_engine* uc, std::uint64_t address, std::uint32_t, void* self) {
    auto& e = *static_cast<Engine*>(self);
    e.instruction_ = address;
    if (address == e.stop_at_instruction_) [[unlikely]] // a sampled run's switch (next_sample_step)
        uc_emu_stop(uc);
}

void Engine::on_syscall(uc_engine*, void* self) {
    auto& e = *static_cast<Engine*>(self);
    if (e.stop_ == Stop::none) e.fault_pc_ = e.read_pc();
    e.stop(Stop::syscall);
}

std::uint64_t Engine::read_pc() const {
    std::uint64_t pc = 0;
    uc_reg_read(active_, conv_.pc, &pc);
    return pc;
}

void Engine::replay_blocks(CollectorSet& collectors) const {
    // One call per distinct block instead of one per execution: the mix becomes free next to the
    // simulation (CollectorSet::on_block_repeated).
    for (const auto& entry : block_store_) collectors.on_block_repeated(entry.block, entry.executions);
}

void Engine::reset_state() {
    for (const auto& [at, bytes] : writable_) std::memcpy(host(at), bytes.data(), bytes.size());
    for (std::size_t i = 0; i < layout_.buffers.size(); ++i)
        std::memcpy(host(layout_.buffers[i].address), buffer_initial_[i].data(), layout_.buffers[i].mapped);
    check(uc_context_restore(uc_.get(), initial_context_.get()), "restoring the initial context");
}

void Engine::set_arguments() {
    const auto& buffers = layout_.buffers;
    const std::uint64_t sentinel = layout_.sentinel.address;
    const std::size_t n = buffers.size();
    const std::size_t in_registers = std::min(n, conv_.register_args);
    for (std::size_t i = 0; i < in_registers; ++i) {
        std::uint64_t v = buffers[i].address;
        check(uc_reg_write(uc_.get(), conv_.args[i], &v), "setting an argument register");
    }
    // The rest go on the stack, in order upwards from the SP at the call (16-byte aligned).
    const std::size_t on_stack = n - in_registers;
    std::uint64_t sp = align_down(layout_.stack.end() - 64 - on_stack * 8, 16);
    for (std::size_t i = 0; i < on_stack; ++i) {
        const std::uint64_t v = buffers[in_registers + i].address;
        std::memcpy(host(sp + 8 * i), &v, 8);
    }
    if (conv_.link < 0) {
        sp -= 8; // x86-64: `call` pushed the return address
        std::memcpy(host(sp), &sentinel, 8);
    } else {
        check(uc_reg_write(uc_.get(), conv_.link, &sentinel), "setting the return address");
    }
    check(uc_reg_write(uc_.get(), conv_.sp, &sp), "setting the stack pointer");
}

SimulationResult Engine::run(CollectorSet& collectors, const UnicornOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    const bool steady = collectors.caches_start_steady();
    // A sampled priming pass would leave only its windows' lines in the caches.
    if (steady && sampled_)
        fail(ErrorKind::invalid_argument,
             "steady caches (steady-caches) count the second of two exact runs: turn sampling off "
             "(UnicornOptions::sampling) or start the caches cold or warm");
    // Steady: the first pass only leaves the caches as a run leaves them, so it feeds the cache
    // model alone (CollectorSet::begin_priming); each pass has the instruction and time limits of
    // a run.
    if (steady) {
        CollectorSet priming = collectors.begin_priming();
        try {
            (void)run_pass(priming, options, false);
        } catch (...) {
            collectors.end_priming(std::move(priming));
            throw;
        }
        collectors.end_priming(std::move(priming));
    }
    SimulationResult result = run_pass(collectors, options, steady);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

SimulationResult Engine::run_pass(CollectorSet& collectors, const UnicornOptions& options, bool repeat) {
    const auto start = std::chrono::steady_clock::now();
    reset_state();
    set_arguments();
    if (repeat) collectors.reset_for_repeat();
    else collectors.reset();
    collectors.bind(kernel_);
    {
        std::array<AddressRange, max_buffers> ranges{};
        for (std::size_t i = 0; i < layout_.buffers.size(); ++i)
            ranges[i] = {layout_.buffers[i].address, layout_.buffers[i].bytes};
        collectors.warm_caches(std::span(ranges).first(layout_.buffers.size()));
    }
    const EventKind events = collectors.events();
    if (has(events, EventKind::memory) != memory_events_)
        fail(ErrorKind::invalid_argument, "internal: engine built {} memory hooks",
             memory_events_ ? "with" : "without");
    collectors_ = &collectors;
    // When the only block consumer is the built-in instruction mix, the order of block events
    // does not matter: count executions per block in the hook and feed the mix after the run (see
    // replay_blocks). Branch counting and user collectors see every block in execution order.
    const bool wants_blocks = has(events, EventKind::blocks);
    replay_blocks_ = wants_blocks && collectors.branch_counter() == nullptr && collectors.dataflow() == nullptr &&
                     collectors.user_collector_count() == 0;
    feed_blocks_ = wants_blocks && !replay_blocks_;
    if (has(events, EventKind::dataflow) && !instruction_events_)
        fail(ErrorKind::invalid_argument, "internal: engine built without the instruction hook");
    instruction_ = 0;
    for (auto& entry : block_store_) entry.executions = 0;
    max_instructions_ = budget_ = options.limits.max_instructions;
    timeout_ = options.limits.timeout;
    deadline_ = start + timeout_;
    clock_countdown_ = clock_check_blocks;
    stop_ = Stop::none;
    pending_ = nullptr;
    last_block_key_ = 0;
    active_ = uc_.get();
    if (sampled_) {
        if (collectors.user_memory_collector_count() != 0)
            fail(ErrorKind::invalid_argument,
                 "sampled memory statistics cannot feed user collectors that want every memory access; "
                 "turn sampling off (UnicornOptions::sampling) or drop those collectors");
        caches_ = collectors.cache_model();
        dataflow_ = collectors.dataflow();
        start_sampling(options.sampling);
    }

    const uc_err err =
        sampled_ ? run_sampled(kernel_entry_) : uc_emu_start(uc_.get(), kernel_entry_, layout_.sentinel.address, 0, 0);
    collectors_ = nullptr;
    if (err != UC_ERR_OK || stop_ != Stop::none || read_pc() != layout_.sentinel.address) report(err);
    if (sampled_) finish_sampling(true);

    if (replay_blocks_) replay_blocks(collectors);
    if (has(events, EventKind::block_counts))
        for (const auto& entry : block_store_)
            if (entry.executions != 0)
                collectors.on_block_executions(entry.block.address, entry.block.address + entry.size, entry.executions);

    SimulationResult result;
    std::uint64_t instructions = 0, blocks = 0;
    for (const auto& entry : block_store_) {
        instructions += entry.executions * entry.block.instructions;
        blocks += entry.executions;
    }
    collectors.contribute(result.stats);
    result.stats.instructions = instructions;
    result.stats.basic_blocks = blocks;
    if (sampled_) {
        SamplingSummary summary;
        estimate_sampled(result.stats, summary, collectors.memory_traffic() != nullptr);
        result.sampling = summary;
    }
    if (options.read_buffers) {
        result.buffers.reserve(layout_.buffers.size());
        for (const auto& b : layout_.buffers) result.buffers.emplace_back(host(b.address), host(b.address) + b.bytes);
    }
    return result;
}

} // namespace unicorn

using unicorn::Engine;

struct UnicornSimulator::Impl {
    UnicornOptions options;
    /// Engines for the most recently run binary: [0] without memory hooks, [1] with them, [2] also
    /// with the instruction hook (the dataflow collector).
    std::array<std::unique_ptr<Engine>, 3> engines;
};

UnicornSimulator::UnicornSimulator() : UnicornSimulator(UnicornOptions{}) {}
UnicornSimulator::UnicornSimulator(SimulationLimits limits)
    : UnicornSimulator([&] {
          UnicornOptions o;
          o.limits = limits;
          return o;
      }()) {}
UnicornSimulator::UnicornSimulator(UnicornOptions options) : impl_(std::make_unique<Impl>()) {
    if (options.limits.max_instructions == 0)
        fail(ErrorKind::invalid_argument, "UnicornSimulator: the instruction limit must be positive");
    if (options.limits.timeout.count() <= 0 || options.limits.timeout > max_timeout)
        fail(ErrorKind::invalid_argument, "UnicornSimulator: the time limit must be positive and at most {} ms",
             max_timeout.count());
    impl_->options = options;
}
UnicornSimulator::~UnicornSimulator() = default;
UnicornSimulator::UnicornSimulator(UnicornSimulator&&) noexcept = default;
UnicornSimulator& UnicornSimulator::operator=(UnicornSimulator&&) noexcept = default;

const UnicornOptions& UnicornSimulator::options() const noexcept { return impl_->options; }

SimulationResult UnicornSimulator::run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors) {
    if (kernel.isa() != target.isa)
        fail(ErrorKind::wrong_isa, "{} is built for {}, but the target '{}' is {}", kernel.path().string(),
             kernel.isa(), target.name, target.isa);
    auto& engines = impl_->engines;
    const bool memory = has(collectors.events(), EventKind::memory);
    const bool instructions = memory && has(collectors.events(), EventKind::dataflow);
    for (auto& e : engines)
        if (e && !e->holds(kernel)) e.reset();
    auto& engine = engines[instructions ? 2 : memory ? 1 : 0];
    if (!engine)
        engine =
            std::make_unique<Engine>(kernel, impl_->options, memory, instructions, impl_->options.sampling.enabled);
    return engine->run(collectors, impl_->options);
}

} // namespace simtune
