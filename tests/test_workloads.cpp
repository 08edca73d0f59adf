// Specification of the workload spaces: hundreds of distinct schedules per built-in workload, at
// least 30 per corpus workload, a deterministic sample, the same result from every variant as from
// the naive reference schedule, and the original six generated exactly as before.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include <simtune/research.hpp>

using namespace simtune;
namespace fs = std::filesystem;

TEST_CASE("every built-in workload has hundreds of distinct, valid variants") {
    for (const auto& w : builtin_workloads()) {
        CAPTURE(w.name);
        const auto all = enumerate_variants(w);
        CHECK(all.size() >= 300);
        std::set<std::string> ids, sources;
        for (const auto& v : all) {
            ids.insert(v.id);
            sources.insert(v.source + fmt::format("{}", fmt::join(v.flags, " ")));
            CHECK(v.workload == w.name);
            CHECK(v.buffers == w.buffers());
        }
        CHECK(ids.size() == all.size());     // ids are unique
        CHECK(sources.size() == all.size()); // and so are the schedules behind them
        CHECK(w.macs() > 100'000);
        CHECK(workload_by_name(w.name).dims == w.dims);
    }
    CHECK_THROWS_AS(workload_by_name("gemm-3x3x3"), Error);
}

TEST_CASE("sampling is deterministic for a seed and differs between seeds") {
    const auto w = workload_by_name("conv2d-nhwc-16x16x32x32-3x3");
    const auto a = enumerate_variants(w, 50, 11), b = enumerate_variants(w, 50, 11), c = enumerate_variants(w, 50, 12);
    REQUIRE(a.size() == 50);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].id == b[i].id);
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i].id == c[i].id;
    CHECK(same < 10);
}

namespace {

/// Families whose schedules reorder a floating-point reduction (partial-sum accumulators in
/// reduce_inner, softmax and layernorm; online softmax, in softmax and flash_attention; one-pass
/// variance; a reciprocal instead of a division): their variants agree with the reference within
/// rounding. Every other family keeps
/// each output's operations in the reference's order, so its variants must be bit-identical.
const std::set<std::string> reordering_families{"reduce_inner",     "softmax",      "layernorm",      "conv_transpose",
                                                "triangular_solve", "dequant_gemv", "flash_attention"};
constexpr double reorder_tolerance = 1e-4;

/// The output buffer (the last one) of a kernel run natively with --dump (to a file of its own:
/// kernels run on two threads).
std::vector<std::byte> native_output(const Variant& v, const BuildOptions& opts, const fs::path& dir) {
    BuildOptions o = opts;
    o.flags = v.flags;
    const auto k = build_kernel(v.source, v.buffers, host_x86_64(), o);
    const auto dump = dir / (v.workload + ".bin");
    const auto r = run_process({k.path().string(), "--dump", dump.string()});
    if (!r.ok()) throw std::runtime_error(fmt::format("{} failed: {} {}", v.key(), r.describe(), r.err));
    std::ifstream in(dump, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    const auto out = v.buffers.back().bytes();
    if (bytes.size() < out) throw std::runtime_error(fmt::format("{}: short dump", v.key()));
    std::vector<std::byte> result(out);
    std::memcpy(result.data(), bytes.data() + bytes.size() - out, out);
    return result;
}

/// Compares `got` with the reference output: bit for bit, or (reordering families) each element
/// within reorder_tolerance relative to the larger of its own magnitude and the mean magnitude
/// (sums near zero carry the rounding error of their large terms). Returns what differs, or "".
std::string compare_output(const std::string& family, const std::vector<std::byte>& reference,
                           const std::vector<std::byte>& got) {
    if (got.size() != reference.size())
        return fmt::format("{} output bytes, the reference has {}", got.size(), reference.size());
    if (!reordering_families.contains(family))
        return std::memcmp(got.data(), reference.data(), got.size()) == 0 ? "" : "not bit-identical to the reference";
    std::vector<float> ref(reference.size() / sizeof(float)), out(ref.size());
    std::memcpy(ref.data(), reference.data(), reference.size());
    std::memcpy(out.data(), got.data(), got.size());
    double mean = 0;
    for (float x : ref) mean += std::abs(x) / static_cast<double>(ref.size());
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double allowed = reorder_tolerance * std::max<double>(std::abs(ref[i]), mean);
        if (!(std::abs(out[i] - ref[i]) <= allowed)) // NaN fails too
            return fmt::format("element {}: {} vs the reference's {} (allowed difference {})", i, out[i], ref[i],
                               allowed);
    }
    return "";
}

/// Runs one corpus workload's checks (the naive reference and 4 sampled variants natively, plus,
/// for a family with a tolerance, its most reordering schedule; one sampled variant under Unicorn,
/// which also bounds its simulation cost) and returns what failed. No doctest assertions: this
/// runs on a worker thread.
std::vector<std::string> check_workload(const Workload& w, const BuildOptions& opts, const fs::path& dir) {
    std::vector<std::string> failures;
    try {
        const auto reference = native_output(reference_variant(w), opts, dir);
        // The kernel really wrote its output: not all zero.
        if (std::ranges::none_of(reference, [](std::byte b) { return b != std::byte{0}; }))
            failures.push_back("the reference wrote only zeros");
        auto sample = enumerate_variants(w, 4, 3);
        const std::map<std::string, std::map<std::string, int>> most_reordering{
            {"reduce_inner", {{"acc", 8}}},
            {"softmax", {{"alg", 2}, {"recip", 1}}},
            {"layernorm", {{"onepass", 1}, {"recip", 1}, {"acc", 4}}}};
        if (const auto it = most_reordering.find(w.family); it != most_reordering.end()) {
            const auto all = enumerate_variants(w);
            const auto v = std::ranges::find_if(all, [&](const Variant& c) {
                return std::ranges::all_of(it->second,
                                           [&](const auto& knob) { return c.knobs.at(knob.first) == knob.second; });
            });
            if (v == all.end()) failures.push_back("no most-reordering schedule");
            else sample.push_back(*v);
        }
        for (const auto& v : sample)
            if (auto d = compare_output(w.family, reference, native_output(v, opts, dir)); !d.empty())
                failures.push_back(fmt::format("{} natively: {}", v.id, d));
        UnicornSimulator unicorn;
        for (const auto& v : enumerate_variants(w, 1, 5)) {
            BuildOptions o = opts;
            o.flags = v.flags;
            const auto k = build_kernel(v.source, v.buffers, host_x86_64(), o);
            CollectorSet none;
            const auto sim = unicorn.run(k, host_x86_64(), none);
            if (sim.buffers.size() != v.buffers.size())
                failures.push_back(fmt::format("{}: Unicorn read back no buffers", v.id));
            else if (auto d =
                         compare_output(w.family, reference,
                                        std::vector<std::byte>(sim.buffers.back().begin(), sim.buffers.back().end()));
                     !d.empty())
                failures.push_back(fmt::format("{} under Unicorn: {}", v.id, d));
            if (sim.stats.instructions >= 30'000'000)
                failures.push_back(
                    fmt::format("{}: {} instructions, over the 30 M budget", v.id, sim.stats.instructions));
        }
    } catch (const std::exception& e) {
        failures.push_back(e.what());
    }
    return failures;
}

} // namespace

TEST_CASE("every corpus workload: at least 30 distinct variants, a family, and a naive reference") {
    const auto corpus = corpus_workloads();
    const auto builtin = builtin_workloads();
    REQUIRE(corpus.size() > builtin.size());
    std::set<std::string> names, families;
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        const auto& w = corpus[i];
        CAPTURE(w.name);
        if (i < builtin.size()) CHECK(w.name == builtin[i].name); // the built-in six come first
        CHECK(names.insert(w.name).second);
        CHECK(!w.family.empty());
        families.insert(w.family);
        CHECK(workload_family(w.name) == w.family);
        CHECK(workload_by_name(w.name).dims == w.dims);
        CHECK(w.macs() > 100'000);
        const auto all = enumerate_variants(w);
        CHECK(all.size() >= 30);
        std::set<std::string> ids, sources;
        for (const auto& v : all) {
            ids.insert(v.id);
            sources.insert(v.source.substr(v.source.find('\n')) + fmt::format("{}", fmt::join(v.flags, " ")));
            CHECK(v.workload == w.name);
            CHECK(v.buffers == w.buffers());
        }
        CHECK(ids.size() == all.size());     // ids are unique
        CHECK(sources.size() == all.size()); // and so are the schedules behind them (id comment aside)
        const auto reference = reference_variant(w);
        CHECK(ids.contains(reference.id));
        CHECK(std::ranges::find(reference.flags, "-fno-tree-vectorize") != reference.flags.end());
        CHECK(reference.source.find("#pragma GCC unroll") == std::string::npos);
    }
    CHECK(families.size() >= 15);
    // The families leave-one-family-out evaluation groups by.
    CHECK(workload_family("gemm-128x128x128") == "gemm");
    CHECK(workload_family("gemm-64x256x128") == "gemm");
    CHECK(workload_family("conv2d-nchw-16x16x32x32-3x3") == "conv2d");
    CHECK(workload_family("conv2d-nhwc-16x16x32x32-3x3") == "conv2d");
    CHECK(workload_family("maxpool-nhwc-16x16x64-3x3s2") == workload_family("avgpool-nhwc-16x16x64-3x3s2"));
    CHECK(workload_family("my-own-kernel") == "my-own-kernel");
    // The gather's index buffer is i32, filled by the harness; the kernel maps any value in range.
    const auto gather = workload_by_name("gather-1024x128-from-4096").buffers();
    CHECK(gather[1].type == ElemType::i32);
    CHECK_THROWS_AS(workload_by_name("softmax-3x3"), Error);
}

TEST_CASE("the scatter-add, SYRK, Adam, bf16 GEMV and depth-to-space workloads") {
    // Edge endpoints are i32 inputs the kernel hashes into [0, N).
    const auto scatter = workload_by_name("scatter-add-16384x64-to-2048").buffers();
    CHECK(scatter[1].type == ElemType::i32);
    CHECK(scatter[2].type == ElemType::i32);
    // Adam's one output holds p', m' and v' back to back; sqrtf must be an instruction, not a call.
    const auto adam = workload_by_name("adam-262144");
    CHECK(adam.buffers().back().count == 3 * adam.buffers().front().count);
    for (const auto& v : enumerate_variants(adam)) {
        CAPTURE(v.id);
        CHECK(std::ranges::find(v.flags, "-fno-math-errno") != v.flags.end());
        CHECK((v.knobs.at("passes") > 1 || v.knobs.at("block") == adam.dim("N"))); // one pass: not blocked
    }
    // bf16 weights: 16-bit patterns, two bytes each.
    const auto bf16 = workload_by_name("bf16-gemv-1024x1024");
    CHECK(bf16.buffers().front().type == ElemType::i8);
    CHECK(bf16.buffers().front().count == 2u * 1024 * 1024);
    // The naive schedules: a dot product per row; SYRK's i-j-k in memory; output-major runs.
    CHECK(reference_variant(bf16).knobs.at("tm") == 1);
    CHECK(reference_variant(workload_by_name("syrk-256x64")).id == "o0-tj256-t0-a0-u1-v0");
    CHECK(reference_variant(workload_by_name("depth2space-nhwc-96x96x64-r2")).id == "o0-tw96-f0-u1-v0");
}

TEST_CASE("the LSTM cell, CSR SpMM, bilinear resize, segment sum, conv3d and complex GEMV workloads") {
    // Index-like inputs are i32 the kernels hash: CSR columns, and lengths per pair of rows or segments.
    const auto spmm = workload_by_name("spmm-csr-1024x4096-e16-n64");
    CHECK(spmm.buffers()[1].type == ElemType::i32);
    CHECK(spmm.buffers()[2].type == ElemType::i32);
    CHECK(spmm.buffers()[2].count == 512);
    const auto segments = workload_by_name("segment-sum-16384x64-to-1024");
    CHECK(segments.buffers()[1].type == ElemType::i32);
    CHECK(segments.buffers()[1].count == 512);
    // The LSTM's one output holds h and c; its exponential is C, not libm; one pass has no scratch.
    const auto lstm = workload_by_name("lstm-cell-64x512");
    CHECK(lstm.buffers().back().count == 2 * lstm.buffers()[1].count);
    for (const auto& v : enumerate_variants(lstm)) {
        CAPTURE(v.id);
        CHECK(v.source.find("expf") == std::string::npos);
        CHECK((v.knobs.at("passes") > 1 || (v.knobs.at("interleaved") == 0 && v.knobs.at("tj") == lstm.dim("H"))));
    }
    // The complex GEMV's column walk is never built at -O3 (GCC's code for it is 25 times longer).
    const auto cgemv = workload_by_name("complex-gemv-512x512");
    for (const auto& v : enumerate_variants(cgemv)) CHECK((v.knobs.at("tm") != 512 || v.knobs.at("vec") != 2));
    // The naive schedules: one pass per operation, row-by-row CSR, four taps per output computed
    // inline, segment by segment, a dot product per output and per complex row.
    CHECK(reference_variant(lstm).id == "p3-l0-tj512-u1-v0");
    CHECK(reference_variant(spmm).id == "o0-tn64-t0-a0-u1-v0");
    CHECK(reference_variant(workload_by_name("resize-bilinear-nhwc-48x48x32-to-80x80")).id == "t0-s0-c0-u1-v0");
    CHECK(reference_variant(segments).id == "m0-td64-a0-u1-v0");
    CHECK(reference_variant(workload_by_name("conv3d-ndhwc-9x9x9x16x16-3x3x3")).id == "tk16-i0-u1-v0");
    CHECK(reference_variant(cgemv).id == "tm1-l0-p0-u1-v0");
}

