// simtune's QEMU TCG plugin: counts what a kernel binary executes inside its region of interest
// and writes the Stats to a file (report_format.hpp).
//
//   qemu-x86_64 -plugin libsimtune_qemu_plugin.so,out=FILE,roi_begin=0x...,roi_end=0x...,
//               exclude=0xA-0xB,...,mix=1,branches=1,mem=1,cache=1,dataflow=1,
//               l1d=32768:64:8,l2=...,llc=...,dtlb=262144:4096:4,stlb=...,limit=N,
//               blocks=0xA-0xB,sample=PERIOD:WARMUP:WINDOW,sample_prefix=N,sample_warmup_limit=N,
//               warm=0xA-0xB,...  ./kernel
//
// warm= (one per kernel buffer, where the harness placed it): the caches start each run as a
// repeated run leaves them, those ranges touched once (simtune::CacheModel::warm); without it, cold.
//
// Counting design (cheap and exact):
//  - Every translated block gets one inline execution counter (ADD_U64, no helper call), keyed by
//    (address, instruction count) so a block QEMU translates again keeps its counter. The counters
//    run from start-up on; the first instruction of simtune_roi_begin snapshots them, the first
//    instruction of simtune_roi_end takes the difference. Start-up code never reaches the Stats
//    and the per-execution cost is one memory add.
//  - The region counted is "simtune_kernel and everything it calls": blocks that start inside the
//    harness glue (main, simtune_call_kernel, the two markers; the `exclude=` ranges) are left
//    out, so the figures equal a function-level run of the kernel (UnicornSimulator). A block
//    never spans glue and kernel code, because calls, jumps and returns end QEMU blocks.
//  - Each block is classified once, at translation time, with the shared simtune::Classifier; the
//    counted executions are replayed to the shared collectors at ROI end (a block histogram times
//    its execution count, CollectorSet::on_block_repeated).
//  - Memory accesses go through memory callbacks (inline memory counters misbehave in QEMU 7.2)
//    and taken branches through per-block callbacks, installed only when asked for, and both act
//    only while the ROI flag is set. The memory callback only queues the access; the queue is
//    drained into MemoryTraffic and CacheModel (held by the plugin, called directly) when full
//    and at ROI end, and each distinct packed access description is decoded through QEMU once.
//  - With dataflow=1 every block is also decoded into its instructions' registers, every access
//    carries its instruction's address (the memory callback's user data), and each block
//    execution first drains the previous block's accesses, so the dataflow collector (held in
//    `collectors`) sees blocks and accesses in execution order.
//  - With blocks=FIRST-END the report lists every counted block starting in [FIRST, END) (the
//    kernel's own code) with its executions in the ROI, read from the same inline counters; the
//    adapter prices them with LLVM MCA, which stays out of QEMU's process.
//  - With sample=PERIOD:WARMUP:WINDOW (sampled memory statistics; needs mem=1 or cache=1, not
//    dataflow=1) the memory callbacks exist only while they are needed, because a memory
//    callback, once translated into a block, runs on every execution (API v1 has no conditional
//    callbacks). A per-block execution callback (the clock) counts instructions (between windows
//    only in blocks that ran rarely in the last window, see choose_clocks); at a window boundary
//    the plugin asks QEMU to retranslate everything (qemu_plugin_reset, which runs its callback
//    between two blocks) with or without memory callbacks. Each PERIOD instructions of the ROI, at
//    a random offset: a warm-up of at least WARMUP instructions that only warms the simulated
//    caches (longer, up to sample_warmup_limit, where the kernel misses rarely:
//    WindowEstimator::warmup_length), then a measured window of WINDOW instructions; the first
//    window starts at the ROI's first block with cold caches (as in exact counting) and is
//    measured throughout, WARMUP + WINDOW long. The cache state carries over between windows; each
//    warm-up begins a new epoch of the caches' certainty (simtune::WindowCertainty).
//      Traffic (mem_reads, mem_writes, bytes_loaded, bytes_stored, l1d_accesses) is estimated per
//    block: every block's accesses per execution, averaged over the executions it had memory
//    callbacks (every block in a window; a block first translated between windows gets them until
//    it has run a few hundred times), times its exact executions in the ROI. Exact for blocks
//    with a fixed access pattern. The other cache counters are the first window's counts plus a
//    ratio estimate (counts per instruction over the later measured windows) for the rest of the
//    ROI, with a 95 % interval from the windows' spread (Student's t, finite-population
//    correction) and, for the misses, the window's unsure misses and hits (simtune::WindowEstimator,
//    shared with the Unicorn engine), written to the report beside the counts. A ROI that ends inside the first window is counted exactly.
//  - The instruction limit is watched by a thread that samples the block counters every few
//    milliseconds; exceeding it writes status instruction_limit and exits QEMU with
//    instruction_limit_exit_code. The check at ROI end makes the outcome exact.
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "qemu_plugin_api.h"
#include "report_format.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/collectors/sampled_windows.hpp"
#include "simtune/events.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

extern "C" {
SIMTUNE_QEMU_PLUGIN_EXPORT int qemu_plugin_version = SIMTUNE_QEMU_PLUGIN_API_VERSION;
}

