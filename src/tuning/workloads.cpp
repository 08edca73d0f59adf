// Schedule spaces for the six built-in workloads and the C code generator behind them (frozen: kept
// datasets refer to its variants; the corpus families live in families.cpp). Each operator is
// a loop nest; a schedule tiles some of its loops, orders the tile loops, orders the point loops,
// unrolls the innermost loop and picks a vectorisation level. Reductions are never split, and every
// inner order keeps each output's reduction in the same sequence, so all variants of a workload
// compute bit-identical results on a given ISA and compiler.
#include "simtune/tuning/workloads.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "families.hpp"
#include "loop_nest.hpp"
#include "simtune/util.hpp"
#include "simtune/error.hpp"

namespace simtune {

int Workload::dim(const std::string& d) const {
    const auto it = dims.find(d);
    if (it == dims.end()) fail(ErrorKind::invalid_argument, "workload '{}' has no dimension '{}'", name, d);
    return it->second;
}

std::uint64_t Workload::macs() const {
    auto u = [&](const char* d) { return static_cast<std::uint64_t>(dim(d)); };
    switch (op) {
        case OpKind::gemm: return u("M") * u("N") * u("K");
        case OpKind::conv2d_nhwc:
        case OpKind::conv2d_nchw:
            return (u("H") - u("R") + 1) * (u("W") - u("S") + 1) * u("K") * u("C") * u("R") * u("S");
        case OpKind::depthwise_conv2d_nhwc:
            return (u("H") - u("R") + 1) * (u("W") - u("S") + 1) * u("C") * u("R") * u("S");
        case OpKind::dense: return u("M") * u("K");
        default: return detail::family_macs(*this);
    }
}

std::vector<BufferSpec> Workload::buffers() const {
    auto u = [&](const char* d) { return static_cast<std::uint64_t>(dim(d)); };
    const auto in = BufferRole::input;
    const auto out = BufferRole::output;
    switch (op) {
        case OpKind::gemm:
            return {{"A", ElemType::f32, u("M") * u("K"), in},
                    {"B", ElemType::f32, u("K") * u("N"), in},
                    {"C", ElemType::f32, u("M") * u("N"), out}};
        case OpKind::conv2d_nhwc:
        case OpKind::conv2d_nchw:
            return {{"I", ElemType::f32, u("H") * u("W") * u("C"), in},
                    {"F", ElemType::f32, u("R") * u("S") * u("C") * u("K"), in},
                    {"O", ElemType::f32, (u("H") - u("R") + 1) * (u("W") - u("S") + 1) * u("K"), out}};
        case OpKind::depthwise_conv2d_nhwc:
            return {{"I", ElemType::f32, u("H") * u("W") * u("C"), in},
                    {"F", ElemType::f32, u("R") * u("S") * u("C"), in},
                    {"O", ElemType::f32, (u("H") - u("R") + 1) * (u("W") - u("S") + 1) * u("C"), out}};
        case OpKind::dense:
            return {{"Wt", ElemType::f32, u("M") * u("K"), in},
                    {"x", ElemType::f32, u("K"), in},
                    {"y", ElemType::f32, u("M"), out}};
        default: return detail::family_buffers(*this);
    }
}

std::vector<Workload> builtin_workloads() {
    return {
        {"gemm-128x128x128", OpKind::gemm, {{"M", 128}, {"N", 128}, {"K", 128}}, "gemm"},
        {"gemm-64x256x128", OpKind::gemm, {{"M", 64}, {"N", 256}, {"K", 128}}, "gemm"},
        {"conv2d-nhwc-16x16x32x32-3x3",
         OpKind::conv2d_nhwc,
         {{"H", 18}, {"W", 18}, {"C", 32}, {"K", 32}, {"R", 3}, {"S", 3}},
         "conv2d"},
        {"conv2d-nchw-16x16x32x32-3x3",
         OpKind::conv2d_nchw,
         {{"H", 18}, {"W", 18}, {"C", 32}, {"K", 32}, {"R", 3}, {"S", 3}},
         "conv2d"},
        {"depthwise-nhwc-32x32x64-3x3",
         OpKind::depthwise_conv2d_nhwc,
         {{"H", 34}, {"W", 34}, {"C", 64}, {"R", 3}, {"S", 3}},
         "depthwise_conv2d"},
        {"dense-512x1024", OpKind::dense, {{"M", 512}, {"K", 1024}}, "dense"},
    };
}

std::vector<Workload> corpus_workloads() {
    auto all = builtin_workloads();
    for (auto& w : detail::family_workloads()) all.push_back(std::move(w));
    return all;
}

Workload workload_by_name(const std::string& name) {
    std::vector<std::string> names;
    for (auto& w : corpus_workloads()) {
        if (w.name == name) return w;
        names.push_back(w.name);
    }
    fail(ErrorKind::invalid_argument, "unknown workload '{}' (known: {})", name, fmt::join(names, ", "));
}

std::string workload_family(const std::string& workload_name) {
    for (const auto& w : corpus_workloads())
        if (w.name == workload_name) return w.family;
    return workload_name;
}

namespace {

using detail::emit;
using detail::find;
using detail::Loop;
using detail::Nest;
using detail::permutations;
using detail::tile_choices;

/// The operator's loops, tileable loops, candidate point orders and body.
struct OpSpace {
    std::vector<Loop> loops; ///< tile = extent
    std::vector<std::string> tileable;
    std::vector<std::vector<std::string>> point_orders;
    std::string body, packed_body; ///< packed_body empty: no packing knob
    std::string defines;
    std::string signature;
};

OpSpace op_space(const Workload& w) {
    OpSpace s;
    auto d = [&](const char* n) { return w.dim(n); };
    switch (w.op) {
        case OpKind::gemm:
            s.loops = {{"i", d("M"), d("M")}, {"j", d("N"), d("N")}, {"k", d("K"), d("K")}};
            s.tileable = {"i", "j", "k"};
            s.point_orders = {{"i", "k", "j"}, {"i", "j", "k"}, {"k", "i", "j"}};
            s.body = "C[i * N + j] += A[i * K + k] * B[k * N + j];";
            s.packed_body = "C[i * N + j] += A[i * K + k] * Bp[(k - k0) * TJ + (j - j0)];";
            s.defines = fmt::format("#define M {}\n#define N {}\n#define K {}\n", d("M"), d("N"), d("K"));
            s.signature = "const float *restrict A, const float *restrict B, float *restrict C";
            break;
        case OpKind::conv2d_nhwc:
            s.loops = {{"oh", d("H") - d("R") + 1, 0},
                       {"ow", d("W") - d("S") + 1, 0},
                       {"k", d("K"), 0},
                       {"r", d("R"), 0},
                       {"s", d("S"), 0},
                       {"c", d("C"), 0}};
            s.tileable = {"oh", "ow", "k"};
            s.point_orders = {
                {"oh", "ow", "r", "s", "c", "k"}, {"oh", "ow", "k", "r", "s", "c"}, {"r", "s", "oh", "ow", "c", "k"}};
            s.body =
                "O[(oh * OW + ow) * K + k] += I[((oh + r) * W + (ow + s)) * C + c] * F[((r * S + s) * C + c) * K + k];";
            break;
        case OpKind::conv2d_nchw:
            s.loops = {{"k", d("K"), 0},
                       {"oh", d("H") - d("R") + 1, 0},
                       {"ow", d("W") - d("S") + 1, 0},
                       {"c", d("C"), 0},
                       {"r", d("R"), 0},
                       {"s", d("S"), 0}};
            s.tileable = {"k", "oh", "ow"};
            s.point_orders = {
                {"k", "c", "r", "s", "oh", "ow"}, {"k", "oh", "ow", "c", "r", "s"}, {"c", "r", "s", "k", "oh", "ow"}};
            s.body =
                "O[(k * OH + oh) * OW + ow] += I[(c * H + oh + r) * W + ow + s] * F[((k * C + c) * R + r) * S + s];";
            break;
        case OpKind::depthwise_conv2d_nhwc:
            s.loops = {{"oh", d("H") - d("R") + 1, 0},
                       {"ow", d("W") - d("S") + 1, 0},
                       {"c", d("C"), 0},
                       {"r", d("R"), 0},
                       {"s", d("S"), 0}};
            s.tileable = {"oh", "ow", "c"};
            s.point_orders = {{"oh", "ow", "r", "s", "c"}, {"oh", "ow", "c", "r", "s"}, {"r", "s", "oh", "ow", "c"}};
            s.body = "O[(oh * OW + ow) * C + c] += I[((oh + r) * W + (ow + s)) * C + c] * F[(r * S + s) * C + c];";
            break;
        case OpKind::dense:
            s.loops = {{"m", d("M"), 0}, {"k", d("K"), 0}};
            s.tileable = {"m", "k"};
            s.point_orders = {{"m", "k"}, {"k", "m"}};
            s.body = "y[m] += Wt[m * K + k] * x[k];";
            s.defines = fmt::format("#define M {}\n#define K {}\n", d("M"), d("K"));
            s.signature = "const float *restrict Wt, const float *restrict x, float *restrict y";
            break;
        default: fail(ErrorKind::invalid_argument, "workload '{}': not one of the original operators", w.name);
    }
    for (auto& l : s.loops) l.tile = l.extent;
    if (w.op == OpKind::conv2d_nhwc || w.op == OpKind::conv2d_nchw) {
        s.defines =
            fmt::format("#define H {}\n#define W {}\n#define C {}\n#define K {}\n#define R {}\n#define S {}\n"
                        "#define OH {}\n#define OW {}\n",
                        d("H"), d("W"), d("C"), d("K"), d("R"), d("S"), d("H") - d("R") + 1, d("W") - d("S") + 1);
        s.signature = "const float *restrict I, const float *restrict F, float *restrict O";
    }
    if (w.op == OpKind::depthwise_conv2d_nhwc) {
        s.defines = fmt::format(
            "#define H {}\n#define W {}\n#define C {}\n#define R {}\n#define S {}\n#define OH {}\n#define OW {}\n",
            d("H"), d("W"), d("C"), d("R"), d("S"), d("H") - d("R") + 1, d("W") - d("S") + 1);
        s.signature = "const float *restrict I, const float *restrict F, float *restrict O";
    }
    return s;
}

/// The frozen generator of the original operators: every schedule, unshuffled.
std::vector<Variant> original_variants(const Workload& workload) {
    const OpSpace space = op_space(workload);
    std::vector<std::vector<int>> tile_sets;
    for (const auto& var : space.tileable) tile_sets.push_back(tile_choices(find(space.loops, var).extent));
    const auto tile_orders = permutations(space.tileable);
    const std::vector<int> unrolls{1, 4, 8};
    const std::vector<int> vecs{0, 1, 2};
    const std::vector<int> packs = space.packed_body.empty() ? std::vector<int>{0} : std::vector<int>{0, 1};

    // Enumerate the product space by mixed-radix counting.
    std::vector<std::size_t> radices;
    for (const auto& t : tile_sets) radices.push_back(t.size());
    radices.insert(radices.end(),
                   {tile_orders.size(), space.point_orders.size(), unrolls.size(), vecs.size(), packs.size()});
    const std::size_t total = std::accumulate(radices.begin(), radices.end(), std::size_t{1}, std::multiplies<>{});

    std::vector<Variant> all;
    for (std::size_t index = 0; index < total; ++index) {
        std::vector<std::size_t> digit(radices.size());
        std::size_t rest = index;
        for (std::size_t r = 0; r < radices.size(); ++r) {
            digit[r] = rest % radices[r];
            rest /= radices[r];
        }
        Nest nest;
        nest.loops = space.loops;
        Variant v;
        v.workload = workload.name;
        std::string id;
        for (std::size_t t = 0; t < space.tileable.size(); ++t) {
            const int tile = tile_sets[t][digit[t]];
            std::ranges::find(nest.loops, space.tileable[t], &Loop::var)->tile = tile;
            v.knobs["t" + space.tileable[t]] = tile;
            id += fmt::format("t{}{}-", space.tileable[t], tile);
        }
        std::size_t r = space.tileable.size();
        const auto& tile_order = tile_orders[digit[r]];
        const auto& point_order = space.point_orders[digit[r + 1]];
        const int unroll = unrolls[digit[r + 2]], vec = vecs[digit[r + 3]], pack = packs[digit[r + 4]];
        // Only tiled loops get a tile loop; orders that differ only in untiled loops are the same
        // schedule, so keep just the first of them.
        for (const auto& var : tile_order)
            if (find(nest.loops, var).tile != find(nest.loops, var).extent) nest.tile_order.push_back(var);
        // Canonical form: the tiled loops in this order, then the untiled ones in sorted order.
        std::vector<std::string> canonical = nest.tile_order;
        for (const auto& var : tile_orders[0])
            if (std::ranges::find(canonical, var) == canonical.end()) canonical.push_back(var);
        if (canonical != tile_order) continue;
        nest.point_order = point_order;
        nest.unroll = unroll;
        nest.body = pack ? space.packed_body : space.body;
        if (pack) {
            const auto& j = find(nest.loops, "j");
            const auto& k = find(nest.loops, "k");
            if (j.tile * k.tile > 64 * 64) continue; // the packed tile lives on the stack
            nest.before_points =
                fmt::format("float Bp[{} * {}]; for (int pk = 0; pk < {}; ++pk) for (int pj = 0; pj < {}; ++pj) "
                            "Bp[pk * {} + pj] = B[(k0 + pk) * N + j0 + pj];",
                            k.tile, j.tile, k.tile, j.tile, j.tile);
        }
        v.knobs["order"] = static_cast<int>(digit[r]);
        v.knobs["inner"] = static_cast<int>(digit[r + 1]);
        v.knobs["unroll"] = unroll;
        v.knobs["vec"] = vec;
        if (!space.packed_body.empty()) v.knobs["pack"] = pack;
        id += fmt::format("o{}-i{}-u{}-v{}", fmt::join(nest.tile_order, ""), digit[r + 1], unroll, vec);
        if (!space.packed_body.empty()) id += fmt::format("-p{}", pack);
        v.id = id;
        v.buffers = workload.buffers();
        if (vec == 0) v.flags = {"-fno-tree-vectorize"};
        if (vec == 2) v.flags = {"-O3"};
        const std::string tj_define = pack ? fmt::format("#define TJ {}\n", find(nest.loops, "j").tile) : "";
        v.source = fmt::format("/* simtune workload {} variant {} */\n{}{}void simtune_kernel({}) {{\n{}}}\n",
                               workload.name, v.id, space.defines, tj_define, space.signature, emit(nest));
        all.push_back(std::move(v));
    }
    return all;
}

} // namespace

std::vector<Variant> enumerate_variants(const Workload& workload, std::size_t max_variants, std::uint64_t seed) {
    auto all = detail::is_original_op(workload.op) ? original_variants(workload) : detail::family_variants(workload);
    deterministic_shuffle(all, seed);
    if (max_variants && all.size() > max_variants) all.resize(max_variants);
    return all;
}

Variant reference_variant(const Workload& workload) {
    if (!detail::is_original_op(workload.op)) return detail::family_variants(workload).front();
    // The original generator's naive point: every tileable loop at its full extent (which also
    // leaves a single tile order), the first inner order, no unrolling, vectorisation or packing.
    const auto loops = op_space(workload).loops;
    for (auto& v : original_variants(workload)) {
        bool naive = v.knobs.at("inner") == 0 && v.knobs.at("unroll") == 1 && v.knobs.at("vec") == 0 &&
                     (!v.knobs.contains("pack") || v.knobs.at("pack") == 0);
        for (const auto& [knob, value] : v.knobs)
            if (knob.starts_with("t")) naive = naive && value == find(loops, knob.substr(1)).extent;
        if (naive) return v;
    }
    fail(ErrorKind::invalid_argument, "workload '{}' has no naive variant", workload.name);
}

} // namespace simtune
