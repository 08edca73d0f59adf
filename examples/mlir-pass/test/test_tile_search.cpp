// Specification of the simtune side of simtune-tile-matmul (tile_search.hpp): LLVM settings that
// match each target's GCC, ranking of candidate objects, and the check that catches a candidate
// whose result differs from the untiled matmul.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <simtune/research.hpp>

#include "tile_search.hpp"

using namespace simtune_mlir;
namespace fs = std::filesystem;

namespace {

// C[16x8] += A[16x4] · B[4x8], and a wrong variant that overwrites C instead of accumulating.
const char* matmul_c = R"(
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 8; ++j)
            for (int k = 0; k < 4; ++k) c[i * 8 + j] += a[i * 4 + k] * b[k * 8 + j];
}
)";
const char* wrong_c = R"(
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 8; ++j) {
            float sum = 0;
            for (int k = 0; k < 4; ++k) sum += a[i * 4 + k] * b[k * 8 + j];
            c[i * 8 + j] = sum;
        }
}
)";

// Compiles, but cannot link: it calls a function nothing defines.
const char* unlinkable_c = R"(
void not_defined_anywhere(float *c);
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) { not_defined_anywhere(c); }
)";

fs::path compile(const simtune::Target& target, const fs::path& dir, std::string_view name, const char* source) {
    const auto c = dir / fmt::format("{}.c", name);
    std::ofstream(c) << source;
    const auto o = dir / fmt::format("{}-{}.o", name, target.name);
    std::vector<std::string> argv{target.compiler(), "-O2", "-c", c.string(), "-o", o.string()};
    argv.insert(argv.end(), target.cflags.begin(), target.cflags.end());
    const auto r = simtune::run_process(argv);
    REQUIRE_MESSAGE(r.ok(), r.err);
    return o;
}

} // namespace

TEST_CASE("LLVM code generation settings follow each target's GCC flags") {
    SearchOptions options;
    options.target = "host-x86-64";
    TileSearch host(options);
    CHECK(host.llvm_target().triple == "x86_64-unknown-linux-gnu");
    CHECK(host.llvm_target().cpu == "x86-64-v2"); // no AVX: Unicorn cannot run it
    CHECK(host.scorer_description() == "builtin:host-x86-64");
    CHECK(host.simulator_name() == "unicorn");

    options.target = "cortex-a72";
    TileSearch arm(options);
    CHECK(arm.llvm_target().triple == "aarch64-unknown-linux-gnu");
    CHECK(arm.llvm_target().cpu == "cortex-a72");
    CHECK(arm.scorer_description() == "analytic:cortex-a72"); // no board measured: the analytic model

    options.target = "sifive-u74";
    options.simulator = "qemu";
    TileSearch riscv(options);
    CHECK(riscv.llvm_target().triple == "riscv64-unknown-linux-gnu");
    CHECK(riscv.llvm_target().features == "+m,+a,+f,+d,+c");
    CHECK(riscv.llvm_target().abi == "lp64d"); // what the rv64gc GCC objects use
    CHECK(riscv.simulator_name() == "qemu");

    options.target = "vax";
    CHECK_THROWS_WITH_AS(TileSearch{options}, doctest::Contains("unknown target 'vax'"), simtune::Error);
}

TEST_CASE("candidates are linked, checked against the untiled result and ranked; a wrong one is caught") {
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-test-tile-search-{}", ::getpid());
    fs::create_directories(dir);
    for (const auto& target : simtune::builtin_targets()) {
        CAPTURE(target.name);
        SearchOptions options;
        options.target = target.name;
        TileSearch search(options);
        const std::vector<CandidateObject> candidates{{{16, 8, 4}, compile(target, dir, "right", matmul_c), 0.0},
                                                      {{8, 8, 4}, compile(target, dir, "wrong", wrong_c), 0.0},
                                                      {{4, 4, 4}, dir / "missing.o", 0.0}};
        const auto result = search.rank({16, 8, 4, false}, candidates);
        REQUIRE(result.ranked.size() == 3);
        const auto& right = result.ranked[0];
        CHECK(right.tiles == TileSizes{16, 8, 4});
        CHECK(right.ok);
        CHECK(right.verified);
        CHECK(right.max_relative_error <= 1e-6);
        CHECK(right.predicted_seconds > 0);
        CHECK(right.instructions > 16 * 8 * 4); // at least one instruction per multiply-add
        for (const auto& failed : {result.ranked[1], result.ranked[2]}) {
            CHECK_FALSE(failed.ok);
            CHECK_FALSE(failed.verified);
        }
        // Batch order among failures: the wrong result, then the missing object.
        CHECK(result.ranked[1].error.find("C differs from the untiled matmul") != std::string::npos);
        CHECK(result.ranked[2].error.find("no such file") != std::string::npos);
    }
    SearchOptions options;
    TileSearch search(options);
    CHECK_THROWS_WITH_AS(search.rank({0, 8, 4, false}, {}), doctest::Contains("not static and positive"),
                         simtune::Error);
    fs::remove_all(dir);
}

TEST_CASE("when every candidate fails to build, each is reported with its cause and none is ranked") {
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-test-tile-search-fail-{}", ::getpid());
    fs::create_directories(dir / "empty");
    const auto target = simtune::cortex_a72();
    SearchOptions options;
    options.target = target.name;
    options.workers = 2;
    TileSearch search(options);

    // Objects that do not link.
    const std::vector<CandidateObject> unlinkable{{{16, 8, 4}, compile(target, dir, "unlinkable-1", unlinkable_c), 0.0},
                                                  {{8, 8, 4}, compile(target, dir, "unlinkable-2", unlinkable_c), 0.0}};
    auto result = search.rank({16, 8, 4, false}, unlinkable);
    REQUIRE(result.ranked.size() == 2);
    for (const auto& c : result.ranked) {
        CHECK_FALSE(c.ok);
        CHECK_MESSAGE(c.error.find("undefined reference to `not_defined_anywhere'") != std::string::npos, c.error);
    }

    // Correct objects, but the cross compiler that links them is not on PATH.
    const std::vector<CandidateObject> right{{{16, 8, 4}, compile(target, dir, "right", matmul_c), 0.0},
                                             {{8, 8, 4}, compile(target, dir, "right-again", matmul_c), 0.0}};
    const std::string path = std::getenv("PATH");
    ::setenv("PATH", (dir / "empty").c_str(), 1);
    result = search.rank({16, 8, 4, false}, right);
    ::setenv("PATH", path.c_str(), 1);
    REQUIRE(result.ranked.size() == 2);
    for (const auto& c : result.ranked) {
        CHECK_FALSE(c.ok);
        CHECK_MESSAGE(c.error.find("compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found") !=
                          std::string::npos,
                      c.error);
    }
    fs::remove_all(dir);
}
