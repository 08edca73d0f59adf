#pragma once
// A kernel's buffers and the KernelBinary contract.
//
// A user writes `void simtune_kernel(T0* b0, T1* b1, ...)` in C and describes its buffers. simtune
// links it with its harness (src/harness/simtune_harness.c) into a static executable that carries
// its own buffer description (the string symbol `simtune_buffer_spec`) and whose kernel code sits in
// its own section (`simtune_text`), so a simulator can load any kernel binary without side files and
// can tell a call out of the kernel from the kernel itself.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simtune/target.hpp"

namespace simtune {

enum class ElemType : std::uint8_t {
    f32,
    f64,
    i32,
    i8
};
enum class BufferRole : std::uint8_t {
    input,
    output,
    inout
};

constexpr std::size_t elem_size(ElemType t) noexcept {
    switch (t) {
        case ElemType::f32: return 4;
        case ElemType::f64: return 8;
        case ElemType::i32: return 4;
        case ElemType::i8: return 1;
    }
    return 0;
}
std::string_view to_string(ElemType t) noexcept;
std::string_view to_string(BufferRole r) noexcept;

/// One pointer argument of the kernel, in argument order.
struct BufferSpec {
    std::string name; ///< C identifier, for messages and dumps
    ElemType type = ElemType::f32;
    std::uint64_t count = 0; ///< elements
    BufferRole role = BufferRole::input;

    [[nodiscard]] std::uint64_t bytes() const noexcept { return count * elem_size(type); }
    friend bool operator==(const BufferSpec&, const BufferSpec&) = default;
};

/// Buffers are 64-byte aligned in every runner (native harness, Unicorn, QEMU).
inline constexpr std::uint64_t buffer_alignment = 64;

/// "A:f32:4096:in;B:f32:4096:in;C:f32:4096:out" — the form stored in the binary.
std::string format_buffer_spec(std::span<const BufferSpec> buffers);
/// Parses format_buffer_spec's form; throws Error(invalid_argument) naming the bad field.
std::vector<BufferSpec> parse_buffer_spec(std::string_view text);

/// Fills a buffer exactly as the harness does: element i of buffer number `index` gets a value
/// derived from an integer hash of (index, i). Floats are k/2^23 - 1 for an integer k < 2^24, so
/// every ISA and the host produce bit-identical inputs.
void initialise_buffer(const BufferSpec& spec, std::size_t index, std::span<std::byte> out);

/// A symbol of the binary.
struct Symbol {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
};

/// A loadable segment of the binary.
struct Segment {
    std::uint64_t vaddr = 0;
    std::uint64_t mem_size = 0;
    std::uint64_t file_offset = 0;
    std::uint64_t file_size = 0;
    bool readable = false, writable = false, executable = false;
};

/// A statically linked ELF64 executable built around one kernel. Immutable once loaded; cheap to
/// copy (the bytes are shared).
class KernelBinary {
public:
    /// The largest file KernelBinary::load reads (a kernel binary is a static executable of about
    /// a megabyte; its buffers are allocated when it runs).
    static constexpr std::uintmax_t max_file_bytes = std::uintmax_t{256} << 20;

    /// Reads and validates a kernel binary: ELF64 little-endian executable, statically linked,
    /// for `expected` ISA if given, with the symbols of the contract present. Throws Error with
    /// kind io, invalid_binary or wrong_isa and a message naming the file and the problem (io for
    /// a FIFO, a device or a file larger than max_file_bytes: refused before reading).
    static KernelBinary load(const std::filesystem::path& path, std::optional<Isa> expected = {});
    /// As load, from bytes in memory; `name` is used in messages.
    static KernelBinary from_bytes(std::vector<std::byte> bytes, std::string name, std::optional<Isa> expected = {});

    [[nodiscard]] Isa isa() const noexcept { return isa_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return described_->path; }
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return *bytes_; }
    [[nodiscard]] const std::vector<Segment>& segments() const noexcept { return described_->segments; }
    [[nodiscard]] const std::vector<BufferSpec>& buffers() const noexcept { return described_->buffers; }
    [[nodiscard]] std::uint64_t entry() const noexcept { return entry_; }
    /// Address range [first, second) of the kernel's own code (the `simtune_text` section).
    [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> kernel_code() const noexcept { return kernel_code_; }
    /// A function or object symbol; nullopt if absent.
    [[nodiscard]] std::optional<Symbol> symbol(std::string_view name) const;
    /// The name of the sized symbol containing `address`, or "" (for error messages).
    [[nodiscard]] std::string symbol_at(std::uint64_t address) const;
    /// Hex content hash of the file bytes (64-bit FNV-1a twice, 32 hex digits), a cache key.
    [[nodiscard]] const std::string& content_hash() const noexcept { return described_->hash; }

    /// Symbols every kernel binary must define.
    static constexpr std::array<std::string_view, 4> required_symbols{"simtune_kernel", "simtune_roi_begin",
                                                                      "simtune_roi_end", "simtune_buffer_spec"};

private:
    KernelBinary() = default;
    /// What a copy shares instead of copying (a copy costs two reference counts, not a dozen
    /// allocations: a Stats-cache hit hands the binary on several times).
    struct Described {
        std::filesystem::path path;
        std::vector<Segment> segments;
        std::vector<BufferSpec> buffers;
        std::string hash;
    };
    std::shared_ptr<const Described> described_;
    std::shared_ptr<const std::vector<std::byte>> bytes_;
    Isa isa_ = Isa::x86_64;
    std::uint64_t entry_ = 0;
    // Functions and objects, sorted by name; shared like the bytes, so copies stay cheap.
    std::shared_ptr<const std::vector<std::pair<std::string, Symbol>>> symbols_;
    std::pair<std::uint64_t, std::uint64_t> kernel_code_{};
};

} // namespace simtune
