// Built-in targets, and the host's cache geometry from sysfs (or, where a VM's sysfs has none, cpuid).
#include "simtune/target.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "simtune/error.hpp"

#include "host_cpuid.hpp"

namespace simtune {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::optional<std::string> read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    return line;
}

/// "32K", "1024K", "16M" or a plain byte count.
std::optional<std::uint64_t> parse_size(const std::string& text) {
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (i == 0) return std::nullopt;
    if (i < text.size()) {
        if (text[i] == 'K') value <<= 10;
        else if (text[i] == 'M') value <<= 20;
        else if (text[i] == 'G') value <<= 30;
    }
    return value;
}

/// `g` as a model can simulate it, or nothing: some hypervisors report geometries whose set count
/// is not a power of two; a model needs one, so the set count is rounded down and the reported
/// ways and line size kept.
std::optional<CacheGeometry> simulable(CacheGeometry g) {
    if (g.line_bytes && g.associativity && g.sets() && !g.valid())
        g.size_bytes = std::bit_floor(g.sets()) * g.line_bytes * g.associativity;
    if (g.valid()) return g;
    return std::nullopt;
}

/// Reads /sys/devices/system/cpu/cpu0/cache/indexN for the data/unified cache of `level`.
std::optional<CacheGeometry> sysfs_cache(int level) {
    for (int index = 0; index < 8; ++index) {
        const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
        auto lvl = read_line(dir + "level");
        auto type = read_line(dir + "type");
        if (!lvl || !type) continue;
        if (std::stoi(*lvl) != level || *type == "Instruction") continue;
        auto size = read_line(dir + "size");
        auto line = read_line(dir + "coherency_line_size");
        auto ways = read_line(dir + "ways_of_associativity");
        if (!size || !line || !ways) return std::nullopt;
        CacheGeometry g;
        auto bytes = parse_size(*size);
        if (!bytes) return std::nullopt;
        g.size_bytes = *bytes;
        g.line_bytes = static_cast<std::uint32_t>(std::stoul(*line));
        g.associativity = static_cast<std::uint32_t>(std::stoul(*ways));
        return simulable(g);
    }
    return std::nullopt;
}

#if defined(__x86_64__)
/// The data/unified cache of `level` from cpuid's deterministic cache parameters: leaf 4 (Intel)
/// or 0x8000001D (AMD with topology extensions), both one sub-leaf per cache.
std::optional<CacheGeometry> cpuid_cache_parameters(unsigned leaf, int level) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    for (unsigned index = 0; index < 16; ++index) {
        __cpuid_count(leaf, index, eax, ebx, ecx, edx);
        const unsigned type = eax & 0x1F; // 0 none (the end), 1 data, 2 instruction, 3 unified
        if (type == 0) break;
        if (type == 2 || static_cast<int>((eax >> 5) & 7) != level) continue;
        CacheGeometry g;
        g.line_bytes = (ebx & 0xFFF) + 1;
        g.associativity = ((ebx >> 22) & 0x3FF) + 1;
        const std::uint64_t partitions = ((ebx >> 12) & 0x3FF) + 1, sets = std::uint64_t{ecx} + 1;
        g.size_bytes = sets * partitions * g.line_bytes * g.associativity;
        return simulable(g);
    }
    return std::nullopt;
}

/// AMD's ways encoding of cpuid 0x80000006 (L2 and L3); 0 for the reserved codes, disabled and
/// fully associative (none of which a set-associative model simulates).
std::uint32_t amd_ways(unsigned code) {
    constexpr std::uint32_t ways[16] = {0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0};
    return ways[code & 0xF];
}
#endif

/// The host's cache of `level` from cpuid, for VMs whose sysfs has no cache directory (the Zen 5
/// and Zen 3 machines of benchmarks/RESULTS.md): the deterministic parameters where the CPU has
/// them, else AMD's legacy leaves 0x80000005 (L1D: KiB, ways, line) and 0x80000006 (L2; L3 in
/// 512 KiB units). A hypervisor may fill these with values no cache has (the Zen 5 VM reports a
/// 508 MiB L3 with a reserved ways code): whatever does not decode to a cache is not taken.
std::optional<CacheGeometry> cpuid_cache(int level) {
#if defined(__x86_64__)
    const auto [vendor, max_leaf] = detail::cpuid_vendor();
    if (vendor == detail::CpuVendor::intel && max_leaf >= 4) return cpuid_cache_parameters(4, level);
    if (vendor != detail::CpuVendor::amd) return std::nullopt;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    const unsigned max_extended = __get_cpuid_max(0x80000000, nullptr);
    if (max_extended >= 0x8000001D && __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx >> 22 & 1))
        if (auto g = cpuid_cache_parameters(0x8000001D, level)) return g;
    if (level == 1 && max_extended >= 0x80000005) {
        __cpuid(0x80000005, eax, ebx, ecx, edx);
        const std::uint32_t ways = (ecx >> 16) & 0xFF; // 0xFF: fully associative
        if (ways == 0xFF) return std::nullopt;
        return simulable({std::uint64_t{ecx >> 24} * 1024, ecx & 0xFF, ways});
    }
    if (level >= 2 && max_extended >= 0x80000006) {
        __cpuid(0x80000006, eax, ebx, ecx, edx);
        if (level == 2) return simulable({std::uint64_t{ecx >> 16} * 1024, ecx & 0xFF, amd_ways(ecx >> 12)});
        if (level == 3) return simulable({std::uint64_t{edx >> 18} * 512 * 1024, edx & 0xFF, amd_ways(edx >> 12)});
    }