TEST_CASE("the selective scan, min-plus GEMM and ball query workloads") {
    // The scan's decay is C (exp_neg), not libm; its one output is y, T x D.
    const auto scan = workload_by_name("selective-scan-256x64x16");
    CHECK(scan.buffers().size() == 6);
    CHECK(scan.buffers().back().count == scan.buffers().front().count);
    for (const auto& v : enumerate_variants(scan)) {
        CAPTURE(v.id);
        CHECK(v.source.find("expf") == std::string::npos);
        CHECK(v.source.find("exp_neg(") != std::string::npos);
    }
    // Min-plus: a running minimum in a local never with the outer product; C is set to +infinity
    // first unless every minimum starts in a local over the whole k range.
    const auto minplus = workload_by_name("minplus-gemm-128x128x128");
    for (const auto& v : enumerate_variants(minplus)) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("order") != 2 || v.knobs.at("local") == 0));
        const bool owns = v.knobs.at("local") == 1 && v.knobs.at("tile") == minplus.dim("N");
        CHECK((v.source.find("C[q] = INF") == std::string::npos) == owns);
    }
    // Ball query: the indices are the i32 output, K per centre; the points and centres xyz floats.
    const auto ball = workload_by_name("ball-query-2048x256-k16");
    CHECK(ball.buffers().back().type == ElemType::i32);
    CHECK(ball.buffers().back().count == 256u * 16);
    CHECK(ball.buffers()[0].count == 3u * 2048);
    // The naive schedules: channel by channel with the decay inline and y fused; a minimum per
    // output in C; one query at a time with a branch per hit, scanning every point.
    CHECK(reference_variant(scan).id == "o0-e0-y0-u1-v0");
    CHECK(reference_variant(minplus).id == "o0-t128-l0-u1-v0");
    CHECK(reference_variant(ball).id == "m0-e0-s0-b1-v0");
}

TEST_CASE("the Cholesky, col2im and two-layer MLP workloads") {
    // Cholesky: one input the kernel symmetrises, L (N x N) last; sqrtf is an instruction, not a call.
    const auto chol = workload_by_name("cholesky-192");
    REQUIRE(chol.buffers().size() == 2);
    CHECK(chol.buffers().back().count == 192u * 192u);
    for (const auto& v : enumerate_variants(chol)) {
        CAPTURE(v.id);
        CHECK(std::ranges::find(v.flags, "-fno-math-errno") != v.flags.end());
        CHECK((v.knobs.at("form") == 2 || v.knobs.at("nb") == 1)); // panels: the right-looking form only
    }
    // col2im: the columns of every 3x3 patch of a 66x66 image in, the image out; a scatter's sums
    // are never local.
    const auto fold = workload_by_name("col2im-nhwc-64x64x32-3x3");
    CHECK(fold.buffers().front().count == 64u * 64u * 9u * 32u);
    CHECK(fold.buffers().back().count == 66u * 66u * 32u);
    for (const auto& v : enumerate_variants(fold)) CHECK((v.knobs.at("acc") == 0 || v.knobs.at("method") >= 2));
    // The MLP: X, W1, b1, W2 in, Y last; fused tiles keep only their own hidden rows.
    const auto mlp = workload_by_name("mlp2-32x128x256");
    REQUIRE(mlp.buffers().size() == 5);
    CHECK(mlp.buffers()[2].count == 256u);
    CHECK(mlp.buffers().back().count == 32u * 128u);
    for (const auto& v : enumerate_variants(mlp)) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("tm") == 32) == (v.source.find("float h[M * F];") != std::string::npos));
    }
    // The naive schedules: row-by-row dot products, patch-major scatter with channels innermost,
    // unfused dot-product GEMMs with a separate bias and ReLU pass.
    CHECK(reference_variant(chol).id == "f0-nb1-j1-p0-u1-v0");
    CHECK(reference_variant(fold).id == "m0-tc32-a0-v0");
    CHECK(reference_variant(mlp).id == "tm32-o0-e0-v0");
}

TEST_CASE("the XNOR-popcount GEMM and Sobel workloads") {
    // XNOR GEMM: A and B bit rows packed into i32 words, C the i32 output; the transposed copy of B
    // only with the word-outer order, the 16-bit table only where chosen, never the builtin.
    const auto xnor = workload_by_name("xnor-gemm-32x256x2048");
    REQUIRE(xnor.buffers().size() == 3);
    CHECK(xnor.buffers()[0].count == 32u * 2048u / 32u);
    CHECK(xnor.buffers()[1].count == 256u * 2048u / 32u);
    CHECK(xnor.buffers().back().type == ElemType::i32);
    CHECK(xnor.buffers().back().count == 32u * 256u);
    const auto xv = enumerate_variants(xnor);
    CHECK(xv.size() == 72);
    for (const auto& v : xv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("order") == 2) == (v.source.find("Bt[") != std::string::npos));
        CHECK((v.knobs.at("popcount") == 1) == (v.source.find("tab[65536]") != std::string::npos));
        CHECK(v.source.find("__builtin_popcount") == std::string::npos);
    }
    // Sobel: an 8-bit image in, the 8-bit (H-2) x (W-2) magnitudes out; branch-free variants have
    // no if.
    const auto sobel = workload_by_name("sobel-u8-642x642");
    CHECK(sobel.buffers().front().type == ElemType::i8);
    CHECK(sobel.buffers().back().type == ElemType::i8);
    CHECK(sobel.buffers().back().count == 640u * 640u);
    const auto sv = enumerate_variants(sobel);
    CHECK(sv.size() == 72);
    for (const auto& v : sv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("branchfree") == 1) == (v.source.find("if (") == std::string::npos));
    }
    // The naive schedules: a popcount sum per output by byte lookups; the direct 3x3 window in int
    // with branches, whole rows.
    CHECK(reference_variant(xnor).id == "o0-tj256-p0-v0");
    CHECK(reference_variant(sobel).id == "m0-s0-b0-tc640-v0");
}

TEST_CASE("the Viterbi decoding and k-means assignment workloads") {
    // Viterbi: emissions and transitions in, i32 backpointers and then the path (last) out; only
    // the s'-outer order relaxes rows of trans, only the transposed order has a scratch.
    const auto vit = workload_by_name("viterbi-256x64");
    REQUIRE(vit.buffers().size() == 4);
    CHECK(vit.buffers()[2].type == ElemType::i32);
    CHECK(vit.buffers().back().type == ElemType::i32);
    CHECK(vit.buffers().back().count == 256u);
    const auto vits = enumerate_variants(vit);
    CHECK(vits.size() == 72);
    for (const auto& v : vits) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("order") == 1) == (v.source.find("float tt[S * S];") != std::string::npos));
    }
    // k-means: points and centroids in, one i32 index per point last; a transposed scratch only for
    // the vector dimension innermost.
    const auto km = workload_by_name("kmeans-assign-2048x16-k64");
    REQUIRE(km.buffers().size() == 3);
    CHECK(km.buffers().back().type == ElemType::i32);
    CHECK(km.buffers().back().count == 2048u);
    for (const auto& v : enumerate_variants(km)) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("inner") == 1) == (v.source.find(" * K + k] = C[") != std::string::npos ||
                                             v.source.find("xt[d * TP + q] = X[") != std::string::npos));
    }
    // The naive schedules: a maximum per state down trans' column with a branch, the scores in a
    // T x S array; one point at a time, a scalar distance per centroid, a branch.
    CHECK(reference_variant(vit).id == "o0-b0-p0-u1-v0");
    CHECK(reference_variant(km).id == "tp1-i0-b0-u1-v0");
}

TEST_CASE("the median filter, LayerNorm backward and 3-D stencil workloads") {
    // Median filter: the image with its one-pixel border in, the interior's medians last; integer
    // keys only where the knob asks, the row scratches only for the column-sorted scratch method.
    const auto mf = workload_by_name("median-filter-3x3-256x256");
    REQUIRE(mf.buffers().size() == 2);
    CHECK(mf.buffers().front().count == 258u * 258u);
    CHECK(mf.buffers().back().count == 256u * 256u);
    const auto mfs = enumerate_variants(mf);
    CHECK(mfs.size() == 60);
    for (const auto& v : mfs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("keys") == 1) == (v.source.find("typedef int V;") != std::string::npos));
        CHECK((v.knobs.at("sel") == 3) == (v.source.find("V lw[TC + 2]") != std::string::npos));
    }
    // LayerNorm backward: x, dy and gamma in, dx then dgamma and dbeta last; the row scratches only
    // where stored, the lockstep rows unrolled.
    const auto lb = workload_by_name("layernorm-backward-512x768");
    REQUIRE(lb.buffers().size() == 4);
    CHECK(lb.buffers()[2].count == 768u);
    CHECK(lb.buffers().back().count == 512u * 768u + 2u * 768u);
    const auto lbs = enumerate_variants(lb);
    CHECK(lbs.size() == 72);
    for (const auto& v : lbs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("scratch") >= 1) == (v.source.find("float gs[RB * D];") != std::string::npos));
        CHECK((v.knobs.at("scratch") == 2) == (v.source.find("float xh[RB * D];") != std::string::npos));
        CHECK((v.knobs.at("rows") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
    }
    // 3-D stencil: the grid in, the other ping-pong grid, the last step's grid last; a plane
    // function only for the wavefront, tiles only for the unfused k, j, i sweep.
    const auto st = workload_by_name("stencil3d7-64x64x64-t3");
    REQUIRE(st.buffers().size() == 3);
    CHECK(st.buffers()[1].role == BufferRole::output);
    CHECK(st.buffers().back().count == 64u * 64u * 64u);
    const auto sts = enumerate_variants(st);
    CHECK(sts.size() == 54);
    for (const auto& v : sts) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("fuse") != 1) == (v.source.find("static inline void plane(") != std::string::npos));
        CHECK((v.knobs.at("tile") == 0 || (v.knobs.at("order") == 0 && v.knobs.at("fuse") == 1)));
    }
    // The naive schedules: an insertion sort of each window's floats along whole rows; every pass
    // of its own, nothing stored, a row at a time, the parameter gradients by a strided pass at the
    // end; one k, j, i sweep per step.
    CHECK(reference_variant(mf).id == "m0-k0-tc256-v0");
    CHECK(reference_variant(lb).id == "f0-s0-rb1-p0-v0");
    CHECK(reference_variant(st).id == "o0-t0-f1-u1-v0");
}

TEST_CASE("the demosaicing, CSR SpMV and grid-sampling workloads") {
    // Demosaicing: the mosaic with its one-pixel border in, the interior's interleaved RGB last; the
    // bit-mask selects only for the branch-free method, row strips only for the channel sweeps.
    const auto dm = workload_by_name("demosaic-bayer-rggb-384x384");
    REQUIRE(dm.buffers().size() == 2);
    CHECK(dm.buffers().front().count == 386u * 386u);
    CHECK(dm.buffers().back().count == 3u * 384u * 384u);
    const auto dms = enumerate_variants(dm);
    CHECK(dms.size() == 60);
    for (const auto& v : dms) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") == 1) == (v.source.find("static inline float SEL(") != std::string::npos));
        CHECK((v.knobs.at("tile") != 1 || v.knobs.at("planes") == 1));
    }
    // SpMV: values, raw columns and x in, y last, as many values and columns as the power-law rows
    // hold and the prefetch's padding; the length sort only for lockstep rows, the masked path only
    // for single rows, the prefetch only where asked.
    const auto sp = workload_by_name("spmv-csr-16384x524288-e12");
    REQUIRE(sp.buffers().size() == 4);
    CHECK(sp.buffers()[1].type == ElemType::i32);
    CHECK(sp.buffers()[0].count == sp.buffers()[1].count);
    CHECK(sp.buffers()[0].count == sp.macs() + 32u);
    CHECK(sp.macs() > 16384u * 11u);
    CHECK(sp.macs() < 16384u * 13u);
    CHECK(sp.buffers()[2].count == 524288u);
    CHECK(sp.buffers().back().count == 16384u);
    const auto sps = enumerate_variants(sp);
    CHECK(sps.size() == 72);
    for (const auto& v : sps) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("order") == 1) == (v.source.find("int perm[M]") != std::string::npos));
        CHECK((v.knobs.at("short") == 1) == (v.source.find("if (hi - lo <= 4)") != std::string::npos));
        CHECK((v.knobs.at("prefetch") == 1) == (v.source.find("__builtin_prefetch") != std::string::npos));
        CHECK((v.knobs.at("short") == 0 || v.knobs.at("lanes") == 1));
        CHECK((v.knobs.at("order") == 0 || v.knobs.at("lanes") == 4));
    }
    // Grid sampling: the image and the jitter grid in, the sampled image last; the validity masks
    // only in a branchy table, no unrolling where the channels are outermost.
    const auto gs = workload_by_name("grid-sample-nhwc-64x64x32");
    REQUIRE(gs.buffers().size() == 3);
    CHECK(gs.buffers()[1].count == 2u * 64u * 64u);
    CHECK(gs.buffers().back().count == 64u * 64u * 32u);
    const auto gss = enumerate_variants(gs);
    CHECK(gss.size() == 72);
    for (const auto& v : gss) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("coef") == 1 && v.knobs.at("bounds") == 0) ==
              (v.source.find("unsigned char tv[") != std::string::npos));
        CHECK((v.knobs.at("order") == 0 || v.knobs.at("unroll") == 1));
    }
    // The naive schedules: branches on each pixel's parity, all channels per pixel, the whole image;
    // a plain row loop over the rows in order, no prefetch; pixels outer, coefficients inline, a branch per
    // neighbour, untiled.
    CHECK(reference_variant(dm).id == "m0-p0-t0-v0");
    CHECK(reference_variant(sp).id == "u1-p0-s0-l1-o0-v0");
    CHECK(reference_variant(gs).id == "o0-k0-b0-t0-u1-v0");
}

