#pragma once
// Small helpers the doctest specifications share: a per-process scratch folder and the check that
// an action fails with a simtune::Error of the right kind whose message names the problem.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <simtune/error.hpp>

namespace simtune::testing {

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