#else
    (void)level;
#endif
    return std::nullopt;
}

/// SIMTUNE_HOST_CACHES: "l1d=32K:64:8,l2=1M:64:16,llc=32M:64:16" (any of the three levels; SIZE
/// as sysfs writes it, LINE bytes, WAYS), the host's geometry where sysfs lacks it or to simulate
/// the host as another machine whose times a dataset holds.
void apply_cache_override(CacheHierarchy& caches) {
    const char* env = std::getenv("SIMTUNE_HOST_CACHES");
    if (!env || !*env) return;
    const std::string text = env;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, end - start);
        start = end + 1;
        std::erase(item, ' ');
        if (item.empty()) continue;
        auto bad = [&](std::string_view why) {
            fail(ErrorKind::invalid_argument,
                 "SIMTUNE_HOST_CACHES: '{}' {} (expected LEVEL=SIZE:LINE:WAYS, e.g. l2=1M:64:16)", item, why);
        };
        const auto eq = item.find('=');
        if (eq == std::string::npos) bad("has no '='");
        const std::string level = item.substr(0, eq), value = item.substr(eq + 1);
        CacheGeometry* g = level == "l1d"   ? &caches.l1d
                           : level == "l2"  ? &caches.l2
                           : level == "llc" ? &caches.llc
                                            : nullptr;
        if (!g) bad("names no level (l1d, l2, llc)");
        const auto c1 = value.find(':'), c2 = value.find(':', c1 == std::string::npos ? c1 : c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos) bad("needs SIZE:LINE:WAYS");
        // Digits with an optional K, M or G: parse_size alone would read "1x" as 1.
        auto number = [](const std::string& field) -> std::optional<std::uint64_t> {
            const auto digits = field.find_first_not_of("0123456789");
            const bool ok =
                !field.empty() && field.size() <= 12 && digits != 0 &&
                (digits == std::string::npos ||
                 (digits + 1 == field.size() && std::string_view("KMG").find(field.back()) != std::string_view::npos));
            return ok ? parse_size(field) : std::nullopt;
        };
        const auto size = number(value.substr(0, c1)), line = number(value.substr(c1 + 1, c2 - c1 - 1)),
                   ways = number(value.substr(c2 + 1));
        if (!size || !line || !ways || *line > 0xFFFFFFFFu || *ways > 0xFFFFFFFFu)
            bad("has a field that is not a number");
        const CacheGeometry parsed{*size, static_cast<std::uint32_t>(*line), static_cast<std::uint32_t>(*ways)};
        if (!parsed.valid()) bad("is not a power-of-two set-associative cache");
        *g = parsed;
    }
}

/// SIMTUNE_HOST_CPU: an LLVM CPU name ("rocketlake", "znver3") whose scheduling model prices the
/// host's blocks instead of LLVM's host detection: with SIMTUNE_HOST_CACHES, the host simulated as
/// another machine whose times a dataset holds, so its rows can be re-simulated elsewhere. A name
/// LLVM does not know fails where the pipeline model is made (PipelineModel).
void apply_cpu_override(std::string& pipeline_cpu) {
    const char* env = std::getenv("SIMTUNE_HOST_CPU");
    if (!env || !*env) return;
    const std::string_view name = env;
    const bool well_formed = name.size() <= 64 && std::ranges::all_of(name, [](char c) {
                                 return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                             });
    if (!well_formed)
        fail(ErrorKind::invalid_argument,
             "SIMTUNE_HOST_CPU: '{}' is not an LLVM CPU name (letters, digits, '-', '_', '.'; e.g. rocketlake)", name);
    pipeline_cpu = name;
}

} // namespace

bool CacheGeometry::valid() const noexcept {
    if (size_bytes == 0 || line_bytes == 0 || associativity == 0) return false;
    if (!std::has_single_bit(line_bytes)) return false;
    const std::uint64_t way_bytes = std::uint64_t{line_bytes} * associativity;
    if (size_bytes % way_bytes != 0) return false;
    return std::has_single_bit(sets());
}

Isa parse_isa(std::string_view text) {
    const std::string t = lower(text);
    if (t == "x86-64" || t == "x86_64" || t == "amd64") return Isa::x86_64;
    if (t == "aarch64" || t == "arm64") return Isa::aarch64;
    if (t == "riscv64" || t == "rv64") return Isa::riscv64;
    fail(ErrorKind::invalid_argument, "unknown ISA '{}' (expected x86-64, aarch64 or riscv64)", text);
}

