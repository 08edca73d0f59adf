#pragma once
// The guest address space of a Unicorn engine, computed from a kernel binary's segments and
// buffers without touching Unicorn (tests/test_unicorn_layout.cpp specifies it):
//
//   [image]          the binary's loadable segments, page-granular, with their permissions
//   gap              at least 1 MiB: the sentinel starts on the 1 MiB boundary after the image's
//                    rounded-up end, plus 1 MiB
//   [sentinel page]  the kernel's return address points here; uc_emu_start stops on reaching it
//   guard page
//   [stack]          grows down from its top; stack-passed arguments sit just above the SP
//   guard page
//   [buffer 0] guard page [buffer 1] guard page ...   each page-aligned, hence 64-byte aligned
//
// The whole range [image start, end of the last guard page) is backed by one host mapping, so
// buffers are filled and read back with memcpy. Guard pages and gaps are never mapped in the guest:
// an access to one stops the run with a fault that names the region it missed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "simtune/kernel.hpp"

namespace simtune::unicorn {

inline constexpr std::uint64_t page_size = 4096;

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }
constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) { return v / a * a; }

/// The most buffers a kernel binary can have (the harness's SIMTUNE_MAX_BUFFERS).
inline constexpr std::size_t max_buffers = 16;
/// The largest span of loadable segments a kernel image may have, and the highest address it may
/// reach (so the sentinel, stack and buffers placed above it cannot wrap around). A kernel binary's
/// image is a few megabytes; segments far apart (found by fuzzing: two segments 1 TiB apart) would
/// make the image, its per-page table and its snapshot that large.
inline constexpr std::uint64_t max_image_bytes = std::uint64_t{256} << 20;
inline constexpr std::uint64_t max_guest_address = std::uint64_t{1} << 46;
/// Where the whole layout must end: the 47-bit user address space (KernelBinary::load's bound).
inline constexpr std::uint64_t guest_address_limit = std::uint64_t{1} << 47;
/// The smallest stack the layout gives, whatever UnicornOptions::stack_bytes asks for.
inline constexpr std::uint64_t min_stack_bytes = 64 * 1024;
/// The sentinel page is placed on this boundary, at least this far above the image.
inline constexpr std::uint64_t sentinel_gap = 1 << 20;

/// A half-open guest range [address, address + bytes).
struct Region {
    std::uint64_t address = 0;
    std::uint64_t bytes = 0;
    [[nodiscard]] constexpr std::uint64_t end() const noexcept { return address + bytes; }
    [[nodiscard]] constexpr bool contains(std::uint64_t a) const noexcept { return a >= address && a < end(); }
    friend bool operator==(const Region&, const Region&) = default;
};

/// Guest page permissions, combined with |: the same bits as Unicorn's UC_PROT_*.
inline constexpr std::uint32_t prot_none = 0, prot_read = 1, prot_write = 2, prot_exec = 4;

/// A maximal run of image pages with the same non-zero permissions: one uc_mem_map_ptr call. A page
/// shared by several segments gets the union of their permissions; pages no segment touches are
/// left unmapped.
struct ImageRun {
    Region pages;
    std::uint32_t protection = prot_none;
    friend bool operator==(const ImageRun&, const ImageRun&) = default;
};

/// One kernel buffer: `bytes` as the kernel sees it, `mapped` rounded up to whole pages (at least
/// one page, so an empty buffer still has an address of its own).
struct BufferRegion {
    std::uint64_t address = 0;
    std::uint64_t bytes = 0;
    std::uint64_t mapped = 0;
    [[nodiscard]] constexpr Region region() const noexcept { return {address, mapped}; }
};

struct GuestLayout {
    Region guest;                      ///< everything the host mapping backs, guard pages included
    Region image;                      ///< the loadable segments' page-granular bounds
    std::vector<ImageRun> image_runs;  ///< the image pages to map, in address order
    Region sentinel;                   ///< one page, read/execute
    Region stack;                      ///< read/write; the initial SP is derived from stack.end()
    std::vector<BufferRegion> buffers; ///< in the order of the kernel's buffer list (its arguments)
    std::vector<Region> guard_pages;   ///< below and above the stack, after every buffer; in address order
};

/// Lays out a kernel with these loadable segments and buffers. `stack_bytes` is rounded up to whole
/// pages and to at least min_stack_bytes; `name` (the binary's path) prefixes error messages.
/// Throws Error: invalid_argument (more than max_buffers buffers; a stack or buffers too large to
/// fit below guest_address_limit), invalid_binary (no loadable segment with a non-zero size; an
/// image spanning more than max_image_bytes or ending above max_guest_address).
GuestLayout layout_guest(std::span<const Segment> segments, std::span<const BufferSpec> buffers,
                         std::uint64_t stack_bytes, std::string_view name);

} // namespace simtune::unicorn