namespace {

using simtune::CacheGeometry;
using simtune::DecodedBlock;
using simtune::Stats;
namespace report = simtune::qemu_report;

/// QEMU's exit status when the plugin stops the guest at the instruction limit. The report file,
/// not this code, is what the adapter trusts (a guest may exit with any status).
constexpr int instruction_limit_exit_code = 125;

struct Options {
    std::string out;
    std::uint64_t roi_begin = 0, roi_end = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> excluded; ///< [first, second)
    std::vector<simtune::AddressRange> warm;                       ///< warm= ranges, in order
    bool mix = false, branches = false, memory = false, caches = false, dataflow = false;
    /// memory_walk=0: with cache=1 and dataflow=1, no walk with memory (dataflow_memory_cycles 0)
    bool memory_walk = true;
    simtune::CacheHierarchy geometry;
    std::uint64_t limit = 0;                                       ///< 0: none
    std::optional<std::pair<std::uint64_t, std::uint64_t>> listed; ///< blocks= range [first, second)
    /// sample=: 0 period: exact counting of every access.
    std::uint64_t sample_period = 0, sample_warmup = 0, sample_window = 0;
    std::uint64_t sample_prefix = 0; ///< sample_prefix=: the first window lasts at least this long
    /// sample_warmup_limit=: a warm-up goes on past WARMUP, up to this, until the L1D turned over
    /// (simtune::SamplingOptions::warmup_limit)
    std::uint64_t sample_warmup_limit = 0;
    [[nodiscard]] bool sampled() const noexcept { return sample_period != 0; }
};

struct Block {
    std::uint64_t executions = 0; ///< inline counter, always running
    std::uint64_t at_roi_begin = 0;
    std::uint64_t at_first_window_end = 0; ///< sampled mode: `executions` when the first window ended
    /// `address`, `end` and `instructions` from translation; the class histogram and the branch
    /// only once `classified` (see classify_block).
    DecodedBlock decoded;
    bool classified = false;
    /// Until classified: the block's code and each instruction's length, copied at translation.
    std::vector<std::byte> code;
    std::vector<std::uint8_t> lengths;
    bool counted = true; ///< false for blocks of the harness glue
    // Sampled mode: the block's accesses while it had memory callbacks in the ROI (a "span"), and
    // its executions in those spans.
    bool span_open = false;
    std::uint64_t span_start = 0;          ///< `executions` when the open span began
    std::uint64_t profiled_executions = 0; ///< executions in closed spans
    std::uint64_t reads = 0, writes = 0, bytes_read = 0, bytes_written = 0, lines = 0;
    // Sampled mode's clock: whether the block has it between windows, and how many ROI
    // instructions one of its executions stands for (see choose_clocks).
    bool in_roi_blocks = false;
    bool clock_between_windows = true;
    std::int64_t tick_weight = 0;
    std::uint64_t window_start_executions = 0, window_executions = 0;
};

/// Where the sampled mode is in its schedule.
enum class Phase {
    before,  ///< the ROI has not begun: no memory callbacks
    off,     ///< between windows: memory callbacks only for blocks not profiled yet
    warm,    ///< warming the caches: every block has memory callbacks, the caches are fed
    measure, ///< a measured window
    done     ///< the ROI has ended
};

struct Sampler {
    Phase phase = Phase::before;
    std::int64_t remaining = 0;  ///< instructions until the next step of the schedule
    bool instrument_all = false; ///< blocks translated now get memory callbacks
    bool feed_caches = false;    ///< drained accesses go to the caches (warm and measured windows)
    bool reset_pending = false, reset_to_on = false;
    std::uint64_t window_start_instructions = 0;
    Stats window_start_counts;
    simtune::WindowEstimator estimator;           ///< the measured windows, the first from the ROI's start
    std::uint64_t resets = 0;                     ///< retranslations asked for
    std::uint64_t offset = 0;                     ///< where the current period's window begins in it
    std::uint64_t random = 0x9e3779b97f4a7c15ULL; ///< splitmix64 state: window offsets
    std::vector<Block*> roi_blocks;               ///< blocks translated since the ROI began
    simtune::WindowCertainty window_start_certainty;
};

struct Plugin {
    Options options;
    std::optional<simtune::Classifier> classifier;
    simtune::CollectorSet collectors; ///< the block collectors (mix, branches, dataflow)
    // The memory collectors, held here rather than in `collectors` so the per-access callback
    // calls them directly (one callback per guest load or store: the hot path).
    std::optional<simtune::MemoryTraffic> traffic;
    std::optional<simtune::CacheModel> caches;

    std::mutex translation_mutex; // guards `blocks` (translation may run on several threads)
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::unique_ptr<Block>> blocks;
    std::vector<const Block*> counted_blocks; ///< the same blocks, for the limit watchdog's scan

    qemu_plugin_id_t id = 0;
    Sampler sampler; ///< sampled mode only; touched by the vCPU thread only

    std::atomic<bool> in_roi{false};
    bool roi_seen = false;
    std::atomic<bool> report_written{false};
};

Plugin* plugin = nullptr; // created by qemu_plugin_install, lives until the process ends

[[noreturn]] void bad_argument(std::string_view arg, std::string_view why) {
    throw std::runtime_error(fmt::format("bad plugin argument \"{}\": {}", arg, why));
}

std::uint64_t parse_number(std::string_view arg, std::string_view text) {
    std::uint64_t value = 0;
    int base = 10;
    if (text.starts_with("0x")) {
        text.remove_prefix(2);
        base = 16;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) bad_argument(arg, "not a number");
    return value;
}

/// FIRST-END, two numbers: the exclude=, blocks= and warm= ranges.
std::pair<std::uint64_t, std::uint64_t> parse_range(std::string_view arg, std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) bad_argument(arg, "expected FIRST-END");
    return {parse_number(arg, text.substr(0, dash)), parse_number(arg, text.substr(dash + 1))};
}

CacheGeometry parse_geometry(std::string_view arg, std::string_view text) {
    const auto first = text.find(':'), second = text.rfind(':');
    if (first == std::string_view::npos || first == second) bad_argument(arg, "expected SIZE:LINE:WAYS");
    CacheGeometry g;
    g.size_bytes = parse_number(arg, text.substr(0, first));
    g.line_bytes = static_cast<std::uint32_t>(parse_number(arg, text.substr(first + 1, second - first - 1)));
    g.associativity = static_cast<std::uint32_t>(parse_number(arg, text.substr(second + 1)));
    if (!g.valid()) bad_argument(arg, "not a cache geometry simtune can model");
    return g;
}