TEST_CASE("the batched LU, bilateral filter and SAD block-matching workloads") {
    // Batched LU: the matrices in, the i32 pivots, the factors last; the permutation only for one
    // matrix at a time, the SoA scratch only in the packed batch form, the mask only in the
    // branch-free pivot search.
    const auto lu = workload_by_name("lu-batched-512x16");
    REQUIRE(lu.buffers().size() == 3);
    CHECK(lu.buffers()[1].type == ElemType::i32);
    CHECK(lu.buffers()[1].count == 512u * 16u);
    CHECK(lu.buffers().back().count == 512u * 16u * 16u);
    const auto lus = enumerate_variants(lu);
    CHECK(lus.size() == 72);
    for (const auto& v : lus) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("swap") == 1) == (v.source.find("int pm[N];") != std::string::npos));
        CHECK((v.knobs.at("batch") == 2) == (v.source.find("float S[N * N * TB];") != std::string::npos));
        CHECK((v.knobs.at("pivot") == 1) == (v.source.find("const int c = -(int)(v > ") != std::string::npos));
        CHECK((v.knobs.at("swap") == 0 || v.knobs.at("batch") == 0));
    }
    // Bilateral filter: the image in, the filtered image last; the weight table only for lookups,
    // the padded copy only for its border form, the row scratches only with the taps outer.
    const auto bf = workload_by_name("bilateral-filter-5x5-160x160");
    REQUIRE(bf.buffers().size() == 2);
    CHECK(bf.buffers().back().count == 160u * 160u);
    const auto bfs = enumerate_variants(bf);
    CHECK(bfs.size() == 72);
    for (const auto& v : bfs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("range") == 1) == (v.source.find("float WR[256];") != std::string::npos));
        CHECK((v.knobs.at("border") == 2) == (v.source.find("float Pd[PH * PW];") != std::string::npos));
        CHECK((v.knobs.at("order") == 1) == (v.source.find("float num[W], den[W];") != std::string::npos));
    }
    // Block matching: the 8-bit noise in, three i32 per 8 x 8 block last; early termination and the
    // predictor only with the displacements outer, the predictor only with early termination.
    const auto sm = workload_by_name("sad-block-match-8x8-r4-128x128");
    REQUIRE(sm.buffers().size() == 2);
    CHECK(sm.buffers().front().type == ElemType::i8);
    CHECK(sm.buffers().back().type == ElemType::i32);
    CHECK(sm.buffers().back().count == 3u * 16u * 16u);
    const auto sms = enumerate_variants(sm);
    CHECK(sms.size() == 72);
    for (const auto& v : sms) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("early") == 1) == (v.source.find("if (s > bs) break;") != std::string::npos));
        CHECK((v.knobs.at("start") == 1) ==
              (v.source.find("if (dy == py && dx == px) continue;") != std::string::npos));
        CHECK((v.knobs.at("absdiff") == 2) == (v.source.find("unsigned char adt[511];") != std::string::npos));
        CHECK((v.knobs.at("order") == 0 || v.knobs.at("early") == 0));
        CHECK((v.knobs.at("start") == 0 || v.knobs.at("early") == 1));
    }
    // The naive schedules: one matrix at a time, right-looking in i-j order, whole rows exchanged,
    // a branchy pivot search; pixels outer, the range weight computed, the window in loops, every
    // tap clamped; a full search, displacements outer, in raster order, a branchy abs, int sums.
    CHECK(reference_variant(lu).id == "f0-b0-s0-p0-v0");
    CHECK(reference_variant(bf).id == "r0-o0-w0-b0-v0");
    CHECK(reference_variant(sm).id == "o0-e0-s0-a0-w32-v0");
}

TEST_CASE("the hash join probe, batched Householder QR and LBP histogram workloads") {
    // Hash join: the i32 build and probe inputs, the table scratch T, the matched rows last; the
    // mixing hash only at two slots per row, vectorisation only with the pipelined blocks, the
    // empty-slot key only in the bucketized tables, the descending build only in the chained one.
    const auto hj = workload_by_name("hash-join-probe-65536x65536");
    REQUIRE(hj.buffers().size() == 4);
    CHECK(hj.buffers()[0].type == ElemType::i32);
    CHECK(hj.buffers()[2].count == 8u * 65536u);
    CHECK(hj.buffers().back().type == ElemType::i32);
    CHECK(hj.buffers().back().count == 65536u);
    const auto hjs = enumerate_variants(hj);
    CHECK(hjs.size() == 72);
    for (const auto& v : hjs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("hash") == 0 || v.knobs.at("load") == 2));
        CHECK((v.knobs.at("vec") == 0 || v.knobs.at("pipe") == 1));
        CHECK((v.knobs.at("pipe") == 1) == (v.source.find("__builtin_prefetch") != std::string::npos));
        const int m = v.knobs.at("method");
        CHECK((m == 1 || m == 2) == (v.source.find("#define EMPTY ") != std::string::npos));
        CHECK((m == 3) == (v.source.find("for (int i = NB - 1; i >= 0; --i)") != std::string::npos));
    }
    // Householder QR: the matrices in, R last (N x N each); the SoA scratch only when batched,
    // w = v^T A only in its form, sqrtf as an instruction everywhere.
    const auto qr = workload_by_name("qr-householder-batched-768x32x8");
    REQUIRE(qr.buffers().size() == 2);
    CHECK(qr.buffers().front().count == 768u * 32u * 8u);
    CHECK(qr.buffers().back().count == 768u * 8u * 8u);
    const auto qrs = enumerate_variants(qr);
    CHECK(qrs.size() == 72);
    for (const auto& v : qrs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("batch") > 1) == (v.source.find("float S[M * N * TB];") != std::string::npos));
        CHECK((v.knobs.at("form") == 1) == (v.source.find("float wv[N") != std::string::npos));
        CHECK(std::ranges::find(v.flags, "-fno-math-errno") != v.flags.end());
    }
    // LBP: the 8-bit image in, 256 i32 bins per 16 x 16 cell last; the code scratch only in the
    // two-pass form, which alone varies vectorisation; the sub-histograms only with hist 4.
    const auto lb = workload_by_name("lbp-histogram-u8-384x384-c16");
    REQUIRE(lb.buffers().size() == 2);
    CHECK(lb.buffers().front().type == ElemType::i8);
    CHECK(lb.buffers().back().type == ElemType::i32);
    CHECK(lb.buffers().back().count == 24u * 24u * 256u);
    const auto lbs = enumerate_variants(lb);
    CHECK(lbs.size() == 64);
    for (const auto& v : lbs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("pass") == 1) == (v.source.find("unsigned char cd[H * W];") != std::string::npos));
        CHECK((v.knobs.at("vec") == 0 || v.knobs.at("pass") == 1));
        CHECK((v.knobs.at("hist") == 4) == (v.source.find("int hs[4]") != std::string::npos));
        CHECK((v.knobs.at("nbr") == 1) == (v.source.find("static const int OFF[8]") != std::string::npos));
    }
    // The naive schedules: linear probing at two slots per row, the multiplicative hash, separate
    // arrays, one key at a time; a row-major copy, column by column, one matrix at a time; branches,
    // three row pointers, fused, one histogram per cell, row-major.
    CHECK(reference_variant(hj).id == "m0-l2-h0-i0-p0-v0");
    CHECK(reference_variant(qr).id == "l0-f0-b1-u1-v0");
    CHECK(reference_variant(lb).id == "c0-n0-p0-h1-o0-v0");
}

TEST_CASE("the softmax cross-entropy backward, packed symmetric GEMV and alpha blending workloads") {
    // Softmax cross-entropy backward: the logits and an i32 label input per row in, dz last; the
    // vectorisable exp only in its form, the scatter of the one-hot only in its form, the scratch
    // arrays of maxima only in the row tiles, the separate sum loop only with its own exp pass.
    const auto sx = workload_by_name("softmax-xent-backward-256x1000");
    REQUIRE(sx.buffers().size() == 3);
    CHECK(sx.buffers()[1].type == ElemType::i32);
    CHECK(sx.buffers()[1].count == 256u);
    CHECK(sx.buffers().back().type == ElemType::f32);
    CHECK(sx.buffers().back().count == 256u * 1000u);
    const auto sxs = enumerate_variants(sx);
    CHECK(sxs.size() == 72);
    for (const auto& v : sxs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("exp") == 1) == (v.source.find("static inline float exp_neg") != std::string::npos));
        CHECK((v.knobs.at("onehot") == 1) == (v.source.find("] -= 1.0f;") != std::string::npos));
        CHECK((v.knobs.at("rows") == 4) == (v.source.find("float m[RT], s[RT];") != std::string::npos));
        CHECK((v.knobs.at("keep") == 2) ==
              (v.source.find("s += d[j];") != std::string::npos || v.source.find("s[t] += d[") != std::string::npos));
    }
    // Packed symmetric GEMV: the packed lower triangle (N (N + 1) / 2 floats) and x in, y last; the
    // table of row starts only in the dot form, the dense scratch only in the unpacking form.
    const auto ps = workload_by_name("packed-symv-1152");
    REQUIRE(ps.buffers().size() == 3);
    CHECK(ps.buffers().front().count == 1152u * 1153u / 2u);
    CHECK(ps.buffers().back().count == 1152u);
    const auto pss = enumerate_variants(ps);
    CHECK(pss.size() == 60);
    for (const auto& v : pss) {
        CAPTURE(v.id);
        const int f = v.knobs.at("form");
        CHECK((v.knobs.at("index") == 0 || f == 0));
        CHECK((v.knobs.at("index") == 1) == (v.source.find("int rs[N];") != std::string::npos));
        CHECK((f == 3) == (v.source.find("float row[N];") != std::string::npos ||
                           v.source.find("float P[N * RB];") != std::string::npos));
        CHECK((f == 1 || f == 2) == (v.source.find("y[j] += a[j] * x") != std::string::npos));
    }
    // Alpha blending: the RGBA8 foreground and background in, the blend last (bytes); the table only
    // in its arithmetic, the words only in the SWAR forms, the branches' fast path never at vec 1.
    const auto ab = workload_by_name("alpha-blend-rgba-u8-640x480");
    REQUIRE(ab.buffers().size() == 3);
    CHECK(ab.buffers().front().type == ElemType::i8);
    CHECK(ab.buffers().back().type == ElemType::i8);
    CHECK(ab.buffers().back().count == 4u * 640u * 480u);
    const auto abs_ = enumerate_variants(ab);
    CHECK(abs_.size() == 50);
    for (const auto& v : abs_) {
        CAPTURE(v.id);
        const int a = v.knobs.at("arith");
        CHECK((a == 2) == (v.source.find("unsigned char q[255 * 255 + 1];") != std::string::npos));
        CHECK((a >= 3) == (v.source.find("__builtin_memcpy(&fp, F + 4 * p, 4);") != std::string::npos));
        CHECK((v.knobs.at("fast") == 1) == (v.source.find("if (a == 0)") != std::string::npos));
        CHECK((v.knobs.at("fast") == 0 || v.knobs.at("vec") != 1));
    }
    // The naive schedules: the corpus's exp, recomputed, the one-hot fused, one row at a time; dot
    // products row by row, computed row starts; a division per channel, branch-free.
    CHECK(reference_variant(sx).id == "e0-k0-h0-r1-v0");
    CHECK(reference_variant(ps).id == "f0-b1-i0-u1-v0");
    CHECK(reference_variant(ab).id == "a0-f0-u1-v0");
}

