// UnicornSimulator: see include/simtune/simulators/unicorn.hpp for the contract.
//
// Layout of the guest address space (all of it backed by one host mapping, so buffers are filled
// and read back with memcpy and no uc_mem_read/uc_mem_write round trips):
//
//   [image]          the binary's loadable segments, page-granular, with their permissions
//   1 MiB gap
//   [sentinel page]  the kernel's return address points here; uc_emu_start stops on reaching it
//   guard page
//   [stack]          grows down from its top; stack-passed arguments sit just above the SP
//   guard page
//   [buffer 0] guard page [buffer 1] guard page ...   each page-aligned, hence 64-byte aligned
//
// Unicorn inserts hook calls into the code it translates, so the set of hooks must be fixed before
// code is translated: every hook is added when the engine is created, and a run that wants memory
// events uses a second engine of the same binary that has the memory hook.
//
// Speed: Unicorn 2.0.1 treats every RAM page as holding translated code, so every guest store takes
// the slow path through notdirty_write (fixed upstream in Unicorn 2.1); store-heavy kernels run at a
// fraction of the speed of load-heavy ones, whatever the hooks (benchmarks/RESULTS.md, "## Unicorn").
#include "simtune/simulators/unicorn.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include "simtune/collectors/collector_set.hpp"
#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/interrupt.hpp"
#include "simtune/isa/classify.hpp"

namespace simtune {
namespace {

constexpr std::uint64_t page_size = 4096;

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }
constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) { return v / a * a; }

/// What differs between the ISAs: engine mode, registers, calling convention.
struct IsaConvention {
    uc_arch arch;
    uc_mode mode;
    int cpu_model;  ///< passed to uc_ctl_set_cpu_model; -1 keeps Unicorn's default
    int pc;
    int sp;
    int link;       ///< the return-address register; -1 when the return address is on the stack
    std::array<int, 8> args;
    std::size_t register_args;
};

IsaConvention convention(Isa isa) {
    switch (isa) {
    case Isa::x86_64:
        // Nehalem has SSE4.2 and POPCNT, i.e. the x86-64-v2 baseline host_x86_64() builds for.
        return {UC_ARCH_X86, UC_MODE_64, UC_CPU_X86_NEHALEM, UC_X86_REG_RIP, UC_X86_REG_RSP, -1,
                {UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX, UC_X86_REG_RCX, UC_X86_REG_R8,
                 UC_X86_REG_R9, 0, 0},
                6};
    case Isa::aarch64:
        return {UC_ARCH_ARM64, UC_MODE_ARM, UC_CPU_ARM64_A72, UC_ARM64_REG_PC, UC_ARM64_REG_SP,
                UC_ARM64_REG_X30,
                {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3, UC_ARM64_REG_X4,
                 UC_ARM64_REG_X5, UC_ARM64_REG_X6, UC_ARM64_REG_X7},
                8};
    case Isa::riscv64:
        return {UC_ARCH_RISCV, UC_MODE_RISCV64, -1, UC_RISCV_REG_PC, UC_RISCV_REG_SP, UC_RISCV_REG_RA,
                {UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2, UC_RISCV_REG_A3, UC_RISCV_REG_A4,
                 UC_RISCV_REG_A5, UC_RISCV_REG_A6, UC_RISCV_REG_A7},
                8};
    }
    fail(ErrorKind::invalid_argument, "unknown ISA");
}

/// The most buffers a kernel binary can have (the harness's SIMTUNE_MAX_BUFFERS).
constexpr std::size_t max_buffers = 16;

void check(uc_err err, std::string_view what) {
    if (err != UC_ERR_OK) fail(ErrorKind::simulation_fault, "Unicorn: {} failed: {}", what, uc_strerror(err));
}

/// Why a run stopped early, as recorded by a hook (hooks must not throw through Unicorn's C frames).
enum class Stop { none, instruction_limit, time_limit, cancelled, left_code, bad_memory, interrupt, syscall, exception };

