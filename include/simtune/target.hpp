#pragma once
// A Target is everything simtune needs to know about a CPU it predicts for: how to compile for it,
// how to simulate it, and which cache hierarchy to model.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace simtune {

enum class Isa {
    x86_64,
    aarch64,
    riscv64
};

constexpr std::string_view to_string(Isa isa) noexcept {
    switch (isa) {
        case Isa::x86_64: return "x86-64";
        case Isa::aarch64: return "aarch64";
        case Isa::riscv64: return "riscv64";
    }
    return "unknown";
}

/// Parses "x86-64"/"x86_64", "aarch64"/"arm64", "riscv64"/"rv64"; throws Error on anything else.
Isa parse_isa(std::string_view text);

/// ELF e_machine value of an ISA (EM_X86_64, EM_AARCH64, EM_RISCV).
constexpr std::uint16_t elf_machine(Isa isa) noexcept {
    switch (isa) {
        case Isa::x86_64: return 62;
        case Isa::aarch64: return 183;
        case Isa::riscv64: return 243;
    }
    return 0;
}

/// One level of a set-associative cache.
struct CacheGeometry {
    std::uint64_t size_bytes = 0;
    std::uint32_t line_bytes = 64;
    std::uint32_t associativity = 1;

    [[nodiscard]] constexpr std::uint64_t sets() const noexcept {
        return size_bytes / (std::uint64_t{line_bytes} * associativity);
    }
    /// True if size, line and ways describe a cache a model can simulate: all non-zero, the line
    /// size and set count powers of two, and size = sets * ways * line.
    [[nodiscard]] bool valid() const noexcept;

    friend bool operator==(const CacheGeometry&, const CacheGeometry&) = default;
};

/// The data-side hierarchy simtune simulates: L1D, then a unified L2, then the last-level cache;
/// beside them the data TLBs, as caches of page translations (line = page size, size = entries ×
/// page size). A TLB of size 0 is not modelled.
struct CacheHierarchy {
    CacheGeometry l1d;
    CacheGeometry l2;
    CacheGeometry llc;
    CacheGeometry dtlb{0, 4096, 1}; ///< first-level data TLB
    CacheGeometry stlb{0, 4096, 1}; ///< second-level TLB, looked up on a first-level miss
    friend bool operator==(const CacheHierarchy&, const CacheHierarchy&) = default;
};

struct Target {
    std::string name; ///< e.g. "host-x86-64", "cortex-a72"
    Isa isa = Isa::x86_64;
    std::string toolchain_prefix;    ///< prepended to gcc/objcopy: "" or "aarch64-linux-gnu-"
    std::vector<std::string> cflags; ///< target flags, e.g. {"-march=x86-64-v2"}
    std::string qemu_binary;         ///< "qemu-x86_64", "qemu-aarch64", "qemu-riscv64"
    std::string qemu_cpu;            ///< value for QEMU's -cpu, empty for its default
    CacheHierarchy caches;
    bool native = false; ///< binaries for this target run on this machine
    /// LLVM CPU whose scheduling model the pipeline collector (LLVM MCA) uses, e.g. "cortex-a72";
    /// "host" is this machine's CPU as LLVM detects it; empty is the ISA's generic CPU.
    std::string pipeline_cpu;
    std::string pipeline_features; ///< LLVM subtarget features for it, e.g. "+m,+a,+f,+d,+c"

    [[nodiscard]] std::string compiler() const { return toolchain_prefix + "gcc"; }
    [[nodiscard]] std::string binutil(std::string_view tool) const { return toolchain_prefix + std::string(tool); }
    /// Throws Error(invalid_argument) naming the first inconsistent field.
    void validate() const;
};

/// This machine's x86-64 CPU. Cache geometry is read from sysfs where available, otherwise a
/// typical desktop hierarchy (32 KiB/8-way L1D, 512 KiB/8-way L2, 16 MiB/16-way LLC); the
/// environment variable SIMTUNE_HOST_CACHES ("l1d=32K:64:8,l2=1M:64:16,llc=32M:64:16", any of the
/// levels) overrides either (Error(invalid_argument) naming a malformed entry).
/// Kernels target the x86-64-v2 baseline because Unicorn 2 has no AVX.
Target host_x86_64();
/// A Cortex-A72-class AArch64 board (Raspberry Pi 4): 32 KiB/2-way L1D, 1 MiB/16-way L2 as LLC.
Target cortex_a72();
/// A SiFive-U74-class RV64GC board (VisionFive 2): 32 KiB/4-way L1D, 2 MiB/16-way L2 as LLC.
Target sifive_u74();
/// The three built-in targets, host first.
std::vector<Target> builtin_targets();
/// A built-in target by name ("host-x86-64", "cortex-a72", "sifive-u74") or by ISA name
/// ("x86-64", "aarch64", "riscv64"); throws Error(invalid_argument) listing the known names.
Target target_by_name(std::string_view name);

} // namespace simtune

template <>
struct fmt::formatter<simtune::Isa> : fmt::formatter<std::string_view> {
    auto format(simtune::Isa isa, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(simtune::to_string(isa), ctx);
    }
};