bool parse_flag(std::string_view arg, std::string_view text) {
    if (text == "1" || text == "on" || text == "true") return true;
    if (text == "0" || text == "off" || text == "false") return false;
    bad_argument(arg, "expected 0 or 1");
}

Options parse_options(int argc, char** argv) {
    Options o;
    bool has_l1d = false, has_l2 = false, has_llc = false;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto eq = arg.find('=');
        if (eq == std::string_view::npos) bad_argument(arg, "expected key=value");
        const auto key = arg.substr(0, eq), value = arg.substr(eq + 1);
        if (key == "out") o.out = std::string(value);
        else if (key == "roi_begin") o.roi_begin = parse_number(arg, value);
        else if (key == "roi_end") o.roi_end = parse_number(arg, value);
        else if (key == "exclude") o.excluded.push_back(parse_range(arg, value));
        else if (key == "warm") {
            const auto [first, end] = parse_range(arg, value);
            if (end < first) bad_argument(arg, "END before FIRST");
            o.warm.push_back({first, end - first});
        } else if (key == "mix") o.mix = parse_flag(arg, value);
        else if (key == "branches") o.branches = parse_flag(arg, value);
        else if (key == "mem") o.memory = parse_flag(arg, value);
        else if (key == "cache") o.caches = parse_flag(arg, value);
        else if (key == "dataflow") o.dataflow = parse_flag(arg, value);
        else if (key == "memory_walk") o.memory_walk = parse_flag(arg, value);
        else if (key == "l1d") o.geometry.l1d = parse_geometry(arg, value), has_l1d = true;
        else if (key == "l2") o.geometry.l2 = parse_geometry(arg, value), has_l2 = true;
        else if (key == "llc") o.geometry.llc = parse_geometry(arg, value), has_llc = true;
        else if (key == "dtlb") o.geometry.dtlb = parse_geometry(arg, value);
        else if (key == "stlb") o.geometry.stlb = parse_geometry(arg, value);
        else if (key == "limit") o.limit = parse_number(arg, value);
        else if (key == "blocks") o.listed = parse_range(arg, value);
        else if (key == "sample_prefix") o.sample_prefix = parse_number(arg, value);
        else if (key == "sample_warmup_limit") o.sample_warmup_limit = parse_number(arg, value);
        else if (key == "sample") {
            const auto first = value.find(':'), second = value.rfind(':');
            if (first == std::string_view::npos || first == second) bad_argument(arg, "expected PERIOD:WARMUP:WINDOW");
            o.sample_period = parse_number(arg, value.substr(0, first));
            o.sample_warmup = parse_number(arg, value.substr(first + 1, second - first - 1));
            o.sample_window = parse_number(arg, value.substr(second + 1));
            if (o.sample_period != 0 && (o.sample_window == 0 || o.sample_period <= o.sample_warmup + o.sample_window ||
                                         o.sample_period > (std::uint64_t{1} << 62)))
                bad_argument(arg, "expected 0 < WINDOW and WARMUP + WINDOW < PERIOD < 2^62");
        } else bad_argument(arg, "unknown key");
    }
    if (o.out.empty()) throw std::runtime_error("missing plugin argument out=FILE");
    if (o.roi_begin == 0 || o.roi_end == 0)
        throw std::runtime_error("missing plugin arguments roi_begin=ADDR and roi_end=ADDR");
    if (o.caches && !(has_l1d && has_l2 && has_llc))
        throw std::runtime_error("cache=1 needs l1d=, l2= and llc= geometries");
    if (o.sampled() && o.dataflow)
        throw std::runtime_error("sample= cannot be combined with dataflow=1 (it needs every access)");
    if (o.sampled() && !o.memory && !o.caches) o.sample_period = 0; // nothing to sample
    return o;
}

simtune::Isa isa_of(std::string_view target_name) {
    if (target_name == "x86_64") return simtune::Isa::x86_64;
    if (target_name == "aarch64") return simtune::Isa::aarch64;
    if (target_name == "riscv64") return simtune::Isa::riscv64;
    throw std::runtime_error(fmt::format("QEMU target \"{}\" is not an ISA simtune supports", target_name));
}

bool is_excluded(std::uint64_t address) {
    for (const auto& [first, end] : plugin->options.excluded)
        if (address >= first && address < end) return true;
    return false;
}

/// Writes the report once (whoever comes first: ROI end, the limit watchdog, or exit).
void write_report(const report::Report& r) {
    if (plugin->report_written.exchange(true)) return;
    const std::string temporary = plugin->options.out + ".partial";
    const std::string text = report::format(r);
    if (FILE* f = std::fopen(temporary.c_str(), "wb")) {
        const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
        if (std::fclose(f) == 0 && ok && std::rename(temporary.c_str(), plugin->options.out.c_str()) == 0) return;
    }
    std::fprintf(stderr, "simtune plugin: cannot write %s: %s\n", plugin->options.out.c_str(), std::strerror(errno));
}

/// What QEMU's packed description of an access says, remembered per distinct value: a guest uses
/// a handful of them (sizes x directions), so the two calls into QEMU that decode one
/// (`qemu_plugin_mem_size_shift`, `qemu_plugin_mem_is_store`, ~10 % of a memory-heavy run) are
/// made once per value instead of once per access, through the documented API only.
struct DecodedInfo {
    qemu_plugin_meminfo_t info = 0;
    std::uint32_t size = 0;
    bool is_store = false;
    bool valid = false;
};
std::array<DecodedInfo, 64> decoded_infos;

