// Specification of the Unicorn engine's guest layout (src/simulators/unicorn_layout.hpp): where the
// image, sentinel, stack, buffers and guard pages go, computed without Unicorn, and the layouts it
// refuses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../src/simulators/unicorn_layout.hpp"
#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
using namespace simtune::unicorn;

namespace {

Segment segment(std::uint64_t vaddr, std::uint64_t bytes, bool writable, bool executable) {
    return {vaddr, bytes, 0, 0, true, writable, executable};
}

/// A typical kernel binary: code, then read-only data, then writable data.
std::vector<Segment> typical_segments() {
    return {segment(0x400000, 0x1234, false, true), segment(0x402000, 0x300, false, false),
            segment(0x403100, 0x900, true, false)};
}

std::vector<BufferSpec> buffers(std::initializer_list<std::uint64_t> counts) {
    std::vector<BufferSpec> v;
    for (const auto count : counts)
        v.push_back({"b" + std::to_string(v.size()), ElemType::f32, count, BufferRole::input});
    return v;
}

bool page_aligned(Region r) { return r.address % page_size == 0 && r.bytes % page_size == 0 && r.bytes > 0; }

/// Every region of the layout that is mapped or guarded, in address order.
std::vector<Region> all_regions(const GuestLayout& layout) {
    std::vector<Region> regions{layout.image, layout.sentinel, layout.stack};
    for (const auto& b : layout.buffers) regions.push_back(b.region());
    regions.insert(regions.end(), layout.guard_pages.begin(), layout.guard_pages.end());
    std::sort(regions.begin(), regions.end(), [](Region a, Region b) { return a.address < b.address; });
    return regions;
}

} // namespace

TEST_CASE("the image is page-granular and every page gets the union of its segments' permissions") {
    const auto layout = layout_guest(typical_segments(), buffers({16}), 1 << 20, "k");
    CHECK(layout.image == Region{0x400000, 0x4000});
    // [0x400000, 0x402000) code; 0x402000 read-only data; 0x403000 writable data (its page is shared
    // with nothing else but starts mid-page).
    REQUIRE(layout.image_runs.size() == 3);
    CHECK(layout.image_runs[0] == ImageRun{{0x400000, 0x2000}, prot_read | prot_exec});
    CHECK(layout.image_runs[1] == ImageRun{{0x402000, 0x1000}, prot_read});
    CHECK(layout.image_runs[2] == ImageRun{{0x403000, 0x1000}, prot_read | prot_write});

    SUBCASE("a page two segments share has both permissions; pages between segments stay unmapped") {
        const std::vector<Segment> segments{segment(0x400000, 0x1800, false, true),
                                            segment(0x401800, 0x100, true, false), segment(0x405000, 0x10, true, false),
                                            segment(0x500000, 0, true, true)};
        const auto l = layout_guest(segments, buffers({1}), 0, "k");
        CHECK(l.image == Region{0x400000, 0x6000}); // the empty segment at 0x500000 does not count
        REQUIRE(l.image_runs.size() == 3);
        CHECK(l.image_runs[0] == ImageRun{{0x400000, 0x1000}, prot_read | prot_exec});
        CHECK(l.image_runs[1] == ImageRun{{0x401000, 0x1000}, prot_read | prot_write | prot_exec});
        CHECK(l.image_runs[2] == ImageRun{{0x405000, 0x1000}, prot_read | prot_write});
    }
}

TEST_CASE("sentinel, stack and buffers follow the image in order, page-aligned, each behind a guard page") {
    const auto specs = buffers({1024, 7, 1025, 1});
    const auto layout = layout_guest(typical_segments(), specs, 100000, "k");

    // The sentinel sits on a 1 MiB boundary at least 1 MiB above the image.
    CHECK(layout.sentinel.bytes == page_size);
    CHECK(layout.sentinel.address % sentinel_gap == 0);
    CHECK(layout.sentinel.address >= layout.image.end() + sentinel_gap);
    // One guard page between the sentinel and the stack; the stack is rounded up to whole pages.
    CHECK(layout.stack.address == layout.sentinel.end() + page_size);
    CHECK(layout.stack.bytes == 25 * page_size);

    REQUIRE(layout.buffers.size() == specs.size());
    std::uint64_t previous_end = layout.stack.end();
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& b = layout.buffers[i];
        CAPTURE(i);
        CHECK(b.bytes == specs[i].bytes());
        CHECK(b.mapped == align_up(b.bytes, page_size));
        CHECK(b.address % buffer_alignment == 0);
        CHECK(page_aligned(b.region()));
        // In argument order, each one guard page after the previous region.
        CHECK(b.address == previous_end + page_size);
        previous_end = b.address + b.mapped;
    }
    CHECK(layout.guest == Region{layout.image.address, previous_end + page_size - layout.image.address});

    // Guard pages: below and above the stack, after every buffer.
    std::vector<Region> guards{{layout.sentinel.end(), page_size}, {layout.stack.end(), page_size}};
    for (const auto& b : layout.buffers) guards.push_back({b.address + b.mapped, page_size});
    CHECK(layout.guard_pages == guards);
}