/// A decoded block, whether it lies inside the kernel's code, and how often the current run has
/// executed it.
struct BlockEntry {
    std::uint64_t executions = 0;
    bool inside_kernel = false;
    std::uint32_t size = 0; ///< bytes, as Unicorn translated it (decoding may stop short of it)
    DecodedBlock block;
};

/// One Unicorn engine with one kernel binary mapped, reused by every run of that binary.
class Engine {
public:
    /// `memory_events`: the engine reports every data access to the collectors. Fixed for the
    /// engine's life: Unicorn compiles hook calls into translated code, and dropping translated
    /// code to add or remove the hook is unreliable in 2.0.1 (uc_ctl_remove_cache left x86-64 code
    /// in place; a full flush took up to seconds), so the simulator keeps one engine of each kind.
    Engine(const KernelBinary& kernel, const UnicornOptions& options, bool memory_events);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    [[nodiscard]] bool holds(const KernelBinary& k) const {
        return k.isa() == kernel_.isa() && k.content_hash() == kernel_.content_hash();
    }
    SimulationResult run(CollectorSet& collectors, const UnicornOptions& options);

private:
    // Hooks: plain functions with the Engine as user data.
    static void on_block(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self);
    static void on_memory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                          std::int64_t value, void* self);
    static bool on_bad_memory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                              std::int64_t value, void* self);
    static void on_interrupt(uc_engine* uc, std::uint32_t number, void* self);
    static void on_syscall(uc_engine* uc, void* self);

    BlockEntry& lookup(std::uint64_t address, std::uint32_t size);
    void count_block(std::uint64_t address, std::uint32_t size);
    void stop(Stop why);
    void replay_blocks(CollectorSet& collectors) const;
    void reset_state();
    void set_arguments();
    [[nodiscard]] std::uint64_t read_pc() const;
    [[nodiscard]] std::byte* host(std::uint64_t guest) const { return host_ + (guest - guest_lo_); }
    [[nodiscard]] bool in_image(std::uint64_t a, std::uint64_t n) const {
        return a >= image_lo_ && a + n <= image_hi_;
    }
    [[nodiscard]] std::string where(std::uint64_t address) const;
    [[nodiscard]] std::string instruction_at(std::uint64_t address) const;
    [[nodiscard]] std::uint32_t instruction_size(std::uint64_t address, std::uint64_t limit) const;
    [[nodiscard]] std::uint64_t trapping_instruction(std::uint64_t pc) const;
    [[nodiscard]] std::string block_listing(std::uint64_t start) const;
    [[noreturn]] void invalid_instruction(std::uint64_t at);
    [[nodiscard]] std::string buffer_hint(std::uint64_t address) const;
    [[noreturn]] void report(uc_err err);

    KernelBinary kernel_;
    IsaConvention conv_;
    Classifier classifier_;
    uc_engine* uc_ = nullptr;
    uc_context* initial_context_ = nullptr;

    // Host backing of the guest range [guest_lo_, guest_hi_).
    std::byte* host_ = nullptr;
    std::uint64_t guest_lo_ = 0, guest_hi_ = 0;
    std::uint64_t image_lo_ = 0, image_hi_ = 0;
    std::uint64_t sentinel_ = 0, stack_lo_ = 0, stack_top_ = 0;
    std::uint64_t code_lo_ = 0, code_hi_ = 0;
    std::uint64_t kernel_entry_ = 0; ///< address of simtune_kernel
    struct MappedBuffer {
        std::uint64_t address = 0, bytes = 0, mapped = 0;
        std::vector<std::byte> initial; ///< the page-rounded initial contents
    };
    std::vector<MappedBuffer> buffers_;
    /// Writable pages of the image and their initial contents, restored before every run.
    std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> writable_;

    bool memory_events_ = false;

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

    // Per-run state, written by the hooks.
    CollectorSet* collectors_ = nullptr;
    bool feed_blocks_ = false;  ///< call the collectors' on_block from the block hook
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
    [[nodiscard]] std::uint64_t executed_instructions() const;
    std::uint64_t fault_pc_ = 0, fault_address_ = 0;
    int fault_size_ = 0;
    uc_mem_type fault_type_ = UC_MEM_READ;
    std::uint32_t interrupt_ = 0;
    std::exception_ptr pending_; ///< thrown by a collector or the decoder inside a hook
};