[[gnu::noinline]] const DecodedInfo& decode_slow(DecodedInfo& slot, qemu_plugin_meminfo_t info) {
    slot = DecodedInfo{info, 1u << qemu_plugin_mem_size_shift(info), qemu_plugin_mem_is_store(info), true};
    return slot;
}

inline const DecodedInfo& decode(qemu_plugin_meminfo_t info) {
    DecodedInfo& slot = decoded_infos[(info ^ (info >> 6) ^ (info >> 16)) % decoded_infos.size()];
    if (slot.info == info && slot.valid) [[likely]]
        return slot;
    return decode_slow(slot, info);
}

/// The accesses not yet given to the memory collectors. The callback only appends to it (a few
/// instructions, no saved registers); full, and at ROI end, it is drained in order in one loop
/// that keeps the traffic counters, the last access's description and the cache model's filter
/// in registers. (Against calling the collectors from each callback it measured within the noise
/// of a loaded machine; it stays because it keeps the callback minimal.) The callback's user data
/// (the instruction's address for the dataflow collector, the block in sampled mode) goes to an
/// array of its own, only when one of those needs it: 16-byte entries keep the queue in 64 KiB.
struct PendingAccess {
    std::uint64_t address;
    qemu_plugin_meminfo_t info;
};
constexpr std::size_t pending_capacity = 4096;
std::array<PendingAccess, pending_capacity> pending;
std::array<std::uint64_t, pending_capacity> pending_data;
std::size_t pending_count = 0;

/// A pending access as the drains hand it to CacheModel::access_batch.
struct DrainedAccess {
    std::uint64_t address;
    std::uint32_t size;
    bool is_store;
};

/// Served: the walk with memory runs, so each access asks the caches where it was found, in order.
template <bool Traffic, bool Caches, bool Dataflow, bool Served = false>
void drain_pending() {
    // The traffic counters in registers (a counter indexed by direction in memory makes each
    // access wait for the previous one's store); the last access's description likewise.
    std::uint64_t accesses[2] = {0, 0}, bytes[2] = {0, 0};
    qemu_plugin_meminfo_t last_info = 0;
    DecodedInfo d = decode(last_info);
    auto at = [&](std::size_t i) {
        const PendingAccess a = pending[i];
        if (a.info != last_info) [[unlikely]] {
            d = decode(a.info);
            last_info = a.info;
        }
        if constexpr (Traffic) {
            accesses[0] += !d.is_store;
            accesses[1] += d.is_store;
            bytes[0] += d.is_store ? 0 : d.size;
            bytes[1] += d.is_store ? d.size : 0;
        }
        if constexpr (Dataflow) {
            simtune::MemoryAccess m{a.address, d.size, d.is_store, pending_data[i]};
            // The walk with memory: where the caches found the data (they see the access here).
            if constexpr (Caches && Served) m.served = plugin->caches->access_served(a.address, d.size, d.is_store);
            plugin->collectors.on_memory(m);
        }
        return DrainedAccess{a.address, d.size, d.is_store};
    };
    if constexpr (Caches && !Served) plugin->caches->access_batch(pending_count, at);
    else
        for (std::size_t i = 0; i < pending_count; ++i) (void)at(i);
    if constexpr (Traffic) plugin->traffic->add(accesses[0], accesses[1], bytes[0], bytes[1]);
    pending_count = 0;
}

/// Sampled mode: each pending access counts in its block's tallies (the callback's user data is the
/// block) and, inside a window, goes to the caches, through access_batch as in drain_pending (the
/// filter and the store-forwarding counters in registers for the whole batch).
void drain_sampled() {
    const unsigned shift = static_cast<unsigned>(std::countr_zero(plugin->options.geometry.l1d.line_bytes));
    qemu_plugin_meminfo_t last_info = 0;
    DecodedInfo d = decode(last_info);
    auto at = [&](std::size_t i) {
        const PendingAccess a = pending[i];
        if (a.info != last_info) [[unlikely]] {
            d = decode(a.info);
            last_info = a.info;
        }
        auto* block = reinterpret_cast<Block*>(static_cast<std::uintptr_t>(pending_data[i]));
        block->reads += !d.is_store;
        block->writes += d.is_store;
        block->bytes_read += d.is_store ? 0 : d.size;
        block->bytes_written += d.is_store ? d.size : 0;
        const std::uint64_t line = a.address >> shift, last = (a.address + (d.size ? d.size - 1 : 0)) >> shift;
        block->lines += last - line + 1;
        return DrainedAccess{a.address, d.size, d.is_store};
    };
    if (plugin->sampler.feed_caches && plugin->caches) plugin->caches->access_batch(pending_count, at);
    else
        for (std::size_t i = 0; i < pending_count; ++i) (void)at(i);
    pending_count = 0;
}

/// Gives every pending access to the memory collectors.
void drain() {
    if (plugin->options.sampled()) drain_sampled();
    else if (plugin->options.dataflow) {
        const bool served = plugin->collectors.dataflow()->memory_walk();
        if (plugin->traffic && plugin->caches) {
            if (served) drain_pending<true, true, true, true>();
            else drain_pending<true, true, true>();
        } else if (plugin->traffic) drain_pending<true, false, true>();
        else if (plugin->caches) {
            if (served) drain_pending<false, true, true, true>();
            else drain_pending<false, true, true>();
        } else drain_pending<false, false, true>();
    } else if (plugin->traffic && plugin->caches) drain_pending<true, true, false>();
    else if (plugin->traffic) drain_pending<true, false, false>();
    else if (plugin->caches) drain_pending<false, true, false>();
    pending_count = 0;
}

