// Specification of tiny-compiler's parts: the front end's errors, lowering, the schedule space,
// codegen, and — the point — that every emitted schedule computes the operator: sampled schedules
// (remainder tiles, strided and padded convolutions, both layouts) are built, run under Unicorn on
// all three ISAs, and compared with an independent C++ evaluation of the operator's definition.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>

#include <simtune/simtune.hpp>

#include "codegen.hpp"
#include "frontend.hpp"
#include "ir.hpp"
#include "schedule.hpp"
#include "verify.hpp"

using namespace tiny;
namespace fs = std::filesystem;

namespace {

/// The inputs exactly as the harness fills them.
std::vector<std::vector<float>> harness_inputs(const LoopNest& nest) {
    std::vector<std::vector<float>> in;
    const auto specs = nest.buffers();
    for (std::size_t b = 0; b + 1 < specs.size(); ++b) {
        std::vector<float> v(specs[b].count);
        simtune::initialise_buffer(specs[b], b, std::as_writable_bytes(std::span(v)));
        in.push_back(std::move(v));
    }
    return in;
}

/// The operator from its textbook definition, in double precision — no IR involved.
std::vector<double> reference(const Operator& op, const LoopNest& nest) {
    const auto in = harness_inputs(nest);
    const auto& a = in[0];
    const auto& b = in[1];
    if (op.op == OpName::gemm) {
        const int M = op.dim("M"), N = op.dim("N"), K = op.dim("K");
        std::vector<double> c(static_cast<std::size_t>(M * N));
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j)
                for (int k = 0; k < K; ++k) c[i * N + j] += double(a[i * K + k]) * b[k * N + j];
        return c;
    }
    const int N = op.dim("N"), H = op.dim("H"), W = op.dim("W"), C = op.dim("C"), K = op.dim("K"), R = op.dim("R"),
              S = op.dim("S"), st = op.dim("stride"), pad = op.dim("pad"), OH = op.out_h(), OW = op.out_w();
    const bool nhwc = op.layout == Layout::nhwc;
    std::vector<double> o(static_cast<std::size_t>(N * K * OH * OW));
    for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k)
            for (int y = 0; y < OH; ++y)
                for (int x = 0; x < OW; ++x) {
                    double sum = 0;
                    for (int c = 0; c < C; ++c)
                        for (int r = 0; r < R; ++r)
                            for (int s = 0; s < S; ++s) {
                                const int h = y * st + r - pad, w = x * st + s - pad;
                                if (h < 0 || h >= H || w < 0 || w >= W) continue; // zero padding
                                const float iv =
                                    nhwc ? a[((n * H + h) * W + w) * C + c] : a[((n * C + c) * H + h) * W + w];
                                const float fv =
                                    nhwc ? b[((r * S + s) * C + c) * K + k] : b[((k * C + c) * R + r) * S + s];
                                sum += double(iv) * fv;
                            }
                    o[nhwc ? ((n * OH + y) * OW + x) * K + k : ((n * K + k) * OH + y) * OW + x] = sum;
                }
    return o;
}

/// Builds `count` schedules of `description` for `target`, runs each under Unicorn and checks its
/// output against the reference. Returns how many were checked.
std::size_t check_schedules(const std::string& description, const simtune::Target& target, std::size_t count,
                            std::uint64_t seed, const fs::path& cache) {
    const auto op = parse_operator(description);
    const auto nest = lower(op);
    const auto expected = reference(op, nest);
    double magnitude = 0;
    for (double x : expected) magnitude = std::max(magnitude, std::abs(x));
    REQUIRE(magnitude > 0);
    simtune::BuildOptions build;
    build.cache_dir = cache;
    std::size_t checked = 0;
    for (const auto& s : enumerate_schedules(nest, count, seed)) {
        CAPTURE(description);
        CAPTURE(target.name);
        CAPTURE(s.describe());
        build.flags = s.flags();
        const auto kernel = simtune::build_kernel(emit_c(nest, s), nest.buffers(), target, build);
        const auto out = run_output(kernel, target, "unicorn");
        REQUIRE(out.size() == expected.size());
        for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(std::abs(out[i] - expected[i]) <= 1e-5 * magnitude);
        ++checked;
    }
    return checked;
}

} // namespace