/// Blocks between two looks at the clock: frequent enough to stop within milliseconds of the
/// deadline, rare enough that the clock costs nothing measurable.
constexpr std::uint32_t clock_check_blocks = 4096;

/// The largest span of loadable segments a kernel image may have, and the highest address it may
/// reach (so the sentinel, stack and buffers placed above it cannot wrap around).
constexpr std::uint64_t max_image_bytes = std::uint64_t{256} << 20;
constexpr std::uint64_t max_guest_address = std::uint64_t{1} << 46;

Engine::Engine(const KernelBinary& kernel, const UnicornOptions& options, bool memory_events)
    : kernel_(kernel), conv_(convention(kernel.isa())), classifier_(kernel.isa()), memory_events_(memory_events) {
    const auto& buffer_specs = kernel.buffers();
    if (buffer_specs.size() > max_buffers)
        fail(ErrorKind::invalid_argument, "{}: {} buffers; the simulator passes at most {}",
             kernel.path().string(), buffer_specs.size(), max_buffers);

    // Guest layout.
    image_lo_ = ~0ULL;
    for (const auto& s : kernel.segments()) {
        if (s.mem_size == 0) continue;
        image_lo_ = std::min(image_lo_, align_down(s.vaddr, page_size));
        image_hi_ = std::max(image_hi_, align_up(s.vaddr + s.mem_size, page_size));
    }
    if (image_lo_ >= image_hi_)
        fail(ErrorKind::invalid_binary, "{}: no loadable segment", kernel.path().string());
    // Segments far apart (found by fuzzing: two segments 1 TiB apart) would make the image, its
    // per-page table and its snapshot that large: a kernel binary's image is a few megabytes.
    if (image_hi_ - image_lo_ > max_image_bytes || image_hi_ > max_guest_address)
        fail(ErrorKind::invalid_binary, "{}: its loadable segments span [{:#x}, {:#x}); Unicorn maps images of at most {} MiB "
             "below {:#x}", kernel.path().string(), image_lo_, image_hi_, max_image_bytes >> 20, max_guest_address);
    guest_lo_ = image_lo_;
    const std::uint64_t stack_bytes = align_up(std::max<std::uint64_t>(options.stack_bytes, 64 * 1024), page_size);
    sentinel_ = align_up(image_hi_, 1 << 20) + (1 << 20);
    const std::uint64_t stack_lo = stack_lo_ = sentinel_ + 2 * page_size;
    stack_top_ = stack_lo + stack_bytes;
    std::uint64_t next = stack_top_ + page_size;
    for (const auto& spec : buffer_specs) {
        MappedBuffer b;
        b.address = next;
        b.bytes = spec.bytes();
        b.mapped = align_up(std::max<std::uint64_t>(b.bytes, 1), page_size);
        next += b.mapped + page_size;
        buffers_.push_back(std::move(b));
    }
    guest_hi_ = next;

    void* mem = ::mmap(nullptr, guest_hi_ - guest_lo_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        fail(ErrorKind::simulation_fault, "cannot reserve {} bytes of host memory for the guest",
             guest_hi_ - guest_lo_);
    host_ = static_cast<std::byte*>(mem);

    // The image: copy each segment, then give every page the union of its segments' permissions.
    const auto file = kernel.bytes();
    std::vector<std::uint32_t> page_prot((image_hi_ - image_lo_) / page_size, 0);
    for (const auto& s : kernel.segments()) {
        if (s.mem_size == 0) continue;
        std::memcpy(host(s.vaddr), file.data() + s.file_offset, std::min(s.file_size, s.mem_size));
        const std::uint32_t prot = (s.readable ? UC_PROT_READ : 0) | (s.writable ? UC_PROT_WRITE : 0) |
                                   (s.executable ? UC_PROT_EXEC : 0);
        for (auto p = align_down(s.vaddr, page_size); p < s.vaddr + s.mem_size; p += page_size)
            page_prot[(p - image_lo_) / page_size] |= prot;
    }
    std::tie(code_lo_, code_hi_) = kernel.kernel_code();
    kernel_entry_ = kernel.symbol("simtune_kernel")->address; // KernelBinary::load checked it exists

    try {
        check(uc_open(conv_.arch, conv_.mode, &uc_), "uc_open");
        if (conv_.cpu_model >= 0) check(uc_ctl_set_cpu_model(uc_, conv_.cpu_model), "selecting the CPU model");
        for (std::size_t i = 0; i < page_prot.size();) {
            std::size_t j = i;
            while (j < page_prot.size() && page_prot[j] == page_prot[i]) ++j;
            const std::uint64_t at = image_lo_ + i * page_size, n = (j - i) * page_size;
            if (page_prot[i] != 0) {
                check(uc_mem_map_ptr(uc_, at, n, page_prot[i], host(at)), "mapping the image");
                if (page_prot[i] & UC_PROT_WRITE)
                    writable_.emplace_back(at, std::vector<std::byte>(host(at), host(at) + n));
            }
            i = j;
        }
        check(uc_mem_map_ptr(uc_, sentinel_, page_size, UC_PROT_READ | UC_PROT_EXEC, host(sentinel_)),
              "mapping the sentinel page");
        check(uc_mem_map_ptr(uc_, stack_lo, stack_bytes, UC_PROT_READ | UC_PROT_WRITE, host(stack_lo)),
              "mapping the stack");
        for (std::size_t i = 0; i < buffers_.size(); ++i) {
            auto& b = buffers_[i];
            check(uc_mem_map_ptr(uc_, b.address, b.mapped, UC_PROT_READ | UC_PROT_WRITE, host(b.address)),
                  "mapping a buffer");
            b.initial.assign(b.mapped, std::byte{0});
            initialise_buffer(buffer_specs[i], i, std::span(b.initial).first(b.bytes));
        }

        uc_hook h{};
        check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&Engine::on_block), this, 1, 0),
              "adding the block hook");
        check(uc_hook_add(uc_, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&Engine::on_bad_memory),
                          this, 1, 0),
              "adding the invalid-memory hook");
        check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&Engine::on_interrupt), this, 1, 0),
              "adding the interrupt hook");
        if (memory_events)
            check(uc_hook_add(uc_, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                              reinterpret_cast<void*>(&Engine::on_memory), this, 1, 0),
                  "adding the memory hook");
        if (conv_.arch == UC_ARCH_X86)
            check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&Engine::on_syscall), this, 1, 0,
                              UC_X86_INS_SYSCALL),
                  "adding the syscall hook");

        // Registers that stay the same for every run, then a snapshot to restore before each run.
        if (kernel.isa() == Isa::riscv64) {
            // mstatus.FS = dirty: without it the first FP instruction raises an exception.
            std::uint64_t mstatus = 0;
            check(uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &mstatus), "reading mstatus");
            mstatus |= 0x6000;
            check(uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &mstatus), "enabling the FPU");
            // Linked code may address small data relative to gp.
            if (const auto gp = kernel.symbol("__global_pointer$")) {
                std::uint64_t v = gp->address;
                check(uc_reg_write(uc_, UC_RISCV_REG_GP, &v), "setting gp");
            }
        }
        check(uc_context_alloc(uc_, &initial_context_), "allocating a context");
        check(uc_context_save(uc_, initial_context_), "saving the initial context");
    } catch (...) {
        if (initial_context_) uc_context_free(initial_context_);
        if (uc_) uc_close(uc_);
        ::munmap(host_, guest_hi_ - guest_lo_);
        throw;
    }
}