TEST_CASE("the mel filterbank, bilinear upsample backward and Hough line workloads") {
    // Mel filterbank: re and im in, F x M energies last; the dense matrices only for the dense
    // forms, the inline power and weights only for the sparse and scatter forms, never blocked power
    // recomputed; the same edge table in every variant.
    const auto mf = workload_by_name("mel-filterbank-112x257-m80");
    REQUIRE(mf.buffers().size() == 3);
    CHECK(mf.buffers()[0].count == 112u * 257u);
    CHECK(mf.buffers()[1].type == ElemType::f32);
    CHECK(mf.buffers().back().type == ElemType::f32);
    CHECK(mf.buffers().back().count == 112u * 80u);
    const auto mfs = enumerate_variants(mf);
    CHECK(mfs.size() == 78);
    const auto edges = mfs.front().source.substr(mfs.front().source.find("static const int E[M + 2]"));
    for (const auto& v : mfs) {
        CAPTURE(v.id);
        const int form = v.knobs.at("form");
        CHECK(v.source.find(edges.substr(0, edges.find('\n'))) != std::string::npos);
        CHECK((form == 0) == (v.source.find("float Wm[M * NB];") != std::string::npos));
        CHECK((form == 1) == (v.source.find("float Wt[NB * M];") != std::string::npos));
        CHECK((form == 2 && v.knobs.at("wts") == 0) == (v.source.find("float SW[2 * NB];") != std::string::npos));
        CHECK((form == 3 && v.knobs.at("wts") == 0) == (v.source.find("float WR[NB], WF[NB];") != std::string::npos));
        CHECK((v.knobs.at("power") == 1) == (v.source.find("#define PV(f, k) PW(f, k)") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("f0 += FB") != std::string::npos));
        CHECK((form >= 2 || (v.knobs.at("power") == 0 && v.knobs.at("wts") == 0)));
    }
    // Bilinear upsample backward: dY (2H x 2W x C) in, dX last; the gather's tap tables only for
    // the gather, the constant interior weights only for split borders.
    const auto ub = workload_by_name("upsample-bilinear2x-backward-nhwc-48x48x32");
    REQUIRE(ub.buffers().size() == 2);
    CHECK(ub.buffers()[0].count == 96u * 96u * 32u);
    CHECK(ub.buffers().back().count == 48u * 48u * 32u);
    const auto ubs = enumerate_variants(ub);
    CHECK(ubs.size() == 48);
    for (const auto& v : ubs) {
        CAPTURE(v.id);
        const bool gather = v.knobs.at("form") == 1, split = v.knobs.at("border") == 1;
        CHECK(gather == (v.source.find("int gyo[H][4], gxo[W][4];") != std::string::npos));
        CHECK(!gather == (v.source.find("DX(y0, x0, c) += a00 * g;") != std::string::npos));
        CHECK((split && gather) == (v.source.find("s += 0.25f * 0.25f * DY(") != std::string::npos));
        CHECK((split && !gather) == (v.source.find("+= v0 * 0.75f * g;") != std::string::npos));
        CHECK((v.knobs.at("chan") == 1) == (v.source.find("\n    for (int c = 0; c < C; ++c)\n") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
    }
    // Hough lines: the image in, the i32 accumulator last (180 x (2 * 272 + 1)); the edge list only
    // for its knob, angles outer only over the list and untiled, the rho-major scratch only for its
    // layout, float bins only for their knob.
    const auto hl = workload_by_name("hough-lines-192x192-t180");
    REQUIRE(hl.buffers().size() == 2);
    CHECK(hl.buffers()[0].type == ElemType::f32);
    CHECK(hl.buffers().back().type == ElemType::i32);
    CHECK(hl.buffers().back().count == 180u * (2u * 272u + 1u));
    const auto hls = enumerate_variants(hl);
    CHECK(hls.size() == 60);
    for (const auto& v : hls) {
        CAPTURE(v.id);
        CHECK(v.source.find("Ci[t] = (int)(-s * 4096.0 + 8192.5) - 8192;") != std::string::npos);
        CHECK((v.knobs.at("edges") == 1) ==
              (v.source.find("unsigned short xs[H * W], ys[H * W];") != std::string::npos));
        CHECK((v.knobs.at("order") == 0 || (v.knobs.at("edges") == 1 && v.knobs.at("ttile") == 180)));
        CHECK((v.knobs.at("layout") == 1) == (v.source.find("int A[NR * T];") != std::string::npos));
        CHECK((v.knobs.at("rho") == 1) == (v.source.find("float CF[T], SF[T];") != std::string::npos));
        CHECK((v.knobs.at("ttile") == 20) == (v.source.find("t0 += TT") != std::string::npos));
    }
    // The naive schedules: the dense matrix's dot products frames outer, the power and the weights
    // into scratches; the clamped scatter channels innermost; every pixel tested, pixels outer,
    // fixed-point bins straight into the output.
    CHECK(reference_variant(mf).id == "f0-o0-p0-w0-v0");
    CHECK(reference_variant(ub).id == "f0-c0-b0-u1-v0");
    CHECK(reference_variant(hl).id == "o0-e0-tt180-r0-l0-v0");
}

TEST_CASE("the merge sort, LPC autocorrelation and deformable convolution workloads") {
    // Merge sort: the keys in, the i32 stable permutation last; the recursion only top-down, the
    // insertion sort only with runs, the mask select only in the branch-free merge, unrolled only
    // there, the ping-pong schedules never vectorised.
    const auto ms = workload_by_name("merge-sort-rows-16x1024");
    REQUIRE(ms.buffers().size() == 2);
    CHECK(ms.buffers()[0].type == ElemType::f32);
    CHECK(ms.buffers().back().type == ElemType::i32);
    CHECK(ms.buffers().back().count == 16u * 1024u);
    const auto mss = enumerate_variants(ms);
    CHECK(mss.size() == 72);
    for (const auto& v : mss) {
        CAPTURE(v.id);
        const bool bottom_up = v.knobs.at("algo") == 1, pingpong = v.knobs.at("buf") == 1;
        const bool branchfree = v.knobs.at("merge") == 1;
        CHECK(v.source.find("#define KEY(v) ((float)(int)((v) * 64.0f))") != std::string::npos);
        CHECK(!bottom_up == (v.source.find("static void sort_td(") != std::string::npos));
        CHECK((v.knobs.at("run") != 0) == (v.source.find("static void insertion(") != std::string::npos));
        CHECK(branchfree == (v.source.find("dp[o] = pa ^ ((pa ^ pb) & -t);") != std::string::npos));
        CHECK(!branchfree == (v.source.find("if (sk[j] < sk[i]) {") != std::string::npos));
        CHECK((pingpong && bottom_up) == (v.source.find("float *sk = ka, *dk = kb;") != std::string::npos));
        CHECK((pingpong && !bottom_up) == (v.source.find("sort_td(kb, pb, ka, pa, 0, N);") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 1 || branchfree));
        CHECK((!pingpong || v.knobs.at("vec") == 0));
    }
    // LPC analysis: the frames in, 16 coefficients per frame last; the same window table and
    // Levinson recursion in every variant, the windowed scratch only when stored, the lag arrays
    // zeroed only sample-outer, the register accumulators only in lag blocks.
    const auto lp = workload_by_name("lpc-autocorr-128x512-p16");
    REQUIRE(lp.buffers().size() == 2);
    CHECK(lp.buffers()[0].count == 128u * 512u);
    CHECK(lp.buffers().back().type == ElemType::f32);
    CHECK(lp.buffers().back().count == 128u * 16u);
    const auto lps = enumerate_variants(lp);
    CHECK(lps.size() == 72);
    for (const auto& v : lps) {
        CAPTURE(v.id);
        const int order = v.knobs.at("order");
        CHECK(v.source.find("        W[n] = u * u;\n") != std::string::npos);
        CHECK(v.source.find("const float kc = -acc / err;") != std::string::npos);
        CHECK(v.source.find("rq[0] *= 1.0001f;") != std::string::npos);
        CHECK((v.knobs.at("window") == 0) == (v.source.find("float xw[N * FB];") != std::string::npos));
        CHECK((v.knobs.at("window") == 1) ==
              (v.source.find("#define XW(q, n) (xf[(q) * N + (n)] * W[n])") != std::string::npos));
        CHECK((order == 1) == (v.source.find("r[i] = 0.0f;") != std::string::npos));
        CHECK((order == 2) == (v.source.find("float s0_0 = 0.0f;") != std::string::npos));
        CHECK((v.knobs.at("frames") == 4) == (v.source.find("#define FB 4") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
    }
    // Deformable convolution: the input, the offsets (18 per pixel) and F in, the output last; the
    // column scratch only in its form, the taps-outer sampling only there and with per-tap
    // coefficients, the GEMM orders only over columns.
    const auto dc = workload_by_name("deform-conv2d-nhwc-20x20x16-to-16");
    REQUIRE(dc.buffers().size() == 4);
    CHECK(dc.buffers()[1].count == 20u * 20u * 18u);
    CHECK(dc.buffers()[2].count == 9u * 16u * 16u);
    CHECK(dc.buffers().back().count == 20u * 20u * 16u);
    const auto dcs = enumerate_variants(dc);
    CHECK(dcs.size() == 66);
    for (const auto& v : dcs) {
        CAPTURE(v.id);
        const bool columns = v.knobs.at("form") == 1, taps_outer = v.knobs.at("order") == 1;
        const int gemm = v.knobs.at("gemm");
        CHECK(v.source.find("#define COEF(py, px, t, o0, o1, o2, o3, w0, w1, w2, w3)") != std::string::npos);
        CHECK(columns == (v.source.find("float col[W * CK];") != std::string::npos));
        CHECK((columns || (!taps_outer && gemm == 0)));
        CHECK((!taps_outer || v.knobs.at("coef") == 1));
        CHECK((v.knobs.at("coef") == 1 && !taps_outer) == (v.source.find("int to[KK][4];") != std::string::npos));
        CHECK((gemm == 1) == (v.source.find("s += col[px * CK + j] * F[j * K + kk];") != std::string::npos));
        CHECK((gemm == 2) == (v.source.find("orow[px * K + kk] += v * f[kk];") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
    }
    // The naive schedules: top-down from single elements, a branchy merge copied back; lag by lag,
    // one frame at a time from a windowed scratch; direct accumulation, coefficients per channel.
    CHECK(reference_variant(ms).id == "a0-i0-m0-b0-u1-v0");
    CHECK(reference_variant(lp).id == "o0-fb1-w0-u1-v0");
    CHECK(reference_variant(dc).id == "f0-o0-k0-g0-u1-v0");
}

TEST_CASE("the edge softmax, Lucas-Kanade and RLE workloads") {
    // Edge softmax: the i32 degree seeds (one per pair of nodes), the scores, the alphas last, both
    // edge-major (N E edges x H heads); every variant the same exponential; the destination array
    // only edge-parallel, the per-node stack scratch only segment-wise, the exponential recomputed
    // by the normalising pass only for its knob value.
    const auto es = workload_by_name("edge-softmax-csr-512-e32-h4");
    REQUIRE(es.buffers().size() == 3);
    CHECK(es.buffers()[0].type == ElemType::i32);
    CHECK(es.buffers()[0].count == 256u);
    CHECK(es.buffers()[1].count == 512u * 32u * 4u);
    CHECK(es.buffers().back().type == ElemType::f32);
    CHECK(es.buffers().back().count == 512u * 32u * 4u);
    const auto ess = enumerate_variants(es);
    CHECK(ess.size() == 60);
    for (const auto& v : ess) {
        CAPTURE(v.id);
        CHECK(v.source.find("static inline float exp_neg(float a)") != std::string::npos);
        CHECK((v.knobs.at("trav") == 0 || v.knobs.at("exps") != 2));
        CHECK((v.knobs.at("trav") == 1) == (v.source.find("int dst[NE];") != std::string::npos));
        CHECK((v.knobs.at("exps") == 2) == (v.source.find("float ex[MAXD * H];") != std::string::npos));
        CHECK((v.knobs.at("exps") == 0) == (v.source.find("out[p * H + h] = exp_neg(") != std::string::npos));
        CHECK((v.knobs.at("heads") == 1) == (v.source.find("#define M(v, h) m\n") != std::string::npos ||
                                             v.source.find("#define M(v, h) m[(h) * N + (v)]") != std::string::npos));
        CHECK((v.knobs.at("unroll") == 4) == (v.source.find("#pragma GCC unroll 4") != std::string::npos));
    }
    // Lucas-Kanade: the two bordered frames in, (u, v) interleaved last; every variant the same
    // solve; each plane and column-sum scratch only for its knob value; bands only where something
    // is held per band.
    const auto lk = workload_by_name("lucas-kanade-flow-5x5-64x80");
    REQUIRE(lk.buffers().size() == 3);
    CHECK(lk.buffers()[0].count == 70u * 86u);
    CHECK(lk.buffers()[1].count == 70u * 86u);
    CHECK(lk.buffers().back().type == ElemType::f32);
    CHECK(lk.buffers().back().count == 2u * 64u * 80u);
    const auto lks = enumerate_variants(lk);
    CHECK(lks.size() == 48);
    for (const auto& v : lks) {
        CAPTURE(v.id);
        const int grad = v.knobs.at("grad"), win = v.knobs.at("win");
        CHECK(v.source.find("#define SOLVE(S, o)") != std::string::npos);
        CHECK((grad == 1) == (v.source.find("float GX[BR * GW]") != std::string::npos));
        CHECK((grad == 2) == (v.source.find("float PP[5 * BR * GW];") != std::string::npos));
        CHECK((win == 1) == (v.source.find("float CR[5 * GW];") != std::string::npos));
        CHECK((win == 2) == (v.source.find("float CB[5 * TR * GW];") != std::string::npos));
        CHECK((v.knobs.at("trows") == 64 || grad != 0 || win == 2));
        CHECK(v.source.find(fmt::format("#define TR {}\n", v.knobs.at("trows"))) != std::string::npos);
    }
    // RLE: the coarse grids in, per mask the count and 160 (160 / 16 + 2) + 2 run slots last; every
    // variant makes the masks alike; the column-major copy only for the transposing scans, the word
    // scan only on it.
    const auto rl = workload_by_name("rle-encode-mask-8x160x160");
    REQUIRE(rl.buffers().size() == 2);
    CHECK(rl.buffers()[0].count == 8u * 11u * 11u);
    CHECK(rl.buffers().back().type == ElemType::i32);
    CHECK(rl.buffers().back().count == 8u * (160u * 12u + 2u + 1u));
    const auto rls = enumerate_variants(rl);
    CHECK(rls.size() == 48);
    for (const auto& v : rls) {
        CAPTURE(v.id);
        const int scan = v.knobs.at("scan"), method = v.knobs.at("method");
        CHECK(v.source.find("(unsigned char)(a + dl * fx > 0)") != std::string::npos);
        CHECK((scan != 0 || method != 2));
        CHECK((scan != 0) == (v.source.find("unsigned char T[H * W + 8];") != std::string::npos));
        CHECK((scan == 2) == (v.source.find("y0 += 16") != std::string::npos));
        CHECK((method == 1) == (v.source.find("m += c;") != std::string::npos));
        CHECK((method == 2) == (v.source.find("__builtin_ctzll(df)") != std::string::npos));
        CHECK(v.source.find("popcount") == std::string::npos);
    }
    // The naive schedules: node by node, exponentials recomputed, heads inner; gradients recomputed
    // at every tap of the direct window; a branch per byte straight down the row-major mask's columns.
    CHECK(reference_variant(es).id == "t0-x0-h0-u1-v0");
    CHECK(reference_variant(lk).id == "g0-w0-tr64-v0");
    CHECK(reference_variant(rl).id == "s0-m0-u1-v0");
}

TEST_CASE("the integral image, dilation and searchsorted workloads") {
    // Integral image: 8-bit pixels in, the row-sum scratch T, the i32 table last; the whole scratch
    // only for the rows-first method's unblocked scratch, the one-pass method never blocked.
    const auto ii = workload_by_name("integral-image-u8-800x1200");
    REQUIRE(ii.buffers().size() == 3);
    CHECK(ii.buffers().front().type == ElemType::i8);
    CHECK(ii.buffers()[1].type == ElemType::i32);
    CHECK(ii.buffers().back().type == ElemType::i32);
    CHECK(ii.buffers().back().count == 800u * 1200u);
    const auto iv = enumerate_variants(ii);
    CHECK(iv.size() == 60);
    for (const auto& v : iv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("scratch") == 1 && v.knobs.at("trows") == 800) ==
              (v.source.find("#define RS(i) (T + (i) * W)") != std::string::npos));
        CHECK((v.knobs.at("method") != 2 || v.knobs.at("trows") == 800));
    }
    // Dilation: the image in, the valid (H-K+1) x (W-K+1) maxima last; the separable passes'
    // scratch only for them, the deque only down columns.
    const auto dl = workload_by_name("dilate-max2d-216x216-k9");
    REQUIRE(dl.buffers().size() == 2);
    CHECK(dl.buffers().back().count == 208u * 208u);
    const auto dv = enumerate_variants(dl);
    CHECK(dv.size() == 51);
    for (const auto& v : dv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") == 1) == (v.source.find("float T[H * OW];") != std::string::npos));
        CHECK((v.knobs.at("colalg") != 2 || v.knobs.at("order") == 1));
    }
    // searchsorted: the boundaries' steps and the queries in, one i32 index per query last; the
    // Eytzinger ranks only for that layout, the radix sort only for sorted queries.
    const auto ss = workload_by_name("searchsorted-49152-m16384");
    REQUIRE(ss.buffers().size() == 3);
    CHECK(ss.buffers().front().count == 16384u);
    CHECK(ss.buffers().back().type == ElemType::i32);
    CHECK(ss.buffers().back().count == 49152u);
    const auto sv = enumerate_variants(ss);
    CHECK(sv.size() == 69);
    for (const auto& v : sv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") == 2) == (v.source.find("int rank[M + 1];") != std::string::npos));
        CHECK((v.knobs.at("sorted") == 1) == (v.source.find("unsigned ka[SB]") != std::string::npos));
        CHECK((v.knobs.at("prefetch") == 0 || v.knobs.at("method") == 2));
    }
    // The naive schedules: a row pass then a row-major column pass in place, unblocked; the 2-D
    // window per output; a branchy binary search per query as given.
    CHECK(reference_variant(ii).id == "m0-c0-tr800-s0-v0");
    CHECK(reference_variant(dl).id == "m0-r0-c0-o0-v0");
    CHECK(reference_variant(ss).id == "m0-g1-p0-c16-f0-s0-v0");
}

TEST_CASE("the Winograd convolution, group norm and NMS workloads") {
    // Winograd F(2x2, 3x3): the NHWC image and the [r][s][c][k] filter in, the valid output last;
    // scratch V and M only for batches of tiles, channel blocks only there.
    const auto wino = workload_by_name("winograd-f2x3-nhwc-26x26x32x32");
    REQUIRE(wino.buffers().size() == 3);
    CHECK(wino.buffers()[1].count == 9u * 32u * 32u);
    CHECK(wino.buffers().back().count == 24u * 24u * 32u);
    const auto wv = enumerate_variants(wino);
    CHECK(wv.size() == 60);
    for (const auto& v : wv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("tb") > 1) == (v.source.find("float V[TB * 16 * C]") != std::string::npos));
        CHECK((v.knobs.at("cb") == 32 || v.knobs.at("tb") > 1));
    }
    // GroupNorm: x, gamma, beta in, y last; sqrtf an instruction; the per-group rstd table read
    // only where chosen.
    const auto gn = workload_by_name("groupnorm-nhwc-64x64x128-g32");
    REQUIRE(gn.buffers().size() == 4);
    CHECK(gn.buffers()[1].count == 128u);
    CHECK(gn.buffers().back().count == 64u * 64u * 128u);
    const auto gv = enumerate_variants(gn);
    CHECK(gv.size() == 54);
    for (const auto& v : gv) {
        CAPTURE(v.id);
        CHECK(std::ranges::find(v.flags, "-fno-math-errno") != v.flags.end());
        CHECK((v.knobs.at("rstd") == 1) == (v.source.find("* rs[g]") != std::string::npos));
    }
    // NMS: raw boxes and scores in, the i32 keep mask last; the bit matrix only for its algorithm,
    // SoA arrays only for that layout.
    const auto nms = workload_by_name("nms-1024");
    REQUIRE(nms.buffers().size() == 3);
    CHECK(nms.buffers()[0].count == 4u * 1024u);
    CHECK(nms.buffers().back().type == ElemType::i32);
    CHECK(nms.buffers().back().count == 1024u);
    const auto nv = enumerate_variants(nms);
    CHECK(nv.size() == 72);
    for (const auto& v : nv) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("alg") == 1) == (v.source.find("unsigned mask[N * NW];") != std::string::npos));
        CHECK((v.knobs.at("layout") == 1) == (v.source.find("float bx1[N]") != std::string::npos));
    }
    // The naive schedules: fused per tile with dot products; group-outer statistics, a pixel-outer
    // apply with rstd per element; the greedy scan over AoS boxes with branches, unblocked.
    CHECK(reference_variant(wino).id == "tb1-l0-g0-cb32-v0");
    CHECK(reference_variant(gn).id == "s0-a0-r0-v0");
    CHECK(reference_variant(nms).id == "a0-l0-b0-tb1-v0");
}