void Target::validate() const {
    if (name.empty()) fail(ErrorKind::invalid_argument, "target has an empty name");
    if (qemu_binary.empty()) fail(ErrorKind::invalid_argument, "target '{}' has no QEMU binary", name);
    struct Level {
        const char* name;
        const CacheGeometry* geometry;
        bool optional; ///< a TLB of size 0 is not modelled
    };
    const Level levels[] = {{"L1D", &caches.l1d, false},
                            {"L2", &caches.l2, false},
                            {"LLC", &caches.llc, false},
                            {"DTLB", &caches.dtlb, true},
                            {"STLB", &caches.stlb, true}};
    for (const auto& [level, g, optional] : levels)
        if (!(optional && g->size_bytes == 0) && !g->valid())
            fail(ErrorKind::invalid_argument,
                 "target '{}': {} geometry {} B / {} B lines / {} ways is not a power-of-two "
                 "set-associative cache",
                 name, level, g->size_bytes, g->line_bytes, g->associativity);
}

Target host_x86_64() {
    Target t;
    t.name = "host-x86-64";
    t.isa = Isa::x86_64;
    // Unicorn 2 has no AVX: kernels both simulators run are built for the x86-64-v2 baseline.
    t.cflags = {"-march=x86-64-v2", "-mtune=generic", "-fcf-protection=none"};
    t.qemu_binary = "qemu-x86_64";
    t.qemu_cpu = "max";
    // sysfs first (what the kernel was told), then cpuid (what the CPU, or the hypervisor, says),
    // then a fallback: a rank computed with another machine's caches ranks worse (RESULTS, "The
    // Zen 5 machine's own caches").
    auto host_cache = [](int level, CacheGeometry fallback) {
        if (auto g = sysfs_cache(level)) return *g;
        return cpuid_cache(level).value_or(fallback);
    };
    t.caches.l1d = host_cache(1, {32 * 1024, 64, 8});
    t.caches.l2 = host_cache(2, {512 * 1024, 64, 8});
    t.caches.llc = host_cache(3, {16 * 1024 * 1024, 64, 16});
    apply_cache_override(t.caches);
    // sysfs has no TLB geometry; these are the 4 KiB-page data TLBs of current Intel and AMD cores
    // (64 entries first level, 2048-entry second level).
    t.caches.dtlb = {64 * 4096, 4096, 4};
    t.caches.stlb = {2048 * 4096, 4096, 16};
    // The pipeline model of the CPU whose times are measured here, like the caches from sysfs
    // (LLVM's host detection; an AMD core newer than LLVM 15 knows is priced as Zen 3, any other
    // CPU it does not know with its x86-64 default model: PipelineModel).
    t.pipeline_cpu = "host";
    apply_cpu_override(t.pipeline_cpu);
#if defined(__x86_64__)
    t.native = true;
#endif
    return t;
}

Target cortex_a72() {
    Target t;
    t.name = "cortex-a72";
    t.isa = Isa::aarch64;
    t.toolchain_prefix = "aarch64-linux-gnu-";
    t.cflags = {"-mcpu=cortex-a72"};
    t.qemu_binary = "qemu-aarch64";
    t.qemu_cpu = "cortex-a72";
    t.caches.l1d = {32 * 1024, 64, 2};
    t.caches.l2 = {1024 * 1024, 64, 16};
    t.caches.llc = {1024 * 1024, 64, 16};  // the A72 cluster's L2 is its last level
    t.caches.dtlb = {32 * 4096, 4096, 32}; // fully associative (Cortex-A72 TRM)
    t.caches.stlb = {1024 * 4096, 4096, 4};
    t.pipeline_cpu = "cortex-a72";
    return t;
}

Target sifive_u74() {
    Target t;
    t.name = "sifive-u74";
    t.isa = Isa::riscv64;
    t.toolchain_prefix = "riscv64-linux-gnu-";
    t.cflags = {"-march=rv64gc", "-mabi=lp64d"};
    t.qemu_binary = "qemu-riscv64";
    t.qemu_cpu = "rv64";
    t.caches.l1d = {32 * 1024, 64, 4};
    t.caches.l2 = {2 * 1024 * 1024, 64, 16};
    t.caches.llc = {2 * 1024 * 1024, 64, 16}; // the U74 complex's L2 is its last level
    t.caches.dtlb = {40 * 4096, 4096, 40};    // fully associative (U74 manual)
    t.caches.stlb = {512 * 4096, 4096, 1};    // direct-mapped
    t.pipeline_cpu = "sifive-u74";
    t.pipeline_features = "+m,+a,+f,+d,+c";
    return t;
}

std::vector<Target> builtin_targets() { return {host_x86_64(), cortex_a72(), sifive_u74()}; }

Target target_by_name(std::string_view name) {
    const std::string n = lower(name);
    for (auto& t : builtin_targets())
        if (t.name == n || to_string(t.isa) == n || (n == "x86_64" && t.isa == Isa::x86_64)) return t;
    if (n == "host" || n == "native") return host_x86_64();
    if (n == "arm64") return cortex_a72();
    if (n == "rv64") return sifive_u74();
    fail(ErrorKind::invalid_argument,
         "unknown target '{}' (built-in: host-x86-64, cortex-a72, sifive-u74, or x86-64, aarch64, "
         "riscv64)",
         name);
}

} // namespace simtune