Engine::~Engine() {
    if (initial_context_) uc_context_free(initial_context_);
    if (uc_) uc_close(uc_);
    if (host_) ::munmap(host_, guest_hi_ - guest_lo_);
}

void Engine::stop(Stop why) {
    if (stop_ == Stop::none) stop_ = why;
    uc_emu_stop(uc_);
}

BlockEntry& Engine::lookup(std::uint64_t address, std::uint32_t size) {
    const std::uint64_t key = address | (std::uint64_t{size} << 48);
    auto& slot = fast_[(address ^ (address >> 9)) & (fast_slots - 1)];
    if (slot.key == key) [[likely]]
        return *slot.entry;
    auto [it, inserted] = blocks_.try_emplace(key, nullptr);
    if (inserted) {
        BlockEntry& e = block_store_.emplace_back();
        e.inside_kernel = address >= code_lo_ && address + size <= code_hi_;
        e.size = size;
        if (e.inside_kernel && in_image(address, size)) {
            e.block = classifier_.decode_block(std::span<const std::byte>(host(address), size), address);
        } else {
            e.block.address = address;
            e.block.end = address + size;
        }
        it->second = &e;
    }
    slot = {key, it->second};
    return *it->second;
}

// Exceptions must not unwind through Unicorn's C frames: the hooks catch everything (free on the
// path that does not throw), stop the engine, and run() rethrows.
void Engine::on_block(uc_engine*, std::uint64_t address, std::uint32_t size, void* self) {
    auto& e = *static_cast<Engine*>(self);
    if (address == e.sentinel_) return;
    try {
        e.count_block(address, size);
    } catch (...) {
        e.pending_ = std::current_exception();
        e.stop(Stop::exception);
    }
}