TEST_CASE("the batched tridiagonal, edit distance and radix sort workloads") {
    // Tridiagonal: four coefficient arrays in, the solution last; only the interleaved layout has
    // transposed scratch, and it never runs a block of one system.
    const auto tri = workload_by_name("tridiag-batched-1024x256");
    REQUIRE(tri.buffers().size() == 5);
    CHECK(tri.buffers().back().count == 1024u * 256u);
    const auto tris = enumerate_variants(tri);
    CHECK(tris.size() == 63);
    for (const auto& v : tris) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("layout") == 1) == (v.source.find("ai[i * TB + s] = A[") != std::string::npos));
        CHECK((v.knobs.at("layout") == 0 || v.knobs.at("tb") > 1));
    }
    // Edit distance: i32 token inputs, each pair's last DP row (LB + 1 values) out; strips keep a
    // boundary column, except in the full matrix (which needs none) and the wavefront (no strips).
    const auto ed = workload_by_name("edit-distance-16x192x256");
    REQUIRE(ed.buffers().size() == 3);
    CHECK(ed.buffers()[0].type == ElemType::i32);
    CHECK(ed.buffers().back().type == ElemType::i32);
    CHECK(ed.buffers().back().count == 16u * 257u);
    const auto eds = enumerate_variants(ed);
    CHECK(eds.size() == 60);
    for (const auto& v : eds) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") != 3 || v.knobs.at("tc") == 256));
        const bool strips = v.knobs.at("tc") != 256, matrix = v.knobs.at("method") == 0;
        CHECK((strips && !matrix) == (v.source.find("int col[LA + 1];") != std::string::npos));
    }
    // Radix sort: the scratch is an output before the sorted keys; the radix knobs only with the
    // radix sort, the merge knobs only with the merge sort.
    const auto rs = workload_by_name("radix-sort-u32-65536");
    REQUIRE(rs.buffers().size() == 3);
    CHECK(rs.buffers()[1].role == BufferRole::output);
    CHECK(rs.buffers().back().type == ElemType::i32);
    CHECK(rs.buffers().back().count == 65536u);
    const auto rss = enumerate_variants(rs);
    CHECK(rss.size() == 66);
    for (const auto& v : rss) {
        CAPTURE(v.id);
        if (v.knobs.at("method") == 0) CHECK((v.knobs.at("run") == 16 && v.knobs.at("branchfree") == 0));
        else CHECK((v.knobs.at("bits") == 8 && v.knobs.at("hist") == 0 && v.knobs.at("scatter") == 0));
    }
    // The naive schedules: one system at a time in place with scratch arrays; the full matrix row
    // by row with a branch; an 8-bit radix sort counting per pass, scattering straight.
    CHECK(reference_variant(tri).id == "l0-tb1-s0-v0");
    CHECK(reference_variant(ed).id == "m0-tc256-b0-v0");
    CHECK(reference_variant(rs).id == "m0-d8-h0-s0-r16-b0-v0");
}

TEST_CASE("the SDDMM, RoIAlign and 8x8 DCT workloads") {
    // SDDMM: A, B, the i32 columns and row lengths in, one output per nonzero last; a K tile only
    // for the row- and column-grouped traversals (its lanes in a local array), A's loads shared
    // only row by row.
    const auto sd = workload_by_name("sddmm-csr-1536x4096-e16-k64");
    REQUIRE(sd.buffers().size() == 5);
    CHECK(sd.buffers()[2].type == ElemType::i32);
    CHECK(sd.buffers().back().type == ElemType::f32);
    CHECK(sd.buffers().back().count == 1536u * 16u);
    const auto sds = enumerate_variants(sd);
    CHECK(sds.size() == 54);
    for (const auto& v : sds) {
        CAPTURE(v.id);
        const int trav = v.knobs.at("trav");
        const bool tiled = v.knobs.at("kt") != 64;
        CHECK((!tiled || trav == 0 || trav == 3));
        CHECK(tiled == (v.source.find("float acc[G][8];") != std::string::npos));
        CHECK((trav == 0) == (v.source.find("const float av = a[k + l];") != std::string::npos));
    }
    // RoIAlign: the map and the boxes in, R x P x P x C out; a coefficient table only where the
    // knob builds one.
    const auto ra = workload_by_name("roi-align-nhwc-48x48x32-r40-7x7");
    REQUIRE(ra.buffers().size() == 3);
    CHECK(ra.buffers().back().count == 40u * 7u * 7u * 32u);
    const auto ras = enumerate_variants(ra);
    CHECK(ras.size() == 54);
    for (const auto& v : ras) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("coef") == 1) == (v.source.find("int to[P * P * SS][4];") != std::string::npos));
        CHECK((v.knobs.at("coef") == 2) == (v.source.find("int ylo[P * S]") != std::string::npos));
    }
    // DCT: the image in, its coefficients out; a coefficient table only without literal constants,
    // a scratch strip as wide as the image only in the strip schedules.
    const auto dc = workload_by_name("dct8x8-256x512");
    REQUIRE(dc.buffers().size() == 2);
    CHECK(dc.buffers().back().count == 256u * 512u);
    const auto dcs = enumerate_variants(dc);
    CHECK(dcs.size() == 72);
    for (const auto& v : dcs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("coef") == 0) == (v.source.find("static const float DC[8][8]") != std::string::npos));
        CHECK((v.knobs.at("strip") == 1) == (v.source.find("#define NC 512") != std::string::npos));
    }
    // The naive schedules: CSR one dot at a time over all of K; the channel-outermost port
    // recomputing the coefficients, summing in the output; blocks one at a time, both passes as
    // dot products (the column pass strided) from the table.
    CHECK(reference_variant(sd).id == "t0-nb1-kt64-v0");
    CHECK(reference_variant(ra).id == "o0-k0-a0-v0");
    CHECK(reference_variant(dc).id == "b0-r0-c0-k0-v0");
}