TEST_CASE("the front end parses descriptions and names what is wrong with bad ones") {
    const auto g = parse_operator("  gemm   M=64 N=32  K=16 ");
    CHECK(g.op == OpName::gemm);
    CHECK(g.dim("N") == 32);
    CHECK(g.text == "gemm M=64 N=32 K=16");
    const auto c = parse_operator("conv2d H=28 W=20 C=16 K=32 R=3 S=3 stride=2 pad=1 layout=nchw");
    CHECK(c.layout == Layout::nchw);
    CHECK(c.dim("N") == 1); // default
    CHECK(c.out_h() == 14);
    CHECK(c.out_w() == 10);

    const std::vector<std::pair<std::string, std::string>> bad{
        {"", "empty operator description"},
        {"matmul M=1 N=1 K=1", "unknown operator 'matmul'"},
        {"gemm M=4 N=4", "gemm needs K=<integer>"},
        {"gemm M=4 N=4 K=4 M=8", "'M' given twice"},
        {"gemm M=4 N=4 K=4 X=1", "gemm has no parameter 'X'"},
        {"gemm M=4 N=4 K", "'K' is not key=value"},
        {"gemm M=4 N=4 K=4x", "K=4x is not an integer"},
        {"gemm M=0 N=4 K=4", "M=0 is out of range"},
        {"gemm M=4 N=4 K=4 layout=nhwc", "gemm has no parameter 'layout'"},
        {"conv2d H=8 W=8 C=4 K=4 R=3 S=3 layout=chwn", "layout 'chwn' is not nhwc or nchw"},
        {"conv2d H=2 W=8 C=4 K=4 R=5 S=3 pad=1", "larger than the padded"},
        {"conv2d H=8 W=8 C=4 K=4 R=3 S=3 pad=3", "pad=3 must be smaller than the filter"},
        {"conv2d H=8 W=8 C=4 K=4 R=3 S=3 stride=-1", "stride=-1 is out of range"},
    };
    for (const auto& [text, message] : bad) {
        CAPTURE(text);
        CHECK_THROWS_WITH_AS(parse_operator(text), doctest::Contains(message.c_str()), simtune::Error);
    }
    CHECK_THROWS_WITH_AS(parse_operator_file("/nonexistent/op.txt"), doctest::Contains("/nonexistent/op.txt"),
                         simtune::Error);

    // A file: comments and blank lines skipped, one description, errors name the file.
    const auto file = fs::temp_directory_path() / fmt::format("tiny-compiler-op-{}.txt", ::getpid());
    std::ofstream(file) << "# a layer\n\nconv2d H=8 W=8 C=4 K=4 R=3 S=3 pad=1\n";
    CHECK(parse_operator_file(file.string()).text == "conv2d H=8 W=8 C=4 K=4 R=3 S=3 pad=1");
    std::ofstream(file, std::ios::app) << "gemm M=1 N=1 K=1\n";
    CHECK_THROWS_WITH_AS(parse_operator_file(file.string()), doctest::Contains("more than one description"),
                         simtune::Error);
    std::ofstream(file) << "conv2d H=8 W=8\n";
    CHECK_THROWS_WITH_AS(parse_operator_file(file.string()), doctest::Contains(file.string().c_str()), simtune::Error);
    fs::remove(file);
}

TEST_CASE("lowering: loops, buffers, index ranges and padding guards") {
    const auto g = lower(parse_operator("gemm M=6 N=5 K=4"));
    CHECK(g.macs() == 120);
    const auto gb = g.buffers();
    REQUIRE(gb.size() == 3);
    CHECK(gb[0].count == 24);
    CHECK(gb[1].count == 20);
    CHECK(gb[2].count == 30);
    CHECK(gb[2].role == simtune::BufferRole::output);
    CHECK(g.linear(g.lhs).to_c() == "i * 4 + k");
    CHECK(g.guards(g.lhs).empty());
    CHECK(g.loop("k").reduction);
    CHECK_FALSE(g.loop("j").reduction);

    const auto c = lower(parse_operator("conv2d N=2 H=9 W=7 C=3 K=4 R=3 S=3 stride=2 pad=1"));
    CHECK(c.loop("oh").extent == 5);
    CHECK(c.loop("ow").extent == 4);
    CHECK(c.macs() == 2ULL * 5 * 4 * 4 * 3 * 3 * 3);
    const auto ih = c.lhs.index[1];
    CHECK(ih.to_c() == "oh * 2 + r - 1");
    CHECK(c.range(ih) == std::pair<std::int64_t, std::int64_t>{-1, 9});
    const auto guards = c.guards(c.lhs);
    // ih spans [-1, 9] against H=9; iw = ow*2 + s - 1 spans [-1, 7] against W=7: both sides of both.
    CHECK(guards == std::vector<std::string>{"oh * 2 + r - 1 >= 0", "oh * 2 + r - 1 < 9", "ow * 2 + s - 1 >= 0",
                                             "ow * 2 + s - 1 < 7"});
    CHECK(c.guards(c.out).empty());
    const auto unpadded = lower(parse_operator("conv2d H=8 W=8 C=3 K=4 R=3 S=3"));
    CHECK(unpadded.guards(unpadded.lhs).empty());
}

