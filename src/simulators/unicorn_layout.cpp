// The guest layout of a Unicorn engine: see unicorn_layout.hpp.
#include "unicorn_layout.hpp"

#include <algorithm>

#include "simtune/error.hpp"

namespace simtune::unicorn {
namespace {

/// The image's page-granular bounds; throws if no segment has a non-zero size or the image is too
/// large or too high.
Region image_bounds(std::span<const Segment> segments, std::string_view name) {
    std::uint64_t lo = ~0ULL, hi = 0;
    for (const auto& s : segments) {
        if (s.mem_size == 0) continue;
        lo = std::min(lo, align_down(s.vaddr, page_size));
        hi = std::max(hi, align_up(s.vaddr + s.mem_size, page_size));
    }
    if (lo >= hi) fail(ErrorKind::invalid_binary, "{}: no loadable segment", name);
    if (hi - lo > max_image_bytes || hi > max_guest_address)
        fail(ErrorKind::invalid_binary,
             "{}: its loadable segments span [{:#x}, {:#x}); Unicorn maps images of at most {} MiB below {:#x}", name,
             lo, hi, max_image_bytes >> 20, max_guest_address);
    return {lo, hi - lo};
}

/// Every page gets the union of the permissions of the segments that touch it; runs of pages with
/// the same permissions are merged and pages without any are left out.
std::vector<ImageRun> image_runs(std::span<const Segment> segments, Region image) {
    std::vector<std::uint32_t> page_prot(image.bytes / page_size, prot_none);
    for (const auto& s : segments) {
        if (s.mem_size == 0) continue;
        const std::uint32_t prot =
            (s.readable ? prot_read : 0) | (s.writable ? prot_write : 0) | (s.executable ? prot_exec : 0);
        for (auto p = align_down(s.vaddr, page_size); p < s.vaddr + s.mem_size; p += page_size)
            page_prot[(p - image.address) / page_size] |= prot;
    }
    std::vector<ImageRun> runs;
    for (std::size_t i = 0; i < page_prot.size();) {
        std::size_t j = i;
        while (j < page_prot.size() && page_prot[j] == page_prot[i]) ++j;
        if (page_prot[i] != prot_none)
            runs.push_back({{image.address + i * page_size, (j - i) * page_size}, page_prot[i]});
        i = j;
    }
    return runs;
}

} // namespace

GuestLayout layout_guest(std::span<const Segment> segments, std::span<const BufferSpec> buffers,
                         std::uint64_t stack_bytes, std::string_view name) {
    if (buffers.size() > max_buffers)
        fail(ErrorKind::invalid_argument, "{}: {} buffers; the simulator passes at most {}", name, buffers.size(),
             max_buffers);
    GuestLayout layout;
    layout.image = image_bounds(segments, name);
    layout.image_runs = image_runs(segments, layout.image);

    const auto stack_too_large = [&] {
        fail(ErrorKind::invalid_argument,
             "{}: UnicornOptions::stack_bytes = {} does not fit in the guest address space below {:#x}", name,
             stack_bytes, guest_address_limit);
    };
    const auto buffer_too_large = [&](const BufferSpec& spec) {
        fail(ErrorKind::invalid_argument,
             "{}: buffer '{}' ({} elements) does not fit in the guest address space below {:#x}", name, spec.name,
             spec.count, guest_address_limit);
    };
    // Above the image (which ends at most at max_guest_address), every region is checked against
    // guest_address_limit before the next is placed, so no sum below can wrap.
    if (stack_bytes > guest_address_limit) stack_too_large();
    layout.sentinel = {align_up(layout.image.end(), sentinel_gap) + sentinel_gap, page_size};
    layout.guard_pages.push_back({layout.sentinel.end(), page_size});
    layout.stack = {layout.sentinel.end() + page_size, align_up(std::max(stack_bytes, min_stack_bytes), page_size)};
    layout.guard_pages.push_back({layout.stack.end(), page_size});
    std::uint64_t next = layout.stack.end() + page_size;
    if (next > guest_address_limit) stack_too_large();

    for (const auto& spec : buffers) {
        if (spec.count > guest_address_limit || spec.bytes() > guest_address_limit - next) buffer_too_large(spec);
        BufferRegion b;
        b.address = next;
        b.bytes = spec.bytes();
        b.mapped = align_up(std::max<std::uint64_t>(b.bytes, 1), page_size);
        layout.guard_pages.push_back({b.address + b.mapped, page_size});
        next += b.mapped + page_size;
        if (next > guest_address_limit) buffer_too_large(spec);
        layout.buffers.push_back(b);
    }
    layout.guest = {layout.image.address, next - layout.image.address};
    return layout;
}

} // namespace simtune::unicorn