TEST_CASE("the block-sparse GEMM, mixture-of-experts and paged attention workloads") {
    // BSR: the blocks' values and the i32 row lengths in, then X; Y last. A local scratch only
    // where the knob asks for one (never in the register form), the tile loop outermost only for
    // a real tile.
    const auto bs = workload_by_name("bsr-gemm-256x512x64-b4-d25");
    REQUIRE(bs.buffers().size() == 4);
    CHECK(bs.buffers()[1].type == ElemType::i32);
    CHECK(bs.buffers()[0].count == 256u * 32u * 4u); // 64 block rows of 32 blocks of 4 x 4 on average
    CHECK(bs.buffers().back().count == 256u * 64u);
    const auto bss = enumerate_variants(bs);
    CHECK(bss.size() == 63);
    for (const auto& v : bss) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("acc") == 1) == (v.source.find("float a[B][") != std::string::npos));
        CHECK((v.knobs.at("loop") == 3) == (v.source.find("float s0 = 0.0f;") != std::string::npos));
        CHECK((v.knobs.at("tile_outer") == 0 || v.knobs.at("tn") != 64));
    }
    // MoE: x, the experts' weights and the i32 routes in, one row per token out; the counting
    // pass only when bucketed, a tile's gathered scratch only where the knob asks.
    const auto me = workload_by_name("moe-expert-gemm-t384-e8-d64");
    REQUIRE(me.buffers().size() == 4);
    CHECK(me.buffers()[2].type == ElemType::i32);
    CHECK(me.buffers()[1].count == 8u * 64u * 64u);
    CHECK(me.buffers().back().count == 384u * 64u);
    const auto mes = enumerate_variants(me);
    CHECK(mes.size() == 66);
    for (const auto& v : mes) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("disp") == 1) == (v.source.find("idx[nx[ex[t]]++] = t;") != std::string::npos));
        CHECK((v.knobs.at("gather") == 1) == (v.source.find("float xs[") != std::string::npos));
        CHECK((v.knobs.at("disp") == 1 || v.knobs.at("tt") == 1));
    }
    // Paged attention: q, the two caches and the i32 table seed in, H x D out; every head's scores
    // in one scratch unless heads run outermost one at a time.
    const auto pa = workload_by_name("paged-attention-h8-l2048-d64-p16");
    REQUIRE(pa.buffers().size() == 5);
    CHECK(pa.buffers()[1].count == 2048u * 8u * 64u);
    CHECK(pa.buffers()[3].type == ElemType::i32);
    CHECK(pa.buffers().back().count == 8u * 64u);
    const auto pas = enumerate_variants(pa);
    CHECK(pas.size() == 72);
    for (const auto& v : pas) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("order") == 0) == (v.source.find("float s[L];") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("mx[h] = ") != std::string::npos));
    }
    // The naive schedules: block by block, rows, columns, then N, straight into Y; token by token
    // with a dot product per output; heads outermost, a dot product per score, an axpy per token.
    CHECK(reference_variant(bs).id == "l0-tn64-t0-a0-v0");
    CHECK(reference_variant(me).id == "d0-tt1-i0-g0-v0");
    CHECK(reference_variant(pa).id == "o0-s0-p0-u1-v0");
}

TEST_CASE("the flash attention, batched small GEMM and separable Gaussian blur workloads") {
    // Flash attention: Q, K and V in, O last; K's transposed scratch only where the knob asks, the
    // running maxima and sums only in the online forms, the per-key rescale only in its form.
    const auto fa = workload_by_name("flash-attention-l128-d64");
    REQUIRE(fa.buffers().size() == 4);
    CHECK(fa.buffers()[1].count == 128u * 64u);
    CHECK(fa.buffers().back().count == 128u * 64u);
    const auto fas = enumerate_variants(fa);
    CHECK(fas.size() == 60);
    for (const auto& v : fas) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("kt") == 1) == (v.source.find("float KT[D * L];") != std::string::npos));
        CHECK((v.knobs.at("form") != 0) == (v.source.find("float m[BR], l[BR];") != std::string::npos));
        CHECK((v.knobs.at("form") == 2) == (v.source.find("if (sj > mr) {") != std::string::npos));
        CHECK((v.knobs.at("pv") == 0 || v.knobs.at("form") != 2));
    }
    // Batched small GEMM: A and B in, C last; the packed scratch only for the packed form, a tile
    // loop only for a real tile, k unrolled into the batch loop only in i-j-k order.
    const auto bg = workload_by_name("batched-small-gemm-4096x8x8x8");
    REQUIRE(bg.buffers().size() == 3);
    CHECK(bg.buffers()[0].count == 4096u * 64u);
    CHECK(bg.buffers().back().count == 4096u * 64u);
    const auto bgs = enumerate_variants(bg);
    CHECK(bgs.size() == 66);
    for (const auto& v : bgs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("batch") == 2) == (v.source.find("float As[M * K * TB]") != std::string::npos));
        CHECK((v.knobs.at("tb") != 4096) ==
              (v.source.find("for (int b0 = 0; b0 < NB; b0 += TB)") != std::string::npos));
        CHECK((v.knobs.at("batch") == 0 || v.knobs.at("unroll") == 0 || v.knobs.at("order") == 0));
    }
    // Gaussian blur: the image in, the whole-image scratch T, the blurred image last; T used only
    // by the two full passes, the ring only by the line buffer, the halo rows only by the strips.
    const auto gb = workload_by_name("gaussian-blur-sep-k7-320x320");
    REQUIRE(gb.buffers().size() == 3);
    CHECK(gb.buffers()[1].role == BufferRole::output);
    CHECK(gb.buffers().back().count == 320u * 320u);
    const auto gbs = enumerate_variants(gb);
    CHECK(gbs.size() == 72);
    for (const auto& v : gbs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") == 0) == (v.source.find("hrow(I + y * W, T + y * W);") != std::string::npos));
        CHECK((v.knobs.at("method") == 1) == (v.source.find("float ring[K * W];") != std::string::npos));
        CHECK((v.knobs.at("method") == 2) == (v.source.find("float S[(TR + K - 1) * W];") != std::string::npos));
        CHECK((v.knobs.at("method") != 1 || v.knobs.at("vert") != 2));
    }
    // The naive schedules: the classic softmax a query row at a time, dot products for the scores,
    // axpys for the values; one matrix at a time in i-j-k order; two full passes, the taps
    // innermost, every horizontal tap clamped.
    CHECK(reference_variant(fa).id == "f0-br1-t0-p0-v0");
    CHECK(reference_variant(bg).id == "b0-tb4096-o0-u0-v0");
    CHECK(reference_variant(gb).id == "m0-vp0-hp0-v0");
}

TEST_CASE("the conv2d weight gradient, 2:4 sparse GEMM and tensor contraction workloads") {
    // Weight gradient: X and dY in, dW last; the channels-first copies only for the dot products,
    // the padded copy only where X is read through it, a row's patches only for the im2col form.
    const auto wg = workload_by_name("conv2d-weight-grad-3x3-28x28x16x16");
    REQUIRE(wg.buffers().size() == 3);
    CHECK(wg.buffers()[1].count == 28u * 28u * 16u);
    CHECK(wg.buffers().back().count == 16u * 9u * 16u);
    const auto wgs = enumerate_variants(wg);
    CHECK(wgs.size() == 48);
    for (const auto& v : wgs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("tr") == 0 || v.knobs.at("order") == 0));
        CHECK((v.knobs.at("xs") == 2) == (v.source.find("Xp[") != std::string::npos));
        CHECK((v.knobs.at("xs") == 3) == (v.source.find("float Pr[W * 9 * C];") != std::string::npos ||
                                          v.source.find("float Pt[9 * C * W], dyt[K * W];") != std::string::npos));
        CHECK((v.knobs.at("tr") == 1 && v.knobs.at("xs") != 3) ==
              (v.source.find("float dYt[K * P];") != std::string::npos));
    }
    // 2:4 sparse GEMM: the kept values, the i32 metadata, B in, C last; the expanded indices or the
    // packed nibbles only in the compressed form, the dense scratch only where A is decompressed
    // whole, B transposed only for the dots over it.
    const auto sp = workload_by_name("sparse24-gemm-64x256x128");
    REQUIRE(sp.buffers().size() == 4);
    CHECK(sp.buffers()[0].count == 64u * 128u);
    CHECK(sp.buffers()[1].type == ElemType::i32);
    CHECK(sp.buffers()[1].count == 64u * 64u);
    CHECK(sp.buffers().back().count == 64u * 128u);
    const auto sps = enumerate_variants(sp);
    CHECK(sps.size() == 72);
    for (const auto& v : sps) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("meta") == 0 || v.knobs.at("form") == 0));
        CHECK((v.knobs.at("form") == 0 && v.knobs.at("meta") == 0) ==
              (v.source.find("int ci[M * G * 2];") != std::string::npos));
        CHECK((v.knobs.at("meta") == 1) == (v.source.find("unsigned char mt[M * G / 2];") != std::string::npos));
        CHECK((v.knobs.at("form") == 1) == (v.source.find("float Ad[M * K];") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("float Bt[N * K];") != std::string::npos));
    }
    // Tensor contraction: A and B in, C last; the TTGT scratches only for TTGT, the packed panels
    // only for the packed blocked core, the fourth loop order only for the direct nest.
    const auto tc = workload_by_name("tensor-contraction-acb-32x32x32x64");
    REQUIRE(tc.buffers().size() == 3);
    CHECK(tc.buffers()[0].count == 32u * 64u * 32u);
    CHECK(tc.buffers().back().count == 32u * 32u * 32u);
    const auto tcs = enumerate_variants(tc);
    CHECK(tcs.size() == 57);
    for (const auto& v : tcs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("method") == 0 || v.knobs.at("order") != 3));
        CHECK((v.knobs.at("method") == 1) == (v.source.find("float At[TA * NB * NK]") != std::string::npos));
        CHECK((v.knobs.at("method") == 2 && v.knobs.at("tile") == 1) ==
              (v.source.find("float Bp[NC * NK]") != std::string::npos));
    }
    // The naive schedules: a dot product over the pixels per weight, X read directly with a branch
    // per tap; the compressed form's dot products down B's columns with expanded indices; the
    // direct nest with k innermost.
    CHECK(reference_variant(wg).id == "o0-x0-t0-v0");
    CHECK(reference_variant(sp).id == "f0-o0-m0-tn128-v0");
    CHECK(reference_variant(tc).id == "m0-o0-t0-v0");
}