TEST_CASE("no two regions overlap and all of them lie in the host-backed range") {
    const std::vector<std::uint64_t> stacks{0, 4096, 1 << 20, std::uint64_t{3} << 30};
    const std::vector<std::vector<BufferSpec>> buffer_lists{
        buffers({}), buffers({1}), buffers({1024, 1024, 1024}),
        buffers({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), buffers({std::uint64_t{1} << 32})};
    for (const auto stack : stacks) {
        for (const auto& specs : buffer_lists) {
            CAPTURE(stack);
            CAPTURE(specs.size());
            const auto layout = layout_guest(typical_segments(), specs, stack, "k");
            CHECK(layout.stack.bytes >= std::max(stack, min_stack_bytes));
            const auto regions = all_regions(layout);
            for (const auto& r : regions) {
                CHECK(page_aligned(r));
                CHECK(r.address >= layout.guest.address);
                CHECK(r.end() <= layout.guest.end());
            }
            for (std::size_t i = 1; i < regions.size(); ++i) CHECK(regions[i - 1].end() <= regions[i].address);
            CHECK(layout.guest.end() <= guest_address_limit);
        }
    }
}

TEST_CASE("a layout the simulator cannot map is refused with an error naming the reason") {
    SUBCASE("more buffers than the harness passes") {
        const auto seventeen = buffers({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        check_error([&] { (void)layout_guest(typical_segments(), seventeen, 0, "k.elf"); }, ErrorKind::invalid_argument,
                    {"k.elf", "17 buffers", "at most 16"});
    }
    SUBCASE("no loadable segment with a size") {
        const std::vector<Segment> empty{segment(0x400000, 0, false, true)};
        check_error([&] { (void)layout_guest(empty, buffers({1}), 0, "k.elf"); }, ErrorKind::invalid_binary,
                    {"k.elf", "no loadable segment"});
        check_error([] { (void)layout_guest({}, buffers({1}), 0, "k.elf"); }, ErrorKind::invalid_binary,
                    "no loadable segment");
    }
    SUBCASE("segments spanning more than 256 MiB") {
        const std::vector<Segment> far{segment(0x400000, 0x1000, false, true),
                                       segment(0x10000011000, 0x1000, true, false)};
        check_error([&] { (void)layout_guest(far, buffers({1}), 0, "k.elf"); }, ErrorKind::invalid_binary,
                    {"k.elf", "loadable segments span [0x400000, 0x10000012000)", "at most 256 MiB"});
        // Exactly 256 MiB is fine.
        const std::vector<Segment> widest{segment(0x400000, max_image_bytes, false, true)};
        CHECK(layout_guest(widest, buffers({1}), 0, "k").image.bytes == max_image_bytes);
    }
    SUBCASE("an image ending above 2^46") {
        const std::vector<Segment> high{segment(max_guest_address - 0x1000, 0x2000, false, true)};
        check_error([&] { (void)layout_guest(high, buffers({1}), 0, "k.elf"); }, ErrorKind::invalid_binary,
                    {"k.elf", "loadable segments span", "below 0x400000000000"});
        // Ending exactly there is fine, and the layout above it does not wrap.
        const std::vector<Segment> highest{segment(max_guest_address - 0x1000, 0x1000, false, true)};
        const auto layout = layout_guest(highest, buffers({std::uint64_t{1} << 32}), 1 << 20, "k");
        CHECK(layout.sentinel.address > layout.image.end());
        CHECK(layout.guest.end() > layout.buffers[0].address);
    }
    SUBCASE("a stack too large for the address space, however large, does not wrap around") {
        for (const std::uint64_t stack : {guest_address_limit, guest_address_limit + 1, ~std::uint64_t{0}})
            check_error([&] { (void)layout_guest(typical_segments(), buffers({1}), stack, "k.elf"); },
                        ErrorKind::invalid_argument, {"k.elf", "stack", "UnicornOptions::stack_bytes"});
    }
    SUBCASE("a buffer too large for the address space") {
        std::vector<BufferSpec> huge{{"big", ElemType::f64, std::uint64_t{1} << 62, BufferRole::input}};
        check_error([&] { (void)layout_guest(typical_segments(), huge, 0, "k.elf"); }, ErrorKind::invalid_argument,
                    {"k.elf", "buffer 'big'", "does not fit"});
        huge[0].count = guest_address_limit / 8;
        check_error([&] { (void)layout_guest(typical_segments(), huge, 0, "k.elf"); }, ErrorKind::invalid_argument,
                    {"k.elf", "buffer 'big'", "does not fit"});
    }
}