TEST_CASE("the schedule space: naive first, distinct, valid, deterministic per seed") {
    const auto nest = lower(parse_operator("conv2d H=14 W=14 C=16 K=32 R=3 S=3 pad=1"));
    const auto a = enumerate_schedules(nest, 40, 3), b = enumerate_schedules(nest, 40, 3),
               c = enumerate_schedules(nest, 40, 4);
    REQUIRE(a.size() == 40);
    CHECK(a[0].id() == naive_schedule(nest).id());
    CHECK(a[0].tiles.empty());
    std::set<std::string> ids;
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK_NOTHROW(check_schedule(nest, a[i]));
        ids.insert(a[i].id());
        CHECK(a[i].id() == b[i].id());
        // Reductions keep their naive relative order (r, s, c) and the unit loop n stays outermost.
        std::vector<std::string> red;
        for (const auto& v : a[i].inner)
            if (nest.loop(v).reduction) red.push_back(v);
        CHECK(red == std::vector<std::string>{"r", "s", "c"});
        CHECK(a[i].inner.front() == "n");
    }
    CHECK(ids.size() == a.size());
    std::size_t same = 0;
    for (std::size_t i = 1; i < a.size(); ++i) same += a[i].id() == c[i].id();
    CHECK(same < 5);
    CHECK(schedule_space(nest).size() > 1e4);

    // A tiny space runs out before the request: every distinct schedule once, no more.
    const auto small = lower(parse_operator("gemm M=2 N=2 K=2"));
    CHECK(enumerate_schedules(small, 100, 1).size() == 6 * 2 * 2); // 3! orders x unroll x vectorise

    auto bad = naive_schedule(nest);
    bad.inner.pop_back();
    CHECK_THROWS_WITH_AS(check_schedule(nest, bad), doctest::Contains("must name all 7 loops"), simtune::Error);
    bad = naive_schedule(nest);
    bad.tiles["k"] = 32;
    bad.outer = {"k"};
    CHECK_THROWS_WITH_AS(check_schedule(nest, bad), doctest::Contains("splits nothing"), simtune::Error);
}

TEST_CASE("codegen clamps a tile only when it does not divide the extent") {
    const auto nest = lower(parse_operator("gemm M=20 N=16 K=8"));
    Schedule s = naive_schedule(nest);
    s.tiles = {{"i", 8}, {"j", 8}};
    s.outer = {"j", "i"};
    s.inner = {"i", "k", "j"};
    s.unroll = 4;
    const auto c = emit_c(nest, s);
    CHECK(c.find("for (int j_o = 0; j_o < 16; j_o += 8)") < c.find("for (int i_o = 0; i_o < 20; i_o += 8)"));
    CHECK(c.find("i < MIN(i_o + 8, 20)") != std::string::npos);
    CHECK(c.find("j < j_o + 8;") != std::string::npos);
    CHECK(c.find("#pragma GCC unroll 4") != std::string::npos);
    CHECK(c.find("C[i * 16 + j] += A[i * 8 + k] * B[k * 16 + j];") != std::string::npos);
    CHECK(c.find("void simtune_kernel(const float *restrict A, const float *restrict B, float *restrict C)") !=
          std::string::npos);
}

TEST_CASE("compare_outputs catches a wrong element and a NaN") {
    const std::vector<float> ref{1, -2, 3, 4};
    CHECK(compare_outputs("same", "unicorn", ref, ref).ok);
    CHECK(compare_outputs("rounding", "unicorn", ref, {1, -2, 3.00001f, 4}).ok);
    const auto off = compare_outputs("off", "unicorn", ref, {1, -2, 3.01f, 4});
    CHECK_FALSE(off.ok);
    CHECK(off.max_abs_diff == doctest::Approx(0.01).epsilon(1e-3));
    CHECK_FALSE(compare_outputs("nan", "unicorn", ref, {1, NAN, 3, 4}).ok);
    CHECK_THROWS_AS((void)compare_outputs("zero", "unicorn", {0, 0}, {0, 0}), simtune::Error);
}

TEST_CASE("every sampled schedule computes the operator, on all three ISAs") {
    const auto cache = fs::temp_directory_path() / fmt::format("tiny-compiler-test-{}", ::getpid());
    const auto host = simtune::host_x86_64();
    // Remainder tiles everywhere (13, 10, 9 are not multiples of the tiles 4 and 8).
    CHECK(check_schedules("gemm M=13 N=10 K=9", host, 16, 5, cache) == 16);
    CHECK(check_schedules("conv2d N=2 H=9 W=7 C=8 K=12 R=3 S=3 stride=2 pad=1 layout=nhwc", host, 10, 6, cache) == 10);
    CHECK(check_schedules("conv2d N=1 H=10 W=9 C=9 K=8 R=3 S=2 stride=1 pad=1 layout=nchw", host, 10, 7, cache) == 10);
    for (const auto& t : {simtune::cortex_a72(), simtune::sifive_u74()}) {
        CHECK(check_schedules("gemm M=13 N=10 K=9", t, 4, 8, cache) == 4);
        CHECK(check_schedules("conv2d N=1 H=9 W=9 C=8 K=12 R=3 S=3 stride=2 pad=1 layout=nchw", t, 4, 9, cache) == 4);
    }
    fs::remove_all(cache);
}