TEST_CASE("the FIR decimation, NV12 to RGB and max-pool backward workloads") {
    // FIR decimation: x (8 channels of (4096 + 11) 4 samples) and h in, y last; the phase scratch
    // only where the input is split, sized for a frame where the channels are inside frames.
    const auto fir = workload_by_name("fir-decimate-d4-t48-8x4096");
    REQUIRE(fir.buffers().size() == 3);
    CHECK(fir.buffers()[0].count == 8u * 4107u * 4u);
    CHECK(fir.buffers()[1].count == 48u);
    CHECK(fir.buffers().back().count == 8u * 4096u);
    const auto firs = enumerate_variants(fir);
    CHECK(firs.size() == 72);
    for (const auto& v : firs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("split") == 1) == (v.source.find("float xp[D * MS];") != std::string::npos));
        CHECK((v.knobs.at("chan") == 1) == (v.source.find("#define MS 267\n") != std::string::npos));
        CHECK((v.knobs.at("form") == 1) == (v.source.find("yo[n] = 0.0f;") != std::string::npos));
    }
    // NV12 to RGB: the Y and UV planes (i8 read as unsigned char) in, the packed RGB last; the clamp
    // table only for the table clamp, the chroma row scratches only for the precomputed method.
    const auto yuv = workload_by_name("yuv-nv12-to-rgb-640x360");
    REQUIRE(yuv.buffers().size() == 3);
    CHECK(yuv.buffers()[0].type == ElemType::i8);
    CHECK(yuv.buffers()[1].count == 640u * 360u / 2u);
    CHECK(yuv.buffers().back().type == ElemType::i8);
    CHECK(yuv.buffers().back().count == 3u * 640u * 360u);
    const auto yuvs = enumerate_variants(yuv);
    CHECK(yuvs.size() == 54);
    for (const auto& v : yuvs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("clamp") == 1) == (v.source.find("unsigned char ct[1024];") != std::string::npos));
        CHECK((v.knobs.at("method") == 2) == (v.source.find("int rt[W], gt[W], bt[W];") != std::string::npos));
        CHECK((v.knobs.at("pack") == 1) == (v.source.find("__builtin_memcpy(") != std::string::npos));
    }
    // Max-pool backward: X, dY, the i32 argmax scratch, dX last; the scratch only written by the
    // two-pass forms, u8 offsets only there, the banded zeroing only for the scatters.
    const auto mp = workload_by_name("maxpool-backward-3x3s2-56x56x64");
    REQUIRE(mp.buffers().size() == 4);
    CHECK(mp.buffers()[1].count == 28u * 28u * 64u);
    CHECK(mp.buffers()[2].type == ElemType::i32);
    CHECK(mp.buffers().back().count == 56u * 56u * 64u);
    const auto mps = enumerate_variants(mp);
    CHECK(mps.size() == 72);
    for (const auto& v : mps) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("form") != 0 || v.knobs.at("index") == 0));
        CHECK((v.knobs.at("form") != 2 || v.knobs.at("zero") == 0));
        CHECK((v.knobs.at("index") == 1) == (v.source.find("unsigned char *restrict Au") != std::string::npos));
        CHECK((v.knobs.at("form") == 2) == (v.source.find("oh0 = ih >> 1") != std::string::npos));
    }
    // The naive schedules: direct with the taps innermost, one output at a time, strided reads,
    // channels outermost; per pixel with branches and byte stores; the fused recompute-and-scatter
    // per window and channel after zeroing dX.
    CHECK(reference_variant(fir).id == "f0-b1-s0-c0-v0");
    CHECK(reference_variant(yuv).id == "m0-c0-p0-v0");
    CHECK(reference_variant(mp).id == "f0-i0-o0-z0-v0");
}

TEST_CASE("the varint decoding, dropout and bicubic resize workloads") {
    // Varint decoding: the i32 seeds in, the stream's byte scratch (5 bytes a value at most, 8 of
    // padding), the decoded values last; the length table only for its word methods, the 64K table
    // only for its method, the group loop never unrolled.
    const auto vd = workload_by_name("varint-decode-u32-131072");
    REQUIRE(vd.buffers().size() == 3);
    CHECK(vd.buffers()[0].type == ElemType::i32);
    CHECK(vd.buffers()[1].type == ElemType::i8);
    CHECK(vd.buffers()[1].count == 5u * 131072u + 8u);
    CHECK(vd.buffers().back().type == ElemType::i32);
    CHECK(vd.buffers().back().count == 131072u);
    const auto vds = enumerate_variants(vd);
    CHECK(vds.size() == 51);
    for (const auto& v : vds) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("len") == 1) == (v.source.find("unsigned char L[256];") != std::string::npos));
        CHECK((v.knobs.at("method") == 4) == (v.source.find("unsigned short T[65536];") != std::string::npos));
        CHECK((v.knobs.at("method") != 3 || v.knobs.at("unroll") == 1));
        CHECK(v.source.find("__builtin_memcpy(p, &word, 8);") != std::string::npos); // every variant encodes alike
    }
    // Dropout: x in, the byte mask, y last; the hash once per group of four only for the group RNG,
    // the chunked passes only for their knob value.
    const auto dr = workload_by_name("dropout-mask-scale-524288-p25");
    REQUIRE(dr.buffers().size() == 3);
    CHECK(dr.buffers()[1].type == ElemType::i8);
    CHECK(dr.buffers().back().type == ElemType::f32);
    CHECK(dr.buffers().back().count == 524288u);
    const auto drs = enumerate_variants(dr);
    CHECK(drs.size() == 54);
    for (const auto& v : drs) {
        CAPTURE(v.id);
        CHECK(v.source.find("#define THR 64\n") != std::string::npos);
        CHECK((v.knobs.at("rng") == 1) == (v.source.find("dhash((unsigned)g)") != std::string::npos));
        CHECK((v.knobs.at("pass") == 2) == (v.source.find("c0 += CH") != std::string::npos));
        CHECK((v.knobs.at("select") == 2) == (v.source.find("tb &= -(unsigned)") != std::string::npos));
    }
    // Bicubic resize: X in, Y last; the padded copy only for its border, the ring only for its form,
    // channels outermost only for the direct form.
    const auto bc = workload_by_name("bicubic-resize-nhwc-40x40x16-to-100x100");
    REQUIRE(bc.buffers().size() == 2);
    CHECK(bc.buffers()[0].count == 40u * 40u * 16u);
    CHECK(bc.buffers().back().count == 100u * 100u * 16u);
    const auto bcs = enumerate_variants(bc);
    CHECK(bcs.size() == 72);
    for (const auto& v : bcs) {
        CAPTURE(v.id);
        CHECK((v.knobs.at("form") == 0 || v.knobs.at("order") == 0));
        CHECK((v.knobs.at("border") == 2) == (v.source.find("float Xp[") != std::string::npos));
        CHECK((v.knobs.at("form") == 2) == (v.source.find("int tag[4]") != std::string::npos));
        CHECK((v.knobs.at("coef") == 1) == (v.source.find("float twx[OW][4]") != std::string::npos));
    }
    // The naive schedules: the byte loop one value at a time; a hash per element, fused, with a
    // branch; the direct 16 taps with coefficients recomputed and every tap clamped, channels inner.
    CHECK(reference_variant(vd).id == "m0-l0-u1-v0");
    CHECK(reference_variant(dr).id == "r0-f0-s0-v0");
    CHECK(reference_variant(bc).id == "f0-c0-b0-o0-v0");
}

TEST_CASE("the Haar wavelet, CSR transpose and chamfer distance transform workloads") {
    // Haar DWT: X in, Y last, both N x H x W; every variant spells its outputs through the one pair of
    // macros; the whole-band scratches only for the separable form, the row buffers only for the
    // per-row-pair form, the ping-pong scratches only for their buffering; the row pair form only
    // row-major, column-major never unrolled.
    const auto dw = workload_by_name("dwt-haar-2d-2x448x384-l3");
    REQUIRE(dw.buffers().size() == 2);
    CHECK(dw.buffers()[0].count == 2u * 448u * 384u);
    CHECK(dw.buffers().back().type == ElemType::f32);
    CHECK(dw.buffers().back().count == 2u * 448u * 384u);
    const auto dws = enumerate_variants(dw);
    CHECK(dws.size() == 72);
    for (const auto& v : dws) {
        CAPTURE(v.id);
        CHECK(v.source.find("LL = (a_ + b_) * 0.25f; LH = (a_ - b_) * 0.25f;") != std::string::npos);
        CHECK((v.knobs.at("form") == 1) ==
              (v.source.find("float S[H * (W / 2)], D[H * (W / 2)];") != std::string::npos));
        CHECK((v.knobs.at("form") == 2) == (v.source.find("float s0r[W / 2]") != std::string::npos));
        CHECK((v.knobs.at("buf") == 1) == (v.source.find("float A[(H / 2) * (W / 2)]") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("j0 += TS") != std::string::npos));
        CHECK((v.knobs.at("form") != 2 || v.knobs.at("order") == 0));
        CHECK((v.knobs.at("order") != 1 || v.knobs.at("unroll") == 1));
    }
    // CSR transpose: the values, the i32 column and row-length seeds in; the column pointers (N + 1),
    // row indices and values (the last) out; the partial counters, the cursor copy, the pair scratch
    // and the row index array each only for their knob value.
    const auto ct = workload_by_name("csr-transpose-4096x4096-e10");
    REQUIRE(ct.buffers().size() == 6);
    CHECK(ct.buffers()[1].type == ElemType::i32);
    CHECK(ct.buffers()[2].count == 4096u / 2u);
    CHECK(ct.buffers()[3].type == ElemType::i32);
    CHECK(ct.buffers()[3].count == 4096u + 1u);
    CHECK(ct.buffers()[4].count == 4096u * 10u);
    CHECK(ct.buffers().back().type == ElemType::f32);
    CHECK(ct.buffers().back().count == 4096u * 10u);
    const auto cts = enumerate_variants(ct);
    CHECK(cts.size() == 72);
    for (const auto& v : cts) {
        CAPTURE(v.id);
        CHECK(v.source.find("for (int c = 0; c < N; ++c) cp[c + 1] += cp[c];") != std::string::npos);
        CHECK((v.knobs.at("hist") == 1) == (v.source.find("int cnt[4][N];") != std::string::npos));
        CHECK((v.knobs.at("scatter") == 1) == (v.source.find("cp[c]++") != std::string::npos));
        CHECK((v.knobs.at("scatter") == 2) == (v.source.find("int rowi[NNZ];") != std::string::npos));
        CHECK((v.knobs.at("pairs") == 1) == (v.source.find("} pr[NNZ];") != std::string::npos));
        CHECK((v.knobs.at("cblk") == 4) == (v.source.find("c0 += NQ") != std::string::npos));
    }
    // Distance transform: X in, the i32 distances last; the padded image only for its border, the
    // row buffers only for theirs, the branch-free minimum only for its knob value.
    const auto dt = workload_by_name("distance-transform-chamfer-320x320");
    REQUIRE(dt.buffers().size() == 2);
    CHECK(dt.buffers()[0].type == ElemType::f32);
    CHECK(dt.buffers().back().type == ElemType::i32);
    CHECK(dt.buffers().back().count == 320u * 320u);
    const auto dts = enumerate_variants(dt);
    CHECK(dts.size() == 72);
    for (const auto& v : dts) {
        CAPTURE(v.id);
        CHECK(v.source.find("#define INF 1048576\n") != std::string::npos);
        CHECK((v.knobs.at("min") == 1) == (v.source.find("(x_ & (x_ >> 31))") != std::string::npos));
        CHECK((v.knobs.at("border") == 1) == (v.source.find("int P[(H + 2) * WP];") != std::string::npos));
        CHECK((v.knobs.at("border") == 2) == (v.source.find("int rb[2][WP];") != std::string::npos));
        CHECK((v.knobs.at("border") == 0) == (v.source.find("if (i > 0)") != std::string::npos));
    }
    // The naive schedules: direct 2x2 blocks row-major, the LL band copied per level; one counter
    // array, the cursor copy, rows and values written directly in one pass; a branch per minimum,
    // border tests per pixel, the four neighbours at once.
    CHECK(reference_variant(dw).id == "f0-o0-b0-u1-v0");
    CHECK(reference_variant(ct).id == "h0-s0-p0-c1-v0");
    CHECK(reference_variant(dt).id == "m0-b0-s0-u1-v0");
}

