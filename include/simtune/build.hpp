#pragma once
// build_kernel: a C kernel + its buffer description → a KernelBinary for a target, with the right
// (cross) compiler and simtune's harness linked in; build_kernel_from_object: the same from an
// object file another compiler made.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/kernel.hpp"
#include "simtune/target.hpp"

namespace simtune {

struct BuildOptions {
    /// Flags for the kernel's translation unit, after simtune's own and the target's, so they win:
    /// e.g. {"-O3", "-funroll-loops"}. The default optimisation level is -O2.
    std::vector<std::string> flags;
    /// Where built binaries are kept, keyed by a hash of everything that affects the build. Empty:
    /// $SIMTUNE_CACHE_DIR, else $XDG_CACHE_HOME/simtune, else ~/.cache/simtune.
    std::filesystem::path cache_dir;
    /// Reuse a cached binary built from the same inputs. False: build afresh (the harness too) and
    /// return the fresh build; it goes into the cache by an atomic rename over the entry, only if
    /// it differs from the entry, so an entry others are using is never deleted or seen half-written.
    bool use_cache = true;
};

/// Flags simtune always gives the kernel's translation unit, and why:
///  -fno-stack-protector: the canary lives in thread-local storage, which function-level
///   simulation does not set up;
///  -fno-tree-loop-distribute-patterns: keeps GCC from turning loops into memset/memcpy calls,
///   which would leave the kernel's code for libc's IFUNC-resolved routines;
///  -fno-reorder-blocks-and-partition: keeps all of the kernel's code in its one section.
std::span<const std::string_view> kernel_base_flags() noexcept;

/// The C source of the harness (src/harness/simtune_harness.c) built into the library.
std::string_view harness_source() noexcept;

/// Compiles `c_source` (defining `void simtune_kernel(...)`, one pointer per buffer in order) for
/// `target` and links it statically with the harness. The kernel's code is moved into the section
/// `simtune_text`. Throws Error: invalid_argument (bad buffers), tool_missing (no compiler),
/// build_failed (with the compiler's diagnostics).
KernelBinary build_kernel(std::string_view c_source, std::span<const BufferSpec> buffers, const Target& target,
                          const BuildOptions& options = {});

/// Links a kernel compiled elsewhere (by another compiler, e.g. LLVM's llc or an MLIR pipeline)
/// exactly as build_kernel links its own: `object` is a relocatable ELF64 object for `target`'s ISA
/// defining the global function `void simtune_kernel(...)` (one pointer per buffer, in order) in
/// its .text section, which moves into `simtune_text`. Its ABI must match what `target.compiler()`
/// links (e.g. lp64d for RISC-V). Cached by the object's bytes. `options.flags` are unused (the
/// object is already compiled). Throws Error: io (missing or unreadable file), invalid_binary (not
/// an ELF64 relocatable object, no global simtune_kernel, or not in .text), wrong_isa,
/// invalid_argument (bad buffers), tool_missing, build_failed (the linker's diagnostics).
KernelBinary build_kernel_from_object(const std::filesystem::path& object, std::span<const BufferSpec> buffers,
                                      const Target& target, const BuildOptions& options = {});

} // namespace simtune