void Engine::count_block(std::uint64_t address, std::uint32_t size) {
    Engine& e = *this;
    BlockEntry& entry = e.lookup(address, size);
    e.last_block_key_ = address | (std::uint64_t{size} << 48);
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
    if (--e.clock_countdown_ == 0) [[unlikely]] {
        e.clock_countdown_ = clock_check_blocks;
        if (std::chrono::steady_clock::now() > e.deadline_) return e.stop(Stop::time_limit);
        if (interrupt_requested()) return e.stop(Stop::cancelled); // SIGINT/SIGTERM: stop within milliseconds
    }
    if (e.feed_blocks_) e.collectors_->on_block(entry.block);
}

void Engine::on_memory(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t,
                       void* self) {
    auto& e = *static_cast<Engine*>(self);
    try {
        e.collectors_->on_memory(MemoryAccess{address, static_cast<std::uint32_t>(size), type == UC_MEM_WRITE});
    } catch (...) {
        e.pending_ = std::current_exception();
        e.stop(Stop::exception);
    }
}

bool Engine::on_bad_memory(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t,
                           void* self) {
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

void Engine::on_syscall(uc_engine*, void* self) {
    auto& e = *static_cast<Engine*>(self);
    if (e.stop_ == Stop::none) e.fault_pc_ = e.read_pc();
    e.stop(Stop::syscall);
}

std::uint64_t Engine::read_pc() const {
    std::uint64_t pc = 0;
    uc_reg_read(uc_, conv_.pc, &pc);
    return pc;
}

void Engine::replay_blocks(CollectorSet& collectors) const {
    // One call per distinct block instead of one per execution: the mix becomes free next to the
    // simulation (CollectorSet::on_block_repeated).
    for (const auto& entry : block_store_) collectors.on_block_repeated(entry.block, entry.executions);
}

void Engine::reset_state() {
    for (const auto& [at, bytes] : writable_) std::memcpy(host(at), bytes.data(), bytes.size());
    for (const auto& b : buffers_) std::memcpy(host(b.address), b.initial.data(), b.mapped);
    check(uc_context_restore(uc_, initial_context_), "restoring the initial context");
}

void Engine::set_arguments() {
    const std::size_t n = buffers_.size();
    const std::size_t in_registers = std::min(n, conv_.register_args);
    for (std::size_t i = 0; i < in_registers; ++i) {
        std::uint64_t v = buffers_[i].address;
        check(uc_reg_write(uc_, conv_.args[i], &v), "setting an argument register");
    }
    // The rest go on the stack, in order upwards from the SP at the call (16-byte aligned).
    const std::size_t on_stack = n - in_registers;
    std::uint64_t sp = align_down(stack_top_ - 64 - on_stack * 8, 16);
    for (std::size_t i = 0; i < on_stack; ++i) {
        const std::uint64_t v = buffers_[in_registers + i].address;
        std::memcpy(host(sp + 8 * i), &v, 8);
    }
    if (conv_.link < 0) {
        sp -= 8; // x86-64: `call` pushed the return address
        std::memcpy(host(sp), &sentinel_, 8);
    } else {
        check(uc_reg_write(uc_, conv_.link, &sentinel_), "setting the return address");
    }
    check(uc_reg_write(uc_, conv_.sp, &sp), "setting the stack pointer");
}

SimulationResult Engine::run(CollectorSet& collectors, const UnicornOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    reset_state();
    set_arguments();
    collectors.reset();
    collectors.bind(kernel_);
    const EventKind events = collectors.events();
    if (has(events, EventKind::memory) != memory_events_)
        fail(ErrorKind::invalid_argument, "internal: engine built {} memory hooks", memory_events_ ? "with" : "without");
    collectors_ = &collectors;
    // When the only block consumer is the built-in instruction mix, the order of block events
    // does not matter: count executions per block in the hook and feed the mix after the run (see
    // replay_blocks). Branch counting and user collectors see every block in execution order.
    const bool wants_blocks = has(events, EventKind::blocks);
    replay_blocks_ = wants_blocks && collectors.branch_counter() == nullptr && collectors.user_collector_count() == 0;
    feed_blocks_ = wants_blocks && !replay_blocks_;
    for (auto& entry : block_store_) entry.executions = 0;
    max_instructions_ = budget_ = options.limits.max_instructions;
    timeout_ = options.limits.timeout;
    deadline_ = start + timeout_;
    clock_countdown_ = clock_check_blocks;
    stop_ = Stop::none;
    pending_ = nullptr;
    last_block_key_ = 0;

    const uc_err err = uc_emu_start(uc_, kernel_entry_, sentinel_, 0, 0);
    collectors_ = nullptr;
    if (err != UC_ERR_OK || stop_ != Stop::none || read_pc() != sentinel_) report(err);

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
    if (options.read_buffers) {
        result.buffers.reserve(buffers_.size());
        for (const auto& b : buffers_) result.buffers.emplace_back(host(b.address), host(b.address) + b.bytes);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::string Engine::where(std::uint64_t address) const {
    const std::string name = kernel_.symbol_at(address);
    if (name.empty()) return fmt::format("{:#x}", address);
    const auto sym = kernel_.symbol(name);
    return fmt::format("{:#x} ({}+{:#x})", address, name, address - (sym ? sym->address : address));
}

std::uint32_t Engine::instruction_size(std::uint64_t address, std::uint64_t limit) const {
    if (!in_image(address, 1) || limit <= address) return 0;
    const auto first = static_cast<unsigned>(*host(address));
    switch (kernel_.isa()) {
    case Isa::aarch64: return 4;
    case Isa::riscv64: return (first & 3) == 3 ? 4 : 2; // the length encoding; also for RVV
    case Isa::x86_64: break;
    }
    const std::span<const std::byte> bytes(host(address), std::min<std::uint64_t>(limit, image_hi_) - address);
    return classifier_.classify(bytes, address).size;
}

std::string Engine::instruction_at(std::uint64_t address) const {
    if (!in_image(address, 1)) return "(outside the binary)";
    const std::uint64_t n = std::min<std::uint64_t>(15, image_hi_ - address);
    const std::span<const std::byte> bytes(host(address), n);
    const std::uint32_t size = instruction_size(address, address + n);
    const std::size_t shown = size ? size : std::min<std::size_t>(4, n);
    std::string hex;
    for (std::size_t i = 0; i < shown; ++i)
        hex += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned>(bytes[i]));
    return fmt::format("[{}] '{}'", hex, classifier_.disassemble(bytes, address));
}

std::uint64_t Engine::trapping_instruction(std::uint64_t pc) const {
    // x86-64 reports the trapping instruction itself. AArch64 and RISC-V report the address after
    // it: walk the last block from its start (an instruction boundary) to the one that ends at pc.
    if (kernel_.isa() == Isa::x86_64) return pc;
    std::uint64_t at = last_block();
    while (at < pc && at != 0) {
        const std::uint32_t n = instruction_size(at, pc);
        if (n == 0) break;
        if (at + n == pc) return at;
        at += n;
    }
    return pc - 4;
}

std::string Engine::buffer_hint(std::uint64_t address) const {
    const auto& specs = kernel_.buffers();
    for (std::size_t i = 0; i < buffers_.size(); ++i) {
        const auto& b = buffers_[i];
        if (address >= b.address + b.bytes && address < b.address + b.mapped + page_size)
            return fmt::format(" ({} bytes past the end of buffer '{}')", address - b.address - b.bytes,
                               specs[i].name);
        if (address < b.address && address + page_size >= b.address)
            return fmt::format(" ({} bytes before buffer '{}')", b.address - address, specs[i].name);
    }
    if (address >= image_hi_ && address < stack_lo_)
        return fmt::format(" (below the {}-byte stack: raise UnicornOptions::stack_bytes)", stack_top_ - stack_lo_);
    if (address < page_size) return " (a null pointer)";
    return "";
}

std::string Engine::block_listing(std::uint64_t start) const {
    // Unicorn reports a memory fault with the PC of the block's start, not of the instruction.
    const std::uint64_t end = start == last_block() && last_block_size() ? start + last_block_size() : start + 1;
    std::string out;
    std::uint64_t at = start;
    for (int i = 0; i < 8 && at < end; ++i) {
        const std::uint32_t n = instruction_size(at, std::max(end, at + 15));
        if (n == 0) break;
        out += fmt::format("{}{}", i ? "; " : "", classifier_.disassemble(std::span<const std::byte>(host(at), n), at));
        at += n;
    }
    if (at < end) out += "; ...";
    return out;
}

void Engine::report(uc_err err) {
    const std::string kernel_name = kernel_.path().filename().string();
    const auto isa = kernel_.isa();
    const auto prefix = fmt::format("{} on Unicorn ({})", kernel_name, isa);
    switch (stop_) {
    case Stop::instruction_limit:
        fail(ErrorKind::instruction_limit, "{}: exceeded the limit of {} instructions", prefix, max_instructions_);
    case Stop::time_limit:
        fail(ErrorKind::time_limit, "{}: exceeded the time limit of {} ms after {} instructions", prefix,
             timeout_.count(), max_instructions_ - budget_);
    case Stop::cancelled:
        throw_if_interrupted(prefix.c_str());
        fail(ErrorKind::cancelled, "{}: interrupted", prefix);
    case Stop::left_code:
        fail(ErrorKind::simulation_fault,
             "{}: control left the kernel's code [{:#x}, {:#x}) for {}: calls into libc or other code "
             "outside the kernel's translation unit cannot be simulated",
             prefix, code_lo_, code_hi_, where(fault_pc_));
    case Stop::bad_memory: {
        const bool unmapped = fault_type_ == UC_MEM_READ_UNMAPPED || fault_type_ == UC_MEM_WRITE_UNMAPPED ||
                              fault_type_ == UC_MEM_FETCH_UNMAPPED;
        const bool fetch = fault_type_ == UC_MEM_FETCH_UNMAPPED || fault_type_ == UC_MEM_FETCH_PROT;
        const bool read = fault_type_ == UC_MEM_READ_UNMAPPED || fault_type_ == UC_MEM_READ_PROT;
        if (fetch)
            fail(ErrorKind::simulation_fault, "{}: jump to {} address {}: control left the binary's code", prefix,
                 unmapped ? "unmapped" : "non-executable", where(fault_address_));
        fail(ErrorKind::simulation_fault, "{}: {} {} of {} bytes at {:#x}{} by an instruction of the block at {}: {}",
             prefix, unmapped ? "unmapped" : "protected", read ? "read" : "write", fault_size_, fault_address_,
             buffer_hint(fault_address_), where(fault_pc_), block_listing(fault_pc_));
    }
    case Stop::syscall:
    case Stop::interrupt: {
        const std::uint64_t at = stop_ == Stop::syscall ? fault_pc_ : trapping_instruction(fault_pc_);
        bool is_syscall = stop_ == Stop::syscall || (isa == Isa::aarch64 && interrupt_ == 2) || // EXCP_SWI
                          (isa == Isa::riscv64 && (interrupt_ == 8 || interrupt_ == 9 || interrupt_ == 11)) ||
                          (isa == Isa::x86_64 && interrupt_ == 0x80);
        const bool undefined = (isa == Isa::aarch64 && interrupt_ == 1) || (isa == Isa::riscv64 && interrupt_ == 2) ||
                               (isa == Isa::x86_64 && interrupt_ == 6);
        if (undefined) invalid_instruction(at);
        const std::string reason =
            is_syscall ? "a system call (kernels run without an operating system, so they cannot make one)"
                       : fmt::format("CPU exception {}", interrupt_);
        fail(ErrorKind::simulation_fault, "{}: {} at {} {}", prefix, reason, where(at), instruction_at(at));
    }
    case Stop::exception: {
        auto pending = std::exchange(pending_, nullptr);
        std::rethrow_exception(pending);
    }
    case Stop::none: break;
    }
    if (err == UC_ERR_INSN_INVALID) invalid_instruction(read_pc());
    if (err != UC_ERR_OK)
        fail(ErrorKind::simulation_fault, "{}: {} at {} {}", prefix, uc_strerror(err), where(read_pc()),
             instruction_at(read_pc()));
    fail(ErrorKind::simulation_fault, "{}: stopped at {} before the kernel returned", prefix, where(read_pc()));
}

void Engine::invalid_instruction(std::uint64_t at) {
    std::string why = "invalid or unsupported instruction";
    if (in_image(at, 1)) {
        const auto first = static_cast<unsigned>(*host(at));
        if (kernel_.isa() == Isa::x86_64 && (first == 0xc4 || first == 0xc5 || first == 0x62))
            why = "unsupported instruction: Unicorn's x86-64 has no AVX/AVX-512; build for x86-64-v2 (SSE4.2)";
        const auto opcode = first & 0x7f;
        if (kernel_.isa() == Isa::riscv64 && (first & 3) == 3 && (opcode == 0x57 || opcode == 0x07 || opcode == 0x27))
            why = "unsupported instruction: Unicorn's RISC-V has no vector extension (RVV)";
    }
    fail(ErrorKind::simulation_fault, "{} on Unicorn ({}): {} at {} {}", kernel_.path().filename().string(),
         kernel_.isa(), why, where(at), instruction_at(at));
}

} // namespace

struct UnicornSimulator::Impl {
    UnicornOptions options;
    /// Engines for the most recently run binary: [0] without, [1] with memory hooks.
    std::array<std::unique_ptr<Engine>, 2> engines;
};

UnicornSimulator::UnicornSimulator() : UnicornSimulator(UnicornOptions{}) {}
UnicornSimulator::UnicornSimulator(SimulationLimits limits) : UnicornSimulator(UnicornOptions{limits}) {}
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
    for (auto& e : engines)
        if (e && !e->holds(kernel)) e.reset();
    auto& engine = engines[memory ? 1 : 0];
    if (!engine) engine = std::make_unique<Engine>(kernel, impl_->options, memory);
    return engine->run(collectors, impl_->options);
}

} // namespace simtune