TEST_CASE("the affine warp, connected components and GRU cell workloads") {
    // Affine warp: the 8-bit image in, the 8-bit warp last, both H x W; every variant has the one
    // fixed-point matrix and rounds the weighted taps alike; the weight table, the padded copy, the
    // solved inside range and the row map each only for their knob value; the map only with the
    // coordinates multiplied out, the incremental stepping only fused.
    const auto wa = workload_by_name("warp-affine-u8-320x320");
    REQUIRE(wa.buffers().size() == 2);
    CHECK(wa.buffers()[0].type == ElemType::i8);
    CHECK(wa.buffers()[0].count == 320u * 320u);
    CHECK(wa.buffers().back().type == ElemType::i8);
    CHECK(wa.buffers().back().count == 320u * 320u);
    const auto was = enumerate_variants(wa);
    CHECK(was.size() == 72);
    for (const auto& v : was) {
        CAPTURE(v.id);
        CHECK(v.source.find("#define MA 68107\n#define MB (-39322)\n") != std::string::npos);
        CHECK(v.source.find("O[y * W + x] = (unsigned char)((v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + 512) >> "
                            "10);") != std::string::npos);
        CHECK((v.knobs.at("weights") == 1) == (v.source.find("short tab[32 * 32 * 4];") != std::string::npos));
        CHECK((v.knobs.at("border") == 3) == (v.source.find("unsigned char P[(H + 2) * WP];") != std::string::npos));
        CHECK((v.knobs.at("border") == 2) == (v.source.find("fdiv(HX - bx, MA)") != std::string::npos));
        CHECK((v.knobs.at("phases") == 1) == (v.source.find("short fs[W];") != std::string::npos));
        CHECK((v.knobs.at("coord") == 1) == (v.source.find("sx += MA;") != std::string::npos));
        CHECK((v.knobs.at("phases") == 0 || v.knobs.at("coord") == 0));
    }
    // Connected components: the mask's floats in, the i32 labels last; the runs' row buffers only for
    // the run method (which has no decision tree), the ranks only for union by rank, each find's
    // compression only for its knob value, the flattened table's lookup pass only for its relabelling.
    const auto cc = workload_by_name("connected-components-192x192");
    REQUIRE(cc.buffers().size() == 2);
    CHECK(cc.buffers()[0].type == ElemType::f32);
    CHECK(cc.buffers().back().type == ElemType::i32);
    CHECK(cc.buffers().back().count == 192u * 192u);
    const auto ccs = enumerate_variants(cc);
    CHECK(ccs.size() == 72);
    for (const auto& v : ccs) {
        CAPTURE(v.id);
        CHECK(v.source.find("#define THR 0.1f\n") != std::string::npos);
        CHECK(v.source.find("#define MAXL 9410\n") != std::string::npos);
        CHECK((v.knobs.at("method") == 1) == (v.source.find("int rs[2][W / 2 + 1]") != std::string::npos));
        CHECK((v.knobs.at("method") == 0 || v.knobs.at("scan") == 0));
        CHECK((v.knobs.at("scan") == 1) == (v.source.find("if (up) l = up;") != std::string::npos));
        CHECK((v.knobs.at("uf") == 3) == (v.source.find("unsigned char R[MAXL];") != std::string::npos));
        CHECK((v.knobs.at("uf") == 2) == (v.source.find("P[x] = r;") != std::string::npos));
        CHECK((v.knobs.at("uf") % 2 == 1) == (v.source.find("P[x] = P[P[x]];") != std::string::npos));
        CHECK((v.knobs.at("relabel") == 1) == (v.source.find("L[p] = T[L[p]];") != std::string::npos));
    }
    // GRU cell: x, h, W_ih, W_hh, b_ih, b_hh in, h' last; every variant's epilogue the same
    // expressions; the packed weight panels only for the packed GEMM, four rows' sums only for its
    // form, the whole batch's gate scratches only for the separate pointwise pass.
    const auto gr = workload_by_name("gru-cell-16x128x128");
    REQUIRE(gr.buffers().size() == 7);
    CHECK(gr.buffers()[0].count == 16u * 128u);
    CHECK(gr.buffers()[2].count == 3u * 128u * 128u);
    CHECK(gr.buffers()[3].count == 3u * 128u * 128u);
    CHECK(gr.buffers()[5].count == 3u * 128u);
    CHECK(gr.buffers().back().type == ElemType::f32);
    CHECK(gr.buffers().back().count == 16u * 128u);
    const auto grs = enumerate_variants(gr);
    CHECK(grs.size() == 72);
    for (const auto& v : grs) {
        CAPTURE(v.id);
        CHECK(v.source.find("const float nn = tanh_(GX(b, 2, j) + r * GH(b, 2, j));") != std::string::npos);
        CHECK(v.source.find("out[b * H + j] = (1.0f - z) * nn + z * h[b * H + j];") != std::string::npos);
        CHECK((v.knobs.at("gemm") == 2) ==
              (v.source.find("float pi[I * 3 * TJ], ph[H * 3 * TJ];") != std::string::npos));
        CHECK((v.knobs.at("gemm") == 1) == (v.source.find("s3 += x[(b0 + 3) * I + kk] * wv;") != std::string::npos));
        CHECK((v.knobs.at("epilogue") == 0) ==
              (v.source.find("float gx[B * 3 * H], gh[B * 3 * H];") != std::string::npos));
        CHECK((v.knobs.at("tj") == 32) == (v.source.find("j0 += TJ") != std::string::npos));
    }
    // The naive schedules: fused, the matrix multiplied out per pixel, four tap tests, weights
    // multiplied out; pixel by pixel, every neighbour merged, no compression, a find per pixel; a
    // dot product per output over all columns, then the pointwise pass.
    CHECK(reference_variant(wa).id == "p0-c0-b0-w0-v0");
    CHECK(reference_variant(cc).id == "m0-s0-f0-r0-v0");
    CHECK(reference_variant(gr).id == "g0-e0-tj128-u1-v0");
}

TEST_CASE("the MinHash, LRN and RGB-to-HSV workloads") {
    // MinHash: the i32 token inputs in, the u32 signatures last (D x K); every variant hashes with the
    // same MH and token derivation; the signature row updated in place only for tokens outer, one
    // reduction per hash only for hashes outer, a block of KB minima only for the blocked order, the
    // document's token scratch only for its knob value (never for tokens outer).
    const auto mh = workload_by_name("minhash-sig-16x512-k64");
    REQUIRE(mh.buffers().size() == 2);
    CHECK(mh.buffers()[0].type == ElemType::i32);
    CHECK(mh.buffers()[0].count == 16u * 512u);
    CHECK(mh.buffers().back().type == ElemType::i32);
    CHECK(mh.buffers().back().count == 16u * 64u);
    const auto mhs = enumerate_variants(mh);
    CHECK(mhs.size() == 54);
    for (const auto& v : mhs) {
        CAPTURE(v.id);
        CHECK(v.source.find("    unsigned h = a * x + b;\n    h ^= h >> 15;\n    h *= 0x2C1B3C6Du;\n") !=
              std::string::npos);
        CHECK(v.source.find("#define TOK(p) ((unsigned)(T[p] + 100) << 8 | (unsigned)(p) * 0x9E3779B1u >> 24)") !=
              std::string::npos);
        CHECK((v.knobs.at("order") == 0) == (v.source.find("s[k] = h < s[k] ? h : s[k];") != std::string::npos));
        CHECK((v.knobs.at("order") == 1) == (v.source.find("m = h < m ? h : m;") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("unsigned m[KB];") != std::string::npos));
        CHECK(v.source.find(fmt::format("#define KB {}\n", v.knobs.at("block"))) != std::string::npos);
        CHECK((v.knobs.at("order") == 2 || v.knobs.at("block") == 4));
        CHECK((v.knobs.at("tokens") == 1) == (v.source.find("unsigned tk[L];") != std::string::npos));
        CHECK((v.knobs.at("order") != 0 || v.knobs.at("tokens") == 0));
    }
    // LRN: one NCHW image in and out; every denominator the same DEN of the same window sum; the
    // padded square scratch (five terms, no bounds) only for its knob value, the denominator
    // scratch and dividing pass only for the split power, the pixel tiles only for the tiled order.
    const auto lr = workload_by_name("lrn-nchw-64x28x28-n5");
    REQUIRE(lr.buffers().size() == 2);
    CHECK(lr.buffers()[0].count == 64u * 28u * 28u);
    CHECK(lr.buffers().back().type == ElemType::f32);
    CHECK(lr.buffers().back().count == 64u * 28u * 28u);
    const auto lrs = enumerate_variants(lr);
    CHECK(lrs.size() == 72);
    for (const auto& v : lrs) {
        CAPTURE(v.id);
        CHECK(v.source.find("    const float q = __builtin_sqrtf(t);\n    return q * __builtin_sqrtf(q);\n") !=
              std::string::npos);
        CHECK(std::ranges::find(v.flags, "-fno-math-errno") != v.flags.end());
        CHECK((v.knobs.at("squares") == 1) ==
              (v.source.find("const float s = q[0] + q[P] + q[2 * P] + q[3 * P] + q[4 * P];") != std::string::npos));
        CHECK((v.knobs.at("squares") == 0) ==
              (v.source.find("for (int j = lo; j <= hi; ++j) s += x[j * P + p] * x[j * P + p];") != std::string::npos));
        CHECK((v.knobs.at("power") == 1) == (v.source.find("y[i] = x[i] / Dn[i];") != std::string::npos));
        CHECK((v.knobs.at("power") == 0) ==
              (v.source.find("y[c * P + p] = x[c * P + p] / DEN(s);") != std::string::npos));
        CHECK((v.knobs.at("order") == 2) == (v.source.find("p0 += TP") != std::string::npos));
        CHECK((v.knobs.at("order") == 1) ==
              (v.source.find("\n    for (int p = 0; p < P; ++p) {\n") != std::string::npos));
    }
    // RGB to HSV: interleaved bytes in and out; every variant OpenCV's rounding of the same products
    // and the same table formulas; the if chain, conditional expressions or and-masks per the
    // selection, the tables only for their knob value, the row planes only for the planar layout.
    const auto hs = workload_by_name("rgb-to-hsv-u8-192x256");
    REQUIRE(hs.buffers().size() == 2);
    CHECK(hs.buffers()[0].type == ElemType::i8);
    CHECK(hs.buffers().back().type == ElemType::i8);
    CHECK(hs.buffers().back().count == 3u * 192u * 256u);
    const auto hss = enumerate_variants(hs);
    CHECK(hss.size() == 72);
    for (const auto& v : hss) {
        CAPTURE(v.id);
        CHECK(v.source.find("#define SDIV(v) ((v) ? ((255 << 12) + (v) / 2) / (v) : 0)\n") != std::string::npos);
        CHECK(v.source.find("#define HDIV(v) ((v) ? ((180 << 12) / 6 + (v) / 2) / (v) : 0)\n") != std::string::npos);
        CHECK((v.knobs.at("select") == 0) ==
              (v.source.find("else if (v == g) hn = b - r + 2 * diff;") != std::string::npos));
        CHECK((v.knobs.at("select") == 1) == (v.source.find("v == r ? g - b : v == g ?") != std::string::npos));
        CHECK((v.knobs.at("select") == 2) ==
              (v.source.find("const int vr = -(v == r), vg = -(v == g);") != std::string::npos));
        CHECK((v.knobs.at("div") == 1) == (v.source.find("int sdiv[256], hdiv[256];") != std::string::npos));
        CHECK((v.knobs.at("div") == 0) == (v.source.find("(diff * SDIV(v) + 2048) >> 12") != std::string::npos));
        CHECK((v.knobs.at("layout") == 1) == (v.source.find("unsigned char pr[W], pg[W], pb[W]") != std::string::npos));
    }
    // The naive schedules: tokens outer, the signature row updated per token; channels outer, squares
    // recomputed, the power fused; per pixel with branches and divisions, interleaved.
    CHECK(reference_variant(mh).id == "o0-kb4-t0-u1-v0");
    CHECK(reference_variant(lr).id == "o0-s0-p0-u1-v0");
    CHECK(reference_variant(hs).id == "s0-d0-l0-u1-v0");
}

TEST_CASE("variants of every corpus workload compute the reference's output, natively and in simulation") {
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-test-workloads-{}", ::getpid());
    BuildOptions opts;
    opts.cache_dir = dir;
    // Two workers (the machine's cores), taking workloads in turn; results are checked here.
    const auto corpus = corpus_workloads();
    std::vector<std::vector<std::string>> failures(corpus.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next++) < corpus.size();) failures[i] = check_workload(corpus[i], opts, dir);
    };
    std::thread other(worker);
    worker();
    other.join();
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        CAPTURE(corpus[i].name);
        for (const auto& f : failures[i]) FAIL_CHECK(f);
    }
    fs::remove_all(dir);
}

namespace {
/// 64-bit FNV-1a: a platform-independent fingerprint of generated text.
std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 0xcbf29ce484222325ull) {
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    return h;
}
} // namespace

TEST_CASE("the six built-in workloads generate exactly what a kept dataset refers to") {
    // A dataset stores variant keys and the times of the sources behind them; if the generator of
    // the original six workloads changed one byte, those rows would silently describe other code.
    const auto names = [] {
        std::vector<std::string> n;
        for (const auto& w : builtin_workloads()) n.push_back(w.name);
        return n;
    }();
    CHECK(names == std::vector<std::string>{"gemm-128x128x128", "gemm-64x256x128", "conv2d-nhwc-16x16x32x32-3x3",
                                            "conv2d-nchw-16x16x32x32-3x3", "depthwise-nhwc-32x32x64-3x3",
                                            "dense-512x1024"});
    std::uint64_t h = 0xcbf29ce484222325ull;
    std::size_t count = 0;
    for (const auto& w : builtin_workloads())
        for (const auto& v : enumerate_variants(w)) {
            h = fnv1a(v.key() + "\n" + v.source + fmt::format("{}", fmt::join(v.flags, " ")) + "\n", h);
            ++count;
        }
    // Taken from the generator as of commit 1329f46, before the corpus families were added.
    CHECK(count == 103131);
    CHECK(fmt::format("{:016x}", h) == "c2703a078c9d3e5b");
    // One variant spelled out, so a failure above can be read without a debugger.
    const auto gemm = enumerate_variants(workload_by_name("gemm-128x128x128"), 1, 1).front();
    CHECK(gemm.id == "ti32-tj4-tk64-oijk-i2-u4-v1-p1");
    CHECK(gemm.flags.empty());
    CHECK(gemm.source.starts_with("/* simtune workload gemm-128x128x128 variant ti32-tj4-tk64-oijk-i2-u4-v1-p1 */\n"
                                  "#define M 128\n#define N 128\n#define K 128\n#define TJ 4\n"));
    CHECK(gemm.source.find(
              "                float Bp[64 * 4]; for (int pk = 0; pk < 64; ++pk) for (int pj = 0; pj < 4; ++pj) "
              "Bp[pk * 4 + pj] = B[(k0 + pk) * N + j0 + pj];\n") != std::string::npos);
    CHECK(gemm.source.find(
              "                            C[i * N + j] += A[i * K + k] * Bp[(k - k0) * TJ + (j - j0)];\n") !=
          std::string::npos);
}