/// Fills the block's class histogram and branch from its code copied at translation. Deferred
/// until needed because most translated blocks (the C library's start-up, the harness filling
/// its buffers) never run in the ROI: classifying every block with capstone was most of the
/// plugin's fixed cost (about 6 ms of a 0.16 s x86-64 GEMM run; benchmarks/RESULTS.md).
void classify_block(Block& block) {
    if (block.classified) return;
    block.classified = true;
    DecodedBlock& d = block.decoded;
    std::vector<simtune::InsnRegisters> registers;
    std::uint64_t at = d.address; // a block's instructions are contiguous
    for (std::size_t i = 0; i < block.lengths.size(); ++i) {
        const std::span<const std::byte> bytes{block.code.data() + (at - d.address), block.lengths[i]};
        simtune::InsnRegisters regs;
        const auto info = plugin->options.dataflow ? plugin->classifier->classify(bytes, at, regs)
                                                   : plugin->classifier->classify(bytes, at);
        if (plugin->options.dataflow) registers.push_back(regs);
        ++d.class_counts[static_cast<std::size_t>(info.cls)];
        if (i + 1 == block.lengths.size()) {
            d.ends_in_branch = info.is_branch;
            d.branch_is_conditional = info.is_conditional;
        }
        at += block.lengths[i];
    }
    if (plugin->options.dataflow)
        d.registers = std::make_shared<const std::vector<simtune::InsnRegisters>>(std::move(registers));
    block.code = {};
    block.lengths = {};
}

// ---- Sampled mode (sample=): the schedule of windows and the estimates ----

void on_translation(qemu_plugin_id_t, qemu_plugin_tb* tb);
void on_exit(qemu_plugin_id_t, void*);

/// A block first translated between windows keeps its memory callbacks until it has run this often
/// (then everything is retranslated without them).
constexpr std::uint64_t profile_executions = 256;

/// Instructions of the counted blocks since the ROI began (on the vCPU thread: exact).
/// (Blocks that ran in the ROI before the first window were translated again since: every
/// window's start retranslates all.)
std::uint64_t roi_instructions() {
    std::lock_guard lock(plugin->translation_mutex);
    std::uint64_t sum = 0;
    for (const Block* block : plugin->sampler.roi_blocks)
        sum += (block->executions - block->at_roi_begin) * block->decoded.instructions;
    return sum;
}

/// The cache counters so far.
Stats cache_counts() {
    Stats counts;
    if (plugin->caches) plugin->caches->contribute(counts);
    return counts;
}

void open_span(Block& block) {
    if (block.span_open) return;
    block.span_open = true;
    block.span_start = block.executions;
}

void close_spans() {
    std::lock_guard lock(plugin->translation_mutex);
    for (auto& [key, block] : plugin->blocks)
        if (block->span_open) {
            block->profiled_executions += block->executions - block->span_start;
            block->span_open = false;
        }
}

void on_reset(qemu_plugin_id_t id, void*);

/// Asks QEMU to retranslate every block, with memory callbacks (`to_on`: a window begins) or
/// without. One request at a time; a pending one that turns them on stays so.
void request_reset(bool to_on) {
    Sampler& s = plugin->sampler;
    s.reset_to_on = to_on || (s.reset_pending && s.reset_to_on);
    if (s.reset_pending) return;
    s.reset_pending = true;
    ++s.resets;
    qemu_plugin_reset(plugin->id, on_reset);
}

void start_measuring() {
    Sampler& s = plugin->sampler;
    drain();
    s.window_start_instructions = roi_instructions();
    s.window_start_counts = cache_counts();
    if (plugin->caches) s.window_start_certainty = plugin->caches->certainty();
    s.phase = Phase::measure;
    // The first window, from the ROI's start with cold caches, is as long as a warm-up and a
    // window together (it sees the start-up's compulsory misses), or the exact prefix if longer.
    const auto& o = plugin->options;
    s.remaining = static_cast<std::int64_t>(
        s.estimator.windows() != 0 ? o.sample_window : std::max(o.sample_warmup + o.sample_window, o.sample_prefix));
    std::lock_guard lock(plugin->translation_mutex);
    for (Block* block : s.roi_blocks) block->window_start_executions = block->executions;
}

/// Between windows the clock runs only in blocks that execute rarely (at most once per
/// `sparse_clock` instructions in the last window), so it costs little in a hot loop; each
/// of their executions stands for the window's instructions over those blocks' executions. Blocks
/// that did not run in the window keep the clock and count their own instructions (a new phase of
/// the kernel). If no block runs rarely, every block keeps it.
constexpr std::uint64_t sparse_clock = 1024;

void choose_clocks(std::uint64_t window_instructions) {
    Sampler& s = plugin->sampler;
    std::lock_guard lock(plugin->translation_mutex);
    std::uint64_t rare = 0;
    for (Block* block : s.roi_blocks) {
        block->window_executions = block->executions - block->window_start_executions;
        if (block->window_executions * sparse_clock <= window_instructions) rare += block->window_executions;
    }
    for (Block* block : s.roi_blocks) {
        block->tick_weight = block->decoded.instructions;
        block->clock_between_windows = true;
        if (rare == 0 || block->window_executions == 0) continue;
        if (block->window_executions * sparse_clock <= window_instructions)
            block->tick_weight = static_cast<std::int64_t>(window_instructions / rare);
        else block->clock_between_windows = false;
    }
}

void finish_window() {
    Sampler& s = plugin->sampler;
    drain();
    const std::uint64_t now = roi_instructions();
    if (s.estimator.windows() == 0) { // the first window: which code it ran (estimate_sampled)
        std::lock_guard lock(plugin->translation_mutex);
        for (auto& [key, block] : plugin->blocks) block->at_first_window_end = block->executions;
    }
    simtune::SampleWindow w;
    w.instructions = now - s.window_start_instructions;
    const Stats counts = cache_counts();
    for (std::size_t i = 0; i < Stats::feature_count; ++i)
        w.counts.counter(i) = counts.counter(i) - s.window_start_counts.counter(i);
    if (plugin->caches) w.certainty = plugin->caches->certainty() - s.window_start_certainty;
    s.estimator.add(w, now);
    s.feed_caches = false;
    choose_clocks(w.instructions);
}

