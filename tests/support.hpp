#pragma once
// Small helpers the doctest specifications share: a per-process scratch folder and the check that
// an action fails with a simtune::Error of the right kind whose message names the problem.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <simtune/error.hpp>
#include <simtune/events.hpp>

namespace simtune::testing {

/// A decoded block [address, end) of `alu` integer and `loads` load instructions, ending in a
/// branch (conditional or not) if `branch`: what a simulator hands the block collectors.
inline DecodedBlock decoded_block(std::uint64_t address, std::uint64_t end, std::uint32_t alu, std::uint32_t loads,
                                  bool branch, bool conditional) {
    DecodedBlock b;
    b.address = address;
    b.end = end;
    b.class_counts[static_cast<std::size_t>(InsnClass::int_alu)] = alu;
    b.class_counts[static_cast<std::size_t>(InsnClass::load)] = loads;
    b.class_counts[static_cast<std::size_t>(InsnClass::branch)] = branch ? 1 : 0;
    b.instructions = alu + loads + (branch ? 1 : 0);
    b.ends_in_branch = branch;
    b.branch_is_conditional = conditional;
    return b;
}

/// An empty folder under the system's temp directory, unique to this test process.
inline std::filesystem::path scratch_dir(std::string_view name) {
    auto dir = std::filesystem::temp_directory_path() / fmt::format("simtune-test-{}-{}", name, ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

/// `action` must throw simtune::Error of `kind` whose message contains every one of `needles`.
void check_error(auto&& action, ErrorKind kind, std::initializer_list<std::string_view> needles) {
    try {
        action();
        FAIL("expected simtune::Error of kind ", to_string(kind));
    } catch (const Error& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(e.kind() == kind);
        for (auto needle : needles) CHECK(message.find(needle) != std::string::npos);
    }
}

/// The same with one needle.
void check_error(auto&& action, ErrorKind kind, std::string_view needle) { check_error(action, kind, {needle}); }

} // namespace simtune::testing