/// QEMU has flushed every block and dropped the plugin's callbacks: register again, then begin
/// the window or end the memory callbacks' spans. Runs between two blocks.
void on_reset(qemu_plugin_id_t id, void*) {
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translation);
    qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
    Sampler& s = plugin->sampler;
    s.reset_pending = false;
    if (s.phase == Phase::before || s.phase == Phase::done) return;
    if (s.reset_to_on) {
        drain(); // what ran before the window: the blocks' tallies only
        {
            std::lock_guard lock(plugin->translation_mutex);
            for (auto& [key, block] : plugin->blocks)
                if (block->counted) {
                    open_span(*block);
                    block->tick_weight = block->decoded.instructions;
                }
        }
        s.instrument_all = true;
        s.feed_caches = true;
        if (plugin->caches) plugin->caches->begin_epoch(); // what they hold from before is stale now
        if (s.estimator.windows() == 0 || plugin->options.sample_warmup == 0) {
            start_measuring();
        } else {
            s.phase = Phase::warm;
            const Options& o = plugin->options;
            s.remaining = static_cast<std::int64_t>(
                s.estimator.warmup_length(o.sample_warmup, o.sample_warmup_limit, o.sample_period, o.sample_window,
                                          plugin->caches ? plugin->caches->l1d_lines() : 0));
        }
    } else {
        close_spans();
        s.instrument_all = false;
    }
}

/// The clock: runs at the start of every counted block's execution in sampled mode.
void on_clock(unsigned int, void* data) {
    Sampler& s = plugin->sampler;
    if (s.phase == Phase::before || s.phase == Phase::done) [[unlikely]]
        return;
    const auto* block = static_cast<const Block*>(data);
    s.remaining -= block->tick_weight;
    if (s.remaining > 0) [[likely]] {
        // A block profiled between windows: enough executions seen, drop its memory callbacks.
        if (block->span_open && !s.instrument_all && !s.reset_pending &&
            block->executions - block->span_start >= profile_executions) [[unlikely]]
            request_reset(false);
        return;
    }
    switch (s.phase) {
        case Phase::off:
            request_reset(true);
            s.remaining = std::numeric_limits<std::int64_t>::max(); // until the window begins
            break;
        case Phase::warm: start_measuring(); break;
        case Phase::measure: {
            finish_window();
            s.phase = Phase::off;
            // The next window at a random offset in the next period (a fixed stride would alias
            // with the kernel's loops).
            const std::uint64_t slack =
                plugin->options.sample_period - plugin->options.sample_warmup - plugin->options.sample_window;
            const std::uint64_t next = simtune::next_window_offset(s.random, slack);
            s.remaining = static_cast<std::int64_t>(slack - s.offset + next);
            s.offset = next;
            request_reset(false);
            break;
        }
        default: break;
    }
}

/// The memory counters of a sampled run, and the sampling's description.
void estimate_sampled(report::Report& r) {
    Stats& stats = r.stats;
    const Sampler& s = plugin->sampler;
    // Traffic: each block's accesses per profiled execution times its executions in the ROI.
    std::array<double, 5> estimate{}, profiled{};
    double profiled_instructions = 0, unprofiled_instructions = 0;
    {
        std::lock_guard lock(plugin->translation_mutex);
        for (auto& [key, block] : plugin->blocks) {
            if (!block->counted) continue;
            const std::uint64_t runs = block->executions - block->at_roi_begin;
            if (runs == 0) continue;
            if (block->profiled_executions == 0) {
                unprofiled_instructions += static_cast<double>(runs) * block->decoded.instructions;
                continue;
            }
            const std::array<double, 5> tallies{static_cast<double>(block->reads), static_cast<double>(block->writes),
                                                static_cast<double>(block->bytes_read),
                                                static_cast<double>(block->bytes_written),
                                                static_cast<double>(block->lines)};
            const double scale = static_cast<double>(runs) / static_cast<double>(block->profiled_executions);
            for (std::size_t i = 0; i < tallies.size(); ++i) {
                estimate[i] += tallies[i] * scale;
                profiled[i] += tallies[i];
            }
            profiled_instructions += static_cast<double>(block->profiled_executions) * block->decoded.instructions;
        }
    }
    // Blocks that never had memory callbacks (ran only before the first window began): the
    // profiled blocks' accesses per instruction.
    if (unprofiled_instructions > 0 && profiled_instructions > 0)
        for (std::size_t i = 0; i < estimate.size(); ++i)
            estimate[i] += profiled[i] / profiled_instructions * unprofiled_instructions;
    auto rounded = [](double v) { return static_cast<std::uint64_t>(std::llround(std::max(0.0, v))); };
    if (plugin->traffic) {
        stats.mem_reads = rounded(estimate[0]);
        stats.mem_writes = rounded(estimate[1]);
        stats.bytes_loaded = rounded(estimate[2]);
        stats.bytes_stored = rounded(estimate[3]);
    }
    report::Sampling sampling;
    sampling.windows = s.estimator.windows();
    sampling.measured_instructions = s.estimator.measured_instructions();
    sampling.retranslations = s.resets;
    if (plugin->caches) {
        stats.l1d_accesses = rounded(estimate[4]);
        simtune::WindowEstimator estimator = s.estimator;
        if (estimator.windows() == 1) {
            // No window after the first: what the rest's code may hold beyond the first window's
            // rate (WindowEstimator::set_unvouched); at most, every L1D line that part accessed missed.
            const double lines_per_instruction = profiled_instructions > 0 ? profiled[4] / profiled_instructions : 0;
            std::vector<simtune::BlockRun> blocks;
            std::lock_guard lock(plugin->translation_mutex);
            for (auto& [key, block] : plugin->blocks) {
                if (!block->counted) continue;
                const std::uint64_t first_window_end = std::max(block->at_first_window_end, block->at_roi_begin);
                const double instructions = block->decoded.instructions;
                blocks.push_back({static_cast<double>(first_window_end - block->at_roi_begin) * instructions,
                                  static_cast<double>(block->executions - first_window_end) * instructions,
                                  block->profiled_executions != 0 && instructions > 0
                                      ? static_cast<double>(block->lines) /
                                            static_cast<double>(block->profiled_executions) / instructions
                                      : lines_per_instruction});
            }
            estimator.set_unvouched(simtune::unvouched_part(blocks));
        }
        estimator.fill(stats, sampling.half_width, stats.instructions);
    }
    r.sampling = sampling;
}

void on_roi_begin(unsigned int, void*) {
    if (plugin->roi_seen) return;
    plugin->roi_seen = true;
    {
        std::lock_guard lock(plugin->translation_mutex);
        for (auto& [key, block] : plugin->blocks) block->at_roi_begin = block->executions;
    }
    plugin->collectors.reset();
    pending_count = 0;
    if (plugin->traffic) plugin->traffic->reset();
    if (plugin->caches) {
        plugin->caches->reset();
        plugin->caches->warm(plugin->options.warm);
    }
    plugin->in_roi.store(true, std::memory_order_relaxed);
    if (plugin->options.sampled()) {
        // The first window begins once every block is retranslated with memory callbacks.
        plugin->sampler.phase = Phase::off;
        plugin->sampler.remaining = std::numeric_limits<std::int64_t>::max();
        request_reset(true);
    }
}

void on_roi_end(unsigned int, void*) {
    if (!plugin->in_roi.load(std::memory_order_relaxed)) return;
    plugin->in_roi.store(false, std::memory_order_relaxed);
    if (plugin->options.sampled()) {
        Sampler& s = plugin->sampler;
        if (s.phase == Phase::measure) finish_window(); // the last window, cut short
        drain();
        close_spans();
        s.phase = Phase::done;
        s.feed_caches = false;
    }
    report::Report r;
    Stats& stats = r.stats;
    {
        std::lock_guard lock(plugin->translation_mutex);
        for (auto& [key, block] : plugin->blocks) {
            if (!block->counted) continue;
            const std::uint64_t runs = block->executions - block->at_roi_begin;
            if (runs == 0) continue;
            stats.instructions += runs * block->decoded.instructions;
            stats.basic_blocks += runs;
            if (const auto& listed = plugin->options.listed;
                listed && block->decoded.address >= listed->first && block->decoded.address < listed->second)
                r.blocks.push_back({block->decoded.address, block->decoded.end, runs});
            // With branches or dataflow the collectors saw every execution in order already.
            if (!plugin->options.branches && !plugin->options.dataflow && plugin->options.mix) {
                classify_block(*block);
                plugin->collectors.on_block_repeated(block->decoded, runs);
            }
        }
    }
    drain(); // first: the dataflow collector's last block needs its accesses
    plugin->collectors.contribute(stats);
    if (plugin->options.sampled()) {
        estimate_sampled(r);
    } else {
        if (plugin->traffic) plugin->traffic->contribute(stats);
        if (plugin->caches) plugin->caches->contribute(stats);
    }
    if (plugin->options.limit != 0 && stats.instructions > plugin->options.limit) {
        r.status = report::Status::instruction_limit;
        r.stats = Stats{};
        r.stats.instructions = stats.instructions;
        r.blocks.clear();
    }
    write_report(r);
}

void on_block_execution(unsigned int, void* data) {
    if (!plugin->in_roi.load(std::memory_order_relaxed)) return;
    if (plugin->options.dataflow) drain(); // the previous block's accesses before this block
    plugin->collectors.on_block(static_cast<const Block*>(data)->decoded);
}

// One callback for loads and stores. (Separate QEMU_PLUGIN_MEM_R and QEMU_PLUGIN_MEM_W callbacks
// are no use: QEMU 7.2 does not filter them by direction: the W callback fired for every access
// and the R one for stores only — caught by test_qemu_unicorn_crosscheck.)
/// The memory callback: queues the access (drained into the collectors when the queue is full).
/// `KeepData` also keeps the callback's user data (dataflow: the instruction's address; sampled:
/// the block); without it the exact path stores 16 bytes per access.
template <bool KeepData>
void on_memory(unsigned int, qemu_plugin_meminfo_t info, std::uint64_t address, void* data) {
    if (!plugin->in_roi.load(std::memory_order_relaxed)) [[unlikely]]
        return;
    pending[pending_count] = PendingAccess{address, info};
    if constexpr (KeepData) pending_data[pending_count] = reinterpret_cast<std::uintptr_t>(data);
    if (++pending_count == pending_capacity) [[unlikely]]
        drain();
}

void on_translation(qemu_plugin_id_t, qemu_plugin_tb* tb) {
    const std::size_t n = qemu_plugin_tb_n_insns(tb);
    if (n == 0) return;
    const std::uint64_t address = qemu_plugin_tb_vaddr(tb);
    Block* block = nullptr;
    {
        std::lock_guard lock(plugin->translation_mutex);
        auto& slot = plugin->blocks[{address, static_cast<std::uint32_t>(n)}];
        if (!slot) {
            slot = std::make_unique<Block>();
            slot->counted = !is_excluded(address);
            DecodedBlock& d = slot->decoded;
            d.address = address;
            d.instructions = static_cast<std::uint32_t>(n);
            slot->lengths.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                const qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
                const auto* bytes = static_cast<const std::byte*>(qemu_plugin_insn_data(insn));
                const std::size_t size = qemu_plugin_insn_size(insn);
                slot->code.insert(slot->code.end(), bytes, bytes + size);
                slot->lengths.push_back(static_cast<std::uint8_t>(size));
                if (i + 1 == n) d.end = qemu_plugin_insn_vaddr(insn) + size;
            }
            // The branch and dataflow collectors see each execution as it happens, so their blocks
            // are classified now; the mix alone needs only the blocks the ROI ran (classify_block).
            if (plugin->options.branches || plugin->options.dataflow) classify_block(*slot);
            // A block that starts inside the ROI (or after it began) must not count executions
            // from before it existed: it existed with zero executions then.
            slot->at_roi_begin = 0;
            if (slot->counted) plugin->counted_blocks.push_back(slot.get());
        }
        block = slot.get();
    }

    // Only counted blocks need their executions: the harness's own blocks (filling and summing
    // the buffers outside the ROI) run without the inline add, which costs a few per cent of a
    // run on its own (benchmarks/RESULTS.md).
    if (block->counted) qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &block->executions, 1);
    for (std::size_t i = 0; i < n; ++i) {
        qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
        const std::uint64_t at = qemu_plugin_insn_vaddr(insn);
        if (at == plugin->options.roi_begin)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_roi_begin, QEMU_PLUGIN_CB_NO_REGS, nullptr);
        if (at == plugin->options.roi_end)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_roi_end, QEMU_PLUGIN_CB_NO_REGS, nullptr);
    }
    if (!block->counted) return;
    if (plugin->options.branches || plugin->options.dataflow)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block_execution, QEMU_PLUGIN_CB_NO_REGS, block);
    if (plugin->options.sampled()) {
        Sampler& s = plugin->sampler;
        const bool roi = s.phase != Phase::before && s.phase != Phase::done;
        if (!roi) return;
        if (!block->in_roi_blocks) {
            block->in_roi_blocks = true;
            block->tick_weight = block->decoded.instructions;
            block->window_start_executions = block->executions;
            std::lock_guard lock(plugin->translation_mutex);
            s.roi_blocks.push_back(block);
        }
        if (s.instrument_all || block->clock_between_windows)
            qemu_plugin_register_vcpu_tb_exec_cb(tb, on_clock, QEMU_PLUGIN_CB_NO_REGS, block);
        // Memory callbacks: in a window, every block; between windows, a block not profiled yet.
        if (!(s.instrument_all || block->span_open || block->profiled_executions == 0)) return;
        open_span(*block);
        for (std::size_t i = 0; i < n; ++i)
            qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_memory<true>, QEMU_PLUGIN_CB_NO_REGS,
                                             QEMU_PLUGIN_MEM_RW, block);
        return;
    }
    if (plugin->traffic || plugin->caches || plugin->options.dataflow)
        for (std::size_t i = 0; i < n; ++i) {
            qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
            // The user data is the instruction's address (for the dataflow collector).
            void* pc = reinterpret_cast<void*>(static_cast<std::uintptr_t>(qemu_plugin_insn_vaddr(insn)));
            qemu_plugin_register_vcpu_mem_cb(insn, plugin->options.dataflow ? on_memory<true> : on_memory<false>,
                                             QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, pc);
        }
}

void on_exit(qemu_plugin_id_t, void*) {
    report::Report r;
    r.status = report::Status::no_roi; // ignored if the ROI end already wrote the report
    write_report(r);
}

/// Instructions the counted blocks executed since the ROI began, read from the inline counters
/// while the guest runs (a racy but monotonic sample: good enough to stop a runaway kernel).
std::uint64_t instructions_so_far() {
    std::lock_guard lock(plugin->translation_mutex);
    std::uint64_t sum = 0;
    for (const Block* block : plugin->counted_blocks) {
        const std::uint64_t now = std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(block->executions))
                                      .load(std::memory_order_relaxed);
        sum += (now - block->at_roi_begin) * block->decoded.instructions;
    }
    return sum;
}

/// Samples the instruction count while the ROI runs; stops QEMU once it passes the limit.
void watch_instruction_limit() {
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (!plugin->in_roi.load(std::memory_order_relaxed)) continue;
        const std::uint64_t executed = instructions_so_far();
        if (executed <= plugin->options.limit || !plugin->in_roi.load(std::memory_order_relaxed)) continue;
        report::Report r;
        r.status = report::Status::instruction_limit;
        r.stats.instructions = executed;
        write_report(r);
        std::fprintf(stderr, "simtune plugin: instruction limit of %llu exceeded\n",
                     static_cast<unsigned long long>(plugin->options.limit));
        std::fflush(stderr);
        _exit(instruction_limit_exit_code);
    }
}

} // namespace

extern "C" SIMTUNE_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                                              char** argv) {
    try {
        if (info->system_emulation) throw std::runtime_error("only QEMU user mode is supported");
        auto p = std::make_unique<Plugin>();
        p->options = parse_options(argc, argv);
        p->classifier.emplace(isa_of(info->target_name));
        if (p->options.mix) p->collectors.add_mix();
        if (p->options.branches) p->collectors.add_branches();
        if (p->options.dataflow) p->collectors.add_dataflow();
        if (p->options.memory) p->traffic.emplace();
        if (p->options.caches) p->caches.emplace(p->options.geometry);
        // The caches are the plugin's, not the set's: the walk with memory is turned on here.
        if (p->options.dataflow && p->options.caches && p->options.memory_walk)
            p->collectors.dataflow()->set_memory_walk(true);
        p->id = id;
        plugin = p.release();
        // The report must not exist until the plugin writes it, so a stale file cannot be read.
        std::remove(plugin->options.out.c_str());
        qemu_plugin_register_vcpu_tb_trans_cb(id, on_translation);
        qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
        if (plugin->options.limit != 0) std::thread(watch_instruction_limit).detach();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "simtune plugin: %s\n", e.what());
        return -1;
    }
}
