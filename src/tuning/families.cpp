// The corpus operator families: the operators an ML compiler generates besides the six original
// built-in workloads, each with the schedule choices a compiler makes for it. A family is a list
// of knobs (each with its naive value first) and a function from one knob assignment to C source;
// the product of the knobs, minus invalid and duplicate schedules, is the workload's space, and the
// all-first assignment is the naive reference schedule.
//
// Kernels follow the original workloads' conventions: outputs arrive zeroed from the harness and
// reductions into them accumulate (`+=`); kernels whose result is not a sum (max pooling, softmax,
// norms, copies) write every output element. Where a schedule reorders a floating-point reduction
// (partial-sum accumulators, online softmax, one-pass variance, reciprocal instead of division) its
// result differs from the reference by rounding only; every other schedule is bit-identical to the
// reference (x86-64-v2 has no FMA, so GCC cannot contract a*b+c differently between variants).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "families.hpp"
#include "loop_nest.hpp"
#include "simtune/error.hpp"

namespace simtune::detail {

namespace {

using Knobs = std::map<std::string, int>;

/// One schedule parameter: its name in Variant::knobs, its prefix in the variant id, its values
/// (the naive one first).
struct Knob {
    std::string name, prefix;
    std::vector<int> values;
};

/// A kernel for one knob assignment (defines, signature and body), or nullopt if invalid.
using Generator = std::function<std::optional<std::string>(const Knobs&)>;

std::vector<int> indices(std::size_t n) {
    std::vector<int> v(n);
    std::iota(v.begin(), v.end(), 0);
    return v;
}

/// The vectorisation levels every family offers, as in the original workloads.
Knob vec_knob() { return {"vec", "v", {0, 1, 2}}; }

/// Every valid, distinct schedule of the knob product, the all-naive one first. Two assignments
/// that generate the same code and flags (an order knob over untiled loops, say) are one schedule:
/// the first is kept.
std::vector<Variant> product_variants(const Workload& w, const std::vector<Knob>& knobs, const Generator& generate,
                                      const std::vector<std::string>& extra_flags = {}) {
    std::size_t total = 1;
    for (const auto& k : knobs) total *= k.values.size();
    std::vector<Variant> all;
    std::set<std::string> seen;
    for (std::size_t index = 0; index < total; ++index) {
        // Mixed-radix digits, the last knob varying fastest.
        Knobs values;
        std::size_t rest = index;
        for (std::size_t i = knobs.size(); i-- > 0;) {
            values[knobs[i].name] = knobs[i].values[rest % knobs[i].values.size()];
            rest /= knobs[i].values.size();
        }
        auto code = generate(values);
        if (!code) continue;
        std::vector<std::string> flags = extra_flags;
        if (const int vec = values.at("vec"); vec == 0) flags.push_back("-fno-tree-vectorize");
        else if (vec == 2) flags.push_back("-O3");
        if (!seen.insert(*code + fmt::format("{}", fmt::join(flags, " "))).second) continue;
        Variant v;
        v.workload = w.name;
        std::vector<std::string> parts;
        for (const auto& k : knobs) parts.push_back(fmt::format("{}{}", k.prefix, values.at(k.name)));
        v.id = fmt::format("{}", fmt::join(parts, "-"));
        v.knobs = values;
        v.source = fmt::format("/* simtune workload {} variant {} */\n{}", w.name, v.id, *code);
        v.buffers = w.buffers();
        v.flags = std::move(flags);
        all.push_back(std::move(v));
    }
    if (all.empty()) fail(ErrorKind::invalid_argument, "workload '{}' has no valid schedule", w.name);
    return all;
}

/// A tiled loop nest: which loops may be tiled (and with which tiles, the full extent first), the
/// candidate point-loop orders, and the innermost statement.
struct NestSpec {
    std::vector<Loop> loops;                                     ///< tile = extent
    std::vector<std::pair<std::string, std::vector<int>>> tiles; ///< tileable loop, tile sizes
    std::vector<std::vector<std::string>> point_orders;
    std::string body;
};

/// Tile sizes for a loop: untiled first, then the given sizes that divide the extent.
std::vector<int> tiles_of(int extent, std::initializer_list<int> sizes) {
    std::vector<int> t{extent};
    for (int s : sizes)
        if (s < extent && extent % s == 0) t.push_back(s);
    return t;
}

/// The knobs of a nest: a tile per tileable loop, the order of the tile loops, the point order,
/// the unroll factor of the innermost loop, and vectorisation.
std::vector<Knob> nest_knobs(const NestSpec& s, std::vector<int> unrolls = {1, 4}) {
    std::vector<Knob> k;
    std::vector<std::string> vars;
    for (const auto& [var, sizes] : s.tiles) {
        k.push_back({"t" + var, "t" + var, sizes});
        vars.push_back(var);
    }
    if (vars.size() > 1) k.push_back({"order", "o", indices(permutations(vars).size())});
    if (s.point_orders.size() > 1) k.push_back({"inner", "i", indices(s.point_orders.size())});
    k.push_back({"unroll", "u", std::move(unrolls)});
    k.push_back(vec_knob());
    return k;
}

/// The nest for one assignment of nest_knobs.
Nest nest_of(const NestSpec& s, const Knobs& k) {
    Nest n;
    n.loops = s.loops;
    std::vector<std::string> vars;
    for (const auto& [var, sizes] : s.tiles) {
        std::ranges::find(n.loops, var, &Loop::var)->tile = k.at("t" + var);
        vars.push_back(var);
    }
    const auto orders = permutations(vars);
    for (const auto& var : orders[k.contains("order") ? static_cast<std::size_t>(k.at("order")) : 0]) {
        const auto& l = find(n.loops, var);
        if (l.tile != l.extent) n.tile_order.push_back(var);
    }
    n.point_order = s.point_orders[k.contains("inner") ? static_cast<std::size_t>(k.at("inner")) : 0];
    n.unroll = k.at("unroll");
    n.body = s.body;
    return n;
}

std::string kernel(const std::string& defines, const std::string& signature, const std::string& body) {
    return fmt::format("{}void simtune_kernel({}) {{\n{}}}\n", defines, signature, body);
}

/// `#define NAME value` for each upper-case dimension of the workload (lower-case ones, such as
/// stride, are spelled by the family as it needs them), then the extra ones.
std::string dim_defines(const Workload& w, std::initializer_list<std::pair<const char*, int>> extra = {}) {
    std::string d;
    for (const auto& [name, value] : w.dims)
        if (std::ranges::all_of(name, [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
            d += fmt::format("#define {} {}\n", name, value);
    for (const auto& [name, value] : extra) d += fmt::format("#define {} {}\n", name, value);
    return d;
}

/// A family that is one tiled loop nest, with code before it (initialisation) and after it.
std::vector<Variant> nest_family(const Workload& w, const NestSpec& s, const std::string& defines,
                                 const std::string& signature, const std::string& prologue = "",
                                 const std::string& epilogue = "") {
    return product_variants(w, nest_knobs(s), [&](const Knobs& k) -> std::optional<std::string> {
        return kernel(defines, signature, prologue + emit(nest_of(s, k)) + epilogue);
    });
}

/// `#pragma GCC unroll` line for an innermost loop, or nothing.
std::string unroll_pragma(int unroll, const std::string& indent) {
    return unroll > 1 ? fmt::format("{}#pragma GCC unroll {}\n", indent, unroll) : "";
}

/// log2 of a power of two (the floor of it for any other n >= 1): the shifts that map a hash onto
/// a power-of-two range, and the stages of radix-2 networks.
int log2_floor(std::uint64_t n) {
    int l = 0;
    for (; n > 1; n /= 2) ++l;
    return l;
}

/// Loop headers for `vars`, outermost first, each `for (int v = from; v < to; ++v)` with (from,
/// to) = range(v), the innermost under `unroll`'s pragma; the statement goes after them at the
/// returned indent.
std::pair<std::string, std::string>
loop_headers(const std::vector<std::string>& vars,
             const std::function<std::pair<std::string, std::string>(const std::string&)>& range, int unroll) {
    std::string b, indent = "    ";
    for (std::size_t l = 0; l < vars.size(); ++l) {
        if (l + 1 == vars.size()) b += unroll_pragma(unroll, indent);
        const auto [from, to] = range(vars[l]);
        b += fmt::format("{0}for (int {1} = {2}; {1} < {3}; ++{1})\n", indent, vars[l], from, to);
        indent += "    ";
    }
    return {b, indent};
}

// ---- the families ------------------------------------------------------------------------------

const char* const f32_in_in_out_ABC = "const float *restrict A, const float *restrict B, float *restrict C";
const char* const conv_signature = "const float *restrict I, const float *restrict F, float *restrict O";

/// C[b] += A[b] * B[b] for NB independent matrices. Knobs: GEMM tiles and orders, and whether the
/// batch loop runs outside the tile loops (one matrix at a time) or inside them.
std::vector<Variant> batch_matmul(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N"), K = w.dim("K");
    NestSpec s;
    s.loops = {{"b", w.dim("NB"), 1}, {"i", M, M}, {"j", N, N}, {"k", K, K}};
    s.tiles = {{"i", tiles_of(M, {16})}, {"j", tiles_of(N, {16})}, {"k", tiles_of(K, {16})}};
    s.point_orders = {{"b", "i", "k", "j"}, {"b", "i", "j", "k"}, {"b", "k", "i", "j"}};
    s.body = "C[(b * M + i) * N + j] += A[(b * M + i) * K + k] * B[(b * K + k) * N + j];";
    auto knobs = nest_knobs(s);
    knobs.insert(knobs.begin(), Knob{"batch_inside", "b", {0, 1}});
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        Nest n = nest_of(s, k);
        // The batch loop has tile 1: its tile loop walks the matrices, its point loop is trivial.
        if (k.at("batch_inside")) n.tile_order.push_back("b");
        else n.tile_order.insert(n.tile_order.begin(), "b");
        return kernel(dim_defines(w), f32_in_in_out_ABC, emit(n));
    });
}

/// y[n] += sum_k A[k][n] x[k]: a matrix-vector product whose matrix is stored transposed, so the
/// naive order (one output at a time) walks columns with stride N.
std::vector<Variant> gemv_transposed(const Workload& w) {
    const int K = w.dim("K"), N = w.dim("N");
    NestSpec s;
    s.loops = {{"n", N, N}, {"k", K, K}};
    s.tiles = {{"n", tiles_of(N, {16, 64})}, {"k", tiles_of(K, {64})}};
    s.point_orders = {{"n", "k"}, {"k", "n"}};
    s.body = "y[n] += A[k * N + n] * x[k];";
    return nest_family(w, s, dim_defines(w), "const float *restrict A, const float *restrict x, float *restrict y");
}

/// NHWC conv2d with a stride and a dilation (one of them 1): the original conv2d's knobs.
std::vector<Variant> conv2d_general(const Workload& w, int stride, int dilation) {
    const int OH = (w.dim("H") - dilation * (w.dim("R") - 1) - 1) / stride + 1;
    const int OW = (w.dim("W") - dilation * (w.dim("S") - 1) - 1) / stride + 1;
    const int K = w.dim("K");
    NestSpec s;
    s.loops = {{"oh", OH, OH},
               {"ow", OW, OW},
               {"k", K, K},
               {"r", w.dim("R"), w.dim("R")},
               {"s", w.dim("S"), w.dim("S")},
               {"c", w.dim("C"), w.dim("C")}};
    s.tiles = {{"oh", tiles_of(OH, {4})}, {"ow", tiles_of(OW, {4})}, {"k", tiles_of(K, {8})}};
    s.point_orders = {
        {"oh", "ow", "k", "r", "s", "c"}, {"oh", "ow", "r", "s", "c", "k"}, {"r", "s", "oh", "ow", "c", "k"}};
    s.body = "O[(oh * OW + ow) * K + k] += I[((oh * STRIDE + r * DIL) * W + (ow * STRIDE + s * DIL)) * C + c] * "
             "F[((r * S + s) * C + c) * K + k];";
    return nest_family(w, s, dim_defines(w, {{"OH", OH}, {"OW", OW}, {"STRIDE", stride}, {"DIL", dilation}}),
                       conv_signature);
}

/// NHWC conv2d in G groups (each output channel sees C/G input channels). Knobs: spatial tiles,
/// whether the group loop is outermost or inside the pixel loops, and the channel loops' order.
std::vector<Variant> grouped_conv2d(const Workload& w) {
    const int OH = w.dim("H") - w.dim("R") + 1, OW = w.dim("W") - w.dim("S") + 1, G = w.dim("G");
    NestSpec s;
    s.loops = {{"g", G, G},
               {"oh", OH, OH},
               {"ow", OW, OW},
               {"kk", w.dim("K") / G, w.dim("K") / G},
               {"r", w.dim("R"), w.dim("R")},
               {"s", w.dim("S"), w.dim("S")},
               {"cc", w.dim("C") / G, w.dim("C") / G}};
    s.tiles = {{"oh", tiles_of(OH, {4})}, {"ow", tiles_of(OW, {4})}};
    s.point_orders = {{"g", "oh", "ow", "kk", "r", "s", "cc"},
                      {"oh", "ow", "g", "kk", "r", "s", "cc"},
                      {"oh", "ow", "g", "r", "s", "cc", "kk"},
                      {"g", "r", "s", "oh", "ow", "cc", "kk"}};
    s.body = "O[(oh * OW + ow) * K + g * KG + kk] += I[((oh + r) * W + ow + s) * C + g * CG + cc] * "
             "F[(((g * R + r) * S + s) * CG + cc) * KG + kk];";
    return nest_family(w, s, dim_defines(w, {{"OH", OH}, {"OW", OW}, {"CG", w.dim("C") / G}, {"KG", w.dim("K") / G}}),
                       conv_signature);
}

/// 1x1 conv2d, NHWC: O[p][k] += I[p][c] F[c][k] over the H*W pixels p.
std::vector<Variant> pointwise_conv2d(const Workload& w) {
    const int P = w.dim("H") * w.dim("W"), C = w.dim("C"), K = w.dim("K");
    NestSpec s;
    s.loops = {{"p", P, P}, {"k", K, K}, {"c", C, C}};
    s.tiles = {{"p", tiles_of(P, {16})}, {"k", tiles_of(K, {16})}, {"c", tiles_of(C, {32})}};
    s.point_orders = {{"p", "k", "c"}, {"p", "c", "k"}, {"c", "p", "k"}};
    s.body = "O[p * K + k] += I[p * C + c] * F[c * K + k];";
    return nest_family(w, s, dim_defines(w, {{"P", P}}), conv_signature);
}

/// Out[j][i] = In[i][j]: pure data movement, one side strided whatever the order; tiles make
/// both sides cache-friendly.
std::vector<Variant> transpose2d(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N");
    NestSpec s;
    s.loops = {{"i", M, M}, {"j", N, N}};
    s.tiles = {{"i", tiles_of(M, {8, 16, 32, 64})}, {"j", tiles_of(N, {8, 16, 32, 64})}};
    s.point_orders = {{"i", "j"}, {"j", "i"}};
    s.body = "Out[j * M + i] = In[i * N + j];";
    return nest_family(w, s, dim_defines(w), "const float *restrict In, float *restrict Out");
}

/// The im2col copy in front of a conv2d-as-GEMM: row (oh, ow) of the patch matrix holds the R x S
/// x C window. Data movement only; the orders trade contiguous writes for contiguous reads.
std::vector<Variant> im2col(const Workload& w) {
    const int OH = w.dim("H") - w.dim("R") + 1, OW = w.dim("W") - w.dim("S") + 1;
    NestSpec s;
    s.loops = {{"oh", OH, OH},
               {"ow", OW, OW},
               {"r", w.dim("R"), w.dim("R")},
               {"s", w.dim("S"), w.dim("S")},
               {"c", w.dim("C"), w.dim("C")}};
    s.tiles = {{"oh", tiles_of(OH, {4})}, {"ow", tiles_of(OW, {4})}};
    s.point_orders = {{"oh", "ow", "r", "s", "c"},
                      {"r", "s", "oh", "ow", "c"},
                      {"r", "s", "c", "oh", "ow"},
                      {"c", "oh", "ow", "r", "s"}};
    s.body = "O[(oh * OW + ow) * (R * S * C) + (r * S + s) * C + c] = I[((oh + r) * W + ow + s) * C + c];";
    return nest_family(w, s, dim_defines(w, {{"OH", OH}, {"OW", OW}}), "const float *restrict I, float *restrict O");
}

/// y = relu(x * g[c] + b[c]) + x over an R x C activation: a fused bias-scale-relu-residual chain.
/// Knobs: how many passes over memory (3 = one operation per pass, as an unfused framework runs
/// it; 2; 1 = fused), a block of rows the passes run over (cache blocking of a multi-pass chain),
/// the traversal order, unrolling and vectorisation.
std::vector<Variant> elementwise_chain(const Workload& w) {
    const int R = w.dim("R");
    const std::vector<Knob> knobs{{"passes", "p", {3, 2, 1}},
                                  {"trows", "tr", tiles_of(R, {4, 32})},
                                  {"inner", "i", {0, 1}},
                                  {"unroll", "u", {1, 4, 8}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int passes = k.at("passes"), tr = k.at("trows");
        if (passes == 1 && tr != R) return std::nullopt; // one pass: nothing to block
        std::vector<std::string> stmts;
        if (passes == 3)
            stmts = {"y[r * C + c] = x[r * C + c] * g[c] + b[c];",
                     "y[r * C + c] = y[r * C + c] > 0.0f ? y[r * C + c] : 0.0f;",
                     "y[r * C + c] = y[r * C + c] + x[r * C + c];"};
        if (passes == 2)
            stmts = {"y[r * C + c] = x[r * C + c] * g[c] + b[c];",
                     "{ const float t = y[r * C + c]; y[r * C + c] = (t > 0.0f ? t : 0.0f) + x[r * C + c]; }"};
        if (passes == 1)
            stmts = {
                "{ const float t = x[r * C + c] * g[c] + b[c]; y[r * C + c] = (t > 0.0f ? t : 0.0f) + x[r * C + c]; }"};
        const bool rows_outer = k.at("inner") == 0;
        std::string body = fmt::format("    for (int r0 = 0; r0 < R; r0 += {}) {{\n", tr);
        for (const auto& stmt : stmts) {
            if (rows_outer)
                body += fmt::format("        for (int r = r0; r < r0 + {}; ++r) {{\n{}            for (int c = 0; c < "
                                    "C; ++c) {}\n        }}\n",
                                    tr, unroll_pragma(k.at("unroll"), "            "), stmt);
            else
                body += fmt::format("        for (int c = 0; c < C; ++c) {{\n{}            for (int r = r0; r < r0 + "
                                    "{}; ++r) {}\n        }}\n",
                                    unroll_pragma(k.at("unroll"), "            "), tr, stmt);
        }
        body += "    }\n";
        return kernel(dim_defines(w),
                      "const float *restrict x, const float *restrict g, const float *restrict b, float *restrict y",
                      body);
    });
}

/// The code that sums `expr(j)` over j in [lo, lo + n) into `target` (a float lvalue, `+=`) with
/// `acc` partial sums: 0 = straight into target (the reference order), 1 = one register
/// accumulator (same order), more = interleaved partial sums added pairwise at the end (another
/// rounding). `n` must be a multiple of `acc`.
std::string sum_loop(const std::string& target, const std::string& expr_of_j, const std::string& lo,
                     const std::string& n, int acc, int unroll, const std::string& indent) {
    if (acc == 0)
        return fmt::format("{}for (int j = {}; j < {} + {}; ++j) {} += {};\n", indent, lo, lo, n, target, expr_of_j);
    std::string code = indent + "{\n";
    const std::string in = indent + "    ";
    if (acc == 1) {
        code += fmt::format("{}float s0 = {};\n{}", in, target, unroll_pragma(unroll, in));
        code += fmt::format("{}for (int j = {}; j < {} + {}; ++j) s0 += {};\n{}{} = s0;\n", in, lo, lo, n, expr_of_j,
                            in, target);
    } else {
        std::string decl, step, total;
        for (int a = 0; a < acc; ++a) {
            decl += fmt::format("{}float s{} = 0.0f;\n", in, a);
            std::string e = expr_of_j;
            // Substitute j by (j + a) in the expression: the expressions use `j` as a whole word.
            std::string shifted;
            for (std::size_t p = 0; p < e.size(); ++p) {
                auto name_char = [&](std::size_t q) {
                    return std::isalnum(static_cast<unsigned char>(e[q])) || e[q] == '_';
                };
                const bool word =
                    e[p] == 'j' && (p == 0 || !name_char(p - 1)) && (p + 1 == e.size() || !name_char(p + 1));
                shifted += word && a ? fmt::format("(j + {})", a) : std::string(1, e[p]);
            }
            step += fmt::format(" s{} += {};", a, shifted);
        }
        // Pairwise: ((s0 + s1) + (s2 + s3)) ...
        std::vector<std::string> terms;
        for (int a = 0; a < acc; ++a) terms.push_back(fmt::format("s{}", a));
        while (terms.size() > 1) {
            std::vector<std::string> next;
            for (std::size_t t = 0; t + 1 < terms.size(); t += 2)
                next.push_back(fmt::format("({} + {})", terms[t], terms[t + 1]));
            terms = next;
        }
        code += decl + unroll_pragma(unroll, in);
        code += fmt::format("{}for (int j = {}; j < {} + {}; j += {}) {{{} }}\n{}{} += {};\n", in, lo, lo, n, acc, step,
                            in, target, terms[0]);
    }
    return code + indent + "}\n";
}

/// The tile loops of a 2-D schedule over rows i (tile ti of M) and columns j (tile tj of N), the
/// i0 loop outside unless `order` is 1, opened at four spaces of indent; an untiled loop is
/// `const int i0 = 0;` (or j0). nullopt for order 1 with fewer than two tile loops: no choice.
struct TileLoops {
    std::string code;   ///< the opened loops
    std::string indent; ///< the indent inside them
    std::size_t opened = 0;

    /// The closing braces of the opened loops.
    [[nodiscard]] std::string close() const {
        std::string out, in = indent;
        for (std::size_t l = 0; l < opened; ++l) {
            in.resize(in.size() - 4);
            out += in + "}\n";
        }
        return out;
    }
};

std::optional<TileLoops> ij_tile_loops(int ti, int M, int tj, int N, int order) {
    std::vector<std::string> loops;
    if (ti != M) loops.push_back(fmt::format("for (int i0 = 0; i0 < M; i0 += {})", ti));
    if (tj != N) loops.push_back(fmt::format("for (int j0 = 0; j0 < N; j0 += {})", tj));
    if (order == 1) {
        if (loops.size() < 2) return std::nullopt;
        std::ranges::reverse(loops);
    }
    TileLoops t{"", "    ", loops.size()};
    for (const auto& l : loops) {
        t.code += t.indent + l + " {\n";
        t.indent += "    ";
    }
    if (ti == M) t.code += t.indent + "const int i0 = 0;\n";
    if (tj == N) t.code += t.indent + "const int j0 = 0;\n";
    return t;
}

/// out[i] += sum_j x[i][j]: a reduction along the contiguous axis. Knobs: tiles, tile order,
/// whether rows or columns are the outer point loop, and the accumulators (in memory, one
/// register, or 2/4/8 partial sums — only with rows outer).
std::vector<Variant> reduce_rows(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N");
    const std::vector<Knob> knobs{{"ti", "ti", tiles_of(M, {16})},
                                  {"tj", "tj", tiles_of(N, {64})},
                                  {"order", "o", {0, 1}},
                                  {"inner", "i", {0, 1}},
                                  {"acc", "a", {0, 1, 2, 4, 8}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int ti = k.at("ti"), tj = k.at("tj"), acc = k.at("acc");
        const bool rows_outer = k.at("inner") == 0;
        if (!rows_outer && acc) return std::nullopt;
        const auto tiles = ij_tile_loops(ti, M, tj, N, k.at("order"));
        if (!tiles) return std::nullopt;
        std::string body = tiles->code;
        const std::string& indent = tiles->indent;
        if (rows_outer) {
            body += fmt::format("{}for (int i = i0; i < i0 + {}; ++i) {{\n", indent, ti);
            if (acc == 0) body += unroll_pragma(k.at("unroll"), indent + "    ");
            body += sum_loop("out[i]", "x[i * N + j]", "j0", std::to_string(tj), acc, k.at("unroll"), indent + "    ");
            body += indent + "}\n";
        } else {
            body += fmt::format("{}for (int j = j0; j < j0 + {}; ++j) {{\n{}", indent, tj,
                                unroll_pragma(k.at("unroll"), indent + "    "));
            body += fmt::format("{}    for (int i = i0; i < i0 + {}; ++i) out[i] += x[i * N + j];\n{}}}\n", indent, ti,
                                indent);
        }
        body += tiles->close();
        return kernel(dim_defines(w), "const float *restrict x, float *restrict out", body);
    });
}

/// out[j] += sum_i x[i][j]: a reduction along the outer axis; rows outer streams memory and
/// vectorises across j, columns outer walks memory with stride N.
std::vector<Variant> reduce_cols(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N");
    NestSpec s;
    s.loops = {{"i", M, M}, {"j", N, N}};
    s.tiles = {{"i", tiles_of(M, {16, 64})}, {"j", tiles_of(N, {16, 64})}};
    s.point_orders = {{"j", "i"}, {"i", "j"}};
    s.body = "out[j] += x[i * N + j];";
    return nest_family(w, s, dim_defines(w), "const float *restrict x, float *restrict out");
}

/// The body both exponentials below end with, from x <= 0: 2^n * p(r) with r = x - n ln 2,
/// |r| <= ln 2 / 2, p a degree-6 Taylor polynomial; relative error about 1e-6 (2e-7 near 0).
constexpr std::string_view exp_polynomial = R"(    const int n = (int)(x * 1.44269504f - 0.5f);
    const float r = x - (float)n * 0.693147181f;
    const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666667f + r * (0.0416666667f + r * (0.00833333333f + r * 0.00138888889f)))));
    union { float f; int i; } scale;
    scale.i = (n + 127) << 23;
    return p * scale.f;
}
)";

/// exp(x) for x <= 0 in plain C (a kernel may not call libm), x clamped to -87.
const std::string exp_function = std::string(R"(static inline float simtune_exp(float x) {
    if (x < -87.0f) x = -87.0f;
)") + std::string(exp_polynomial);

/// exp(-a) for a >= 0 as simtune_exp, a clamped to 87 on its bits (an integer minimum, no branch:
/// simtune_exp's clamp keeps GCC from vectorising a loop). The LSTM's activations and the selective
/// scan's decay use it.
const std::string exp_neg_function = std::string(R"(static inline float exp_neg(float a) {
    union { float f; unsigned u; } c;
    c.f = a;
    c.u = c.u < 0x42AE0000u ? c.u : 0x42AE0000u;
    const float x = -c.f;
)") + std::string(exp_polynomial);

/// exp(-a) (exp_neg), then sigmoid and tanh from it, branch-free: the LSTM and GRU cells'
/// activations, one text so both families' kernels compute them alike.
const std::string sigmoid_tanh_functions = exp_neg_function +
                                           "static inline float sigm(float v) {\n"
                                           "    const float e = exp_neg(__builtin_fabsf(v));\n"
                                           "    return (v >= 0.0f ? 1.0f : e) / (1.0f + e);\n}\n"
                                           "static inline float tanh_(float v) {\n"
                                           "    const float e = exp_neg(2.0f * __builtin_fabsf(v));\n"
                                           "    return __builtin_copysignf((1.0f - e) / (1.0f + e), v);\n}\n";

/// y = softmax(x) along each row of R x C. Knobs: the algorithm (0: three passes — max, exp stored
/// to y and summed, scale; 1: three passes recomputing exp instead of storing it; 2: two passes,
/// online max and rescaled sum, then exp and scale), scaling by division or by a reciprocal, the
/// sum's accumulators, unrolling and vectorisation.
std::vector<Variant> softmax_rows(const Workload& w) {
    const std::vector<Knob> knobs{
        {"alg", "a", {0, 1, 2}}, {"recip", "r", {0, 1}}, {"acc", "s", {1, 2, 4}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int alg = k.at("alg"), acc = k.at("acc"), unroll = k.at("unroll");
        if (alg == 2 && acc != 1) return std::nullopt; // the online sum is rescaled as it goes: one accumulator
        const std::string in = "        ", u = unroll_pragma(unroll, in);
        std::string b = "    for (int r = 0; r < R; ++r) {\n        const float *restrict xr = x + r * C;\n        "
                        "float *restrict yr = y + r * C;\n";
        b += "        float m = -3.0e38f, sum = 0.0f;\n";
        if (alg == 2) {
            b += u + "        for (int j = 0; j < C; ++j) {\n            const float v = xr[j];\n"
                     "            if (v > m) { sum = sum * simtune_exp(m - v); m = v; }\n            sum += "
                     "simtune_exp(v - m);\n        }\n";
        } else {
            b += u + "        for (int j = 0; j < C; ++j) m = xr[j] > m ? xr[j] : m;\n";
            if (alg == 0) b += u + "        for (int j = 0; j < C; ++j) yr[j] = simtune_exp(xr[j] - m);\n";
            b += sum_loop("sum", alg == 0 ? "yr[j]" : "simtune_exp(xr[j] - m)", "0", "C", acc, unroll, in);
        }
        const std::string value = alg == 0 ? "yr[j]" : "simtune_exp(xr[j] - m)";
        if (k.at("recip"))
            b += "        const float inv = 1.0f / sum;\n" + u +
                 fmt::format("        for (int j = 0; j < C; ++j) yr[j] = {} * inv;\n", value);
        else b += u + fmt::format("        for (int j = 0; j < C; ++j) yr[j] = {} / sum;\n", value);
        b += "    }\n";
        return kernel(dim_defines(w) + exp_function, "const float *restrict x, float *restrict y", b);
    });
}

/// y = (x - mean) / sqrt(var + eps) * gamma + beta along each row of R x C. Knobs: variance in
/// two passes (mean, then squared deviations) or one (sums of x and x^2), normalising by division
/// or by a reciprocal square root, the sums' accumulators, unrolling and vectorisation.
std::vector<Variant> layernorm_rows(const Workload& w) {
    const std::vector<Knob> knobs{
        {"onepass", "p", {0, 1}}, {"recip", "r", {0, 1}}, {"acc", "s", {1, 2, 4}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int acc = k.at("acc"), unroll = k.at("unroll");
            const std::string in = "        ", u = unroll_pragma(unroll, in);
            std::string b = "    for (int r = 0; r < R; ++r) {\n        const float *restrict xr = x + r * C;\n        "
                            "float *restrict yr = y + r * C;\n";
            b += "        float sum = 0.0f, sq = 0.0f;\n";
            b += sum_loop("sum", "xr[j]", "0", "C", acc, unroll, in);
            b += "        const float mean = sum / (float)C;\n";
            if (k.at("onepass")) {
                b += sum_loop("sq", "xr[j] * xr[j]", "0", "C", acc, unroll, in);
                b += "        const float var = sq / (float)C - mean * mean;\n";
            } else {
                b += sum_loop("sq", "(xr[j] - mean) * (xr[j] - mean)", "0", "C", acc, unroll, in);
                b += "        const float var = sq / (float)C;\n";
            }
            b += "        const float sd = __builtin_sqrtf(var + 1e-5f);\n";
            if (k.at("recip"))
                b += "        const float rs = 1.0f / sd;\n" + u +
                     "        for (int j = 0; j < C; ++j) yr[j] = (xr[j] - mean) * rs * gamma[j] + beta[j];\n";
            else b += u + "        for (int j = 0; j < C; ++j) yr[j] = (xr[j] - mean) / sd * gamma[j] + beta[j];\n";
            b += "    }\n";
            return kernel(
                dim_defines(w),
                "const float *restrict x, const float *restrict gamma, const float *restrict beta, float *restrict y",
                b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// Inference batch norm over NHWC: y = x * scale[c] + shift[c], scale = gamma / sqrt(|var| + eps)
/// (the input "variance" is a random buffer, hence |var|), shift = beta - mean * scale. Knobs: the
/// per-channel scale and shift folded once into a table before the loop, or recomputed per
/// element (same arithmetic, so the same bits); tiles, loop orders, unrolling, vectorisation.
std::vector<Variant> batchnorm_nhwc(const Workload& w) {
    const int P = w.dim("H") * w.dim("W"), C = w.dim("C");
    NestSpec s;
    s.loops = {{"p", P, P}, {"c", C, C}};
    s.tiles = {{"p", tiles_of(P, {16, 128})}, {"c", tiles_of(C, {16})}};
    s.point_orders = {{"p", "c"}, {"c", "p"}};
    auto knobs = nest_knobs(s);
    knobs.insert(knobs.begin(), Knob{"fold", "f", {0, 1}});
    const std::string defines = dim_defines(w, {{"P", P}});
    const std::string signature = "const float *restrict x, const float *restrict gamma, const float *restrict beta, "
                                  "const float *restrict mean, const float *restrict var, float *restrict y";
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            NestSpec folded = s;
            std::string prologue;
            if (k.at("fold")) {
                prologue = "    float scale[C], shift[C];\n    for (int c = 0; c < C; ++c) {\n"
                           "        scale[c] = gamma[c] / __builtin_sqrtf(__builtin_fabsf(var[c]) + 1e-5f);\n"
                           "        shift[c] = beta[c] - mean[c] * scale[c];\n    }\n";
                folded.body = "y[p * C + c] = x[p * C + c] * scale[c] + shift[c];";
            } else {
                folded.body = "{ const float sc = gamma[c] / __builtin_sqrtf(__builtin_fabsf(var[c]) + 1e-5f); "
                              "y[p * C + c] = x[p * C + c] * sc + (beta[c] - mean[c] * sc); }";
            }
            return kernel(defines, signature, prologue + emit(nest_of(folded, k)));
        },
        {"-fno-math-errno"});
}

/// Embedding lookup: out[t] = table[row(idx[t])] for T tokens of a V x D table. The harness fills
/// i32 buffers with small values (-100..100), so the kernel maps an index to a row by a
/// multiplicative hash modulo V, computed in unsigned arithmetic: any i32 gives a row in [0, V).
/// Knobs: a block of the row width the token loop runs over (d-blocks outer), rows computed per
/// token or into a table first, unrolling, vectorisation.
std::vector<Variant> embedding_gather(const Workload& w) {
    const int D = w.dim("D");
    const std::vector<Knob> knobs{
        {"td", "td", tiles_of(D, {16, 32})}, {"rows_first", "r", {0, 1}}, {"unroll", "u", {1, 4, 8}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int td = k.at("td");
        const std::string row = "(int)((unsigned)idx[t] * 2654435761u % (unsigned)V)";
        std::string b;
        if (k.at("rows_first"))
            b += fmt::format("    int rows[T];\n    for (int t = 0; t < T; ++t) rows[t] = {};\n", row);
        const std::string r = k.at("rows_first") ? "rows[t]" : row;
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        if (td == D) {
            b += fmt::format(
                "    for (int t = 0; t < T; ++t) {{\n        const float *restrict src = table + (long){} * D;\n"
                "{}        for (int d = 0; d < D; ++d) out[t * D + d] = src[d];\n    }}\n",
                r, unroll_pragma(k.at("unroll"), "        "));
        } else {
            b += fmt::format(
                "    for (int d0 = 0; d0 < D; d0 += {}) {{\n        for (int t = 0; t < T; ++t) {{\n"
                "            const float *restrict src = table + (long){} * D;\n"
                "{}            for (int d = d0; d < d0 + {}; ++d) out[t * D + d] = src[d];\n        }}\n    }}\n",
                td, r, u, td);
        }
        return kernel(dim_defines(w), "const float *restrict table, const int *restrict idx, float *restrict out", b);
    });
}

/// Max or average pooling, NHWC, window R x S with a stride. Max pooling first fills the output
/// with -FLT_MAX; average pooling sums the window and scales in a second pass.
std::vector<Variant> pooling(const Workload& w, bool max) {
    const int stride = w.dim("stride");
    const int OH = (w.dim("H") - w.dim("R")) / stride + 1, OW = (w.dim("W") - w.dim("S")) / stride + 1, C = w.dim("C");
    NestSpec s;
    s.loops = {
        {"oh", OH, OH}, {"ow", OW, OW}, {"c", C, C}, {"r", w.dim("R"), w.dim("R")}, {"s", w.dim("S"), w.dim("S")}};
    s.tiles = {{"oh", tiles_of(OH, {4})}, {"ow", tiles_of(OW, {4})}, {"c", tiles_of(C, {16})}};
    s.point_orders = {{"oh", "ow", "c", "r", "s"}, {"oh", "ow", "r", "s", "c"}, {"r", "s", "oh", "ow", "c"}};
    const std::string in = "I[((oh * STRIDE + r) * W + ow * STRIDE + s) * C + c]";
    const std::string out = "O[(oh * OW + ow) * C + c]";
    std::string prologue, epilogue;
    if (max) {
        s.body = fmt::format("{{ const float v = {}; {} = v > {} ? v : {}; }}", in, out, out, out);
        prologue = "    for (int i = 0; i < OH * OW * C; ++i) O[i] = -3.40282347e38f;\n";
    } else {
        s.body = fmt::format("{} += {};", out, in);
        epilogue = "    for (int i = 0; i < OH * OW * C; ++i) O[i] = O[i] / (float)(R * S);\n";
    }
    return nest_family(w, s, dim_defines(w, {{"OH", OH}, {"OW", OW}, {"STRIDE", stride}}),
                       "const float *restrict I, float *restrict O", prologue, epilogue);
}

/// C[i][j] += A[i][k] * B[k][j] on int8 inputs with int32 accumulation: a quantised GEMM. Integer
/// arithmetic, so every order gives the same bits; vectorised, GCC widens bytes to 16/32-bit lanes.
std::vector<Variant> qgemm(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N"), K = w.dim("K");
    NestSpec s;
    s.loops = {{"i", M, M}, {"j", N, N}, {"k", K, K}};
    s.tiles = {{"i", tiles_of(M, {8, 16})}, {"j", tiles_of(N, {16, 32})}, {"k", tiles_of(K, {32})}};
    s.point_orders = {{"i", "k", "j"}, {"i", "j", "k"}, {"k", "i", "j"}};
    s.body = "C[i * N + j] += (int)A[i * K + k] * (int)B[k * N + j];";
    return nest_family(w, s, dim_defines(w),
                       "const signed char *restrict A, const signed char *restrict B, int *restrict C");
}

/// C[i][j] += A[i][k] * B[k][j] in double precision: the GEMM nest with half the lanes per vector
/// and twice the bytes per element.
std::vector<Variant> dgemm(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N"), K = w.dim("K");
    NestSpec s;
    s.loops = {{"i", M, M}, {"j", N, N}, {"k", K, K}};
    s.tiles = {{"i", tiles_of(M, {8, 32})}, {"j", tiles_of(N, {16, 32})}, {"k", tiles_of(K, {16})}};
    s.point_orders = {{"i", "k", "j"}, {"i", "j", "k"}, {"j", "k", "i"}};
    s.body = "C[i * N + j] += A[i * K + k] * B[k * N + j];";
    return nest_family(w, s, dim_defines(w), "const double *restrict A, const double *restrict B, double *restrict C");
}

/// Inclusive prefix sums along each row of R x C: y[r][c] = y[r][c-1] + x[r][c], a loop-carried
/// dependency chain per row. Rows outer runs one chain at a time (latency-bound); columns outer
/// advances all rows of a block together (independent chains, strided accesses). Every order adds
/// the same terms in the same order: bit-identical.
std::vector<Variant> prefix_sum_rows(const Workload& w) {
    const int R = w.dim("R");
    const std::vector<Knob> knobs{{"trows", "tr", tiles_of(R, {4, 16, 64})},
                                  {"cols_outer", "c", {0, 1}},
                                  {"carry", "k", {0, 1}},
                                  {"unroll", "u", {1, 4, 8}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tr = k.at("trows");
        const bool cols_outer = k.at("cols_outer") == 1, carry = k.at("carry") == 1;
        if (cols_outer && carry) return std::nullopt; // a register carry needs the row's chain innermost
        std::string b = fmt::format("    for (int r0 = 0; r0 < R; r0 += {}) {{\n", tr);
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        if (cols_outer) {
            b += fmt::format("        for (int r = r0; r < r0 + {}; ++r) y[r * C] = x[r * C];\n", tr);
            b += fmt::format("        for (int c = 1; c < C; ++c) {{\n{}            for (int r = r0; r < r0 + {}; ++r) "
                             "y[r * C + c] = y[r * C + c - 1] + x[r * C + c];\n        }}\n",
                             u, tr);
        } else if (carry) {
            b += fmt::format(
                "        for (int r = r0; r < r0 + {}; ++r) {{\n            float s = 0.0f;\n"
                "{}            for (int c = 0; c < C; ++c) {{ s = s + x[r * C + c]; y[r * C + c] = s; }}\n        }}\n",
                tr, u);
        } else {
            b += fmt::format("        for (int r = r0; r < r0 + {}; ++r) {{\n            y[r * C] = x[r * C];\n"
                             "{}            for (int c = 1; c < C; ++c) y[r * C + c] = y[r * C + c - 1] + x[r * C + "
                             "c];\n        }}\n",
                             tr, u);
        }
        b += "    }\n";
        return kernel(dim_defines(w), "const float *restrict x, float *restrict y", b);
    });
}

/// A 5-point Jacobi stencil over the interior of an H x W grid: out[i][j] = 0.5 in[i+1][j+1] +
/// 0.125 (the four neighbours). Each output reads a 3-row window: tiles of columns keep the rows in
/// L1, the column-first order walks the grid with stride W.
std::vector<Variant> stencil5(const Workload& w) {
    const int OH = w.dim("H") - 2, OW = w.dim("W") - 2;
    NestSpec s;
    s.loops = {{"i", OH, OH}, {"j", OW, OW}};
    s.tiles = {{"i", tiles_of(OH, {8, 32})}, {"j", tiles_of(OW, {16, 64})}};
    s.point_orders = {{"i", "j"}, {"j", "i"}};
    s.body = "O[i * OW + j] = 0.5f * I[(i + 1) * W + j + 1] + 0.125f * (I[i * W + j + 1] + I[(i + 2) * W + j + 1] + "
             "I[(i + 1) * W + j] + I[(i + 1) * W + j + 2]);";
    return nest_family(w, s, dim_defines(w, {{"OH", OH}, {"OW", OW}}), "const float *restrict I, float *restrict O");
}

/// Sparse matrix times vector in ELLPACK form: row i has E nonzeros with values v[i][e] and columns
/// derived from the i32 index buffer and the position (a hash into [0, N), as a CSR's column array
/// would hold them): random gathers from x. Knobs: rows outer (one row's sum at a time, in memory
/// or in a register) or nonzero slots outer over a block of rows (ELL's column-major sweep, the
/// block of y kept in cache), unrolling, vectorisation. Each y[i] adds its terms in slot order in
/// every schedule: bit-identical.
std::vector<Variant> spmv_ell(const Workload& w) {
    const int M = w.dim("M");
    const std::vector<Knob> knobs{{"slots_outer", "s", {0, 1}},
                                  {"trows", "tr", tiles_of(M, {64, 512})},
                                  {"acc", "a", {0, 1}},
                                  {"unroll", "u", {1, 4, 8}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tr = k.at("trows"), acc = k.at("acc");
        const bool slots_outer = k.at("slots_outer") == 1;
        if (slots_outer && acc) return std::nullopt;      // the sum lives in y while slots are outer
        if (!slots_outer && tr != M) return std::nullopt; // rows outer: blocking rows changes nothing
        const std::string col =
            "(int)(((unsigned)idx[i * E + e] * 7919u + (unsigned)(i * E + e) * 2654435761u) >> COLSHIFT)";
        const std::string term = fmt::format("v[i * E + e] * x[{}]", col);
        std::string b;
        if (slots_outer) {
            b += fmt::format("    for (int i0 = 0; i0 < M; i0 += {}) {{\n        for (int e = 0; e < E; ++e) {{\n{}"
                             "            for (int i = i0; i < i0 + {}; ++i) y[i] += {};\n        }}\n    }}\n",
                             tr, unroll_pragma(k.at("unroll"), "            "), tr, term);
        } else if (acc) {
            b += fmt::format("    for (int i = 0; i < M; ++i) {{\n        float s = y[i];\n{}"
                             "        for (int e = 0; e < E; ++e) s += {};\n        y[i] = s;\n    }}\n",
                             unroll_pragma(k.at("unroll"), "        "), term);
        } else {
            b += fmt::format(
                "    for (int i = 0; i < M; ++i) {{\n{}        for (int e = 0; e < E; ++e) y[i] += {};\n    }}\n",
                unroll_pragma(k.at("unroll"), "        "), term);
        }
        const int shift = 32 - log2_floor(static_cast<std::uint64_t>(w.dim("N")));
        return kernel(dim_defines(w, {{"COLSHIFT", shift}}),
                      "const float *restrict v, const int *restrict idx, const float *restrict x, float *restrict y",
                      b);
    });
}

/// The layout change NCHW -> NHWC of one C x H x W tensor: a 3-D transpose that moves each element
/// once; whichever loop is innermost, one side is strided, and tiles of channels and pixels make
/// both sides cache-friendly.
std::vector<Variant> nchw_to_nhwc(const Workload& w) {
    const int C = w.dim("C"), P = w.dim("H") * w.dim("W");
    NestSpec s;
    s.loops = {{"c", C, C}, {"p", P, P}};
    s.tiles = {{"c", tiles_of(C, {4, 8, 16, 32})}, {"p", tiles_of(P, {8, 16, 64})}};
    s.point_orders = {{"p", "c"}, {"c", "p"}};
    s.body = "O[p * C + c] = I[c * P + p];";
    return nest_family(w, s, dim_defines(w, {{"P", P}}), "const float *restrict I, float *restrict O");
}

/// 2x bilinear upsampling of an NHWC image (half-pixel centres, clamped at the border). Knobs: the
/// source rows, columns and weights computed per output element or once into tables, the channel
/// loop innermost or outside the output columns, a tile of output columns, unrolling,
/// vectorisation. The arithmetic per element is the same in every schedule: bit-identical.
std::vector<Variant> upsample_bilinear(const Workload& w) {
    const int IH = w.dim("H"), IW = w.dim("W");
    const int OH = 2 * IH, OW = 2 * IW;
    const std::vector<Knob> knobs{{"tables", "t", {0, 1}},
                                  {"chan_outer", "c", {0, 1}},
                                  {"tox", "tx", tiles_of(OW, {8, 16})},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool tables = k.at("tables") == 1, chan_outer = k.at("chan_outer") == 1;
        const int tox = k.at("tox");
        // Source coordinate of output o: (o + 0.5) / 2 - 0.5, clamped to [0, in - 1].
        auto coords = [](const char* o, const char* in, const char* lo, const char* hi, const char* frac) {
            return fmt::format("float {f}s = ((float){o} + 0.5f) * 0.5f - 0.5f; if ({f}s < 0.0f) {f}s = 0.0f; "
                               "const int {lo}v = (int){f}s; const int {hi}v = {lo}v + ({lo}v < {in} - 1); "
                               "const float {f}v = {f}s - (float){lo}v;",
                               fmt::arg("o", o), fmt::arg("in", in), fmt::arg("lo", lo), fmt::arg("hi", hi),
                               fmt::arg("f", frac));
        };
        std::string b;
        if (tables) {
            b += "    int y0t[OH], y1t[OH], x0t[OW], x1t[OW];\n    float lyt[OH], lxt[OW];\n";
            b += fmt::format(
                "    for (int oy = 0; oy < OH; ++oy) {{ {} y0t[oy] = y0v; y1t[oy] = y1v; lyt[oy] = lyv; }}\n",
                coords("oy", "IH", "y0", "y1", "ly"));
            b += fmt::format(
                "    for (int ox = 0; ox < OW; ++ox) {{ {} x0t[ox] = x0v; x1t[ox] = x1v; lxt[ox] = lxv; }}\n",
                coords("ox", "IW", "x0", "x1", "lx"));
        }
        const std::string ycoords = tables ? "const int y0v = y0t[oy], y1v = y1t[oy]; const float lyv = lyt[oy];"
                                           : coords("oy", "IH", "y0", "y1", "ly");
        const std::string xcoords = tables ? "const int x0v = x0t[ox], x1v = x1t[ox]; const float lxv = lxt[ox];"
                                           : coords("ox", "IW", "x0", "x1", "lx");
        const std::string value =
            "O[(oy * OW + ox) * C + c] = (1.0f - lyv) * ((1.0f - lxv) * I[(y0v * IW + x0v) * C + c] + lxv * I[(y0v * "
            "IW + x1v) * C + c])"
            " + lyv * ((1.0f - lxv) * I[(y1v * IW + x0v) * C + c] + lxv * I[(y1v * IW + x1v) * C + c]);";
        b += fmt::format(
            "    for (int oy = 0; oy < OH; ++oy) {{\n        {}\n        for (int ox0 = 0; ox0 < OW; ox0 += {}) {{\n",
            ycoords, tox);
        const std::string u = unroll_pragma(k.at("unroll"), "                ");
        if (chan_outer) {
            b += fmt::format("            for (int c = 0; c < C; ++c) {{\n{}                for (int ox = ox0; ox < "
                             "ox0 + {}; ++ox) {{ {} {} }}\n            }}\n",
                             u, tox, xcoords, value);
        } else {
            b += fmt::format("            for (int ox = ox0; ox < ox0 + {}; ++ox) {{\n                {}\n{}"
                             "                for (int c = 0; c < C; ++c) {}\n            }}\n",
                             tox, xcoords, u, value);
        }
        b += "        }\n    }\n";
        return kernel(dim_defines(w, {{"IH", IH}, {"IW", IW}, {"OH", OH}, {"OW", OW}}),
                      "const float *restrict I, float *restrict O", b);
    });
}

/// out[r] = the index of the first maximum of row r of x (R x C), an i32 output. Knobs: the
/// algorithm (0: one pass with a branch that updates the maximum and its index; 1: one pass with
/// selects instead of the branch; 2: two passes, the maximum (a vectorisable max reduction) then
/// the first index holding it), the number of interleaved partial maxima (lane l takes the columns
/// j = l mod acc; combined at the end, the lower index winning a tie), unrolling, vectorisation.
/// Every schedule returns the same index: bit-identical.
std::vector<Variant> argmax_rows(const Workload& w) {
    const std::vector<Knob> knobs{
        {"alg", "a", {0, 1, 2}}, {"acc", "s", {1, 2, 4}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int alg = k.at("alg"), acc = k.at("acc");
        const std::string u = unroll_pragma(k.at("unroll"), "        ");
        std::string b = "    for (int r = 0; r < R; ++r) {\n        const float *restrict xr = x + r * C;\n";
        if (alg == 2) {
            // The maximum with `acc` partial maxima, then a search for its first position.
            b += fmt::format("        float m[{}];\n        for (int l = 0; l < {}; ++l) m[l] = xr[l];\n", acc, acc);
            b += u + fmt::format("        for (int j = {}; j < C; j += {}) {{\n", acc, acc);
            for (int l = 0; l < acc; ++l)
                b += fmt::format("            m[{}] = xr[j + {}] > m[{}] ? xr[j + {}] : m[{}];\n", l, l, l, l, l);
            b += "        }\n        float best = m[0];\n";
            for (int l = 1; l < acc; ++l) b += fmt::format("        best = m[{}] > best ? m[{}] : best;\n", l, l);
            b += "        int j = 0;\n        while (xr[j] != best) ++j;\n        out[r] = j;\n    }\n";
        } else {
            b += fmt::format("        float m[{}];\n        int at[{}];\n", acc, acc);
            b += fmt::format("        for (int l = 0; l < {}; ++l) {{ m[l] = xr[l]; at[l] = l; }}\n", acc);
            b += u + fmt::format("        for (int j = {}; j < C; j += {}) {{\n", acc, acc);
            for (int l = 0; l < acc; ++l) {
                if (alg == 0)
                    b += fmt::format("            if (xr[j + {}] > m[{}]) {{ m[{}] = xr[j + {}]; at[{}] = j + {}; }}\n",
                                     l, l, l, l, l, l);
                else
                    b += fmt::format("            {{ const float v = xr[j + {}]; const int gt = v > m[{}]; "
                                     "at[{}] = gt ? j + {} : at[{}]; m[{}] = gt ? v : m[{}]; }}\n",
                                     l, l, l, l, l, l, l);
            }
            b += "        }\n        float best = m[0];\n        int bi = at[0];\n";
            for (int l = 1; l < acc; ++l)
                b += fmt::format("        if (m[{}] > best || (m[{}] == best && at[{}] < bi)) {{ best = m[{}]; bi = "
                                 "at[{}]; }}\n",
                                 l, l, l, l, l);
            b += "        out[r] = bi;\n    }\n";
        }
        return kernel(dim_defines(w), "const float *restrict x, int *restrict out", b);
    });
}

/// A histogram of T weighted samples into B bins (B a power of two): hist[bin(t)] += wt[t], i32
/// weights, the bin a hash of the sample's i32 key and its position (a scatter whose read-modify-
/// write chains through memory when samples repeat a bin). Knobs: private sub-histograms on the
/// stack (sample t into copy t mod priv, summed into the output at the end: fewer dependent
/// updates of one bin in flight), the bins computed into a table first (a vectorisable pass) or
/// per sample, unrolling, vectorisation. Integer sums: every schedule is bit-identical.
std::vector<Variant> histogram(const Workload& w) {
    const std::vector<Knob> knobs{
        {"priv", "p", {1, 2, 4}}, {"bins_first", "b", {0, 1}}, {"unroll", "u", {1, 4, 8}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int priv = k.at("priv");
        const std::string bin = "(int)(((unsigned)key[t] * 2654435761u + (unsigned)t * 40503u) >> BINSHIFT)";
        std::string b;
        if (k.at("bins_first"))
            b += fmt::format("    int bins[T];\n    for (int t = 0; t < T; ++t) bins[t] = {};\n", bin);
        const std::string at = k.at("bins_first") ? "bins[t]" : bin;
        const std::string u = unroll_pragma(k.at("unroll"), "    ");
        if (priv == 1) {
            b += u + fmt::format("    for (int t = 0; t < T; ++t) hist[{}] += wt[t];\n", at);
        } else {
            b += fmt::format("    int h[{}][B];\n    for (int p = 0; p < {}; ++p)\n        for (int i = 0; i < B; ++i) "
                             "h[p][i] = 0;\n",
                             priv, priv);
            b += u + fmt::format("    for (int t0 = 0; t0 < T; t0 += {}) {{\n", priv);
            for (int p = 0; p < priv; ++p)
                b += fmt::format("        {{ const int t = t0 + {}; h[{}][{}] += wt[t]; }}\n", p, p, at);
            b += "    }\n";
            b +=
                fmt::format("    for (int i = 0; i < B; ++i) {{\n        int s = hist[i];\n        for (int p = 0; p < "
                            "{}; ++p) s += h[p][i];\n        hist[i] = s;\n    }}\n",
                            priv);
        }
        const int shift = 32 - log2_floor(static_cast<std::uint64_t>(w.dim("B")));
        return kernel(dim_defines(w, {{"BINSHIFT", shift}}),
                      "const int *restrict key, const int *restrict wt, int *restrict hist", b);
    });
}

/// Stream compaction (masked select, nonzero): y[0..n) = the positive elements of x in order, the
/// rest of y zero, count[0] = n. Knobs: the algorithm (0: a branch per element; 1: branch-free,
/// every element stored at y[n] and n advanced by the test; 2 and 3: a mask of the tests first, a
/// vectorisable pass, then the same compaction with a branch (2) or branch-free (3) on the mask),
/// unrolling, vectorisation. The inputs are spread over [-1, 1), so the test is a coin flip: what
/// decides this family is how often a branch on data is mispredicted, which a branch-free variant
/// pays for with a store per element. Every schedule stores the same values: bit-identical.
std::vector<Variant> compact_positive(const Workload& w) {
    const std::vector<Knob> knobs{{"alg", "a", {0, 1, 2, 3}}, {"unroll", "u", {1, 4, 8}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int alg = k.at("alg");
        const std::string u = unroll_pragma(k.at("unroll"), "    ");
        std::string b = "    int n = 0;\n";
        const std::string test = alg >= 2 ? "m[i]" : "x[i] > 0.0f";
        if (alg >= 2) b += "    unsigned char m[N];\n    for (int i = 0; i < N; ++i) m[i] = x[i] > 0.0f;\n";
        if (alg % 2 == 0) {
            b += u + fmt::format("    for (int i = 0; i < N; ++i)\n        if ({}) y[n++] = x[i];\n", test);
        } else {
            // The slot y[n] takes every element; only a selected one is kept (n moves past it).
            b += u + fmt::format("    for (int i = 0; i < N; ++i) {{\n        y[n] = x[i];\n        n += {};\n    }}\n",
                                 test);
            b += "    if (n < N) y[n] = 0.0f;\n";
        }
        b += "    count[0] = n;\n";
        return kernel(dim_defines(w), "const float *restrict x, int *restrict count, float *restrict y", b);
    });
}

/// Single-head attention over L tokens of width D: O = softmax(Q K^T / sqrt(D)) V, the softmax
/// along each query's row (exp in C). Knobs: the score matrix materialised whole (L x L on the
/// stack, then softmax, then P V) or one query row at a time (scores, softmax and output fused per
/// row), K transposed into a scratch first (the scores' inner loop then runs over contiguous keys
/// and vectorises), the P V product's inner loop over the output width (streams V's rows) or over
/// the keys (a dot product down V's columns), unrolling, vectorisation. Every element's sums run
/// in the same order in every schedule: bit-identical.
std::vector<Variant> attention(const Workload& w) {
    const std::vector<Knob> knobs{
        {"fused", "f", {0, 1}}, {"kt", "t", {0, 1}}, {"pv_dot", "d", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const bool fused = k.at("fused") == 1, kt = k.at("kt") == 1, pv_dot = k.at("pv_dot") == 1;
            const std::string u = unroll_pragma(k.at("unroll"), "            ");
            std::string b;
            if (kt)
                b += "    float KT[D * L];\n    for (int j = 0; j < L; ++j)\n        for (int d = 0; d < D; ++d) KT[d "
                     "* L + j] = K[j * D + d];\n";
            b += fused ? "    float S[L];\n" : "    float S[L * L];\n";
            const std::string row = fused ? "S" : "S + i * L";
            // Scores of query i into s[0..L).
            std::string scores;
            if (kt)
                scores = "        for (int j = 0; j < L; ++j) s[j] = 0.0f;\n        for (int d = 0; d < D; ++d) {\n"
                         "            const float q = Q[i * D + d];\n" +
                         u + "            for (int j = 0; j < L; ++j) s[j] += q * KT[d * L + j];\n        }\n";
            else
                scores =
                    "        for (int j = 0; j < L; ++j) {\n            float a = 0.0f;\n" + u +
                    "            for (int d = 0; d < D; ++d) a += Q[i * D + d] * K[j * D + d];\n            s[j] = "
                    "a;\n        }\n";
            scores += "        for (int j = 0; j < L; ++j) s[j] = s[j] * SCALE;\n";
            const std::string softmax =
                "        float m = s[0];\n        for (int j = 1; j < L; ++j) m = s[j] > m ? s[j] : m;\n"
                "        float sum = 0.0f;\n        for (int j = 0; j < L; ++j) { s[j] = simtune_exp(s[j] - m); sum += "
                "s[j]; }\n        for (int j = 0; j < L; ++j) s[j] = s[j] / sum;\n";
            std::string pv;
            if (pv_dot)
                pv = "        for (int d = 0; d < D; ++d) {\n            float a = 0.0f;\n" + u +
                     "            for (int j = 0; j < L; ++j) a += s[j] * V[j * D + d];\n            O[i * D + d] = "
                     "a;\n        }\n";
            else
                pv = "        for (int j = 0; j < L; ++j) {\n            const float p = s[j];\n" + u +
                     "            for (int d = 0; d < D; ++d) O[i * D + d] += p * V[j * D + d];\n        }\n";
            const std::string open =
                fmt::format("    for (int i = 0; i < L; ++i) {{\n        float *restrict s = {};\n", row);
            if (fused) b += open + scores + softmax + pv + "    }\n";
            else b += open + scores + "    }\n" + open + softmax + "    }\n" + open + pv + "    }\n";
            // 1 / sqrt(D) as a literal (D a power of four here: exact).
            const std::string scale =
                fmt::format("#define SCALE {}f\n", 1.0 / std::sqrt(static_cast<double>(w.dim("D"))));
            return kernel(
                dim_defines(w) + scale + exp_function,
                "const float *restrict Q, const float *restrict K, const float *restrict V, float *restrict O", b);
        },
        {});
}

/// C = gelu(A B + bias[j]) with the sigmoid approximation gelu(v) = v sigmoid(1.702 v) (exp in C):
/// a GEMM with an activation epilogue. Knobs: the epilogue as a second pass over C after the whole
/// GEMM or fused into each output tile while it is in cache; GEMM tiles of i and j (K untiled, so a
/// tile's sums are complete), the tile order, the point order, unrolling, vectorisation. The
/// epilogue applies the same operations to the same sums in every schedule: bit-identical.
std::vector<Variant> gemm_gelu(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N");
    const std::vector<Knob> knobs{{"fused", "f", {0, 1}},
                                  {"ti", "ti", tiles_of(M, {16, 32})},
                                  {"tj", "tj", tiles_of(N, {16, 64})},
                                  {"order", "o", {0, 1}},
                                  {"inner", "i", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int ti = k.at("ti"), tj = k.at("tj");
            const bool fused = k.at("fused") == 1;
            const auto tiles = ij_tile_loops(ti, M, tj, N, k.at("order"));
            if (!tiles) return std::nullopt;
            std::string b = tiles->code;
            const std::string& indent = tiles->indent;
            const std::string u = unroll_pragma(k.at("unroll"), indent + "        ");
            if (k.at("inner") == 0) // i, k, j: the j loop streams B's and C's rows
                b += fmt::format("{0}for (int i = i0; i < i0 + {1}; ++i)\n{0}    for (int k = 0; k < K; ++k) {{\n"
                                 "{0}        const float a = A[i * K + k];\n{3}{0}        for (int j = j0; j < j0 + "
                                 "{2}; ++j) C[i * N + j] += a * B[k * N + j];\n{0}    }}\n",
                                 indent, ti, tj, u);
            else // i, j, k: a dot product down B's column per output
                b += fmt::format(
                    "{0}for (int i = i0; i < i0 + {1}; ++i)\n{0}    for (int j = j0; j < j0 + {2}; ++j) "
                    "{{\n{0}        float a = C[i * N + j];\n{3}{0}        for (int k = 0; k < K; ++k) a += "
                    "A[i * K + k] * B[k * N + j];\n{0}        C[i * N + j] = a;\n{0}    }}\n",
                    indent, ti, tj, u);
            const std::string epilogue =
                "{ const float v = C[i * N + j] + bias[j]; const float e = simtune_exp(-1.702f * __builtin_fabsf(v)); "
                "C[i * N + j] = v * (v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e)); }";
            if (fused)
                b += fmt::format(
                    "{0}for (int i = i0; i < i0 + {1}; ++i)\n{0}    for (int j = j0; j < j0 + {2}; ++j) {3}\n", indent,
                    ti, tj, epilogue);
            b += tiles->close();
            if (!fused) b += "    for (int i = 0; i < M; ++i)\n        for (int j = 0; j < N; ++j) " + epilogue + "\n";
            return kernel(
                dim_defines(w) + exp_function,
                "const float *restrict A, const float *restrict B, const float *restrict bias, float *restrict C", b);
        },
        {});
}

/// A transposed convolution (deconvolution, the backward-data pass of a strided convolution):
/// O[h*stride + r][w*stride + s][k] += I[h][w][c] * F[r][s][c][k], NHWC, no padding, the output
/// (H-1)*stride + R by (W-1)*stride + S. Knobs: the algorithm (0: scatter, each input pixel adds
/// into the R x S outputs it reaches, so neighbouring pixels' updates overlap; 1: gather, each
/// output pixel sums the taps that reach it, found by testing every tap's parity and range;
/// 2: gather by phase, the outputs of each stride phase visit only their own taps), the channel
/// loops (c outside k: a row of O updated per input channel, vectorisable over k; or k outside c:
/// a dot product per output channel, F read with stride K), unrolling, vectorisation. Schedules
/// sum each output's terms in different orders: equal to the reference up to rounding.
std::vector<Variant> conv_transpose2d(const Workload& w) {
    const std::vector<Knob> knobs{{"alg", "a", {0, 1, 2}}, {"inner", "i", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int alg = k.at("alg");
        // The channel loops for one (input pixel, tap, output pixel): in, f and o point at them.
        std::string ch;
        const std::string ind(alg == 0 ? 16 : 20, ' ');
        const std::string u = unroll_pragma(k.at("unroll"), ind + "    ");
        if (k.at("inner") == 0)
            ch = fmt::format("{0}for (int c = 0; c < C; ++c) {{\n{0}    const float a = in[c];\n{1}{0}    for (int k = "
                             "0; k < K; ++k) o[k] += a * f[c * K + k];\n{0}}}\n",
                             ind, u);
        else
            ch = fmt::format("{0}for (int k = 0; k < K; ++k) {{\n{0}    float a = o[k];\n{1}{0}    for (int c = 0; c < "
                             "C; ++c) a += in[c] * f[c * K + k];\n{0}    o[k] = a;\n{0}}}\n",
                             ind, u);
        const std::string ptrs = ind + "const float *restrict in = I + (h * W + w) * C;\n" + ind +
                                 "const float *restrict f = F + (r * S + s) * C * K;\n" + ind +
                                 "float *restrict o = O + (oh * OW + ow) * K;\n";
        std::string b;
        if (alg == 0)
            b = "    for (int h = 0; h < H; ++h)\n        for (int w = 0; w < W; ++w)\n            for (int r = 0; r < "
                "R; ++r)\n                for (int s = 0; s < S; ++s) {\n                const int oh = h * STRIDE + "
                "r, "
                "ow = w * STRIDE + s;\n" +
                ptrs + ch + "            }\n";
        else if (alg == 1)
            b = "    for (int oh = 0; oh < OH; ++oh)\n        for (int ow = 0; ow < OW; ++ow)\n            for (int r "
                "= "
                "0; r < R; ++r) {\n                const int hr = oh - r;\n                if (hr < 0 || hr % STRIDE "
                "!= 0 || hr / STRIDE >= H) continue;\n                const int h = hr / STRIDE;\n                for "
                "(int s = 0; s < S; ++s) {\n                    const int ws = ow - s;\n                    if (ws < 0 "
                "|| ws % STRIDE != 0 || ws / STRIDE >= W) continue;\n                    const int w = ws / STRIDE;\n" +
                ptrs + ch + "                }\n            }\n";
        else
            b = "    for (int ph = 0; ph < STRIDE; ++ph)\n    for (int pw = 0; pw < STRIDE; ++pw)\n        for (int oh "
                "= "
                "ph; oh < OH; oh += STRIDE)\n        for (int ow = pw; ow < OW; ow += STRIDE)\n            for (int r "
                "= ph; r < R; r += STRIDE) {\n                const int h = (oh - r) / STRIDE;\n                if (oh "
                "< r || h >= H) continue;\n                for (int s = pw; s < S; s += STRIDE) {\n                   "
                " const int w = (ow - s) / STRIDE;\n                    if (ow < s || w >= W) continue;\n" +
                ptrs + ch + "                }\n            }\n";
        const int stride = w.dim("stride");
        return kernel(dim_defines(w, {{"STRIDE", stride},
                                      {"OH", (w.dim("H") - 1) * stride + w.dim("R")},
                                      {"OW", (w.dim("W") - 1) * stride + w.dim("S")}}),
                      conv_signature, b);
    });
}

/// B independent radix-2 FFTs of N complex points (interleaved re, im), decimation in time: the
/// input copied in bit-reversed order, then log2 N stages of butterflies, the twiddle factors an
/// input (tw, N/2 complex; the harness fills it, so this is an FFT's butterfly network with
/// arbitrary twiddles: the same loads, stores and arithmetic). Knobs: the butterfly loops of a
/// stage (groups outside, each group's butterflies inside with strided twiddles; or twiddles
/// outside, each twiddle's butterflies across the groups inside), the layout while transforming
/// (interleaved in y, or split into real and imaginary scratch arrays), the batch (one row through
/// every stage, or every row through one stage at a time), unrolling, vectorisation. Every butterfly
/// computes the same operations on the same operands: bit-identical.
std::vector<Variant> fft_rows(const Workload& w) {
    const std::vector<Knob> knobs{{"order", "o", {0, 1}},
                                  {"split", "s", {0, 1}},
                                  {"stage_outer", "b", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool twiddle_outer = k.at("order") == 1, split = k.at("split") == 1,
                   stage_outer = k.at("stage_outer") == 1;
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        // Element p of the row being transformed, real and imaginary parts.
        auto re = [&](const std::string& p) {
            return split ? fmt::format("zr[{}]", p) : fmt::format("z[2 * ({})]", p);
        };
        auto im = [&](const std::string& p) {
            return split ? fmt::format("zi[{}]", p) : fmt::format("z[2 * ({}) + 1]", p);
        };
        const std::string butterfly = fmt::format(
            "{{ const float br = {0}, bi = {1}; const float tr = wr * br - wi * bi, ti = wr * bi + wi * br; const "
            "float ar = {2}, ai = {3}; {2} = ar + tr; {3} = ai + ti; {0} = ar - tr; {1} = ai - ti; }}",
            re("g + j + m"), im("g + j + m"), re("g + j"), im("g + j"));
        const std::string tw = "const float wr = tw[2 * j * step], wi = tw[2 * j * step + 1]; ";
        std::string stage;
        if (twiddle_outer)
            stage = "        for (int j = 0; j < m; ++j) {\n            " + tw + "\n" + u +
                    "            for (int g = 0; g < N; g += 2 * m) " + butterfly + "\n        }\n";
        else
            stage = "        for (int g = 0; g < N; g += 2 * m) {\n" + u +
                    "            for (int j = 0; j < m; ++j) { " + tw + butterfly + " }\n        }\n";
        // Points the row's arrays at row `row`.
        const std::string row_ptrs = split ? "        float *restrict zr = re + row * N, *restrict zi = im + row * N;\n"
                                           : "        float *restrict z = y + row * 2 * N;\n";
        std::string b = "    int rev[N];\n    for (int i = 0; i < N; ++i) {\n        int r = 0;\n        for (int "
                        "v = i, n = 1; n < N; n <<= 1, v >>= 1) r = (r << 1) | (v & 1);\n        rev[i] = r;\n    }\n";
        // Rows kept in the split scratch: all of them if every row goes through a stage at once.
        if (split) b += stage_outer ? "    float re[B * N], im[B * N];\n" : "    float re[N], im[N];\n";
        const std::string split_row = stage_outer ? "row * N + " : "";
        const std::string load =
            split
                ? fmt::format("        for (int i = 0; i < N; ++i) {{ re[{0}i] = x[row * 2 * N + 2 * rev[i]]; "
                              "im[{0}i] = x[row * 2 * N + 2 * rev[i] + 1]; }}\n",
                              split_row)
                : "        for (int i = 0; i < N; ++i) { y[row * 2 * N + 2 * i] = x[row * 2 * N + 2 * rev[i]]; y[row * "
                  "2 * N + 2 * i + 1] = x[row * 2 * N + 2 * rev[i] + 1]; }\n";
        const std::string store =
            split ? fmt::format("        for (int i = 0; i < N; ++i) {{ y[row * 2 * N + 2 * i] = re[{0}i]; y[row * 2 * "
                                "N + 2 * i + 1] = im[{0}i]; }}\n",
                                split_row)
                  : "";
        const std::string row_ptrs_local =
            split && !stage_outer ? "        float *restrict zr = re, *restrict zi = im;\n" : row_ptrs;
        const std::string stages = "    for (int m = 1; m < N; m <<= 1) {\n        const int step = N / (2 * m);\n";
        if (!stage_outer) {
            b += "    for (int row = 0; row < B; ++row) {\n" + load + row_ptrs_local + stages + stage + "    }\n" +
                 store + "    }\n";
        } else {
            b += "    for (int row = 0; row < B; ++row) {\n" + load + "    }\n" + stages +
                 "        for (int row = 0; row < B; ++row) {\n" + row_ptrs + stage + "        }\n    }\n";
            if (split) b += "    for (int row = 0; row < B; ++row) {\n" + store + "    }\n";
        }
        return kernel(dim_defines(w), "const float *restrict x, const float *restrict tw, float *restrict y", b);
    });
}

/// Per-row symmetric int8 quantisation: scale[r] = 127 / max |x[r][:]| (1 for a zero row) and
/// q[r][j] = x[r][j] * scale[r] rounded half away from zero. Knobs: the passes (each row's maximum
/// and then its quantisation while it is in cache; or every row's maximum first, then a second pass
/// over x), partial maxima (1, 2 or 4 interleaved: a shorter chain of max operations), an explicit
/// saturation to [-127, 127] (a no-op here, as a quantiser writes it), unrolling, vectorisation.
/// Maxima are exact and the arithmetic is the same in every schedule: bit-identical.
std::vector<Variant> quantize_rows_i8(const Workload& w) {
    const std::vector<Knob> knobs{{"passes", "p", {1, 2}},
                                  {"acc", "a", {1, 2, 4}},
                                  {"saturate", "s", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int acc = k.at("acc");
        const std::string u = unroll_pragma(k.at("unroll"), "        ");
        std::string maximum =
            fmt::format("        float m[{}];\n        for (int l = 0; l < {}; ++l) m[l] = 0.0f;\n", acc, acc);
        maximum += u + fmt::format("        for (int j = 0; j < C; j += {}) {{\n", acc);
        for (int l = 0; l < acc; ++l)
            maximum += fmt::format(
                "            {{ const float a = __builtin_fabsf(xr[j + {0}]); m[{0}] = a > m[{0}] ? a : m[{0}]; }}\n",
                l);
        maximum += "        }\n        float mx = m[0];\n";
        for (int l = 1; l < acc; ++l) maximum += fmt::format("        mx = m[{0}] > mx ? m[{0}] : mx;\n", l);
        maximum += "        scale[r] = 127.0f / (mx > 0.0f ? mx : 127.0f);\n";
        std::string quantise = "        const float sc = scale[r];\n" + u +
                               "        for (int j = 0; j < C; ++j) {\n            const float v = xr[j] * sc;\n"
                               "            int t = (int)(v + (v >= 0.0f ? 0.5f : -0.5f));\n";
        if (k.at("saturate")) quantise += "            t = t > 127 ? 127 : t < -127 ? -127 : t;\n";
        quantise += "            q[r * C + j] = (signed char)t;\n        }\n";
        const std::string row = "        const float *restrict xr = x + r * C;\n";
        std::string b;
        if (k.at("passes") == 1) b = "    for (int r = 0; r < R; ++r) {\n" + row + maximum + quantise + "    }\n";
        else
            b = "    for (int r = 0; r < R; ++r) {\n" + row + maximum + "    }\n    for (int r = 0; r < R; ++r) {\n" +
                row + quantise + "    }\n";
        return kernel(dim_defines(w), "const float *restrict x, float *restrict scale, signed char *restrict q", b);
    });
}

/// A unit lower-triangular solve with a scaled matrix: x[i] = b[i] - SCALE * sum_{j<i} L[i][j] x[j]
/// (SCALE = 1/64 keeps x bounded for any L in [-1, 1)), L row-major N x N (its strict lower half
/// read). Each x[i] needs every earlier one: a chain across rows. Knobs: the orientation (by rows:
/// a dot product of L's row with x so far; by columns: x[j], once final, subtracted from every later
/// x[i], L read down a column with stride N), partial sums of the dot product (1, 2 or 4; rows
/// only), SCALE applied once per sum or to every term (a power of two: the same values, one multiply
/// more per term), unrolling, vectorisation. Orientations and partial sums reorder the sums: equal
/// to the reference up to rounding.
std::vector<Variant> triangular_solve(const Workload& w) {
    const std::vector<Knob> knobs{{"cols", "c", {0, 1}},
                                  {"acc", "a", {1, 2, 4}},
                                  {"scale_each", "e", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int acc = k.at("acc");
        const bool each = k.at("scale_each") == 1;
        if (k.at("cols") == 1 && acc != 1) return std::nullopt;
        std::string b;
        if (k.at("cols") == 0) {
            const std::string u = unroll_pragma(k.at("unroll"), "        ");
            const std::string term = each ? "li[j + {0}] * x[j + {0}] * SCALE" : "li[j + {0}] * x[j + {0}]";
            b = fmt::format(
                "    for (int i = 0; i < N; ++i) {{\n        const float *restrict li = L + i * N;\n        "
                "float s[{0}];\n        for (int l = 0; l < {0}; ++l) s[l] = 0.0f;\n        int j = 0;\n",
                acc);
            b += u + fmt::format("        for (; j + {} <= i; j += {}) {{\n", acc, acc);
            for (int l = 0; l < acc; ++l)
                b += fmt::format("            s[{}] += ", l) + fmt::format(fmt::runtime(term), l) + ";\n";
            b += "        }\n        for (; j < i; ++j) s[0] += " + fmt::format(fmt::runtime(term), 0) + ";\n";
            b += "        float t = s[0];\n";
            for (int l = 1; l < acc; ++l) b += fmt::format("        t += s[{}];\n", l);
            b += each ? "        x[i] = b[i] - t;\n    }\n" : "        x[i] = b[i] - t * SCALE;\n    }\n";
        } else {
            const std::string u = unroll_pragma(k.at("unroll"), "        ");
            b = "    for (int i = 0; i < N; ++i) x[i] = b[i];\n    for (int j = 0; j < N; ++j) {\n";
            b += each ? "        const float xj = x[j];\n" : "        const float xj = x[j] * SCALE;\n";
            b += u + "        for (int i = j + 1; i < N; ++i) x[i] -= L[i * N + j] * xj" + (each ? " * SCALE" : "") +
                 ";\n    }\n";
        }
        return kernel(dim_defines(w) + "#define SCALE 0.015625f\n",
                      "const float *restrict L, const float *restrict b, float *restrict x", b);
    });
}

/// Rotary position embedding (RoPE, the pairs interleaved): for token t, head h and pair i,
/// (x0, x1) = x[t][h][2i..2i+1] rotated by the token's angle for pair i, given as tables
/// cs[t][i], sn[t][i] (inputs; the harness fills them, so the "rotation" is any 2 x 2 map of that
/// form: the same loads and arithmetic). Knobs: the loop order (tokens, heads, pairs; heads inside
/// the pairs reuse each pair's table entries across heads, pairs innermost stream a head's row),
/// pairs split into even and odd scratch arrays first (contiguous lanes, then interleaved back),
/// unrolling, vectorisation. The same operations on the same operands: bit-identical.
std::vector<Variant> rope(const Workload& w) {
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"split", "s", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order");
        const bool split = k.at("split") == 1;
        const std::string rotate_pair = "{ const float c = cs[t * P + i], s = sn[t * P + i]; const float x0 = x[(t * "
                                        "NH + h) * 2 * P + 2 * i], x1 = "
                                        "x[(t * NH + h) * 2 * P + 2 * i + 1]; y[(t * NH + h) * 2 * P + 2 * i] = x0 * c "
                                        "- x1 * s; y[(t * NH + h) * 2 "
                                        "* P + 2 * i + 1] = x0 * s + x1 * c; }";
        std::string b;
        if (!split) {
            const std::vector<std::string> loops[] = {{"t", "h", "i"}, {"t", "i", "h"}, {"h", "t", "i"}};
            const std::map<std::string, std::string> bound{{"t", "T"}, {"h", "NH"}, {"i", "P"}};
            const auto range = [&](const std::string& v) -> std::pair<std::string, std::string> {
                return {"0", bound.at(v)};
            };
            const auto [headers, indent] = loop_headers(loops[order], range, k.at("unroll"));
            b += headers + indent + rotate_pair + "\n";
        } else {
            // Split: a head's row into even and odd lanes, rotated as two contiguous arrays, then
            // interleaved back. The orders that put pairs innermost apply; heads inside pairs is
            // not a split schedule.
            if (order == 1) return std::nullopt;
            const std::string u = unroll_pragma(k.at("unroll"), "        ");
            const std::string outer = order == 0
                                          ? "    for (int t = 0; t < T; ++t)\n    for (int h = 0; h < NH; ++h) {\n"
                                          : "    for (int h = 0; h < NH; ++h)\n    for (int t = 0; t < T; ++t) {\n";
            b = outer +
                "        const float *restrict xr = x + (t * NH + h) * 2 * P;\n        float *restrict yr = y + "
                "(t * NH + h) * 2 * P;\n        const float *restrict c = cs + t * P, *restrict s = sn + t * "
                "P;\n        float e[P], o[P], re[P], ro[P];\n        for (int i = 0; i < P; ++i) { e[i] = xr[2 "
                "* i]; o[i] = xr[2 * i + 1]; }\n" +
                u +
                "        for (int i = 0; i < P; ++i) { re[i] = e[i] * c[i] - o[i] * s[i]; ro[i] = e[i] * s[i] + o[i] "
                "* c[i]; }\n        for (int i = 0; i < P; ++i) { yr[2 * i] = re[i]; yr[2 * i + 1] = ro[i]; }\n    "
                "}\n";
        }
        return kernel(dim_defines(w, {{"P", w.dim("D") / 2}}),
                      "const float *restrict x, const float *restrict cs, const float *restrict sn, float *restrict y",
                      b);
    });
}

/// Each row of x (R rows of N floats, N a power of two) sorted ascending by a bitonic sorting
/// network into y. Knobs: the compare-exchange (a branch that swaps an out-of-order pair, or a min
/// and a max, branch-free), how a step finds its pairs (every element tests whether its partner
/// i ^ j lies above it; or the pairs enumerated block by block, no test: contiguous, vectorisable),
/// the rows (each row through the whole network, or every row through one step at a time),
/// unrolling, vectorisation. A sorting network's output is the sorted row whatever the schedule:
/// bit-identical.
std::vector<Variant> bitonic_sort_rows(const Workload& w) {
    const std::vector<Knob> knobs{{"minmax", "m", {0, 1}},
                                  {"pairs", "p", {0, 1}},
                                  {"step_outer", "b", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool minmax = k.at("minmax") == 1, pairs = k.at("pairs") == 1, step_outer = k.at("step_outer") == 1;
        // Orders z[a] and z[b] ascending if `up`, else descending.
        const std::string exchange =
            minmax
                ? "{ const float p = z[a], q = z[b]; const float lo = p < q ? p : q, hi = p < q ? q : p; z[a] = up ? "
                  "lo : hi; z[b] = up ? hi : lo; }"
                : "{ const float p = z[a], q = z[b]; if ((p > q) == up) { z[a] = q; z[b] = p; } }";
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        std::string step;
        if (!pairs)
            step = u +
                   "            for (int a = 0; a < N; ++a) {\n                const int b = a ^ j;\n               "
                   " if (b <= a) continue;\n                const int up = (a & kk) == 0;\n                " +
                   exchange + "\n            }\n";
        else
            step = "            for (int a0 = 0; a0 < N; a0 += 2 * j) {\n                const int up = (a0 & kk) == "
                   "0;\n" +
                   u +
                   "                for (int a = a0; a < a0 + j; ++a) {\n                    const int b = a + "
                   "j;\n                    " +
                   exchange + "\n                }\n            }\n";
        std::string b = "    for (int i = 0; i < R * N; ++i) y[i] = x[i];\n";
        const std::string row = "        float *restrict z = y + r * N;\n";
        if (!step_outer)
            b += "    for (int r = 0; r < R; ++r) {\n" + row +
                 "        for (int kk = 2; kk <= N; kk <<= 1)\n        for (int j = kk >> 1; j > 0; j >>= 1) {\n" +
                 step + "        }\n    }\n";
        else
            b += "    for (int kk = 2; kk <= N; kk <<= 1)\n    for (int j = kk >> 1; j > 0; j >>= 1)\n    for (int r = "
                 "0; "
                 "r < R; ++r) {\n" +
                 row + step + "    }\n";
        return kernel(dim_defines(w), "const float *restrict x, float *restrict y", b);
    });
}

/// Embedding bag (sum pooling, the recommendation models' lookup): out[g][:] = sum of table rows
/// over bag g's indices, bag g holding 1 + len[g] mod MAXBAG indices from idx[g * MAXBAG], each
/// index mapped into the table by a multiplicative hash (the harness's i32 values are small).
/// Knobs: the row block (all D columns per index, or blocks of 16 columns, each walking the bag's
/// indices again), the bag's rows computed into a small array first, the sum in a local array or
/// directly in out, unrolling, vectorisation. Every element sums the bag's rows in bag order:
/// bit-identical.
std::vector<Variant> embedding_bag(const Workload& w) {
    const int D = w.dim("D");
    const std::vector<Knob> knobs{{"td", "td", {D, 16}},
                                  {"rows_first", "r", {0, 1}},
                                  {"local", "l", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int td = k.at("td");
        const bool rows_first = k.at("rows_first") == 1, local = k.at("local") == 1;
        const int shift = 32 - log2_floor(static_cast<std::uint64_t>(w.dim("V")));
        const std::string row_of = "(int)(((unsigned)idx[g * MAXBAG + p] * 2654435761u) >> VSHIFT)";
        std::string b =
            "    for (int g = 0; g < G; ++g) {\n        const int n = 1 + (int)((unsigned)len[g] % MAXBAG);\n";
        if (rows_first)
            b += "        int rows[MAXBAG];\n        for (int p = 0; p < n; ++p) rows[p] = " + row_of + ";\n";
        const std::string row = rows_first ? "rows[p]" : row_of;
        b += fmt::format("        for (int d0 = 0; d0 < D; d0 += {}) {{\n", td);
        const std::string acc = local ? "a[d - d0]" : "out[g * D + d]";
        if (local)
            b += fmt::format("            float a[{0}];\n            for (int d = 0; d < {0}; ++d) a[d] = 0.0f;\n", td);
        b += "            for (int p = 0; p < n; ++p) {\n                const float *restrict tr = table + " + row +
             " * D;\n" + unroll_pragma(k.at("unroll"), "                ") +
             fmt::format("                for (int d = d0; d < d0 + {}; ++d) {} += tr[d];\n            }}\n", td, acc);
        if (local) b += fmt::format("            for (int d = d0; d < d0 + {}; ++d) out[g * D + d] = a[d - d0];\n", td);
        b += "        }\n    }\n";
        return kernel(dim_defines(w, {{"VSHIFT", shift}}),
                      "const float *restrict table, const int *restrict idx, const int *restrict len, float *restrict "
                      "out",
                      b);
    });
}

/// Pairwise squared Euclidean distances (cdist, k-nearest-neighbour search, RBF kernels):
/// O[i][j] = sum_k (X[i][k] - Y[j][k])^2, X N x D, Y M x D. A GEMM's loop nest with a subtraction
/// in the body and both operands read along k: tiles, tile-loop and point-loop orders as the GEMM
/// families. Every (i, j) sums its k in order: bit-identical.
std::vector<Variant> pairwise_distance(const Workload& w) {
    const int N = w.dim("N"), M = w.dim("M"), D = w.dim("D");
    NestSpec s;
    s.loops = {{"i", N, N}, {"j", M, M}, {"k", D, D}};
    s.tiles = {{"i", tiles_of(N, {16})}, {"j", tiles_of(M, {16})}};
    s.point_orders = {{"i", "j", "k"}, {"i", "k", "j"}, {"k", "i", "j"}};
    s.body = "{ const float d = X[i * D + k] - Y[j * D + k]; O[i * M + j] += d * d; }";
    return nest_family(w, s, dim_defines(w), "const float *restrict X, const float *restrict Y, float *restrict O");
}

/// A causal depthwise 1-D convolution over time (the short convolution of Mamba- and Hyena-style
/// blocks): y[t][c] = sum_{k < K, k <= t} w[k][c] x[t-k][c], L steps of C channels. Knobs: the loop
/// order (taps innermost: a K-term dot per output; channels innermost: each tap updates a row of
/// outputs, vectorisable; channels outermost: each channel walks time with stride C), the causal
/// boundary (a test in every step, or the first K-1 steps peeled off with the test and the rest
/// without), unrolling, vectorisation. Every output sums its taps in order: bit-identical.
std::vector<Variant> causal_conv1d(const Workload& w) {
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"peel", "p", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order");
        const std::vector<std::string> loops[] = {{"t", "c", "k"}, {"t", "k", "c"}, {"c", "t", "k"}};
        // The nest over time steps [from, to), with or without the causal test.
        auto nest = [&](const std::string& from, const std::string& to, bool test) {
            const auto range = [&](const std::string& v) -> std::pair<std::string, std::string> {
                if (v == "t") return {from, to};
                return {"0", v == "c" ? "C" : "K"};
            };
            const auto [headers, indent] = loop_headers(loops[order], range, k.at("unroll"));
            return headers + indent + (test ? "if (t - k >= 0) " : "") +
                   "y[t * C + c] += w[k * C + c] * x[(t - k) * C + c];\n";
        };
        std::string b;
        if (k.at("peel") == 0) b = nest("0", "L", true);
        else b = nest("0", "K - 1", true) + nest("K - 1", "L", false);
        return kernel(dim_defines(w), "const float *restrict x, const float *restrict w, float *restrict y", b);
    });
}

/// Requantisation of an int32 GEMM result to int8 (the epilogue of every quantised layer):
/// out[m][n] = clamp(((acc[m][n] + bias[n]) * mult(n) + 2^28) >> 29, a 64-bit product and rounding
/// shift, plus a zero point, to [-128, 127]; mult(n) = 2^30 + 4096 mult[n] per output channel.
/// Knobs: the loop order (rows outer, channels streamed; or channels outer, acc read down its
/// columns), the bias added in a pass of its own into an int32 scratch first, the clamp as
/// selects or as if-statements (a third of the values clamp), unrolling, vectorisation. Integer
/// arithmetic: bit-identical.
std::vector<Variant> requantize_i32(const Workload& w) {
    const std::vector<Knob> knobs{{"cols_outer", "o", {0, 1}},
                                  {"bias_first", "b", {0, 1}},
                                  {"branch", "c", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool cols_outer = k.at("cols_outer") == 1, bias_first = k.at("bias_first") == 1;
        const std::string outer =
            cols_outer ? "    for (int n = 0; n < N; ++n)\n" : "    for (int m = 0; m < M; ++m)\n";
        const std::string inner =
            cols_outer ? "        for (int m = 0; m < M; ++m) {\n" : "        for (int n = 0; n < N; ++n) {\n";
        const std::string u = unroll_pragma(k.at("unroll"), "        ");
        std::string b;
        if (bias_first)
            b += "    int v[M * N];\n" + outer + u + inner +
                 "            v[m * N + n] = acc[m * N + n] + bias[n];\n        }\n";
        b += outer + u + inner;
        b += fmt::format("            const long long p = (long long)({}) * (1073741824 + 4096 * mult[n]);\n",
                         bias_first ? "v[m * N + n]" : "acc[m * N + n] + bias[n]");
        b += "            int r = (int)((p + (1LL << 28)) >> 29) + 3;\n";
        b += k.at("branch") ? "            if (r > 127) r = 127;\n            if (r < -128) r = -128;\n"
                            : "            r = r > 127 ? 127 : r;\n            r = r < -128 ? -128 : r;\n";
        b += "            out[m * N + n] = (signed char)r;\n        }\n";
        return kernel(dim_defines(w),
                      "const int *restrict acc, const int *restrict mult, const int *restrict bias, "
                      "signed char *restrict out",
                      b);
    });
}

/// A matrix-vector product with 4-bit weights (LLM inference's dequantising GEMV): y[m] = sum_k
/// (q(m, k) - 8) * scale[m][k / G] * x[k], two 4-bit weights per byte (the low nibble first), one
/// float scale per group of G weights. Knobs: the row dequantised into a float scratch first or
/// fused into the dot product, the scale applied per weight or once per group to the group's sum
/// (≈), partial sums (≈; per weight only), unrolling, vectorisation.
std::vector<Variant> dequant_gemv_q4(const Workload& w) {
    const std::vector<Knob> knobs{{"scratch", "s", {0, 1}},
                                  {"group_sum", "g", {0, 1}},
                                  {"acc", "a", {1, 4}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool scratch = k.at("scratch") == 1, group_sum = k.at("group_sum") == 1;
        const int acc = k.at("acc");
        if (group_sum && acc != 1) return std::nullopt;
        const std::string u = unroll_pragma(k.at("unroll"), "        ");
        const std::string row = "        const unsigned char *restrict wr = (const unsigned char *)Wq + m * (K / 2);\n"
                                "        const float *restrict sr = scale + m * (K / G);\n";
        // The weights of bytes j: lo (k = 2j) and hi (k = 2j + 1), as floats, unscaled.
        const std::string nibbles =
            "const float lo = (float)((int)(wr[j] & 15) - 8), hi = (float)((int)(wr[j] >> 4) - 8);";
        std::string b = "    for (int m = 0; m < M; ++m) {\n" + row;
        if (scratch) {
            b += "        float wf[K];\n" + u + "        for (int j = 0; j < K / 2; ++j) { " + nibbles +
                 (group_sum ? " wf[2 * j] = lo; wf[2 * j + 1] = hi; }\n"
                            : " wf[2 * j] = lo * sr[2 * j / G]; wf[2 * j + 1] = hi * sr[(2 * j + 1) / G]; }\n");
        }
        // Weight k's term, unscaled or scaled.
        auto term = [&](const std::string& kk, const std::string& nib) {
            if (scratch) return fmt::format("wf[{0}] * x[{0}]", kk);
            return group_sum ? fmt::format("{} * x[{}]", nib, kk)
                             : fmt::format("{} * sr[({}) / G] * x[{}]", nib, kk, kk);
        };
        if (group_sum) {
            b += "        float s = 0.0f;\n        for (int g = 0; g < K / G; ++g) {\n            float gs = 0.0f;\n" +
                 unroll_pragma(k.at("unroll"), "            ") +
                 "            for (int j = g * (G / 2); j < (g + 1) * (G / 2); ++j) { " +
                 (scratch ? "" : nibbles + " ") + "gs += " + term("2 * j", "lo") +
                 "; gs += " + term("2 * j + 1", "hi") +
                 "; }\n            s += gs * sr[g];\n        }\n        y[m] = s;\n    }\n";
        } else if (acc == 1) {
            b += "        float s = 0.0f;\n" + u + "        for (int j = 0; j < K / 2; ++j) { " +
                 (scratch ? "" : nibbles + " ") + "s += " + term("2 * j", "lo") + "; s += " + term("2 * j + 1", "hi") +
                 "; }\n        y[m] = s;\n    }\n";
        } else {
            // Four partial sums: lane l takes the weights k = l mod 4 (two bytes per step).
            b += "        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;\n" + u +
                 "        for (int j = 0; j < K / 2; j += 2) {\n";
            if (!scratch)
                b += "            const float l0 = (float)((int)(wr[j] & 15) - 8), h0 = (float)((int)(wr[j] >> 4) - "
                     "8);\n"
                     "            const float l1 = (float)((int)(wr[j + 1] & 15) - 8), h1 = (float)((int)(wr[j + 1] >> "
                     "4) - "
                     "8);\n";
            b += "            s0 += " + term("2 * j", "l0") + "; s1 += " + term("2 * j + 1", "h0") +
                 ";\n            s2 += " + term("2 * j + 2", "l1") + "; s3 += " + term("2 * j + 3", "h1") +
                 ";\n        }\n";
            b += "        y[m] = (s0 + s1) + (s2 + s3);\n    }\n";
        }
        return kernel(dim_defines(w),
                      "const signed char *restrict Wq, const float *restrict scale, const float *restrict "
                      "x, float *restrict y",
                      b);
    });
}

std::uint64_t conv_out(const Workload& w, const char* in, const char* win, int stride, int dilation) {
    return static_cast<std::uint64_t>((w.dim(in) - dilation * (w.dim(win) - 1) - 1) / stride + 1);
}

/// Row-wise top-k (the K largest of C values per row, in descending order, values only): a
/// selection whose control depends on the data, as in beam search and sampling. Knobs: the
/// insertion as a branch-free carry through all K slots (max to the slot, min carried on) or as a
/// shift from the end while the slot above is smaller (branchy; needs the threshold), a threshold
/// test against the current K-th value before any insertion (on random data almost every value
/// fails it after the first few dozen), the list in a local array (copied out at the end; the
/// compiler may keep it in registers) or in the output row itself, unrolling, vectorisation.
/// Every variant returns the same values in the same order.
std::vector<Variant> topk_rows(const Workload& w) {
    const std::vector<Knob> knobs{{"shift", "i", {0, 1}},
                                  {"threshold", "t", {0, 1}},
                                  {"local", "l", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool shift = k.at("shift") == 1, threshold = k.at("threshold") == 1, local = k.at("local") == 1;
        if (shift && !threshold) return std::nullopt; // the shift alone would drop the K-th value
        std::string b = "    for (int r = 0; r < R; ++r) {\n        const float *restrict xr = x + r * C;\n";
        b += local ? "        float list[K];\n" : "        float *restrict list = y + r * K;\n";
        b += "        for (int p = 0; p < K; ++p) list[p] = -3.0e38f;\n";
        b += unroll_pragma(k.at("unroll"), "        ");
        b += "        for (int c = 0; c < C; ++c) {\n            const float v = xr[c];\n";
        if (threshold) b += "            if (v <= list[K - 1]) continue;\n";
        b += shift ? "            int p = K - 1;\n"
                     "            while (p > 0 && list[p - 1] < v) {\n"
                     "                list[p] = list[p - 1];\n"
                     "                --p;\n"
                     "            }\n"
                     "            list[p] = v;\n"
                   : "            float carry = v;\n"
                     "            for (int p = 0; p < K; ++p) {\n"
                     "                const float h = list[p];\n"
                     "                list[p] = h > carry ? h : carry;\n"
                     "                carry = h > carry ? carry : h;\n"
                     "            }\n";
        b += "        }\n";
        if (local) b += "        for (int p = 0; p < K; ++p) y[r * K + p] = list[p];\n";
        b += "    }\n";
        return kernel(dim_defines(w), "const float *restrict x, float *restrict y", b);
    });
}

/// A depthwise-separable convolution block (MobileNet's): a 3x3 depthwise convolution (NHWC,
/// valid) into an intermediate, then a pointwise (1x1) convolution from C to K channels. Knobs:
/// how much of the intermediate exists at once (the whole image, one output row, one pixel: the
/// producer-consumer fusion a scheduler decides), the pointwise loops (a dot product per output
/// channel, reading the weights with a stride of K, or an update of all K outputs per input
/// channel, both contiguous), unrolling of the pointwise inner loop, vectorisation. Every
/// variant adds the same terms in the same order: bit-identical outputs.
std::vector<Variant> depthwise_separable(const Workload& w) {
    const std::vector<Knob> knobs{
        {"fuse", "f", {0, 1, 2}}, {"channels_outer", "o", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int fuse = k.at("fuse");
        // The depthwise outputs of pixel (h, w) into d[0..C), and the pointwise outputs of one
        // pixel from s[0..C) into o[0..K), at the given indent.
        auto depthwise = [](const std::string& in) {
            return fmt::format("{0}for (int c = 0; c < C; ++c) d[c] = 0.0f;\n"
                               "{0}for (int r = 0; r < 3; ++r)\n"
                               "{0}    for (int q = 0; q < 3; ++q)\n"
                               "{0}        for (int c = 0; c < C; ++c)\n"
                               "{0}            d[c] += x[((h + r) * W + (w + q)) * C + c] * wd[(r * 3 + q) * C + c];\n",
                               in);
        };
        const std::string u = unroll_pragma(k.at("unroll"), "");
        auto pointwise = [&](const std::string& in) {
            std::string pragma = u.empty() ? "" : in + "    " + u;
            if (k.at("channels_outer") == 0)
                return fmt::format("{0}for (int kk = 0; kk < K; ++kk) {{\n{0}    float a = 0.0f;\n{1}"
                                   "{0}    for (int c = 0; c < C; ++c) a += s[c] * wp[c * K + kk];\n"
                                   "{0}    o[kk] = a;\n{0}}}\n",
                                   in, pragma);
            return fmt::format("{0}for (int kk = 0; kk < K; ++kk) o[kk] = 0.0f;\n"
                               "{0}for (int c = 0; c < C; ++c) {{\n{0}    const float a = s[c];\n{1}"
                               "{0}    for (int kk = 0; kk < K; ++kk) o[kk] += a * wp[c * K + kk];\n{0}}}\n",
                               in, pragma);
        };
        std::string b;
        if (fuse == 0) {
            b += "    float t[OH * OW * C];\n"
                 "    for (int h = 0; h < OH; ++h)\n        for (int w = 0; w < OW; ++w) {\n"
                 "            float *restrict d = t + (h * OW + w) * C;\n" +
                 depthwise("            ") + "        }\n";
            b += "    for (int h = 0; h < OH; ++h)\n        for (int w = 0; w < OW; ++w) {\n"
                 "            const float *restrict s = t + (h * OW + w) * C;\n"
                 "            float *restrict o = y + (h * OW + w) * K;\n" +
                 pointwise("            ") + "        }\n";
        } else if (fuse == 1) {
            b += "    for (int h = 0; h < OH; ++h) {\n        float t[OW * C];\n"
                 "        for (int w = 0; w < OW; ++w) {\n            float *restrict d = t + w * C;\n" +
                 depthwise("            ") +
                 "        }\n        for (int w = 0; w < OW; ++w) {\n"
                 "            const float *restrict s = t + w * C;\n"
                 "            float *restrict o = y + (h * OW + w) * K;\n" +
                 pointwise("            ") + "        }\n    }\n";
        } else {
            b += "    for (int h = 0; h < OH; ++h)\n        for (int w = 0; w < OW; ++w) {\n"
                 "            float t[C];\n            float *restrict d = t;\n" +
                 depthwise("            ") +
                 "            const float *restrict s = t;\n"
                 "            float *restrict o = y + (h * OW + w) * K;\n" +
                 pointwise("            ") + "        }\n";
        }
        return kernel(dim_defines(w, {{"OH", w.dim("H") - 2}, {"OW", w.dim("W") - 2}}),
                      "const float *restrict x, const float *restrict wd, const float *restrict wp, "
                      "float *restrict y",
                      b);
    });
}

/// Scatter-add (index_add, a graph neural network's message aggregation): out[dst(e)][:] +=
/// x[src(e)][:] over E edges of an N-node graph with D features, the endpoints hashes of the i32
/// inputs and the edge's position into [0, N) (the harness's values are small). Rows of out are
/// updated in random order, and edges that share a destination chain their read-modify-writes
/// through memory. Knobs: a feature tile of 16 (each edge's row update split into tiles, or the
/// tile loop outside the edge loop: all edges per tile, the indices decoded again per tile), the
/// endpoints decoded on the fly or into local arrays in a pass of their own first, unrolling,
/// vectorisation. Every element sums its edges in edge order: bit-identical.
std::vector<Variant> scatter_add(const Workload& w) {
    const int D = w.dim("D");
    const std::vector<Knob> knobs{{"td", "td", {D, 16}},
                                  {"tile_outer", "o", {0, 1}},
                                  {"decode", "d", {0, 1}},
                                  {"unroll", "u", {1, 4, 16}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int td = k.at("td");
        const bool tile_outer = k.at("tile_outer") == 1, decode = k.at("decode") == 1;
        if (tile_outer && td == D) return std::nullopt; // one tile: the same loops
        const std::string s_of = "(int)(((unsigned)src[e] * 7919u + (unsigned)e * 2654435761u) >> NSHIFT)",
                          t_of = "(int)(((unsigned)dst[e] * 7919u + (unsigned)e * 2246822519u) >> NSHIFT)";
        std::string b;
        if (decode)
            b += "    int si[E], ti[E];\n    for (int e = 0; e < E; ++e) {\n        si[e] = " + s_of +
                 ";\n        ti[e] = " + t_of + ";\n    }\n";
        const std::string s = decode ? "si[e]" : s_of, t = decode ? "ti[e]" : t_of;
        // One edge's update of columns [d0, d0 + td) at the given indent.
        auto update = [&](const std::string& in, const std::string& d0) {
            const std::string to = td == D ? "D" : fmt::format("{} + {}", d0, td);
            return fmt::format("{0}const float *restrict xs = x + {1} * D;\n{0}float *restrict od = out + {2} * D;\n"
                               "{3}{0}for (int d = {4}; d < {5}; ++d) od[d] += xs[d];\n",
                               in, s, t, unroll_pragma(k.at("unroll"), in), d0, to);
        };
        if (td == D) {
            b += "    for (int e = 0; e < E; ++e) {\n" + update("        ", "0") + "    }\n";
        } else if (!tile_outer) {
            b += fmt::format("    for (int e = 0; e < E; ++e)\n        for (int d0 = 0; d0 < D; d0 += {}) {{\n", td) +
                 update("            ", "d0") + "        }\n";
        } else {
            b += fmt::format("    for (int d0 = 0; d0 < D; d0 += {})\n        for (int e = 0; e < E; ++e) {{\n", td) +
                 update("            ", "d0") + "        }\n";
        }
        const int shift = 32 - log2_floor(static_cast<std::uint64_t>(w.dim("N")));
        return kernel(dim_defines(w, {{"NSHIFT", shift}}),
                      "const float *restrict x, const int *restrict src, const int *restrict dst, float *restrict out",
                      b);
    });
}

/// The symmetric rank-K update (SYRK, a Gram matrix A A^T, as in covariance and kernel methods):
/// C[i][j] += sum_k A[i][k] A[j][k] for j <= i only, A N x K row-major; the upper triangle of C is
/// never written (it stays as the harness zeroed it). A triangular iteration space: the inner
/// loops' trip counts change with i. Knobs: the loop order (i-j-k: a dot product of two rows of A
/// per element; i-k-j: each A[i][k] updates row i of C up to the diagonal), a tile of 16 columns j
/// outermost (the tile's rows of A stay in cache while i sweeps down), A^T copied into a scratch
/// first (the i-k-j update then reads it contiguously), the i-j-k sum in a register, unrolling of
/// the innermost loop, vectorisation. Every C[i][j] sums its k in order: bit-identical.
std::vector<Variant> syrk(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{{"order", "o", {0, 1}}, {"tj", "tj", {N, 16}},   {"at", "t", {0, 1}},
                                  {"acc", "a", {0, 1}},   {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tj = k.at("tj");
        const bool ikj = k.at("order") == 1, at = k.at("at") == 1, acc = k.at("acc") == 1;
        if (ikj && acc) return std::nullopt; // row updates: the sums live in C
        const std::string aj = at ? "At[k * N + j]" : "A[j * K + k]";
        std::string b;
        if (at)
            b += "    float At[K * N];\n    for (int j = 0; j < N; ++j)\n        for (int k = 0; k < K; ++k) At[k * N "
                 "+ j] = A[j * K + k];\n";
        std::string in;
        if (tj == N) {
            b += "    for (int i = 0; i < N; ++i) {\n        const int j0 = 0, je = i + 1;\n";
            in = "        ";
        } else {
            b += fmt::format("    for (int j0 = 0; j0 < N; j0 += {0})\n        for (int i = j0; i < N; ++i) {{\n"
                             "            const int je = i + 1 < j0 + {0} ? i + 1 : j0 + {0};\n",
                             tj);
            in = "            ";
        }
        const std::string u = unroll_pragma(k.at("unroll"), in + "    ");
        if (!ikj && !acc)
            b += in + "for (int j = j0; j < je; ++j)\n" + u + in +
                 "    for (int k = 0; k < K; ++k) C[i * N + j] += A[i * K + k] * " + aj + ";\n";
        else if (!ikj)
            b += in + "for (int j = j0; j < je; ++j) {\n" + in + "    float s = 0.0f;\n" + u + in +
                 "    for (int k = 0; k < K; ++k) s += A[i * K + k] * " + aj + ";\n" + in + "    C[i * N + j] += s;\n" +
                 in + "}\n";
        else
            b += in + "for (int k = 0; k < K; ++k) {\n" + in + "    const float a = A[i * K + k];\n" + u + in +
                 "    for (int j = j0; j < je; ++j) C[i * N + j] += a * " + aj + ";\n" + in + "}\n";
        b += tj == N ? "    }\n" : "        }\n";
        return kernel(dim_defines(w), "const float *restrict A, float *restrict C", b);
    });
}

/// One Adam optimizer step over N parameters (the update a training step applies to every weight
/// tensor): m' = b1 m + (1 - b1) g, v' = b2 |v| + (1 - b2) g^2 (the harness's "second moment" is
/// any float, hence |v|), p' = p - lr m' / (sqrt(v') + eps); the output holds p', m' and v' back
/// to back. Four input streams and three output streams, little arithmetic but a square root and a
/// division per element. Knobs: the passes (three, one per updated tensor, the last reading m' and
/// v' back; two, the moments together and then the parameters; or one fused pass), the passes run
/// over blocks of 4096 or 256 elements (their data still in cache for the next pass), unrolling,
/// vectorisation. The same expressions in every schedule, the square root correctly rounded
/// (sqrtss / sqrtps, no approximation): bit-identical.
std::vector<Variant> adam_step(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{
        {"passes", "p", {3, 2, 1}}, {"block", "b", tiles_of(N, {4096, 256})}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int passes = k.at("passes"), block = k.at("block");
            if (passes == 1 && block != N) return std::nullopt; // one pass: blocks change nothing
            const std::string mt = "B1 * m[i] + (1.0f - B1) * g[i]",
                              vt = "B2 * __builtin_fabsf(v[i]) + (1.0f - B2) * (g[i] * g[i])";
            auto pt = [](const std::string& mv, const std::string& vv) {
                return fmt::format("p[i] - LR * {} / (__builtin_sqrtf({}) + EPS)", mv, vv);
            };
            const std::string in = block == N ? "    " : "        ";
            const std::string u = unroll_pragma(k.at("unroll"), in);
            const std::string loop =
                in + (block == N ? "for (int i = 0; i < N; ++i)" : "for (int i = i0; i < i0 + BL; ++i)");
            std::string b;
            if (block != N) b += "    for (int i0 = 0; i0 < N; i0 += BL) {\n";
            if (passes == 1) {
                b += u + loop + " {\n" + in + "    const float mt = " + mt + ";\n" + in + "    const float vt = " + vt +
                     ";\n" + in + "    out[N + i] = mt;\n" + in + "    out[2 * N + i] = vt;\n" + in +
                     "    out[i] = " + pt("mt", "vt") + ";\n" + in + "}\n";
            } else {
                if (passes == 3)
                    b += u + loop + " out[N + i] = " + mt + ";\n" + u + loop + " out[2 * N + i] = " + vt + ";\n";
                else
                    b += u + loop + " {\n" + in + "    out[N + i] = " + mt + ";\n" + in + "    out[2 * N + i] = " + vt +
                         ";\n" + in + "}\n";
                b += u + loop + " out[i] = " + pt("out[N + i]", "out[2 * N + i]") + ";\n";
            }
            if (block != N) b += "    }\n";
            return kernel(dim_defines(w, {{"BL", block}}) +
                              "#define B1 0.9f\n#define B2 0.999f\n#define LR 0.001f\n#define EPS 1e-8f\n",
                          "const float *restrict p, const float *restrict g, const float *restrict m, "
                          "const float *restrict v, float *restrict out",
                          b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// A matrix-vector product with bfloat16 weights (an LLM's decode step): y[m] += sum_k W[m][k] x[k],
/// W M x K 16-bit bfloat16 patterns (an i8 buffer of 2 M K bytes, read as unsigned shorts), each
/// widened to a float by a shift into the upper half of a 32-bit word. The harness's random bytes
/// would include infinities and NaNs, so every schedule first forces the exponent to 2^-1 or 2^0
/// (bits & 0x80FF | 0x3F00: weights of magnitude [0.5, 2), the sign and 7 mantissa bits kept).
/// Knobs: rows per block (1: a dot product per row; 4 or 32: the block's sums advance together
/// per k, reusing x[k]; all M: the column-outer axpy, y updated once per k), the sums in a local
/// array instead of y, the block's rows widened into a float scratch first (blocks of 1 or 4
/// rows), unrolling of the innermost loop, vectorisation. Every y[m] adds its k in order:
/// bit-identical.
std::vector<Variant> bf16_gemv(const Workload& w) {
    const int M = w.dim("M");
    const std::vector<Knob> knobs{{"tm", "tm", {1, 4, 32, M}},
                                  {"local", "l", {0, 1}},
                                  {"scratch", "s", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tm = k.at("tm");
        const bool local = k.at("local") == 1, scratch = k.at("scratch") == 1;
        if (scratch && tm > 4) return std::nullopt; // a scratch of 32 or all rows: 128 KB and more
        const std::string widen = "static inline float bf16(unsigned short h) {\n"
                                  "    union { unsigned u; float f; } c;\n"
                                  "    c.u = (unsigned)((h & 0x80FFu) | 0x3F00u) << 16;\n"
                                  "    return c.f;\n}\n";
        std::string b;
        if (tm == 1) { // a dot product per row
            const std::string u = unroll_pragma(k.at("unroll"), "        ");
            b += "    for (int m = 0; m < M; ++m) {\n";
            if (scratch)
                b += "        float wf[K];\n" + u + "        for (int k = 0; k < K; ++k) wf[k] = bf16(W[m * K + k]);\n";
            if (local) b += "        float s = 0.0f;\n";
            b += u + fmt::format("        for (int k = 0; k < K; ++k) {} += {} * x[k];\n", local ? "s" : "y[m]",
                                 scratch ? "wf[k]" : "bf16(W[m * K + k])");
            if (local) b += "        y[m] += s;\n";
            b += "    }\n";
        } else { // a block of rows advancing together per k
            const std::string u = unroll_pragma(k.at("unroll"), "            ");
            b += fmt::format("    for (int m0 = 0; m0 < M; m0 += {}) {{\n", tm);
            if (scratch)
                b += fmt::format("        float wf[{0} * K];\n        for (int r = 0; r < {0}; ++r)\n{1}"
                                 "            for (int k = 0; k < K; ++k) wf[r * K + k] = bf16(W[(m0 + r) * K + k]);\n",
                                 tm, u);
            if (local)
                b += fmt::format("        float a[{0}];\n        for (int r = 0; r < {0}; ++r) a[r] = 0.0f;\n", tm);
            b += fmt::format("        for (int k = 0; k < K; ++k) {{\n            const float xk = x[k];\n{}"
                             "            for (int m = m0; m < m0 + {}; ++m) {} += {} * xk;\n        }}\n",
                             u, tm, local ? "a[m - m0]" : "y[m]",
                             scratch ? "wf[(m - m0) * K + k]" : "bf16(W[m * K + k])");
            if (local) b += fmt::format("        for (int m = m0; m < m0 + {}; ++m) y[m] += a[m - m0];\n", tm);
            b += "    }\n";
        }
        return kernel(dim_defines(w) + widen,
                      "const unsigned short *restrict W, const float *restrict x, float *restrict y", b);
    });
}

/// Depth-to-space (pixel shuffle, the upsampling of super-resolution and detection heads), NHWC:
/// an H x W image of C R^2 channels becomes an HR x WR image of C channels, out[h R + i][w R +
/// j][c] = in[h][w][(i R + j) C + c] (TensorFlow's DCR order). Data movement only, in runs of C
/// contiguous floats on both sides. Knobs: the loop order (output-major: each output row written
/// in order, reading a strided part of an input row R times; input-major: each input pixel read
/// in order, its runs scattered to R output rows; output-major over tiles of input columns, the
/// tile's input kept in cache across the R output rows), the copy as runs of C (an inner channel
/// loop) or one flat loop over every element with its coordinates decoded by divisions (powers of
/// two: shifts and masks), unrolling, vectorisation. Pure copies: bit-identical.
std::vector<Variant> depth_to_space(const Workload& w) {
    const int W = w.dim("W");
    const std::vector<Knob> knobs{{"input_major", "o", {0, 1}},
                                  {"tw", "tw", tiles_of(W, {16, 4})},
                                  {"flat", "f", {0, 1}},
                                  {"unroll", "u", {1, 4, 16}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tw = k.at("tw");
        const bool input_major = k.at("input_major") == 1, flat = k.at("flat") == 1;
        if (tw != W && (input_major || flat)) return std::nullopt; // tiles: output-major runs only
        const std::string in_at = "in[(h * W + w) * (R * R * C) + (i * R + j) * C + c]",
                          out_at = "out[((h * R + i) * (W * R) + w * R + j) * C + c]";
        std::string b;
        if (flat) {
            b += unroll_pragma(k.at("unroll"), "    ");
            if (input_major)
                b += "    for (int q = 0; q < H * W * R * R * C; ++q) {\n"
                     "        const int c = q % C, i = q / (R * C) % R, j = q / C % R, w = q / (R * R * C) % W,\n"
                     "                  h = q / (W * R * R * C);\n"
                     "        " +
                     out_at + " = in[q];\n    }\n";
            else
                b += "    for (int o = 0; o < H * R * W * R * C; ++o) {\n"
                     "        const int c = o % C, j = o / C % R, w = o / (R * C) % W, i = o / (W * R * C) % R,\n"
                     "                  h = o / (R * W * R * C);\n"
                     "        out[o] = " +
                     in_at + ";\n    }\n";
        } else {
            std::vector<std::string> vars;
            if (input_major) vars = {"h", "w", "i", "j", "c"};
            else if (tw == W) vars = {"h", "i", "w", "j", "c"};
            else vars = {"h", "wt", "i", "w", "j", "c"};
            const auto range = [&](const std::string& v) -> std::pair<std::string, std::string> {
                if (v == "h") return {"0", "H"};
                if (v == "wt") return {"0", fmt::format("W / {}", tw)};
                if (v == "w")
                    return tw == W ? std::pair<std::string, std::string>{"0", "W"}
                                   : std::pair{fmt::format("wt * {}", tw), fmt::format("wt * {} + {}", tw, tw)};
                if (v == "c") return {"0", "C"};
                return {"0", "R"};
            };
            const auto [headers, indent] = loop_headers(vars, range, k.at("unroll"));
            b += headers + indent + out_at + " = " + in_at + ";\n";
        }
        return kernel(dim_defines(w), "const float *restrict in, float *restrict out", b);
    });
}

/// The pointwise half of an LSTM cell (what follows the gate GEMMs of a recurrent step), B x H:
/// the gate pre-activations arrive as one B x 4H matrix (PyTorch's order: input, forget, cell,
/// output gates, H columns each); i, f, o = sigmoid, g = tanh, c = f c_prev + i g, h = o tanh(c).
/// The output holds h, then c. Five exponentials per element (exp in C, branch-free so that the
/// loops vectorise; sigmoid and tanh from exp(-|x|)), the rest little arithmetic. Knobs: the passes (three: the four
/// activations into a scratch, then c, then h reading c back; two: the activations, then c and h
/// together; one fused pass with no scratch), the scratch's layout (planar, one gate after another,
/// written by a loop per gate that reads one gate's stream; or interleaved, the four gates of a
/// column together, written by one loop that reads the four streams), the passes run over the
/// whole row or over tiles of 64 columns (the scratch then 1 KB, in L1 for the next pass),
/// unrolling, vectorisation. Every element takes the same operations in the same order:
/// bit-identical.
std::vector<Variant> lstm_cell(const Workload& w) {
    const int H = w.dim("H");
    const std::vector<Knob> knobs{{"passes", "p", {3, 2, 1}},
                                  {"interleaved", "l", {0, 1}},
                                  {"tj", "tj", tiles_of(H, {64})},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int passes = k.at("passes"), tj = k.at("tj");
        const bool interleaved = k.at("interleaved") == 1;
        if (passes == 1 && (interleaved || tj != H)) return std::nullopt; // no scratch: one loop per row
        const std::string act[4] = {"sigm", "sigm", "tanh_", "sigm"};
        std::string b = "    for (int b = 0; b < B; ++b) {\n        const float *restrict gr = gates + b * 4 * H;\n"
                        "        const float *restrict cp = c_prev + b * H;\n        float *restrict hr = out + b * "
                        "H;\n        float *restrict cr = out + B * H + b * H;\n";
        if (passes == 1) {
            b += unroll_pragma(k.at("unroll"), "        ") +
                 "        for (int j = 0; j < H; ++j) {\n            const float i = sigm(gr[j]), f = sigm(gr[H + j]), "
                 "g = tanh_(gr[2 * H + j]), o = sigm(gr[3 * H + j]);\n            const float c = f * cp[j] + i * "
                 "g;\n            cr[j] = c;\n            hr[j] = o * tanh_(c);\n        }\n    }\n";
            return kernel(dim_defines(w) + sigmoid_tanh_functions,
                          "const float *restrict gates, const float *restrict c_prev, float *restrict out", b);
        }
        // Gate g of column j in the scratch.
        auto at = [&](int g) {
            return interleaved ? fmt::format("a[(j - j0) * 4 + {}]", g) : fmt::format("a[{} * TJ + (j - j0)]", g);
        };
        const std::string in = "            ", u = unroll_pragma(k.at("unroll"), in),
                          loop = in + "for (int j = j0; j < j0 + TJ; ++j)";
        b += "        for (int j0 = 0; j0 < H; j0 += TJ) {\n            float a[4 * TJ];\n";
        if (interleaved) {
            b += u + loop + " {\n";
            for (int g = 0; g < 4; ++g)
                b += fmt::format("{}    {} = {}(gr[{}j]);\n", in, at(g), act[g],
                                 g == 0 ? "" : fmt::format("{} * H + ", g));
            b += in + "}\n";
        } else {
            for (int g = 0; g < 4; ++g)
                b += u + fmt::format("{} {} = {}(gr[{}j]);\n", loop, at(g), act[g],
                                     g == 0 ? "" : fmt::format("{} * H + ", g));
        }
        const std::string c = fmt::format("{} * cp[j] + {} * {}", at(1), at(0), at(2));
        if (passes == 3)
            b += u + loop + " cr[j] = " + c + ";\n" + u + loop + " hr[j] = " + at(3) + " * tanh_(cr[j]);\n";
        else
            b += u + loop + " {\n" + in + "    const float c = " + c + ";\n" + in + "    cr[j] = c;\n" + in +
                 "    hr[j] = " + at(3) + " * tanh_(c);\n" + in + "}\n";
        b += "        }\n    }\n";
        return kernel(dim_defines(w, {{"TJ", tj}}) + sigmoid_tanh_functions,
                      "const float *restrict gates, const float *restrict c_prev, float *restrict out", b);
    });
}

/// Sparse times dense (SpMM, a graph convolution's aggregation or a pruned layer) in CSR form:
/// C[r][:] += sum over row r's nonzeros p of val[p] B[col(p)][:], M rows of the sparse matrix, K
/// its columns (a power of two), N dense columns. Rows have irregular lengths: rows 2q and 2q + 1
/// hold E + d and E - d nonzeros, d in (-E, E) a hash of the i32 input len[q] and q (so the M E
/// nonzeros fill val and col exactly); every schedule first turns the lengths into CSR row
/// pointers, then maps col[p] into [0, K) by a hash of it and p, as spmv's ELL does. Knobs: the
/// loop order (nonzeros then columns innermost: row r of B scaled into row r of C, vectorisable;
/// or columns then nonzeros innermost: a dot product per output, gathering down B's column), a
/// tile of 16 columns of B and C (inside the row loop, or outermost: all rows per tile, the tile's
/// quarter of B staying in cache), the sums in a local array (or scalar) instead of C, unrolling,
/// vectorisation. Every output adds its row's terms in nonzero order: bit-identical.
std::vector<Variant> spmm_csr(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{{"dot", "o", {0, 1}}, {"tn", "tn", tiles_of(N, {16})}, {"tile_outer", "t", {0, 1}},
                                  {"acc", "a", {0, 1}}, {"unroll", "u", {1, 4}},         vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tn = k.at("tn");
        const bool dot = k.at("dot") == 1, tile_outer = k.at("tile_outer") == 1, acc = k.at("acc") == 1;
        if (tile_outer && tn == N) return std::nullopt;         // one tile: the same loops
        if (dot && tn != N && !tile_outer) return std::nullopt; // dot products: a tile inside a row changes nothing
        const std::string col = "(int)(((unsigned)col[p] * 7919u + (unsigned)p * 2654435761u) >> KSHIFT)";
        std::string b = "    int rp[M + 1];\n    rp[0] = 0;\n    for (int q = 0; q < M / 2; ++q) {\n"
                        "        const int d = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % "
                        "(2u * E - 1u)) - (E - 1);\n"
                        "        rp[2 * q + 1] = rp[2 * q] + E + d;\n        rp[2 * q + 2] = rp[2 * q] + 2 * E;\n"
                        "    }\n";
        std::string in = "    ";
        if (tile_outer) {
            b += fmt::format("    for (int n0 = 0; n0 < N; n0 += {}) {{\n", tn);
            in += "    ";
        }
        b += in + "for (int r = 0; r < M; ++r) {\n";
        in += "    ";
        if (!tile_outer) {
            b +=
                tn == N ? in + "const int n0 = 0;\n" : fmt::format("{}for (int n0 = 0; n0 < N; n0 += {}) {{\n", in, tn);
            if (tn != N) in += "    ";
        }
        const std::string u = unroll_pragma(k.at("unroll"), in + "    ");
        const std::string ns = fmt::format("for (int n = n0; n < n0 + {}; ++n)", tn);
        if (!dot) {
            if (acc) b += fmt::format("{0}float a[{1}];\n{0}for (int n = 0; n < {1}; ++n) a[n] = 0.0f;\n", in, tn);
            b += in + "for (int p = rp[r]; p < rp[r + 1]; ++p) {\n" + in + "    const float v = val[p];\n" + in +
                 "    const float *restrict br = B + " + col + " * N;\n" + u + in + "    " + ns + " " +
                 (acc ? "a[n - n0]" : "C[r * N + n]") + " += v * br[n];\n" + in + "}\n";
            if (acc) b += in + ns + " C[r * N + n] += a[n - n0];\n";
        } else {
            b += in + ns + " {\n";
            if (acc) b += in + "    float s = 0.0f;\n";
            b += u + in + "    for (int p = rp[r]; p < rp[r + 1]; ++p) " + (acc ? "s" : "C[r * N + n]") +
                 " += val[p] * B[" + col + " * N + n];\n";
            if (acc) b += in + "    C[r * N + n] += s;\n";
            b += in + "}\n";
        }
        if (!tile_outer && tn != N) b += in.substr(4) + "}\n";
        b += tile_outer ? "        }\n    }\n" : "    }\n";
        const int shift = 32 - log2_floor(static_cast<std::uint64_t>(w.dim("K")));
        return kernel(dim_defines(w, {{"KSHIFT", shift}}),
                      "const float *restrict val, const int *restrict col, const int *restrict len, "
                      "const float *restrict B, float *restrict C",
                      b);
    });
}

/// Bilinear resize of an NHWC image by a non-integer factor (H x W -> OH x OW, C channels),
/// align_corners = false as in PyTorch and TensorFlow 2: source coordinate (o + 0.5) in / out -
/// 0.5, clamped at 0, its two neighbouring rows and columns (the last repeated at the edge).
/// out = (1 - ly) ((1 - lx) a + lx b) + ly ((1 - lx) c + lx d). Knobs: the rows' and columns'
/// indices and weights computed inline (per output row, per output pixel) or once into tables,
/// the interpolation direct (four taps per output) or separable (each of the two source rows
/// interpolated horizontally into a scratch row, then blended vertically; or the same with the
/// two scratch rows kept across output rows, a source row interpolated once while the output
/// rows that need it follow, as OpenCV's resize does), the channel loop inside or outside the
/// column loop, unrolling, vectorisation. A horizontal pass stores and reloads exactly the
/// parenthesised partial sums of the direct form: bit-identical.
std::vector<Variant> bilinear_resize(const Workload& w) {
    const std::vector<Knob> knobs{{"tables", "t", {0, 1}},
                                  {"separable", "s", {0, 1, 2}},
                                  {"chan_outer", "c", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool tables = k.at("tables") == 1, chan_outer = k.at("chan_outer") == 1;
        const int sep = k.at("separable");
        // Source coordinate of output o: (o + 0.5) * in / out - 0.5, clamped to [0, in - 1].
        auto coords = [](const char* o, const char* in, const char* out, const char* lo, const char* hi,
                         const char* frac) {
            return fmt::format("float {f}s = ((float){o} + 0.5f) * ((float){in} / (float){out}) - 0.5f; if ({f}s < "
                               "0.0f) {f}s = 0.0f; const int {lo} = (int){f}s; const int {hi} = {lo} + ({lo} < {in} "
                               "- 1); const float {f} = {f}s - (float){lo};",
                               fmt::arg("o", o), fmt::arg("in", in), fmt::arg("out", out), fmt::arg("lo", lo),
                               fmt::arg("hi", hi), fmt::arg("f", frac));
        };
        std::string b;
        if (tables) {
            b += "    int y0t[OH], y1t[OH], x0t[OW], x1t[OW];\n    float lyt[OH], lxt[OW];\n";
            b += fmt::format("    for (int oy = 0; oy < OH; ++oy) {{ {} y0t[oy] = y0; y1t[oy] = y1; lyt[oy] = ly; }}\n",
                             coords("oy", "H", "OH", "y0", "y1", "ly"));
            b += fmt::format("    for (int ox = 0; ox < OW; ++ox) {{ {} x0t[ox] = x0; x1t[ox] = x1; lxt[ox] = lx; }}\n",
                             coords("ox", "W", "OW", "x0", "x1", "lx"));
        }
        const std::string ycoords = tables ? "const int y0 = y0t[oy], y1 = y1t[oy]; const float ly = lyt[oy];"
                                           : coords("oy", "H", "OH", "y0", "y1", "ly");
        const std::string xcoords = tables ? "const int x0 = x0t[ox], x1 = x1t[ox]; const float lx = lxt[ox];"
                                           : coords("ox", "W", "OW", "x0", "x1", "lx");
        // The horizontal blend of source row `y` at output column ox, channel c.
        auto horizontal = [](const std::string& y) {
            return fmt::format("(1.0f - lx) * I[({0} * W + x0) * C + c] + lx * I[({0} * W + x1) * C + c]", y);
        };
        // The loops over (ox, c) in the knob's order around `stmt`, at indent `in`.
        auto columns = [&](const std::string& in, const std::string& stmt) {
            const std::string u = unroll_pragma(k.at("unroll"), in + "    ");
            if (chan_outer)
                return fmt::format("{0}for (int c = 0; c < C; ++c)\n{1}{0}    for (int ox = 0; ox < OW; ++ox) {{ {2} "
                                   "{3} }}\n",
                                   in, u, xcoords, stmt);
            return fmt::format("{0}for (int ox = 0; ox < OW; ++ox) {{\n{0}    {2}\n{1}{0}    for (int c = 0; c < C; "
                               "++c) {3}\n{0}}}\n",
                               in, u, xcoords, stmt);
        };
        if (sep == 0) {
            b += "    for (int oy = 0; oy < OH; ++oy) {\n        " + ycoords + "\n" +
                 columns("        ", "O[(oy * OW + ox) * C + c] = (1.0f - ly) * (" + horizontal("y0") + ") + ly * (" +
                                         horizontal("y1") + ");") +
                 "    }\n";
        } else {
            const std::string vertical =
                unroll_pragma(k.at("unroll"), "        ") +
                "        for (int q = 0; q < OW * C; ++q) O[oy * OW * C + q] = (1.0f - ly) * r0[q] + ly * r1[q];\n";
            if (sep == 1) {
                b += "    float r0[OW * C], r1[OW * C];\n    for (int oy = 0; oy < OH; ++oy) {\n        " + ycoords +
                     "\n" +
                     columns("        ", "{ r0[ox * C + c] = " + horizontal("y0") +
                                             "; r1[ox * C + c] = " + horizontal("y1") + "; }") +
                     vertical + "    }\n";
            } else {
                b += "    float ra[OW * C], rb[OW * C];\n    float *r0 = ra, *r1 = rb;\n    int k0 = -1, k1 = -1;\n"
                     "    for (int oy = 0; oy < OH; ++oy) {\n        " +
                     ycoords +
                     "\n        if (y0 != k0) {\n            if (y0 == k1) {\n                float *t = r0;\n"
                     "                r0 = r1;\n                r1 = t;\n                k0 = k1;\n"
                     "                k1 = -1;\n            } else {\n" +
                     columns("                ", "r0[ox * C + c] = " + horizontal("y0") + ";") +
                     "                k0 = y0;\n            }\n        }\n        if (y1 != k1) {\n" +
                     columns("            ", "r1[ox * C + c] = " + horizontal("y1") + ";") +
                     "            k1 = y1;\n        }\n" + vertical + "    }\n";
            }
        }
        return kernel(dim_defines(w), "const float *restrict I, float *restrict O", b);
    });
}

/// Segment sum (torch segment_reduce, a graph network's pooling of node rows into graphs): E rows
/// of width D, sorted into S contiguous segments, out[s][:] = the sum of segment s's rows. Segment
/// lengths are irregular: segments 2q and 2q + 1 hold L + d and L - d rows (L = E / S, d in (-L,
/// L) a hash of the i32 input len[q] and q). Knobs: the method (segment-outer over CSR offsets,
/// built from the lengths first: each segment's rows summed in turn; row-outer over the sorted
/// segment id of every row, built first, with a running sum flushed to out when the id changes;
/// row-outer adding every row straight into its segment's output row), a tile of 16 columns (inside
/// a segment, or outermost for the row streams: all rows per tile), a segment-outer sum kept in a
/// local array instead of out, unrolling, vectorisation. Every element adds its segment's rows in
/// row order: bit-identical.
std::vector<Variant> segment_sum(const Workload& w) {
    const int D = w.dim("D");
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2}},
                                  {"td", "td", tiles_of(D, {16})},
                                  {"acc", "a", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), td = k.at("td");
        const bool acc = k.at("acc") == 1;
        if ((method == 1 && !acc) || (method == 2 && acc)) return std::nullopt; // running sums: local; scatter: out
        const std::string delta =
            "const int dl = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % (2u * L - 1u)) - (L - "
            "1);";
        const std::string dloop = fmt::format("for (int d = d0; d < d0 + {}; ++d)", td);
        std::string b;
        if (method == 0) {
            b += "    int off[S + 1];\n    off[0] = 0;\n    for (int q = 0; q < S / 2; ++q) {\n        " + delta +
                 "\n        off[2 * q + 1] = off[2 * q] + L + dl;\n        off[2 * q + 2] = off[2 * q] + 2 * L;\n"
                 "    }\n" +
                 fmt::format("    for (int s = 0; s < S; ++s)\n        for (int d0 = 0; d0 < D; d0 += {}) {{\n", td);
            if (acc)
                b += fmt::format("            float a[{0}];\n            for (int d = 0; d < {0}; ++d) a[d] = 0.0f;\n",
                                 td);
            b += "            for (int e = off[s]; e < off[s + 1]; ++e)\n" +
                 unroll_pragma(k.at("unroll"), "                ") + "                " + dloop + " " +
                 (acc ? "a[d - d0]" : "out[s * D + d]") + " += x[e * D + d];\n";
            if (acc) b += "            " + dloop + " out[s * D + d] += a[d - d0];\n";
            b += "        }\n";
        } else {
            b += "    int seg[E];\n    for (int q = 0, e = 0; q < S / 2; ++q) {\n        " + delta +
                 "\n        for (int t = 0; t < L + dl; ++t) seg[e++] = 2 * q;\n"
                 "        for (int t = 0; t < L - dl; ++t) seg[e++] = 2 * q + 1;\n    }\n" +
                 fmt::format("    for (int d0 = 0; d0 < D; d0 += {}) {{\n", td);
            const std::string u = unroll_pragma(k.at("unroll"), "            ");
            if (method == 1)
                b += fmt::format("        float a[{0}];\n        for (int d = 0; d < {0}; ++d) a[d] = 0.0f;\n"
                                 "        int cur = seg[0];\n        for (int e = 0; e < E; ++e) {{\n"
                                 "            if (seg[e] != cur) {{\n                {1} {{\n"
                                 "                    out[cur * D + d] += a[d - d0];\n"
                                 "                    a[d - d0] = 0.0f;\n                }}\n"
                                 "                cur = seg[e];\n            }}\n{2}"
                                 "            {1} a[d - d0] += x[e * D + d];\n        }}\n"
                                 "        {1} out[cur * D + d] += a[d - d0];\n",
                                 td, dloop, u);
            else
                b += "        for (int e = 0; e < E; ++e)\n" + u + "            " + dloop +
                     " out[seg[e] * D + d] += x[e * D + d];\n";
            b += "    }\n";
        }
        return kernel(dim_defines(w, {{"L", w.dim("E") / w.dim("S")}}),
                      "const float *restrict x, const int *restrict len, float *restrict out", b);
    });
}

/// A 3-D convolution, NDHWC, 3 x 3 x 3 filter (DHWIO), valid, stride 1 (video and volumetric
/// models): O[od][oh][ow][k] += I[od + kd][oh + kh][ow + kw][c] F[kd][kh][kw][c][k]. Knobs as the
/// conv2d families': a tile of 8 output channels (its loop outermost), the point-loop order (a dot
/// product per output; output channels innermost, vectorisable along F's rows; output columns
/// innermost, strided; the filter's depth and height taps above the output rows; every tap
/// outermost), unrolling, vectorisation. The reduction loops keep their order kd, kh, kw, c in
/// every nest, only independent outputs move around them: bit-identical.
std::vector<Variant> conv3d_ndhwc(const Workload& w) {
    const int OD = w.dim("D") - 2, OH = w.dim("H") - 2, OW = w.dim("W") - 2, K = w.dim("K");
    NestSpec s;
    s.loops = {{"od", OD, OD}, {"oh", OH, OH}, {"ow", OW, OW}, {"k", K, K},
               {"kd", 3, 3},   {"kh", 3, 3},   {"kw", 3, 3},   {"c", w.dim("C"), w.dim("C")}};
    s.tiles = {{"k", tiles_of(K, {8})}};
    s.point_orders = {{"od", "oh", "ow", "k", "kd", "kh", "kw", "c"},
                      {"od", "oh", "ow", "kd", "kh", "kw", "c", "k"},
                      {"od", "oh", "k", "kd", "kh", "kw", "c", "ow"},
                      {"od", "kd", "kh", "oh", "ow", "kw", "c", "k"},
                      {"kd", "kh", "kw", "od", "oh", "ow", "c", "k"}};
    s.body = "O[((od * OH + oh) * OW + ow) * K + k] += I[(((od + kd) * H + oh + kh) * W + ow + kw) * C + c] * "
             "F[(((kd * 3 + kh) * 3 + kw) * C + c) * K + k];";
    return nest_family(w, s, dim_defines(w, {{"OD", OD}, {"OH", OH}, {"OW", OW}}), conv_signature);
}

/// A complex matrix-vector product (a beamformer's or a spectral method's y = A x), M x N, every
/// complex number two floats (re, im) side by side: y[m] += sum_n A[m][n] x[n], each term (ar xr -
/// ai xi, ar xi + ai xr). Knobs: rows per block (1: a dot product per row; 4: the block's sums
/// advance together per n, reusing x[n]; all M: the column-outer axpy, A read down its columns),
/// the sums in locals instead of y, x split into planar real and imaginary scratch arrays first,
/// unrolling of the innermost loop, vectorisation (the column walk not at -O3). Every y[m] adds its
/// terms in n order: bit-identical.
std::vector<Variant> complex_gemv(const Workload& w) {
    const int M = w.dim("M");
    const std::vector<Knob> knobs{
        {"tm", "tm", {1, 4, M}}, {"local", "l", {0, 1}}, {"planar", "p", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tm = k.at("tm");
        const bool local = k.at("local") == 1, planar = k.at("planar") == 1;
        // GCC 12's -O3 vectorises the column walk (rows 4 KB apart) by loading whole rows and
        // shuffling: 136 M instructions and 50 times slower than the scalar loop. Not a schedule.
        if (tm == M && k.at("vec") == 2) return std::nullopt;
        const std::string xr = planar ? "xre[n]" : "x[2 * n]", xi = planar ? "xim[n]" : "x[2 * n + 1]";
        std::string b;
        if (planar)
            b += "    float xre[N], xim[N];\n    for (int n = 0; n < N; ++n) {\n        xre[n] = x[2 * n];\n"
                 "        xim[n] = x[2 * n + 1];\n    }\n";
        if (tm == 1) {
            const std::string yr = local ? "sr" : "y[2 * m]", yi = local ? "si" : "y[2 * m + 1]";
            b += "    for (int m = 0; m < M; ++m) {\n        const float *restrict a = A + 2 * m * N;\n";
            if (local) b += "        float sr = 0.0f, si = 0.0f;\n";
            b += unroll_pragma(k.at("unroll"), "        ") +
                 fmt::format("        for (int n = 0; n < N; ++n) {{\n            const float ar = a[2 * n], ai = "
                             "a[2 * n + 1], xr = {}, xi = {};\n            {} += ar * xr - ai * xi;\n            {} "
                             "+= ar * xi + ai * xr;\n        }}\n",
                             xr, xi, yr, yi);
            if (local) b += "        y[2 * m] += sr;\n        y[2 * m + 1] += si;\n";
            b += "    }\n";
        } else {
            const std::string yr = local ? "s[2 * (m - m0)]" : "y[2 * m]",
                              yi = local ? "s[2 * (m - m0) + 1]" : "y[2 * m + 1]";
            b += fmt::format("    for (int m0 = 0; m0 < M; m0 += {}) {{\n", tm);
            if (local)
                b += fmt::format("        float s[2 * {0}];\n        for (int m = 0; m < 2 * {0}; ++m) s[m] = 0.0f;\n",
                                 tm);
            b += fmt::format("        for (int n = 0; n < N; ++n) {{\n            const float xr = {}, xi = {};\n{}"
                             "            for (int m = m0; m < m0 + {}; ++m) {{\n                const float ar = "
                             "A[2 * (m * N + n)], ai = A[2 * (m * N + n) + 1];\n                {} += ar * xr - ai * "
                             "xi;\n                {} += ar * xi + ai * xr;\n            }}\n        }}\n",
                             xr, xi, unroll_pragma(k.at("unroll"), "            "), tm, yr, yi);
            if (local)
                b += fmt::format("        for (int m = m0; m < m0 + {}; ++m) {{\n            y[2 * m] += s[2 * (m - "
                                 "m0)];\n            y[2 * m + 1] += s[2 * (m - m0) + 1];\n        }}\n",
                                 tm);
            b += "    }\n";
        }
        return kernel(dim_defines(w), "const float *restrict A, const float *restrict x, float *restrict y", b);
    });
}

/// Mamba's selective scan (the S6 recurrence), T time steps, D channels, N states per channel:
/// step dt = 0.5 (delta[t][d] + 1.5) > 0, decay rates A[d][n] = -(0.5 + 0.5 a^2) < 0 (computed
/// once into a scratch, as Mamba's -exp(A_log)), h[d][n] = exp(dt A[d][n]) h[d][n] + (dt x[t][d])
/// B[t][n], y[t][d] = sum over n of C[t][n] h[d][n]. exp in C (exp_neg of dt (0.5 + 0.5 a^2),
/// branch-free so that its loops vectorise). Knobs: the loop order (channel-outer: a channel's
/// whole sequence with its N states in a local array; time-outer with the states in a D x N array,
/// states innermost; time-outer with an N x D array, channels innermost, the step's dt and dt x
/// first computed into rows: vectorisable across channels), the decays exp(dt A) computed inline
/// in the update or by a pass of their own into a scratch first (per channel for the whole
/// sequence, or per time step for all channels), y summed in the update loop or by a second pass
/// over the stored states (per channel after its sequence, or per time step), unrolling,
/// vectorisation. Every state takes the same operations in the same order and every y adds its N
/// terms in n order from zero: bit-identical.
std::vector<Variant> selective_scan(const Workload& w) {
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"exp_pass", "e", {0, 1}},
                                  {"y_pass", "y", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order");
        const bool exp_pass = k.at("exp_pass") == 1, y_pass = k.at("y_pass") == 1;
        const std::string dt = "0.5f * (delta[t * D + d] + 1.5f)";
        std::string b;
        if (order == 0) {
            // A channel's sequence: the states in a local array, the decays of every step in dA.
            const std::string u = unroll_pragma(k.at("unroll"), "            ");
            b += "    float Ap[D * N];\n    for (int q = 0; q < D * N; ++q) Ap[q] = 0.5f + 0.5f * A[q] * A[q];\n";
            if (exp_pass) b += "    float dA[T * N];\n";
            if (y_pass) b += "    float hs[T * N];\n";
            b += "    for (int d = 0; d < D; ++d) {\n        const float *restrict ad = Ap + d * N;\n"
                 "        float h[N];\n        for (int n = 0; n < N; ++n) h[n] = 0.0f;\n";
            if (exp_pass)
                b += "        for (int t = 0; t < T; ++t) {\n            const float dt = " + dt + ";\n" + u +
                     "            for (int n = 0; n < N; ++n) dA[t * N + n] = exp_neg(dt * ad[n]);\n        }\n";
            b += "        for (int t = 0; t < T; ++t) {\n            const float dt = " + dt +
                 ", u = dt * x[t * D + d];\n";
            if (!y_pass) b += "            float s = 0.0f;\n";
            b += u + "            for (int n = 0; n < N; ++n) {\n                h[n] = " +
                 (exp_pass ? "dA[t * N + n]" : "exp_neg(dt * ad[n])") + " * h[n] + u * B[t * N + n];\n" +
                 (y_pass ? "                hs[t * N + n] = h[n];\n" : "                s += C[t * N + n] * h[n];\n") +
                 "            }\n";
            if (!y_pass) b += "            y[t * D + d] = s;\n";
            b += "        }\n";
            if (y_pass)
                b += "        for (int t = 0; t < T; ++t) {\n            float s = 0.0f;\n" + u +
                     "            for (int n = 0; n < N; ++n) s += C[t * N + n] * hs[t * N + n];\n"
                     "            y[t * D + d] = s;\n        }\n";
            b += "    }\n";
        } else if (order == 1) {
            // Time outer, the states h[d][n] in memory, states innermost.
            const std::string u = unroll_pragma(k.at("unroll"), "            ");
            b += "    float Ap[D * N], h[D * N];\n    for (int q = 0; q < D * N; ++q) {\n"
                 "        Ap[q] = 0.5f + 0.5f * A[q] * A[q];\n        h[q] = 0.0f;\n    }\n";
            if (exp_pass) b += "    float dA[D * N];\n";
            b += "    for (int t = 0; t < T; ++t) {\n        const float *restrict bt = B + t * N, *restrict ct = C + "
                 "t * N;\n";
            if (exp_pass)
                b += "        for (int d = 0; d < D; ++d) {\n            const float dt = " + dt + ";\n" + u +
                     "            for (int n = 0; n < N; ++n) dA[d * N + n] = exp_neg(dt * Ap[d * N + n]);\n"
                     "        }\n";
            b += "        for (int d = 0; d < D; ++d) {\n            const float dt = " + dt +
                 ", u = dt * x[t * D + d];\n";
            if (!y_pass) b += "            float s = 0.0f;\n";
            b += u + "            for (int n = 0; n < N; ++n) {\n                h[d * N + n] = " +
                 (exp_pass ? "dA[d * N + n]" : "exp_neg(dt * Ap[d * N + n])") + " * h[d * N + n] + u * bt[n];\n" +
                 (y_pass ? "" : "                s += ct[n] * h[d * N + n];\n") + "            }\n";
            if (!y_pass) b += "            y[t * D + d] = s;\n";
            b += "        }\n";
            if (y_pass)
                b += "        for (int d = 0; d < D; ++d) {\n            float s = 0.0f;\n" + u +
                     "            for (int n = 0; n < N; ++n) s += ct[n] * h[d * N + n];\n"
                     "            y[t * D + d] = s;\n        }\n";
            b += "    }\n";
        } else {
            // Time outer, the states h[n][d] in memory, channels innermost; y's row (zeroed by the
            // harness) accumulates the terms in n order.
            const std::string u = unroll_pragma(k.at("unroll"), "            "),
                              u1 = unroll_pragma(k.at("unroll"), "        ");
            b += "    float Ap[N * D], h[N * D], dtv[D], uv[D];\n    for (int n = 0; n < N; ++n)\n"
                 "        for (int d = 0; d < D; ++d) {\n            Ap[n * D + d] = 0.5f + 0.5f * A[d * N + n] * "
                 "A[d * N + n];\n            h[n * D + d] = 0.0f;\n        }\n";
            if (exp_pass) b += "    float dA[N * D];\n";
            b += "    for (int t = 0; t < T; ++t) {\n        float *restrict yt = y + t * D;\n" + u1 +
                 "        for (int d = 0; d < D; ++d) {\n            dtv[d] = " + dt +
                 ";\n            uv[d] = dtv[d] * x[t * D + d];\n        }\n";
            if (exp_pass)
                b += "        for (int n = 0; n < N; ++n)\n" + u +
                     "            for (int d = 0; d < D; ++d) dA[n * D + d] = exp_neg(dtv[d] * Ap[n * D + d]);\n";
            b += std::string("        for (int n = 0; n < N; ++n) {\n            const float bn = B[t * N + n]") +
                 (y_pass ? ";\n" : ", cn = C[t * N + n];\n") + u +
                 "            for (int d = 0; d < D; ++d) {\n                h[n * D + d] = " +
                 (exp_pass ? "dA[n * D + d]" : "exp_neg(dtv[d] * Ap[n * D + d])") + " * h[n * D + d] + uv[d] * bn;\n" +
                 (y_pass ? "" : "                yt[d] += cn * h[n * D + d];\n") + "            }\n        }\n";
            if (y_pass)
                b += "        for (int n = 0; n < N; ++n) {\n            const float cn = C[t * N + n];\n" + u +
                     "            for (int d = 0; d < D; ++d) yt[d] += cn * h[n * D + d];\n        }\n";
            b += "    }\n";
        }
        return kernel(dim_defines(w) + exp_neg_function,
                      "const float *restrict x, const float *restrict delta, const float *restrict A, "
                      "const float *restrict B, const float *restrict C, float *restrict y",
                      b);
    });
}

/// The min-plus (tropical) matrix product, M x N x K: C[i][j] = min over k of A[i][k] + B[k][j], the
/// relaxation step of all-pairs shortest paths and of Viterbi-like dynamic programs. C is first set
/// to +infinity (a schedule whose running minima start in a local at +infinity writes C once
/// instead), then relaxed by `t < c ? t : c`, which GCC turns into minps. Knobs: the point-loop order
/// (i, j, k: a minimum per output down B's column; i, k, j: A[i][k] added to row k of B, relaxing
/// row i of C, vectorisable; k, i, j: outer products, C's tile relaxed once per k), tiles of 32
/// columns and 32 of the k range (the tile loops j0 then k0 outermost: a 4 KB block of B reused by
/// every row), the running minimum in a local (a register for i, j, k; a row of the tile for i, k,
/// j) instead of C, unrolling, vectorisation. A minimum of exact sums does not depend on the order
/// (no NaN, no -0 arises from the inputs): bit-identical.
std::vector<Variant> minplus_gemm(const Workload& w) {
    const int N = w.dim("N"), K = w.dim("K");
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"tile", "t", tiles_of(N, {32})},
                                  {"local", "l", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), tile = k.at("tile");
        const bool local = k.at("local") == 1;
        if (order == 2 && local) return std::nullopt; // the outer product relaxes the whole tile per k
        const int tj = tile, tk = tile == N ? K : tile;
        const bool whole_k = tk == K; // a local minimum then starts at +infinity and C needs no first pass
        std::string b;
        if (!(local && whole_k)) b += "    for (int q = 0; q < M * N; ++q) C[q] = INF;\n";
        std::string in = "    ";
        if (tj != N) {
            b += fmt::format("{}for (int j0 = 0; j0 < N; j0 += {}) {{\n", in, tj);
            in += "    ";
        } else b += in + "const int j0 = 0;\n";
        if (tk != K) {
            b += fmt::format("{}for (int k0 = 0; k0 < K; k0 += {}) {{\n", in, tk);
            in += "    ";
        } else b += in + "const int k0 = 0;\n";
        const std::string u = unroll_pragma(k.at("unroll"), in + "        "),
                          jl = fmt::format("for (int j = j0; j < j0 + {}; ++j)", tj),
                          kl = fmt::format("for (int k = k0; k < k0 + {}; ++k)", tk),
                          sum = "const float t = A[i * K + k] + B[k * N + j];";
        if (order == 0) {
            b += in + "for (int i = 0; i < M; ++i)\n" + in + "    " + jl + " {\n";
            const std::string c = local ? "m" : "C[i * N + j]";
            if (local) b += in + "        float m = " + (whole_k ? "INF" : "C[i * N + j]") + ";\n";
            b += u + in + "        " + kl + " {\n" + in + "            " + sum + "\n" + in + "            " + c +
                 " = t < " + c + " ? t : " + c + ";\n" + in + "        }\n";
            if (local) b += in + "        C[i * N + j] = m;\n";
            b += in + "    }\n";
        } else if (order == 1) {
            b += in + "for (int i = 0; i < M; ++i) {\n";
            const std::string c = local ? "r[j - j0]" : "C[i * N + j]";
            if (local)
                b += fmt::format("{}    float r[{}];\n{}    {} r[j - j0] = {};\n", in, tj, in, jl,
                                 whole_k ? "INF" : "C[i * N + j]");
            b += in + "    " + kl + " {\n" + in + "        const float a = A[i * K + k];\n" + u + in + "        " + jl +
                 " {\n" + in + "            const float t = a + B[k * N + j];\n" + in + "            " + c + " = t < " +
                 c + " ? t : " + c + ";\n" + in + "        }\n" + in + "    }\n";
            if (local) b += in + "    " + jl + " C[i * N + j] = r[j - j0];\n";
            b += in + "}\n";
        } else {
            b += in + kl + " {\n" + in + "    for (int i = 0; i < M; ++i) {\n" + in +
                 "        const float a = A[i * K + k];\n" + u + in + "        " + jl + " {\n" + in +
                 "            const float t = a + B[k * N + j];\n" + in +
                 "            C[i * N + j] = t < C[i * N + j] ? t : C[i * N + j];\n" + in + "        }\n" + in +
                 "    }\n" + in + "}\n";
        }
        if (tk != K) b += in.substr(4) + "}\n";
        if (tj != N) b += "    }\n";
        return kernel(dim_defines(w) + "#define INF __builtin_inff()\n", f32_in_in_out_ABC, b);
    });
}

/// Ball query, PointNet++'s grouping step: for each of Q query points (centres), the indices of the
/// first K of P points (in index order) within radius r, padded with the first index found (0 if
/// none). Points and centres are xyz interleaved, uniform in [-1, 1)^3; r is the radius of a ball
/// holding 2K points on average away from the cube's faces (r^2 = (12 K / (pi P))^(2/3)): most
/// queries find K, those near faces and corners fewer. Knobs: the method (one pass with a branch
/// per point inside the radius; one branch-free pass storing every index into a local list and
/// advancing its count by the test, capped at K; two passes: the test of every point into an int
/// mask, vectorisable, then a scan of the mask for the first K hits), stopping once K are found or
/// scanning every point (two passes: the mask made in chunks of 256 points, stopping after the
/// chunk that fills the list, or for all points at once), the points copied into planar x, y, z
/// scratch arrays first, 4 queries per pass over the points (each with its own count; stopping
/// only once all 4 are full), vectorisation. The test is the same float expression in every
/// schedule and the indices are integers: bit-identical.
std::vector<Variant> ball_query(const Workload& w) {
    const int P = w.dim("P"), K = w.dim("K");
    const float r2 = static_cast<float>(std::pow(12.0 * K / (3.14159265358979 * P), 2.0 / 3.0));
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2}},
                                  {"early_exit", "e", {0, 1}},
                                  {"soa", "s", {0, 1}},
                                  {"block", "b", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), nq = k.at("block");
        const bool early = k.at("early_exit") == 1, soa = k.at("soa") == 1;
        const int chunk = method == 2 && early ? 256 : P;
        auto coord = [&](int axis) {
            return soa         ? fmt::format("p{}[p]", "xyz"[axis])
                   : axis == 0 ? std::string("xyz[3 * p]")
                               : fmt::format("xyz[3 * p + {}]", axis);
        };
        // Centre j of the block (its coordinates in cx[j], ...; j is 0 for a block of one), at `in`.
        const std::string j = nq == 1 ? "0" : "j";
        auto per_centre = [&](const std::string& in, const std::string& stmts) {
            std::string code =
                fmt::format("{0}const float dx = {1} - cx[{4}], dy = {2} - cy[{4}], dz = {3} - cz[{4}];\n"
                            "{0}const float d2 = dx * dx + dy * dy + dz * dz;\n",
                            in, coord(0), coord(1), coord(2), j);
            for (std::size_t from = 0; from < stmts.size();) {
                const std::size_t to = std::min(stmts.find('\n', from), stmts.size());
                code += in + stmts.substr(from, to - from) + "\n";
                from = to + 1;
            }
            if (nq == 1) return code;
            const std::string outer = in.substr(4);
            return outer + "#pragma GCC unroll 4\n" + outer + "for (int j = 0; j < NQ; ++j) {\n" + code + outer + "}\n";
        };
        const std::string c = fmt::format("cnt[{}]", j),
                          all_full =
                              nq == 1 ? "cnt[0] == K" : "cnt[0] == K && cnt[1] == K && cnt[2] == K && cnt[3] == K";
        std::string b;
        if (soa)
            b += "    float px[P], py[P], pz[P];\n    for (int p = 0; p < P; ++p) {\n        px[p] = xyz[3 * p];\n"
                 "        py[p] = xyz[3 * p + 1];\n        pz[p] = xyz[3 * p + 2];\n    }\n";
        b += "    for (int q0 = 0; q0 < Q; q0 += NQ) {\n        float cx[NQ], cy[NQ], cz[NQ];\n        int cnt[NQ];\n"
             "        for (int j = 0; j < NQ; ++j) {\n            cx[j] = centres[3 * (q0 + j)];\n"
             "            cy[j] = centres[3 * (q0 + j) + 1];\n            cz[j] = centres[3 * (q0 + j) + 2];\n"
             "            cnt[j] = 0;\n        }\n";
        // The found indices: straight into idx (a branch per hit), or (branch-free) a local list of
        // K + 1 slots, every index stored, the last slot taking the stores once K are found.
        if (method == 1) b += "        int list[NQ][K + 1];\n";
        if (method != 2) {
            // One centre stopping at K needs no cap on its count: it leaves the loop first.
            const bool capped = !(early && nq == 1);
            std::string stmts;
            if (method == 0)
                stmts = fmt::format("if (d2 < R2{0}) {{\n    idx[(q0 + {1}) * K + {2}] = p;\n    ++{2};\n",
                                    capped ? " && " + c + " < K" : "", j, c) +
                        (capped ? "}" : "    if (" + c + " == K) break;\n}");
            else
                stmts = fmt::format("list[{0}][{1}] = p;\n{1} += {2};", j, c,
                                    capped ? "(d2 < R2) & (" + c + " < K)" : "d2 < R2") +
                        (capped ? "" : "\nif (" + c + " == K) break;");
            b += "        for (int p = 0; p < P; ++p) {\n" +
                 per_centre(nq == 1 ? "            " : "                ", stmts);
            if (early && nq != 1) b += "            if (" + all_full + ") break;\n";
            b += "        }\n";
        } else {
            b += fmt::format("        int mask[NQ][{}];\n", chunk);
            if (chunk != P) b += fmt::format("        for (int p0 = 0; p0 < P; p0 += {}) {{\n", chunk);
            else b += "        {\n            const int p0 = 0;\n";
            b += fmt::format("            for (int p = p0; p < p0 + {}; ++p) {{\n", chunk) +
                 per_centre(nq == 1 ? "                " : "                    ",
                            fmt::format("mask[{}][p - p0] = d2 < R2;", j)) +
                 "            }\n";
            b += "            for (int j = 0; j < NQ; ++j)\n" +
                 fmt::format("                for (int p = p0; p < p0 + {} && cnt[j] < K; ++p)\n", chunk) +
                 "                    if (mask[j][p - p0]) idx[(q0 + j) * K + cnt[j]++] = p;\n";
            if (early) b += "            if (" + all_full + ") break;\n";
            b += "        }\n";
        }
        // Copy out and pad with the first index found (0 if none).
        b += "        for (int j = 0; j < NQ; ++j) {\n            int *restrict row = idx + (q0 + j) * K;\n";
        if (method == 1) b += "            for (int s = 0; s < cnt[j]; ++s) row[s] = list[j][s];\n";
        b += "            for (int s = cnt[j]; s < K; ++s) row[s] = cnt[j] ? row[0] : 0;\n        }\n    }\n";
        return kernel(dim_defines(w, {{"NQ", nq}}) + fmt::format("#define R2 {:.9g}f\n", r2),
                      "const float *restrict xyz, const float *restrict centres, int *restrict idx", b);
    });
}

/// Cholesky factorisation of an N x N symmetric positive definite matrix (the solve behind
/// Gaussian processes, Kalman filters, natural-gradient and second-order optimisers): the lower
/// triangular L with A = L L^T, L row-major with its upper part left zero. The input is any matrix
/// in [-1, 1): every schedule first builds the SPD matrix (A + A^T) / 2 + N I (diagonally
/// dominant) into the lower triangle it factorises. Each element is a running difference, L[i][j] =
/// (a[i][j] - L[i][0] L[j][0] - L[i][1] L[j][1] - ... ) / L[j][j] (the square root on the
/// diagonal, an instruction under -fno-math-errno), whose terms the loop forms apply at different
/// times. Knobs: the form (row by row, Cholesky-Banachiewicz: a dot product of two rows per element;
/// column by column, Crout: the same dot products column after column, row j reused by every row
/// below; right-looking, the outer-product kij form: once column k is final it updates the whole
/// trailing triangle, or blocked, in panels of nb = 16 or 32 columns, each factorised by dot
/// products over its own columns, then the trailing triangle updated by the panel's nb columns at
/// once; left-looking axpy, the jki form of column-major codes: column j updated by every earlier
/// column, walking down columns), a block of four outputs sharing one
/// row's loads in the dot forms (four independent chains; in the row form a small triangle
/// finishes the block), packing (right-looking: the panel's columns copied into a contiguous
/// transposed panel so the update streams along rows; left-looking: the factorisation run in a
/// column-major workspace, copied into L at the end), unrolling, vectorisation. Every form subtracts
/// each element's products in k order and divides by the same diagonal: bit-identical.
std::vector<Variant> cholesky(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{{"form", "f", {0, 1, 2, 3}}, {"nb", "nb", {1, 16, 32}}, {"jb", "j", {1, 4}},
                                  {"pack", "p", {0, 1}},       {"unroll", "u", {1, 4}},   vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int form = k.at("form"), nb = k.at("nb"), jb = k.at("jb");
            const bool pack = k.at("pack") == 1;
            if (N % nb != 0 || (form != 2 && nb != 1)) return std::nullopt; // panels: right-looking only
            if (form >= 2 && jb != 1) return std::nullopt;                  // blocks of outputs: dot forms
            if (form <= 1 && pack) return std::nullopt;                     // the dot forms read rows anyway
            const auto u = [&](const std::string& in) { return unroll_pragma(k.at("unroll"), in); };
            std::string b;
            if (form == 3 && pack) {
                // The column-major workspace: T[j * N + i] holds L[i][j].
                b += "    float T[N * N];\n    for (int j = 0; j < N; ++j) {\n"
                     "        T[j * N + j] = A[j * N + j] + (float)N;\n"
                     "        for (int i = j + 1; i < N; ++i) T[j * N + i] = 0.5f * (A[i * N + j] + A[j * N + i]);\n"
                     "    }\n    for (int j = 0; j < N; ++j) {\n        for (int k = 0; k < j; ++k) {\n"
                     "            const float ljk = T[k * N + j];\n" +
                     u("            ") +
                     "            for (int i = j; i < N; ++i) T[j * N + i] -= T[k * N + i] * ljk;\n        }\n"
                     "        const float ljj = __builtin_sqrtf(T[j * N + j]);\n        T[j * N + j] = ljj;\n"
                     "        for (int i = j + 1; i < N; ++i) T[j * N + i] = T[j * N + i] / ljj;\n    }\n"
                     "    for (int i = 0; i < N; ++i)\n        for (int j = 0; j <= i; ++j) L[i * N + j] = T[j * N + "
                     "i];\n";
                return kernel(dim_defines(w), "const float *restrict A, float *restrict L", b);
            }
            b += "    for (int i = 0; i < N; ++i) {\n"
                 "        for (int j = 0; j < i; ++j) L[i * N + j] = 0.5f * (A[i * N + j] + A[j * N + i]);\n"
                 "        L[i * N + i] = A[i * N + i] + (float)N;\n    }\n";
            // The diagonal element of row `r` from its products over k in [from, r).
            const auto diagonal = [&](const std::string& r, const std::string& from, const std::string& in) {
                return fmt::format("{0}{{\n{0}    float d = L[{1} * N + {1}];\n{2}{0}    for (int k = {3}; k < {1}; "
                                   "++k) d -= L[{1} * N + k] * L[{1} * N + k];\n{0}    L[{1} * N + {1}] = "
                                   "__builtin_sqrtf(d);\n{0}}}\n",
                                   in, r, u(in + "    "), from);
            };
            if (form == 0) {
                b += "    for (int i = 0; i < N; ++i) {\n        int j = 0;\n";
                if (jb == 4) {
                    // Four outputs of row i: their common products over k < j, then the small triangle
                    // (output j + q also needs the block's outputs before it), in k order.
                    b += "        for (; j + 4 <= i; j += 4) {\n"
                         "            float s0 = L[i * N + j], s1 = L[i * N + j + 1], s2 = L[i * N + j + 2], s3 = "
                         "L[i * N + j + 3];\n" +
                         u("            ") +
                         "            for (int k = 0; k < j; ++k) {\n                const float x = L[i * N + k];\n"
                         "                s0 -= x * L[j * N + k];\n                s1 -= x * L[(j + 1) * N + k];\n"
                         "                s2 -= x * L[(j + 2) * N + k];\n                s3 -= x * L[(j + 3) * N + "
                         "k];\n            }\n"
                         "            const float l0 = s0 / L[j * N + j];\n"
                         "            s1 -= l0 * L[(j + 1) * N + j];\n"
                         "            const float l1 = s1 / L[(j + 1) * N + j + 1];\n"
                         "            s2 -= l0 * L[(j + 2) * N + j];\n            s2 -= l1 * L[(j + 2) * N + j + 1];\n"
                         "            const float l2 = s2 / L[(j + 2) * N + j + 2];\n"
                         "            s3 -= l0 * L[(j + 3) * N + j];\n            s3 -= l1 * L[(j + 3) * N + j + 1];\n"
                         "            s3 -= l2 * L[(j + 3) * N + j + 2];\n"
                         "            L[i * N + j] = l0;\n            L[i * N + j + 1] = l1;\n"
                         "            L[i * N + j + 2] = l2;\n            L[i * N + j + 3] = s3 / L[(j + 3) * N + j + "
                         "3];\n        }\n";
                }
                b += "        for (; j < i; ++j) {\n            float s = L[i * N + j];\n" + u("            ") +
                     "            for (int k = 0; k < j; ++k) s -= L[i * N + k] * L[j * N + k];\n"
                     "            L[i * N + j] = s / L[j * N + j];\n        }\n" +
                     diagonal("i", "0", "        ") + "    }\n";
            } else if (form == 1) {
                b += "    for (int j = 0; j < N; ++j) {\n" + diagonal("j", "0", "        ") +
                     "        const float ljj = L[j * N + j];\n        int i = j + 1;\n";
                if (jb == 4)
                    b += "        for (; i + 4 <= N; i += 4) {\n"
                         "            float s0 = L[i * N + j], s1 = L[(i + 1) * N + j], s2 = L[(i + 2) * N + j], s3 = "
                         "L[(i + 3) * N + j];\n" +
                         u("            ") +
                         "            for (int k = 0; k < j; ++k) {\n                const float x = L[j * N + k];\n"
                         "                s0 -= L[i * N + k] * x;\n                s1 -= L[(i + 1) * N + k] * x;\n"
                         "                s2 -= L[(i + 2) * N + k] * x;\n                s3 -= L[(i + 3) * N + k] * "
                         "x;\n            }\n"
                         "            L[i * N + j] = s0 / ljj;\n            L[(i + 1) * N + j] = s1 / ljj;\n"
                         "            L[(i + 2) * N + j] = s2 / ljj;\n            L[(i + 3) * N + j] = s3 / ljj;\n"
                         "        }\n";
                b += "        for (; i < N; ++i) {\n            float s = L[i * N + j];\n" + u("            ") +
                     "            for (int k = 0; k < j; ++k) s -= L[i * N + k] * L[j * N + k];\n"
                     "            L[i * N + j] = s / ljj;\n        }\n    }\n";
            } else if (form == 2 && nb == 1) {
                if (pack) b += "    float c[N];\n";
                b += "    for (int k = 0; k < N; ++k) {\n        const float lkk = __builtin_sqrtf(L[k * N + k]);\n"
                     "        L[k * N + k] = lkk;\n"
                     "        for (int i = k + 1; i < N; ++i) L[i * N + k] = L[i * N + k] / lkk;\n";
                if (pack) b += "        for (int j = k + 1; j < N; ++j) c[j] = L[j * N + k];\n";
                b += "        for (int i = k + 1; i < N; ++i) {\n            const float lik = L[i * N + k];\n" +
                     u("            ") + "            for (int j = k + 1; j <= i; ++j) L[i * N + j] -= lik * " +
                     (pack ? "c[j]" : "L[j * N + k]") + ";\n        }\n    }\n";
            } else if (form == 2) {
                if (pack) b += "    float P[NB * N];\n";
                b += "    for (int k0 = 0; k0 < N; k0 += NB) {\n"
                     "        for (int i = k0; i < N; ++i) {\n"
                     "            const int je = i < k0 + NB ? i : k0 + NB;\n"
                     "            for (int j = k0; j < je; ++j) {\n                float s = L[i * N + j];\n" +
                     u("                ") +
                     "                for (int k = k0; k < j; ++k) s -= L[i * N + k] * L[j * N + k];\n"
                     "                L[i * N + j] = s / L[j * N + j];\n            }\n"
                     "            if (i < k0 + NB) " +
                     diagonal("i", "k0", "            ").substr(12) + "        }\n";
                if (!pack)
                    b += "        for (int i = k0 + NB; i < N; ++i)\n"
                         "            for (int j = k0 + NB; j <= i; ++j) {\n                float s = L[i * N + j];\n" +
                         u("                ") +
                         "                for (int k = k0; k < k0 + NB; ++k) s -= L[i * N + k] * L[j * N + k];\n"
                         "                L[i * N + j] = s;\n            }\n";
                else
                    b += "        for (int j = k0 + NB; j < N; ++j)\n"
                         "            for (int k = k0; k < k0 + NB; ++k) P[(k - k0) * N + j] = L[j * N + k];\n"
                         "        for (int i = k0 + NB; i < N; ++i)\n"
                         "            for (int k = k0; k < k0 + NB; ++k) {\n"
                         "                const float lik = L[i * N + k];\n" +
                         u("                ") +
                         "                for (int j = k0 + NB; j <= i; ++j) L[i * N + j] -= lik * P[(k - k0) * N + "
                         "j];\n            }\n";
                b += "    }\n";
            } else {
                b += "    for (int j = 0; j < N; ++j) {\n        for (int k = 0; k < j; ++k) {\n"
                     "            const float ljk = L[j * N + k];\n" +
                     u("            ") +
                     "            for (int i = j; i < N; ++i) L[i * N + j] -= L[i * N + k] * ljk;\n        }\n"
                     "        const float ljj = __builtin_sqrtf(L[j * N + j]);\n        L[j * N + j] = ljj;\n"
                     "        for (int i = j + 1; i < N; ++i) L[i * N + j] = L[i * N + j] / ljj;\n    }\n";
            }
            return kernel(form == 2 && nb > 1 ? dim_defines(w, {{"NB", nb}}) : dim_defines(w),
                          "const float *restrict A, float *restrict L", b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// col2im, or fold (PyTorch's nn.Fold; the data gradient of a convolution lowered to a GEMM, the
/// adjoint of im2col): patch rows cols[oh * OW + ow][(r * S + s) * C + c] of R x S taps, stride 1,
/// valid, summed back into an H x W x C NHWC image: every pixel adds each patch element that
/// covers it (up to R S of them). Knobs: the method (scatter, patch-major: each patch row read in
/// order and added into its R image rows; scatter by rows of taps: for each output row, each tap
/// row r walks one image row, which stays in L1 across the patch row's columns; gather,
/// pixel-major: each pixel sums its contributing taps, the tap ranges clamped at the border; the
/// same over all R S taps with a bounds test on each), the channels (innermost, C contiguous floats
/// on both sides; a tile of 8 channels outermost, runs of 32 bytes and a quarter of the image per
/// sweep; or the channel loop outermost, every access strided, as a channel-major port walks NHWC
/// data), a gather's sum in a local vector (or scalar) written once, vectorisation. A pixel's
/// contributions come in patch order (oh, ow) ascending in every schedule (the gathers walk r and s
/// descending): bit-identical.
std::vector<Variant> col2im(const Workload& w) {
    const int C = w.dim("C"), R = w.dim("R"), S = w.dim("S");
    const int OH = w.dim("H") - R + 1, OW = w.dim("W") - S + 1;
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2, 3}}, {"tc", "tc", {C, 8, 1}}, {"acc", "a", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), tc = k.at("tc");
        const bool acc = k.at("acc") == 1;
        if (method < 2 && acc) return std::nullopt; // a scatter's sums live in the image
        // The channel loops: a tile loop outermost (tc < C), a loop over the tile's channels
        // innermost (tc > 1).
        std::string b, in = "    ";
        if (tc == 1) b += "    for (int c = 0; c < C; ++c)\n";
        else if (tc < C) b += "    for (int c0 = 0; c0 < C; c0 += TC)\n";
        if (tc < C) in += "    ";
        const std::string channels = tc == C ? "for (int c = 0; c < C; ++c) " : "for (int c = c0; c < c0 + TC; ++c) ";
        if (method < 2) {
            const std::string stmt =
                "img[((oh + r) * W + ow + s) * C + c] += cols[(oh * OW + ow) * RSC + (r * S + s) * C + c];\n";
            const std::vector<std::string> loops =
                method == 0 ? std::vector<std::string>{"oh < OH", "ow < OW", "r < R", "s < S"}
                            : std::vector<std::string>{"oh < OH", "r < R", "ow < OW", "s < S"};
            for (const auto& l : loops) {
                b += fmt::format("{0}for (int {1} = 0; {2}; ++{1})\n", in, l.substr(0, l.find(' ')), l);
                in += "    ";
            }
            b += tc > 1 ? in + channels + stmt : in + stmt;
        } else {
            // Pixel (h, w): taps r from min(R - 1, h) down to max(0, h - OH + 1), likewise s.
            b += in + "for (int h = 0; h < H; ++h)\n" + in + "    for (int w = 0; w < W; ++w) {\n";
            in += "        ";
            const std::string pixel = "img[(h * W + w) * C + c]",
                              local = tc == C  ? "a[c]"
                                      : tc > 1 ? "a[c - c0]"
                                               : "a",
                              target = acc ? local : pixel;
            if (acc)
                b += tc > 1 ? in + "float a[TC];\n" + in + channels + local + " = 0.0f;\n" : in + "float a = 0.0f;\n";
            const std::string add = target + " += cols[((h - r) * OW + w - s) * RSC + (r * S + s) * C + c];\n";
            b += method == 2 ? in + "for (int r = h < R - 1 ? h : R - 1; r >= (h - OH + 1 > 0 ? h - OH + 1 : 0); --r)\n"
                             : in + "for (int r = R - 1; r >= 0; --r)\n";
            const std::string s_loop = method == 2
                                           ? "for (int s = w < S - 1 ? w : S - 1; s >= (w - OW + 1 > 0 ? w - OW + 1 "
                                             ": 0); --s) {\n"
                                           : "for (int s = S - 1; s >= 0; --s) {\n";
            b += in + "    " + s_loop;
            if (method == 3) b += in + "        if (h - r < 0 || h - r >= OH || w - s < 0 || w - s >= OW) continue;\n";
            b += tc == 1 ? in + "        " + add : in + "        " + channels + add;
            b += in + "    }\n";
            if (acc) b += tc > 1 ? in + channels + pixel + " += " + local + ";\n" : in + pixel + " += a;\n";
            b += in.substr(4) + "}\n";
        }
        return kernel(dim_defines(w, {{"OH", OH}, {"OW", OW}, {"RSC", R * S * C}, {"TC", tc}}),
                      "const float *restrict cols, float *restrict img", b);
    });
}

/// A feed-forward block with ReLU (a transformer's MLP or a recommender's tower at inference over
/// M tokens): Y = relu(X W1 + b1) W2, X M x D, W1 D x F, b1 F, W2 F x D. Knobs: the rows per tile
/// (all M: unfused, two GEMMs row by row with the whole M x F hidden matrix in a scratch; 1, 4, 8:
/// fused, each tile's hidden rows produced into a small local array and consumed at once, the
/// tile's row loop inside the weight loops so that each weight is loaded once per tile), the loop
/// form of both GEMMs (dot products per output, walking down W1's and W2's columns; axpy, rows of
/// W1 and W2 streamed into the hidden and output rows, vectorisable; the same skipping the hidden
/// values the ReLU zeroed, about half of them: a branch per hidden value), the bias and ReLU as a
/// pass over the hidden tile or fused (into the dot product's epilogue, or into the axpy's read of
/// each hidden value), vectorisation. Every hidden value is its k-ordered sum, plus b1, then the
/// ReLU; every output sums its f in order (a skipped term would add a zero): bit-identical.
std::vector<Variant> mlp2(const Workload& w) {
    const int M = w.dim("M");
    const std::vector<Knob> knobs{
        {"tm", "tm", {M, 1, 4, 8}}, {"order", "o", {0, 1, 2}}, {"fused_relu", "e", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tm = k.at("tm"), order = k.at("order");
        const bool fused = k.at("fused_relu") == 1;
        const std::string relu = "(t > 0.0f ? t : 0.0f)";
        // Unfused: the whole hidden matrix, each GEMM row by row. Fused: a tile of TM rows, its row
        // loop inside the weight loops.
        const bool unfused = tm == M;
        const std::string rows = unfused ? "for (int m = 0; m < M; ++m)" : "for (int m = m0; m < m0 + TM; ++m)",
                          hv = unfused ? "h[m * F + f]" : "h[(m - m0) * F + f]";
        std::string b =
            unfused ? "    float h[M * F];\n" : "    float h[TM * F];\n    for (int m0 = 0; m0 < M; m0 += TM) {\n";
        const std::string in = unfused ? "    " : "        ";
        // The weight loop `wl` and the row loop around `lines`.
        const auto nest = [&](const std::string& wl, const std::vector<std::string>& lines) {
            std::string n = in + (unfused ? rows : wl) + "\n" + in + "    " + (unfused ? wl : rows) + " {\n";
            for (const auto& l : lines) n += in + "        " + l + "\n";
            return n + in + "    }\n";
        };
        if (order == 0) {
            std::vector<std::string> lines{"float s = 0.0f;",
                                           "for (int k = 0; k < D; ++k) s += X[m * D + k] * W1[k * F + f];"};
            if (fused) lines.insert(lines.end(), {"const float t = s + b1[f];", hv + " = " + relu + ";"});
            else lines.push_back(hv + " = s;");
            b += nest("for (int f = 0; f < F; ++f)", lines);
        } else {
            b += in + (unfused ? "for (int q = 0; q < M * F; ++q)" : "for (int q = 0; q < TM * F; ++q)") +
                 " h[q] = 0.0f;\n" +
                 nest("for (int k = 0; k < D; ++k)", {"const float x = X[m * D + k];",
                                                      "for (int f = 0; f < F; ++f) " + hv + " += x * W1[k * F + f];"});
        }
        if (!fused)
            b += in + rows + "\n" + in + "    for (int f = 0; f < F; ++f) {\n" + in + "        const float t = " + hv +
                 " + b1[f];\n" + in + "        " + hv + " = " + relu + ";\n" + in + "    }\n";
        if (order == 0) {
            b += nest("for (int d = 0; d < D; ++d)",
                      {"float s = 0.0f;", "for (int f = 0; f < F; ++f) s += " + hv + " * W2[f * D + d];",
                       "Y[m * D + d] += s;"});
        } else {
            std::vector<std::string> lines;
            if (fused) lines = {"const float t = " + hv + " + b1[f];", "const float v = " + relu + ";"};
            else lines = {"const float v = " + hv + ";"};
            if (order == 2) lines.push_back("if (v == 0.0f) continue;");
            lines.push_back("for (int d = 0; d < D; ++d) Y[m * D + d] += v * W2[f * D + d];");
            b += nest("for (int f = 0; f < F; ++f)", lines);
        }
        if (!unfused) b += "    }\n";
        return kernel(unfused ? dim_defines(w) : dim_defines(w, {{"TM", tm}}),
                      "const float *restrict X, const float *restrict W1, const float *restrict b1, const float "
                      "*restrict W2, float *restrict Y",
                      b);
    });
}

/// Binary (XNOR-popcount) GEMM, as binarised networks run it: A (M x K bits) and B (N x K bits)
/// packed 32 to a word (KW = K/32 words a row, i32 buffers read as uint32), C[i][j] = K - 2
/// popcount(A_i xor B_j), the dot product of the +-1 vectors. The harness fills the words with small
/// signed integers (high bits all equal); no popcount here costs more for some bits than others.
/// Knobs: the loop order (one output's popcount sum over the words at a time, optionally over
/// tiles of 4 j reused from cache; or each word of A against a tile of j's words, TJ counts in a
/// local row: TJ = 4 or 16 unrolled into registers, or all N; the same over a transposed copy of B,
/// words of consecutive j contiguous, made by a pass first), the popcount (four lookups in a table
/// of the 256 bytes' counts, two in a table of the 65 536 16-bit halves' counts, both tables built
/// on the stack first; or a SWAR bit-trick that vectorises, its bytes summed by shifts: GCC 12
/// recognises the multiply-by-0x01010101 form as a popcount), and vectorisation. No
/// __builtin_popcount: at x86-64-v2 it is the popcnt instruction, which Unicorn 2.0.1 does not
/// execute (unicorn-engine/unicorn#1880), and without popcnt a call into libgcc, outside the
/// kernel. Integer sums: bit-identical.
std::vector<Variant> xnor_gemm(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"tj", "tj", tiles_of(N, {16, 4})}, {"popcount", "p", {0, 1, 2}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), tj = k.at("tj"), pc = k.at("popcount");
        if (order == 0 && tj == 16) return std::nullopt; // one cache tile of j is enough
        std::string d = dim_defines(w, {{"KW", w.dim("K") / 32}, {"TJ", tj}}), b;
        if (pc == 0) {
            d += "static inline int popc8(const unsigned char *t, unsigned x) {\n"
                 "    return t[x & 255u] + t[(x >> 8) & 255u] + t[(x >> 16) & 255u] + t[x >> 24];\n}\n"
                 "#define popc(x) popc8(tab, x)\n";
            b += "    unsigned char tab[256];\n    tab[0] = 0;\n"
                 "    for (int v = 1; v < 256; ++v) tab[v] = (unsigned char)((v & 1) + tab[v >> 1]);\n";
        } else if (pc == 1) {
            d += "static inline int popc16(const unsigned char *t, unsigned x) { return t[x & 65535u] + t[x >> 16]; "
                 "}\n#define popc(x) popc16(tab, x)\n";
            b += "    unsigned char tab[65536];\n    tab[0] = 0;\n"
                 "    for (int v = 1; v < 65536; ++v) tab[v] = (unsigned char)((v & 1) + tab[v >> 1]);\n";
        } else {
            d += "static inline int popc(unsigned x) {\n    x = x - ((x >> 1) & 0x55555555u);\n"
                 "    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);\n    x = (x + (x >> 4)) & 0x0f0f0f0fu;\n"
                 "    x += x >> 8;\n    x += x >> 16;\n    return (int)(x & 0x3fu);\n}\n";
        }
        if (order == 0) {
            // One output at a time; a tile of j outermost keeps TJ rows of B in cache over every i.
            std::string in = "    ";
            if (tj != N) {
                b += "    for (int j0 = 0; j0 < N; j0 += TJ)\n";
                in += "    ";
            } else b += "    const int j0 = 0;\n";
            b += in + "for (int i = 0; i < M; ++i)\n" + in + "    for (int j = j0; j < j0 + TJ; ++j) {\n" + in +
                 "        int s = 0;\n" + in + "        for (int w = 0; w < KW; ++w)\n" + in +
                 "            s += popc((unsigned)A[i * KW + w] ^ (unsigned)B[j * KW + w]);\n" + in +
                 "        C[i * N + j] = K - 2 * s;\n" + in + "    }\n";
        } else {
            // Each word of A against TJ rows' words: a row of TJ counts.
            std::string bw = "(unsigned)B[j * KW + w]";
            if (order == 2) {
                b += "    unsigned Bt[KW * N];\n    for (int j = 0; j < N; ++j)\n"
                     "        for (int w = 0; w < KW; ++w) Bt[w * N + j] = (unsigned)B[j * KW + w];\n";
                bw = "Bt[w * N + j]";
            }
            b += "    for (int i = 0; i < M; ++i)\n        for (int j0 = 0; j0 < N; j0 += TJ) {\n"
                 "            int r[TJ];\n            for (int j = 0; j < TJ; ++j) r[j] = 0;\n"
                 "            for (int w = 0; w < KW; ++w) {\n"
                 "                const unsigned a = (unsigned)A[i * KW + w];\n" +
                 std::string(tj <= 16 ? "#pragma GCC unroll 16\n" : "") +
                 "                for (int j = j0; j < j0 + TJ; ++j) r[j - j0] += popc(a ^ " + bw +
                 ");\n            }\n"
                 "            for (int j = j0; j < j0 + TJ; ++j) C[i * N + j] = K - 2 * r[j - j0];\n        }\n";
        }
        return kernel(d, "const int *restrict A, const int *restrict B, int *restrict C", b);
    });
}

/// Sobel edge magnitude of an 8-bit image (an i8 buffer read as unsigned char): gx, gy from the
/// 3x3 Sobel kernels, O = min(|gx| + |gy|, 255), (H-2) x (W-2), valid. Knobs: the method (the
/// direct 3x3 window per output; separable, a row pass of each input row's [1 2 1] sum and [-1 0 1]
/// difference into a scratch for a strip of 32 output rows, then a column pass; the same with a
/// rolling buffer of the last three rows' sums and differences), the type of the intermediates (int,
/// or short: every value fits 16 bits, |gx| + |gy| <= 2040, so 8-lane vectors), abs and saturation
/// written as if statements (GCC if-converts them: cmov, or vector abs and min) or as bit tricks
/// (sign-mask abs, a sign mask for the clamp), the columns (whole
/// rows, or blocks of 64 columns down the image), vectorisation. Integers: bit-identical.
std::vector<Variant> sobel_u8(const Workload& w) {
    const int OW = w.dim("W") - 2;
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2}},
                                  {"short", "s", {0, 1}},
                                  {"branchfree", "b", {0, 1}},
                                  {"tc", "tc", tiles_of(OW, {64})},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), tc = k.at("tc");
        const std::string t = k.at("short") == 1 ? "short" : "int";
        // The output from gx and gy (of type t), at indent `in`.
        auto finish = [&](const std::string& in, const std::string& o) {
            if (k.at("branchfree") == 0)
                return fmt::format("{0}if (gx < 0) gx = -gx;\n{0}if (gy < 0) gy = -gy;\n{0}int m = gx + gy;\n"
                                   "{0}if (m > 255) m = 255;\n{0}{1} = (unsigned char)m;\n",
                                   in, o);
            return fmt::format("{0}const int sx = gx >> 15, sy = gy >> 15;\n"
                               "{0}const int m = ((gx ^ sx) - sx) + ((gy ^ sy) - sy);\n"
                               "{0}{1} = (unsigned char)(m | ((255 - m) >> 15));\n",
                               in, o);
        };
        const std::string px = "#define PX(r, c) ((" + t + ")I[(r) * W + (c)])\n";
        std::string b, in = "    ";
        if (tc != OW) {
            b += "    for (int j0 = 0; j0 < OW; j0 += TC) {\n";
            in += "    ";
        } else b += "    const int j0 = 0;\n";
        if (method == 0) {
            b += in + "for (int i = 0; i < OH; ++i)\n" + in + "    for (int j = j0; j < j0 + TC; ++j) {\n" + in +
                 "        " + t +
                 " gx = (PX(i, j + 2) + 2 * PX(i + 1, j + 2) + PX(i + 2, j + 2)) - (PX(i, j) + 2 * PX(i + 1, j) + "
                 "PX(i + 2, j));\n" +
                 in + "        " + t +
                 " gy = (PX(i + 2, j) + 2 * PX(i + 2, j + 1) + PX(i + 2, j + 2)) - (PX(i, j) + 2 * PX(i, j + 1) + "
                 "PX(i, j + 2));\n" +
                 finish(in + "        ", "O[i * OW + j]") + in + "    }\n";
        } else {
            // Row r's sum ([1 2 1]) and difference ([-1 0 1]) over the block's columns into sm, df.
            auto row_pass = [&](const std::string& ind, const std::string& r, const std::string& sm,
                                const std::string& df) {
                return ind + "for (int j = 0; j < TC; ++j) {\n" + ind + "    " + sm + "[j] = PX(" + r +
                       ", j0 + j) + 2 * PX(" + r + ", j0 + j + 1) + PX(" + r + ", j0 + j + 2);\n" + ind + "    " + df +
                       "[j] = PX(" + r + ", j0 + j + 2) - PX(" + r + ", j0 + j);\n" + ind + "}\n";
            };
            auto col_pass = [&](const std::string& ind, const std::string& i, const std::string& s0,
                                const std::string& s2, const std::string& d0, const std::string& d1,
                                const std::string& d2) {
                return ind + "for (int j = 0; j < TC; ++j) {\n" + ind + "    " + t + " gx = " + d0 + "[j] + 2 * " + d1 +
                       "[j] + " + d2 + "[j];\n" + ind + "    " + t + " gy = " + s2 + "[j] - " + s0 + "[j];\n" +
                       finish(ind + "    ", "O[(" + i + ") * OW + j0 + j]") + ind + "}\n";
            };
            if (method == 1) {
                b += in + "for (int i0 = 0; i0 < OH; i0 += SR) {\n" + in + "    " + t +
                     " sm[SR + 2][TC], df[SR + 2][TC];\n" + in + "    for (int r = 0; r < SR + 2; ++r)\n" +
                     row_pass(in + "        ", "i0 + r", "sm[r]", "df[r]") + in + "    for (int r = 0; r < SR; ++r)\n" +
                     col_pass(in + "        ", "i0 + r", "sm[r]", "sm[r + 2]", "df[r]", "df[r + 1]", "df[r + 2]") + in +
                     "}\n";
            } else {
                b += in + t + " buf[6][TC];\n" + in + t +
                     " *s0 = buf[0], *s1 = buf[1], *s2 = buf[2], *d0 = buf[3], *d1 = buf[4], *d2 = buf[5];\n" +
                     row_pass(in, "0", "s0", "d0") + row_pass(in, "1", "s1", "d1") + in +
                     "for (int i = 0; i < OH; ++i) {\n" + row_pass(in + "    ", "i + 2", "s2", "d2") +
                     col_pass(in + "    ", "i", "s0", "s2", "d0", "d1", "d2") + in + "    " + t +
                     " *ts = s0, *td = d0;\n" + in + "    s0 = s1; s1 = s2; s2 = ts;\n" + in +
                     "    d0 = d1; d1 = d2; d2 = td;\n" + in + "}\n";
            }
        }
        if (tc != OW) b += "    }\n";
        return kernel(dim_defines(w, {{"OH", w.dim("H") - 2}, {"OW", OW}, {"TC", tc}, {"SR", 32}}) + px,
                      "const unsigned char *restrict I, unsigned char *restrict O", b);
    });
}

/// Viterbi decoding of an HMM or linear-chain CRF (speech, sequence labelling), T steps, S states:
/// score[0][s] = emit[0][s]; score[t][s] = max over s' of (score[t-1][s'] + trans[s'][s]) +
/// emit[t][s], the lowest s' winning a tie, kept as the backpointer bp[t][s] (bp[0] all 0); then
/// the best path, backtracked from the lowest best final state (i32 bp and path out, the path
/// last). Knobs: the loop order of a step (a maximum per state s down trans' column s; the same
/// down a row of trans transposed into a scratch first, contiguous; or s' outer, row s' of trans
/// relaxing every state's running maximum and backpointer, vectorisable along the row), the
/// update as a branch or branch-free (the backpointer by a mask, a ^= (a ^ s') & -(v > m), the
/// maximum by a select: the s'-outer update then vectorises, where a select of the backpointer
/// becomes a conditional store that does not), the scores in a T x S array or in two ping-pong
/// rows, unrolling, vectorisation. Every candidate is the same exact sum, candidates are compared in s'
/// order by a strict `>` (the first, lowest maximum kept), and the emission is added after the
/// maximum: bit-identical scores and backpointers.
std::vector<Variant> viterbi(const Workload& w) {
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"branchfree", "b", {0, 1}},
                                  {"pingpong", "p", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order");
        const bool branchfree = k.at("branchfree") == 1, pingpong = k.at("pingpong") == 1;
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        // The relaxation of running maximum `m` and backpointer `a` by candidate v from state sp.
        const auto update = [&](const std::string& m, const std::string& a, const std::string& in) {
            return branchfree ? in + "const int gt = -(v > " + m + ");\n" + in + a + " ^= (" + a + " ^ sp) & gt;\n" +
                                    in + m + " = v > " + m + " ? v : " + m + ";\n"
                              : in + "if (v > " + m + ") {\n" + in + "    " + m + " = v;\n" + in + "    " + a +
                                    " = sp;\n" + in + "}\n";
        };
        const auto row = [&](const std::string& t) { return pingpong ? "sc[" + t + " & 1]" : "sc + " + t + " * S"; };
        std::string b;
        if (order == 1)
            b += "    float tt[S * S];\n    for (int sp = 0; sp < S; ++sp)\n"
                 "        for (int s = 0; s < S; ++s) tt[s * S + sp] = trans[sp * S + s];\n";
        b += pingpong ? "    float sc[2][S];\n" : "    float sc[T * S];\n";
        b += std::string("    for (int s = 0; s < S; ++s) {\n        ") + (pingpong ? "sc[0][s]" : "sc[s]") +
             " = emit[s];\n        bp[s] = 0;\n    }\n";
        b += "    for (int t = 1; t < T; ++t) {\n        const float *restrict prev = " + row("(t - 1)") +
             ";\n        float *restrict cur = " + row("t") +
             ";\n        const float *restrict et = emit + t * S;\n        int *restrict bt = bp + t * S;\n";
        if (order != 2) {
            const std::string tr = order == 0 ? "trans[sp * S + s]" : "ts[sp]";
            b += "        for (int s = 0; s < S; ++s) {\n";
            if (order == 1) b += "            const float *restrict ts = tt + s * S;\n";
            b += "            float m = prev[0] + " + (order == 0 ? std::string("trans[s]") : std::string("ts[0]")) +
                 ";\n            int a = 0;\n" + u + "            for (int sp = 1; sp < S; ++sp) {\n" +
                 "                const float v = prev[sp] + " + tr + ";\n" + update("m", "a", "                ") +
                 "            }\n            cur[s] = m + et[s];\n            bt[s] = a;\n        }\n";
        } else {
            b += "        for (int s = 0; s < S; ++s) {\n            cur[s] = prev[0] + trans[s];\n"
                 "            bt[s] = 0;\n        }\n"
                 "        for (int sp = 1; sp < S; ++sp) {\n            const float ps = prev[sp];\n"
                 "            const float *restrict tr = trans + sp * S;\n" +
                 u + "            for (int s = 0; s < S; ++s) {\n                const float v = ps + tr[s];\n" +
                 update("cur[s]", "bt[s]", "                ") + "            }\n        }\n" +
                 "        for (int s = 0; s < S; ++s) cur[s] = cur[s] + et[s];\n";
        }
        b += "    }\n    const float *restrict last = " + row("(T - 1)") +
             ";\n    int best = 0;\n    for (int s = 1; s < S; ++s)\n        if (last[s] > last[best]) best = s;\n"
             "    path[T - 1] = best;\n    for (int t = T - 1; t > 0; --t) path[t - 1] = bp[t * S + path[t]];\n";
        return kernel(dim_defines(w),
                      "const float *restrict emit, const float *restrict trans, int *restrict bp, "
                      "int *restrict path",
                      b);
    });
}

/// k-means assignment (the E step of Lloyd's algorithm, vector quantisation): for each of N points
/// of D dims, the index of the nearest of K centroids by squared Euclidean distance, the lowest
/// index winning a tie (i32 out). Knobs: the tile of points sharing each pass over the centroids
/// (one point: its distances to every centroid in turn; 16 points or all N: each centroid row
/// reused by every point of the tile, whose running minima and indices live in arrays), the
/// vector dimension (the distance loop over d innermost, a scalar sum per pair; or d outer and the
/// other loop innermost: for one point the centroids transposed D-major into a scratch first,
/// summing into K distances at once; for a tile the tile's points packed D-major, summing into
/// its distances at once: vectorisable), the argmin update as a branch or branch-free (the index
/// by a mask, a ^= (a ^ k) & -(s < m), the minimum by a select), unrolling, vectorisation. Every distance is sum over d in order of (x - c)^2 from zero (the
/// expanded ||x||^2 - 2 x.c + ||c||^2 would round differently and move argmins: no schedule uses
/// it), every point compares its candidates in k order by a strict `<`: bit-identical indices.
std::vector<Variant> kmeans_assign(const Workload& w) {
    const int N = w.dim("N");
    const std::vector<Knob> knobs{{"tile", "tp", {1, 16, N}},
                                  {"inner", "i", {0, 1}},
                                  {"branchfree", "b", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tp = k.at("tile"), unroll = k.at("unroll");
        const bool inner = k.at("inner") == 1, branchfree = k.at("branchfree") == 1;
        // The update of running minimum `m` and index `a` by distance `s` of centroid k.
        const auto update = [&](const std::string& s, const std::string& m, const std::string& a,
                                const std::string& in) {
            return branchfree ? in + "const int lt = -(" + s + " < " + m + ");\n" + in + a + " ^= (" + a +
                                    " ^ k) & lt;\n" + in + m + " = " + s + " < " + m + " ? " + s + " : " + m + ";\n"
                              : in + "if (" + s + " < " + m + ") {\n" + in + "    " + m + " = " + s + ";\n" + in +
                                    "    " + a + " = k;\n" + in + "}\n";
        };
        std::string b;
        if (tp == 1) {
            if (inner)
                b += "    float ct[D * K];\n    for (int k = 0; k < K; ++k)\n"
                     "        for (int d = 0; d < D; ++d) ct[d * K + k] = C[k * D + d];\n";
            b += "    for (int p = 0; p < N; ++p) {\n        const float *restrict xp = X + p * D;\n"
                 "        float best = INF;\n        int bi = 0;\n";
            if (!inner) {
                b += "        for (int k = 0; k < K; ++k) {\n            const float *restrict ck = C + k * D;\n"
                     "            float s = 0.0f;\n" +
                     unroll_pragma(unroll, "            ") +
                     "            for (int d = 0; d < D; ++d) {\n                const float t = xp[d] - ck[d];\n"
                     "                s += t * t;\n            }\n" +
                     update("s", "best", "bi", "            ") + "        }\n";
            } else {
                b += "        float dist[K];\n        for (int k = 0; k < K; ++k) dist[k] = 0.0f;\n"
                     "        for (int d = 0; d < D; ++d) {\n            const float xv = xp[d];\n"
                     "            const float *restrict cd = ct + d * K;\n" +
                     unroll_pragma(unroll, "            ") +
                     "            for (int k = 0; k < K; ++k) {\n                const float t = xv - cd[k];\n"
                     "                dist[k] += t * t;\n            }\n        }\n"
                     "        for (int k = 0; k < K; ++k) {\n" +
                     update("dist[k]", "best", "bi", "            ") + "        }\n";
            }
            b += "        idx[p] = bi;\n    }\n";
        } else {
            b += "    for (int p0 = 0; p0 < N; p0 += TP) {\n        float best[TP];\n"
                 "        for (int q = 0; q < TP; ++q) {\n            best[q] = INF;\n            idx[p0 + q] = 0;\n"
                 "        }\n";
            if (!inner) {
                b += "        for (int k = 0; k < K; ++k) {\n            const float *restrict ck = C + k * D;\n"
                     "            for (int q = 0; q < TP; ++q) {\n"
                     "                const float *restrict xp = X + (p0 + q) * D;\n"
                     "                float s = 0.0f;\n" +
                     unroll_pragma(unroll, "                ") +
                     "                for (int d = 0; d < D; ++d) {\n                    const float t = xp[d] - "
                     "ck[d];\n"
                     "                    s += t * t;\n                }\n" +
                     update("s", "best[q]", "idx[p0 + q]", "                ") + "            }\n        }\n";
            } else {
                b += "        float xt[D * TP], dist[TP];\n        for (int q = 0; q < TP; ++q)\n"
                     "            for (int d = 0; d < D; ++d) xt[d * TP + q] = X[(p0 + q) * D + d];\n"
                     "        for (int k = 0; k < K; ++k) {\n            const float *restrict ck = C + k * D;\n"
                     "            for (int q = 0; q < TP; ++q) dist[q] = 0.0f;\n"
                     "            for (int d = 0; d < D; ++d) {\n                const float cv = ck[d];\n"
                     "                const float *restrict xd = xt + d * TP;\n" +
                     unroll_pragma(unroll, "                ") +
                     "                for (int q = 0; q < TP; ++q) {\n                    const float t = xd[q] - cv;\n"
                     "                    dist[q] += t * t;\n                }\n            }\n"
                     "            for (int q = 0; q < TP; ++q) {\n" +
                     update("dist[q]", "best[q]", "idx[p0 + q]", "                ") + "            }\n        }\n";
            }
            b += "    }\n";
        }
        return kernel((tp == 1 ? dim_defines(w) : dim_defines(w, {{"TP", tp}})) + "#define INF __builtin_inff()\n",
                      "const float *restrict X, const float *restrict C, int *restrict idx", b);
    });
}

/// A 3x3 median filter over a float image (salt-and-pepper denoising in image preprocessing,
/// OpenCV's medianBlur): O[i][j] = the median of the 3x3 window of I at rows i .. i+2, columns j ..
/// j+2, I (H + 2) x (W + 2), O H x W (the interior: the border is skipped). Knobs: the selection
/// (an insertion sort of the window, taking its middle, data-dependent branches; Floyd's
/// 25-exchange sorting network for 9 elements; Paeth's 19-exchange median network; each column of 3
/// sorted once per output row into three row scratches of lows, middles and highs, the median then
/// the median of the lows' maximum, the middles' median and the highs' minimum over 3 adjacent
/// columns; or the same with the sorted columns slid along the row in registers, one new column
/// sorted per output), the keys compared (the floats, min and max in float registers; or the
/// floats' bits made order-preserving 32-bit integers, ints compared and selected, the median's
/// bits mapped back, as radix sorts of floats do), the traversal (whole rows, or strips of 64
/// columns down the image), vectorisation. Every compare-exchange is a min and a max: GCC turns
/// `if (b < a) swap` into the same minss and maxss, so no network here branches. Every method
/// selects the 5th smallest of the same 9 floats (no NaNs; the harness's floats are multiples of
/// 2^-23 with no negative zero, so the integer keys order them the same): the same value,
/// bit-identical.
std::vector<Variant> median_filter(const Workload& w) {
    const int W = w.dim("W");
    const std::vector<Knob> knobs{
        {"sel", "m", {0, 1, 2, 3, 4}}, {"keys", "k", {0, 1}}, {"tc", "tc", tiles_of(W, {64})}, vec_knob()};
    // Compare-exchange lists (min into the first, max into the second), both checked exhaustively
    // over 0-1 inputs: Floyd's sorting network, and Paeth's median network (its middle only).
    static const std::vector<std::pair<int, int>> sort9{
        {0, 3}, {1, 7}, {2, 5}, {4, 8}, {0, 7}, {2, 4}, {3, 8}, {5, 6}, {0, 2}, {1, 3}, {4, 5}, {7, 8}, {1, 4},
        {3, 6}, {5, 7}, {0, 1}, {2, 4}, {3, 5}, {6, 8}, {2, 3}, {4, 5}, {6, 7}, {1, 2}, {3, 4}, {5, 6}};
    static const std::vector<std::pair<int, int>> med9{{1, 2}, {4, 5}, {7, 8}, {0, 1}, {3, 4}, {6, 7}, {1, 2},
                                                       {4, 5}, {7, 8}, {0, 3}, {5, 8}, {4, 7}, {3, 6}, {1, 4},
                                                       {2, 5}, {4, 7}, {4, 2}, {6, 4}, {4, 2}};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int sel = k.at("sel"), tc = k.at("tc");
        const bool ints = k.at("keys") == 1;
        std::string d = dim_defines(w, {{"IW", W + 2}, {"TC", tc}});
        // V: the key type; LD(r, c): the key of I[r][c]; ST(v): the float of key v. CE(a, b): a =
        // min, b = max; LOW(d, b): d = min(d, b); HIGH(d, b): d = max(d, b).
        if (ints)
            d += "typedef int V;\nstatic inline int key(float f) {\n    int b;\n    __builtin_memcpy(&b, &f, 4);\n"
                 "    return b ^ ((b >> 31) & 0x7fffffff);\n}\nstatic inline float unkey(int k) {\n"
                 "    const int b = k ^ ((k >> 31) & 0x7fffffff);\n    float f;\n    __builtin_memcpy(&f, &b, 4);\n"
                 "    return f;\n}\n#define LD(r, c) key(I[(r) * IW + (c)])\n#define ST(v) unkey(v)\n";
        else d += "typedef float V;\n#define LD(r, c) I[(r) * IW + (c)]\n#define ST(v) (v)\n";
        d += "#define MIN(a, b) ((a) < (b) ? (a) : (b))\n#define MAX(a, b) ((a) < (b) ? (b) : (a))\n"
             "#define CE(a, b) do { const V lo_ = MIN(a, b), hi_ = MAX(a, b); (a) = lo_; (b) = hi_; } while (0)\n"
             "#define LOW(d, b) (d) = MIN(d, b)\n#define HIGH(d, b) (d) = MAX(d, b)\n";
        // The median of three sorted columns' lows l*, middles m* and highs h*, into o.
        const auto combine = [](const std::string& in, const std::string& l0, const std::string& l1,
                                const std::string& l2, const std::string& m0, const std::string& m1,
                                const std::string& m2, const std::string& h0, const std::string& h1,
                                const std::string& h2, const std::string& o) {
            return fmt::format("{0}V lo = {1}, ma = {4}, mb = {5}, hi = {7};\n"
                               "{0}HIGH(lo, {2});\n{0}HIGH(lo, {3});\n{0}LOW(hi, {8});\n{0}LOW(hi, {9});\n"
                               "{0}CE(ma, mb);\n{0}LOW(mb, {6});\n{0}HIGH(mb, ma);\n"
                               "{0}CE(lo, mb);\n{0}LOW(mb, hi);\n{0}HIGH(mb, lo);\n{0}{10} = ST(mb);\n",
                               in, l0, l1, l2, m0, m1, m2, h0, h1, h2, o);
        };
        // The column of rows i .. i+2 at column c sorted into the named lows, middles and highs.
        const auto sort3 = [](const std::string& in, const std::string& c, const std::string& l, const std::string& m,
                              const std::string& h) {
            return fmt::format("{0}{{\n{0}    V a = LD(i, {1}), b = LD(i + 1, {1}), c = LD(i + 2, {1});\n"
                               "{0}    CE(a, b);\n{0}    CE(b, c);\n{0}    CE(a, b);\n"
                               "{0}    {2} = a;\n{0}    {3} = b;\n{0}    {4} = c;\n{0}}}\n",
                               in, c, l, m, h);
        };
        std::string b, in = "    ";
        if (tc != W) {
            b += "    for (int j0 = 0; j0 < W; j0 += TC)\n";
            in += "    ";
        } else b += "    const int j0 = 0;\n";
        b += in + "for (int i = 0; i < H; ++i) {\n";
        const std::string in2 = in + "    ", in3 = in2 + "    ";
        const std::string out = "O[i * W + j]";
        if (sel == 0)
            b += in2 + "for (int j = j0; j < j0 + TC; ++j) {\n" + in3 + "V p[9];\n" + in3 +
                 "for (int r = 0; r < 3; ++r)\n" + in3 +
                 "    for (int s = 0; s < 3; ++s) p[r * 3 + s] = LD(i + r, j + s);\n" + in3 +
                 "for (int a = 1; a < 9; ++a) {\n" + in3 + "    const V v = p[a];\n" + in3 + "    int c = a - 1;\n" +
                 in3 + "    while (c >= 0 && v < p[c]) {\n" + in3 + "        p[c + 1] = p[c];\n" + in3 +
                 "        --c;\n" + in3 + "    }\n" + in3 + "    p[c + 1] = v;\n" + in3 + "}\n" + in3 + out +
                 " = ST(p[4]);\n" + in2 + "}\n";
        else if (sel == 1 || sel == 2) {
            b += in2 + "for (int j = j0; j < j0 + TC; ++j) {\n";
            for (int r = 0; r < 3; ++r)
                b += fmt::format("{0}V p{1} = LD(i + {2}, j), p{3} = LD(i + {2}, j + 1), p{4} = LD(i + {2}, j + 2);\n",
                                 in3, 3 * r, r, 3 * r + 1, 3 * r + 2);
            for (const auto& [x, y] : sel == 1 ? sort9 : med9) b += fmt::format("{}CE(p{}, p{});\n", in3, x, y);
            b += in3 + out + " = ST(p4);\n" + in2 + "}\n";
        } else if (sel == 3) {
            b += in2 + "V lw[TC + 2], md[TC + 2], hg[TC + 2];\n" + in2 + "for (int t = 0; t < TC + 2; ++t)\n" +
                 sort3(in3, "j0 + t", "lw[t]", "md[t]", "hg[t]") + in2 + "for (int j = j0; j < j0 + TC; ++j) {\n" +
                 in3 + "const int t = j - j0;\n" +
                 combine(in3, "lw[t]", "lw[t + 1]", "lw[t + 2]", "md[t]", "md[t + 1]", "md[t + 2]", "hg[t]",
                         "hg[t + 1]", "hg[t + 2]", out) +
                 in2 + "}\n";
        } else {
            b += in2 + "V l0, m0, h0, l1, m1, h1;\n" + sort3(in2, "j0", "l0", "m0", "h0") +
                 sort3(in2, "j0 + 1", "l1", "m1", "h1") + in2 + "for (int j = j0; j < j0 + TC; ++j) {\n" + in3 +
                 "V l2, m2, h2;\n" + sort3(in3, "j + 2", "l2", "m2", "h2") +
                 combine(in3, "l0", "l1", "l2", "m0", "m1", "m2", "h0", "h1", "h2", out) + in3 + "l0 = l1;\n" + in3 +
                 "m0 = m1;\n" + in3 + "h0 = h1;\n" + in3 + "l1 = l2;\n" + in3 + "m1 = m2;\n" + in3 + "h1 = h2;\n" +
                 in2 + "}\n";
        }
        b += in + "}\n";
        return kernel(d, "const float *restrict I, float *restrict O", b);
    });
}

/// The backward pass of LayerNorm over the rows of an N x D activation (every transformer's
/// training step): from x, the upstream gradient dy and gamma, each row's mean and rstd = 1 /
/// sqrt(var + eps) (recomputed by the kernel, each sum in index order from zero), then with xhat =
/// (x - mean) rstd and g = dy gamma, dx = rstd ((g - mean(g)) - xhat mean(g xhat)), and over the
/// rows dgamma = sum dy xhat, dbeta = sum dy (the output holds dx, then dgamma, then dbeta). Knobs:
/// fusion (every quantity its own pass over the row; or the two sums of the row's backward in one
/// pass, and with per-row parameter gradients their accumulation in the dx pass), scratch (xhat and
/// g recomputed wherever used; g stored in a row scratch; or both stored), rows one at a time or 4
/// in lockstep (their statistics and sums advanced together: independent chains), the parameter
/// gradients (a pass at the end, column by column down the rows, strided; or accumulated row by
/// row into the output, contiguous), vectorisation (of the element-wise passes: the sums are
/// sequential chains GCC does not reassociate). Each row's sums and each column's sums add their
/// terms in the same order from zero, xhat and g are the same expressions stored or not, and
/// every output is the same expression of them: bit-identical.
std::vector<Variant> layernorm_backward(const Workload& w) {
    const std::vector<Knob> knobs{
        {"fuse", "f", {0, 1}}, {"scratch", "s", {0, 1, 2}}, {"rows", "rb", {1, 4}}, {"pgrad", "p", {0, 1}}, vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int sc = k.at("scratch"), rb = k.at("rows");
            const bool fused = k.at("fuse") == 1, rowwise = k.at("pgrad") == 1;
            // Row r of the block: its x, dy, xhat and g at column i.
            const auto xv = [](const std::string& r) { return "XV(" + r + ", i)"; };
            const auto dyv = [](const std::string& r) { return "DY(" + r + ", i)"; };
            // xhat of row r at column i, as the kernel computes it (stored in xh under scratch 2).
            const auto xhat = [](const std::string& r) {
                return "(XV(" + r + ", i) - mean[n0 + " + r + "]) * rstd[n0 + " + r + "]";
            };
            const auto xh = [&](const std::string& r) {
                return sc == 2 ? "xh[" + r + " * D + i]" : "(" + xhat(r) + ")";
            };
            const auto gv = [&](const std::string& r) {
                return sc >= 1 ? "gs[" + r + " * D + i]" : "(DY(" + r + ", i) * gamma[i])";
            };
            using Term = std::function<std::string(const std::string&)>;
            // Sums over i of terms[q](r) into s{q} for each row r of the block, then finish[q](r).
            const auto sums = [&](const std::vector<Term>& terms, const std::vector<Term>& finish) {
                // finish[q](r) with SUM the row's sum.
                const auto fin = [&](std::size_t q, const std::string& r) {
                    std::string f = finish[q](r);
                    const std::string v = rb == 1 ? fmt::format("s{}", q) : fmt::format("s{}[r]", q);
                    for (std::size_t p; (p = f.find("SUM")) != std::string::npos;) f.replace(p, 3, v);
                    return f;
                };
                std::string s = "        {\n";
                if (rb == 1) {
                    for (std::size_t q = 0; q < terms.size(); ++q)
                        s += fmt::format("            float s{} = 0.0f;\n", q);
                    s += "            for (int i = 0; i < D; ++i) {\n";
                    for (std::size_t q = 0; q < terms.size(); ++q)
                        s += fmt::format("                s{} += {};\n", q, terms[q]("0"));
                    s += "            }\n";
                    for (std::size_t q = 0; q < terms.size(); ++q) s += "            " + fin(q, "0") + "\n";
                } else {
                    for (std::size_t q = 0; q < terms.size(); ++q)
                        s += fmt::format("            float s{0}[RB];\n{1}            for (int r = 0; r < RB; ++r) "
                                         "s{0}[r] = 0.0f;\n",
                                         q, unroll_pragma(rb, "            "));
                    s += "            for (int i = 0; i < D; ++i)\n" + unroll_pragma(rb, "                ") +
                         "                for (int r = 0; r < RB; ++r) {\n";
                    for (std::size_t q = 0; q < terms.size(); ++q)
                        s += fmt::format("                    s{}[r] += {};\n", q, terms[q]("r"));
                    s += "                }\n" + unroll_pragma(rb, "            ") +
                         "            for (int r = 0; r < RB; ++r) {\n";
                    for (std::size_t q = 0; q < terms.size(); ++q) s += "                " + fin(q, "r") + "\n";
                    s += "            }\n";
                }
                return s + "        }\n";
            };
            // A pass over i of statements (each of row r), rows in lockstep.
            const auto pass = [&](const std::vector<Term>& stmts) {
                std::string s = "        for (int i = 0; i < D; ++i)";
                if (rb == 1) {
                    s += stmts.size() > 1 ? " {\n" : "\n";
                    for (const auto& st : stmts) s += "            " + st("0") + "\n";
                    if (stmts.size() > 1) s += "        }\n";
                } else {
                    s += "\n" + unroll_pragma(rb, "            ") + "            for (int r = 0; r < RB; ++r) {\n";
                    for (const auto& st : stmts) s += "                " + st("r") + "\n";
                    s += "            }\n";
                }
                return s;
            };
            const auto row = [&](const std::string& r) { return rb == 1 ? std::string("n0") : "n0 + " + r; };
            std::string b;
            if (sc >= 1) b += "    float gs[RB * D];\n";
            if (sc == 2) b += "    float xh[RB * D];\n";
            b += "    float mean[N], rstd[N];\n    float *restrict dx = out, *restrict dgam = out + N * D, *restrict "
                 "dbet = out + N * D + D;\n";
            if (rowwise)
                b += "    for (int i = 0; i < D; ++i) {\n        dgam[i] = 0.0f;\n        dbet[i] = 0.0f;\n    }\n";
            b += "    for (int n0 = 0; n0 < N; n0 += RB) {\n";
            // The statistics (each its own sum: the variance needs the mean).
            b += sums({xv}, {[&](const std::string& r) { return "mean[" + row(r) + "] = SUM / (float)D;"; }});
            b += sums({[&](const std::string& r) {
                          return "(" + xv(r) + " - mean[" + row(r) + "]) * (" + xv(r) + " - mean[" + row(r) + "])";
                      }},
                      {[&](const std::string& r) {
                          return "rstd[" + row(r) + "] = 1.0f / __builtin_sqrtf(SUM / (float)D + EPS);";
                      }});
            std::vector<Term> fill;
            if (sc >= 1)
                fill.push_back(
                    [&](const std::string& r) { return "gs[" + r + " * D + i] = " + dyv(r) + " * gamma[i];"; });
            if (sc == 2)
                fill.push_back([&](const std::string& r) { return "xh[" + r + " * D + i] = " + xhat(r) + ";"; });
            if (!fill.empty()) b += pass(fill);
            // The row's two sums: mean(g) and mean(g xhat).
            b += "        float ga[RB], gb[RB];\n";
            const Term t1 = [&](const std::string& r) { return gv(r); };
            const Term t2 = [&](const std::string& r) { return gv(r) + " * " + xh(r); };
            const Term f1 = [&](const std::string& r) { return "ga[" + r + "] = SUM / (float)D;"; };
            const Term f2 = [&](const std::string& r) { return "gb[" + r + "] = SUM / (float)D;"; };
            if (fused) b += sums({t1, t2}, {f1, f2});
            else b += sums({t1}, {f1}) + sums({t2}, {f2});
            // dx, and (row by row) the parameter gradients.
            std::vector<Term> dxs{[&](const std::string& r) {
                return "dx[(n0 + " + r + ") * D + i] = rstd[n0 + " + r + "] * ((" + gv(r) + " - ga[" + r + "]) - " +
                       xh(r) + " * gb[" + r + "]);";
            }};
            std::vector<Term> pg;
            if (rowwise)
                pg = {[&](const std::string& r) { return "dgam[i] += " + dyv(r) + " * " + xh(r) + ";"; },
                      [&](const std::string& r) { return "dbet[i] += " + dyv(r) + ";"; }};
            if (fused) {
                dxs.insert(dxs.end(), pg.begin(), pg.end());
                b += pass(dxs);
            } else {
                b += pass(dxs);
                if (rowwise) b += pass(pg);
            }
            b += "    }\n";
            if (!rowwise)
                b += "    for (int i = 0; i < D; ++i) {\n        float sg = 0.0f, sb = 0.0f;\n"
                     "        for (int n = 0; n < N; ++n) {\n            const float v = dy[n * D + i];\n"
                     "            sg += v * ((x[n * D + i] - mean[n]) * rstd[n]);\n            sb += v;\n        }\n"
                     "        dgam[i] = sg;\n        dbet[i] = sb;\n    }\n";
            std::string d = dim_defines(w, {{"RB", rb}}) +
                            "#define EPS 1e-5f\n"
                            "#define XV(r, i) x[(n0 + (r)) * D + (i)]\n#define DY(r, i) dy[(n0 + (r)) * D + (i)]\n";
            return kernel(d,
                          "const float *restrict x, const float *restrict dy, const float *restrict gamma, float "
                          "*restrict out",
                          b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// A 7-point 3-D heat stencil (Jacobi; explicit diffusion, multigrid smoothers, seismic and
/// weather codes' inner loops) over an NZ x NY x NX grid (x unit-stride) for T time steps:
/// v'[c] = C0 v[c] + C1 (((v[c - 1] + v[c + 1]) + (v[c - NX] + v[c + NX])) + (v[c - P] + v[c + P])),
/// P = NY NX, on the interior, the boundary held (Dirichlet). Steps ping-pong between the buffers
/// tmp and out (the same code copies u's boundary into both first), the last step writing out.
/// Knobs: the loop order within a sweep (k, j, i: unit stride innermost; k, i, j: rows apart
/// innermost; or i, j, k: planes apart innermost, a port of a column-major code), spatial tiling
/// (for k, j, i: none, slabs of 16 rows of j down every plane, or 16 x 16 tiles of j and k), time
/// skewing (each step a full sweep; or 2 or all 3 steps fused in a wavefront over the planes, step s
/// + 1 computing plane k - 1 right after step s computed plane k, so a plane is reused from cache
/// before it is evicted: with this order a step only overwrites a plane its predecessor has
/// finished reading, and two buffers suffice), unrolling, vectorisation. Every point of every step is
/// the same expression of the same values: bit-identical.
std::vector<Variant> stencil3d7(const Workload& w) {
    const int T = w.dim("T");
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"tile", "t", {0, 1, 2}},
                                  {"fuse", "f", {1, 2, 3}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), tile = k.at("tile"), fuse = k.at("fuse"), unroll = k.at("unroll");
        if (tile != 0 && (order != 0 || fuse != 1)) return std::nullopt; // tiles: the k, j, i sweep only
        if (fuse != 1 && order == 2) return std::nullopt;                // a wavefront needs planes outermost
        if (fuse > T) return std::nullopt;
        // The buffer step t writes (the last one out) and the one it reads.
        const auto dst = [&](int t) { return (T - 1 - t) % 2 == 0 ? std::string("out") : std::string("tmp"); };
        const auto src = [&](int t) { return t == 0 ? std::string("u") : dst(t - 1); };
        // Loops over vars (outermost first, each over range(var)) around the point update, at in0.
        const auto loops = [&](const std::vector<std::string>& vars, const std::string& in0,
                               const std::function<std::pair<std::string, std::string>(const std::string&)>& range) {
            std::string b, in = in0;
            for (std::size_t l = 0; l < vars.size(); ++l) {
                if (l + 1 == vars.size()) b += unroll_pragma(unroll, in);
                const auto [from, to] = range(vars[l]);
                b += fmt::format("{0}for (int {1} = {2}; {1} < {3}; ++{1}){4}\n", in, vars[l], from, to,
                                 l + 1 == vars.size() ? " {" : "");
                in += "    ";
            }
            return b + in + "const int c = (k * NY + j) * NX + i;\n" + in +
                   "o[c] = C0 * s[c] + C1 * (((s[c - 1] + s[c + 1]) + (s[c - NX] + s[c + NX])) + (s[c - P] + s[c + "
                   "P]));\n" +
                   in.substr(4) + "}\n";
        };
        const auto full = [](const std::string& v) -> std::pair<std::string, std::string> {
            if (v == "i") return {"1", "NX - 1"};
            if (v == "j") return {"1", "NY - 1"};
            return {"1", "NZ - 1"};
        };
        const std::vector<std::vector<std::string>> orders{{"k", "j", "i"}, {"k", "i", "j"}, {"i", "j", "k"}};
        const auto& vars = orders[static_cast<std::size_t>(order)];
        std::string d =
            dim_defines(w, {{"P", w.dim("NY") * w.dim("NX")}, {"TB", 16}}) + "#define C0 0.4f\n#define C1 0.1f\n";
        if (fuse != 1)
            // One step's plane k, for the wavefront.
            d += "static inline void plane(const float *restrict s, float *restrict o, int k) {\n" +
                 loops({vars[1], vars[2]}, "    ", full) + "}\n";
        std::string b = "    for (int q = 0; q < 2; ++q) {\n        float *restrict d = q ? tmp : out;\n"
                        "        for (int k = 0; k < NZ; ++k)\n            for (int j = 0; j < NY; ++j) {\n"
                        "                const int c = (k * NY + j) * NX;\n"
                        "                if (k == 0 || k == NZ - 1 || j == 0 || j == NY - 1)\n"
                        "                    for (int i = 0; i < NX; ++i) d[c + i] = u[c + i];\n"
                        "                else {\n                    d[c] = u[c];\n"
                        "                    d[c + NX - 1] = u[c + NX - 1];\n                }\n            }\n"
                        "    }\n";
        for (int t0 = 0; t0 < T; t0 += fuse) {
            const int steps = std::min(fuse, T - t0);
            if (steps == 1) {
                b += fmt::format(
                    "    {{ /* step {} */\n        const float *restrict s = {};\n        float *restrict o "
                    "= {};\n",
                    t0, src(t0), dst(t0));
                if (tile == 0) b += loops(vars, "        ", full);
                else {
                    // Tiles of j (and of k), clipped at the interior's end.
                    const auto clipped = [&](const std::string& v) -> std::pair<std::string, std::string> {
                        if (v == "j") return {"j0", "j1"};
                        if (v == "k" && tile == 2) return {"k0", "k1"};
                        return full(v);
                    };
                    std::string in = "        ";
                    if (tile == 2) {
                        b += in + "for (int k0 = 1; k0 < NZ - 1; k0 += TB) {\n" + in +
                             "    const int k1 = k0 + TB < NZ - 1 ? k0 + TB : NZ - 1;\n";
                        in += "    ";
                    }
                    b += in + "for (int j0 = 1; j0 < NY - 1; j0 += TB) {\n" + in +
                         "    const int j1 = j0 + TB < NY - 1 ? j0 + TB : NY - 1;\n" +
                         loops({"k", "j", "i"}, in + "    ", clipped) + in + "}\n";
                    if (tile == 2) b += "        }\n";
                }
                b += "    }\n";
            } else {
                // The wavefront: at time kk, step t0 + f computes plane kk - f, in step order; its
                // start (not every step has a plane yet) and its end written out.
                const auto at = [&](const std::string& kk, int f, const std::string& in) {
                    return fmt::format("{}plane({}, {}, {}{});\n", in, src(t0 + f), dst(t0 + f), kk,
                                       f ? fmt::format(" - {}", f) : "");
                };
                b += fmt::format("    /* steps {} to {}, fused */\n", t0, t0 + steps - 1);
                for (int kk = 1; kk < steps; ++kk)
                    for (int f = 0; f < kk; ++f) b += at(std::to_string(kk), f, "    ");
                b += fmt::format("    for (int kk = {}; kk < NZ - 1; ++kk) {{\n", steps);
                for (int f = 0; f < steps; ++f) b += at("kk", f, "        ");
                b += "    }\n";
                for (int e = 1; e < steps; ++e)
                    for (int f = e; f < steps; ++f) b += at(fmt::format("NZ - 2 + {}", e), f, "    ");
            }
        }
        return kernel(d, "const float *restrict u, float *restrict tmp, float *restrict out", b);
    });
}

/// Bilinear demosaicing of an RGGB Bayer mosaic (every camera pipeline's first stage, OpenCV's
/// cvtColor with COLOR_BayerRG2RGB): the mosaic I (H + 2) x (W + 2) holds one colour per pixel,
/// interior pixel (i, j) (mosaic (i + 1, j + 1)) red where i and j are even, blue where both are
/// odd, green elsewhere; O is the interior's H x W pixels as interleaved RGB. A pixel's own colour
/// is copied; a missing one is the mean of its 2 neighbours along the row or column (0.5 (a + b)),
/// or of its 4 cross or 4 diagonal neighbours (0.25 ((n + s) + (w + e)), 0.25 ((nw + ne) + (sw +
/// se))); the one-pixel border is only read. Knobs: the method (per pixel, branches on the row and
/// column parity; per pixel branch-free, every candidate computed and the channels picked by
/// masks on the floats' bits; the row's parity hoisted, pairs of pixels along the row, the row's
/// two known cases; or 2 x 2 quads, the four known cases straight-line), the channel order (all
/// three channels of a pixel together, or R, G and B each its own sweep over the region, storing
/// every third float), the traversal (the whole image; strips of 32 rows, the three sweeps per
/// strip while its rows are in cache, for the sweeps only; or 32 x 64 tiles), vectorisation. Every
/// output is the same expression of the same mosaic values (the masks select bits): bit-identical.
std::vector<Variant> demosaic_bayer(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W");
    constexpr int TR = 32, TC = 64;
    if (H % TR != 0 || W % TC != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': H a multiple of {}, W of {}", w.name, TR, TC);
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2, 3}}, {"planes", "p", {0, 1}}, {"tile", "t", {0, 1, 2}}, vec_knob()};
    // The value of channel ch (0 R, 1 G, 2 B) at a site of kind s (0 red, 1 green on a red row, 2
    // green on a blue row, 3 blue) centred at p[at] of the mosaic.
    const auto value = [](int s, int ch, const std::string& at) {
        static const char* const forms[4][3] = {
            {"C", "CROSS", "DIAG"}, {"HORZ", "C", "VERT"}, {"VERT", "C", "HORZ"}, {"DIAG", "CROSS", "C"}};
        const std::string f = forms[s][ch];
        return f == "C" ? "p[" + at + "]" : f + (at == "0" ? "(p)" : "(p + " + at + ")");
    };
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), tile = k.at("tile");
        const bool planes = k.at("planes") == 1;
        if (!planes && tile == 1) return std::nullopt; // row strips of whole pixels: the untiled order
        // The statements of a site of kind s for the channels chs: the mosaic at p[at], the output
        // pixel at o[off].
        const auto site = [&](int s, const std::vector<int>& chs, const std::string& at, const std::string& off,
                              const std::string& in) {
            std::string b;
            for (int ch : chs) {
                const bool number =
                    std::ranges::all_of(off, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
                const std::string o = number ? std::to_string(std::stoi(off) + ch)
                                      : ch   ? fmt::format("{} + {}", off, ch)
                                             : off;
                b += fmt::format("{}o[{}] = {};\n", in, o, value(s, ch, at));
            }
            return b;
        };
        // One sweep of the region [i0, i1) x [j0, j1) computing the channels chs.
        const auto sweep = [&](const std::vector<int>& chs, const std::string& in) {
            const std::string i2 = in + "    ", i3 = i2 + "    ", i4 = i3 + "    ";
            // The pixel's mosaic and output pointers, at `ind`.
            const auto at = [](const std::string& ind) {
                return ind + "const float *restrict p = I + (i + 1) * IW + (j + 1);\n" + ind +
                       "float *restrict o = O + (i * W + j) * 3;\n";
            };
            std::string b;
            if (method == 0) {
                b += in + "for (int i = i0; i < i1; ++i)\n" + i2 + "for (int j = j0; j < j1; ++j) {\n" + at(i3) + i3 +
                     "if ((i & 1) == 0) {\n" + i4 + "if ((j & 1) == 0) {\n" + site(0, chs, "0", "0", i4 + "    ") + i4 +
                     "} else {\n" + site(1, chs, "0", "0", i4 + "    ") + i4 + "}\n" + i3 + "} else {\n" + i4 +
                     "if ((j & 1) == 0) {\n" + site(2, chs, "0", "0", i4 + "    ") + i4 + "} else {\n" +
                     site(3, chs, "0", "0", i4 + "    ") + i4 + "}\n" + i3 + "}\n" + i2 + "}\n";
            } else if (method == 1) {
                // Masks: mr all ones on odd rows, mc on odd columns; SEL(m, a, b) = m ? a : b.
                b += in + "for (int i = i0; i < i1; ++i)\n" + i2 + "for (int j = j0; j < j1; ++j) {\n" + at(i3) + i3 +
                     "const unsigned mr = 0u - (unsigned)(i & 1), mc = 0u - (unsigned)(j & 1);\n";
                const bool rb = std::ranges::find(chs, 0) != chs.end() || std::ranges::find(chs, 2) != chs.end();
                const bool g = std::ranges::find(chs, 1) != chs.end();
                b += i3 + "const float c = p[0];\n";
                if (rb) b += i3 + "const float h = HORZ(p), v = VERT(p), d = DIAG(p);\n";
                if (g) b += i3 + "const float x = CROSS(p);\n";
                for (int ch : chs) {
                    if (ch == 0) b += i3 + "o[0] = SEL(mr, SEL(mc, d, v), SEL(mc, h, c));\n";
                    if (ch == 1) b += i3 + "o[1] = SEL(mr ^ mc, c, x);\n";
                    if (ch == 2) b += i3 + "o[2] = SEL(mr, SEL(mc, c, h), SEL(mc, v, d));\n";
                }
                b += i2 + "}\n";
            } else if (method == 2) {
                b += in + "for (int i = i0; i < i1; ++i) {\n" + i2 + "if ((i & 1) == 0)\n" + i3 +
                     "for (int j = j0; j < j1; j += 2) {\n" + at(i4) + site(0, chs, "0", "0", i4) +
                     site(1, chs, "1", "3", i4) + i3 + "}\n" + i2 + "else\n" + i3 +
                     "for (int j = j0; j < j1; j += 2) {\n" + at(i4) + site(2, chs, "0", "0", i4) +
                     site(3, chs, "1", "3", i4) + i3 + "}\n" + in + "}\n";
            } else {
                b += in + "for (int i = i0; i < i1; i += 2)\n" + i2 + "for (int j = j0; j < j1; j += 2) {\n" + at(i3) +
                     site(0, chs, "0", "0", i3) + site(1, chs, "1", "3", i3) + site(2, chs, "IW", "3 * W", i3) +
                     site(3, chs, "IW + 1", "3 * W + 3", i3) + i2 + "}\n";
            }
            return b;
        };
        const auto sweeps = [&](const std::string& in) {
            if (!planes) return sweep({0, 1, 2}, in);
            return sweep({0}, in) + sweep({1}, in) + sweep({2}, in);
        };
        std::string b;
        if (tile == 0)
            b = "    {\n        const int i0 = 0, i1 = H, j0 = 0, j1 = W;\n" + sweeps("        ") + "    }\n";
        else if (tile == 1)
            b = "    for (int i0 = 0; i0 < H; i0 += TR) {\n        const int i1 = i0 + TR, j0 = 0, j1 = W;\n" +
                sweeps("        ") + "    }\n";
        else
            b = "    for (int i0 = 0; i0 < H; i0 += TR)\n        for (int j0 = 0; j0 < W; j0 += TC) {\n"
                "            const int i1 = i0 + TR, j1 = j0 + TC;\n" +
                sweeps("            ") + "        }\n";
        std::string d = dim_defines(w, {{"IW", W + 2}, {"TR", TR}, {"TC", TC}}) +
                        "#define HORZ(p) (0.5f * ((p)[-1] + (p)[1]))\n"
                        "#define VERT(p) (0.5f * ((p)[-IW] + (p)[IW]))\n"
                        "#define CROSS(p) (0.25f * (((p)[-IW] + (p)[IW]) + ((p)[-1] + (p)[1])))\n"
                        "#define DIAG(p) (0.25f * (((p)[-IW - 1] + (p)[-IW + 1]) + ((p)[IW - 1] + (p)[IW + 1])))\n";
        if (method == 1)
            d += "static inline float SEL(unsigned m, float a, float b) {\n    unsigned ua, ub;\n"
                 "    __builtin_memcpy(&ua, &a, 4);\n    __builtin_memcpy(&ub, &b, 4);\n"
                 "    const unsigned r = (ua & m) | (ub & ~m);\n    float f;\n    __builtin_memcpy(&f, &r, 4);\n"
                 "    return f;\n}\n";
        return kernel(d, "const float *restrict I, float *restrict O", b);
    });
}

/// The length of row r of spmv_csr's matrix: E 13000 / (t + 256), t the top 16 bits of a hash of
/// r: a power law, about a fifth E / L of the rows longer than L, from E / 5 nonzeros (at least 1
/// for E >= 6) up to 50 E, E on average (12.19 at E = 12 over 16384 rows; 290 rows over 100).
/// spmv_row_length sizes the buffers and spmv_row_length_c is the same in C for the kernels, from
/// these constants: if the two drifted apart, the kernels would read past the nonzeros.
constexpr std::uint32_t spmv_hash_multiplier = 2654435761u, spmv_hash_mixer = 0x846ca68bu, spmv_length_scale = 13000u,
                        spmv_length_offset = 256u;
int spmv_row_length(std::uint32_t r, int E) {
    std::uint32_t h = r * spmv_hash_multiplier;
    h ^= h >> 15;
    h *= spmv_hash_mixer;
    h ^= h >> 16;
    return static_cast<int>(static_cast<std::uint32_t>(E) * spmv_length_scale / ((h >> 16) + spmv_length_offset));
}
/// spmv_row_length as the kernels' C function row_len (E a #define of the kernel).
std::string spmv_row_length_c() {
    return fmt::format("static inline int row_len(int r) {{\n    unsigned h = (unsigned)r * {}u;\n    h ^= h >> 15;\n"
                       "    h *= {:#x}u;\n    h ^= h >> 16;\n    return (int)((unsigned)E * {}u / ((h >> 16) + {}u));\n"
                       "}}\n",
                       spmv_hash_multiplier, spmv_hash_mixer, spmv_length_scale, spmv_length_offset);
}

/// How many nonzeros ahead spmv_csr's software prefetch reaches: its val and col buffers hold as
/// many padding entries after the nonzeros, so the prefetching schedules read no further.
constexpr int spmv_prefetch_distance = 32;

/// spmv_csr's nonzeros: the sum of its rows' lengths.
std::uint64_t spmv_nonzeros(const Workload& w) {
    std::uint64_t n = 0;
    for (int r = 0; r < w.dim("M"); ++r) n += static_cast<std::uint64_t>(spmv_row_length(r, w.dim("E")));
    return n;
}

/// Sparse matrix times dense vector in CSR (a graph's PageRank or GNN propagation step, a pruned
/// layer at batch 1, an iterative solver's inner product): y[r] = the sum over row r's nonzeros p
/// of val[p] x[col(p)], M rows, N columns (a power of two; x larger than the L2 cache, so the
/// gathers miss). Row lengths follow a power law (most rows a few nonzeros, a few hundreds,
/// spmv_row_length: a hash of the row), every schedule first building the CSR row pointers from
/// them; each nonzero's column is a hash of col[p] and p in [0, N), as spmm_csr's. Knobs: the inner
/// loop unrolled by 1, 4 or 8 with a remainder loop (one accumulator); a software prefetch of x at
/// the column of the nonzero 32 positions ahead with every term; the rows (one at a time; one at a
/// time with rows of at most 4 nonzeros by a separate branch-free path, four masked terms, a
/// clamped index and the product times 0 or 1; 4 in lockstep, the four rows' common length
/// advanced together, four independent chains, then each row's tail; or 4 in lockstep over the
/// rows counting-sorted by length, up to 63, first, as SELL-C-sigma sorts, so a block is balanced
/// and the trip counts predictable); vectorisation. Every row adds its terms in nonzero order from
/// zero (a masked term adds a zero, which leaves a sum that is never -0 unchanged): bit-identical.
std::vector<Variant> spmv_csr(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N"), E = w.dim("E");
    if (M % 4 != 0 || E < 6 || N < 2 || (N & (N - 1)) != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': M a multiple of 4, E at least 6, N a power of two", w.name);
    const std::vector<Knob> knobs{{"unroll", "u", {1, 4, 8}}, {"prefetch", "p", {0, 1}}, {"short", "s", {0, 1}},
                                  {"lanes", "l", {1, 4}},     {"order", "o", {0, 1}},    vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int unroll = k.at("unroll"), lanes = k.at("lanes");
        const bool short_path = k.at("short") == 1, sorted = k.at("order") == 1, prefetch = k.at("prefetch") == 1;
        if (short_path && lanes != 1) return std::nullopt; // the masked path is a single row's
        if (sorted && lanes == 1) return std::nullopt;     // sorting balances lockstep blocks
        // The terms from position `from` to `to` (exclusive) added to s, unrolled, at `in`; p
        // declared by the caller.
        const auto terms = [&](const std::string& s, const std::string& from, const std::string& to,
                               const std::string& in) {
            std::string b = in + "p = " + from + ";\n";
            if (unroll > 1) {
                b += fmt::format("{}for (; p + {} <= {}; p += {}) {{\n", in, unroll, to, unroll);
                for (int q = 0; q < unroll; ++q)
                    b += fmt::format("{}    {} += TERM(p{});\n", in, s, q ? fmt::format(" + {}", q) : "");
                b += in + "}\n";
            }
            return b + fmt::format("{}for (; p < {}; ++p) {} += TERM(p);\n", in, to, s);
        };
        std::string b = "    int rp[M + 1];\n    rp[0] = 0;\n    for (int r = 0; r < M; ++r) rp[r + 1] = rp[r] + "
                        "row_len(r);\n";
        if (sorted)
            b += "    int perm[M], cnt[LB + 1];\n    for (int c = 0; c <= LB; ++c) cnt[c] = 0;\n"
                 "    for (int r = 0; r < M; ++r) ++cnt[BIN(r) + 1];\n"
                 "    for (int c = 0; c < LB; ++c) cnt[c + 1] += cnt[c];\n"
                 "    for (int r = 0; r < M; ++r) perm[cnt[BIN(r)]++] = r;\n";
        const std::string row_of = sorted ? "perm[q{}]" : "q{}";
        if (lanes == 1) {
            b += "    for (int q = 0; q < M; ++q) {\n        const int r = " + fmt::format(fmt::runtime(row_of), "") +
                 ";\n        const int lo = rp[r], hi = rp[r + 1];\n        float s = 0.0f;\n        int p;\n";
            std::string in = "        ";
            if (short_path) {
                b += "        if (hi - lo <= 4) {\n            const int n = hi - lo;\n";
                for (int q = 0; q < 4; ++q)
                    b += fmt::format("            p = {};\n            s += TERM(p) * (float)({} < n);\n",
                                     q ? fmt::format("{} < n ? lo + {} : lo", q, q) : "lo", q);
                b += "        } else {\n";
                in += "    ";
            }
            b += terms("s", "lo", "hi", in);
            if (short_path) b += "        }\n";
            b += "        y[r] = s;\n    }\n";
        } else {
            b += "    for (int q = 0; q < M; q += 4) {\n";
            for (int l = 0; l < 4; ++l)
                b += fmt::format("        const int r{0} = {1}, l{0} = rp[r{0}], n{0} = rp[r{0} + 1] - l{0};\n", l,
                                 fmt::format(fmt::runtime(row_of), l ? fmt::format(" + {}", l) : ""));
            b += "        int m = n0 < n1 ? n0 : n1;\n        m = n2 < m ? n2 : m;\n        m = n3 < m ? n3 : m;\n"
                 "        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;\n        int t = 0, p;\n";
            if (unroll > 1) {
                b += fmt::format("        for (; t + {} <= m; t += {}) {{\n", unroll, unroll);
                for (int q = 0; q < unroll; ++q)
                    for (int l = 0; l < 4; ++l)
                        b += fmt::format("            s{0} += TERM(l{0} + t{1});\n", l,
                                         q ? fmt::format(" + {}", q) : "");
                b += "        }\n";
            }
            b += "        for (; t < m; ++t) {\n";
            for (int l = 0; l < 4; ++l) b += fmt::format("            s{0} += TERM(l{0} + t);\n", l);
            b += "        }\n";
            for (int l = 0; l < 4; ++l)
                b +=
                    terms(fmt::format("s{}", l), fmt::format("l{} + t", l), fmt::format("l{0} + n{0}", l), "        ") +
                    fmt::format("        y[r{0}] = s{0};\n", l);
            b += "    }\n";
        }
        const std::string d =
            dim_defines(w, {{"NSHIFT", 32 - log2_floor(static_cast<std::uint64_t>(N))},
                            {"LB", 64},
                            {"PD", spmv_prefetch_distance}}) +
            spmv_row_length_c() +
            "#define BIN(r) (rp[(r) + 1] - rp[r] < LB - 1 ? rp[(r) + 1] - rp[r] : LB - 1)\n"
            "#define COL(p) ((int)(((unsigned)col[p] * 7919u + (unsigned)(p) * 2654435761u) >> NSHIFT))\n" +
            std::string(prefetch ? "#define TERM(p) (__builtin_prefetch(x + COL((p) + PD)), val[p] * x[COL(p)])\n"
                                 : "#define TERM(p) (val[p] * x[COL(p)])\n");
        return kernel(
            d, "const float *restrict val, const int *restrict col, const float *restrict x, float *restrict y", b);
    });
}

/// Bilinear grid sampling (torch.nn.functional.grid_sample with zero padding and align_corners =
/// false; a spatial transformer's warp, deformable sampling, optical-flow warping) of an NHWC image
/// H x W x C at an HO x WO output grid: output pixel (oy, ox) samples at the affine transform of
/// its normalised centre (a rotation by 0.3 rad scaled by 1.15, shifted; some samples fall outside)
/// plus a jitter of 0.02 times the input grid's two floats, mapped to pixel coordinates (ix, iy);
/// its four neighbours nw, ne, sw, se (floor by truncation, corrected) weigh (1 - ly)(1 - lx), (1 -
/// ly) lx, ly (1 - lx), ly lx, a neighbour outside the image counting zero, and every channel is
/// the sum of the four products in that order from zero. Knobs: the loop order (pixels outer, the
/// channels innermost: four contiguous runs of C floats gathered per pixel, vectorisable; or
/// channels outer, pixels inner, a port of an NCHW kernel: each channel a strided sweep), the
/// coefficients (computed inline where used, per channel and pixel for the channel-outer order; or
/// a table of every pixel's four offsets and weights, per tile when tiled, built first), the
/// bounds (a branch per neighbour, as torch's CPU kernel tests within_bounds_2d; or indices clamped
/// into the image and the weights of outside neighbours zeroed, branch-free), 16 x 16 output tiles
/// (for channels outer: all channels of a tile before the next, the tile's footprint in cache),
/// unrolling of the channel loop, vectorisation. A skipped neighbour and a zero-weighted one add
/// the same zero to a sum that is never -0; every weight and coordinate is the same expression:
/// bit-identical.
std::vector<Variant> grid_sample(const Workload& w) {
    const int HO = w.dim("HO"), WO = w.dim("WO");
    constexpr int T = 16;
    if (HO % T != 0 || WO % T != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': HO and WO multiples of {}", w.name, T);
    const std::vector<Knob> knobs{{"order", "o", {0, 1}}, {"coef", "k", {0, 1}},   {"bounds", "b", {0, 1}},
                                  {"tile", "t", {0, 1}},  {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool chan_outer = k.at("order") == 1, table = k.at("coef") == 1, clamp = k.at("bounds") == 1,
                   tiled = k.at("tile") == 1;
        const int unroll = k.at("unroll");
        if (chan_outer && unroll != 1) return std::nullopt; // the channel loop is not innermost
        // The region's pixel loops (pixel index pi = oy * WO + ox) at `in`, opening a block.
        const auto pixels = [&](const std::string& in) {
            return in + "for (int oy = y0; oy < y1; ++oy)\n" + in + "    for (int ox = x0; ox < x1; ++ox) {\n" + in +
                   "        const int pi = oy * WO + ox;\n";
        };
        // Pixel (oy, ox)'s offsets o0..o3 (of channel 0) and weights w0..w3 (and, branchy,
        // validity v0..v3), inline or from the table (entry e), at `in`.
        const auto coefs = [&](const std::string& in, const std::string& entry) {
            const std::string e = entry == "pi" ? "pi" : "e";
            if (!table)
                return in + "int o0, o1, o2, o3, v0, v1, v2, v3;\n" + in + "float w0, w1, w2, w3;\n" + in +
                       "COEF(oy, ox);\n";
            std::string s = e == "pi" ? "" : in + "const int e = " + entry + ";\n";
            s += in + "const int o0 = to[" + e + "][0], o1 = to[" + e + "][1], o2 = to[" + e + "][2], o3 = to[" + e +
                 "][3];\n" + in + "const float w0 = tw[" + e + "][0], w1 = tw[" + e + "][1], w2 = tw[" + e +
                 "][2], w3 = tw[" + e + "][3];\n";
            if (!clamp)
                s += in + "const int v0 = tv[" + e + "] & 1, v1 = tv[" + e + "] & 2, v2 = tv[" + e + "] & 4, v3 = tv[" +
                     e + "] & 8;\n";
            return s;
        };
        // Channel c's sum of the four neighbours into `dst`, at `in`.
        const auto sample = [&](const std::string& dst, const std::string& in) {
            if (clamp)
                return in + dst + " = 0.0f + w0 * I[o0 + c] + w1 * I[o1 + c] + w2 * I[o2 + c] + w3 * I[o3 + c];\n";
            std::string s = in + "float s = 0.0f;\n";
            for (int t = 0; t < 4; ++t) s += fmt::format("{0}if (v{1}) s += w{1} * I[o{1} + c];\n", in, t);
            return s + in + dst + " = s;\n";
        };
        // The table entry of pixel (oy, ox): the whole grid's, or the tile's.
        const std::string entry = tiled ? "(oy - y0) * T + (ox - x0)" : "pi";
        std::string b;
        const auto region = [&](const std::string& in) {
            std::string s;
            if (table) {
                s += pixels(in) + in + "        const int e = " + entry + ";\n" + in +
                     "        int o0, o1, o2, o3, v0, v1, v2, v3;\n" + in + "        float w0, w1, w2, w3;\n" + in +
                     "        COEF(oy, ox);\n" + in + "        to[e][0] = o0;\n" + in + "        to[e][1] = o1;\n" +
                     in + "        to[e][2] = o2;\n" + in + "        to[e][3] = o3;\n" + in +
                     "        tw[e][0] = w0;\n" + in + "        tw[e][1] = w1;\n" + in + "        tw[e][2] = w2;\n" +
                     in + "        tw[e][3] = w3;\n";
                if (!clamp) s += in + "        tv[e] = (unsigned char)(v0 | v1 << 1 | v2 << 2 | v3 << 3);\n";
                s += in + "    }\n";
            }
            if (!chan_outer) {
                s += pixels(in) + coefs(in + "        ", entry) + in + "        float *restrict op = O + pi * C;\n" +
                     unroll_pragma(unroll, in + "        ") + in + "        for (int c = 0; c < C; ++c) {\n" +
                     sample("op[c]", in + "            ") + in + "        }\n" + in + "    }\n";
            } else {
                s += in + "for (int c = 0; c < C; ++c)\n" + pixels(in + "    ") + coefs(in + "            ", entry) +
                     sample("O[pi * C + c]", in + "            ") + in + "        }\n";
            }
            return s;
        };
        if (table)
            b += tiled ? "    int to[T * T][4];\n    float tw[T * T][4];\n"
                       : "    int to[HO * WO][4];\n    float tw[HO * WO][4];\n";
        if (table && !clamp) b += tiled ? "    unsigned char tv[T * T];\n" : "    unsigned char tv[HO * WO];\n";
        if (tiled)
            b += "    for (int y0 = 0; y0 < HO; y0 += T)\n        for (int x0 = 0; x0 < WO; x0 += T) {\n"
                 "            const int y1 = y0 + T, x1 = x0 + T;\n" +
                 region("            ") + "        }\n";
        else b += "    {\n        const int y0 = 0, y1 = HO, x0 = 0, x1 = WO;\n" + region("        ") + "    }\n";
        // COEF(oy, ox): the source coordinates, the floor, the weights; branchy: the raw offsets
        // (used only when valid) and validity; clamped: offsets clamped and outside weights zero.
        std::string d = dim_defines(w, {{"T", T}}) +
                        "#define A00 1.0986f\n#define A01 -0.3399f\n#define A10 0.3399f\n#define A11 1.0986f\n"
                        "#define TX 0.04f\n#define TY -0.07f\n#define JIT 0.02f\n"
                        "#define COEF(oy, ox) do { \\\n"
                        "    const float xn = (2.0f * (float)(ox) + 1.0f) / (float)WO - 1.0f; \\\n"
                        "    const float yn = (2.0f * (float)(oy) + 1.0f) / (float)HO - 1.0f; \\\n"
                        "    const float *g_ = grid + 2 * ((oy) * WO + (ox)); \\\n"
                        "    const float gx = A00 * xn + A01 * yn + TX + JIT * g_[0]; \\\n"
                        "    const float gy = A10 * xn + A11 * yn + TY + JIT * g_[1]; \\\n"
                        "    const float ix = ((gx + 1.0f) * (float)W - 1.0f) * 0.5f; \\\n"
                        "    const float iy = ((gy + 1.0f) * (float)H - 1.0f) * 0.5f; \\\n"
                        "    int xl = (int)ix, yl = (int)iy; \\\n"
                        "    xl -= (float)xl > ix; \\\n    yl -= (float)yl > iy; \\\n"
                        "    const float lx = ix - (float)xl, ly = iy - (float)yl, hx = 1.0f - lx, hy = 1.0f - ly; \\\n"
                        "    const int vxl = xl >= 0 && xl < W, vxh = xl + 1 >= 0 && xl + 1 < W; \\\n"
                        "    const int vyl = yl >= 0 && yl < H, vyh = yl + 1 >= 0 && yl + 1 < H; \\\n"
                        "    v0 = vyl & vxl; v1 = vyl & vxh; v2 = vyh & vxl; v3 = vyh & vxh; \\\n"
                        "    w0 = hy * hx; w1 = hy * lx; w2 = ly * hx; w3 = ly * lx; \\\n";
        if (clamp)
            d += "    const int cxl = xl < 0 ? 0 : xl >= W ? W - 1 : xl, cxh = xl + 1 < 0 ? 0 : xl + 1 >= W ? W - 1 : "
                 "xl + 1; \\\n"
                 "    const int cyl = yl < 0 ? 0 : yl >= H ? H - 1 : yl, cyh = yl + 1 < 0 ? 0 : yl + 1 >= H ? H - 1 : "
                 "yl + 1; \\\n"
                 "    o0 = (cyl * W + cxl) * C; o1 = (cyl * W + cxh) * C; o2 = (cyh * W + cxl) * C; o3 = (cyh * W + "
                 "cxh) * C; \\\n"
                 "    w0 = v0 ? w0 : 0.0f; w1 = v1 ? w1 : 0.0f; w2 = v2 ? w2 : 0.0f; w3 = v3 ? w3 : 0.0f; \\\n";
        else
            d += "    o0 = (yl * W + xl) * C; o1 = (yl * W + xl + 1) * C; o2 = ((yl + 1) * W + xl) * C; \\\n"
                 "    o3 = ((yl + 1) * W + xl + 1) * C; \\\n";
        d += "} while (0)\n";
        return kernel(d, "const float *restrict I, const float *restrict grid, float *restrict O", b);
    });
}

/// LU factorisation with partial pivoting of a batch of NB small dense N x N matrices (batched
/// solvers: a block-Jacobi preconditioner's diagonal blocks, per-element stiffness solves, LAPACK's
/// getrf_batched), LAPACK's getf2 in float: for each column k the first row of largest |a[i][k]|
/// (i >= k, a strict `>` scan) is the pivot, written to the i32 pivots P (ipiv, 0-based), rows k and
/// p are exchanged whole, the column below the diagonal is divided by the pivot and the trailing
/// matrix gets the rank-1 update a[i][j] -= a[i][k] a[k][j]; the factors (L below the diagonal,
/// unit diagonal implied, U on and above) go to LU, the last buffer. The input is any matrix in [-1,
/// 1), not diagonally dominant: most steps exchange rows. Knobs: the form (right-looking,
/// the rank-1 update row by row, i-j order, contiguous along rows; right-looking in j-i order,
/// column by column; or left-looking, Crout's column order, jki: column j first receives the
/// updates of every earlier column, then is searched for its pivot and divided), the row exchange
/// (whole rows copied, or only a permutation of row indices updated, the matrix factorised in a
/// scratch through it and written out in pivoted order at the end), the pivot search (a branch on a
/// new maximum, or branch-free: the index by a mask, the maximum by a select), the batch (one matrix
/// at a time; interleaved, each column step run over all matrices in turn; or tiles of 32 matrices
/// packed element by element into a batch-innermost (SoA) scratch, so every step's loops run across
/// the tile's matrices and vectorise), vectorisation. Every element receives the same subtractions
/// in k order and the same division, and the pivots come from the same comparisons: bit-identical.
std::vector<Variant> lu_batched(const Workload& w) {
    const int NB = w.dim("NB");
    constexpr int TB = 32;
    if (NB % TB != 0) fail(ErrorKind::invalid_argument, "workload '{}': NB a multiple of {}", w.name, TB);
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1, 2}}, {"batch", "b", {0, 1, 2}}, {"swap", "s", {0, 1}}, {"pivot", "p", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), batch = k.at("batch");
        const bool perm = k.at("swap") == 1, select = k.at("pivot") == 1;
        if (batch != 0 && perm) return std::nullopt; // the permutation's scratch holds one matrix
        const bool soa = batch == 2;
        // The pivot search of column c from row c, the maximum m and its row p (arrays indexed by
        // the tile's matrix b in the SoA form), at `in`.
        const auto search = [&](const std::string& c, const std::string& in) {
            const std::string m = soa ? "m[b]" : "m", p = soa ? "p[b]" : "p";
            std::string s;
            if (soa)
                s += in + "float m[TB];\n" + in + "int p[TB];\n" + in + "for (int b = 0; b < TB; ++b) {\n" + in +
                     "    m[b] = __builtin_fabsf(A_(" + c + ", " + c + "));\n" + in + "    p[b] = " + c + ";\n" + in +
                     "}\n";
            else s += in + "float m = __builtin_fabsf(A_(" + c + ", " + c + "));\n" + in + "int p = " + c + ";\n";
            s += in + "for (int i = " + c + " + 1; i < N; ++i) {\n";
            std::string i2 = in + "    ";
            if (soa) {
                s += i2 + "for (int b = 0; b < TB; ++b) {\n";
                i2 += "    ";
            }
            s += i2 + "const float v = __builtin_fabsf(A_(i, " + c + "));\n";
            if (select)
                s += i2 + "const int c = -(int)(v > " + m + ");\n" + i2 + p + " ^= (" + p + " ^ i) & c;\n" + i2 + m +
                     " = v > " + m + " ? v : " + m + ";\n";
            else
                s += i2 + "if (v > " + m + ") {\n" + i2 + "    " + m + " = v;\n" + i2 + "    " + p + " = i;\n" + i2 +
                     "}\n";
            if (soa) s += in + "    }\n";
            return s + in + "}\n";
        };
        // Column c's pivot recorded, its rows exchanged and the column below divided, at `in`.
        const auto pivot = [&](const std::string& c, const std::string& in) {
            std::string s = search(c, in);
            if (soa)
                return s + in + "for (int b = 0; b < TB; ++b) {\n" + in + "    const int q = p[b];\n" + in +
                       "    P[(b0 + b) * N + " + c + "] = q;\n" + in + "    if (q != " + c + ")\n" + in +
                       "        for (int x = 0; x < N; ++x) {\n" + in + "            const float t = A_(" + c +
                       ", x);\n" + in + "            A_(" + c + ", x) = A_(q, x);\n" + in +
                       "            A_(q, x) = t;\n" + in + "        }\n" + in + "}\n" + in + "for (int i = " + c +
                       " + 1; i < N; ++i)\n" + in + "    for (int b = 0; b < TB; ++b) A_(i, " + c + ") = A_(i, " + c +
                       ") / A_(" + c + ", " + c + ");\n";
            s += in + "pv[" + c + "] = p;\n";
            if (perm)
                s += in + "{\n" + in + "    const int t = pm[" + c + "];\n" + in + "    pm[" + c + "] = pm[p];\n" + in +
                     "    pm[p] = t;\n" + in + "}\n";
            else
                s += in + "if (p != " + c + ")\n" + in + "    for (int x = 0; x < N; ++x) {\n" + in +
                     "        const float t = A_(" + c + ", x);\n" + in + "        A_(" + c + ", x) = A_(p, x);\n" +
                     in + "        A_(p, x) = t;\n" + in + "    }\n";
            return s + in + "{\n" + in + "    const float d = A_(" + c + ", " + c + ");\n" + in +
                   "    for (int i = " + c + " + 1; i < N; ++i) A_(i, " + c + ") = A_(i, " + c + ") / d;\n" + in +
                   "}\n";
        };
        // The innermost statement of an update, over the tile's matrices in the SoA form.
        const auto update = [&](const std::string& stmt, const std::string& in) {
            return soa ? in + "for (int b = 0; b < TB; ++b) " + stmt + "\n" : in + stmt + "\n";
        };
        // Step k (right-looking) or column j (left-looking) of one matrix, or of a tile, at `in`.
        const auto step = [&](const std::string& in) {
            const std::string i2 = in + "    ", i3 = i2 + "    ";
            if (form == 0)
                return pivot("k", in) + in + "for (int i = k + 1; i < N; ++i)\n" + i2 +
                       "for (int j = k + 1; j < N; ++j)\n" + update("A_(i, j) -= A_(i, k) * A_(k, j);", i3);
            if (form == 1)
                return pivot("k", in) + in + "for (int j = k + 1; j < N; ++j)\n" + i2 +
                       "for (int i = k + 1; i < N; ++i)\n" + update("A_(i, j) -= A_(i, k) * A_(k, j);", i3);
            return in + "for (int k = 0; k < j; ++k)\n" + i2 + "for (int i = k + 1; i < N; ++i)\n" +
                   update("A_(i, j) -= A_(i, k) * A_(k, j);", i3) + pivot("j", in);
        };
        const std::string col = form == 2 ? "j" : "k";
        std::string d = dim_defines(w, {{"TB", TB}}), b;
        if (soa) {
            d += "#define A_(i, j) S[((i) * N + (j)) * TB + b]\n";
            b = "    float S[N * N * TB];\n    for (int b0 = 0; b0 < NB; b0 += TB) {\n"
                "        for (int b = 0; b < TB; ++b)\n"
                "            for (int e = 0; e < N * N; ++e) S[e * TB + b] = A[(b0 + b) * N * N + e];\n"
                "        for (int " +
                col + " = 0; " + col + " < N; ++" + col + ") {\n" + step("            ") +
                "        }\n        for (int b = 0; b < TB; ++b)\n"
                "            for (int e = 0; e < N * N; ++e) LU[(b0 + b) * N * N + e] = S[e * TB + b];\n    }\n";
        } else if (batch == 1) {
            d += "#define A_(i, j) a[(i) * N + (j)]\n";
            b = "    for (int e = 0; e < NB * N * N; ++e) LU[e] = A[e];\n    for (int " + col + " = 0; " + col +
                " < N; ++" + col +
                ")\n        for (int m0 = 0; m0 < NB; ++m0) {\n"
                "            float *restrict a = LU + m0 * N * N;\n            int *restrict pv = P + m0 * N;\n" +
                step("            ") + "        }\n";
        } else {
            d += perm ? "#define A_(i, j) W[pm[i] * N + (j)]\n" : "#define A_(i, j) a[(i) * N + (j)]\n";
            b = "    for (int m0 = 0; m0 < NB; ++m0) {\n        float *restrict a = LU + m0 * N * N;\n"
                "        int *restrict pv = P + m0 * N;\n";
            if (perm)
                b += "        float W[N * N];\n        int pm[N];\n"
                     "        for (int e = 0; e < N * N; ++e) W[e] = A[m0 * N * N + e];\n"
                     "        for (int i = 0; i < N; ++i) pm[i] = i;\n";
            else b += "        for (int e = 0; e < N * N; ++e) a[e] = A[m0 * N * N + e];\n";
            b += "        for (int " + col + " = 0; " + col + " < N; ++" + col + ") {\n" + step("            ") +
                 "        }\n";
            if (perm)
                b += "        for (int i = 0; i < N; ++i)\n"
                     "            for (int j = 0; j < N; ++j) a[i * N + j] = W[pm[i] * N + j];\n";
            b += "    }\n";
        }
        return kernel(d, "const float *restrict A, int *restrict P, float *restrict LU", b);
    });
}

/// An edge-preserving bilateral filter of a float H x W image (denoising that keeps edges, tone
/// mapping's base layer, OpenCV's bilateralFilter), a K x K window, borders clamped (replicated):
/// O[p] = sum over the window's taps q of w(q) I[q] / sum of w(q), w(q) = ws[q] wr(I[q] - I[p]), the
/// taps in raster order from zero, ws the spatial Gaussian (sigma 0.75 R, as float literals), the
/// range weight wr(d) = 1 / (1 + u^2 KQ) of |d| quantised to u = (int)(128 |d|) (u < 256 for inputs
/// in [-1, 1), KQ = 2^-11: sigma_r 0.25). Knobs: the range weight (computed per tap, a division; or
/// looked up in a table of the 256 quantised weights the kernel computes first by the same
/// expression), the loop order (pixels outer with the taps innermost and the two sums in
/// registers; or the taps outer over a row, each tap a pass along the row into row scratches of
/// the two sums, contiguous and vectorisable), the window loops (in order, or fully unrolled, the
/// spatial weights constants), the border (every tap's row and column clamped; the interior
/// split from the border, only the border's taps clamped; or a padded copy of the image with R
/// replicated rows and columns built first, no clamps at all), vectorisation. Every output adds the
/// same products of the same weights in tap order and divides once: bit-identical.
std::vector<Variant> bilateral_filter(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), K = w.dim("K"), R = K / 2;
    if (K % 2 == 0 || H < K || W < K)
        fail(ErrorKind::invalid_argument, "workload '{}': K odd, H and W at least K", w.name);
    const double sigma = 0.75 * R;
    std::vector<std::string> lit;
    for (int dy = -R; dy <= R; ++dy)
        for (int dx = -R; dx <= R; ++dx)
            lit.push_back(
                fmt::format("{:#.9g}f", static_cast<float>(std::exp(-(dy * dy + dx * dx) / (2 * sigma * sigma)))));
    const std::string table = fmt::format("static const float WS[K * K] = {{{}}};\n", fmt::join(lit, ", "));
    const std::vector<Knob> knobs{{"range", "r", {0, 1}},
                                  {"order", "o", {0, 1}},
                                  {"window", "w", {0, 1}},
                                  {"border", "b", {0, 1, 2}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool lookup = k.at("range") == 1, taps_outer = k.at("order") == 1, unrolled = k.at("window") == 1;
        const int border = k.at("border");
        const std::string wr = lookup ? "WR[u]" : "RANGE(u)";
        // The window's loops at `in`, the statement after them at the returned indent.
        const auto window = [&](const std::string& in) {
            const std::string u = unrolled ? "#pragma GCC unroll " + std::to_string(K) + "\n" : "";
            return std::make_pair(u + in + "for (int dy = -R; dy <= R; ++dy)\n" + u + in +
                                      "    for (int dx = -R; dx <= R; ++dx) {\n",
                                  in + "        ");
        };
        // One tap: the source value q (an expression), the centre c, into num and den (lvalues).
        const auto tap = [&](const std::string& q, const std::string& ws, const std::string& num,
                             const std::string& den, const std::string& in) {
            return in + "const float q = " + q + ";\n" + in + "const int u = (int)(__builtin_fabsf(q - c) * QS);\n" +
                   in + "const float wt = " + ws + " * " + wr + ";\n" + in + num + " += wt * q;\n" + in + den +
                   " += wt;\n";
        };
        std::string f, b;
        if (lookup) b += "    float WR[256];\n    for (int u = 0; u < 256; ++u) WR[u] = RANGE(u);\n";
        if (border == 2)
            b += "    float Pd[PH * PW];\n    for (int y = 0; y < PH; ++y)\n        for (int x = 0; x < PW; ++x)\n"
                 "            Pd[y * PW + x] = I[CL(y - R, H) * W + CL(x - R, W)];\n";
        const std::string wrarg = lookup ? ", const float *restrict WR" : "";
        const std::string wrpass = lookup ? ", WR" : "";
        if (!taps_outer) {
            // The pixel (y, x)'s output from the source `src` (I or the padded copy), clamped or not.
            const auto pixel = [&](const std::string& name, const std::string& q) {
                auto [head, in] = window("    ");
                return "static inline float " + name + "(const float *restrict S, int y, int x, float c" + wrarg +
                       ") {\n    float num = 0.0f, den = 0.0f;\n" + head +
                       tap(q, "WS[(dy + R) * K + dx + R]", "num", "den", in) + in.substr(4) +
                       "}\n    return num / den;\n}\n";
            };
            if (border == 0 || border == 1) f += pixel("px_clamped", "S[CL(y + dy, H) * W + CL(x + dx, W)]");
            if (border == 1) f += pixel("px_inner", "S[(y + dy) * W + x + dx]");
            if (border == 2) f += pixel("px_inner", "S[(y + dy + R) * PW + x + dx + R]");
            const std::string src = border == 2 ? "Pd" : "I";
            const auto call = [&](const std::string& fn) {
                return "O[y * W + x] = " + fn + "(" + src + ", y, x, I[y * W + x]" + wrpass + ");\n";
            };
            if (border == 1)
                b += "    for (int y = 0; y < H; ++y) {\n        if (y < R || y >= H - R) {\n"
                     "            for (int x = 0; x < W; ++x) " +
                     call("px_clamped") + "            continue;\n        }\n        for (int x = 0; x < R; ++x) " +
                     call("px_clamped") + "        for (int x = R; x < W - R; ++x) " + call("px_inner") +
                     "        for (int x = W - R; x < W; ++x) " + call("px_clamped") + "    }\n";
            else
                b += "    for (int y = 0; y < H; ++y)\n        for (int x = 0; x < W; ++x) " +
                     call(border == 0 ? "px_clamped" : "px_inner");
        } else {
            // Row y: every tap a pass along the row into the sums' row scratches.
            b += "    float num[W], den[W];\n    for (int y = 0; y < H; ++y) {\n"
                 "        const float *restrict ctr = I + y * W;\n"
                 "        for (int x = 0; x < W; ++x) {\n            num[x] = 0.0f;\n            den[x] = 0.0f;\n"
                 "        }\n";
            const auto loops = window("        ");
            const std::string &head = loops.first, &in = loops.second;
            b += head + in + "const float ws = WS[(dy + R) * K + dx + R];\n";
            // The pass over columns [x0, x1) reading q.
            const auto pass = [&](const std::string& x0, const std::string& x1, const std::string& q) {
                return in + "for (int x = " + x0 + "; x < " + x1 + "; ++x) {\n" + in + "    const float c = ctr[x];\n" +
                       tap(q, "ws", "num[x]", "den[x]", in + "    ") + in + "}\n";
            };
            if (border == 2) {
                b += in + "const float *restrict src = Pd + (y + dy + R) * PW + R + dx;\n" + pass("0", "W", "src[x]");
            } else {
                b += in + "const float *restrict src = I + CL(y + dy, H) * W;\n";
                if (border == 0) b += pass("0", "W", "src[CL(x + dx, W)]");
                else
                    b += pass("0", "R", "src[CL(x + dx, W)]") + pass("R", "W - R", "src[x + dx]") +
                         pass("W - R", "W", "src[CL(x + dx, W)]");
            }
            b += in.substr(4) + "}\n        for (int x = 0; x < W; ++x) O[y * W + x] = num[x] / den[x];\n"
                                "    }\n";
        }
        return kernel(dim_defines(w, {{"R", R}, {"PH", H + 2 * R}, {"PW", W + 2 * R}}) + table +
                          "#define QS 128.0f\n#define KQ 0.00048828125f\n"
                          "#define RANGE(u) (1.0f / (1.0f + (float)(u) * (float)(u) * KQ))\n"
                          "#define CL(v, n) ((v) < 0 ? 0 : (v) >= (n) ? (n) - 1 : (v))\n" +
                          f,
                      "const float *restrict I, float *restrict O", b);
    });
}

/// Block-matching motion estimation (video encoders' integer motion search, block-based optical
/// flow): for each 8 x 8 block of the current frame, the displacement (dx, dy) within +-R (and
/// inside the frame) of the block of the reference frame with the least sum of absolute
/// differences, ties to the first in raster order (dy, then dx ascending); O holds dx, dy and the
/// SAD per block as i32. The 8-bit frames (an i8 buffer read as unsigned char) are built first,
/// the same in every schedule: the reference a 2 x 2 box average of the input's noise (texture
/// with some spatial correlation), the current frame the reference moved by one vector per 32 x 32
/// region (|component| < R, borders clamped) plus noise in [-3, 4]. Knobs: the loop order (the
/// displacements outer, each candidate's SAD over the block's rows; or the block's rows outer, a
/// row of SADs added into a scratch accumulator per displacement, the minimum searched at the
/// end), early termination (a candidate abandoned once its partial SAD after a row exceeds the best
/// so far), the start (the raster order alone; or the left neighbour's vector first, as encoders
/// try a predictor, then the rest in raster order, a tie going to the lower raster index), the
/// absolute difference (a branch on the sign, a > b ? a - b : b - a, or a table of |d| for d in
/// [-255, 255]), the accumulators (int, or unsigned short: an 8 x 8 SAD is at most 16320),
/// vectorisation. Integers, the same minimum and tie rule: bit-identical.
std::vector<Variant> sad_block_match(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), R = w.dim("R");
    if (H % 32 != 0 || W % 32 != 0 || R < 2 || R > 16)
        fail(ErrorKind::invalid_argument, "workload '{}': H and W multiples of 32, R in [2, 16]", w.name);
    const std::vector<Knob> knobs{{"order", "o", {0, 1}},      {"early", "e", {0, 1}}, {"start", "s", {0, 1}},
                                  {"absdiff", "a", {0, 1, 2}}, {"acc", "w", {32, 16}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool rows_outer = k.at("order") == 1, early = k.at("early") == 1, predictor = k.at("start") == 1;
        const int absdiff = k.at("absdiff");
        if (rows_outer && (early || predictor)) return std::nullopt; // every SAD is completed row by row
        if (predictor && !early) return std::nullopt;                // a full search's order changes nothing
        const std::string acc = k.at("acc") == 16 ? "unsigned short" : "int";
        // s += the SAD of the 8 pixels at cp and fp, at `in`.
        const auto row = [&](const std::string& cp, const std::string& fp, const std::string& in) {
            std::string s = in + "for (int x = 0; x < 8; ++x) ";
            if (absdiff == 0)
                return s + "{\n" + in + "    int d = " + cp + "[x] - " + fp + "[x];\n" + in +
                       "    if (d < 0) d = -d;\n" + in + "    s += d;\n" + in + "}\n";
            if (absdiff == 1)
                return s + "s += " + cp + "[x] > " + fp + "[x] ? " + cp + "[x] - " + fp + "[x] : " + fp + "[x] - " +
                       cp + "[x];\n";
            return s + "s += adt[" + cp + "[x] - " + fp + "[x] + 255];\n";
        };
        std::string b = "    unsigned char ref[H * W], cur[H * W];\n    frames(I, ref, cur);\n";
        if (absdiff == 2)
            b += "    unsigned char adt[511];\n"
                 "    for (int d = 0; d < 511; ++d) adt[d] = (unsigned char)(d < 255 ? 255 - d : d - 255);\n";
        b += "    for (int by = 0; by < BH; ++by) {\n";
        if (predictor) b += "        int px = 0, py = 0;\n";
        b += "        for (int bx = 0; bx < BW; ++bx) {\n"
             "            const int y0 = by * 8, x0 = bx * 8;\n"
             "            const int dy0 = y0 < R ? -y0 : -R, dy1 = y0 + 8 + R > H ? H - 8 - y0 : R;\n"
             "            const int dx0 = x0 < R ? -x0 : -R, dx1 = x0 + 8 + R > W ? W - 8 - x0 : R;\n"
             "            const unsigned char *restrict cb = cur + y0 * W + x0;\n"
             "            int bs = 1 << 30, bdx = 0, bdy = 0;\n";
        const std::string in = "                    ";
        if (!rows_outer) {
            if (predictor)
                b += "            int bi = 0;\n"
                     "            if (py >= dy0 && py <= dy1 && px >= dx0 && px <= dx1) {\n"
                     "                const unsigned char *restrict rb = ref + (y0 + py) * W + x0 + px;\n"
                     "                " +
                     acc + " s = 0;\n                for (int r = 0; r < 8; ++r)\n" +
                     row("(cb + r * W)", "(rb + r * W)", "                    ") +
                     "                bs = s;\n                bi = (py + R) * D + px + R;\n"
                     "                bdx = px;\n                bdy = py;\n            }\n";
            b += "            for (int dy = dy0; dy <= dy1; ++dy)\n"
                 "                for (int dx = dx0; dx <= dx1; ++dx) {\n";
            if (predictor) b += "                    if (dy == py && dx == px) continue;\n";
            b += in + "const unsigned char *restrict rb = ref + (y0 + dy) * W + x0 + dx;\n" + in + acc + " s = 0;\n" +
                 in + "for (int r = 0; r < 8; ++r) {\n" + row("(cb + r * W)", "(rb + r * W)", in + "    ");
            if (early) b += in + "    if (s > bs) break;\n";
            b += in + "}\n";
            if (predictor)
                b += in + "const int idx = (dy + R) * D + dx + R;\n" + in + "if (s < bs || (s == bs && idx < bi)) {\n" +
                     in + "    bs = s;\n" + in + "    bi = idx;\n";
            else b += in + "if (s < bs) {\n" + in + "    bs = s;\n";
            b += in + "    bdx = dx;\n" + in + "    bdy = dy;\n" + in + "}\n                }\n";
        } else {
            b += "            " + acc +
                 " sad[D * D];\n"
                 "            for (int dy = dy0; dy <= dy1; ++dy)\n"
                 "                for (int dx = dx0; dx <= dx1; ++dx) sad[(dy + R) * D + dx + R] = 0;\n"
                 "            for (int r = 0; r < 8; ++r) {\n"
                 "                const unsigned char *restrict cp = cb + r * W;\n"
                 "                for (int dy = dy0; dy <= dy1; ++dy)\n"
                 "                    for (int dx = dx0; dx <= dx1; ++dx) {\n"
                 "                        const unsigned char *restrict fp = ref + (y0 + r + dy) * W + x0 + dx;\n"
                 "                        " +
                 acc + " s = sad[(dy + R) * D + dx + R];\n" + row("cp", "fp", "                        ") +
                 "                        sad[(dy + R) * D + dx + R] = s;\n                    }\n            }\n"
                 "            for (int dy = dy0; dy <= dy1; ++dy)\n"
                 "                for (int dx = dx0; dx <= dx1; ++dx)\n"
                 "                    if (sad[(dy + R) * D + dx + R] < bs) {\n"
                 "                        bs = sad[(dy + R) * D + dx + R];\n"
                 "                        bdx = dx;\n                        bdy = dy;\n                    }\n";
        }
        b += "            int *restrict o = O + 3 * (by * BW + bx);\n"
             "            o[0] = bdx;\n            o[1] = bdy;\n            o[2] = bs;\n";
        if (predictor) b += "            px = bdx;\n            py = bdy;\n";
        b += "        }\n    }\n";
        // The frames: N0 the (H + 1) x (W + 1) noise boxed into the reference, N1 the H x W noise
        // added to the moved reference.
        const std::string frames =
            "static void frames(const unsigned char *restrict N0, unsigned char *restrict ref,\n"
            "                   unsigned char *restrict cur) {\n"
            "    for (int y = 0; y < H; ++y)\n        for (int x = 0; x < W; ++x)\n"
            "            ref[y * W + x] = (unsigned char)((N0[y * NW + x] + N0[y * NW + x + 1] + N0[(y + 1) * NW + x] "
            "+\n                                              N0[(y + 1) * NW + x + 1] + 2) >> 2);\n"
            "    const unsigned char *restrict N1 = N0 + (H + 1) * NW;\n"
            "    for (int y = 0; y < H; ++y)\n        for (int x = 0; x < W; ++x) {\n"
            "            unsigned h = (unsigned)((y >> 5) * 1024 + (x >> 5)) * 2654435761u;\n"
            "            h ^= h >> 15;\n"
            "            const int mx = (int)(h % (2 * R - 1)) - (R - 1);\n"
            "            const int my = (int)(h / (2 * R - 1) % (2 * R - 1)) - (R - 1);\n"
            "            int sy = y + my, sx = x + mx;\n"
            "            sy = sy < 0 ? 0 : sy >= H ? H - 1 : sy;\n            sx = sx < 0 ? 0 : sx >= W ? W - 1 : sx;\n"
            "            int v = ref[sy * W + sx] + (N1[y * W + x] & 7) - 3;\n"
            "            v = v < 0 ? 0 : v > 255 ? 255 : v;\n            cur[y * W + x] = (unsigned char)v;\n"
            "        }\n}\n";
        return kernel(dim_defines(w, {{"BH", H / 8}, {"BW", W / 8}, {"NW", W + 1}, {"D", 2 * R + 1}}) + frames,
                      "const unsigned char *restrict I, int *restrict O", b);
    });
}

/// The probe side of a hash join (a feature pipeline's join or embedding-id dedup, a database's
/// hash join): NB build rows with i32 keys, NP probe keys, out[p] = the first (lowest) build row
/// whose key equals probe p's key, or -1. The keys are made by the kernel, the same code in every
/// variant: build row i's key a bijective 32-bit mix of an id, i itself or, for a row whose input
/// is a multiple of 8 (about one in eight), the row before's (duplicate keys); probe p's key, by a
/// hash of its input and p, the key of a random build row (half of them) or the mix of an id of
/// NB or more (no match), written into out first and replaced there by the probe's result. Every
/// variant builds its own table in the scratch T (an output the checks ignore), then probes.
/// Knobs: the table (open addressing with linear probing, a slot per row; bucketized, buckets of
/// 4 or 8 slots filled in order, a probe comparing a whole bucket's keys branch-free into a mask of
/// matches (empty slots hold the key of id 2^32 - 1, which no probe asks for) and taking its
/// lowest bit, the next bucket only if this one is full; or chained, a head
/// per hash value and a next link per row, the rows inserted in descending order so each chain
/// runs in ascending row order), the table's size (2 or 4 slots or heads per build row; the
/// xor-shift hash only at 2), the hash (multiplicative, the top bits of k * 2654435761; or a
/// xor-shift-multiply mix masked to the size), the layout (keys and row indices in separate arrays,
/// or interleaved: key-row pairs, a bucket's keys then its rows in one block, a chain node's key
/// and link side by side), the probe loop (one key at a time; or blocks of 8, software-pipelined:
/// the next block's hashes computed and their slots prefetched before the current block is
/// probed, its only vectorisable loop, so only it varies vectorisation). Linear probing and
/// buckets place a later duplicate after an earlier one along its probe sequence, and the chains
/// are ascending: every variant returns the lowest matching row, bit-identical.
std::vector<Variant> hash_join_probe(const Workload& w) {
    const int NB = w.dim("NB"), NP = w.dim("NP");
    if (NB < 64 || (NB & (NB - 1)) != 0 || NP % 8 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': NB a power of two, NP a multiple of 8", w.name);
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2, 3}}, {"load", "l", {2, 4}}, {"hash", "h", {0, 1}},
                                  {"layout", "i", {0, 1}},       {"pipe", "p", {0, 1}}, {"vec", "v", {0, 2}}};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), load = k.at("load");
        const bool xs = k.at("hash") == 1, inter = k.at("layout") == 1, pipe = k.at("pipe") == 1;
        if (xs && load != 2) return std::nullopt;             // the mixing hash at the smaller table only
        if (!pipe && k.at("vec") != 0) return std::nullopt;   // nothing to vectorise one key at a time
        const int sl = method == 1 ? 4 : method == 2 ? 8 : 1; // slots per bucket
        const int size = load * NB / sl;                      // slots, buckets or heads
        // A bucket's empty slots hold the key of id 2^32 - 1, which no probe asks for.
        std::uint32_t empty = 0xFFFFFFFFu * 0x9E3779B1u;
        empty ^= empty >> 15;
        empty *= 0x85EBCA77u;
        empty ^= empty >> 13;
        std::string d = dim_defines(w, {{"SZ", size}, {"SL", sl}, {"HSHIFT", 32 - log2_floor(size)}}) +
                        (sl > 1 ? fmt::format("#define EMPTY {}u\n", empty) : "") +
                        "/* a bijective mix of 32 bits: distinct ids, distinct keys */\n"
                        "static inline unsigned mixk(unsigned x) {\n    x *= 0x9E3779B1u;\n    x ^= x >> 15;\n"
                        "    x *= 0x85EBCA77u;\n    x ^= x >> 13;\n    return x;\n}\n"
                        "/* the id behind build row i's key: about one row in eight repeats the row before's */\n"
                        "static inline unsigned bid(const int *restrict bk, int i) {\n"
                        "    return i > 0 && ((unsigned)(bk[i] + 100) & 7u) == 0 ? (unsigned)(i - 1) : (unsigned)i;\n"
                        "}\n";
        d += xs ? "static inline unsigned hsh(unsigned k) {\n    k ^= k >> 16;\n    k *= 0x45D9F3Bu;\n"
                  "    k ^= k >> 16;\n    return k & (SZ - 1);\n}\n"
                : "static inline unsigned hsh(unsigned k) { return (k * 2654435761u) >> HSHIFT; }\n";
        // The table's accessors: KEY(h) and ROW(h) of slot h (linear), of slot s of bucket h, or a
        // chain's node r: NKEY(r), NEXT(r).
        if (method == 0)
            d += inter ? "#define KEY(h) T[2 * (h)]\n#define ROW(h) T[2 * (h) + 1]\n"
                       : "#define KEY(h) T[h]\n#define ROW(h) T[SZ + (h)]\n";
        else if (method <= 2)
            d += inter ? "#define KEY(h, s) T[(h) * 2 * SL + (s)]\n#define ROW(h, s) T[(h) * 2 * SL + SL + (s)]\n"
                       : "#define KEY(h, s) T[(h) * SL + (s)]\n#define ROW(h, s) T[SZ * SL + (h) * SL + (s)]\n";
        else
            d += inter ? "#define HEAD(h) T[h]\n#define NKEY(r) T[SZ + 2 * (r)]\n#define NEXT(r) T[SZ + 2 * (r) + 1]\n"
                       : "#define HEAD(h) T[h]\n#define NKEY(r) T[SZ + (r)]\n#define NEXT(r) T[SZ + NB + (r)]\n";
        // The probe keys, into out.
        std::string b = "    for (int p = 0; p < NP; ++p) {\n"
                        "        unsigned h = (unsigned)(pk[p] + 100) * 2654435761u ^ (unsigned)p * 2246822519u;\n"
                        "        h ^= h >> 16;\n        h *= 0x7FEB352Du;\n        h ^= h >> 15;\n"
                        "        const unsigned id = (h & 1u) ? bid(bk, (int)((h >> 1) % NB)) : NB + (h >> 1);\n"
                        "        out[p] = (int)mixk(id);\n    }\n";
        // The build.
        if (method == 0)
            b += "    for (int h = 0; h < SZ; ++h) ROW(h) = -1;\n    for (int i = 0; i < NB; ++i) {\n"
                 "        const unsigned k = mixk(bid(bk, i));\n        unsigned h = hsh(k);\n"
                 "        while (ROW(h) >= 0) h = (h + 1) & (SZ - 1);\n        KEY(h) = (int)k;\n"
                 "        ROW(h) = i;\n    }\n";
        else if (method <= 2)
            b += "    for (int h = 0; h < SZ; ++h)\n        for (int s = 0; s < SL; ++s) {\n"
                 "            KEY(h, s) = (int)EMPTY;\n            ROW(h, s) = -1;\n        }\n"
                 "    for (int i = 0; i < NB; ++i) {\n        const unsigned k = mixk(bid(bk, i));\n"
                 "        unsigned h = hsh(k);\n        while (ROW(h, SL - 1) >= 0) h = (h + 1) & (SZ - 1);\n"
                 "        int s = 0;\n        while (ROW(h, s) >= 0) ++s;\n        KEY(h, s) = (int)k;\n"
                 "        ROW(h, s) = i;\n    }\n";
        else
            b += "    for (int h = 0; h < SZ; ++h) HEAD(h) = -1;\n"
                 "    for (int i = NB - 1; i >= 0; --i) {\n        const unsigned k = mixk(bid(bk, i));\n"
                 "        const unsigned h = hsh(k);\n        NKEY(i) = (int)k;\n        NEXT(i) = HEAD(h);\n"
                 "        HEAD(h) = i;\n    }\n";
        // One probe: the key kk at hash hh into out[pp], at `in`.
        const auto probe = [&](const std::string& kk, const std::string& hh, const std::string& pp,
                               const std::string& in) {
            if (method == 0)
                return in + "unsigned h = " + hh + ";\n" + in + "int r;\n" + in +
                       "while ((r = ROW(h)) >= 0 && KEY(h) != " + kk + ") h = (h + 1) & (SZ - 1);\n" + in + "out[" +
                       pp + "] = r;\n";
            if (method <= 2)
                return in + "unsigned h = " + hh + ";\n" + in + "int r;\n" + in + "for (;;) {\n" + in +
                       "    unsigned m = 0;\n" + in + "    #pragma GCC unroll 8\n" + in +
                       "    for (int s = 0; s < SL; ++s) m |= (unsigned)(KEY(h, s) == " + kk + ") << s;\n" + in +
                       "    if (m) {\n" + in + "        r = ROW(h, __builtin_ctz(m));\n" + in + "        break;\n" +
                       in + "    }\n" + in + "    if (ROW(h, SL - 1) < 0) {\n" + in + "        r = -1;\n" + in +
                       "        break;\n" + in + "    }\n" + in + "    h = (h + 1) & (SZ - 1);\n" + in + "}\n" + in +
                       "out[" + pp + "] = r;\n";
            return in + "int r = HEAD(" + hh + ");\n" + in + "while (r >= 0 && NKEY(r) != " + kk + ") r = NEXT(r);\n" +
                   in + "out[" + pp + "] = r;\n";
        };
        // The address a block's hash h[u] is prefetched at (both arrays' when separate).
        std::string pf;
        if (method == 0)
            pf = inter ? "__builtin_prefetch(&KEY(h));"
                       : "__builtin_prefetch(&KEY(h));\n{0}__builtin_prefetch(&ROW(h));";
        else if (method <= 2)
            pf = inter ? "__builtin_prefetch(&KEY(h, 0));"
                       : "__builtin_prefetch(&KEY(h, 0));\n{0}__builtin_prefetch(&ROW(h, 0));";
        else pf = "__builtin_prefetch(&HEAD(h));";
        if (!pipe)
            b += "    for (int p = 0; p < NP; ++p) {\n        const int k = out[p];\n" +
                 probe("k", "hsh((unsigned)k)", "p", "        ") + "    }\n";
        else {
            const auto hashes = [&](const std::string& dst, const std::string& p0, const std::string& in) {
                return in + "for (int u = 0; u < 8; ++u) " + dst + "[u] = hsh((unsigned)out[" + p0 + " + u]);\n" + in +
                       "for (int u = 0; u < 8; ++u) {\n" + in + "    const unsigned h = " + dst + "[u];\n" + in +
                       "    " + fmt::format(fmt::runtime(pf), in + "    ") + "\n" + in + "}\n";
            };
            b += "    unsigned hc[8], hn[8];\n" + hashes("hc", "0", "    ") +
                 "    for (int p0 = 0; p0 < NP; p0 += 8) {\n        if (p0 + 8 < NP) {\n" +
                 hashes("hn", "p0 + 8", "            ") + "        }\n        for (int u = 0; u < 8; ++u) {\n" +
                 "            const int k = out[p0 + u];\n" + probe("k", "hc[u]", "p0 + u", "            ") +
                 "        }\n        if (p0 + 8 < NP)\n            for (int u = 0; u < 8; ++u) hc[u] = hn[u];\n    }\n";
        }
        return kernel(d, "const int *restrict bk, const int *restrict pk, int *restrict T, int *restrict out", b);
    });
}

/// Batched QR factorisation by Householder reflections of NB small tall M x N float matrices (M >
/// N: least-squares fits per pixel or per sensor, batched geqrf in a Kalman or SLAM solver), R out:
/// the N x N upper triangle, zeros below. Column k's reflector: sg = the sum of A[i][k]^2 over i >
/// k (ascending from 0.0f), nr = sqrtf(x0 x0 + sg) with x0 = A[k][k] (an instruction under
/// -fno-math-errno), alpha = -nr if x0 >= 0 else nr (R's diagonal), v = (x0 - alpha, A[k+1..][k]),
/// beta = 2 / (v0 v0 + sg) (0 for a zero column); each trailing column j gets w = v . A[.][j]
/// (from 0.0f, the v0 term first, then rows k+1 .. M-1 ascending) and t = beta w subtracted as t
/// v[i] from each of its rows. Knobs: the working copy's layout (row-major or column-major, in
/// scratch; in the batch-interleaved form the (i, j) order of the element blocks), the update
/// (column by column, a dot product then an axpy per trailing column; or w = v^T A for the whole
/// trailing block first, row by row, then the rank-1 update A -= v (beta w)^T row by row), the
/// batch (one matrix at a time; or tiles of 8 or 32 matrices packed element by element
/// batch-innermost, every step run in lockstep over the tile, its loops across the matrices
/// vectorisable), unrolling of the row loops, vectorisation. Every element's dot products add the
/// same products in the same order and every subtraction uses the same t and v[i]:
/// bit-identical.
std::vector<Variant> qr_householder_batched(const Workload& w) {
    const int NB = w.dim("NB"), M = w.dim("M"), N = w.dim("N");
    if (NB % 32 != 0 || M <= N || N < 2)
        fail(ErrorKind::invalid_argument, "workload '{}': NB a multiple of 32, M > N >= 2", w.name);
    const std::vector<Knob> knobs{{"layout", "l", {0, 1}},
                                  {"form", "f", {0, 1}},
                                  {"batch", "b", {1, 8, 32}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const bool colmajor = k.at("layout") == 1, wfirst = k.at("form") == 1;
            const int tb = k.at("batch");
            const bool soa = tb > 1;
            const std::string u = unroll_pragma(k.at("unroll"), "");
            // A statement over the tile's matrices (SoA), or as it is, at `in`; X(name) a per-matrix
            // scalar: name[b] in the SoA form.
            const auto st = [&](const std::string& s, const std::string& in) {
                return soa ? in + "for (int b = 0; b < TB; ++b) " + s + "\n" : in + s + "\n";
            };
            const auto x = [&](const std::string& name) { return soa ? name + "[b]" : name; };
            // A row loop `for (int i = k + 1; i < M; ++i)` under the unroll pragma, at `in`.
            const auto rows = [&](const std::string& in) {
                return (u.empty() ? "" : in + u) + in + "for (int i = k + 1; i < M; ++i)";
            };
            std::string step;
            const std::string in = "            "; // inside the column loop
            // The reflector of column k.
            step += st(x("sg") + " = 0.0f;", in);
            if (soa) step += rows(in) + "\n" + st("sg[b] += A_(i, k) * A_(i, k);", in + "    ");
            else step += rows(in) + " sg += A_(i, k) * A_(i, k);\n";
            const std::string refl = "{\n" + in + "    const float x0 = A_(k, k);\n" + in +
                                     "    const float nr = __builtin_sqrtf(x0 * x0 + " + x("sg") + ");\n" + in +
                                     "    " + x("al") + " = x0 >= 0.0f ? -nr : nr;\n" + in + "    " + x("v0") +
                                     " = x0 - " + x("al") + ";\n" + in + "    const float vv = " + x("v0") + " * " +
                                     x("v0") + " + " + x("sg") + ";\n" + in + "    " + x("be") +
                                     " = vv > 0.0f ? 2.0f / vv : 0.0f;\n" + in + "}";
            step += st(refl, in);
            if (!wfirst) {
                // Column by column: the dot product, then the axpy.
                step += in + "for (int j = k + 1; j < N; ++j) {\n";
                const std::string i2 = in + "    ";
                step += st(x("s") + " = 0.0f;", i2) + st(x("s") + " += " + x("v0") + " * A_(k, j);", i2);
                if (soa) step += rows(i2) + "\n" + st("s[b] += A_(i, j) * A_(i, k);", i2 + "    ");
                else step += rows(i2) + " s += A_(i, j) * A_(i, k);\n";
                step += st(x("t") + " = " + x("be") + " * " + x("s") + ";", i2) +
                        st("A_(k, j) -= " + x("t") + " * " + x("v0") + ";", i2);
                if (soa) step += rows(i2) + "\n" + st("A_(i, j) -= t[b] * A_(i, k);", i2 + "    ");
                else step += rows(i2) + " A_(i, j) -= t * A_(i, k);\n";
                step += in + "}\n";
            } else {
                // w = v^T A over the trailing block, row by row, then the rank-1 update row by row.
                const std::string wj = soa ? "wv[j][b]" : "wv[j]";
                step += in + "for (int j = k + 1; j < N; ++j) {\n" + st(wj + " = 0.0f;", in + "    ") +
                        st(wj + " += " + x("v0") + " * A_(k, j);", in + "    ") + in + "}\n";
                step += rows(in) + "\n" + in + "    for (int j = k + 1; j < N; ++j)\n" +
                        st(wj + " += A_(i, j) * A_(i, k);", in + "        ");
                step +=
                    in + "for (int j = k + 1; j < N; ++j)\n" + st(wj + " = " + x("be") + " * " + wj + ";", in + "    ");
                step += in + "for (int j = k + 1; j < N; ++j)\n" +
                        st("A_(k, j) -= " + wj + " * " + x("v0") + ";", in + "    ");
                step += rows(in) + "\n" + in + "    for (int j = k + 1; j < N; ++j)\n" +
                        st("A_(i, j) -= " + wj + " * A_(i, k);", in + "        ");
            }
            step += st("A_(k, k) = " + x("al") + ";", in);
            std::string d = dim_defines(w, {{"TB", tb}});
            const std::string ix = colmajor ? "((j) * M + (i))" : "((i) * N + (j))";
            std::string b;
            if (soa) {
                d += "#define A_(i, j) S[" + ix + " * TB + b]\n";
                b = "    float S[M * N * TB];\n    float sg[TB], al[TB], v0[TB], be[TB];\n";
                b += wfirst ? "    float wv[N][TB];\n" : "    float s[TB], t[TB];\n";
                b += "    for (int b0 = 0; b0 < NB; b0 += TB) {\n"
                     "        for (int b = 0; b < TB; ++b)\n            for (int i = 0; i < M; ++i)\n"
                     "                for (int j = 0; j < N; ++j) A_(i, j) = A[((b0 + b) * M + i) * N + j];\n"
                     "        for (int k = 0; k < N; ++k) {\n" +
                     step +
                     "        }\n        for (int b = 0; b < TB; ++b)\n            for (int i = 0; i < N; ++i)\n"
                     "                for (int j = 0; j < N; ++j) R[((b0 + b) * N + i) * N + j] = j >= i ? A_(i, j) : "
                     "0.0f;\n    }\n";
            } else {
                d += "#define A_(i, j) a[" + ix + "]\n";
                b = "    float a[M * N];\n";
                b += wfirst ? "    float wv[N];\n" : "";
                b += "    for (int m = 0; m < NB; ++m) {\n"
                     "        for (int i = 0; i < M; ++i)\n"
                     "            for (int j = 0; j < N; ++j) A_(i, j) = A[(m * M + i) * N + j];\n"
                     "        for (int k = 0; k < N; ++k) {\n            float sg, al, v0, be;\n";
                b += wfirst ? "" : "            float s, t;\n";
                b += step +
                     "        }\n        for (int i = 0; i < N; ++i)\n"
                     "            for (int j = 0; j < N; ++j) R[(m * N + i) * N + j] = j >= i ? A_(i, j) : 0.0f;\n"
                     "    }\n";
            }
            return kernel(d, "const float *restrict A, float *restrict R", b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// Local binary pattern histograms (LBP texture features: face recognition's LBPH, texture
/// classification, OpenCV's face module) of an 8-bit H x W image (an i8 buffer read as unsigned
/// char): every interior pixel (1 <= y < H - 1, 1 <= x < W - 1) gets an 8-bit code, bit 7 - n set
/// when its neighbour n (clockwise from the top-left: up-left, up, up-right, right, down-right,
/// down, down-left, left) is >= the centre, and O gets, per CS x CS cell of the image (cell (y /
/// CS, x / CS), row-major), a 256-bin i32 histogram of its pixels' codes, added to O. Knobs: the
/// comparisons (a branch per neighbour setting its bit, or branch-free: the comparisons' results
/// shifted and or-ed), the neighbours (read through three row pointers, the code's eight terms
/// written out; or through a table of the eight offsets from the centre, a loop shifting each bit
/// in), the passes (fused, each pixel's code binned at once; or a code pass into an H x W scratch
/// first, row by row and vectorisable, then the histogram pass reading it: only this form varies
/// vectorisation), the histograms (one per cell, incremented in O; or four sub-histograms per
/// cell, pixel x into table x mod 4, so neighbouring pixels of equal code do not chain through one
/// counter, merged into O at the end of each cell or row of cells), the traversal (row-major,
/// whole image rows, the cell a shift of x; or cell-major, each cell's pixels before the next
/// cell's), vectorisation. Integer counts: every schedule makes the same histograms, bit-identical.
std::vector<Variant> lbp_histogram_u8(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), CS = w.dim("CS");
    if (CS < 4 || (CS & (CS - 1)) != 0 || H % CS != 0 || W % CS != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': CS a power of two dividing H and W", w.name);
    const std::vector<Knob> knobs{{"cmp", "c", {0, 1}},  {"nbr", "n", {0, 1}},   {"pass", "p", {0, 1}},
                                  {"hist", "h", {1, 4}}, {"order", "o", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool branchfree = k.at("cmp") == 1, table = k.at("nbr") == 1, codes_first = k.at("pass") == 1,
                   cell_major = k.at("order") == 1;
        const int sub = k.at("hist");
        if (!codes_first && k.at("vec") != 0) return std::nullopt; // a fused pass scatters: nothing to vectorise
        std::string d = dim_defines(w, {{"CH", H / CS}, {"CW", W / CS}, {"LCS", log2_floor(CS)}});
        if (table) d += "static const int OFF[8] = {-W - 1, -W, -W + 1, 1, W + 1, W, W - 1, -1};\n";
        // The code of pixel x of row y, into `int code`, at `in`.
        const auto code = [&](const std::string& in) {
            if (table) {
                std::string s = in + "const unsigned char *restrict q = I + y * W + x;\n" + in +
                                "const int c = q[0];\n" + in + "int code = 0;\n" + in + "for (int n = 0; n < 8; ++n) ";
                return s + (branchfree ? "code = (code << 1) | (q[OFF[n]] >= c);\n"
                                       : "{\n" + in + "    code <<= 1;\n" + in +
                                             "    if (q[OFF[n]] >= c) code |= 1;\n" + in + "}\n");
            }
            const std::vector<std::string> nb{"up[x - 1]", "up[x]", "up[x + 1]", "md[x + 1]",
                                              "dn[x + 1]", "dn[x]", "dn[x - 1]", "md[x - 1]"};
            std::string s = in + "const int c = md[x];\n";
            if (branchfree) {
                s += in + "const int code = ";
                for (int n = 0; n < 8; ++n) s += fmt::format("{}({} >= c) << {}", n == 0 ? "" : " | ", nb[n], 7 - n);
                return s + ";\n";
            }
            s += in + "int code = 0;\n";
            for (int n = 0; n < 8; ++n) s += fmt::format("{}if ({} >= c) code |= {};\n", in, nb[n], 1 << (7 - n));
            return s;
        };
        const std::string rowptrs = table
                                        ? ""
                                        : "const unsigned char *restrict up = I + (y - 1) * W, *restrict md = I + y * "
                                          "W, *restrict dn = I + (y + 1) * W;\n";
        std::string b;
        if (codes_first)
            b += "    unsigned char cd[H * W];\n    for (int y = 1; y < H - 1; ++y) {\n" +
                 (rowptrs.empty() ? "" : "        " + rowptrs) + "        for (int x = 1; x < W - 1; ++x) {\n" +
                 code("            ") + "            cd[y * W + x] = (unsigned char)code;\n        }\n    }\n";
        // The binning of pixel (y, x) (its code computed, or read from the scratch) by `inc`, at `in`.
        const auto bin = [&](const std::string& inc, const std::string& in) {
            return (codes_first ? in + "const int code = cd[y * W + x];\n" : code(in)) + in + inc + "\n";
        };
        const std::string y01 = "const int y0 = cy * CS < 1 ? 1 : cy * CS, y1 = cy * CS + CS > H - 1 ? H - 1 : cy * "
                                "CS + CS;\n";
        const std::string y_loop = "for (int y = y0; y < y1; ++y) {\n";
        const std::string ptrs = codes_first || table ? "" : rowptrs;
        if (!cell_major) {
            b += "    for (int cy = 0; cy < CH; ++cy) {\n        " + y01;
            if (sub == 1)
                b += "        " + y_loop + (ptrs.empty() ? "" : "            " + ptrs) +
                     "            for (int x = 1; x < W - 1; ++x) {\n" +
                     bin("++O[((cy * CW + (x >> LCS)) << 8) + code];", "                ") +
                     "            }\n        }\n";
            else
                b += "        int hs[4][CW * 256];\n        for (int t = 0; t < 4; ++t)\n"
                     "            for (int e = 0; e < CW * 256; ++e) hs[t][e] = 0;\n        " +
                     y_loop + (ptrs.empty() ? "" : "            " + ptrs) +
                     "            for (int x = 1; x < W - 1; ++x) {\n" +
                     bin("++hs[x & 3][((x >> LCS) << 8) + code];", "                ") +
                     "            }\n        }\n        int *restrict o = O + cy * CW * 256;\n"
                     "        for (int e = 0; e < CW * 256; ++e) o[e] += hs[0][e] + hs[1][e] + hs[2][e] + hs[3][e];\n";
            b += "    }\n";
        } else {
            b += "    for (int cy = 0; cy < CH; ++cy) {\n        " + y01 +
                 "        for (int cx = 0; cx < CW; ++cx) {\n"
                 "            const int x0 = cx * CS < 1 ? 1 : cx * CS, x1 = cx * CS + CS > W - 1 ? W - 1 : cx * CS + "
                 "CS;\n"
                 "            int *restrict hp = O + (cy * CW + cx) * 256;\n";
            if (sub == 1)
                b += "            " + y_loop + (ptrs.empty() ? "" : "                " + ptrs) +
                     "                for (int x = x0; x < x1; ++x) {\n" + bin("++hp[code];", "                    ") +
                     "                }\n            }\n";
            else
                b += "            int hs[4][256];\n            for (int t = 0; t < 4; ++t)\n"
                     "                for (int e = 0; e < 256; ++e) hs[t][e] = 0;\n            " +
                     y_loop + (ptrs.empty() ? "" : "                " + ptrs) +
                     "                for (int x = x0; x < x1; ++x) {\n" +
                     bin("++hs[x & 3][code];", "                    ") +
                     "                }\n            }\n"
                     "            for (int e = 0; e < 256; ++e) hp[e] += hs[0][e] + hs[1][e] + hs[2][e] + hs[3][e];\n";
            b += "        }\n    }\n";
        }
        return kernel(d, "const unsigned char *restrict I, int *restrict O", b);
    });
}

/// The loss gradient of a classifier head (softmax cross-entropy backward, every classifier's last
/// layer in training): for B rows of C float logits z and an i32 label per row (hashed with the
/// row index into 0 .. C - 1), dz = softmax(z) - onehot(label). Row r: m = the maximum of z (exact,
/// any order), e_j = exp(z_j - m) by the corpus's polynomial exp, s = the sum of e_j in ascending j
/// from 0.0f, inv = 1.0f / s, dz_j = e_j inv - (j == label ? 1.0f : 0.0f). Knobs: the exp (the
/// corpus's simtune_exp(z - m), clamped by a branch; or exp_neg(m - z), clamped on its bits, which
/// GCC vectorises: m - z is exactly -(z - m) and both clamps leave the |x| <= 2 here alone, so the
/// two give the same bits); the exp values (recomputed in the normalising pass; stored in the output
/// row by the summing loop; or stored by an exp pass of their own, then summed by a separate
/// loop, so the exp loop vectorises though the in-order sum does not); the one-hot (subtracted in
/// the normalising pass by a compare and select; or a separate scatter, dz[label] -= 1.0f, after
/// it: x - 0.0f is x); the rows (one at a time; or tiles of 4 rows whose max and sum reductions run
/// row-interleaved, four independent chains); vectorisation. Every row's sum adds the same exp
/// values in the same order and every output is e_j inv - 1 or e_j inv: bit-identical.
std::vector<Variant> softmax_xent_backward(const Workload& w) {
    const int B = w.dim("B");
    if (B % 4 != 0) fail(ErrorKind::invalid_argument, "workload '{}': B a multiple of 4", w.name);
    const std::vector<Knob> knobs{
        {"exp", "e", {0, 1}}, {"keep", "k", {0, 1, 2}}, {"onehot", "h", {0, 1}}, {"rows", "r", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool negexp = k.at("exp") == 1, scatter = k.at("onehot") == 1;
        const int keep = k.at("keep"), rt = k.at("rows");
        std::string d =
            dim_defines(w, {{"RT", rt}}) + (negexp ? exp_neg_function : exp_function) +
            (negexp ? "#define EXPF(v, m) exp_neg((m) - (v))\n" : "#define EXPF(v, m) simtune_exp((v) - (m))\n") +
            "/* row r's label: its i32 input hashed with r into 0 .. C - 1 */\n"
            "static inline int label(const int *restrict L, int r) {\n"
            "    return (int)((((unsigned)(L[r] + 100) * 2654435761u) ^ ((unsigned)r * 2246822519u)) % C);\n"
            "}\n";
        // The normalising pass of row t (z, d, inv, lab by that suffix), at `in`.
        const auto normalise = [&](const std::string& t, const std::string& in) {
            const std::string e = keep == 0 ? "EXPF(z" + t + "[j], m" + t + ")" : "d" + t + "[j]";
            std::string s = in + "for (int j = 0; j < C; ++j) d" + t + "[j] = " + e + " * inv" + t +
                            (scatter ? "" : " - (j == lab" + t + " ? 1.0f : 0.0f)") + ";\n";
            if (scatter) s += in + "d" + t + "[lab" + t + "] -= 1.0f;\n";
            return s;
        };
        std::string b;
        if (rt == 1) {
            b = "    for (int r = 0; r < B; ++r) {\n        const float *restrict z = Z + r * C;\n"
                "        float *restrict d = D + r * C;\n        const int lab = label(L, r);\n"
                "        float m = -3.0e38f;\n        for (int j = 0; j < C; ++j) m = z[j] > m ? z[j] : m;\n"
                "        float s = 0.0f;\n";
            if (keep == 0) b += "        for (int j = 0; j < C; ++j) s += EXPF(z[j], m);\n";
            else if (keep == 1)
                b += "        for (int j = 0; j < C; ++j) {\n            const float e = EXPF(z[j], m);\n"
                     "            d[j] = e;\n            s += e;\n        }\n";
            else
                b += "        for (int j = 0; j < C; ++j) d[j] = EXPF(z[j], m);\n"
                     "        for (int j = 0; j < C; ++j) s += d[j];\n";
            b += "        const float inv = 1.0f / s;\n" + normalise("", "        ") + "    }\n";
        } else {
            // Tiles of RT rows: the reductions interleaved over the tile's rows (RT chains).
            b = "    for (int r0 = 0; r0 < B; r0 += RT) {\n        const float *restrict z = Z + r0 * C;\n"
                "        float *restrict d = D + r0 * C;\n        float m[RT], s[RT];\n"
                "        for (int t = 0; t < RT; ++t) {\n            m[t] = -3.0e38f;\n            s[t] = 0.0f;\n"
                "        }\n        for (int j = 0; j < C; ++j)\n            #pragma GCC unroll 4\n"
                "            for (int t = 0; t < RT; ++t) m[t] = z[t * C + j] > m[t] ? z[t * C + j] : m[t];\n";
            if (keep == 0)
                b += "        for (int j = 0; j < C; ++j)\n            #pragma GCC unroll 4\n"
                     "            for (int t = 0; t < RT; ++t) s[t] += EXPF(z[t * C + j], m[t]);\n";
            else if (keep == 1)
                b += "        for (int j = 0; j < C; ++j)\n            #pragma GCC unroll 4\n"
                     "            for (int t = 0; t < RT; ++t) {\n"
                     "                const float e = EXPF(z[t * C + j], m[t]);\n"
                     "                d[t * C + j] = e;\n                s[t] += e;\n            }\n";
            else
                b += "        for (int t = 0; t < RT; ++t)\n"
                     "            for (int j = 0; j < C; ++j) d[t * C + j] = EXPF(z[t * C + j], m[t]);\n"
                     "        for (int j = 0; j < C; ++j)\n            #pragma GCC unroll 4\n"
                     "            for (int t = 0; t < RT; ++t) s[t] += d[t * C + j];\n";
            b += "        for (int t = 0; t < RT; ++t) {\n";
            if (keep == 0)
                b += "            const float *restrict zt = z + t * C;\n            const float mt = m[t];\n";
            b += "            float *restrict dt = d + t * C;\n            const float invt = 1.0f / s[t];\n"
                 "            const int labt = label(L, r0 + t);\n" +
                 normalise("t", "            ") + "        }\n    }\n";
        }
        return kernel(d, "const float *restrict Z, const int *restrict L, float *restrict D", b);
    });
}

/// A symmetric matrix-vector product, y = A x, with A stored packed (BLAS's spmv, as covariance and
/// kernel matrices, Hessians and graph Laplacians are kept): N x N, its lower triangle row-packed,
/// row i's elements A[i][0..i] at AP[i (i + 1) / 2 ..], N (N + 1) / 2 floats; A[i][j] for j > i is
/// A[j][i], in row j. y[i] is the sum of its N terms A[i][j] x[j] in ascending j from 0.0f in every
/// variant. Knobs: the form (dot products: row i's packed part, then column i's part gathered
/// through the rows below, one element per row, strided; the axpy form, each stored element used
/// twice, the packed rows walked in order: row i's dot product over j <= i gives y[i]'s first i + 1
/// terms, and y[j] += A[i][j] x[i] for j < i adds term i to every earlier y, so each y gets its
/// terms in ascending j; that form's dot product and axpy fused in one loop, or split into two, the
/// axpy then vectorisable; or an unpacking of each block of rows into a dense scratch panel, then a
/// dense product on it); the blocking (one row at a time, or blocks of 8 rows: the dot form's
/// eight rows' parts interleaved, the column parts below the block then contiguous runs of 8 in
/// each lower row; the axpy form's block of rows adding its 8 terms to each earlier y[j] in one
/// load and store; the panel column-major, 8 rows' elements of a column adjacent, its product
/// vectorisable across the rows); the row starts (computed, i (i + 1) / 2, or from a table the
/// kernel builds: only in the dot form, which looks one up per gathered element); unrolling of the
/// column loops; vectorisation. Each y's terms are added in ascending j from zero in every form
/// (the axpy's partial y are stored and reloaded, exact): bit-identical.
std::vector<Variant> packed_symv(const Workload& w) {
    const int N = w.dim("N");
    if (N % 8 != 0) fail(ErrorKind::invalid_argument, "workload '{}': N a multiple of 8", w.name);
    const std::vector<Knob> knobs{{"form", "f", {0, 1, 2, 3}},
                                  {"block", "b", {1, 8}},
                                  {"index", "i", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), rb = k.at("block"), unroll = k.at("unroll");
        const bool table = k.at("index") == 1;
        if (table && form != 0) return std::nullopt; // the other forms find a row start once per row
        std::string d = dim_defines(w, {{"RB", rb}});
        d += table ? "#define RS(i) rs[i]\n" : "#define RS(i) ((i) * ((i) + 1) / 2)\n";
        std::string b = table ? "    int rs[N];\n    for (int i = 0; i < N; ++i) rs[i] = i * (i + 1) / 2;\n" : "";
        const auto u = [&](const std::string& in) { return unroll_pragma(unroll, in); };
        if (form == 0 && rb == 1)
            b += "    for (int i = 0; i < N; ++i) {\n        const float *restrict a = AP + RS(i);\n"
                 "        float acc = 0.0f;\n" +
                 u("        ") + "        for (int j = 0; j <= i; ++j) acc += a[j] * x[j];\n" + u("        ") +
                 "        for (int j = i + 1; j < N; ++j) acc += AP[RS(j) + i] * x[j];\n        y[i] = acc;\n    }\n";
        else if (form == 0)
            b += "    for (int i0 = 0; i0 < N; i0 += RB) {\n        float acc[RB];\n"
                 "        for (int t = 0; t < RB; ++t) acc[t] = 0.0f;\n"
                 "        /* the block's rows left of it, interleaved */\n" +
                 u("        ") +
                 "        for (int j = 0; j < i0; ++j)\n            #pragma GCC unroll 8\n"
                 "            for (int t = 0; t < RB; ++t) acc[t] += AP[RS(i0 + t) + j] * x[j];\n"
                 "        /* the diagonal block */\n        for (int t = 0; t < RB; ++t) {\n"
                 "            const int i = i0 + t;\n"
                 "            for (int j = i0; j <= i; ++j) acc[t] += AP[RS(i) + j] * x[j];\n"
                 "            for (int j = i + 1; j < i0 + RB; ++j) acc[t] += AP[RS(j) + i] * x[j];\n        }\n"
                 "        /* the columns below it: a run of RB in each lower row */\n" +
                 u("        ") +
                 "        for (int j = i0 + RB; j < N; ++j) {\n            const float *restrict c = AP + RS(j) + i0;\n"
                 "            const float xj = x[j];\n            #pragma GCC unroll 8\n"
                 "            for (int t = 0; t < RB; ++t) acc[t] += c[t] * xj;\n        }\n"
                 "        for (int t = 0; t < RB; ++t) y[i0 + t] = acc[t];\n    }\n";
        else if (form <= 2 && rb == 1) {
            b += "    for (int i = 0; i < N; ++i) {\n        const float *restrict a = AP + RS(i);\n"
                 "        const float xi = x[i];\n        float acc = 0.0f;\n";
            if (form == 1)
                b += u("        ") + "        for (int j = 0; j < i; ++j) {\n            acc += a[j] * x[j];\n"
                                     "            y[j] += a[j] * xi;\n        }\n";
            else
                b += u("        ") + "        for (int j = 0; j < i; ++j) acc += a[j] * x[j];\n" + u("        ") +
                     "        for (int j = 0; j < i; ++j) y[j] += a[j] * xi;\n";
            b += "        y[i] = acc + a[i] * xi;\n    }\n";
        } else if (form <= 2) {
            b += "    for (int i0 = 0; i0 < N; i0 += RB) {\n        float acc[RB], xi[RB];\n"
                 "        for (int t = 0; t < RB; ++t) {\n            acc[t] = 0.0f;\n            xi[t] = x[i0 + t];\n"
                 "        }\n";
            if (form == 1)
                b += "        /* the block's rows left of it: their dot products and their terms of each earlier y "
                     "*/\n" +
                     u("        ") +
                     "        for (int j = 0; j < i0; ++j) {\n            const float xj = x[j];\n"
                     "            float yj = y[j];\n            #pragma GCC unroll 8\n"
                     "            for (int t = 0; t < RB; ++t) {\n                const float a = AP[RS(i0 + t) + j];\n"
                     "                acc[t] += a * xj;\n                yj += a * xi[t];\n            }\n"
                     "            y[j] = yj;\n        }\n";
            else
                b += "        /* the block's rows left of it: their dot products, then their terms of each earlier y "
                     "*/\n" +
                     u("        ") +
                     "        for (int j = 0; j < i0; ++j) {\n            const float xj = x[j];\n"
                     "            #pragma GCC unroll 8\n"
                     "            for (int t = 0; t < RB; ++t) acc[t] += AP[RS(i0 + t) + j] * xj;\n        }\n" +
                     u("        ") +
                     "        for (int j = 0; j < i0; ++j) {\n            float yj = y[j];\n"
                     "            #pragma GCC unroll 8\n"
                     "            for (int t = 0; t < RB; ++t) yj += AP[RS(i0 + t) + j] * xi[t];\n"
                     "            y[j] = yj;\n        }\n";
            b += "        /* the diagonal block, row by row */\n        for (int t = 0; t < RB; ++t) {\n"
                 "            const int i = i0 + t;\n            const float *restrict a = AP + RS(i);\n"
                 "            float s = acc[t];\n            for (int j = i0; j < i; ++j) {\n"
                 "                s += a[j] * x[j];\n                y[j] += a[j] * xi[t];\n            }\n"
                 "            y[i] = s + a[i] * xi[t];\n        }\n    }\n";
        } else if (rb == 1)
            b += "    float row[N];\n    for (int i = 0; i < N; ++i) {\n        const float *restrict a = AP + "
                 "RS(i);\n" +
                 u("        ") + "        for (int j = 0; j <= i; ++j) row[j] = a[j];\n" + u("        ") +
                 "        for (int j = i + 1; j < N; ++j) row[j] = AP[RS(j) + i];\n        float acc = 0.0f;\n" +
                 u("        ") +
                 "        for (int j = 0; j < N; ++j) acc += row[j] * x[j];\n        y[i] = acc;\n    }\n";
        else
            b += "    float P[N * RB];\n    for (int i0 = 0; i0 < N; i0 += RB) {\n"
                 "        /* the panel, column-major: P[j * RB + t] = A[i0 + t][j] */\n" +
                 u("        ") +
                 "        for (int j = 0; j < i0; ++j)\n            #pragma GCC unroll 8\n"
                 "            for (int t = 0; t < RB; ++t) P[j * RB + t] = AP[RS(i0 + t) + j];\n"
                 "        for (int j = i0; j < i0 + RB; ++j)\n            for (int t = 0; t < RB; ++t)\n"
                 "                P[j * RB + t] = j <= i0 + t ? AP[RS(i0 + t) + j] : AP[RS(j) + i0 + t];\n" +
                 u("        ") +
                 "        for (int j = i0 + RB; j < N; ++j)\n            #pragma GCC unroll 8\n"
                 "            for (int t = 0; t < RB; ++t) P[j * RB + t] = AP[RS(j) + i0 + t];\n"
                 "        float acc[RB];\n        for (int t = 0; t < RB; ++t) acc[t] = 0.0f;\n" +
                 u("        ") +
                 "        for (int j = 0; j < N; ++j) {\n            const float xj = x[j];\n"
                 "            #pragma GCC unroll 8\n"
                 "            for (int t = 0; t < RB; ++t) acc[t] += P[j * RB + t] * xj;\n        }\n"
                 "        for (int t = 0; t < RB; ++t) y[i0 + t] = acc[t];\n    }\n";
        return kernel(d, "const float *restrict AP, const float *restrict x, float *restrict y", b);
    });
}

/// Porter-Duff "over" of a straight-alpha RGBA8 foreground onto a premultiplied RGBA8 background,
/// the result premultiplied (UI and video compositing, sprite and subtitle overlays): H x W pixels
/// of 4 bytes (i8 buffers read as unsigned char). The foreground pixel's alpha is derived in the
/// kernel from its filled bytes, the same expression in every variant, a = clamp(2 A + R - 255, 0,
/// 255) (about a quarter of the pixels transparent, a quarter opaque, every value in between
/// taken), and each channel c is out_c = div255(F_c a + G_c (255 - a)), with F = (R, G, B, 255) and
/// div255(x) = (x + 127) / 255 rounded down (x <= 65025). Knobs: the arithmetic (per channel, by
/// an integer division by 255; per channel, by the multiply-free identity t = x + 128, (t + (t >>
/// 8)) >> 8, exact over 0 .. 65025 (checked exhaustively); per channel, from a 65026-entry table of
/// div255 the kernel builds; two channels at once in a 32-bit word, R and B then G and A in 16-bit
/// lanes (0x00ff00ff masks), the identity applied lane-wise (no lane exceeds 65407: no carries); or
/// all four channels in a 64-bit word's 16-bit lanes); the fast path (branch-free, every pixel
/// blended; or branches for a == 0, the background pixel copied, and a == 255, the foreground's
/// with alpha 255: what the formula gives there, as div255(255 v) = v); unrolling of the pixel
/// loop; vectorisation (not with the branches' fast path beyond -O2's). Integers: bit-identical.
std::vector<Variant> alpha_blend_rgba(const Workload& w) {
    const std::vector<Knob> knobs{
        {"arith", "a", {0, 1, 2, 3, 4}}, {"fast", "f", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int arith = k.at("arith"), unroll = k.at("unroll");
        const bool fast = k.at("fast") == 1;
        if (fast && k.at("vec") == 1) return std::nullopt; // branches: only -O3's if-conversion may differ
        std::string d = dim_defines(w) +
                        "/* the foreground's alpha from its A and R bytes: a quarter 0, a quarter 255 */\n"
                        "static inline unsigned alpha(unsigned fa, unsigned fr) {\n"
                        "    const int v = 2 * (int)fa + (int)fr - 255;\n"
                        "    return (unsigned)(v < 0 ? 0 : v > 255 ? 255 : v);\n}\n";
        if (arith == 0) d += "#define DIV255(x) (((x) + 127u) / 255u)\n";
        else if (arith == 2) d += "#define DIV255(x) ((unsigned)q[x])\n";
        else
            d += "static inline unsigned div255(unsigned x) {\n    const unsigned t = x + 128u;\n"
                 "    return (t + (t >> 8)) >> 8;\n}\n#define DIV255(x) div255(x)\n";
        std::string b;
        if (arith == 2)
            b += "    unsigned char q[255 * 255 + 1];\n"
                 "    for (unsigned x = 0; x <= 255u * 255u; ++x) q[x] = (unsigned char)((x + 127u) / 255u);\n";
        b += unroll_pragma(unroll, "    ") + "    for (int p = 0; p < H * W; ++p) {\n";
        const std::string in = "        ";
        std::string blend; // the pixel p from fg f, bg g, alpha a, into o
        if (arith <= 2)
            blend = in + "const unsigned na = 255u - a;\n" + in +
                    "o[0] = (unsigned char)DIV255(f[0] * a + g[0] * na);\n" + in +
                    "o[1] = (unsigned char)DIV255(f[1] * a + g[1] * na);\n" + in +
                    "o[2] = (unsigned char)DIV255(f[2] * a + g[2] * na);\n" + in +
                    "o[3] = (unsigned char)DIV255(255u * a + g[3] * na);\n";
        else if (arith == 3)
            blend = in + "const unsigned na = 255u - a, fw = fp | 0xff000000u;\n" + in +
                    "unsigned rb = (fw & 0x00ff00ffu) * a + (gp & 0x00ff00ffu) * na + 0x00800080u;\n" + in +
                    "unsigned ga = (fw >> 8 & 0x00ff00ffu) * a + (gp >> 8 & 0x00ff00ffu) * na + 0x00800080u;\n" + in +
                    "rb = (rb + (rb >> 8 & 0x00ff00ffu)) >> 8 & 0x00ff00ffu;\n" + in +
                    "ga = (ga + (ga >> 8 & 0x00ff00ffu)) >> 8 & 0x00ff00ffu;\n" + in + "op = rb | ga << 8;\n";
        else
            blend = in + "const unsigned long long na = 255u - a;\n" + in +
                    "unsigned long long fx = fp | 0xff000000u, gx = gp;\n" + in +
                    "fx = (fx | fx << 16) & 0x0000ffff0000ffffull;\n" + in +
                    "fx = (fx | fx << 8) & 0x00ff00ff00ff00ffull;\n" + in +
                    "gx = (gx | gx << 16) & 0x0000ffff0000ffffull;\n" + in +
                    "gx = (gx | gx << 8) & 0x00ff00ff00ff00ffull;\n" + in +
                    "unsigned long long v = fx * a + gx * na + 0x0080008000800080ull;\n" + in +
                    "v = (v + (v >> 8 & 0x00ff00ff00ff00ffull)) >> 8 & 0x00ff00ff00ff00ffull;\n" + in +
                    "v = (v | v >> 8) & 0x0000ffff0000ffffull;\n" + in + "op = (unsigned)(v | v >> 16);\n";
        const bool word = arith >= 3;
        if (word)
            b += in + "unsigned fp, gp, op;\n" + in + "__builtin_memcpy(&fp, F + 4 * p, 4);\n" + in +
                 "__builtin_memcpy(&gp, G + 4 * p, 4);\n" + in + "const unsigned a = alpha(fp >> 24, fp & 255u);\n";
        else
            b += in + "const unsigned char *restrict f = F + 4 * p, *restrict g = G + 4 * p;\n" + in +
                 "unsigned char *restrict o = O + 4 * p;\n" + in + "const unsigned a = alpha(f[3], f[0]);\n";
        const std::string store = word ? in + "__builtin_memcpy(O + 4 * p, &op, 4);\n" : "";
        if (fast) {
            if (word)
                b += in + "if (a == 0) op = gp;\n" + in + "else if (a == 255) op = fp | 0xff000000u;\n" + in +
                     "else {\n";
            else
                b += in + "if (a == 0) {\n" + in + "    o[0] = g[0];\n" + in + "    o[1] = g[1];\n" + in +
                     "    o[2] = g[2];\n" + in + "    o[3] = g[3];\n" + in + "} else if (a == 255) {\n" + in +
                     "    o[0] = f[0];\n" + in + "    o[1] = f[1];\n" + in + "    o[2] = f[2];\n" + in +
                     "    o[3] = 255;\n" + in + "} else {\n";
            // the blend, one level deeper
            std::string deeper;
            std::size_t pos = 0;
            while (pos < blend.size()) {
                const std::size_t nl = blend.find('\n', pos);
                deeper += "    " + blend.substr(pos, nl + 1 - pos);
                pos = nl + 1;
            }
            b += deeper + in + "}\n" + store;
        } else b += blend + store;
        b += "    }\n";
        return kernel(d, "const unsigned char *restrict F, const unsigned char *restrict G, unsigned char *restrict O",
                      b);
    });
}

/// The integer FFT-bin edges of M triangular mel filters over NB power bins (n_fft = 2 (NB - 1) at
/// 16 kHz, 0 .. 8 kHz, HTK mel scale): M + 2 points evenly spaced in mel, each floored to its bin
/// floor((n_fft + 1) hz / sr) and pushed one bin past its predecessor where the low filters would
/// collapse. Computed here once per workload and written into the kernel as a constant table, so
/// every variant (and no libm call) sees the same edges.
std::vector<int> mel_bin_edges(int M, int NB) {
    const double sr = 16000, nfft = 2.0 * (NB - 1), mel_max = 2595.0 * std::log10(1.0 + sr / 2 / 700.0);
    std::vector<int> e(static_cast<std::size_t>(M) + 2);
    for (int i = 0; i < M + 2; ++i) {
        const double hz = 700.0 * (std::pow(10.0, mel_max * i / (M + 1) / 2595.0) - 1.0);
        int b = static_cast<int>(std::floor((nfft + 1) * hz / sr + 1e-9));
        if (i > 0 && b <= e[i - 1]) b = e[i - 1] + 1;
        e[i] = b;
    }
    if (e.back() > NB - 1) fail(ErrorKind::invalid_argument, "mel_filterbank: {} filters do not fit {} bins", M, NB);
    return e;
}

/// Mel filterbank applied to power spectra (torchaudio.transforms.MelScale, the last step of
/// librosa.feature.melspectrogram; Whisper's and every ASR front end's log-mel input before the
/// log): F frames of NB complex bins (re, im), the power re*re + im*im per bin, and per frame M mel
/// energies, O[f][m] = the sum over bins k ascending of w_m(k) p[f][k]. The triangles are built in
/// the kernel from a constant table of M + 2 integer bin edges E (mel_bin_edges: HTK mel, 16 kHz,
/// norm=None), filter m rising over E[m] < k <= E[m+1] as (k - E[m]) / (E[m+1] - E[m]) and falling
/// over E[m+1] < k < E[m+2] as (E[m+2] - k) / (E[m+2] - E[m+1]), the same float expression (melw)
/// in every variant. Knobs: the form (a dense M x NB weight matrix, each output a dot product over
/// all NB bins, mostly zeros, torchaudio's matmul; the dense matrix transposed, NB x M, each frame's
/// outputs updated by an axpy per bin, vectorisable over the filters; sparse, each filter's start,
/// length and packed weights; or a per-bin scatter into its two neighbouring filters, the bin's
/// rising filter and falling filter, into a row of M + 2 accumulators with a dummy at each end),
/// the loop order (frames outer; the filters (bins, for the axpy and scatter forms) outer over all
/// frames; or that order within blocks of FB frames, the block's power in cache), the power (into a
/// scratch first, a frame's row, all frames or the block's; or recomputed at every use: only for
/// the sparse and scatter forms, which use a bin twice, and not blocked), the weights (built per
/// call into a scratch; or recomputed inline from the edges at every use: not for the dense forms),
/// vectorisation. Every output adds its terms bins ascending from 0.0f, and the dense forms' extra
/// terms are w = 0 times a power >= 0, +0, which leaves a sum unchanged: bit-identical.
std::vector<Variant> mel_filterbank(const Workload& w) {
    const int F = w.dim("F"), M = w.dim("M"), NB = w.dim("NB"), FB = 8;
    if (F % FB != 0) fail(ErrorKind::invalid_argument, "mel_filterbank: F must be a multiple of {}", FB);
    const auto edges = mel_bin_edges(M, NB);
    const std::vector<Knob> knobs{{"form", "f", {0, 1, 2, 3}},
                                  {"order", "o", {0, 1, 2}},
                                  {"power", "p", {0, 1}},
                                  {"wts", "w", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), order = k.at("order");
        const bool inline_power = k.at("power") == 1, inline_wts = k.at("wts") == 1;
        if (form <= 1 && (inline_power || inline_wts)) return std::nullopt; // M times the work per bin
        if (order == 2 && inline_power) return std::nullopt;                // blocks keep the power in cache
        std::string d =
            dim_defines(w, {{"FB", FB}}) +
            fmt::format("static const int E[M + 2] = {{{}}};\n", fmt::join(edges, ", ")) +
            "/* the weight of bin k in the triangle (lo, c, hi), lo < k < hi */\n"
            "static inline float melw(int k, int lo, int c, int hi) {\n"
            "    return k <= c ? (float)(k - lo) / (float)(c - lo) : (float)(hi - k) / (float)(hi - c);\n"
            "}\n"
            "#define PW(f, k) (re[(f) * NB + (k)] * re[(f) * NB + (k)] + im[(f) * NB + (k)] * im[(f) * NB + "
            "(k)])\n";
        // PV(f, k): the power of frame f, bin k, from the scratch of this order or recomputed.
        if (inline_power) d += "#define PV(f, k) PW(f, k)\n";
        else if (order == 0) d += "#define PV(f, k) pr[k]\n";
        else if (order == 1) d += "#define PV(f, k) P[(f) * NB + (k)]\n";
        else d += "#define PV(f, k) P[((f) - f0) * NB + (k)]\n";
        std::string b;
        // The weights' scratch.
        if (form == 0)
            b += "    float Wm[M * NB];\n    for (int m = 0; m < M; ++m)\n        for (int k = 0; k < NB; ++k)\n"
                 "            Wm[m * NB + k] = k > E[m] && k < E[m + 2] ? melw(k, E[m], E[m + 1], E[m + 2]) : 0.0f;\n";
        else if (form == 1)
            b += "    float Wt[NB * M];\n    for (int k = 0; k < NB; ++k)\n        for (int m = 0; m < M; ++m)\n"
                 "            Wt[k * M + m] = k > E[m] && k < E[m + 2] ? melw(k, E[m], E[m + 1], E[m + 2]) : 0.0f;\n";
        else if (form == 2 && !inline_wts)
            b += "    float SW[2 * NB];\n    int off[M + 1];\n    off[0] = 0;\n    for (int m = 0; m < M; ++m) {\n"
                 "        for (int k = E[m] + 1; k < E[m + 2]; ++k)\n"
                 "            SW[off[m] + k - E[m] - 1] = melw(k, E[m], E[m + 1], E[m + 2]);\n"
                 "        off[m + 1] = off[m] + E[m + 2] - E[m] - 1;\n    }\n";
        // The scatter's bin k: its rising filter j (E[j] < k <= E[j+1], clamped to 0 .. M) with weight
        // wr, its falling filter j - 1 with weight wf (0 where a filter is missing).
        const std::string scat_j = "while (j < M && E[j + 1] < k) ++j;\n";
        const std::string scat_wr = "j < M && k > E[j] ? melw(k, E[j], E[j + 1], E[j + 2]) : 0.0f";
        const std::string scat_wf = "j > 0 && k > E[j] && k < E[j + 1] ? melw(k, E[j - 1], E[j], E[j + 1]) : 0.0f";
        if (form == 3 && !inline_wts)
            b += "    int J[NB];\n    float WR[NB], WF[NB];\n    {\n        int j = 0;\n"
                 "        for (int k = 0; k < NB; ++k) {\n            " +
                 scat_j + "            J[k] = j;\n            WR[k] = " + scat_wr +
                 ";\n            WF[k] = " + scat_wf + ";\n        }\n    }\n";
        // The power scratch and the frame loops of the order.
        std::string in = "    ";
        if (order == 0) {
            b += "    for (int f = 0; f < F; ++f) {\n";
            if (!inline_power) b += "        float pr[NB];\n        for (int k = 0; k < NB; ++k) pr[k] = PW(f, k);\n";
            in = "        ";
        } else if (order == 1) {
            if (!inline_power)
                b += "    float P[F * NB];\n    for (int f = 0; f < F; ++f)\n        for (int k = 0; k < NB; ++k) P[f "
                     "* NB "
                     "+ k] = PW(f, k);\n";
            b += "    const int f0 = 0, f1 = F;\n";
        } else {
            b += "    float P[FB * NB];\n    for (int f0 = 0; f0 < F; f0 += FB) {\n        const int f1 = f0 + FB;\n"
                 "        for (int f = f0; f < f1; ++f)\n            for (int k = 0; k < NB; ++k) P[(f - f0) * NB + k] "
                 "= "
                 "PW(f, k);\n";
            in = "        ";
        }
        // The frame range of one pass: frame f alone (frames outer), or f0 .. f1.
        const std::string floop = order == 0 ? "" : "for (int f = f0; f < f1; ++f)";
        if (form == 0 || form == 2) {
            // Filters: each output its own sum.
            std::string sum;
            if (form == 0) sum = "for (int k = 0; k < NB; ++k) s += Wm[m * NB + k] * PV(f, k);";
            else if (!inline_wts)
                sum = "for (int k = E[m] + 1; k < E[m + 2]; ++k) s += SW[off[m] + k - E[m] - 1] * PV(f, k);";
            else sum = "for (int k = E[m] + 1; k < E[m + 2]; ++k) s += melw(k, E[m], E[m + 1], E[m + 2]) * PV(f, k);";
            const std::string body = "{\n" + in + "        float s = 0.0f;\n" + in + "        " + sum + "\n" + in +
                                     "        O[f * M + m] = s;\n" + in + "    }\n";
            if (order == 0) b += in + "for (int m = 0; m < M; ++m) " + body;
            else b += in + "for (int m = 0; m < M; ++m)\n" + in + "    " + floop + " " + body;
        } else if (form == 1) {
            // Axpy: the frame's outputs zeroed, then each bin's column of weights times its power.
            const std::string upd = "{\n" + in + "        const float pk = PV(f, k);\n" + in +
                                    "        for (int m = 0; m < M; ++m) O[f * M + m] += Wt[k * M + m] * pk;\n" + in +
                                    "    }\n";
            if (order == 0) {
                b += in + "for (int m = 0; m < M; ++m) O[f * M + m] = 0.0f;\n";
                b += in + "for (int k = 0; k < NB; ++k) " + upd;
            } else {
                b += in + "for (int f = f0; f < f1; ++f)\n" + in +
                     "    for (int m = 0; m < M; ++m) O[f * M + m] = 0.0f;\n";
                b += in + "for (int k = 0; k < NB; ++k)\n" + in + "    " + floop + " " + upd;
            }
        } else {
            // Scatter: accumulator rows of M + 2 (filter m at m + 1), then the filters copied out.
            const std::string rows = order == 0 ? "1" : order == 1 ? "F" : "FB";
            const std::string arow = order == 0 ? "0" : order == 1 ? "f" : "(f - f0)";
            b += in + "float A[" + rows + " * (M + 2)];\n" + in + "for (int i = 0; i < " + rows +
                 " * (M + 2); ++i) A[i] = 0.0f;\n";
            std::string jw, vote;
            if (inline_wts) {
                jw = in + "    " + scat_j + in + "    const float wr = " + scat_wr + ";\n" + in +
                     "    const float wf = " + scat_wf + ";\n";
                vote = "A[" + arow + " * (M + 2) + j + 1] += wr * p;\n" + in + "        A[" + arow +
                       " * (M + 2) + j] += wf * p;\n";
            } else
                vote = "A[" + arow + " * (M + 2) + J[k] + 1] += WR[k] * p;\n" + in + "        A[" + arow +
                       " * (M + 2) + J[k]] += WF[k] * p;\n";
            if (inline_wts) b += in + "int j = 0;\n";
            b += in + "for (int k = 0; k < NB; ++k) {\n" + jw;
            if (order == 0) b += in + "    {\n";
            else b += in + "    " + floop + " {\n";
            b += in + "        const float p = PV(f, k);\n" + in + "        " + vote + in + "    }\n" + in + "}\n";
            if (order == 0) b += in + "for (int m = 0; m < M; ++m) O[f * M + m] = A[m + 1];\n";
            else
                b += in + "for (int f = f0; f < f1; ++f)\n" + in + "    for (int m = 0; m < M; ++m) O[f * M + m] = A[" +
                     arow + " * (M + 2) + m + 1];\n";
        }
        if (order != 1) b += "    }\n";
        return kernel(d, "const float *restrict re, const float *restrict im, float *restrict O", b);
    });
}

/// The gradient of a 2x bilinear upsample (align_corners=false) with respect to its input (torch's
/// upsample_bilinear2d_backward; every segmentation and decoder network's backward pass), NHWC: dY
/// is 2H x 2W x C, dX H x W x C. The forward's 1-D taps: output row 2i reads rows i - 1 and i with
/// weights 1/4 and 3/4, row 2i + 1 rows i and i + 1 with 3/4 and 1/4, the source clamped at the
/// borders (row 0 reads row 0 alone, weight 1; row 2H - 1 row H - 1 alone, its two clamped taps'
/// weights merged), the same for columns. dX[iy][ix][c] = the sum over dY pixels (oy, ox) in raster
/// order of (wy wx) dY[oy][ox][c], wy wx an exact product; every variant adds each dX element's
/// terms in that canonical order, from 0.0f. Knobs: the form (scatter: each dY pixel adds its 2 x 2
/// taps into dX, in raster order, so each dX element receives its terms in raster order; or gather:
/// each dX pixel sums its 4 x 4 dY neighbourhood, 3 x 4, 4 x 3 or 3 x 3 at the borders, rows then
/// columns ascending: the same sequence), the channel loop (innermost, a pixel's C channels
/// contiguous, vectorisable; or outermost, a plane per channel strided by C), the borders (clamped:
/// every pixel through the generic taps, indices clamped and the clamped taps' weights 0, whose
/// terms +-0 change no sum; or split: the interior with the constant weights and the generic taps
/// only for the border rows and columns, the scatter peeling each row's first and last pixel so that
/// its raster order is kept), unrolling of the innermost loop, vectorisation. Bit-identical.
std::vector<Variant> upsample_bilinear_backward(const Workload& w) {
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1}}, {"chan", "c", {0, 1}}, {"border", "b", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), unroll = k.at("unroll");
        const bool chan_outer = k.at("chan") == 1, split = k.at("border") == 1;
        std::string d = dim_defines(w, {{"OH", 2 * w.dim("H")}, {"OW", 2 * w.dim("W")}}) +
                        "#define DY(y, x, c) dY[((y) * OW + (x)) * C + (c)]\n"
                        "#define DX(y, x, c) dX[((y) * W + (x)) * C + (c)]\n";
        std::string b;
        // The loops over a pixel set with the channel loop innermost or outermost: `pix` are the
        // pixel loop headers (each ending in a newline), `stmt` the per-channel statement(s) using c.
        const std::string ind = "    ";
        if (form == 0) {
            // Scatter. The generic taps of output row/column o of n inputs: i0, i1 and weights w0, w1.
            d += "#define TAPS(o, n, i0, w0, i1, w1) \\\n"
                 "    const int i0 = (o) & 1 ? (o) >> 1 : ((o) >> 1) - 1 < 0 ? 0 : ((o) >> 1) - 1; \\\n"
                 "    const int i1 = (o) & 1 ? ((o) >> 1) + 1 > (n) - 1 ? (n) - 1 : ((o) >> 1) + 1 : (o) >> 1; \\\n"
                 "    const float w0 = (o) & 1 ? ((o) >> 1) < (n) - 1 ? 0.75f : 1.0f : (o) >> 1 ? 0.25f : 0.0f; \\\n"
                 "    const float w1 = (o) & 1 ? ((o) >> 1) < (n) - 1 ? 0.25f : 0.0f : (o) >> 1 ? 0.75f : 1.0f;\n";
            b += "    int sx0[OW], sx1[OW];\n    float su0[OW], su1[OW];\n    for (int ox = 0; ox < OW; ++ox) {\n"
                 "        TAPS(ox, W, x0, u0, x1, u1)\n        sx0[ox] = x0;\n        sx1[ox] = x1;\n"
                 "        su0[ox] = u0;\n        su1[ox] = u1;\n    }\n"
                 "    for (int i = 0; i < H * W * C; ++i) dX[i] = 0.0f;\n";
            // The generic scatter of dY pixel (oy, ox), channel(s) c.
            const auto generic = [&](const std::string& in, const std::string& cl) {
                return in + "{\n" + in + "    const int x0 = sx0[ox], x1 = sx1[ox];\n" + in +
                       "    const float a00 = v0 * su0[ox], a01 = v0 * su1[ox], a10 = v1 * su0[ox], a11 = v1 * "
                       "su1[ox];\n" +
                       (cl.empty() ? "" : unroll_pragma(unroll, in + "    ") + in + "    " + cl + "\n") + in +
                       "    {\n" + in + "        const float g = DY(oy, ox, c);\n" + in +
                       "        DX(y0, x0, c) += a00 * g;\n" + in + "        DX(y0, x1, c) += a01 * g;\n" + in +
                       "        DX(y1, x0, c) += a10 * g;\n" + in + "        DX(y1, x1, c) += a11 * g;\n" + in +
                       "    }\n" + in + "}\n";
            };
            const std::string cl = chan_outer ? "" : "for (int c = 0; c < C; ++c)";
            std::string in = ind;
            if (chan_outer) {
                b += "    for (int c = 0; c < C; ++c)\n";
                in += "    ";
            }
            b += in + "for (int oy = 0; oy < OH; ++oy) {\n" + in + "    TAPS(oy, H, y0, v0, y1, v1)\n";
            const std::string in2 = in + "    ";
            if (!split) {
                b += (chan_outer ? unroll_pragma(unroll, in2) : "") + in2 + "for (int ox = 0; ox < OW; ++ox)\n" +
                     generic(in2 + "    ", cl);
            } else {
                // Border rows generic; other rows: the first and last pixel generic, the interior's
                // taps by the column's parity with constant weights.
                b += in2 + "if (oy == 0 || oy == OH - 1) {\n" + in2 + "    for (int ox = 0; ox < OW; ++ox)\n" +
                     generic(in2 + "        ", cl) + in2 + "} else {\n";
                const std::string in3 = in2 + "    ";
                b += in3 + "{\n" + in3 + "    const int ox = 0;\n" + generic(in3 + "    ", cl) + in3 + "}\n";
                // Interior column pairs: ox = 2i - 1 (odd; taps i - 1 (3/4), i (1/4)) then 2i (i - 1 (1/4), i (3/4)).
                const std::string stmt = [&] {
                    std::string s;
                    s += in3 + "        {\n" + in3 + "            const float g = DY(oy, 2 * i - 1, c);\n" + in3 +
                         "            DX(y0, i - 1, c) += v0 * 0.75f * g;\n" + in3 +
                         "            DX(y0, i, c) += v0 * 0.25f * g;\n" + in3 +
                         "            DX(y1, i - 1, c) += v1 * 0.75f * g;\n" + in3 +
                         "            DX(y1, i, c) += v1 * 0.25f * g;\n" + in3 + "        }\n";
                    s += in3 + "        {\n" + in3 + "            const float h = DY(oy, 2 * i, c);\n" + in3 +
                         "            DX(y0, i - 1, c) += v0 * 0.25f * h;\n" + in3 +
                         "            DX(y0, i, c) += v0 * 0.75f * h;\n" + in3 +
                         "            DX(y1, i - 1, c) += v1 * 0.25f * h;\n" + in3 +
                         "            DX(y1, i, c) += v1 * 0.75f * h;\n" + in3 + "        }\n";
                    return s;
                }();
                if (chan_outer)
                    b += unroll_pragma(unroll, in3) + in3 + "for (int i = 1; i < W; ++i) {\n" + stmt + in3 + "}\n";
                else
                    b += in3 + "for (int i = 1; i < W; ++i) {\n" + unroll_pragma(unroll, in3 + "    ") + in3 +
                         "    for (int c = 0; c < C; ++c) {\n" + stmt + in3 + "    }\n" + in3 + "}\n";
                b += in3 + "{\n" + in3 + "    const int ox = OW - 1;\n" + generic(in3 + "    ", cl) + in3 + "}\n";
                b += in2 + "}\n";
            }
            b += in + "}\n";
        } else {
            // Gather. The generic rows/columns of input index i of n: o = 2i - 1 + r clamped, weight gw.
            d += "#define GO(i, r, n) (2 * (i) - 1 + (r) < 0 ? 0 : 2 * (i) - 1 + (r) > 2 * (n) - 1 ? 2 * (n) - 1 : 2 * "
                 "(i) - 1 + (r))\n"
                 "#define GW(i, r, n) ((r) == 0 ? ((i) > 0 ? 0.25f : 0.0f) : (r) == 1 ? ((i) > 0 ? 0.75f : 1.0f) : \\\n"
                 "    (r) == 2 ? ((i) < (n) - 1 ? 0.75f : 1.0f) : ((i) < (n) - 1 ? 0.25f : 0.0f))\n";
            // Generic: 16 taps in raster order (clamped taps weigh 0: +-0 terms).
            const auto generic = [&](const std::string& in, const std::string& cl) {
                std::string s = in + "{\n" + in + "    const int *oy = gyo[iy], *ox = gxo[ix];\n" + in +
                                "    const float *wy = gyw[iy], *wx = gxw[ix];\n";
                s += (cl.empty() ? "" : unroll_pragma(unroll, in + "    ") + in + "    " + cl + "\n") + in + "    {\n" +
                     in + "        float s = 0.0f;\n" + in + "        for (int r = 0; r < 4; ++r)\n" + in +
                     "            for (int q = 0; q < 4; ++q) s += wy[r] * wx[q] * DY(oy[r], ox[q], c);\n" + in +
                     "        DX(iy, ix, c) = s;\n" + in + "    }\n" + in + "}\n";
                return s;
            };
            b += "    int gyo[H][4], gxo[W][4];\n    float gyw[H][4], gxw[W][4];\n"
                 "    for (int i = 0; i < H; ++i)\n        for (int r = 0; r < 4; ++r) {\n"
                 "            gyo[i][r] = GO(i, r, H);\n            gyw[i][r] = GW(i, r, H);\n        }\n"
                 "    for (int i = 0; i < W; ++i)\n        for (int r = 0; r < 4; ++r) {\n"
                 "            gxo[i][r] = GO(i, r, W);\n            gxw[i][r] = GW(i, r, W);\n        }\n";
            const std::string cl = chan_outer ? "" : "for (int c = 0; c < C; ++c)";
            std::string in = ind;
            if (chan_outer) {
                b += "    for (int c = 0; c < C; ++c)\n";
                in += "    ";
            }
            if (!split) {
                b += in + "for (int iy = 0; iy < H; ++iy)\n" + (chan_outer ? unroll_pragma(unroll, in + "    ") : "") +
                     in + "    for (int ix = 0; ix < W; ++ix)\n" + generic(in + "        ", cl);
            } else {
                // Border rows and columns generic; the interior's 4 x 4 with constant weights.
                const std::string in2 = in + "    ";
                b += in + "for (int iy = 0; iy < H; ++iy) {\n" + in2 + "if (iy == 0 || iy == H - 1) {\n" + in2 +
                     "    for (int ix = 0; ix < W; ++ix)\n" + generic(in2 + "        ", cl) + in2 + "    continue;\n" +
                     in2 + "}\n" + in2 + "{\n" + in2 + "    const int ix = 0;\n" + generic(in2 + "    ", cl) + in2 +
                     "}\n";
                std::string stmt = in2 + "        {\n" + in2 + "            float s = 0.0f;\n";
                const char* wt[4] = {"0.25f", "0.75f", "0.75f", "0.25f"};
                for (int r = 0; r < 4; ++r)
                    for (int q = 0; q < 4; ++q)
                        stmt += fmt::format("{}            s += {} * {} * DY(2 * iy - 1 + {}, 2 * ix - 1 + {}, c);\n",
                                            in2, wt[r], wt[q], r, q);
                stmt += in2 + "            DX(iy, ix, c) = s;\n" + in2 + "        }\n";
                if (chan_outer) b += unroll_pragma(unroll, in2) + in2 + "for (int ix = 1; ix < W - 1; ++ix)\n" + stmt;
                else
                    b += in2 + "for (int ix = 1; ix < W - 1; ++ix) {\n" + unroll_pragma(unroll, in2 + "    ") + in2 +
                         "    for (int c = 0; c < C; ++c)\n" + stmt + in2 + "}\n";
                b += in2 + "{\n" + in2 + "    const int ix = W - 1;\n" + generic(in2 + "    ", cl) + in2 + "}\n" + in +
                     "}\n";
            }
        }
        return kernel(d, "const float *restrict dY, float *restrict dX", b);
    });
}

/// The largest |rho| of the Hough accumulator of an H x W image, plus one: D = ceil(sqrt((H-1)^2 +
/// (W-1)^2)) + 1, rho bins -D .. D.
int hough_rho_max(const Workload& w) {
    const double h = w.dim("H") - 1, wd = w.dim("W") - 1;
    return static_cast<int>(std::ceil(std::sqrt(h * h + wd * wd))) + 1;
}

/// Hough line transform (cv2.HoughLines' accumulator, skimage.transform.hough_line; lane detection):
/// the edge pixels of an H x W float image are those above 0.9 (about 5 %), and each votes, for
/// every one of T angles t pi / T, for the bin rho = round(x cos + y sin) + D of an i32 accumulator
/// T x (2D + 1) (hough_rho_max). cos and sin are built in the kernel by a fixed Taylor polynomial in
/// double, identical in every variant, and quantised to 12 fractional bits (Ci, Si), so that rho is
/// the integer (x Ci + y Si + 2048) >> 12 (H, W <= 256). Knobs: the loop order (pixels outer, each
/// edge pixel voting for every angle; or angles outer, every edge pixel voting for one angle, which
/// needs the edge list), the edges (tested inline while scanning the image; or compacted first into
/// a list of coordinates), tiles of TT angles (pixels outer only: the image or the list scanned
/// once per tile, the tile's accumulator rows in cache), rho (fixed-point integers; or floats, the
/// quantised cos and sin as floats times x and y plus D + 1/2, truncated: every product and sum exact
/// in 22 bits, the same bin), the accumulator (theta-major, the output itself; or a rho-major
/// scratch, neighbouring angles' votes near each other, transposed into the output at the end),
/// vectorisation. The kernel zeroes its accumulator. Integer counts: bit-identical.
std::vector<Variant> hough_lines(const Workload& w) {
    const int T = w.dim("T"), D = hough_rho_max(w);
    if (w.dim("H") > 256 || w.dim("W") > 256)
        fail(ErrorKind::invalid_argument, "hough_lines: images up to 256 x 256 (exact float rho)");
    const std::vector<Knob> knobs{{"order", "o", {0, 1}}, {"edges", "e", {0, 1}},  {"ttile", "tt", tiles_of(T, {20})},
                                  {"rho", "r", {0, 1}},   {"layout", "l", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), tt = k.at("ttile");
        const bool list = k.at("edges") == 1, flt = k.at("rho") == 1, rho_major = k.at("layout") == 1;
        if (order == 1 && (!list || tt != T)) return std::nullopt; // angles outer: over the list, untiled
        std::string d = dim_defines(w, {{"D", D}, {"NR", 2 * D + 1}, {"TT", tt}}) +
                        "#define TH 0.9f\n"
                        "/* cos and sin of t pi / T in 12-bit fixed point, by Taylor series in double about pi/2 */\n"
                        "static void trig(int *restrict Ci, int *restrict Si) {\n"
                        "    for (int t = 0; t < T; ++t) {\n"
                        "        const double ph = (double)t * (3.14159265358979323846 / T) - 1.57079632679489661923;\n"
                        "        const double p2 = ph * ph;\n"
                        "        double s = 0.0, c = 0.0, ts = ph, tc = 1.0;\n"
                        "        for (int n = 1; n <= 19; n += 2) {\n"
                        "            s += ts;\n            c += tc;\n"
                        "            ts *= -p2 / (double)((n + 1) * (n + 2));\n"
                        "            tc *= -p2 / (double)(n * (n + 1));\n        }\n"
                        "        /* cos(theta) = -sin(ph), sin(theta) = cos(ph) */\n"
                        "        Ci[t] = (int)(-s * 4096.0 + 8192.5) - 8192;\n"
                        "        Si[t] = (int)(c * 4096.0 + 8192.5) - 8192;\n    }\n}\n";
        d += rho_major ? "#define ACC(t, r) A[(r) * T + (t)]\n" : "#define ACC(t, r) O[(t) * NR + (r)]\n";
        d += flt ? "#define BIN(x, y, t) ((int)((float)(x) * CF[t] + (float)(y) * SF[t] + RB))\n"
                 : "#define BIN(x, y, t) ((((x) * Ci[t] + (y) * Si[t] + 2048) >> 12) + D)\n";
        std::string b = "    int Ci[T], Si[T];\n    trig(Ci, Si);\n";
        if (flt)
            b += "    float CF[T], SF[T];\n    const float RB = (float)D + 0.5f;\n"
                 "    for (int t = 0; t < T; ++t) {\n        CF[t] = (float)Ci[t] * (1.0f / 4096.0f);\n"
                 "        SF[t] = (float)Si[t] * (1.0f / 4096.0f);\n    }\n";
        if (rho_major) b += "    int A[NR * T];\n    for (int i = 0; i < NR * T; ++i) A[i] = 0;\n";
        else b += "    for (int i = 0; i < T * NR; ++i) O[i] = 0;\n";
        if (list)
            b += "    unsigned short xs[H * W], ys[H * W];\n    int n = 0;\n    for (int y = 0; y < H; ++y)\n"
                 "        for (int x = 0; x < W; ++x)\n            if (I[y * W + x] > TH) {\n"
                 "                xs[n] = (unsigned short)x;\n                ys[n] = (unsigned short)y;\n"
                 "                ++n;\n            }\n";
        const std::string tiled =
            tt != T ? "    for (int t0 = 0; t0 < T; t0 += TT) {\n" : "    {\n        const int t0 = 0;\n";
        if (order == 1)
            b += "    for (int t = 0; t < T; ++t)\n        for (int i = 0; i < n; ++i) {\n"
                 "            const int x = xs[i], y = ys[i];\n            ACC(t, BIN(x, y, t))++;\n        }\n";
        else if (list)
            b += tiled + "        for (int i = 0; i < n; ++i) {\n            const int x = xs[i], y = ys[i];\n"
                         "            for (int t = t0; t < t0 + TT; ++t) ACC(t, BIN(x, y, t))++;\n        }\n    }\n";
        else
            b += tiled + "        for (int y = 0; y < H; ++y)\n            for (int x = 0; x < W; ++x)\n"
                         "                if (I[y * W + x] > TH)\n"
                         "                    for (int t = t0; t < t0 + TT; ++t) ACC(t, BIN(x, y, t))++;\n    }\n";
        if (rho_major)
            b +=
                "    for (int t = 0; t < T; ++t)\n        for (int r = 0; r < NR; ++r) O[t * NR + r] = A[r * T + t];\n";
        return kernel(d, "const float *restrict I, int *restrict O", b);
    });
}

/// Stable argsort of each row by merge sort (torch.sort(stable=True) / torch.argsort(stable=True)
/// along the last dimension; numpy's kind="stable"): R rows of N f32 keys (N a power of two, at
/// least 64), each key the input rounded toward zero to a multiple of 1/64 (bucketed scores: a row
/// of 1024 holds about 127 distinct keys, so ties are common and stability shows), out the i32
/// permutation, ties kept in index order. Each row's keys and indices move together, through two
/// pairs of stack arrays of N. Knobs: the algorithm (top-down, recursive halving down to the runs;
/// or bottom-up, iterative passes of doubling width); the runs (none, merging from single elements;
/// or runs of 8, 16 or 32 sorted first by a stable insertion sort, as TimSort's minimum run); the
/// merge (branchy, an if per output choosing the run to take from; or branch-free, the smaller key
/// picked by a select, its index by a mask of the comparison, and the two cursors advanced by the
/// comparison's 0 or 1); the buffers (copy-back, each merge's output copied back into the first
/// array, per merge top-down and per pass bottom-up; or ping-pong, the arrays swapping roles from
/// level to level, top-down by sorting the halves into the other array); unrolling of the
/// branch-free merge loop; vectorisation, none or -O3's (copy-back only: its copy loop is what the
/// vectoriser can take). A stable sort's permutation is unique: bit-identical.
std::vector<Variant> merge_sort_rows(const Workload& w) {
    const int N = w.dim("N");
    if (N < 64 || (N & (N - 1)) != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': N a power of two, at least 64", w.name);
    const std::vector<Knob> knobs{{"algo", "a", {0, 1}}, {"run", "i", {0, 8, 16, 32}}, {"merge", "m", {0, 1}},
                                  {"buf", "b", {0, 1}},  {"unroll", "u", {1, 4}},      {"vec", "v", {0, 2}}};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool bottom_up = k.at("algo") == 1, branchfree = k.at("merge") == 1, pingpong = k.at("buf") == 1;
        const int run = k.at("run"), unroll = k.at("unroll");
        if (unroll != 1 && !branchfree) return std::nullopt;   // the branchy merge's exits are data-dependent
        if (pingpong && k.at("vec") != 0) return std::nullopt; // no copy loop to vectorise
        std::string d = dim_defines(w, {{"RUN", run}}) + "#define KEY(v) ((float)(int)((v) * 64.0f))\n";
        // The merge of runs [lo, mid) and [mid, hi) of (sk, sp) into (dk, dp).
        d += "static void merge(const float *restrict sk, const int *restrict sp, float *restrict dk, int *restrict "
             "dp, int lo, int mid, int hi) {\n    int i = lo, j = mid, o = lo;\n";
        if (!branchfree)
            d += "    while (i < mid && j < hi) {\n        if (sk[j] < sk[i]) {\n            dk[o] = sk[j];\n"
                 "            dp[o] = sp[j];\n            ++j;\n        } else {\n            dk[o] = sk[i];\n"
                 "            dp[o] = sp[i];\n            ++i;\n        }\n        ++o;\n    }\n";
        else
            d += unroll_pragma(unroll, "    ") +
                 "    while (i < mid && j < hi) {\n        const float a = sk[i], b = sk[j];\n"
                 "        const int pa = sp[i], pb = sp[j];\n        const int t = b < a;\n"
                 "        dk[o] = t ? b : a;\n        dp[o] = pa ^ ((pa ^ pb) & -t);\n        i += 1 - t;\n        j "
                 "+= t;\n"
                 "        ++o;\n    }\n";
        d += "    for (; i < mid; ++i, ++o) {\n        dk[o] = sk[i];\n        dp[o] = sp[i];\n    }\n"
             "    for (; j < hi; ++j, ++o) {\n        dk[o] = sk[j];\n        dp[o] = sp[j];\n    }\n}\n";
        if (run)
            d += "/* stable insertion sort of [lo, hi) */\n"
                 "static void insertion(float *restrict k, int *restrict p, int lo, int hi) {\n"
                 "    for (int a = lo + 1; a < hi; ++a) {\n        const float key = k[a];\n"
                 "        const int idx = p[a];\n        int b = a - 1;\n        while (b >= lo && k[b] > key) {\n"
                 "            k[b + 1] = k[b];\n            p[b + 1] = p[b];\n            --b;\n        }\n"
                 "        k[b + 1] = key;\n        p[b + 1] = idx;\n    }\n}\n";
        // A leaf of the recursion (a run of RUN, or a single element) in (k, p).
        const auto leaf = [&](const std::string& kk, const std::string& pp) {
            return run ? "    if (hi - lo <= RUN) {\n        insertion(" + kk + ", " + pp +
                             ", lo, hi);\n        return;\n    }\n"
                       : std::string("    if (hi - lo < 2) return;\n");
        };
        if (!bottom_up && !pingpong)
            d += "/* sorts [lo, hi) of (k, p) in place, merging into (tk, tp) and copying back */\n"
                 "static void sort_td(float *restrict k, int *restrict p, float *restrict tk, int *restrict tp, int "
                 "lo, int hi) {\n" +
                 leaf("k", "p") +
                 "    const int mid = lo + (hi - lo) / 2;\n    sort_td(k, p, tk, tp, lo, mid);\n"
                 "    sort_td(k, p, tk, tp, mid, hi);\n    merge(k, p, tk, tp, lo, mid, hi);\n"
                 "    for (int o = lo; o < hi; ++o) {\n        k[o] = tk[o];\n        p[o] = tp[o];\n    }\n}\n";
        else if (!bottom_up)
            d += "/* sorts [lo, hi) into (dk, dp), whose range holds the same elements as (sk, sp)'s: the halves\n"
                 "   sorted into (sk, sp), then merged into (dk, dp) */\n"
                 "static void sort_td(float *restrict sk, int *restrict sp, float *restrict dk, int *restrict dp, int "
                 "lo, int hi) {\n" +
                 leaf("dk", "dp") +
                 "    const int mid = lo + (hi - lo) / 2;\n    sort_td(dk, dp, sk, sp, lo, mid);\n"
                 "    sort_td(dk, dp, sk, sp, mid, hi);\n    merge(sk, sp, dk, dp, lo, mid, hi);\n}\n";
        std::string b = "    float ka[N], kb[N];\n    int pa[N], pb[N];\n    for (int r = 0; r < R; ++r) {\n"
                        "        const float *restrict xr = x + r * N;\n        int *restrict outr = out + r * N;\n"
                        "        for (int i = 0; i < N; ++i) {\n            ka[i] = KEY(xr[i]);\n"
                        "            pa[i] = i;\n        }\n";
        std::string result = "pa";
        if (!bottom_up && !pingpong) b += "        sort_td(ka, pa, kb, pb, 0, N);\n";
        else if (!bottom_up)
            b += "        for (int i = 0; i < N; ++i) {\n            kb[i] = ka[i];\n            pb[i] = pa[i];\n"
                 "        }\n        sort_td(kb, pb, ka, pa, 0, N);\n";
        else {
            if (run) b += "        for (int lo = 0; lo < N; lo += RUN) insertion(ka, pa, lo, lo + RUN);\n";
            const std::string first = run ? "RUN" : "1";
            if (!pingpong)
                b += "        for (int wd = " + first +
                     "; wd < N; wd *= 2) {\n"
                     "            for (int lo = 0; lo < N; lo += 2 * wd) merge(ka, pa, kb, pb, lo, lo + wd, lo + 2 * "
                     "wd);\n"
                     "            for (int o = 0; o < N; ++o) {\n                ka[o] = kb[o];\n"
                     "                pa[o] = pb[o];\n            }\n        }\n";
            else {
                b += "        float *sk = ka, *dk = kb;\n        int *sp = pa, *dp = pb;\n        for (int wd = " +
                     first +
                     "; wd < N; wd *= 2) {\n"
                     "            for (int lo = 0; lo < N; lo += 2 * wd) merge(sk, sp, dk, dp, lo, lo + wd, lo + 2 * "
                     "wd);\n"
                     "            float *const tk = sk;\n            int *const tp = sp;\n            sk = dk;\n"
                     "            sp = dp;\n            dk = tk;\n            dp = tp;\n        }\n";
                result = "sp";
            }
        }
        b += "        for (int i = 0; i < N; ++i) outr[i] = " + result + "[i];\n    }\n";
        return kernel(d, "const float *restrict x, int *restrict out", b);
    });
}

/// Linear-prediction analysis of audio frames (the LPC front end of speech codecs: Opus/SILK,
/// Speex, LPCNet's features): each of F frames of N samples is windowed by a fixed polynomial
/// window, W[n] = (1 - t^2)^2 with t = (2n - (N - 1)) / (N - 1) (a table built in every variant the
/// same way), its autocorrelation r[k] = sum over n from k to N - 1 of xw[n] xw[n - k] for k = 0..P
/// summed in increasing n from zero, r[0] raised by a 1e-4 white-noise correction, and the
/// Levinson-Durbin recursion gives the P predictor coefficients (out F x P, the same recursion in
/// every variant). Knobs: the autocorrelation's loop order (lag-outer, one dot product per lag; or
/// sample-outer, every sample adding its products to all P + 1 lags, the first P samples peeled
/// for their shorter lag range: each lag's sum still in increasing n, the lags vectorisable; or lag
/// blocks of four, four register accumulators sweeping the samples together, their first three
/// samples peeled); the frames (one at a time, or blocks of four interleaved, every product made
/// for four frames side by side: independent chains, and with the scratch laid out frame-minor,
/// vectors across the frames); the windowed frame (stored in a scratch first, or recomputed as
/// x[n] W[n] in every product); unrolling of the innermost loop; vectorisation. No sum is
/// reassociated: bit-identical.
std::vector<Variant> autocorr_lpc(const Workload& w) {
    const int F = w.dim("F"), N = w.dim("N"), P = w.dim("P");
    constexpr int FB = 4, LB = 4;
    if (F % FB != 0 || P < LB || N < 4 * P)
        fail(ErrorKind::invalid_argument, "workload '{}': F a multiple of {}, P >= {}, N >= 4 P", w.name, FB, LB);
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"frames", "fb", {1, FB}},
                                  {"window", "w", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), fb = k.at("frames"), unroll = k.at("unroll");
        const bool recompute = k.at("window") == 1;
        std::string d =
            dim_defines(w, {{"FB", fb}}) +
            (recompute ? "#define XW(q, n) (xf[(q) * N + (n)] * W[n])\n" : "#define XW(q, n) (xw[(n) * FB + (q)])\n") +
            "#define R(k, q) r[(k) * FB + (q)]\n"
            "/* the P predictor coefficients from r[0..P] */\n"
            "static void levinson(const float *restrict r, float *restrict out) {\n"
            "    float a[P + 1], t[P + 1];\n    a[0] = 1.0f;\n    float err = r[0];\n"
            "    for (int i = 1; i <= P; ++i) {\n        float acc = r[i];\n"
            "        for (int j = 1; j < i; ++j) acc += a[j] * r[i - j];\n"
            "        const float kc = -acc / err;\n"
            "        for (int j = 1; j < i; ++j) t[j] = a[j] + kc * a[i - j];\n"
            "        for (int j = 1; j < i; ++j) a[j] = t[j];\n        a[i] = kc;\n"
            "        err *= 1.0f - kc * kc;\n    }\n"
            "    for (int j = 0; j < P; ++j) out[j] = a[j + 1];\n}\n";
        // For each frame q of the block, acc (a format string of q) += frame q's product of samples n and
        // n - lag, at `in`.
        const auto terms = [&](const std::string& acc, const std::string& n, const std::string& lag,
                               const std::string& in) {
            std::string s;
            for (int q = 0; q < fb; ++q) {
                const std::string a = fmt::format(fmt::runtime(acc), q);
                s += fmt::format("{}{} += XW({}, {}) * XW({}, {} - {});\n", in, a, q, n, q, n, lag);
            }
            return s;
        };
        std::string b = "    float W[N];\n    for (int n = 0; n < N; ++n) {\n"
                        "        const float t = (float)(2 * n - (N - 1)) * (1.0f / (float)(N - 1));\n"
                        "        const float u = 1.0f - t * t;\n        W[n] = u * u;\n    }\n"
                        "    for (int f = 0; f < F; f += FB) {\n        const float *restrict xf = x + f * N;\n";
        if (!recompute)
            b += "        float xw[N * FB];\n        for (int n = 0; n < N; ++n)\n"
                 "            for (int q = 0; q < FB; ++q) xw[n * FB + q] = xf[q * N + n] * W[n];\n";
        b += "        float r[(P + 1) * FB];\n";
        const std::string in = "        ";
        if (order == 0) {
            b += in + "for (int k = 0; k <= P; ++k) {\n";
            for (int q = 0; q < fb; ++q) b += fmt::format("{}    float s{} = 0.0f;\n", in, q);
            b += unroll_pragma(unroll, in + "    ") + in + "    for (int n = k; n < N; ++n) {\n" +
                 terms("s{}", "n", "k", in + "        ") + in + "    }\n";
            for (int q = 0; q < fb; ++q) b += fmt::format("{}    R(k, {}) = s{};\n", in, q, q);
            b += in + "}\n";
        } else if (order == 1) {
            b += in + "for (int i = 0; i < (P + 1) * FB; ++i) r[i] = 0.0f;\n" + in + "for (int n = 0; n < P; ++n)\n" +
                 in + "    for (int k = 0; k <= n; ++k) {\n" + terms("R(k, {})", "n", "k", in + "        ") + in +
                 "    }\n" + in + "for (int n = P; n < N; ++n) {\n" + unroll_pragma(unroll, in + "    ") + in +
                 "    for (int k = 0; k <= P; ++k) {\n" + terms("R(k, {})", "n", "k", in + "        ") + in +
                 "    }\n" + in + "}\n";
        } else {
            for (int k0 = 0; k0 <= P; k0 += LB) {
                const int nk = std::min(LB, P + 1 - k0);
                b += in + "{\n";
                for (int i = 0; i < nk; ++i)
                    for (int q = 0; q < fb; ++q) b += fmt::format("{}    float s{}_{} = 0.0f;\n", in, i, q);
                // The first nk - 1 samples: lag k0 + i has a term from sample k0 + i on.
                for (int j = 0; j + 1 < nk; ++j)
                    for (int i = 0; i <= j; ++i)
                        b += terms(fmt::format("s{}_{{}}", i), std::to_string(k0 + j), std::to_string(k0 + i),
                                   in + "    ");
                b += unroll_pragma(unroll, in + "    ") + in +
                     fmt::format("    for (int n = {}; n < N; ++n) {{\n", k0 + nk - 1);
                for (int i = 0; i < nk; ++i)
                    b += terms(fmt::format("s{}_{{}}", i), "n", std::to_string(k0 + i), in + "        ");
                b += in + "    }\n";
                for (int i = 0; i < nk; ++i)
                    for (int q = 0; q < fb; ++q) b += fmt::format("{}    R({}, {}) = s{}_{};\n", in, k0 + i, q, i, q);
                b += in + "}\n";
            }
        }
        b += "        for (int q = 0; q < FB; ++q) {\n            float rq[P + 1];\n"
             "            for (int k = 0; k <= P; ++k) rq[k] = R(k, q);\n            rq[0] *= 1.0001f;\n"
             "            levinson(rq, A + (f + q) * P);\n        }\n    }\n";
        return kernel(d, "const float *restrict x, float *restrict A", b);
    });
}

/// Deformable 3x3 convolution (DCNv1, torchvision.ops.deform_conv2d without mask; detection and
/// segmentation backbones) of an NHWC map H x W x C to H x W x K, stride 1, padding 1: output pixel
/// (py, px)'s tap t = 3 ky + kx samples the input at (py - 1 + ky + dy, px - 1 + kx + dx), the
/// offsets 2 off[py][px][t][0..1] (an input of 18 floats per pixel, up to 2 pixels either way),
/// bilinearly: the four corners weigh (1 - ly)(1 - lx), (1 - ly) lx, ly (1 - lx), ly lx, a corner
/// outside the image zero (its index clamped, its weight zeroed), the sample the four products
/// summed in that order. Every output channel k sums sample(c, t) F[c][t][k] over j = 9 c + t in
/// increasing j from zero (torchvision's column order; F is its [K][C][3][3] weight permuted to
/// [C][3][3][K]). Knobs: the form (direct, each sample multiplied into the pixel's K accumulators
/// at once; or sample-then-GEMM, an output row's samples into an im2col-like column scratch W x 9C,
/// then a GEMM of the columns and F); the sampling order (channels outer and taps inner, as
/// torchvision's kernel; or taps outer and channels inner, each corner's channels a contiguous run:
/// columns only, as the direct form's sum is channel-major); the bilinear coefficients (recomputed
/// for every channel, as torchvision's bilinear_interpolate per element; or once per tap: a table of
/// the pixel's nine taps, or at the top of the tap loop); the GEMM's loop order (columns only: per
/// pixel the K accumulators innermost; per pixel and channel a dot product over j; or j outermost,
/// the row's outputs updated by each column entry); unrolling of the innermost loop; vectorisation.
/// Every sample is the same expression and every sum runs over j in order: bit-identical.
std::vector<Variant> deform_conv2d(const Workload& w) {
    const std::vector<Knob> knobs{{"form", "f", {0, 1}},    {"order", "o", {0, 1}},  {"coef", "k", {0, 1}},
                                  {"gemm", "g", {0, 1, 2}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool columns = k.at("form") == 1, taps_outer = k.at("order") == 1, per_tap = k.at("coef") == 1;
        const int gemm = k.at("gemm"), unroll = k.at("unroll");
        if (!columns && (taps_outer || gemm != 0)) return std::nullopt; // the direct sum is channel-major
        if (taps_outer && !per_tap) return std::nullopt;                // the tap's coefficients are loop-invariant
        const std::string d =
            dim_defines(w, {{"KK", 9}, {"CK", 9 * w.dim("C")}}) +
            "#define OS 2.0f\n"
            "/* tap t of output pixel (py, px): its four corners' offsets (clamped into the image) and weights\n"
            "   (zero for a corner outside) */\n"
            "#define COEF(py, px, t, o0, o1, o2, o3, w0, w1, w2, w3) do { \\\n"
            "    const float *g_ = off + (((py) * W + (px)) * KK + (t)) * 2; \\\n"
            "    const float y_ = (float)((py) - 1 + (t) / 3) + OS * g_[0]; \\\n"
            "    const float x_ = (float)((px) - 1 + (t) % 3) + OS * g_[1]; \\\n"
            "    int yl = (int)y_, xl = (int)x_; \\\n"
            "    yl -= (float)yl > y_; \\\n    xl -= (float)xl > x_; \\\n"
            "    const float ly = y_ - (float)yl, lx = x_ - (float)xl, hy = 1.0f - ly, hx = 1.0f - lx; \\\n"
            "    const int vyl = yl >= 0 && yl < H, vyh = yl + 1 >= 0 && yl + 1 < H; \\\n"
            "    const int vxl = xl >= 0 && xl < W, vxh = xl + 1 >= 0 && xl + 1 < W; \\\n"
            "    const int cyl = yl < 0 ? 0 : yl >= H ? H - 1 : yl, cyh = yl + 1 < 0 ? 0 : yl + 1 >= H ? H - 1 : yl + "
            "1; \\\n"
            "    const int cxl = xl < 0 ? 0 : xl >= W ? W - 1 : xl, cxh = xl + 1 < 0 ? 0 : xl + 1 >= W ? W - 1 : xl + "
            "1; \\\n"
            "    o0 = (cyl * W + cxl) * C; \\\n    o1 = (cyl * W + cxh) * C; \\\n"
            "    o2 = (cyh * W + cxl) * C; \\\n    o3 = (cyh * W + cxh) * C; \\\n"
            "    w0 = vyl && vxl ? hy * hx : 0.0f; \\\n    w1 = vyl && vxh ? hy * lx : 0.0f; \\\n"
            "    w2 = vyh && vxl ? ly * hx : 0.0f; \\\n    w3 = vyh && vxh ? ly * lx : 0.0f; \\\n"
            "} while (0)\n"
            "#define SAMPLE(o0, o1, o2, o3, w0, w1, w2, w3, c) \\\n"
            "    ((w0) * I[(o0) + (c)] + (w1) * I[(o1) + (c)] + (w2) * I[(o2) + (c)] + (w3) * I[(o3) + (c)])\n";
        // Tap t's table entries, as COEF's and SAMPLE's last arguments.
        const std::string tab = "to[t][0], to[t][1], to[t][2], to[t][3], tw[t][0], tw[t][1], tw[t][2], tw[t][3]";
        // The table of pixel (py, px)'s nine taps, at `in`.
        const auto table = [&](const std::string& in) {
            return in + "int to[KK][4];\n" + in + "float tw[KK][4];\n" + in + "for (int t = 0; t < KK; ++t)\n" + in +
                   "    COEF(py, px, t, " + tab + ");\n";
        };
        // Sample (c, t) of pixel (py, px) into `dst` (a statement), the coefficients per channel or
        // from the table, at `in`.
        const auto sample = [&](const std::string& dst, const std::string& in) {
            if (per_tap) return in + dst + " = SAMPLE(" + tab + ", c);\n";
            return in + "int o0, o1, o2, o3;\n" + in + "float w0, w1, w2, w3;\n" + in +
                   "COEF(py, px, t, o0, o1, o2, o3, w0, w1, w2, w3);\n" + in + dst +
                   " = SAMPLE(o0, o1, o2, o3, w0, w1, w2, w3, c);\n";
        };
        std::string b = "    for (int py = 0; py < H; ++py) {\n";
        if (!columns) {
            b += "        for (int px = 0; px < W; ++px) {\n            float acc[K];\n"
                 "            for (int kk = 0; kk < K; ++kk) acc[kk] = 0.0f;\n";
            if (per_tap) b += table("            ");
            b += "            for (int c = 0; c < C; ++c)\n                for (int t = 0; t < KK; ++t) {\n" +
                 sample("const float v", "                    ") +
                 "                    const float *restrict f = F + (c * KK + t) * K;\n" +
                 unroll_pragma(unroll, "                    ") +
                 "                    for (int kk = 0; kk < K; ++kk) acc[kk] += v * f[kk];\n                }\n"
                 "            float *restrict o = O + (py * W + px) * K;\n"
                 "            for (int kk = 0; kk < K; ++kk) o[kk] = acc[kk];\n        }\n    }\n";
            return kernel(d,
                          "const float *restrict I, const float *restrict off, const float *restrict F, "
                          "float *restrict O",
                          b);
        }
        // The row's columns: col[px][9 c + t].
        b += "        float col[W * CK];\n        for (int px = 0; px < W; ++px) {\n"
             "            float *restrict cp = col + px * CK;\n";
        if (!taps_outer) {
            if (per_tap) b += table("            ");
            b += "            for (int c = 0; c < C; ++c)\n                for (int t = 0; t < KK; ++t) {\n" +
                 sample("cp[c * KK + t]", "                    ") + "                }\n";
        } else
            b += "            for (int t = 0; t < KK; ++t) {\n                int o0, o1, o2, o3;\n"
                 "                float w0, w1, w2, w3;\n"
                 "                COEF(py, px, t, o0, o1, o2, o3, w0, w1, w2, w3);\n"
                 "                for (int c = 0; c < C; ++c) cp[c * KK + t] = SAMPLE(o0, o1, o2, o3, w0, w1, w2, "
                 "w3, c);\n            }\n";
        b += "        }\n        float *restrict orow = O + py * W * K;\n";
        const std::string u = unroll_pragma(unroll, "                ");
        if (gemm == 0)
            b += "        for (int px = 0; px < W; ++px) {\n            float acc[K];\n"
                 "            for (int kk = 0; kk < K; ++kk) acc[kk] = 0.0f;\n"
                 "            for (int j = 0; j < CK; ++j) {\n                const float v = col[px * CK + j];\n"
                 "                const float *restrict f = F + j * K;\n" +
                 u +
                 "                for (int kk = 0; kk < K; ++kk) acc[kk] += v * f[kk];\n            }\n"
                 "            for (int kk = 0; kk < K; ++kk) orow[px * K + kk] = acc[kk];\n        }\n";
        else if (gemm == 1)
            b += "        for (int px = 0; px < W; ++px)\n            for (int kk = 0; kk < K; ++kk) {\n"
                 "                float s = 0.0f;\n" +
                 unroll_pragma(unroll, "                ") +
                 "                for (int j = 0; j < CK; ++j) s += col[px * CK + j] * F[j * K + kk];\n"
                 "                orow[px * K + kk] = s;\n            }\n";
        else
            b += "        for (int i = 0; i < W * K; ++i) orow[i] = 0.0f;\n"
                 "        for (int j = 0; j < CK; ++j) {\n            const float *restrict f = F + j * K;\n"
                 "            for (int px = 0; px < W; ++px) {\n                const float v = col[px * CK + j];\n" +
                 unroll_pragma(unroll, "                ") +
                 "                for (int kk = 0; kk < K; ++kk) orow[px * K + kk] += v * f[kk];\n            }\n"
                 "        }\n";
        b += "    }\n";
        return kernel(
            d, "const float *restrict I, const float *restrict off, const float *restrict F, float *restrict O", b);
    });
}

/// Edge softmax of a graph attention network (DGL's edge_softmax, PyG's softmax(src, index): a GAT
/// layer's attention coefficients): a graph of N nodes in CSR by destination, nodes 2q and 2q + 1
/// receiving E + d and E - d edges (d in (-E, E) a hash of the i32 input len[q] and q: 1 to 2E - 1
/// incoming edges a node, E on average), H heads, the scores sc[p][h] of edge p edge-major (DGL's
/// (edges, heads) tensor; the edges' sources do not enter the softmax); out[p][h] = exp(sc[p][h] -
/// m) / s, m the maximum and s the sum of exp(sc - m) over the destination's incoming edges for head
/// h, exp as exp_neg (a fixed polynomial). Knobs: the traversal (segment: node by node over the CSR
/// offsets, built first, the node's maxima and sums local, as DGL's CSR kernel; or edge-parallel:
/// every edge's destination in an array built first, the maxima and sums scattered into per-node
/// arrays pass by pass over all the edges, as PyG's scatter_max and scatter_add); the exponentials
/// (recomputed by the normalising pass; stored into the output by the sum pass, then divided in
/// place; or, segment only, stored into a per-node stack scratch); the heads (innermost, an edge's
/// H scores together, the per-node arrays node-major; or outermost, the three passes run head by
/// head over strided scores, the scratch and per-node arrays head-major); unrolling of the edge
/// loop (an inner heads loop completely); vectorisation. Every maximum is order-free, every sum adds its edges'
/// exponentials in edge order from zero and every output is one division by it: bit-identical.
std::vector<Variant> edge_softmax_csr(const Workload& w) {
    const int N = w.dim("N"), E = w.dim("E"), H = w.dim("H");
    if (N % 2 != 0 || E < 1 || E > 64 || H < 1)
        fail(ErrorKind::invalid_argument, "workload '{}': N even, E in [1, 64], H at least 1", w.name);
    const std::vector<Knob> knobs{
        {"trav", "t", {0, 1}}, {"exps", "x", {0, 1, 2}}, {"heads", "h", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool coo = k.at("trav") == 1, outer = k.at("heads") == 1;
        const int exps = k.at("exps"), unroll = k.at("unroll");
        if (coo && exps == 2) return std::nullopt; // a whole graph's exponentials would not fit the stack
        const std::string params = "const int *restrict len, const float *restrict sc, float *restrict out";
        std::string d = dim_defines(w, {{"NE", N * E}, {"MAXD", 2 * E - 1}}) + exp_neg_function;
        // M(v, h), S(v, h): node v's maximum and sum for head h (local per node, or per-node arrays);
        // X(p, h): where the sum pass stores an exponential.
        if (!coo)
            d += outer ? "#define M(v, h) m\n#define S(v, h) s\n" : "#define M(v, h) m[h]\n#define S(v, h) s[h]\n";
        else
            d += outer ? "#define M(v, h) m[(h) * N + (v)]\n#define S(v, h) s[(h) * N + (v)]\n"
                       : "#define M(v, h) m[(v) * H + (h)]\n#define S(v, h) s[(v) * H + (h)]\n";
        if (exps == 1) d += "#define X(p, h) out[(p) * H + (h)]\n";
        else if (exps == 2)
            d += outer ? "#define X(p, h) ex[(h) * MAXD + (p) - lo]\n" : "#define X(p, h) ex[((p) - lo) * H + (h)]\n";
        std::string b = "    int rp[N + 1];\n    rp[0] = 0;\n    for (int q = 0; q < N / 2; ++q) {\n"
                        "        const int dl = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % "
                        "(2u * E - 1u)) - (E - 1);\n"
                        "        rp[2 * q + 1] = rp[2 * q] + E + dl;\n        rp[2 * q + 2] = rp[2 * q] + 2 * E;\n"
                        "    }\n";
        // The node of edge p and the edge loop: a segment's, or all the edges'.
        const std::string node = coo ? "dst[p]" : "v";
        const std::string ploop = coo ? "for (int p = 0; p < NE; ++p)" : "for (int p = lo; p < hi; ++p)";
        const std::string hloop = "for (int h = 0; h < H; ++h)";
        const std::string value = exps == 0 ? fmt::format("exp_neg(M({0}, h) - sc[p * H + h])", node) : "X(p, h)";
        // Pass i's statement for edge p and head h, at indent `in`.
        const auto stmt = [&](int i, const std::string& in) -> std::string {
            if (i == 0)
                return fmt::format("M({0}, h) = sc[p * H + h] > M({0}, h) ? sc[p * H + h] : M({0}, h);\n", node);
            if (i == 2) return fmt::format("out[p * H + h] = {} / S({}, h);\n", value, node);
            if (exps == 0) return fmt::format("S({0}, h) += exp_neg(M({0}, h) - sc[p * H + h]);\n", node);
            return fmt::format("{{\n{1}    const float e = exp_neg(M({0}, h) - sc[p * H + h]);\n{1}    X(p, h) = e;\n"
                               "{1}    S({0}, h) += e;\n{1}}}\n",
                               node, in);
        };
        // Pass i at `in`: the edge and head loops in the knob's order, the edge loop unrolled (an inner
        // heads loop then completely).
        const auto pass = [&](int i, const std::string& in) {
            // A loop header and its statement (a block opens on the header's line).
            const auto loop = [&](const std::string& header, const std::string& at) {
                const std::string st = stmt(i, at);
                return at + header + (st[0] == '{' ? " " + st : "\n" + at + "    " + stmt(i, at + "    "));
            };
            if (outer) return unroll_pragma(unroll, in) + loop(ploop, in);
            return unroll_pragma(unroll, in) + in + ploop + "\n" + unroll_pragma(unroll > 1 ? H : 1, in + "    ") +
                   loop(hloop, in + "    ");
        };
        if (coo) {
            b += "    int dst[NE];\n    for (int v = 0; v < N; ++v)\n"
                 "        for (int p = rp[v]; p < rp[v + 1]; ++p) dst[p] = v;\n"
                 "    float m[N * H], s[N * H];\n"
                 "    for (int i = 0; i < N * H; ++i) {\n        m[i] = -3.0e38f;\n        s[i] = 0.0f;\n    }\n";
            if (outer)
                b += "    " + hloop + " {\n" + pass(0, "        ") + pass(1, "        ") + pass(2, "        ") +
                     "    }\n";
            else b += pass(0, "    ") + pass(1, "    ") + pass(2, "    ");
            return kernel(d, params, b);
        }
        b += "    for (int v = 0; v < N; ++v) {\n        const int lo = rp[v], hi = rp[v + 1];\n";
        if (exps == 2) b += "        float ex[MAXD * H];\n";
        if (outer)
            b += "        " + hloop + " {\n            float m = -3.0e38f, s = 0.0f;\n" + pass(0, "            ") +
                 pass(1, "            ") + pass(2, "            ") + "        }\n";
        else
            b += "        float m[H], s[H];\n        " + hloop +
                 " {\n            m[h] = -3.0e38f;\n"
                 "            s[h] = 0.0f;\n        }\n" +
                 pass(0, "        ") + pass(1, "        ") + pass(2, "        ");
        b += "    }\n";
        return kernel(d, params, b);
    });
}

/// Dense Lucas-Kanade optical flow, one step (the per-pixel LK solve of video pipelines, OpenCV's
/// pyramidal LK at every pixel of one level): two frames I0 and I1 with a 3-pixel border, (H + 6) x
/// (W + 6); the gradients Ix, Iy (central differences of I0, halved) and It (I1 - I0) at the (H + 4)
/// x (W + 4) points inside the outer ring; for every output pixel the structure tensor's five sums
/// over its 5 x 5 window of gradient points (Ix Ix, Ix Iy, Iy Iy, Ix It, Iy It), each the window's
/// five column sums (top to bottom) added left to right, then the 2 x 2 solve (u, v) = -A^-1 b by
/// Cramer's rule, zero where the determinant is at most 1e-6; out (u, v) interleaved. Knobs: the
/// gradients (recomputed from the frames at every window tap; precomputed into three gradient
/// planes; or into five product planes); the window (direct, each pixel's 25 taps; each output
/// row's column sums into a row scratch first, then the rows' horizontal sums; or all the rows'
/// column sums of a band into band planes, then the horizontal pass); bands of 16 output rows (the
/// planes hold a band and its 4-row halo, recomputed per band, instead of the whole frame);
/// vectorisation. Every sum is the same expression in the same order: bit-identical.
std::vector<Variant> lucas_kanade_flow(const Workload& w) {
    const int H = w.dim("H");
    const std::vector<Knob> knobs{
        {"grad", "g", {0, 1, 2}}, {"win", "w", {0, 1, 2}}, {"trows", "tr", tiles_of(H, {16})}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int grad = k.at("grad"), win = k.at("win"), tr = k.at("trows");
        if (tr != H && grad == 0 && win != 2) return std::nullopt; // nothing held per band
        std::string d = dim_defines(w, {{"TR", tr}, {"FW", w.dim("W") + 6}, {"GW", w.dim("W") + 4}, {"BR", tr + 4}}) +
                        "/* the gradients at point (gy, gx), frame pixel (gy + 1, gx + 1) */\n"
                        "#define IX(gy, gx) (0.5f * (I0[((gy) + 1) * FW + (gx) + 2] - I0[((gy) + 1) * FW + (gx)]))\n"
                        "#define IY(gy, gx) (0.5f * (I0[((gy) + 2) * FW + (gx) + 1] - I0[(gy) * FW + (gx) + 1]))\n"
                        "#define IT(gy, gx) (I1[((gy) + 1) * FW + (gx) + 1] - I0[((gy) + 1) * FW + (gx) + 1])\n"
                        "#define PRODS_OF(ix, iy, it, p) do { \\\n"
                        "    (p)[0] = (ix) * (ix); (p)[1] = (ix) * (iy); (p)[2] = (iy) * (iy); \\\n"
                        "    (p)[3] = (ix) * (it); (p)[4] = (iy) * (it); \\\n} while (0)\n"
                        "/* the five products at point (gy, gx) into p[5] */\n";
        if (grad == 0)
            d += "#define PRODS(gy, gx, p) do { \\\n"
                 "    const float ix_ = IX(gy, gx), iy_ = IY(gy, gx), it_ = IT(gy, gx); \\\n"
                 "    PRODS_OF(ix_, iy_, it_, p); \\\n} while (0)\n";
        else if (grad == 1)
            d += "#define PRODS(gy, gx, p) do { \\\n    const int o_ = ((gy) - y0) * GW + (gx); \\\n"
                 "    PRODS_OF(GX[o_], GY[o_], GT[o_], p); \\\n} while (0)\n";
        else
            d += "#define PRODS(gy, gx, p) do { \\\n    const int o_ = ((gy) - y0) * GW + (gx); \\\n"
                 "    for (int q_ = 0; q_ < 5; ++q_) (p)[q_] = PP[q_ * BR * GW + o_]; \\\n} while (0)\n";
        d += "/* the five column sums of the window rows gy .. gy + 4 at column gx into c[5] */\n"
             "#define COLSUM(gy, gx, c) do { \\\n    PRODS(gy, gx, c); \\\n"
             "    for (int dy_ = 1; dy_ < 5; ++dy_) { \\\n        float p_[5]; \\\n"
             "        PRODS((gy) + dy_, gx, p_); \\\n        for (int q_ = 0; q_ < 5; ++q_) (c)[q_] += p_[q_]; \\\n"
             "    } \\\n} while (0)\n"
             "/* (u, v) from the sums S[5] into o[2] */\n"
             "#define SOLVE(S, o) do { \\\n    const float det_ = (S)[0] * (S)[2] - (S)[1] * (S)[1]; \\\n"
             "    const int ok_ = det_ > 1e-6f; \\\n"
             "    (o)[0] = ok_ ? ((S)[1] * (S)[4] - (S)[2] * (S)[3]) / det_ : 0.0f; \\\n"
             "    (o)[1] = ok_ ? ((S)[1] * (S)[3] - (S)[0] * (S)[4]) / det_ : 0.0f; \\\n} while (0)\n";
        std::string b;
        if (grad == 1) b += "    float GX[BR * GW], GY[BR * GW], GT[BR * GW];\n";
        if (grad == 2) b += "    float PP[5 * BR * GW];\n";
        if (win == 1) b += "    float CR[5 * GW];\n";
        if (win == 2) b += "    float CB[5 * TR * GW];\n";
        b += "    for (int y0 = 0; y0 < H; y0 += TR) {\n";
        if (grad != 0) {
            b += "        for (int gy = y0; gy < y0 + BR; ++gy)\n            for (int gx = 0; gx < GW; ++gx) {\n"
                 "                const int o = (gy - y0) * GW + gx;\n";
            if (grad == 1)
                b += "                GX[o] = IX(gy, gx);\n                GY[o] = IY(gy, gx);\n"
                     "                GT[o] = IT(gy, gx);\n";
            else
                b += "                float p[5];\n                PRODS_OF(IX(gy, gx), IY(gy, gx), IT(gy, gx), p);\n"
                     "                for (int q = 0; q < 5; ++q) PP[q * BR * GW + o] = p[q];\n";
            b += "            }\n";
        }
        const std::string hsum = "                float S[5];\n"
                                 "                for (int q = 0; q < 5; ++q) S[q] = {0};\n"
                                 "                for (int dx = 1; dx < 5; ++dx)\n"
                                 "                    for (int q = 0; q < 5; ++q) S[q] += {1};\n"
                                 "                SOLVE(S, O + 2 * (y * W + x));\n";
        if (win == 0)
            b += "        for (int y = y0; y < y0 + TR; ++y)\n            for (int x = 0; x < W; ++x) {\n"
                 "                float S[5];\n                COLSUM(y, x, S);\n"
                 "                for (int dx = 1; dx < 5; ++dx) {\n                    float c[5];\n"
                 "                    COLSUM(y, x + dx, c);\n"
                 "                    for (int q = 0; q < 5; ++q) S[q] += c[q];\n                }\n"
                 "                SOLVE(S, O + 2 * (y * W + x));\n            }\n";
        else if (win == 1)
            b += "        for (int y = y0; y < y0 + TR; ++y) {\n            for (int gx = 0; gx < GW; ++gx) {\n"
                 "                float c[5];\n                COLSUM(y, gx, c);\n"
                 "                for (int q = 0; q < 5; ++q) CR[q * GW + gx] = c[q];\n            }\n"
                 "            for (int x = 0; x < W; ++x) {\n" +
                 fmt::format(fmt::runtime(hsum), "CR[q * GW + x]", "CR[q * GW + x + dx]") +
                 "            }\n        }\n";
        else
            b += "        for (int y = y0; y < y0 + TR; ++y)\n            for (int gx = 0; gx < GW; ++gx) {\n"
                 "                float c[5];\n                COLSUM(y, gx, c);\n"
                 "                for (int q = 0; q < 5; ++q) CB[(q * TR + y - y0) * GW + gx] = c[q];\n"
                 "            }\n"
                 "        for (int y = y0; y < y0 + TR; ++y)\n            for (int x = 0; x < W; ++x) {\n" +
                 fmt::format(fmt::runtime(hsum), "CB[(q * TR + y - y0) * GW + x]",
                             "CB[(q * TR + y - y0) * GW + x + dx]") +
                 "            }\n";
        b += "    }\n";
        return kernel(d, "const float *restrict I0, const float *restrict I1, float *restrict O", b);
    });
}

/// The runs a mask of rle_encode_mask can hold at most, the size of its output's run array: a
/// column's values are a continuous piecewise-linear function sampled, H / CS monotone pieces, so
/// at most H / CS changes in a column, one more where the column starts.
int rle_max_runs(const Workload& w) { return w.dim("W") * (w.dim("H") / w.dim("CS") + 2) + 2; }

/// Run-length encoding of binary segmentation masks (pycocotools' mask.encode, a detector's or
/// SAM's mask post-processing): N masks of H x W bytes, row-major as a network emits them, each
/// made first by every variant alike from the f32 input's coarse grid ((H / CS + 1) x (W / CS + 1)
/// values a mask, scaled to integers and interpolated bilinearly in integers, the mask where the
/// value is positive: blobs with runs of every length). The encoding is COCO's: the mask flattened
/// column-major, the lengths of its alternating runs of 0s and 1s, a 0-run first (of length 0 if
/// the mask starts with a 1); out per mask is the run count, then RMAX run slots (rle_max_runs).
/// Knobs: the scan (down the row-major mask's columns directly, a row apart; or after transposing
/// it into a column-major scratch, row by row (strided writes) or in 16 x 16 blocks); the method (a
/// compare and branch per byte; branch-free per byte, the run length stored at every byte into the
/// current slot, the slot advanced by the comparison; or, transposed only, eight bytes at a time,
/// an unaligned 64-bit load xor-ed with the current value in every byte, runs of equal words
/// skipped, the first change found by counting trailing zeros); unrolling of the byte loop (of the
/// word method's skip loop); vectorisation. Integers: bit-identical.
std::vector<Variant> rle_encode_mask(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), CS = w.dim("CS");
    if (CS < 1 || H % CS != 0 || W % CS != 0 || H % 16 != 0 || W % 16 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': H and W multiples of CS and of 16", w.name);
    const std::vector<Knob> knobs{
        {"scan", "s", {0, 1, 2}}, {"method", "m", {0, 1, 2}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int scan = k.at("scan"), method = k.at("method"), unroll = k.at("unroll");
        if (scan == 0 && method == 2) return std::nullopt; // words need the column-major copy
        const std::string d = dim_defines(w, {{"GH", H / CS + 1}, {"GWC", W / CS + 1}, {"RMAX", rle_max_runs(w)}});
        std::string b = "    unsigned char M[H * W];\n    int G[GH * GWC], col[GWC];\n";
        if (scan != 0) b += "    unsigned char T[H * W + 8];\n";
        if (method == 2) b += "    for (int i = 0; i < 8; ++i) T[H * W + i] = 2; /* stops every word scan */\n";
        b += "    for (int n = 0; n < N; ++n) {\n        const float *restrict xn = X + n * GH * GWC;\n"
             "        for (int i = 0; i < GH * GWC; ++i) G[i] = (int)(xn[i] * 1024.0f);\n"
             "        for (int y = 0; y < H; ++y) {\n            const int cy = y / CS, fy = y % CS;\n"
             "            for (int c = 0; c < GWC; ++c)\n"
             "                col[c] = G[cy * GWC + c] * CS + (G[(cy + 1) * GWC + c] - G[cy * GWC + c]) * fy;\n"
             "            for (int cx = 0; cx < W / CS; ++cx) {\n"
             "                const int a = col[cx] * CS, dl = col[cx + 1] - col[cx];\n"
             "                for (int fx = 0; fx < CS; ++fx)\n"
             "                    M[y * W + cx * CS + fx] = (unsigned char)(a + dl * fx > 0);\n"
             "            }\n        }\n"
             "        int *restrict o = out + n * (RMAX + 1);\n        int *restrict r = o + 1;\n"
             "        int m = 0, last = 0;\n";
        if (scan == 1)
            b += "        for (int y = 0; y < H; ++y)\n"
                 "            for (int x = 0; x < W; ++x) T[x * H + y] = M[y * W + x];\n";
        else if (scan == 2)
            b += "        for (int y0 = 0; y0 < H; y0 += 16)\n            for (int x0 = 0; x0 < W; x0 += 16)\n"
                 "                for (int x = x0; x < x0 + 16; ++x)\n"
                 "                    for (int y = y0; y < y0 + 16; ++y) T[x * H + y] = M[y * W + x];\n";
        // One byte b at position j of the column-major sequence, p the current value, at `in`.
        const auto step = [&](const std::string& in) {
            if (method == 0)
                return in + "if (b != p) {\n" + in + "    r[m++] = j - last;\n" + in + "    last = j;\n" + in +
                       "    p = b;\n" + in + "}\n";
            return in + "const int c = b != p;\n" + in + "r[m] = j - last;\n" + in + "last = c ? j : last;\n" + in +
                   "m += c;\n" + in + "p = b;\n";
        };
        if (method == 2)
            b += "        unsigned long long pat = 0; /* the current value in every byte */\n"
                 "        int j = 0;\n        for (;;) {\n            unsigned long long x;\n"
                 "            __builtin_memcpy(&x, T + j, 8);\n            unsigned long long df = x ^ pat;\n" +
                 unroll_pragma(unroll, "            ") +
                 "            while (!df) {\n                j += 8;\n                __builtin_memcpy(&x, T + j, 8);\n"
                 "                df = x ^ pat;\n            }\n"
                 "            j += __builtin_ctzll(df) >> 3;\n            if (j >= H * W) break;\n"
                 "            r[m++] = j - last;\n            last = j;\n"
                 "            pat ^= 0x0101010101010101ull;\n        }\n";
        else if (scan == 0)
            b += "        int p = 0;\n        for (int x = 0; x < W; ++x)\n" + unroll_pragma(unroll, "            ") +
                 "            for (int y = 0; y < H; ++y) {\n                const int b = M[y * W + x], j = x * H + "
                 "y;\n" +
                 step("                ") + "            }\n";
        else
            b += "        int p = 0;\n" + unroll_pragma(unroll, "        ") +
                 "        for (int j = 0; j < H * W; ++j) {\n            const int b = T[j];\n" + step("            ") +
                 "        }\n";
        b += "        r[m++] = H * W - last;\n        o[0] = m;\n    }\n";
        return kernel(d, "const float *restrict X, int *restrict out", b);
    });
}

/// Summed-area table (integral image) of an 8-bit image (an i8 buffer read as unsigned char; box
/// filters, Viola-Jones features, SAT-based pooling): O[i][j] = the sum of I[i'][j'] over i' <= i,
/// j' <= j, in i32 (at most 255 H W < 2^31). Knobs: the method (a row-prefix pass, then a column
/// pass adding each row to the one above; a column pass first, running column sums kept in a row
/// array, then a row-prefix pass in place; or one pass, a running row sum plus the output row
/// above), the column pass's traversal (row-major, i outer and the row innermost: vectorisable;
/// column-major, j outer and a running sum down the column, a row apart; or strips of 80 columns,
/// row-major inside a strip; for the one-pass method the strips carry each row's running sum in an
/// array), blocks of 32 rows (both passes over a block before the next, the block still in cache;
/// not for one pass), for the rows-first method where the row pass writes (in place in the output,
/// or into a scratch: the whole H x W scratch buffer T, or a 32-row stack strip for blocks; the
/// column pass then reads it), vectorisation. Integer sums: every order gives the same table,
/// bit-identical.
std::vector<Variant> integral_image(const Workload& w) {
    const int H = w.dim("H");
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2}},
                                  {"cpass", "c", {0, 1, 2}},
                                  {"trows", "tr", tiles_of(H, {32})},
                                  {"scratch", "s", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), cpass = k.at("cpass"), tr = k.at("trows");
        const bool blocked = tr != H, scratch = k.at("scratch") == 1;
        if (method != 0 && scratch) return std::nullopt;                 // only rows-first has a row scratch
        if (method == 2 && (blocked || cpass == 1)) return std::nullopt; // one pass: row by row
        std::string d = dim_defines(w, {{"TR", tr}, {"CS", 80}}) + "#define PX(i, j) ((int)I[(i) * W + (j)])\n";
        std::string b;
        if (method == 2) {
            // Row 0 is its running sum; every later row adds the output row above.
            if (cpass == 0)
                b += "    {\n        int s = 0;\n        for (int j = 0; j < W; ++j) {\n            s += PX(0, j);\n"
                     "            O[j] = s;\n        }\n    }\n"
                     "    for (int i = 1; i < H; ++i) {\n        int s = 0;\n"
                     "        for (int j = 0; j < W; ++j) {\n            s += PX(i, j);\n"
                     "            O[i * W + j] = O[(i - 1) * W + j] + s;\n        }\n    }\n";
            else
                b += "    int rs[H];\n    for (int i = 0; i < H; ++i) rs[i] = 0;\n"
                     "    for (int j0 = 0; j0 < W; j0 += CS) {\n        {\n            int s = rs[0];\n"
                     "            for (int j = j0; j < j0 + CS; ++j) {\n                s += PX(0, j);\n"
                     "                O[j] = s;\n            }\n            rs[0] = s;\n        }\n"
                     "        for (int i = 1; i < H; ++i) {\n            int s = rs[i];\n"
                     "            for (int j = j0; j < j0 + CS; ++j) {\n                s += PX(i, j);\n"
                     "                O[i * W + j] = O[(i - 1) * W + j] + s;\n            }\n            rs[i] = s;\n"
                     "        }\n    }\n";
            return kernel(d, "const unsigned char *restrict I, int *restrict T, int *restrict O", b);
        }
        std::string in = "    ";
        if (method == 1) b += "    int cs[W];\n    for (int j = 0; j < W; ++j) cs[j] = 0;\n";
        if (method == 0 && scratch && blocked) b += "    int R[TR * W];\n";
        if (blocked) {
            b += "    for (int i0 = 0; i0 < H; i0 += TR) {\n";
            in += "    ";
        } else b += "    const int i0 = 0;\n";
        // The loop over the columns j of a row-major pass: all, or a strip's (inside a strip loop).
        std::string jl = "for (int j = 0; j < W; ++j)", ind = in;
        if (cpass == 2) {
            jl = "for (int j = j0; j < j0 + CS; ++j)";
            ind += "    ";
        }
        if (method == 0) {
            // RS(i): row i's running sums, in the output, the whole scratch T or the block's strip R.
            d += !scratch  ? "#define RS(i) (O + (i) * W)\n"
                 : blocked ? "#define RS(i) (R + ((i) - i0) * W)\n"
                           : "#define RS(i) (T + (i) * W)\n";
            b += in + "for (int i = i0; i < i0 + TR; ++i) {\n" + in + "    int *restrict r = RS(i);\n" + in +
                 "    int s = 0;\n" + in + "    for (int j = 0; j < W; ++j) {\n" + in + "        s += PX(i, j);\n" +
                 in + "        r[j] = s;\n" + in + "    }\n" + in + "}\n";
            // Column pass: O[i][j] = O[i-1][j] + RS(i)[j] (row i0 - 1 final from the block above).
            if (cpass == 1) {
                b += in + "for (int j = 0; j < W; ++j) {\n" + in + "    int s = i0 ? O[(i0 - 1) * W + j] : 0;\n" + in +
                     "    for (int i = i0; i < i0 + TR; ++i) {\n" + in + "        s += RS(i)[j];\n" + in +
                     "        O[i * W + j] = s;\n" + in + "    }\n" + in + "}\n";
            } else {
                if (cpass == 2) b += in + "for (int j0 = 0; j0 < W; j0 += CS) {\n";
                if (scratch) b += ind + "if (i0 == 0)\n" + ind + "    " + jl + " O[j] = RS(0)[j];\n";
                b += ind + "for (int i = i0 ? i0 : 1; i < i0 + TR; ++i)\n" + ind + "    " + jl + " O[i * W + j] " +
                     (scratch ? "= O[(i - 1) * W + j] + RS(i)[j];\n" : "+= O[(i - 1) * W + j];\n");
                if (cpass == 2) b += in + "}\n";
            }
        } else {
            // Column pass first: the running column sums cs, each row's copied into the output.
            if (cpass == 1)
                b += in + "for (int j = 0; j < W; ++j) {\n" + in + "    int s = cs[j];\n" + in +
                     "    for (int i = i0; i < i0 + TR; ++i) {\n" + in + "        s += PX(i, j);\n" + in +
                     "        O[i * W + j] = s;\n" + in + "    }\n" + in + "    cs[j] = s;\n" + in + "}\n";
            else {
                if (cpass == 2) b += in + "for (int j0 = 0; j0 < W; j0 += CS)\n";
                b += ind + "for (int i = i0; i < i0 + TR; ++i)\n" + ind + "    " + jl + " {\n" + ind +
                     "        cs[j] += PX(i, j);\n" + ind + "        O[i * W + j] = cs[j];\n" + ind + "    }\n";
            }
            // Row pass in place: each row's running sum of its column sums.
            b += in + "for (int i = i0; i < i0 + TR; ++i) {\n" + in + "    int *restrict r = O + i * W;\n" + in +
                 "    int s = 0;\n" + in + "    for (int j = 0; j < W; ++j) {\n" + in + "        s += r[j];\n" + in +
                 "        r[j] = s;\n" + in + "    }\n" + in + "}\n";
        }
        if (blocked) b += "    }\n";
        return kernel(d, "const unsigned char *restrict I, int *restrict T, int *restrict O", b);
    });
}

/// Morphological dilation of a float image by a K x K square (a max filter; max pooling at stride
/// 1), valid: O[i][j] = the maximum of I over rows i .. i+K-1 and columns j .. j+K-1, (H-K+1) x
/// (W-K+1), H and W multiples of K. Knobs: the method (the 2-D window per output, or separable: a
/// row pass of 1 x K maxima into an H x OW stack scratch, then a column pass of K x 1 maxima), the
/// 1-D algorithm of the row pass and of the column pass (the window scanned per output, K-1
/// comparisons; van Herk / Gil-Werman, running maxima forward and backward within each block of K,
/// two per element and one to combine; or a monotone deque of candidate positions, branchy), the
/// loop order (2-D: the window innermost per output, or the window's taps outer and an output row
/// innermost, vectorisable; column pass: row-major, whole rows of the scratch combined, with van
/// Herk's forward and backward maxima kept as K rows each, vectorisable; or column-major, each
/// column as a 1-D sequence a row apart; the deque only column-major), vectorisation. Every output
/// is the maximum of the same K^2 inputs, and a maximum of floats without NaNs or negative zeros
/// (inputs in [-1, 1) made from integers: no -0) is one value whatever the order: bit-identical.
std::vector<Variant> dilate_max2d(const Workload& w) {
    const std::vector<Knob> knobs{{"method", "m", {0, 1}},
                                  {"rowalg", "r", {0, 1, 2}},
                                  {"colalg", "c", {0, 1, 2}},
                                  {"order", "o", {0, 1}},
                                  vec_knob()};
    const int H = w.dim("H"), W = w.dim("W"), K = w.dim("K");
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int rowalg = k.at("rowalg"), colalg = k.at("colalg"), order = k.at("order");
        const bool separable = k.at("method") == 1;
        if (!separable && (rowalg != 0 || colalg != 0)) return std::nullopt;
        if (colalg == 2 && order == 0) return std::nullopt; // a deque per column runs down the column
        std::string d = dim_defines(w, {{"OH", H - K + 1}, {"OW", W - K + 1}, {"NMAX", std::max(H, W)}}) +
                        "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n";
        const std::vector<std::string> helpers{
            "/* out[x * os] = the maximum of a[(x + s) * st] over s < K, for x <= n - K: the window per output */\n"
            "static inline void max_window(const float *restrict a, int st, float *restrict out, int os, int n) {\n"
            "    for (int x = 0; x + K <= n; ++x) {\n        float m = a[x * st];\n"
            "        for (int s = 1; s < K; ++s) m = MAX(m, a[(x + s) * st]);\n        out[x * os] = m;\n    }\n}\n",
            "/* the same by van Herk / Gil-Werman (n a multiple of K): g the running maxima forward within each\n"
            "   block of K, h backward; the window at x is max(h[x], g[x + K - 1]) */\n"
            "static inline void max_vanherk(const float *restrict a, int st, float *restrict out, int os, int n) {\n"
            "    float g[NMAX], h[NMAX];\n    for (int b = 0; b < n; b += K) {\n        g[b] = a[b * st];\n"
            "        for (int t = b + 1; t < b + K; ++t) g[t] = MAX(g[t - 1], a[t * st]);\n"
            "        h[b + K - 1] = a[(b + K - 1) * st];\n"
            "        for (int t = b + K - 2; t >= b; --t) h[t] = MAX(h[t + 1], a[t * st]);\n    }\n"
            "    for (int x = 0; x + K <= n; ++x) out[x * os] = MAX(h[x], g[x + K - 1]);\n}\n",
            "/* the same by a monotone deque of positions, their values decreasing: the front is the maximum */\n"
            "static inline void max_deque(const float *restrict a, int st, float *restrict out, int os, int n) {\n"
            "    int q[NMAX];\n    int head = 0, tail = 0;\n    for (int x = 0; x < n; ++x) {\n"
            "        const float v = a[x * st];\n        while (tail > head && a[q[tail - 1] * st] <= v) --tail;\n"
            "        q[tail++] = x;\n        if (q[head] <= x - K) ++head;\n"
            "        if (x >= K - 1) out[(x - K + 1) * os] = a[q[head] * st];\n    }\n}\n"};
        const std::vector<std::string> fn{"max_window", "max_vanherk", "max_deque"};
        std::string b;
        if (!separable) {
            if (order == 0)
                b += "    for (int i = 0; i < OH; ++i)\n        for (int j = 0; j < OW; ++j) {\n"
                     "            float m = I[i * W + j];\n            for (int r = 0; r < K; ++r)\n"
                     "                for (int s = 0; s < K; ++s) m = MAX(m, I[(i + r) * W + j + s]);\n"
                     "            O[i * OW + j] = m;\n        }\n";
            else
                b += "    for (int i = 0; i < OH; ++i) {\n        float *restrict o = O + i * OW;\n"
                     "        for (int j = 0; j < OW; ++j) o[j] = I[i * W + j];\n"
                     "        for (int r = 0; r < K; ++r)\n            for (int s = 0; s < K; ++s) {\n"
                     "                const float *restrict a = I + (i + r) * W + s;\n"
                     "                for (int j = 0; j < OW; ++j) o[j] = MAX(o[j], a[j]);\n            }\n    }\n";
            return kernel(d, "const float *restrict I, float *restrict O", b);
        }
        d += helpers[rowalg];
        if (order == 1 && colalg != rowalg) d += helpers[colalg];
        b += "    float T[H * OW];\n    for (int i = 0; i < H; ++i) " + fn[rowalg] +
             "(I + i * W, 1, T + i * OW, 1, W);\n";
        if (order == 1) b += "    for (int j = 0; j < OW; ++j) " + fn[colalg] + "(T + j, OW, O + j, OW, H);\n";
        else if (colalg == 0)
            b += "    for (int i = 0; i < OH; ++i) {\n        float *restrict o = O + i * OW;\n"
                 "        for (int j = 0; j < OW; ++j) o[j] = T[i * OW + j];\n"
                 "        for (int r = 1; r < K; ++r) {\n            const float *restrict t = T + (i + r) * OW;\n"
                 "            for (int j = 0; j < OW; ++j) o[j] = MAX(o[j], t[j]);\n        }\n    }\n";
        else
            // Block b0 of K rows: hs[t] = the maximum of its rows t .. K-1, gs[t] of the next block's
            // rows 0 .. t; output row b0 + t is max(hs[t], gs[t - 1]), row b0 the block's maximum.
            b +=
                "    float hs[K * OW], gs[K * OW];\n    for (int b0 = 0; b0 < H; b0 += K) {\n"
                "        for (int j = 0; j < OW; ++j) hs[(K - 1) * OW + j] = T[(b0 + K - 1) * OW + j];\n"
                "        for (int t = K - 2; t >= 0; --t)\n"
                "            for (int j = 0; j < OW; ++j) hs[t * OW + j] = MAX(hs[(t + 1) * OW + j], T[(b0 + t) * OW + "
                "j]);\n"
                "        for (int j = 0; j < OW; ++j) O[b0 * OW + j] = hs[j];\n"
                "        if (b0 + K >= H) break; /* the last block has one output row */\n"
                "        for (int j = 0; j < OW; ++j) gs[j] = T[(b0 + K) * OW + j];\n"
                "        for (int t = 1; t < K - 1; ++t)\n"
                "            for (int j = 0; j < OW; ++j) gs[t * OW + j] = MAX(gs[(t - 1) * OW + j], T[(b0 + K + t) * "
                "OW "
                "+ j]);\n"
                "        for (int t = 1; t < K; ++t)\n"
                "            for (int j = 0; j < OW; ++j) O[(b0 + t) * OW + j] = MAX(hs[t * OW + j], gs[(t - 1) * OW + "
                "j]);\n    }\n";
        return kernel(d, "const float *restrict I, float *restrict O", b);
    });
}

/// Bucketize / searchsorted (torch.bucketize, histogram binning, quantile and CDF lookups): for N
/// queries q, the index of the first of M sorted boundaries not below the query (lower bound, i32,
/// M if none). The boundaries are built by the kernel, the same code in every variant: a running
/// sum from -1 of the positive steps (0.25 + |x[k]|) * 8 / (3M), strictly increasing, about -1 to
/// 1, with +inf padding after them. Knobs: the search (a branchy binary search; a branch-free one,
/// the half-interval chosen by a select; the boundaries rebuilt into an Eytzinger (BFS) layout with
/// their ranks, descended branch-free; a coarse index of every S-th boundary searched branch-free,
/// then the block of S below it; or, for sorted queries only, a merge walk up the boundaries), for
/// the branch-free searches the queries advanced in lockstep in groups of 8 (independent loads in
/// flight), for the Eytzinger search a prefetch of the node 4 levels down, for the coarse index its
/// stride S (16 or 32) and the fine search (counting the block's boundaries below the query,
/// vectorisable; or a branchy scan to the first not below, the block's last or the padding stopping
/// it), the query order (as given; or each block of 2048 queries radix-sorted by value, 4 passes of
/// 8 bits over (key, position) pairs, searched in sorted order and written back to their
/// positions), vectorisation. Every search compares the same floats by the same `<`: the same
/// index, bit-identical.
std::vector<Variant> searchsorted(const Workload& w) {
    const int M = w.dim("M");
    const std::vector<Knob> knobs{{"method", "m", {0, 1, 2, 3, 4}},
                                  {"group", "g", {1, 8}},
                                  {"prefetch", "p", {0, 1}},
                                  {"stride", "c", {16, 32}},
                                  {"fine", "f", {0, 1}},
                                  {"sorted", "s", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), g = k.at("group"), stride = k.at("stride");
        const bool prefetch = k.at("prefetch") == 1, scan = k.at("fine") == 1, sorted = k.at("sorted") == 1;
        if (g != 1 && method != 1 && method != 2) return std::nullopt;    // lockstep: branch-free searches
        if (prefetch && method != 2) return std::nullopt;                 // prefetch: Eytzinger only
        if ((stride != 16 || scan) && method != 3) return std::nullopt;   // the coarse index's knobs
        if (method == 4 && !sorted) return std::nullopt;                  // a merge needs sorted queries
        const int levels = log2_floor(static_cast<std::uint64_t>(M) + 1); // full Eytzinger levels
        std::string d =
            dim_defines(w, {{"G", g}, {"S", stride}, {"NC", M / stride}, {"LEVELS", levels}, {"SB", 2048}}) +
            fmt::format("#define STEP {:.9g}f\n#define PAD 64\n", 8.0 / (3.0 * M));
        std::string b = "    float bnd[M + PAD];\n    {\n        float acc = -1.0f;\n"
                        "        for (int k = 0; k < M; ++k) {\n"
                        "            acc += (0.25f + __builtin_fabsf(x[k])) * STEP;\n            bnd[k] = acc;\n"
                        "        }\n        for (int k = M; k < M + PAD; ++k) bnd[k] = __builtin_inff();\n    }\n";
        if (method == 2)
            // The in-order walk of the implicit tree 1..M: node k gets the next boundary and its rank.
            b += "    float e[M + 1] __attribute__((aligned(64)));\n    int rank[M + 1];\n    {\n"
                 "        int k = 1;\n        while (2 * k <= M) k *= 2;\n        for (int r = 0; r < M; ++r) {\n"
                 "            e[k] = bnd[r];\n            rank[k] = r;\n            if (2 * k + 1 <= M) {\n"
                 "                k = 2 * k + 1;\n                while (2 * k <= M) k *= 2;\n            } else {\n"
                 "                while (k & 1) k >>= 1;\n                k >>= 1;\n            }\n        }\n    }\n";
        if (method == 3) b += "    float cix[NC];\n    for (int t = 0; t < NC; ++t) cix[t] = bnd[t * S + S - 1];\n";
        // The search of one query v into int r, at indent in (G = 1).
        const auto one = [&](const std::string& in) -> std::string {
            switch (method) {
                case 0:
                    return in + "int lo = 0, hi = M;\n" + in + "while (lo < hi) {\n" + in +
                           "    const int mid = (lo + hi) >> 1;\n" + in + "    if (bnd[mid] < v)\n" + in +
                           "        lo = mid + 1;\n" + in + "    else\n" + in + "        hi = mid;\n" + in + "}\n" +
                           in + "const int r = lo;\n";
                case 1:
                    return in + "int base = 0;\n" + in + "for (int n = M; n > 1; n -= n >> 1) {\n" + in +
                           "    const int half = n >> 1;\n" + in +
                           "    base = bnd[base + half] < v ? base + half : base;\n" + in + "}\n" + in +
                           "const int r = base + (bnd[base] < v);\n";
                case 2:
                    return in + "int k = 1;\n" + in + "for (int l = 0; l < LEVELS; ++l) {\n" +
                           (prefetch ? in + "    __builtin_prefetch(e + (16 * k < M ? 16 * k : M));\n" : "") + in +
                           "    k = 2 * k + (e[k] < v);\n" + in + "}\n" + in + "if (k <= M) k = 2 * k + (e[k] < v);\n" +
                           in + "k >>= __builtin_ffs(~k);\n" + in + "const int r = k ? rank[k] : M;\n";
                case 3:
                    return in + "int base = 0;\n" + in + "for (int n = NC; n > 1; n -= n >> 1) {\n" + in +
                           "    const int half = n >> 1;\n" + in +
                           "    base = cix[base + half] < v ? base + half : base;\n" + in + "}\n" + in +
                           "const int cb = base + (cix[base] < v);\n" + in +
                           "const float *restrict p = bnd + cb * S;\n" + in + "int c = 0;\n" +
                           (scan ? in + "while (p[c] < v) ++c;\n"
                                 : in + "for (int u = 0; u < S; ++u) c += p[u] < v;\n") +
                           in + "const int r = cb * S + c;\n";
                default: return "";
            }
        };
        // The lockstep search of the G queries v[u] into their positions' outputs, at indent in.
        const auto group = [&](const std::string& in) -> std::string {
            if (method == 1)
                return in + "int base[G];\n" + in + "for (int u = 0; u < G; ++u) base[u] = 0;\n" + in +
                       "for (int n = M; n > 1; n -= n >> 1) {\n" + in + "    const int half = n >> 1;\n" + in +
                       "    for (int u = 0; u < G; ++u)\n" + in +
                       "        base[u] = bnd[base[u] + half] < v[u] ? base[u] + half : base[u];\n" + in + "}\n" + in +
                       "for (int u = 0; u < G; ++u) out[qi[u]] = base[u] + (bnd[base[u]] < v[u]);\n";
            return in + "int k[G];\n" + in + "for (int u = 0; u < G; ++u) k[u] = 1;\n" + in +
                   "for (int l = 0; l < LEVELS; ++l)\n" + in + "    for (int u = 0; u < G; ++u) {\n" +
                   (prefetch ? in + "        __builtin_prefetch(e + (16 * k[u] < M ? 16 * k[u] : M));\n" : "") + in +
                   "        k[u] = 2 * k[u] + (e[k[u]] < v[u]);\n" + in + "    }\n" + in +
                   "for (int u = 0; u < G; ++u) {\n" + in + "    int kk = k[u];\n" + in +
                   "    if (kk <= M) kk = 2 * kk + (e[kk] < v[u]);\n" + in + "    kk >>= __builtin_ffs(~kk);\n" + in +
                   "    out[qi[u]] = kk ? rank[kk] : M;\n" + in + "}\n";
        };
        if (!sorted) {
            if (g == 1)
                b += "    for (int i = 0; i < N; ++i) {\n        const float v = q[i];\n" + one("        ") +
                     "        out[i] = r;\n    }\n";
            else
                b += "    for (int i0 = 0; i0 < N; i0 += G) {\n        int qi[G];\n        float v[G];\n"
                     "        for (int u = 0; u < G; ++u) {\n            qi[u] = i0 + u;\n            v[u] = q[i0 + "
                     "u];\n"
                     "        }\n" +
                     group("        ") + "    }\n";
        } else {
            // Each block's (key, position) pairs: the float's bits made order-preserving as unsigned.
            b += "    unsigned ka[SB], kb[SB];\n    int ia[SB], ib[SB];\n"
                 "    for (int b0 = 0; b0 < N; b0 += SB) {\n        for (int t = 0; t < SB; ++t) {\n"
                 "            unsigned bits;\n            __builtin_memcpy(&bits, q + b0 + t, 4);\n"
                 "            ka[t] = bits ^ (-(bits >> 31) | 0x80000000u);\n            ia[t] = t;\n        }\n"
                 "        unsigned *ks = ka, *kd = kb;\n        int *is = ia, *id = ib;\n"
                 "        for (int sh = 0; sh < 32; sh += 8) {\n            int off[257];\n"
                 "            for (int c = 0; c < 257; ++c) off[c] = 0;\n"
                 "            for (int t = 0; t < SB; ++t) ++off[((ks[t] >> sh) & 255u) + 1];\n"
                 "            for (int c = 1; c < 257; ++c) off[c] += off[c - 1];\n"
                 "            for (int t = 0; t < SB; ++t) {\n                const int p = off[(ks[t] >> sh) & "
                 "255u]++;\n"
                 "                kd[p] = ks[t];\n                id[p] = is[t];\n            }\n"
                 "            unsigned *tk = ks;\n            ks = kd;\n            kd = tk;\n"
                 "            int *ti = is;\n            is = id;\n            id = ti;\n        }\n";
            if (method == 4)
                b += "        int j = 0;\n        for (int t = 0; t < SB; ++t) {\n"
                     "            const int qi = b0 + is[t];\n            const float v = q[qi];\n"
                     "            while (bnd[j] < v) ++j;\n            out[qi] = j;\n        }\n";
            else if (g == 1)
                b += "        for (int t = 0; t < SB; ++t) {\n            const int qi = b0 + is[t];\n"
                     "            const float v = q[qi];\n" +
                     one("            ") + "            out[qi] = r;\n        }\n";
            else
                b += "        for (int t0 = 0; t0 < SB; t0 += G) {\n            int qi[G];\n            float v[G];\n"
                     "            for (int u = 0; u < G; ++u) {\n                qi[u] = b0 + is[t0 + u];\n"
                     "                v[u] = q[qi[u]];\n            }\n" +
                     group("            ") + "        }\n";
            b += "    }\n";
        }
        return kernel(d, "const float *restrict x, const float *restrict q, int *restrict out", b);
    });
}

/// A 3x3 stride-1 valid convolution over NHWC by Winograd F(2x2, 3x3) (the fast-convolution path
/// of cuDNN, oneDNN, NNPACK): every 4x4 input patch (2 pixels apart) transformed by B^T d B per
/// channel, every 3x3 filter by G g G^T (precomputed by the kernel, the same code in every
/// variant), 16 GEMMs over the channels (one per transform element e: M[e][tile][k] = sum over c of
/// V[e][tile][c] U[e][c][k]), then the 2x2 outputs of a tile by A^T M A. Knobs: tiles per batch
/// (1: fused per tile, the tile's transform in a local and the GEMM feeding the output transform
/// directly; a row of tiles, or three rows: separate passes through scratch buffers V and M, the
/// batch's input transform, its 16 GEMMs, its output transform); the scratch layout (tile-major,
/// [t][e][c], or transform-element-major, [e][t][c]: each GEMM over contiguous rows; for one tile,
/// v[e][c] or v[c][e]); the GEMM form (dot products down c, the filter transform stored [e][k][c];
/// or axpy rows along k, stored [e][c][k], vectorisable); the channel block (all C, or blocks of 8
/// outermost in a batch's GEMM, the sums carried in M); vectorisation. The transforms are fixed
/// expressions, evaluated in the same order everywhere, and every GEMM sum adds its channels in
/// order from zero: bit-identical.
std::vector<Variant> winograd_f2x3(const Workload& w) {
    const int C = w.dim("C"), OH = w.dim("H") - 2, OW = w.dim("W") - 2, TW = OW / 2;
    const std::vector<Knob> knobs{{"tb", "tb", {1, TW, 3 * TW}},
                                  {"layout", "l", {0, 1}},
                                  {"gemm", "g", {0, 1}},
                                  {"cb", "cb", tiles_of(C, {8})},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tb = k.at("tb"), cb = k.at("cb");
        const bool elem_major = k.at("layout") == 1, axpy = k.at("gemm") == 1, blocked = cb != C;
        if (tb == 1 && blocked) return std::nullopt; // one tile's GEMMs are all in L1
        std::string d =
            dim_defines(w, {{"OH", OH}, {"OW", OW}, {"TW", TW}, {"NT", (OH / 2) * TW}, {"TB", tb}, {"CB", cb}});
        d += "/* v[e * es] = (B^T d B)[e] of the 4x4 patch at p, rows rs and columns cs apart */\n"
             "static inline void wino_in(const float *restrict p, int rs, int cs, float *restrict v, int es) {\n"
             "    float t[16];\n    for (int j = 0; j < 4; ++j) {\n"
             "        const float d0 = p[j * cs], d1 = p[rs + j * cs], d2 = p[2 * rs + j * cs], d3 = p[3 * rs + j * "
             "cs];\n"
             "        t[j] = d0 - d2;\n        t[4 + j] = d1 + d2;\n        t[8 + j] = d2 - d1;\n"
             "        t[12 + j] = d1 - d3;\n    }\n"
             "    for (int i = 0; i < 4; ++i) {\n        const float *r = t + 4 * i;\n"
             "        v[(4 * i) * es] = r[0] - r[2];\n        v[(4 * i + 1) * es] = r[1] + r[2];\n"
             "        v[(4 * i + 2) * es] = r[2] - r[1];\n        v[(4 * i + 3) * es] = r[1] - r[3];\n    }\n}\n"
             "/* u[e * es] = (G g G^T)[e] of the 3x3 filter at g, rows rs and columns cs apart */\n"
             "static inline void wino_filter(const float *restrict g, int rs, int cs, float *restrict u, int es) {\n"
             "    float t[12];\n    for (int j = 0; j < 3; ++j) {\n"
             "        const float g0 = g[j * cs], g1 = g[rs + j * cs], g2 = g[2 * rs + j * cs];\n"
             "        t[j] = g0;\n        t[3 + j] = 0.5f * (g0 + g1 + g2);\n        t[6 + j] = 0.5f * (g0 - g1 + "
             "g2);\n        t[9 + j] = g2;\n    }\n"
             "    for (int i = 0; i < 4; ++i) {\n        const float *r = t + 3 * i;\n"
             "        u[(4 * i) * es] = r[0];\n        u[(4 * i + 1) * es] = 0.5f * (r[0] + r[1] + r[2]);\n"
             "        u[(4 * i + 2) * es] = 0.5f * (r[0] - r[1] + r[2]);\n        u[(4 * i + 3) * es] = r[2];\n"
             "    }\n}\n"
             "/* the 2x2 outputs A^T m A (m[e * ms]) at o, o + cs, o + rs, o + rs + cs */\n"
             "static inline void wino_out(const float *restrict m, int ms, float *restrict o, int rs, int cs) {\n"
             "    float r0[4], r1[4];\n    for (int j = 0; j < 4; ++j) {\n"
             "        const float m0 = m[j * ms], m1 = m[(4 + j) * ms], m2 = m[(8 + j) * ms], m3 = m[(12 + j) * ms];\n"
             "        r0[j] = m0 + m1 + m2;\n        r1[j] = m1 - m2 - m3;\n    }\n"
             "    o[0] = r0[0] + r0[1] + r0[2];\n    o[cs] = r0[1] - r0[2] - r0[3];\n"
             "    o[rs] = r1[0] + r1[1] + r1[2];\n    o[rs + cs] = r1[1] - r1[2] - r1[3];\n}\n";
        // The filter transform: U[e][k][c] for dot products, U[e][c][k] for axpy rows.
        std::string b =
            "    float U[16 * C * K];\n    for (int c = 0; c < C; ++c)\n        for (int k = 0; k < K; ++k)\n"
            "            wino_filter(F + c * K + k, 3 * C * K, C * K, U + " +
            std::string(axpy ? "c * K + k" : "k * C + c") + ", C * K);\n";
        if (tb == 1) {
            d += elem_major ? "#define VI(e, c) ((c) * 16 + (e))\n#define VES 1\n"
                            : "#define VI(e, c) ((e) * C + (c))\n#define VES C\n";
            b += "    for (int ty = 0; ty < OH / 2; ++ty)\n        for (int tx = 0; tx < TW; ++tx) {\n"
                 "            float v[16 * C];\n"
                 "            for (int c = 0; c < C; ++c) wino_in(I + (2 * ty * W + 2 * tx) * C + c, W * C, C, v + "
                 "VI(0, c), VES);\n"
                 "            float *restrict o = O + (2 * ty * OW + 2 * tx) * K;\n";
            if (!axpy)
                b += "            for (int k = 0; k < K; ++k) {\n                float m[16];\n"
                     "                for (int e = 0; e < 16; ++e) {\n"
                     "                    const float *restrict u = U + (e * K + k) * C;\n"
                     "                    float s = 0.0f;\n"
                     "                    for (int c = 0; c < C; ++c) s += v[VI(e, c)] * u[c];\n"
                     "                    m[e] = s;\n                }\n"
                     "                wino_out(m, 1, o + k, OW * K, K);\n            }\n";
            else
                b += "            float m[16 * K];\n            for (int q = 0; q < 16 * K; ++q) m[q] = 0.0f;\n"
                     "            for (int e = 0; e < 16; ++e)\n                for (int c = 0; c < C; ++c) {\n"
                     "                    const float a = v[VI(e, c)];\n"
                     "                    const float *restrict u = U + (e * C + c) * K;\n"
                     "                    float *restrict me = m + e * K;\n"
                     "                    for (int k = 0; k < K; ++k) me[k] += a * u[k];\n                }\n"
                     "            for (int k = 0; k < K; ++k) wino_out(m + k, K, o + k, OW * K, K);\n";
            b += "        }\n";
        } else {
            d += elem_major ? "#define VI(t, e, c) (((e) * TB + (t)) * C + (c))\n#define VES (TB * C)\n"
                              "#define MI(t, e, k) (((e) * TB + (t)) * K + (k))\n#define MES (TB * K)\n"
                            : "#define VI(t, e, c) (((t) * 16 + (e)) * C + (c))\n#define VES C\n"
                              "#define MI(t, e, k) (((t) * 16 + (e)) * K + (k))\n#define MES K\n";
            b += "    float V[TB * 16 * C], M[TB * 16 * K];\n    for (int t0 = 0; t0 < NT; t0 += TB) {\n"
                 "        for (int t = 0; t < TB; ++t) {\n"
                 "            const int ty = (t0 + t) / TW, tx = (t0 + t) % TW;\n"
                 "            for (int c = 0; c < C; ++c)\n"
                 "                wino_in(I + (2 * ty * W + 2 * tx) * C + c, W * C, C, V + VI(t, 0, c), VES);\n"
                 "        }\n";
            if (axpy || blocked) b += "        for (int q = 0; q < TB * 16 * K; ++q) M[q] = 0.0f;\n";
            std::string in = "        ";
            b += in + "for (int e = 0; e < 16; ++e)\n";
            in += "    ";
            if (blocked) {
                b += in + "for (int c0 = 0; c0 < C; c0 += CB)\n";
                in += "    ";
            }
            b += in + "for (int t = 0; t < TB; ++t) {\n";
            if (!blocked) b += in + "    const int c0 = 0;\n";
            b += in + "    float *restrict m = M + MI(t, e, 0);\n";
            if (!axpy)
                b += in + "    const float *restrict v = V + VI(t, e, c0);\n" + in +
                     "    for (int k = 0; k < K; ++k) {\n" + in +
                     "        const float *restrict u = U + (e * K + k) * C + c0;\n" + in +
                     "        float s = " + (blocked ? "m[k]" : "0.0f") + ";\n" + in +
                     "        for (int c = 0; c < CB; ++c) s += v[c] * u[c];\n" + in + "        m[k] = s;\n" + in +
                     "    }\n";
            else
                b += in + "    for (int c = c0; c < c0 + CB; ++c) {\n" + in +
                     "        const float a = V[VI(t, e, c)];\n" + in +
                     "        const float *restrict u = U + (e * C + c) * K;\n" + in +
                     "        for (int k = 0; k < K; ++k) m[k] += a * u[k];\n" + in + "    }\n";
            b += in + "}\n";
            b += "        for (int t = 0; t < TB; ++t) {\n"
                 "            const int ty = (t0 + t) / TW, tx = (t0 + t) % TW;\n"
                 "            for (int k = 0; k < K; ++k)\n"
                 "                wino_out(M + MI(t, 0, k), MES, O + (2 * ty * OW + 2 * tx) * K + k, OW * K, K);\n"
                 "        }\n    }\n";
        }
        return kernel(d, conv_signature, b);
    });
}

/// GroupNorm over NHWC (diffusion U-Nets, detection heads, small-batch vision): the C channels in
/// G groups of C/G, each group's mean and variance over every pixel and its channels, then y = (x -
/// mean) * rstd * gamma[c] + beta[c], rstd = 1 / sqrt(var + eps). Knobs: the loop nesting of the two
/// statistics passes (mean, then the squared deviations from it; group-outer, one sum per group down
/// the strided image, one long dependent chain at a time; pixel-outer, every group's sum advanced per
/// pixel in a G-array, G chains interleaved; pixel blocks of 64 with the groups inside), the apply
/// pass (pixel-outer over all channels; group-outer; or pixel-outer in two passes, normalise then
/// the affine), rstd computed once per group or per element (the same expression: the same value),
/// vectorisation (of the apply pass; of the sums only across groups, as GCC does for the
/// pixel-outer nesting at -O3, a lane per group and its chain in order). Every group's sums add its
/// elements in memory order from zero, each output is ((x - mean) * rstd) * gamma + beta:
/// bit-identical.
std::vector<Variant> group_norm_nhwc(const Workload& w) {
    const std::vector<Knob> knobs{
        {"stats", "s", {0, 1, 2}}, {"apply", "a", {0, 1, 2}}, {"rstd", "r", {0, 1}}, vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int stats = k.at("stats"), apply = k.at("apply");
            const std::string rs = k.at("rstd") == 1 ? "rs[g]" : "(1.0f / __builtin_sqrtf(var[g] + EPS))";
            std::string b = "    float mean[G], var[G], rs[G];\n";
            // One statistics pass: the sum over a group of `term` (of the element v) into out[g] / NG.
            const auto pass = [&](const std::string& term, const std::string& out) {
                const std::string elem = "x[p * C + g * CG + c]";
                if (stats == 0)
                    return "    for (int g = 0; g < G; ++g) {\n        float s = 0.0f;\n"
                           "        for (int p = 0; p < P; ++p)\n            for (int c = 0; c < CG; ++c) {\n"
                           "                const float v = " +
                           elem + ";\n                s += " + term + ";\n            }\n        " + out +
                           "[g] = s / (float)NG;\n    }\n";
                std::string r = "    {\n        float sum[G];\n        for (int g = 0; g < G; ++g) sum[g] = 0.0f;\n";
                if (stats == 1)
                    r += "        for (int p = 0; p < P; ++p)\n            for (int g = 0; g < G; ++g)\n"
                         "                for (int c = 0; c < CG; ++c) {\n                    const float v = " +
                         elem + ";\n                    sum[g] += " + term + ";\n                }\n";
                else
                    r += "        for (int p0 = 0; p0 < P; p0 += TP)\n            for (int g = 0; g < G; ++g) {\n"
                         "                float s = sum[g];\n                for (int p = p0; p < p0 + TP; ++p)\n"
                         "                    for (int c = 0; c < CG; ++c) {\n                        const float v "
                         "= " +
                         elem + ";\n                        s += " + term +
                         ";\n                    }\n"
                         "                sum[g] = s;\n            }\n";
                return r + "        for (int g = 0; g < G; ++g) " + out + "[g] = sum[g] / (float)NG;\n    }\n";
            };
            b += pass("v", "mean");
            b += pass("(v - mean[g]) * (v - mean[g])", "var");
            b += "    for (int g = 0; g < G; ++g) rs[g] = 1.0f / __builtin_sqrtf(var[g] + EPS);\n";
            if (apply == 1)
                b += "    for (int g = 0; g < G; ++g)\n        for (int p = 0; p < P; ++p)\n"
                     "            for (int c = g * CG; c < g * CG + CG; ++c)\n"
                     "                y[p * C + c] = (x[p * C + c] - mean[g]) * " +
                     rs + " * gamma[c] + beta[c];\n";
            else if (apply == 0)
                b += "    for (int p = 0; p < P; ++p)\n        for (int c = 0; c < C; ++c) {\n"
                     "            const int g = c / CG;\n            y[p * C + c] = (x[p * C + c] - mean[g]) * " +
                     rs + " * gamma[c] + beta[c];\n        }\n";
            else
                b += "    for (int p = 0; p < P; ++p)\n        for (int c = 0; c < C; ++c) {\n"
                     "            const int g = c / CG;\n            y[p * C + c] = (x[p * C + c] - mean[g]) * " +
                     rs +
                     ";\n        }\n    for (int p = 0; p < P; ++p)\n"
                     "        for (int c = 0; c < C; ++c) y[p * C + c] = y[p * C + c] * gamma[c] + beta[c];\n";
            const int P = w.dim("H") * w.dim("W"), CG = w.dim("C") / w.dim("G");
            return kernel(dim_defines(w, {{"P", P}, {"CG", CG}, {"NG", P * CG}, {"TP", 64}}) + "#define EPS 1e-5f\n",
                          "const float *restrict x, const float *restrict gamma, const float *restrict beta, float "
                          "*restrict y",
                          b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// Greedy non-maximum suppression (object detection's post-processing, torchvision.ops.nms) of N
/// boxes already in descending score order (sorted upstream): box i, built by the kernel from four
/// inputs (corner x1, y1; width and height 0.1 + 0.4 |r|), is a candidate if its score passes a
/// threshold, and is kept unless an earlier kept box overlaps it with IoU > 0.4; the i32 keep mask
/// out. Knobs: the algorithm (a greedy scan, each kept box suppressing the later live boxes; or a
/// full upper-triangular IoU bit matrix, 32 boxes to a word, then a sequential pass OR-ing the kept
/// rows into a removed mask, as the GPU kernels do), the box layout (AoS, five floats a box with the
/// area, or SoA), branchy or branch-free tests (greedy: skipping dead boxes and branching on the IoU,
/// or masking every later box's flag; bit matrix: a branch per bit, or a word's 32 flags computed
/// into an array, a loop that vectorises, then packed), blocks
/// of 8 or 16 boxes (greedy: the block resolved among itself, then every later box tested against
/// the block's kept boxes, box-outer; bit matrix: the block's rows computed word by word),
/// vectorisation. IoU is one expression everywhere, inter / (area_i + area_j - inter), compared by a
/// strict >, and which earlier kept box suppresses a box does not matter: identical masks.
std::vector<Variant> nms_boxes(const Workload& w) {
    const std::vector<Knob> knobs{{"alg", "a", {0, 1}},
                                  {"layout", "l", {0, 1}},
                                  {"branchfree", "b", {0, 1}},
                                  {"block", "tb", {1, 8, 16}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tb = k.at("block");
        const bool bitmask = k.at("alg") == 1, soa = k.at("layout") == 1, branchfree = k.at("branchfree") == 1;
        std::string d = dim_defines(w, {{"NW", w.dim("N") / 32}, {"TB", tb}}) +
                        "#define THR 0.4f\n#define STHR -0.5f\n"
                        "static inline float iou(float ax1, float ay1, float ax2, float ay2, float aa, float bx1,\n"
                        "                        float by1, float bx2, float by2, float ba) {\n"
                        "    const float xx1 = ax1 > bx1 ? ax1 : bx1, yy1 = ay1 > by1 ? ay1 : by1;\n"
                        "    const float xx2 = ax2 < bx2 ? ax2 : bx2, yy2 = ay2 < by2 ? ay2 : by2;\n"
                        "    const float iw = xx2 - xx1, ih = yy2 - yy1;\n"
                        "    const float inter = (iw > 0.0f ? iw : 0.0f) * (ih > 0.0f ? ih : 0.0f);\n"
                        "    return inter / (aa + ba - inter);\n}\n"
                        "#define IOU(i, j) iou(X1(i), Y1(i), X2(i), Y2(i), AR(i), X1(j), Y1(j), X2(j), Y2(j), AR(j))\n";
        std::string b;
        if (soa) {
            d += "#define X1(i) bx1[i]\n#define Y1(i) by1[i]\n#define X2(i) bx2[i]\n#define Y2(i) by2[i]\n"
                 "#define AR(i) ar[i]\n";
            b += "    float bx1[N], by1[N], bx2[N], by2[N], ar[N];\n";
        } else {
            d += "#define X1(i) bx[5 * (i)]\n#define Y1(i) bx[5 * (i) + 1]\n#define X2(i) bx[5 * (i) + 2]\n"
                 "#define Y2(i) bx[5 * (i) + 3]\n#define AR(i) bx[5 * (i) + 4]\n";
            b += "    float bx[5 * N];\n";
        }
        b += "    for (int i = 0; i < N; ++i) {\n        const float x1 = boxes[4 * i], y1 = boxes[4 * i + 1];\n"
             "        const float x2 = x1 + (0.1f + 0.4f * __builtin_fabsf(boxes[4 * i + 2]));\n"
             "        const float y2 = y1 + (0.1f + 0.4f * __builtin_fabsf(boxes[4 * i + 3]));\n"
             "        X1(i) = x1;\n        Y1(i) = y1;\n        X2(i) = x2;\n        Y2(i) = y2;\n"
             "        AR(i) = (x2 - x1) * (y2 - y1);\n        keep[i] = scores[i] > STHR;\n    }\n";
        // Box i suppressing the live boxes j in [from, to), at indent `in`.
        const auto suppress = [&](const std::string& from, const std::string& to, const std::string& in) {
            if (branchfree)
                return in + "for (int j = " + from + "; j < " + to + "; ++j) keep[j] &= !(IOU(i, j) > THR);\n";
            return in + "for (int j = " + from + "; j < " + to + "; ++j) {\n" + in + "    if (!keep[j]) continue;\n" +
                   in + "    if (IOU(i, j) > THR) keep[j] = 0;\n" + in + "}\n";
        };
        if (!bitmask) {
            if (tb == 1) {
                b += "    for (int i = 0; i < N; ++i) {\n        if (!keep[i]) continue;\n" +
                     suppress("i + 1", "N", "        ") + "    }\n";
            } else {
                b += "    for (int i0 = 0; i0 < N; i0 += TB) {\n        for (int i = i0; i < i0 + TB; ++i) {\n"
                     "            if (!keep[i]) continue;\n" +
                     suppress("i + 1", "i0 + TB", "            ") + "        }\n";
                if (branchfree)
                    b += "        for (int j = i0 + TB; j < N; ++j) {\n            int s = 0;\n"
                         "            for (int i = i0; i < i0 + TB; ++i) s |= keep[i] & (IOU(i, j) > THR);\n"
                         "            keep[j] &= !s;\n        }\n";
                else
                    b += "        for (int j = i0 + TB; j < N; ++j) {\n            if (!keep[j]) continue;\n"
                         "            for (int i = i0; i < i0 + TB; ++i)\n"
                         "                if (keep[i] && IOU(i, j) > THR) {\n                    keep[j] = 0;\n"
                         "                    break;\n                }\n        }\n";
                b += "    }\n";
            }
        } else {
            // Word w of row i: bit b for box j = 32 w + b, set if j > i and the IoU passes.
            const std::string word = branchfree ? "{0}int f[32];\n{0}for (int b = 0; b < 32; ++b) {{\n"
                                                  "{0}    const int j = w * 32 + b;\n"
                                                  "{0}    f[b] = (j > i) & (IOU(i, j) > THR);\n{0}}}\n"
                                                  "{0}unsigned bits = 0u;\n"
                                                  "{0}for (int b = 0; b < 32; ++b) bits |= (unsigned)f[b] << b;\n"
                                                  "{0}mask[i * NW + w] = bits;\n"
                                                : "{0}unsigned bits = 0u;\n{0}for (int b = 0; b < 32; ++b) {{\n"
                                                  "{0}    const int j = w * 32 + b;\n"
                                                  "{0}    if (j > i && IOU(i, j) > THR) bits |= 1u << b;\n{0}}}\n"
                                                  "{0}mask[i * NW + w] = bits;\n";
            b += "    unsigned mask[N * NW];\n";
            if (tb == 1)
                b += "    for (int i = 0; i < N; ++i)\n        for (int w = i / 32; w < NW; ++w) {\n" +
                     fmt::format(fmt::runtime(word), "            ") + "        }\n";
            else
                b += "    for (int i0 = 0; i0 < N; i0 += TB)\n        for (int w = i0 / 32; w < NW; ++w)\n"
                     "            for (int i = i0; i < i0 + TB; ++i) {\n" +
                     fmt::format(fmt::runtime(word), "                ") + "            }\n";
            b += "    unsigned remv[NW];\n    for (int w = 0; w < NW; ++w) remv[w] = 0u;\n"
                 "    for (int i = 0; i < N; ++i) {\n        if (!keep[i]) continue;\n"
                 "        if ((remv[i / 32] >> (i % 32)) & 1u) {\n            keep[i] = 0;\n            continue;\n"
                 "        }\n        for (int w = i / 32; w < NW; ++w) remv[w] |= mask[i * NW + w];\n    }\n";
        }
        return kernel(d, "const float *restrict boxes, const float *restrict scores, int *restrict keep", b);
    });
}

/// Batched tridiagonal solves (the line solves of ADI schemes, cubic-spline fitting, implicit
/// diffusion), NB independent systems of N unknowns, each a[i] x[i-1] + (b[i] + 4) x[i] + c[i]
/// x[i+1] = d[i] (a[0] and c[N-1] unused; the 4 makes every system strictly diagonally dominant),
/// stored system after system, by the Thomas algorithm: c'[0] = c[0] / b0, d'[0] = d[0] / b0, then
/// m = (b[i] + 4) - a[i] c'[i-1], c'[i] = c[i] / m, d'[i] = (d[i] - a[i] d'[i-1]) / m, and the back
/// substitution x[i] = d'[i] - c'[i] x[i+1]. Each sweep is a dependency chain through a division;
/// only independent systems run in parallel. Knobs: the layout (the systems solved in place in the
/// system-major buffers; or each block of systems transposed into interleaved scratch arrays,
/// element i of the block's systems contiguous, solved there and transposed back: the batch loop
/// then vectorises), the block of systems advanced in lockstep (1, 4, 8, 16: in the system-major
/// layout the lockstep loop strides by a row), where c' and d' live (scratch arrays of their own;
/// d' in the solution itself, substituted in place; or both overwriting a copy of c and d, as
/// LAPACK's gtsv overwrites its inputs), vectorisation. Every system takes the same operations in
/// the same order in every schedule, divisions included: bit-identical.
std::vector<Variant> tridiag_batched(const Workload& w) {
    const std::vector<Knob> knobs{
        {"layout", "l", {0, 1}}, {"tb", "tb", {1, 4, 8, 16}}, {"store", "s", {0, 1, 2}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool inter = k.at("layout") == 1;
        const int tb = k.at("tb"), store = k.at("store");
        if (inter && tb == 1) return std::nullopt; // an interleaved block of one system is a copy
        std::string d, b;
        // Element i of system s of the block: in the buffers, or in a block-interleaved scratch.
        const auto at = [&](const std::string& name, const std::string& arr) {
            d += inter ? fmt::format("#define {}(s, i) {}[(i) * TB + (s)]\n", name, arr)
                       : fmt::format("#define {}(s, i) {}[(s) * N + (i)]\n", name, arr);
        };
        const auto global = [&](const std::string& name, const std::string& arr) {
            d += fmt::format("#define {}(s, i) {}[(s0 + (s)) * N + (i)]\n", name, arr);
        };
        b += "    for (int s0 = 0; s0 < NB; s0 += TB) {\n";
        if (inter) {
            b += "        float ai[N * TB], bi[N * TB], ci[N * TB], di[N * TB];\n"
                 "        for (int s = 0; s < TB; ++s)\n            for (int i = 0; i < N; ++i) {\n"
                 "                ai[i * TB + s] = A[(s0 + s) * N + i];\n"
                 "                bi[i * TB + s] = B[(s0 + s) * N + i];\n"
                 "                ci[i * TB + s] = C[(s0 + s) * N + i];\n"
                 "                di[i * TB + s] = D[(s0 + s) * N + i];\n            }\n";
            at("AA", "ai");
            at("BB", "bi");
            at("CC", "ci");
            at("DD", "di");
            if (store == 0) {
                b += "        float cp[N * TB], dp[N * TB], xi[N * TB];\n";
                at("CP", "cp");
                at("DP", "dp");
                at("XX", "xi");
            } else if (store == 1) {
                b += "        float cp[N * TB], xi[N * TB];\n";
                at("CP", "cp");
                at("DP", "xi");
                at("XX", "xi");
            } else {
                at("CP", "ci");
                at("DP", "di");
                at("XX", "di");
            }
        } else {
            global("AA", "A");
            global("BB", "B");
            global("XX", "X");
            if (store == 2) {
                b += "        float cc[TB * N], dd[TB * N];\n"
                     "        for (int s = 0; s < TB; ++s)\n            for (int i = 0; i < N; ++i) {\n"
                     "                cc[s * N + i] = C[(s0 + s) * N + i];\n"
                     "                dd[s * N + i] = D[(s0 + s) * N + i];\n            }\n";
                at("CC", "cc");
                at("DD", "dd");
                at("CP", "cc");
                at("DP", "dd");
            } else {
                global("CC", "C");
                global("DD", "D");
                b += store == 0 ? "        float cp[TB * N], dp[TB * N];\n" : "        float cp[TB * N];\n";
                at("CP", "cp");
                if (store == 0) at("DP", "dp");
                else global("DP", "X");
            }
        }
        // One statement for every system of the block (in lockstep), or for the block's one system.
        const auto each = [&](const std::string& in, std::string stmt) {
            if (tb == 1)
                for (std::size_t p; (p = stmt.find("(s,")) != std::string::npos;) stmt.replace(p, 3, "(0,");
            const std::string ind = tb == 1 ? in : in + "    ";
            std::string lines;
            for (std::size_t from = 0, to; from < stmt.size(); from = to + 2) {
                to = stmt.find("; ", from);
                if (to == std::string::npos) to = stmt.size() - 1;
                lines += ind + stmt.substr(from, to - from) + ";\n";
            }
            if (tb == 1) return lines;
            return in + "for (int s = 0; s < TB; ++s) {\n" + lines + in + "}\n";
        };
        b += each("        ", "const float m = BB(s, 0) + 4.0f; CP(s, 0) = CC(s, 0) / m; DP(s, 0) = DD(s, 0) / m;");
        b += "        for (int i = 1; i < N; ++i) {\n" +
             each("            ", "const float m = (BB(s, i) + 4.0f) - AA(s, i) * CP(s, i - 1); CP(s, i) = CC(s, i) "
                                  "/ m; DP(s, i) = (DD(s, i) - AA(s, i) * DP(s, i - 1)) / m;") +
             "        }\n";
        b += each("        ", "XX(s, N - 1) = DP(s, N - 1);");
        b += "        for (int i = N - 2; i >= 0; --i) {\n" +
             each("            ", "XX(s, i) = DP(s, i) - CP(s, i) * XX(s, i + 1);") + "        }\n";
        if (inter)
            b += "        for (int s = 0; s < TB; ++s)\n"
                 "            for (int i = 0; i < N; ++i) X[(s0 + s) * N + i] = XX(s, i);\n";
        b += "    }\n";
        return kernel(dim_defines(w, {{"TB", tb}}) + d,
                      "const float *restrict A, const float *restrict B, const float *restrict C, const float "
                      "*restrict D, float *restrict X",
                      b);
    });
}

/// Levenshtein edit distance (sequence alignment's dynamic program: DNA reads, spelling, diffs)
/// for P pairs of token sequences of lengths LA and LB: D[i][0] = i, D[0][j] = j, D[i][j] =
/// min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + (a[i-1] != b[j-1])); the output is each pair's
/// last row D[LA][0..LB] (the distance last). Tokens come from a 4-letter alphabet: a[i] a hash of
/// the i32 input and i; b[j] is a[j LA / LB] (b stretched from a) except where a hash of the input
/// and j mutates it (one in 8), so the pairs are related, as aligned sequences are. Knobs: the
/// method (the full (LA+1) x (LB+1) matrix row by row; two rolling rows; one row with the diagonal
/// and left values in registers; or anti-diagonal wavefronts over three rolling diagonals, b
/// reversed into a scratch first, whose cells are independent: vectorisable), column strips of 16
/// or 64 (rows swept strip by strip, the strip's left boundary column kept in an array; not for
/// the wavefront), the cell as a branch (a match copies the diagonal, the DP's identity, else one
/// plus the minimum of three) or branch-free (the three-way minimum by selects), vectorisation.
/// Integers: bit-identical.
std::vector<Variant> edit_distance(const Workload& w) {
    const int LB = w.dim("LB");
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2, 3}}, {"tc", "tc", tiles_of(LB, {16, 64})}, {"branchfree", "b", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), tc = k.at("tc");
        if (method == 3 && tc != LB) return std::nullopt; // strips of a wavefront: not offered
        const bool strips = tc != LB;
        // The cell from up, left, dg and the tokens ta, tb into v.
        const auto cell = [&](const std::string& in) {
            return k.at("branchfree") == 0
                       ? in + "int v;\n" + in + "if (ta == tb) v = dg;\n" + in + "else {\n" + in + "    v = dg;\n" +
                             in + "    if (up < v) v = up;\n" + in + "    if (left < v) v = left;\n" + in +
                             "    v += 1;\n" + in + "}\n"
                       : in + "const int c = dg + (ta != tb);\n" + in + "const int m = (up < left ? up : left) + 1;\n" +
                             in + "const int v = m < c ? m : c;\n";
        };
        std::string b = "    for (int p = 0; p < P; ++p) {\n        int sa[LA], sb[LB];\n"
                        "        for (int i = 0; i < LA; ++i) sa[i] = (int)(((unsigned)S[p * LA + i] * 2654435761u + "
                        "(unsigned)i * 2246822519u) >> 30);\n"
                        "        for (int j = 0; j < LB; ++j) {\n"
                        "            const unsigned h = (unsigned)T[p * LB + j] * 2654435761u + (unsigned)j * "
                        "2246822519u;\n"
                        "            sb[j] = (h >> 29) == 0u ? (int)(h >> 27) : sa[j * LA / LB];\n        }\n"
                        "        int *restrict o = out + p * (LB + 1);\n";
        const std::string j0 = strips ? "j0" : "0";
        if (strips && method != 0)
            b += "        int col[LA + 1];\n        for (int i = 0; i <= LA; ++i) col[i] = i;\n"
                 "        o[0] = LA;\n";
        const std::string strip = strips ? "        for (int j0 = 0; j0 < LB; j0 += TC) {\n" : "";
        const std::string end_strip = strips ? "        }\n" : "";
        if (method == 0) {
            b += "        int M[(LA + 1) * (LB + 1)];\n        for (int j = 0; j <= LB; ++j) M[j] = j;\n"
                 "        for (int i = 1; i <= LA; ++i) M[i * (LB + 1)] = i;\n" +
                 strip + "        for (int i = 1; i <= LA; ++i)\n" +
                 fmt::format("            for (int j = {0} + 1; j <= {0} + TC; ++j) {{\n", j0) +
                 "                const int up = M[(i - 1) * (LB + 1) + j], left = M[i * (LB + 1) + j - 1], dg = "
                 "M[(i - 1) * (LB + 1) + j - 1];\n"
                 "                const int ta = sa[i - 1], tb = sb[j - 1];\n" +
                 cell("                ") + "                M[i * (LB + 1) + j] = v;\n            }\n" + end_strip +
                 "        for (int j = 0; j <= LB; ++j) o[j] = M[LA * (LB + 1) + j];\n";
        } else if (method == 1) {
            b += "        int r0[TC + 1], r1[TC + 1];\n" + strip +
                 "        {\n            int *prev = r0, *cur = r1;\n" +
                 fmt::format("            for (int j = 0; j <= TC; ++j) prev[j] = {} + j;\n", j0) +
                 "            for (int i = 1; i <= LA; ++i) {\n" +
                 (strips ? "                cur[0] = col[i];\n" : "                cur[0] = i;\n") +
                 "                for (int j = 1; j <= TC; ++j) {\n"
                 "                    const int up = prev[j], left = cur[j - 1], dg = prev[j - 1];\n" +
                 fmt::format("                    const int ta = sa[i - 1], tb = sb[{} + j - 1];\n", j0) +
                 cell("                    ") + "                    cur[j] = v;\n                }\n" +
                 (strips ? "                col[i] = cur[TC];\n" : "") +
                 "                int *t = prev;\n                prev = cur;\n                cur = t;\n"
                 "            }\n" +
                 fmt::format("            for (int j = {}; j <= TC; ++j) o[{} + j] = prev[j];\n", strips ? 1 : 0, j0) +
                 "        }\n" + end_strip;
        } else if (method == 2) {
            b += "        int r[TC + 1];\n" + strip +
                 fmt::format("        for (int j = 0; j <= TC; ++j) r[j] = {} + j;\n", j0) +
                 "        for (int i = 1; i <= LA; ++i) {\n            int dg = r[0];\n" +
                 (strips ? "            r[0] = col[i];\n" : "            r[0] = i;\n") +
                 "            int left = r[0];\n            const int ta = sa[i - 1];\n"
                 "            for (int j = 1; j <= TC; ++j) {\n                const int up = r[j];\n" +
                 fmt::format("                const int tb = sb[{} + j - 1];\n", j0) + cell("                ") +
                 "                dg = up;\n                r[j] = v;\n                left = v;\n            }\n" +
                 (strips ? "            col[i] = left;\n" : "") + "        }\n" +
                 fmt::format("        for (int j = {}; j <= TC; ++j) o[{} + j] = r[j];\n", strips ? 1 : 0, j0) +
                 end_strip;
        } else {
            b += "        int rb[LB], dgs[3][LA + 1];\n        for (int j = 0; j < LB; ++j) rb[j] = sb[LB - 1 - j];\n"
                 "        for (int d = 0; d <= LA + LB; ++d) {\n"
                 "            int *restrict cur = dgs[d % 3];\n"
                 "            const int *restrict d1 = dgs[(d + 2) % 3], *restrict d2 = dgs[(d + 1) % 3];\n"
                 "            if (d <= LB) cur[0] = d;\n            if (d <= LA) cur[d] = d;\n"
                 "            const int lo = d - LB > 1 ? d - LB : 1, hi = d - 1 < LA ? d - 1 : LA;\n"
                 "            for (int i = lo; i <= hi; ++i) {\n"
                 "                const int up = d1[i - 1], left = d1[i], dg = d2[i - 1];\n"
                 "                const int ta = sa[i - 1], tb = rb[LB - d + i];\n" +
                 cell("                ") + "                cur[i] = v;\n            }\n" +
                 "            if (d >= LA) o[d - LA] = cur[LA];\n        }\n";
        }
        b += "    }\n";
        return kernel(dim_defines(w, {{"TC", tc}}), "const int *restrict S, const int *restrict T, int *restrict out",
                      b);
    });
}

/// Sorting N 32-bit unsigned keys (a GPU-style or database sort, a top-k or a sparse format's
/// preparation), the keys a hash of the i32 input and the position (a murmur-style mix: every bit
/// random); out holds them ascending; tmp (an output the checks ignore) is the ping-pong scratch.
/// Knobs: the method (an LSD radix sort: a counting pass, a prefix sum and a scatter per digit; or
/// a merge sort, runs insertion-sorted and then merged bottom-up), for the radix sort the digit
/// (8 bits: 4 passes; 4: 8 passes of 16 buckets; 11: 3 passes of 2048 buckets, the last of 10
/// bits), the histograms (counted per pass; all digits' counted in one pre-pass over the keys; or
/// each pass's counted during the previous pass's scatter, the first's while the keys are made),
/// the scatter (straight to each bucket's next slot; or through a per-bucket write-combining buffer
/// of a cache line of keys, flushed a line at a time); for the merge sort the runs (16 or 32 keys)
/// and the merge's step (a branch, or branch-free selects), and vectorisation. Every variant's
/// output is the sorted keys: bit-identical.
std::vector<Variant> radix_sort_u32(const Workload& w) {
    const std::vector<Knob> knobs{{"method", "m", {0, 1}},
                                  {"bits", "d", {8, 4, 11}},
                                  {"hist", "h", {0, 1, 2}},
                                  {"scatter", "s", {0, 1}},
                                  {"run", "r", {16, 32}},
                                  {"branchfree", "b", {0, 1}},
                                  vec_knob()};
    const int N = w.dim("N");
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), bits = k.at("bits"), hist = k.at("hist"), run = k.at("run");
        const bool buffered = k.at("scatter") == 1, branchfree = k.at("branchfree") == 1;
        if (method == 0 && (run != 16 || branchfree)) return std::nullopt;
        if (method == 1 && (bits != 8 || hist != 0 || buffered)) return std::nullopt;
        const std::string key = "static inline unsigned key(int v, int i) {\n"
                                "    unsigned h = (unsigned)v * 2654435761u + (unsigned)i * 2246822519u;\n"
                                "    h ^= h >> 15;\n    h *= 2246822519u;\n    h ^= h >> 13;\n    return h;\n}\n";
        std::string b;
        if (method == 1) {
            const int passes = log2_floor(static_cast<std::uint64_t>(N / run));
            b += fmt::format("    unsigned *restrict a = {};\n", passes % 2 ? "tmp" : "out");
            b += "    for (int i = 0; i < N; ++i) a[i] = key(x[i], i);\n"
                 "    for (int i0 = 0; i0 < N; i0 += RUN)\n        for (int i = i0 + 1; i < i0 + RUN; ++i) {\n"
                 "            const unsigned v = a[i];\n            int j = i;\n"
                 "            for (; j > i0 && a[j - 1] > v; --j) a[j] = a[j - 1];\n            a[j] = v;\n        }\n";
            b += "    for (int wd = RUN, p = 0; wd < N; wd *= 2, ++p) {\n"
                 "        const unsigned *restrict from = (p & 1) == (PASSES & 1) ? out : tmp;\n"
                 "        unsigned *restrict to = (p & 1) == (PASSES & 1) ? tmp : out;\n"
                 "        for (int lo = 0; lo < N; lo += 2 * wd) {\n"
                 "            const int mid = lo + wd, hi = lo + 2 * wd;\n            int i = lo, j = mid, q = lo;\n"
                 "            while (i < mid && j < hi) {\n"
                 "                const unsigned u = from[i], v = from[j];\n";
            b += branchfree
                     ? "                const int t = v < u;\n                to[q++] = t ? v : u;\n"
                       "                j += t;\n                i += 1 - t;\n"
                     : "                if (v < u) {\n                    to[q++] = v;\n                    ++j;\n"
                       "                } else {\n                    to[q++] = u;\n                    ++i;\n"
                       "                }\n";
            b += "            }\n            while (i < mid) to[q++] = from[i++];\n"
                 "            while (j < hi) to[q++] = from[j++];\n        }\n    }\n";
            return kernel(dim_defines(w, {{"RUN", run}, {"PASSES", passes}}) + key,
                          "const int *restrict x, unsigned *restrict tmp, unsigned *restrict out", b);
        }
        const int passes = (32 + bits - 1) / bits;
        // Pass p reads the keys from tmp if p and PASSES have the same parity, else from out (the
        // last pass writes out).
        b += fmt::format("    unsigned *restrict k0 = {};\n", passes % 2 ? "tmp" : "out");
        if (hist == 1) {
            b += "    int cnt[PASSES][NBK];\n    for (int p = 0; p < PASSES; ++p)\n"
                 "        for (int d = 0; d < NBK; ++d) cnt[p][d] = 0;\n"
                 "    for (int i = 0; i < N; ++i) k0[i] = key(x[i], i);\n"
                 "    for (int i = 0; i < N; ++i) {\n        const unsigned v = k0[i];\n";
            for (int p = 0; p < passes; ++p) b += fmt::format("        ++cnt[{}][(v >> {}) & MASK];\n", p, p * bits);
            b += "    }\n";
        } else if (hist == 2) {
            b += "    int cnt[2][NBK];\n    for (int d = 0; d < NBK; ++d) cnt[0][d] = 0;\n"
                 "    for (int i = 0; i < N; ++i) {\n        const unsigned v = key(x[i], i);\n"
                 "        k0[i] = v;\n        ++cnt[0][v & MASK];\n    }\n";
        } else {
            b += "    int cnt[NBK];\n    for (int i = 0; i < N; ++i) k0[i] = key(x[i], i);\n";
        }
        if (buffered) b += "    unsigned wb[NBK * WB];\n    int wn[NBK];\n";
        b += "    for (int p = 0; p < PASSES; ++p) {\n        const int shift = p * BITS;\n"
             "        const unsigned *restrict from = (p & 1) == (PASSES & 1) ? out : tmp;\n"
             "        unsigned *restrict to = (p & 1) == (PASSES & 1) ? tmp : out;\n";
        std::string c = "cnt";
        if (hist == 0)
            b += "        for (int d = 0; d < NBK; ++d) cnt[d] = 0;\n"
                 "        for (int i = 0; i < N; ++i) ++cnt[(from[i] >> shift) & MASK];\n";
        else if (hist == 1) c = "cnt[p]";
        else {
            c = "cnt[p & 1]";
            b += "        int *restrict next = cnt[(p + 1) & 1];\n"
                 "        for (int d = 0; d < NBK; ++d) next[d] = 0;\n";
        }
        b += "        int off[NBK];\n        for (int d = 0, s = 0; d < NBK; ++d) {\n            off[d] = s;\n"
             "            s += " +
             c + "[d];\n        }\n";
        if (buffered) b += "        for (int d = 0; d < NBK; ++d) wn[d] = 0;\n";
        // The scatter of key v, at indent in.
        const auto put = [&](const std::string& in) {
            if (!buffered) return in + "to[off[(v >> shift) & MASK]++] = v;\n";
            return in + "const int d = (v >> shift) & MASK, n = wn[d];\n" + in + "wb[d * WB + n] = v;\n" + in +
                   "if (n + 1 == WB) {\n" + in + "    unsigned *restrict dst = to + off[d];\n" + in +
                   "    for (int q = 0; q < WB; ++q) dst[q] = wb[d * WB + q];\n" + in + "    off[d] += WB;\n" + in +
                   "    wn[d] = 0;\n" + in + "} else\n" + in + "    wn[d] = n + 1;\n";
        };
        const std::string loop = "for (int i = 0; i < N; ++i) {\n";
        if (hist == 2)
            b += "        if (p + 1 < PASSES)\n            " + loop + "                const unsigned v = from[i];\n" +
                 put("                ") + "                ++next[(v >> (shift + BITS)) & MASK];\n            }\n" +
                 "        else\n            " + loop + "                const unsigned v = from[i];\n" +
                 put("                ") + "            }\n";
        else b += "        " + loop + "            const unsigned v = from[i];\n" + put("            ") + "        }\n";
        if (buffered)
            b += "        for (int d = 0; d < NBK; ++d)\n"
                 "            for (int q = 0; q < wn[d]; ++q) to[off[d] + q] = wb[d * WB + q];\n";
        b += "    }\n";
        return kernel(dim_defines(w, {{"BITS", bits},
                                      {"PASSES", passes},
                                      {"NBK", 1 << bits},
                                      {"MASK", (1 << bits) - 1},
                                      {"WB", bits > 8 ? 8 : 16}}) +
                          key,
                      "const int *restrict x, unsigned *restrict tmp, unsigned *restrict out", b);
    });
}

/// Sampled dense-dense matrix multiplication (SDDMM: a graph attention layer's edge scores, the
/// gradient of SpMM, DGL's u_dot_v): for every nonzero p = (i, j) of an M x N CSR pattern, out[p]
/// = dot(A[i][:], B[j][:]) over K features. Rows have irregular lengths as in spmm_csr (rows 2q and
/// 2q + 1 hold E + d and E - d nonzeros, d a hash of the i32 input len[q] and q), and each
/// nonzero's column is a hash of col[p] and p in [0, N). Every dot product is split into 8 lanes
/// (lane l sums the terms k = l mod 8 in k order, from zero) closed by one pairwise tree, as a
/// vectorised kernel computes it; the naive schedule computes the same lanes in scalar code. Knobs:
/// the traversal (CSR row by row, A's row shared by the row's dots; COO, every nonzero with its row
/// index from an array built first, as edge-parallel GNN kernels run; column-blocked, the nonzeros
/// counting-sorted into blocks of 128 columns first, a block's B rows staying in cache while every
/// row visits it; CSC, the nonzeros counting-sorted by column, B's row shared by the column's
/// dots), the dots per step (1, 2 or 4 advancing together: in CSR sharing A's loads, in CSC B's,
/// else independent), a K tile of 16 for the row- and column-grouped traversals (a group of up to
/// 32 dots swept tile by tile, their lanes in a local array, the shared row's tile reused),
/// vectorisation (of the 8 lanes). Every lane adds its terms in k order from zero and the tree is
/// fixed: bit-identical.
std::vector<Variant> sddmm_csr(const Workload& w) {
    const int K = w.dim("K"), N = w.dim("N"), E = w.dim("E");
    if (K % 16 != 0 || 2 * E > 32 || N < 128 || (N & (N - 1)) != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': K a multiple of 16, E at most 16, N a power of two >= 128",
             w.name);
    const std::vector<Knob> knobs{
        {"trav", "t", {0, 1, 2, 3}}, {"nb", "nb", {1, 2, 4}}, {"kt", "kt", tiles_of(K, {16})}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int trav = k.at("trav"), nb = k.at("nb");
        const bool tiled = k.at("kt") != K;
        if (tiled && (trav == 1 || trav == 2)) return std::nullopt; // no groups to tile over
        // The position variable, each dot's A and B rows (a shared row: one pointer, declared by
        // the group) and output index, of dot i of a step at the position.
        const std::string pos = trav == 0 || trav == 1 ? "p" : "q";
        const auto at = [&](int i) { return i ? fmt::format("{} + {}", pos, i) : pos; };
        const auto arow = [&](int i) { return trav == 0 ? std::string() : fmt::format("A + rowi[{}] * K", at(i)); };
        const auto brow = [&](int i) {
            if (trav == 3) return std::string();
            return fmt::format("B + COL({}) * K", trav == 2 ? fmt::format("ord[{}]", at(i)) : at(i));
        };
        const auto oidx = [&](int i) { return trav == 0 || trav == 1 ? at(i) : fmt::format("ord[{}]", at(i)); };
        // A step of n dots at `in`: their lanes in s[i] (untiled, closed at once) or in acc[position
        // - lo] (tiled: the current K tile only).
        const auto step = [&](int n, const std::string& in) {
            std::string s;
            for (int i = 0; i < n; ++i) {
                if (trav != 0) s += fmt::format("{}    const float *restrict a{} = {};\n", in, i, arow(i));
                if (trav != 3) s += fmt::format("{}    const float *restrict b{} = {};\n", in, i, brow(i));
            }
            const auto lane = [&](int i) {
                return tiled ? fmt::format("acc[{} - lo][l]", at(i)) : fmt::format("s[{}][l]", i);
            };
            if (!tiled)
                s += fmt::format("{0}    float s[{1}][8];\n{0}    for (int i = 0; i < {1}; ++i)\n"
                                 "{0}        for (int l = 0; l < 8; ++l) s[i][l] = 0.0f;\n",
                                 in, n);
            s += fmt::format("{0}    for (int k = {1}; k < {2}; k += 8)\n{0}        for (int l = 0; l < 8; ++l) {{\n",
                             in, tiled ? "k0" : "0", tiled ? "k0 + KT" : "K");
            if (trav == 0) s += in + "            const float av = a[k + l];\n";
            if (trav == 3) s += in + "            const float bv = b[k + l];\n";
            for (int i = 0; i < n; ++i)
                s += fmt::format("{}            {} += {} * {};\n", in, lane(i),
                                 trav == 0 ? "av" : fmt::format("a{}[k + l]", i),
                                 trav == 3 ? "bv" : fmt::format("b{}[k + l]", i));
            s += in + "        }\n";
            if (!tiled)
                for (int i = 0; i < n; ++i) s += fmt::format("{}    out[{}] = tree8(s[{}]);\n", in, oidx(i), i);
            return s;
        };
        // The steps over positions [lo, hi) at `in`, and (tiled) the K tiles around them.
        const auto steps = [&](const std::string& in) {
            std::string s, inner = in;
            if (tiled) {
                s += in + "float acc[G][8];\n" + in + "for (int i = 0; i < hi - lo; ++i)\n" + in +
                     "    for (int l = 0; l < 8; ++l) acc[i][l] = 0.0f;\n" + in +
                     "for (int k0 = 0; k0 < K; k0 += KT) {\n";
                inner += "    ";
            }
            s += fmt::format("{}int {} = lo;\n", inner, pos);
            if (nb > 1)
                s += fmt::format("{0}for (; {1} + {2} <= hi; {1} += {2}) {{\n", inner, pos, nb) + step(nb, inner) +
                     inner + "}\n";
            s += fmt::format("{0}for (; {1} < hi; ++{1}) {{\n", inner, pos) + step(1, inner) + inner + "}\n";
            if (tiled)
                s += in + "}\n" +
                     fmt::format("{0}for (int {1} = lo; {1} < hi; ++{1}) out[{2}] = tree8(acc[{1} - lo]);\n", in, pos,
                                 oidx(0));
            return s;
        };
        std::string b = "    int rp[M + 1];\n    rp[0] = 0;\n    for (int q = 0; q < M / 2; ++q) {\n"
                        "        const int d = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % "
                        "(2u * E - 1u)) - (E - 1);\n"
                        "        rp[2 * q + 1] = rp[2 * q] + E + d;\n        rp[2 * q + 2] = rp[2 * q] + 2 * E;\n"
                        "    }\n";
        if (trav == 1)
            b += "    int rowi[NNZ];\n    for (int r = 0; r < M; ++r)\n"
                 "        for (int p = rp[r]; p < rp[r + 1]; ++p) rowi[p] = r;\n";
        if (trav >= 2) {
            // A stable counting sort of the nonzeros by column (or column block): ord and rowi.
            const std::string key = trav == 2 ? "(COL(p) >> BSHIFT)" : "COL(p)";
            const std::string nk = trav == 2 ? "NBLK" : "N";
            b += fmt::format(
                "    int cp[{0} + 1], nx[{0}], ord[NNZ], rowi[NNZ];\n"
                "    for (int j = 0; j <= {0}; ++j) cp[j] = 0;\n"
                "    for (int p = 0; p < NNZ; ++p) ++cp[{1} + 1];\n"
                "    for (int j = 0; j < {0}; ++j) {{\n        cp[j + 1] += cp[j];\n        nx[j] = cp[j];\n"
                "    }}\n    for (int r = 0; r < M; ++r)\n"
                "        for (int p = rp[r]; p < rp[r + 1]; ++p) {{\n"
                "            const int c = COL(p), q = nx[{2}]++;\n"
                "            ord[q] = p;\n            rowi[q] = r;\n        }}\n",
                nk, key, trav == 2 ? "c >> BSHIFT" : "c");
        }
        if (trav == 0)
            b += "    for (int r = 0; r < M; ++r) {\n        const float *restrict a = A + r * K;\n"
                 "        const int lo = rp[r], hi = rp[r + 1];\n" +
                 steps("        ") + "    }\n";
        else if (trav == 3) {
            b += "    for (int j = 0; j < N; ++j) {\n        const float *restrict b = B + j * K;\n";
            if (tiled)
                b += "        for (int lo = cp[j]; lo < cp[j + 1]; lo += G) {\n"
                     "            const int hi = lo + G < cp[j + 1] ? lo + G : cp[j + 1];\n" +
                     steps("            ") + "        }\n";
            else b += "        const int lo = cp[j], hi = cp[j + 1];\n" + steps("        ");
            b += "    }\n";
        } else b += "    {\n        const int lo = 0, hi = NNZ;\n" + steps("        ") + "    }\n";
        const int nshift = 32 - log2_floor(static_cast<std::uint64_t>(N));
        const std::string d =
            dim_defines(w, {{"NNZ", w.dim("M") * E},
                            {"NSHIFT", nshift},
                            {"NBLK", N / 128},
                            {"BSHIFT", 7},
                            {"G", 32},
                            {"KT", k.at("kt")}}) +
            "#define COL(p) ((int)(((unsigned)col[p] * 7919u + (unsigned)(p) * 2654435761u) >> NSHIFT))\n"
            "static inline float tree8(const float *s) {\n"
            "    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));\n}\n";
        return kernel(d,
                      "const float *restrict A, const float *restrict B, const int *restrict col, const int "
                      "*restrict len, float *restrict out",
                      b);
    });
}

/// RoIAlign (Mask R-CNN's and every two-stage detector's region pooling, torchvision's roi_align
/// with aligned = true) on an NHWC feature map: each of R boxes, built by the kernel from four
/// inputs (centre anywhere on the map, 1 + 0.75 |r| of the map wide and high: some hang over the
/// edge), pooled into P x P bins of C channels, each bin the average of S x S bilinear samples at
/// the bin's sub-cell centres. A sample outside [-1, H] x [-1, W] counts zero; inside, its
/// coordinates clamp at 0 and at the last row and column, and its value is w1 f(yl, xl) + w2 f(yl,
/// xh) + w3 f(yh, xl) + w4 f(yh, xh) with w = hy hx, hy lx, ly hx, ly lx. Knobs: the loop order
/// within a box (channel-outermost, a port of the NCHW reference: every channel revisits the box's
/// bins, reading the map C floats apart; bins outermost with the channels innermost, each sample's
/// four taps swept along contiguous channels, vectorisable; bins outermost, then the channels, the
/// samples innermost), the bilinear coefficients (recomputed where the loops need them; a table of
/// the box's P P S S samples' four offsets and weights, built first, as torchvision's CPU kernel
/// precomputes; or separable tables of the box's P S sample rows and P S sample columns, each
/// weight one product at use), where a bin's sum lives (the output element, accumulated in place;
/// or a register or local row), vectorisation. Every sample's value is the same expression of the
/// same weights, and every bin adds its samples in order from zero, then scales by 1 / S^2:
/// bit-identical.
std::vector<Variant> roi_align(const Workload& w) {
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"coef", "k", {0, 1, 2}}, {"acc", "a", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), coef = k.at("coef");
        const bool local = k.at("acc") == 1;
        std::string d =
            dim_defines(w, {{"SS", w.dim("S") * w.dim("S")}}) +
            "/* sample coordinate n of bin b along an axis starting at s0, bins of bs */\n"
            "#define SAMPLE(s0, b, n, bs) ((s0) + (float)(b) * (bs) + ((float)(n) + 0.5f) * (bs) / (float)S)\n"
            "/* one axis of a sample: the low and high rows (or columns) and their weights, zero outside */\n"
            "static inline void axis(float y, int n, int *lo, int *hi, float *l, float *h) {\n"
            "    if (y < -1.0f || y > (float)n) {\n        *lo = *hi = 0;\n        *l = *h = 0.0f;\n"
            "        return;\n    }\n    if (y <= 0.0f) y = 0.0f;\n    int yl = (int)y, yh;\n"
            "    if (yl >= n - 1) {\n        yh = yl = n - 1;\n        y = (float)yl;\n    } else\n"
            "        yh = yl + 1;\n    *lo = yl;\n    *hi = yh;\n    *l = y - (float)yl;\n"
            "    *h = 1.0f - *l;\n}\n"
            "/* a sample's four offsets into the map and weights */\n"
            "static inline void coef(float y, float x, int *o, float *wt) {\n"
            "    int yl, yh, xl, xh;\n    float ly, hy, lx, hx;\n"
            "    axis(y, H, &yl, &yh, &ly, &hy);\n    axis(x, W, &xl, &xh, &lx, &hx);\n"
            "    o[0] = (yl * W + xl) * C;\n    o[1] = (yl * W + xh) * C;\n"
            "    o[2] = (yh * W + xl) * C;\n    o[3] = (yh * W + xh) * C;\n"
            "    wt[0] = hy * hx;\n    wt[1] = hy * lx;\n    wt[2] = ly * hx;\n    wt[3] = ly * lx;\n}\n";
        std::string b = "    for (int r = 0; r < R; ++r) {\n        const float *restrict rb = rois + 4 * r;\n"
                        "        const float cx = (rb[0] + 1.0f) * (0.5f * (float)W), cy = (rb[1] + 1.0f) * (0.5f * "
                        "(float)H);\n"
                        "        const float bw = 1.0f + __builtin_fabsf(rb[2]) * (0.75f * (float)W);\n"
                        "        const float bh = 1.0f + __builtin_fabsf(rb[3]) * (0.75f * (float)H);\n"
                        "        const float x0 = cx - 0.5f * bw - 0.5f, y0 = cy - 0.5f * bh - 0.5f;\n"
                        "        const float bsw = bw / (float)P, bsh = bh / (float)P;\n"
                        "        float *restrict ob = out + r * P * P * C;\n";
        if (coef == 1)
            b +=
                "        int to[P * P * SS][4];\n        float tw[P * P * SS][4];\n"
                "        for (int ph = 0; ph < P; ++ph)\n            for (int pw = 0; pw < P; ++pw)\n"
                "                for (int iy = 0; iy < S; ++iy)\n                    for (int ix = 0; ix < S; ++ix) {\n"
                "                        const int t = ((ph * P + pw) * S + iy) * S + ix;\n"
                "                        coef(SAMPLE(y0, ph, iy, bsh), SAMPLE(x0, pw, ix, bsw), to[t], tw[t]);\n"
                "                    }\n";
        if (coef == 2)
            b += "        int ylo[P * S], yhi[P * S], xlo[P * S], xhi[P * S];\n"
                 "        float yl_[P * S], yh_[P * S], xl_[P * S], xh_[P * S];\n"
                 "        for (int ph = 0; ph < P; ++ph)\n            for (int iy = 0; iy < S; ++iy)\n"
                 "                axis(SAMPLE(y0, ph, iy, bsh), H, &ylo[ph * S + iy], &yhi[ph * S + iy], &yl_[ph * S + "
                 "iy], &yh_[ph * S + iy]);\n"
                 "        for (int pw = 0; pw < P; ++pw)\n            for (int ix = 0; ix < S; ++ix)\n"
                 "                axis(SAMPLE(x0, pw, ix, bsw), W, &xlo[pw * S + ix], &xhi[pw * S + ix], &xl_[pw * S + "
                 "ix], &xh_[pw * S + ix]);\n";
        // The sample (iy, ix) of bin (ph, pw): its offsets o and weights wt, at `in`.
        const auto sample = [&](const std::string& in) {
            if (coef == 0)
                return in + "int o[4];\n" + in + "float wt[4];\n" + in +
                       "coef(SAMPLE(y0, ph, iy, bsh), SAMPLE(x0, pw, ix, bsw), o, wt);\n";
            if (coef == 1)
                return in + "const int t = ((ph * P + pw) * S + iy) * S + ix;\n" + in +
                       "const int *restrict o = to[t];\n" + in + "const float *restrict wt = tw[t];\n";
            return in + "const int sy = ph * S + iy, sx = pw * S + ix;\n" + in +
                   "const int o[4] = {(ylo[sy] * W + xlo[sx]) * C, (ylo[sy] * W + xhi[sx]) * C, (yhi[sy] * W + "
                   "xlo[sx]) * C, (yhi[sy] * W + xhi[sx]) * C};\n" +
                   in +
                   "const float wt[4] = {yh_[sy] * xh_[sx], yh_[sy] * xl_[sx], yl_[sy] * xh_[sx], yl_[sy] * "
                   "xl_[sx]};\n";
        };
        const std::string value =
            "wt[0] * feat[o[0] + c] + wt[1] * feat[o[1] + c] + wt[2] * feat[o[2] + c] + wt[3] * feat[o[3] + c]";
        const std::string elem = "ob[(ph * P + pw) * C + c]";
        if (order == 0 || order == 2) {
            // One bin of one channel: its sum in a register, or in the output element.
            const std::string in = "                    ";
            const std::string sum = local ? "s" : elem;
            std::string bin = (local ? in + "float s = 0.0f;\n" : "") + in + "for (int iy = 0; iy < S; ++iy)\n" + in +
                              "    for (int ix = 0; ix < S; ++ix) {\n" + sample(in + "        ") + in + "        " +
                              sum + " += " + value + ";\n" + in + "    }\n" + in + elem + " = " + sum +
                              " * (1.0f / (float)SS);\n";
            if (order == 0)
                b += "        for (int c = 0; c < C; ++c)\n            for (int ph = 0; ph < P; ++ph)\n"
                     "                for (int pw = 0; pw < P; ++pw) {\n" +
                     bin + "                }\n";
            else
                b += "        for (int ph = 0; ph < P; ++ph)\n            for (int pw = 0; pw < P; ++pw)\n"
                     "                for (int c = 0; c < C; ++c) {\n" +
                     bin + "                }\n";
        } else {
            // Bins outermost, the channels innermost: the bin's sums in a local row, or in the output row.
            const std::string row = local ? "s[c]" : elem;
            b += "        for (int ph = 0; ph < P; ++ph)\n            for (int pw = 0; pw < P; ++pw) {\n";
            if (local) b += "                float s[C];\n                for (int c = 0; c < C; ++c) s[c] = 0.0f;\n";
            b += "                for (int iy = 0; iy < S; ++iy)\n                    for (int ix = 0; ix < S; ++ix) "
                 "{\n" +
                 sample("                        ") + "                        for (int c = 0; c < C; ++c) " + row +
                 " += " + value + ";\n                    }\n" + "                for (int c = 0; c < C; ++c) " + elem +
                 " = " + row + " * (1.0f / (float)SS);\n            }\n";
        }
        b += "    }\n";
        return kernel(d, "const float *restrict feat, const float *restrict rois, float *restrict out", b);
    });
}

/// The 8 x 8 two-dimensional DCT-II of every block of an H x W float image (JPEG's and video
/// codecs' transform, DCT-domain compression of activations), orthonormal: out[u][v] = sum over x
/// of D[u][x] T[x][v], T[x][v] = sum over y of f[x][y] D[v][y], D[u][x] = a(u) cos((2x + 1) u pi /
/// 16), a(0) = sqrt(1/8), else 1/2; the row pass first, each sum in index order from zero. Knobs:
/// blocks one at a time (an 8 x 8 scratch) or a strip of a row of blocks per pass (the row pass
/// over the strip's 8 image rows into an 8 x W scratch, then the column pass along whole rows,
/// which no longer sees the blocks); the row pass as dot products (each T[x][v] over f's row) or as
/// axpys (f[x][y] times D's column y into 8 sums); the column pass as dot products down the scratch's
/// columns (strided), as dot products over a scratch the row pass wrote transposed (contiguous), or
/// as axpys of scratch rows into the output rows; the coefficients from a table, or as constants in
/// fully unrolled 1-D transforms; vectorisation. The coefficients are the same floats either way
/// and every sum adds its terms in the same order: bit-identical.
std::vector<Variant> dct8x8(const Workload& w) {
    if (w.dim("H") % 8 != 0 || w.dim("W") % 8 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': H and W multiples of 8", w.name);
    float cf[8][8];
    for (int u = 0; u < 8; ++u)
        for (int x = 0; x < 8; ++x)
            cf[u][x] = static_cast<float>((u == 0 ? std::sqrt(0.125) : 0.5) *
                                          std::cos((2 * x + 1) * u * 3.14159265358979323846 / 16.0));
    // A coefficient as a C literal that reads back as the same float.
    const auto lit = [&](int u, int x) { return fmt::format("{:.9g}f", cf[u][x]); };
    std::string tables = "static const float DC[8][8] = {\n", tablesT = "static const float DCT[8][8] = {\n";
    for (int u = 0; u < 8; ++u) {
        std::vector<std::string> row, col;
        for (int x = 0; x < 8; ++x) {
            row.push_back(lit(u, x));
            col.push_back(lit(x, u));
        }
        tables += fmt::format("    {{{}}},\n", fmt::join(row, ", "));
        tablesT += fmt::format("    {{{}}},\n", fmt::join(col, ", "));
    }
    tables += "};\n";
    tablesT += "};\n";
    const std::vector<Knob> knobs{
        {"strip", "b", {0, 1}}, {"rowf", "r", {0, 1}}, {"colf", "c", {0, 1, 2}}, {"coef", "k", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool strip = k.at("strip") == 1, axpy_rows = k.at("rowf") == 1, literal = k.at("coef") == 1;
        const int colf = k.at("colf");
        std::string d = dim_defines(w, {{"NC", strip ? w.dim("W") : 8}});
        d += colf == 1 ? "#define T(x, col) t[(col) * 8 + (x)]\n" : "#define T(x, col) t[(x) * NC + (col)]\n";
        if (!literal) d += axpy_rows ? tables + tablesT : tables;
        // The row pass of f[0..7] into T(x, c0 + v), at `in`.
        std::string row;
        {
            const std::string in = "            ";
            if (!literal && !axpy_rows)
                row = in + "for (int v = 0; v < 8; ++v) {\n" + in + "    float s = 0.0f;\n" + in +
                      "    for (int y = 0; y < 8; ++y) s += f[y] * DC[v][y];\n" + in + "    T(x, c0 + v) = s;\n" + in +
                      "}\n";
            else if (!literal)
                row = in + "float q[8];\n" + in + "for (int v = 0; v < 8; ++v) q[v] = 0.0f;\n" + in +
                      "for (int y = 0; y < 8; ++y) {\n" + in + "    const float a = f[y];\n" + in +
                      "    for (int v = 0; v < 8; ++v) q[v] += a * DCT[y][v];\n" + in + "}\n" + in +
                      "for (int v = 0; v < 8; ++v) T(x, c0 + v) = q[v];\n";
            else if (!axpy_rows)
                for (int v = 0; v < 8; ++v) {
                    row += fmt::format("{}T(x, c0 + {}) = 0.0f", in, v);
                    for (int y = 0; y < 8; ++y) row += fmt::format(" + f[{}] * {}", y, lit(v, y));
                    row += ";\n";
                }
            else {
                row = in + "float q0 = 0.0f, q1 = 0.0f, q2 = 0.0f, q3 = 0.0f, q4 = 0.0f, q5 = 0.0f, q6 = 0.0f, q7 = "
                           "0.0f;\n";
                for (int y = 0; y < 8; ++y) {
                    row += fmt::format("{}{{\n{}    const float a = f[{}];\n", in, in, y);
                    for (int v = 0; v < 8; ++v) row += fmt::format("{}    q{} += a * {};\n", in, v, lit(v, y));
                    row += in + "}\n";
                }
                for (int v = 0; v < 8; ++v) row += fmt::format("{}T(x, c0 + {}) = q{};\n", in, v, v);
            }
        }
        // The column pass from T(x, col) into o[u * W + col], col in [0, NC), at `in`.
        std::string cols;
        {
            const std::string in = "        ";
            if (!literal) {
                const std::string dot = "{ float s = 0.0f; for (int x = 0; x < 8; ++x) s += DC[u][x] * T(x, col); "
                                        "o[u * W + col] = s; }\n";
                if (colf == 0)
                    cols = in + "for (int u = 0; u < 8; ++u)\n" + in + "    for (int col = 0; col < NC; ++col) " + dot;
                else if (colf == 1)
                    cols = in + "for (int col = 0; col < NC; ++col)\n" + in + "    for (int u = 0; u < 8; ++u) " + dot;
                else
                    cols = in + "for (int u = 0; u < 8; ++u)\n" + in + "    for (int x = 0; x < 8; ++x) {\n" + in +
                           "        const float c = DC[u][x];\n" + in +
                           "        for (int col = 0; col < NC; ++col) o[u * W + col] += c * T(x, col);\n" + in +
                           "    }\n";
            } else {
                const auto sum = [&](int u) {
                    std::string s = fmt::format("o[{} * W + col] = 0.0f", u);
                    for (int x = 0; x < 8; ++x) s += fmt::format(" + {} * T({}, col)", lit(u, x), x);
                    return s + ";\n";
                };
                if (colf == 0)
                    for (int u = 0; u < 8; ++u) cols += in + "for (int col = 0; col < NC; ++col) " + sum(u);
                else if (colf == 1) {
                    cols = in + "for (int col = 0; col < NC; ++col) {\n";
                    for (int u = 0; u < 8; ++u) cols += in + "    " + sum(u);
                    cols += in + "}\n";
                } else
                    for (int u = 0; u < 8; ++u)
                        for (int x = 0; x < 8; ++x)
                            cols += fmt::format("{}for (int col = 0; col < NC; ++col) o[{} * W + col] += {} * T({}, "
                                                "col);\n",
                                                in, u, lit(u, x), x);
            }
        }
        std::string b;
        if (strip)
            b = "    float t[8 * NC];\n    for (int by = 0; by < H; by += 8) {\n"
                "        for (int x = 0; x < 8; ++x)\n            for (int c0 = 0; c0 < W; c0 += 8) {\n"
                "                const float *restrict f = I + (by + x) * W + c0;\n";
        else
            b = "    for (int by = 0; by < H; by += 8)\n        for (int bx = 0; bx < W; bx += 8) {\n"
                "            float t[8 * NC];\n            for (int x = 0; x < 8; ++x) {\n"
                "                const float *restrict f = I + (by + x) * W + bx;\n                const int c0 = 0;\n";
        // Re-indent the passes by their depth: the row pass at 16, the column pass at 8 or 12.
        const auto indent = [](const std::string& text, int extra) {
            std::string r, pad(static_cast<std::size_t>(extra), ' ');
            for (std::size_t from = 0, to; from < text.size(); from = to + 1) {
                to = text.find('\n', from);
                r += pad + text.substr(from, to - from + 1);
            }
            return r;
        };
        b += indent(row, 4);
        if (strip) b += "            }\n        float *restrict o = O + by * W;\n" + cols + "    }\n";
        else b += "            }\n            float *restrict o = O + by * W + bx;\n" + indent(cols, 4) + "        }\n";
        return kernel(d, "const float *restrict I, float *restrict O", b);
    });
}

/// Block-sparse times dense (BSR SpMM: a block-pruned network's linear layer, as in DeepSparse's
/// or Triton's block-sparse matmuls): Y[M][N] = W[M][K] X[K][N], W stored in block-CSR as B x B
/// row-major blocks, about D % of them nonzero. Block rows 2q and 2q + 1 hold E + d and E - d
/// blocks (E = D % of the K / B block columns, d in [-E/2, E/2] a hash of the i32 input len[q] and
/// q, so the values fill val exactly); each block row's columns are distinct and ascending, picked
/// by selection sampling (column j kept while a hash of (row, j) modulo the columns left is below
/// the blocks still wanted) in a pre-pass every schedule runs. Knobs: the loop within a block row
/// (block by block, each block's rows then columns then N innermost, an axpy of X's row into Y's
/// row; block by block with the block's columns outside its rows, each X row loaded once for B
/// outputs; block by block with N outside the block, a B x B matrix-vector product per column;
/// N outside the blocks, the block row's B outputs of a column summed in registers over all its
/// blocks, X gathered down its columns), a tile of 16 of N's columns (inside the block row, or
/// outermost: every block row per tile, the tile's slice of X staying in cache), the block row's
/// outputs summed in a local B x tile scratch instead of Y (the register forms already are),
/// vectorisation. Every output adds its terms block by block, then column by column within a
/// block, from zero: bit-identical.
/// BSR's nonzero blocks per block row on average (E below): D % of the K / B block columns. The
/// generator, family_macs and family_buffers all size by it.
int bsr_blocks_per_row(const Workload& w) { return w.dim("K") / w.dim("B") * w.dim("D") / 100; }

std::vector<Variant> bsr_gemm(const Workload& w) {
    const int M = w.dim("M"), K = w.dim("K"), N = w.dim("N"), B = w.dim("B"), D = w.dim("D");
    const int KB = K / B, E = bsr_blocks_per_row(w);
    if (M % (2 * B) != 0 || K % B != 0 || (KB * D) % 100 != 0 || E % 2 != 0 || E < 2 || 3 * E / 2 > KB)
        fail(ErrorKind::invalid_argument,
             "workload '{}': M a multiple of 2B, K of B, D % of K/B block columns an even count, at most 2/3 of them",
             w.name);
    const std::vector<Knob> knobs{{"loop", "l", {0, 1, 2, 3}},
                                  {"tn", "tn", tiles_of(N, {16})},
                                  {"tile_outer", "t", {0, 1}},
                                  {"acc", "a", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int loop = k.at("loop"), tn = k.at("tn");
        const bool tile_outer = k.at("tile_outer") == 1, acc = k.at("acc") == 1;
        if (tile_outer && tn == N) return std::nullopt; // one tile: the same loops
        if (loop == 3 && acc) return std::nullopt;      // its sums are registers already
        std::string b = "    int rp[MB + 1], bcol[NNZB];\n    rp[0] = 0;\n    for (int q = 0; q < MB / 2; ++q) {\n"
                        "        const int d = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % "
                        "(E + 1u)) - E / 2;\n"
                        "        rp[2 * q + 1] = rp[2 * q] + E + d;\n        rp[2 * q + 2] = rp[2 * q] + 2 * E;\n"
                        "    }\n"
                        "    for (int r = 0; r < MB; ++r) {\n"
                        "        int need = rp[r + 1] - rp[r], p = rp[r];\n"
                        "        for (int j = 0; j < KB && need > 0; ++j) {\n"
                        "            unsigned h = (unsigned)(r * KB + j) * 2654435761u;\n"
                        "            h ^= h >> 15;\n            h *= 0x846ca68bu;\n            h ^= h >> 16;\n"
                        "            if ((int)(h % (unsigned)(KB - j)) < need) {\n"
                        "                bcol[p++] = j;\n                --need;\n            }\n"
                        "        }\n    }\n";
        std::string in = "    ";
        if (tile_outer) {
            b += fmt::format("    for (int n0 = 0; n0 < N; n0 += {}) {{\n", tn);
            in += "    ";
        }
        b += in + "for (int br = 0; br < MB; ++br) {\n";
        in += "    ";
        const bool tile_loop = !tile_outer && tn != N;
        if (!tile_outer) {
            b += tile_loop ? fmt::format("{}for (int n0 = 0; n0 < N; n0 += {}) {{\n", in, tn)
                           : in + "const int n0 = 0;\n";
            if (tile_loop) in += "    ";
        }
        b += in + "float *restrict y = Y + br * B * N;\n";
        // Output (r, n) of the block row: r a C expression or a number.
        const auto target = [&](const std::string& r, const std::string& n) {
            return acc ? fmt::format("a[{}][{} - n0]", r, n) : fmt::format("y[({}) * N + {}]", r, n);
        };
        if (acc)
            b += fmt::format("{0}float a[B][{1}];\n{0}for (int r = 0; r < B; ++r)\n"
                             "{0}    for (int n = 0; n < {1}; ++n) a[r][n] = 0.0f;\n",
                             in, tn);
        const std::string ns = fmt::format("for (int n = n0; n < n0 + {}; ++n)", tn);
        const std::string block = in + "for (int p = rp[br]; p < rp[br + 1]; ++p) {\n" + in +
                                  "    const float *restrict v = val + p * B * B;\n" + in +
                                  "    const float *restrict xb = X + bcol[p] * B * N;\n";
        if (loop == 0 || loop == 1) {
            const std::string outer = loop == 0 ? "r" : "c", inner = loop == 0 ? "c" : "r";
            b += block +
                 fmt::format("{0}    for (int {1} = 0; {1} < B; ++{1})\n{0}        for (int {2} = 0; {2} < B; ++{2}) "
                             "{{\n{0}            const float w = v[r * B + c];\n{0}            {3} {4} += w * xb[c "
                             "* N + n];\n{0}        }}\n{0}}}\n",
                             in, outer, inner, ns, target("r", "n"));
        } else if (loop == 2) {
            b += block + in + "    " + ns + " {\n";
            for (int c = 0; c < B; ++c) b += fmt::format("{}        const float x{} = xb[{} * N + n];\n", in, c, c);
            for (int r = 0; r < B; ++r)
                for (int c = 0; c < B; ++c)
                    b +=
                        fmt::format("{}        {} += v[{}] * x{};\n", in, target(std::to_string(r), "n"), r * B + c, c);
            b += in + "    }\n" + in + "}\n";
        } else {
            b += in + ns + " {\n";
            for (int r = 0; r < B; ++r) b += fmt::format("{}    float s{} = 0.0f;\n", in, r);
            b += in + "    for (int p = rp[br]; p < rp[br + 1]; ++p) {\n" + in +
                 "        const float *restrict v = val + p * B * B;\n" + in +
                 "        const float *restrict xb = X + bcol[p] * B * N + n;\n";
            for (int c = 0; c < B; ++c) b += fmt::format("{}        const float x{} = xb[{} * N];\n", in, c, c);
            for (int r = 0; r < B; ++r)
                for (int c = 0; c < B; ++c) b += fmt::format("{}        s{} += v[{}] * x{};\n", in, r, r * B + c, c);
            b += in + "    }\n";
            for (int r = 0; r < B; ++r) b += fmt::format("{}    y[{} * N + n] += s{};\n", in, r, r);
            b += in + "}\n";
        }
        if (acc) b += fmt::format("{0}for (int r = 0; r < B; ++r)\n{0}    {1} y[r * N + n] += a[r][n - n0];\n", in, ns);
        if (tile_loop) b += in.substr(4) + "}\n";
        b += tile_outer ? "        }\n    }\n" : "    }\n";
        return kernel(dim_defines(w, {{"MB", M / B}, {"KB", KB}, {"E", E}, {"NNZB", M / B * E}}),
                      "const float *restrict val, const int *restrict len, const float *restrict X, float *restrict Y",
                      b);
    });
}

/// A mixture-of-experts FFN layer's expert matmul (Switch Transformer's or Mixtral's dispatch,
/// top-1): each of T tokens goes to one of E experts, the index a hash of the i32 input route[t]
/// and t, and out[t] = W_e x[t] with W_e the expert's D x D matrix (row-major by output, as a
/// Linear layer's weight). Knobs: the dispatch (token by token in token order, gathering the
/// token's expert's weights each time; or bucketed: a counting pass sorts the tokens by expert
/// into index lists, then each expert runs over its own tokens, its weights staying in cache); a
/// tile of 4, 8 or 16 of an expert's tokens computed together (the tail one by one); the loop
/// order (token, output, input: a dot product per output; output, token, input: a weight row
/// reused by the tile's tokens; output, input, token: each weight loaded once for the tile, the
/// tile's sums in a local array; token, input, output: an axpy of the weights' column into the
/// output row, reading W down its columns); whether a tile's input rows are gathered into a
/// contiguous scratch (transposed for the token-innermost order) or read in place through the
/// index list; vectorisation. Every output adds its D terms in input order from zero:
/// bit-identical.
std::vector<Variant> moe_expert_gemm(const Workload& w) {
    const int E = w.dim("E");
    if (E < 2 || (E & (E - 1)) != 0) fail(ErrorKind::invalid_argument, "workload '{}': E a power of two", w.name);
    const std::vector<Knob> knobs{{"disp", "d", {0, 1}},
                                  {"tt", "tt", {1, 4, 8, 16}},
                                  {"inner", "i", {0, 1, 2, 3}},
                                  {"gather", "g", {0, 1}},
                                  vec_knob()};
    // The expert of token t: a hash of route[t] and t, its top bits.
    const std::string defines = dim_defines(w, {{"ESHIFT", 32 - log2_floor(static_cast<std::uint64_t>(E))}}) +
                                "#define EXPERT(t) ((int)(((((unsigned)route[t] * 2654435761u) ^ ((unsigned)(t) * "
                                "40503u)) * 2246822519u) >> ESHIFT))\n";
    const std::string signature =
        "const float *restrict x, const float *restrict W, const int *restrict route, float *restrict out";
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int tt = k.at("tt"), inner = k.at("inner");
        const bool bucket = k.at("disp") == 1, gather = k.at("gather") == 1;
        if (!bucket && tt != 1) return std::nullopt;                              // consecutive tokens share no expert
        if (tt == 1 && (gather || inner == 1 || inner == 2)) return std::nullopt; // one token: nothing to share
        if (tt != 1 && inner == 3) return std::nullopt; // the column walk gains nothing from a tile
        // One token's D outputs from xt into yt, with the expert's weights at We, at `in`.
        const auto token = [&](const std::string& in) {
            if (inner == 0)
                return fmt::format("{0}for (int o = 0; o < D; ++o) {{\n{0}    float s = 0.0f;\n"
                                   "{0}    for (int i = 0; i < D; ++i) s += We[o * D + i] * xt[i];\n"
                                   "{0}    yt[o] = s;\n{0}}}\n",
                                   in);
            return fmt::format("{0}for (int i = 0; i < D; ++i) {{\n{0}    const float a = xt[i];\n"
                               "{0}    for (int o = 0; o < D; ++o) yt[o] += We[o * D + i] * a;\n{0}}}\n",
                               in);
        };
        std::string b;
        if (!bucket) {
            b = "    for (int t = 0; t < T; ++t) {\n        const float *restrict We = W + EXPERT(t) * D * D;\n"
                "        const float *restrict xt = x + t * D;\n        float *restrict yt = out + t * D;\n" +
                token("        ") + "    }\n";
            return kernel(defines, signature, b);
        }
        b = "    int ex[T], off[E + 1], nx[E], idx[T];\n    for (int e = 0; e <= E; ++e) off[e] = 0;\n"
            "    for (int t = 0; t < T; ++t) {\n        ex[t] = EXPERT(t);\n        ++off[ex[t] + 1];\n    }\n"
            "    for (int e = 0; e < E; ++e) {\n        off[e + 1] += off[e];\n        nx[e] = off[e];\n    }\n"
            "    for (int t = 0; t < T; ++t) idx[nx[ex[t]]++] = t;\n"
            "    for (int e = 0; e < E; ++e) {\n        const float *restrict We = W + e * D * D;\n"
            "        int j = off[e];\n";
        if (tt == 1) {
            b += "        for (; j < off[e + 1]; ++j) {\n            const float *restrict xt = x + idx[j] * D;\n"
                 "            float *restrict yt = out + idx[j] * D;\n" +
                 token("            ") + "        }\n    }\n";
        } else {
            // A tile of n tokens idx[j .. j + n), n a literal, at `in`.
            const auto tile = [&](int n, const std::string& in) {
                std::string s;
                const auto X = [&](const std::string& kk, const std::string& i) {
                    if (!gather) return fmt::format("xp[{}][{}]", kk, i);
                    return inner == 2 ? fmt::format("xs[{} * {} + {}]", i, n, kk)
                                      : fmt::format("xs[{} * D + {}]", kk, i);
                };
                const std::string Y = "out[idx[j + kk] * D + o]";
                if (gather) {
                    s += fmt::format("{0}float xs[{1} * D];\n{0}for (int kk = 0; kk < {1}; ++kk)\n"
                                     "{0}    for (int i = 0; i < D; ++i) {2} = x[idx[j + kk] * D + i];\n",
                                     in, n, X("kk", "i"));
                } else {
                    s += fmt::format("{0}const float *xp[{1}];\n{0}for (int kk = 0; kk < {1}; ++kk) xp[kk] = x + "
                                     "idx[j + kk] * D;\n",
                                     in, n);
                }
                const std::string dot =
                    fmt::format("{{\n{0}        float s = 0.0f;\n{0}        for (int i = 0; i < "
                                "D; ++i) s += We[o * D + i] * {1};\n{0}        {2} = s;\n{0}    }}\n",
                                in, X("kk", "i"), Y);
                if (inner == 0)
                    s +=
                        fmt::format("{0}for (int kk = 0; kk < {1}; ++kk)\n{0}    for (int o = 0; o < D; ++o) ", in, n) +
                        dot;
                else if (inner == 1)
                    s +=
                        fmt::format("{0}for (int o = 0; o < D; ++o)\n{0}    for (int kk = 0; kk < {1}; ++kk) ", in, n) +
                        dot;
                else
                    s += fmt::format(
                        "{0}for (int o = 0; o < D; ++o) {{\n{0}    float a[{1}];\n"
                        "{0}    for (int kk = 0; kk < {1}; ++kk) a[kk] = 0.0f;\n"
                        "{0}    for (int i = 0; i < D; ++i) {{\n{0}        const float wv = We[o * D + i];\n"
                        "{0}        for (int kk = 0; kk < {1}; ++kk) a[kk] += wv * {2};\n{0}    }}\n"
                        "{0}    for (int kk = 0; kk < {1}; ++kk) {3} = a[kk];\n{0}}}\n",
                        in, n, X("kk", "i"), Y);
                return s;
            };
            b += fmt::format("        for (; j + {} <= off[e + 1]; j += {}) {{\n", tt, tt) + tile(tt, "            ") +
                 "        }\n        for (; j < off[e + 1]; ++j) {\n" + tile(1, "            ") + "        }\n    }\n";
        }
        return kernel(defines, signature, b);
    });
}

/// Decode attention over a paged KV cache (vLLM's PagedAttention, one query token): H heads, each
/// with a query q[h] of D floats, attend over a context of L tokens whose key and value rows (all
/// heads' D floats side by side per token) live in pages of P tokens, logical page i at physical
/// page bt[i] of a block table the kernel shuffles from the i32 input tbl (Fisher-Yates, as an
/// allocator's free list leaves it). out[h] = softmax(q[h] . K[h]^T / sqrt(D)) V[h], exp in C, the
/// probabilities normalised by division before the value sum. Knobs: the loop structure (heads
/// outermost, each head's scores, softmax and value sum in turn over a scratch of L scores; heads
/// outermost phase by phase over a scratch of every head's scores; pages outermost, the block
/// table walked once per phase and every head's rows of a token read together, the maxima kept
/// as the scores arrive); the score form (a dot product per token, or per page a sweep over D
/// with the page's P tokens innermost, their sums in the score scratch); the value sum (an axpy of
/// each token's value row into the output, or a dot product per output element down V's column
/// through the block table, per page when pages are outermost); unrolling of the innermost loops;
/// vectorisation. Every score, maximum, exponential, sum and output adds its terms in the same
/// order in every schedule: bit-identical.
std::vector<Variant> paged_attention(const Workload& w) {
    const int L = w.dim("L"), P = w.dim("P");
    if (L % P != 0) fail(ErrorKind::invalid_argument, "workload '{}': L a multiple of P", w.name);
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"sform", "s", {0, 1}}, {"pv", "p", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order");
        const bool page_sweep = k.at("sform") == 1, pv_dot = k.at("pv") == 1;
        const int unroll = k.at("unroll");
        std::string b = "    int bt[NP];\n    for (int i = 0; i < NP; ++i) bt[i] = i;\n"
                        "    for (int i = NP - 1; i > 0; --i) {\n"
                        "        const int j = (int)((((unsigned)tbl[i] * 2654435761u) ^ ((unsigned)i * 40503u)) % "
                        "(unsigned)(i + 1));\n"
                        "        const int t = bt[i];\n        bt[i] = bt[j];\n        bt[j] = t;\n    }\n";
        // The scores of head h's page pg into s[pg * P ..], kp at the page's row of head h, at `in`.
        const auto page_scores = [&](const std::string& in) {
            const std::string u = unroll_pragma(unroll, in + "    ");
            if (!page_sweep)
                return fmt::format("{0}for (int sl = 0; sl < P; ++sl) {{\n{0}    const float *restrict kr = kp + sl "
                                   "* H * D;\n{0}    float a = 0.0f;\n{1}{0}    for (int d = 0; d < D; ++d) a += "
                                   "qh[d] * kr[d];\n{0}    s[pg * P + sl] = a * SCALE;\n{0}}}\n",
                                   in, u);
            return fmt::format(
                "{0}for (int sl = 0; sl < P; ++sl) s[pg * P + sl] = 0.0f;\n"
                "{0}for (int d = 0; d < D; ++d) {{\n{0}    const float qd = qh[d];\n{1}"
                "{0}    for (int sl = 0; sl < P; ++sl) s[pg * P + sl] += qd * kp[sl * H * D + d];\n{0}}}\n"
                "{0}for (int sl = 0; sl < P; ++sl) s[pg * P + sl] = s[pg * P + sl] * SCALE;\n",
                in, u);
        };
        // Head h's scores over the whole context (heads outermost).
        const std::string scores = "        for (int pg = 0; pg < NP; ++pg) {\n"
                                   "            const float *restrict kp = kc + (bt[pg] * P * H + h) * D;\n" +
                                   page_scores("            ") + "        }\n";
        const std::string max =
            "        float m = s[0];\n        for (int j = 1; j < L; ++j) m = s[j] > m ? s[j] : m;\n";
        const std::string softmax =
            "        float sum = 0.0f;\n        for (int j = 0; j < L; ++j) {\n"
            "            const float e = simtune_exp(s[j] - m);\n            s[j] = e;\n            sum += e;\n"
            "        }\n        for (int j = 0; j < L; ++j) s[j] = s[j] / sum;\n";
        const std::string u16 = unroll_pragma(unroll, "                ");
        // Head h's value sum (heads outermost).
        const std::string values =
            !pv_dot ? "        float *restrict oh = out + h * D;\n        for (int pg = 0; pg < NP; ++pg) {\n"
                      "            const float *restrict vp = vc + (bt[pg] * P * H + h) * D;\n"
                      "            for (int sl = 0; sl < P; ++sl) {\n                const float pr = s[pg * P + sl];\n"
                      "                const float *restrict vr = vp + sl * H * D;\n" +
                          u16 +
                          "                for (int d = 0; d < D; ++d) oh[d] += pr * vr[d];\n            }\n"
                          "        }\n"
                    : "        for (int d = 0; d < D; ++d) {\n            float a = 0.0f;\n"
                      "            for (int pg = 0; pg < NP; ++pg) {\n"
                      "                const float *restrict vp = vc + (bt[pg] * P * H + h) * D + d;\n" +
                          u16 +
                          "                for (int sl = 0; sl < P; ++sl) a += s[pg * P + sl] * vp[sl * H * D];\n"
                          "            }\n            out[h * D + d] = a;\n        }\n";
        const std::string head = "    for (int h = 0; h < H; ++h) {\n        const float *restrict qh = q + h * D;\n";
        if (order == 0) {
            b += "    float s[L];\n" + head + scores + max + softmax + values + "    }\n";
        } else if (order == 1) {
            const std::string open = "    for (int h = 0; h < H; ++h) {\n        float *restrict s = S + h * L;\n";
            b += "    float S[H * L];\n" + open + "        const float *restrict qh = q + h * D;\n" + scores +
                 "    }\n" + open + max + softmax + "    }\n" + open + values + "    }\n";
        } else {
            b += "    float S[H * L], mx[H];\n    for (int h = 0; h < H; ++h) mx[h] = -3.0e38f;\n"
                 "    for (int pg = 0; pg < NP; ++pg) {\n";
            if (!page_sweep) {
                b +=
                    "        for (int sl = 0; sl < P; ++sl) {\n"
                    "            const float *restrict kr = kc + (bt[pg] * P + sl) * H * D;\n"
                    "            for (int h = 0; h < H; ++h) {\n                const float *restrict qh = q + h * D;\n"
                    "                const float *restrict kh = kr + h * D;\n                float a = 0.0f;\n" +
                    u16 +
                    "                for (int d = 0; d < D; ++d) a += qh[d] * kh[d];\n"
                    "                a = a * SCALE;\n                S[h * L + pg * P + sl] = a;\n"
                    "                mx[h] = a > mx[h] ? a : mx[h];\n            }\n        }\n";
            } else {
                b += "        for (int h = 0; h < H; ++h) {\n            const float *restrict qh = q + h * D;\n"
                     "            float *restrict s = S + h * L;\n"
                     "            const float *restrict kp = kc + (bt[pg] * P * H + h) * D;\n" +
                     page_scores("            ") +
                     "            for (int sl = 0; sl < P; ++sl) mx[h] = s[pg * P + sl] > mx[h] ? s[pg * P + sl] : "
                     "mx[h];\n        }\n";
            }
            b += "    }\n    for (int h = 0; h < H; ++h) {\n        float *restrict s = S + h * L;\n"
                 "        const float m = mx[h];\n" +
                 softmax + "    }\n    for (int pg = 0; pg < NP; ++pg) {\n";
            if (!pv_dot)
                b += "        for (int sl = 0; sl < P; ++sl) {\n"
                     "            const float *restrict vr = vc + (bt[pg] * P + sl) * H * D;\n"
                     "            for (int h = 0; h < H; ++h) {\n                const float pr = S[h * L + pg * P + "
                     "sl];\n" +
                     u16 +
                     "                for (int d = 0; d < D; ++d) out[h * D + d] += pr * vr[h * D + d];\n"
                     "            }\n        }\n";
            else
                b += "        for (int h = 0; h < H; ++h) {\n"
                     "            const float *restrict vp = vc + (bt[pg] * P * H + h) * D;\n"
                     "            const float *restrict s = S + h * L + pg * P;\n"
                     "            for (int d = 0; d < D; ++d) {\n                float a = out[h * D + d];\n" +
                     u16 +
                     "                for (int sl = 0; sl < P; ++sl) a += s[sl] * vp[sl * H * D + d];\n"
                     "                out[h * D + d] = a;\n            }\n        }\n";
            b += "    }\n";
        }
        const std::string scale = fmt::format("#define SCALE {}f\n", 1.0 / std::sqrt(static_cast<double>(w.dim("D"))));
        return kernel(dim_defines(w, {{"NP", L / P}}) + scale + exp_function,
                      "const float *restrict q, const float *restrict kc, const float *restrict vc, const int "
                      "*restrict tbl, float *restrict out",
                      b);
    });
}

/// FlashAttention's forward pass for one head: O = softmax(Q K^T / sqrt(D)) V over L tokens of
/// width D (no causal mask), exp in C. The queries run in blocks of Br rows, the keys in blocks of
/// BC = 32 whose Br x BC scores go to a scratch tile. Knobs: the softmax's form (classic: a query
/// block's full score rows, then the row maxima, the exponentials and their sums, the probabilities
/// normalised by division, then the value sum; or the one-pass online softmax, FlashAttention's: a
/// running maximum m and sum l per row, the output accumulator rescaled by exp(m_old - m_new) once
/// per key block or, in the per-key form, whenever a key raises the maximum, and divided by l at
/// the end); Br (1 or 8 query rows per block, a key block's rows of K and V reused by them); K
/// transposed into a D x L scratch first (the scores then sweep D with the block's keys innermost,
/// contiguous) or read as rows (a dot product per score); the value sum as an axpy of each key's
/// value row into the output row, or a dot product per output element down V's columns (not in the
/// per-key form, which adds each key's row as it comes); vectorisation. (A two-pass form, the
/// scores recomputed rather than the accumulator rescaled, needs 1.5 times the products: over the
/// instruction budget at this shape.) The scores, maxima and value sums add their terms in the same
/// order in every schedule, but the online forms' rescaled sums and deferred division round
/// differently: equal to the reference up to rounding.
std::vector<Variant> flash_attention(const Workload& w) {
    const int L = w.dim("L");
    constexpr int BC = 32;
    if (L % BC != 0) fail(ErrorKind::invalid_argument, "workload '{}': L a multiple of 32", w.name);
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1, 2}}, {"br", "br", {1, 8}}, {"kt", "t", {0, 1}}, {"pv", "p", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), br = k.at("br");
        const bool kt = k.at("kt") == 1, pv_dot = k.at("pv") == 1;
        if (form == 2 && pv_dot) return std::nullopt; // it adds a key's value row as it comes
        // The scores of key block j0 for the block's rows into S (row r at r * SW + SO).
        std::string scores = "        for (int r = 0; r < BR; ++r) {\n"
                             "            const float *restrict q = Q + (i0 + r) * D;\n"
                             "            float *restrict s = S + r * SW + SO;\n";
        if (kt)
            scores += "            for (int j = 0; j < BC; ++j) s[j] = 0.0f;\n"
                      "            for (int d = 0; d < D; ++d) {\n                const float qd = q[d];\n"
                      "                const float *restrict kd = KT + d * L + j0;\n"
                      "                for (int j = 0; j < BC; ++j) s[j] += qd * kd[j];\n            }\n"
                      "            for (int j = 0; j < BC; ++j) s[j] = s[j] * SCALE;\n        }\n";
        else
            scores += "            for (int j = 0; j < BC; ++j) {\n"
                      "                const float *restrict kr = K + (j0 + j) * D;\n                float a = 0.0f;\n"
                      "                for (int d = 0; d < D; ++d) a += q[d] * kr[d];\n"
                      "                s[j] = a * SCALE;\n            }\n        }\n";
        // The value sum of the probabilities p[0 .. BC) of keys j0 .. j0 + BC into the output row o.
        const auto values = [&](const std::string& in) {
            if (!pv_dot)
                return fmt::format("{0}for (int j = 0; j < BC; ++j) {{\n{0}    const float pj = p[j];\n"
                                   "{0}    const float *restrict v = V + (j0 + j) * D;\n"
                                   "{0}    for (int d = 0; d < D; ++d) o[d] += pj * v[d];\n{0}}}\n",
                                   in);
            return fmt::format("{0}for (int d = 0; d < D; ++d) {{\n{0}    float a = o[d];\n"
                               "{0}    for (int j = 0; j < BC; ++j) a += p[j] * V[(j0 + j) * D + d];\n"
                               "{0}    o[d] = a;\n{0}}}\n",
                               in);
        };
        const std::string block_max = "                float mb = m[r];\n"
                                      "                for (int j = 0; j < BC; ++j) mb = s[j] > mb ? s[j] : mb;\n";
        // Indent code one level deeper (the scores inside the key-block loop).
        const auto deeper = [](const std::string& code) {
            std::string out, line;
            for (char c : code) {
                line += c;
                if (c == '\n') {
                    out += "    " + line;
                    line.clear();
                }
            }
            return out;
        };
        // The online forms: a key block's scores, then a loop over the block's rows and their outputs.
        const std::string block_rows = "        for (int j0 = 0; j0 < L; j0 += BC) {\n" + deeper(scores) +
                                       "            for (int r = 0; r < BR; ++r) {\n"
                                       "                float *restrict s = S + r * SW;\n"
                                       "                float *restrict o = O + (i0 + r) * D;\n";
        std::string b;
        if (kt)
            b += "    float KT[D * L];\n    for (int j = 0; j < L; ++j)\n"
                 "        for (int d = 0; d < D; ++d) KT[d * L + j] = K[j * D + d];\n";
        b += "    float S[BR * SW];\n";
        if (form != 0) b += "    float m[BR], l[BR];\n";
        b += "    for (int i0 = 0; i0 < L; i0 += BR) {\n";
        if (form != 0)
            b += "        for (int r = 0; r < BR; ++r) {\n            m[r] = -3.0e38f;\n"
                 "            l[r] = 0.0f;\n        }\n";
        if (form == 0) {
            b += "        for (int j0 = 0; j0 < L; j0 += BC) {\n" + deeper(scores) + "        }\n";
            b += "        for (int r = 0; r < BR; ++r) {\n            float *restrict s = S + r * SW;\n"
                 "            float mx = s[0];\n"
                 "            for (int j = 1; j < L; ++j) mx = s[j] > mx ? s[j] : mx;\n"
                 "            float sum = 0.0f;\n            for (int j = 0; j < L; ++j) {\n"
                 "                const float e = simtune_exp(s[j] - mx);\n                s[j] = e;\n"
                 "                sum += e;\n            }\n"
                 "            for (int j = 0; j < L; ++j) s[j] = s[j] / sum;\n        }\n";
            b += "        for (int j0 = 0; j0 < L; j0 += BC) {\n"
                 "            for (int r = 0; r < BR; ++r) {\n"
                 "                const float *restrict p = S + r * SW + j0;\n"
                 "                float *restrict o = O + (i0 + r) * D;\n" +
                 values("                ") + "            }\n        }\n";
        } else {
            b += block_rows;
            if (form == 1)
                b += block_max +
                     "                const float alpha = simtune_exp(m[r] - mb);\n"
                     "                for (int d = 0; d < D; ++d) o[d] = o[d] * alpha;\n"
                     "                float a = l[r] * alpha;\n                for (int j = 0; j < BC; ++j) {\n"
                     "                    const float e = simtune_exp(s[j] - mb);\n                    s[j] = e;\n"
                     "                    a += e;\n                }\n                l[r] = a;\n"
                     "                m[r] = mb;\n                const float *p = s;\n" +
                     values("                ");
            else
                b += "                float mr = m[r], lr = l[r];\n                for (int j = 0; j < BC; ++j) {\n"
                     "                    const float sj = s[j];\n                    if (sj > mr) {\n"
                     "                        const float alpha = simtune_exp(mr - sj);\n"
                     "                        lr = lr * alpha;\n"
                     "                        for (int d = 0; d < D; ++d) o[d] = o[d] * alpha;\n"
                     "                        mr = sj;\n                    }\n"
                     "                    const float e = simtune_exp(sj - mr);\n                    lr += e;\n"
                     "                    const float *restrict v = V + (j0 + j) * D;\n"
                     "                    for (int d = 0; d < D; ++d) o[d] += e * v[d];\n                }\n"
                     "                m[r] = mr;\n                l[r] = lr;\n";
            b += "            }\n        }\n";
            b += "        for (int r = 0; r < BR; ++r) {\n            float *restrict o = O + (i0 + r) * D;\n"
                 "            const float lr = l[r];\n"
                 "            for (int d = 0; d < D; ++d) o[d] = o[d] / lr;\n        }\n";
        }
        b += "    }\n";
        const std::string scale = fmt::format("#define SCALE {}f\n", 1.0 / std::sqrt(static_cast<double>(w.dim("D"))));
        return kernel(dim_defines(w, {{"BR", br}, {"BC", BC}, {"SW", form == 0 ? L : BC}}) +
                          fmt::format("#define SO {}\n", form == 0 ? "j0" : "0") + scale + exp_function,
                      "const float *restrict Q, const float *restrict K, const float *restrict V, float *restrict O",
                      b);
    });
}

/// Many tiny independent matmuls, C[b] = A[b] B[b] for NB matrices of M x K times K x N (per-point
/// or per-head transforms, a graph network's edge matrices, small-block solvers' updates). Knobs:
/// where the batch loop goes (outermost, one matrix at a time; innermost, the batch the vector
/// dimension, each (i, j, k) step walking the tile's matrices in place with a stride of a
/// matrix; or innermost over a batch-interleaved (SoA) scratch: a tile's A and B packed element
/// by element with the tile's matrices contiguous, C computed there and unpacked); the batch tile
/// (the whole batch, 256 or 32 matrices; the packed form's scratch holds a tile); the loop order
/// inside a matrix (i-j-k with a register sum per element, i-k-j or j-k-i updating C in place);
/// the tiny loops fully unrolled (batch outermost), or k unrolled into the batch loop's body with
/// the element's sum in a register (batch innermost, i-j-k); vectorisation. Every element of C
/// adds its K products in k order from zero: bit-identical.
std::vector<Variant> batched_small_gemm(const Workload& w) {
    const int NB = w.dim("NB"), M = w.dim("M"), N = w.dim("N"), K = w.dim("K");
    if (NB % 256 != 0) fail(ErrorKind::invalid_argument, "workload '{}': NB a multiple of 256", w.name);
    const std::vector<Knob> knobs{{"batch", "b", {0, 1, 2}},
                                  {"tb", "tb", {NB, 256, 32}},
                                  {"order", "o", {0, 1, 2}},
                                  {"unroll", "u", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int batch = k.at("batch"), tb = k.at("tb"), order = k.at("order");
        const bool unroll = k.at("unroll") == 1;
        if (batch == 0 && tb != NB) return std::nullopt;             // one matrix at a time: no tile
        if (batch == 1 && tb == 256) return std::nullopt;            // in place: the whole batch or small tiles
        if (batch == 2 && tb == NB) return std::nullopt;             // the scratch holds a tile
        if (batch != 0 && unroll && order != 0) return std::nullopt; // k unrolled into the batch loop: i, j, k
        const std::vector<std::string> loops = order == 0   ? std::vector<std::string>{"i", "j", "k"}
                                               : order == 1 ? std::vector<std::string>{"i", "k", "j"}
                                                            : std::vector<std::string>{"j", "k", "i"};
        const auto extent = [](const std::string& v) { return v == "i" ? "M" : v == "j" ? "N" : "K"; };
        std::string b;
        if (batch == 0) {
            b = "    for (int b = 0; b < NB; ++b) {\n        const float *restrict a = A + b * M * K;\n"
                "        const float *restrict bm = B + b * K * N;\n        float *restrict c = C + b * M * N;\n";
            std::string in = "        ";
            const auto open = [&](const std::string& v) {
                b += unroll_pragma(unroll ? std::max({M, N, K}) : 1, in) +
                     fmt::format("{0}for (int {1} = 0; {1} < {2}; ++{1}) {{\n", in, v, extent(v));
                in += "    ";
            };
            open(loops[0]);
            open(loops[1]);
            if (order == 0) {
                b += in + "float s = 0.0f;\n";
                b += unroll_pragma(unroll ? K : 1, in) + in +
                     "for (int k = 0; k < K; ++k) s += a[i * K + k] * bm[k * N + j];\n" + in + "c[i * N + j] = s;\n";
            } else if (order == 1) {
                b += in + "const float av = a[i * K + k];\n" + unroll_pragma(unroll ? N : 1, in) + in +
                     "for (int j = 0; j < N; ++j) c[i * N + j] += av * bm[k * N + j];\n";
            } else {
                b += in + "const float bv = bm[k * N + j];\n" + unroll_pragma(unroll ? M : 1, in) + in +
                     "for (int i = 0; i < M; ++i) c[i * N + j] += a[i * K + k] * bv;\n";
            }
            b += "            }\n        }\n    }\n";
            return kernel(dim_defines(w), f32_in_in_out_ABC, b);
        }
        // Batch innermost: element e of matrix b (b counted within the tile) in each array.
        const bool packed = batch == 2;
        const auto at = [&](const char* arr, const std::string& e, const char* size) {
            return packed ? fmt::format("{}s[({}) * TB + b]", arr, e)
                          : fmt::format("{}[(b0 + b) * {} + {}]", arr, size, e);
        };
        // A's and B's terms of step kx (the loop variable k, or a literal where k is unrolled).
        const auto product = [&](const std::string& kx) {
            return fmt::format("{} * {}", at("A", "i * K + " + kx, "M * K"), at("B", kx + " * N + j", "K * N"));
        };
        const std::string cC = at("C", "i * N + j", "M * N");
        if (packed) b += "    float As[M * K * TB], Bs[K * N * TB], Cs[M * N * TB];\n";
        b += tb == NB ? "    const int b0 = 0;\n    {\n" : "    for (int b0 = 0; b0 < NB; b0 += TB) {\n";
        if (packed)
            b += "        for (int b = 0; b < TB; ++b) {\n"
                 "            for (int e = 0; e < M * K; ++e) As[e * TB + b] = A[(b0 + b) * M * K + e];\n"
                 "            for (int e = 0; e < K * N; ++e) Bs[e * TB + b] = B[(b0 + b) * K * N + e];\n"
                 "        }\n";
        if (unroll) {
            b += "        for (int i = 0; i < M; ++i)\n            for (int j = 0; j < N; ++j)\n"
                 "                for (int b = 0; b < TB; ++b) {\n                    float s = 0.0f;\n";
            for (int kk = 0; kk < K; ++kk)
                b += fmt::format("                    s += {};\n", product(std::to_string(kk)));
            b += fmt::format("                    {} = s;\n                }}\n", cC);
        } else {
            if (packed) b += "        for (int e = 0; e < M * N * TB; ++e) Cs[e] = 0.0f;\n";
            std::string in = "        ";
            for (const auto& v : loops) {
                b += fmt::format("{0}for (int {1} = 0; {1} < {2}; ++{1})\n", in, v, extent(v));
                in += "    ";
            }
            b += fmt::format("{0}for (int b = 0; b < TB; ++b) {1} += {2};\n", in, cC, product("k"));
        }
        if (packed)
            b += "        for (int b = 0; b < TB; ++b)\n"
                 "            for (int e = 0; e < M * N; ++e) C[(b0 + b) * M * N + e] = Cs[e * TB + b];\n";
        b += "    }\n";
        return kernel(dim_defines(w, {{"TB", tb}}), f32_in_in_out_ABC, b);
    });
}

/// A separable Gaussian blur of a float H x W image, K taps (odd; the weights OpenCV's
/// getGaussianKernel gives for K, as float literals), borders clamped (replicated): a horizontal
/// pass then a vertical pass over its results. Knobs: the pass structure (two full passes through
/// the whole-image scratch T, the column-by-column vertical pass through a table of the clamped
/// rows' offsets; a line buffer, a ring of K rows of horizontal results, each output row's vertical
/// pass run as soon as its last source row is ready; or strips of 32 output rows, each with its own
/// scratch of the strip's rows plus K - 1 halo rows, the halo's horizontal rows recomputed by both
/// neighbouring strips); the vertical pass (row by row with the taps innermost, row by row as K
/// axpys of source rows into the output row, or column by column down the scratch, not with the
/// line buffer); the horizontal pass (every tap's column clamped, or the interior's columns
/// unclamped and only the K - 1 border columns clamped, the interior with the taps innermost or as
/// K axpys along the row); vectorisation. Every horizontal and vertical sum adds its taps in tap
/// order from zero: bit-identical.
std::vector<Variant> gaussian_blur_sep(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), K = w.dim("K");
    constexpr int TR = 32;
    if (K % 2 == 0 || K < 3 || H % TR != 0 || W < K)
        fail(ErrorKind::invalid_argument, "workload '{}': K odd, H a multiple of 32, W at least K", w.name);
    // OpenCV's sigma for a kernel of K taps, the weights normalised in double and printed as floats.
    const double sigma = 0.3 * ((K - 1) * 0.5 - 1) + 0.8;
    std::vector<double> g(static_cast<std::size_t>(K));
    double total = 0;
    for (int t = 0; t < K; ++t) total += g[t] = std::exp(-(t - K / 2) * (t - K / 2) / (2 * sigma * sigma));
    std::vector<std::string> lit;
    for (double x : g) lit.push_back(fmt::format("{:.9g}f", static_cast<float>(x / total)));
    const std::string table = fmt::format("static const float G[K] = {{{}}};\n", fmt::join(lit, ", "));
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2}}, {"vert", "vp", {0, 1, 2}}, {"horiz", "hp", {0, 1, 2}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), vert = k.at("vert"), horiz = k.at("horiz");
        if (method == 1 && vert == 2) return std::nullopt; // the ring holds K rows: no column to walk
        // The horizontal pass of one row.
        std::string f = "static inline void hrow(const float *restrict in, float *restrict out) {\n";
        const std::string clamped = "        float s = 0.0f;\n        for (int t = 0; t < K; ++t) {\n"
                                    "            int c = x + t - R;\n            c = c < 0 ? 0 : c;\n"
                                    "            c = c > W - 1 ? W - 1 : c;\n            s += G[t] * in[c];\n"
                                    "        }\n        out[x] = s;\n    }\n";
        if (horiz == 0) {
            f += "    for (int x = 0; x < W; ++x) {\n" + clamped;
        } else {
            f += "    for (int x = 0; x < R; ++x) {\n" + clamped;
            if (horiz == 1)
                f += "    for (int x = R; x < W - R; ++x) {\n        float s = 0.0f;\n"
                     "        for (int t = 0; t < K; ++t) s += G[t] * in[x + t - R];\n        out[x] = s;\n    }\n";
            else
                f += "    for (int x = R; x < W - R; ++x) out[x] = 0.0f;\n    for (int t = 0; t < K; ++t) {\n"
                     "        const float g = G[t];\n"
                     "        for (int x = R; x < W - R; ++x) out[x] += g * in[x + t - R];\n    }\n";
            f += "    for (int x = W - R; x < W; ++x) {\n" + clamped;
        }
        f += "}\n";
        // The vertical pass of one output row from its K source rows.
        if (vert != 2) {
            f += "static inline void vrow(const float *const *rows, float *restrict out) {\n";
            if (vert == 0)
                f += "    for (int x = 0; x < W; ++x) {\n        float s = 0.0f;\n"
                     "        for (int t = 0; t < K; ++t) s += G[t] * rows[t][x];\n        out[x] = s;\n    }\n";
            else
                f += "    for (int x = 0; x < W; ++x) out[x] = 0.0f;\n    for (int t = 0; t < K; ++t) {\n"
                     "        const float g = G[t];\n        const float *restrict src = rows[t];\n"
                     "        for (int x = 0; x < W; ++x) out[x] += g * src[x];\n    }\n";
            f += "}\n";
        }
        const std::string clamp_row = "            int r = y + t - R;\n            r = r < 0 ? 0 : r;\n"
                                      "            r = r > H - 1 ? H - 1 : r;\n";
        std::string b;
        if (method == 0) {
            b = "    for (int y = 0; y < H; ++y) hrow(I + y * W, T + y * W);\n";
            if (vert != 2)
                b += "    for (int y = 0; y < H; ++y) {\n        const float *rows[K];\n"
                     "        for (int t = 0; t < K; ++t) {\n" +
                     clamp_row + "            rows[t] = T + r * W;\n        }\n        vrow(rows, O + y * W);\n    }\n";
            else
                b += "    int ro[H + K - 1];\n    for (int q = 0; q < H + K - 1; ++q) {\n"
                     "        int r = q - R;\n        r = r < 0 ? 0 : r;\n        r = r > H - 1 ? H - 1 : r;\n"
                     "        ro[q] = r * W;\n    }\n"
                     "    for (int x = 0; x < W; ++x)\n        for (int y = 0; y < H; ++y) {\n"
                     "            float s = 0.0f;\n"
                     "            for (int t = 0; t < K; ++t) s += G[t] * T[ro[y + t] + x];\n"
                     "            O[y * W + x] = s;\n        }\n";
        } else if (method == 1) {
            b = "    float ring[K * W];\n    int next = 0;\n    for (int y = 0; y < H; ++y) {\n"
                "        const int last = y + R < H ? y + R : H - 1;\n"
                "        for (; next <= last; ++next) hrow(I + next * W, ring + next % K * W);\n"
                "        const float *rows[K];\n        for (int t = 0; t < K; ++t) {\n" +
                clamp_row +
                "            rows[t] = ring + r % K * W;\n        }\n        vrow(rows, O + y * W);\n    }\n";
        } else {
            b = "    float S[(TR + K - 1) * W];\n    for (int y0 = 0; y0 < H; y0 += TR) {\n"
                "        for (int q = 0; q < TR + K - 1; ++q) {\n            int r = y0 + q - R;\n"
                "            r = r < 0 ? 0 : r;\n            r = r > H - 1 ? H - 1 : r;\n"
                "            hrow(I + r * W, S + q * W);\n        }\n";
            if (vert != 2)
                b += "        for (int y = y0; y < y0 + TR; ++y) {\n            const float *rows[K];\n"
                     "            for (int t = 0; t < K; ++t) rows[t] = S + (y - y0 + t) * W;\n"
                     "            vrow(rows, O + y * W);\n        }\n";
            else
                b += "        for (int x = 0; x < W; ++x)\n            for (int y = y0; y < y0 + TR; ++y) {\n"
                     "                float s = 0.0f;\n"
                     "                for (int t = 0; t < K; ++t) s += G[t] * S[(y - y0 + t) * W + x];\n"
                     "                O[y * W + x] = s;\n            }\n";
            b += "    }\n";
        }
        return kernel(dim_defines(w, {{"R", K / 2}, {"TR", TR}}) + table + f,
                      "const float *restrict I, float *restrict T, float *restrict O", b);
    });
}

/// The weight gradient of a 3x3 stride-1 convolution with a one-pixel zero border over NHWC (every
/// convolutional layer's backward pass, cuDNN's and oneDNN's backward-weights kernels): dW[k][kh][kw][c]
/// = the sum over the pixels (n, oh, ow) of dY[n][oh][ow][k] X[n][oh + kh - 1][ow + kw - 1][c], X
/// zero outside the image, K output and C input channels. It is a GEMM whose reduction runs over the
/// N H W pixels: dW[K][9 C] = dY^T times the im2col patches of X. Knobs: the loop order (a dot
/// product over the pixels per weight, the output-stationary form; K rows of 9 C weights, each
/// swept over every pixel as axpys of X's C channels; or the pixels outermost, each pixel's
/// gradient row and its nine taps updating every weight); the access to X (direct, a branch per tap
/// at the border; direct, each tap's pixel range clipped (dots) or each pixel's taps clipped (axpys),
/// no branch; through a zero-padded copy of X, every tap valid and (axpys) a kernel row's three taps
/// one contiguous run of 3 C; or through an im2col scratch of one image row's W x 9 C patches, zeros
/// at the border, the row's GEMM update read from it); for the dot products, channels-first copies
/// (dY as [K][pixel], X, its padded copy or the row's patches transposed: the pixel walk
/// contiguous) or the channels-last tensors as they are (the pixel walk strided); vectorisation.
/// Every weight adds its pixels' terms in (n, oh, ow) order from zero; a tap outside the image
/// either is skipped or adds a zero product to a sum that is never -0: bit-identical.
std::vector<Variant> conv2d_weight_grad(const Workload& w) {
    if (w.dim("H") < 3 || w.dim("W") < 3) fail(ErrorKind::invalid_argument, "workload '{}': H, W at least 3", w.name);
    const std::vector<Knob> knobs{
        {"order", "o", {0, 1, 2}}, {"xs", "x", {0, 1, 2, 3}}, {"tr", "t", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), xs = k.at("xs");
        const bool tr = k.at("tr") == 1;
        if (tr && order != 0) return std::nullopt; // the channels-first copies serve the pixel-innermost dots
        std::string b;
        // The copies every schedule of this assignment makes first.
        if (xs == 2) {
            b += tr ? "    float Xp[N * C * HP * WP];\n" : "    float Xp[N * HP * WP * C];\n";
            b += "    for (int q = 0; q < N * HP * WP * C; ++q) Xp[q] = 0.0f;\n"
                 "    for (int n = 0; n < N; ++n)\n        for (int h = 0; h < H; ++h)\n"
                 "            for (int x = 0; x < W; ++x)\n                for (int c = 0; c < C; ++c)\n";
            b += tr ? "                    Xp[((n * C + c) * HP + h + 1) * WP + x + 1] = X[((n * H + h) * W + x) * C + "
                      "c];\n"
                    : "                    Xp[((n * HP + h + 1) * WP + x + 1) * C + c] = X[((n * H + h) * W + x) * C + "
                      "c];\n";
        } else if (tr && xs != 3) {
            b += "    float Xt[N * C * H * W];\n    for (int n = 0; n < N; ++n)\n        for (int h = 0; h < H; ++h)\n"
                 "            for (int x = 0; x < W; ++x)\n                for (int c = 0; c < C; ++c)\n"
                 "                    Xt[((n * C + c) * H + h) * W + x] = X[((n * H + h) * W + x) * C + c];\n";
        }
        if (tr && xs != 3)
            b += "    float dYt[K * P];\n    for (int p = 0; p < P; ++p)\n"
                 "        for (int k = 0; k < K; ++k) dYt[k * P + p] = dY[p * K + k];\n";
        if (xs == 3) {
            // One image row's patches, then the row's update of every weight.
            b += tr ? "    float Pt[9 * C * W], dyt[K * W];\n" : "    float Pr[W * 9 * C];\n";
            b += "    for (int n = 0; n < N; ++n)\n        for (int oh = 0; oh < H; ++oh) {\n"
                 "            const float *restrict dy = dY + (n * H + oh) * W * K;\n"
                 "            for (int ow = 0; ow < W; ++ow)\n                for (int kh = 0; kh < 3; ++kh)\n"
                 "                    for (int kw = 0; kw < 3; ++kw) {\n"
                 "                        const int ih = oh + kh - 1, iw = ow + kw - 1;\n";
            b += tr ? "                        float *restrict pt = Pt + (kh * 3 + kw) * C * W + ow;\n"
                    : "                        float *restrict pr = Pr + (ow * 9 + kh * 3 + kw) * C;\n";
            b += "                        if (ih >= 0 && ih < H && iw >= 0 && iw < W) {\n"
                 "                            const float *restrict x = X + ((n * H + ih) * W + iw) * C;\n";
            b += tr ? "                            for (int c = 0; c < C; ++c) pt[c * W] = x[c];\n"
                      "                        } else\n"
                      "                            for (int c = 0; c < C; ++c) pt[c * W] = 0.0f;\n"
                    : "                            for (int c = 0; c < C; ++c) pr[c] = x[c];\n"
                      "                        } else\n"
                      "                            for (int c = 0; c < C; ++c) pr[c] = 0.0f;\n";
            b += "                    }\n";
            if (tr)
                b += "            for (int ow = 0; ow < W; ++ow)\n"
                     "                for (int k = 0; k < K; ++k) dyt[k * W + ow] = dy[ow * K + k];\n";
            if (order == 0)
                b += std::string("            for (int k = 0; k < K; ++k)\n                for (int j = 0; j < 9 * C; "
                                 "++j) {\n                    float a = dW[k * 9 * C + j];\n") +
                     (tr ? "                    for (int ow = 0; ow < W; ++ow) a += dyt[k * W + ow] * Pt[j * W + ow];\n"
                         : "                    for (int ow = 0; ow < W; ++ow) a += dy[ow * K + k] * Pr[ow * 9 * C + "
                           "j];\n") +
                     "                    dW[k * 9 * C + j] = a;\n                }\n";
            else
                b += std::string(order == 1 ? "            for (int k = 0; k < K; ++k)\n"
                                              "                for (int ow = 0; ow < W; ++ow) {\n"
                                            : "            for (int ow = 0; ow < W; ++ow)\n"
                                              "                for (int k = 0; k < K; ++k) {\n") +
                     "                    const float g = dy[ow * K + k];\n"
                     "                    const float *restrict pr = Pr + ow * 9 * C;\n"
                     "                    float *restrict dw = dW + k * 9 * C;\n"
                     "                    for (int j = 0; j < 9 * C; ++j) dw[j] += g * pr[j];\n                }\n";
            b += "        }\n";
        } else if (order == 0) {
            // A dot product over the pixels per weight.
            const std::string dy = tr ? "dYt[k * P + (n * H + oh) * W + ow]" : "dY[((n * H + oh) * W + ow) * K + k]";
            std::string x;
            if (xs == 2)
                x = tr ? "Xp[((n * C + c) * HP + oh + kh) * WP + ow + kw]"
                       : "Xp[((n * HP + oh + kh) * WP + ow + kw) * C + c]";
            else
                x = tr ? "Xt[((n * C + c) * H + oh + kh - 1) * W + ow + kw - 1]"
                       : "X[((n * H + oh + kh - 1) * W + ow + kw - 1) * C + c]";
            b += "    for (int k = 0; k < K; ++k)\n        for (int kh = 0; kh < 3; ++kh)\n"
                 "            for (int kw = 0; kw < 3; ++kw) {\n";
            if (xs == 1)
                b += "                const int oh0 = kh == 0 ? 1 : 0, oh1 = kh == 2 ? H - 1 : H;\n"
                     "                const int ow0 = kw == 0 ? 1 : 0, ow1 = kw == 2 ? W - 1 : W;\n";
            else b += "                const int oh0 = 0, oh1 = H, ow0 = 0, ow1 = W;\n";
            b += "                for (int c = 0; c < C; ++c) {\n                    float s = 0.0f;\n"
                 "                    for (int n = 0; n < N; ++n)\n"
                 "                        for (int oh = oh0; oh < oh1; ++oh) {\n";
            if (xs == 0)
                b += "                            const int ih = oh + kh - 1;\n"
                     "                            if (ih < 0 || ih >= H) continue;\n"
                     "                            for (int ow = ow0; ow < ow1; ++ow) {\n"
                     "                                const int iw = ow + kw - 1;\n"
                     "                                if (iw >= 0 && iw < W) s += " +
                     dy + " * " + x + ";\n                            }\n";
            else b += "                            for (int ow = ow0; ow < ow1; ++ow) s += " + dy + " * " + x + ";\n";
            b += "                        }\n                    dW[((k * 3 + kh) * 3 + kw) * C + c] = s;\n"
                 "                }\n            }\n";
        } else {
            // Axpys of X's channels into the weights: the taps of pixel (n, oh, ow), x the tap's
            // channels (xs 2: a kernel row's three taps, 3 C contiguous floats), d its weights.
            const auto taps = [&](const std::string& in, const std::string& inner) {
                if (xs == 2)
                    return in + "for (int kh = 0; kh < 3; ++kh) {\n" + in +
                           "    const float *restrict x = Xp + ((n * HP + oh + kh) * WP + ow) * C;\n" + in +
                           "    const int t = kh * 3;\n" + inner + in + "}\n";
                std::string s;
                if (xs == 0)
                    s += in + "for (int kh = 0; kh < 3; ++kh) {\n" + in + "    const int ih = oh + kh - 1;\n" + in +
                         "    if (ih < 0 || ih >= H) continue;\n" + in + "    for (int kw = 0; kw < 3; ++kw) {\n" + in +
                         "        const int iw = ow + kw - 1;\n" + in + "        if (iw < 0 || iw >= W) continue;\n";
                else
                    s += in + "const int kh0 = oh == 0 ? 1 : 0, kh1 = oh == H - 1 ? 2 : 3;\n" + in +
                         "const int kw0 = ow == 0 ? 1 : 0, kw1 = ow == W - 1 ? 2 : 3;\n" + in +
                         "for (int kh = kh0; kh < kh1; ++kh) {\n" + in + "    for (int kw = kw0; kw < kw1; ++kw) {\n";
                return s + in +
                       "        const float *restrict x = X + ((n * H + oh + kh - 1) * W + ow + kw - 1) * C;\n" + in +
                       "        const int t = kh * 3 + kw;\n" + inner + in + "    }\n" + in + "}\n";
            };
            // The pixel loops at `in`, the body at in + 12 spaces; the taps' innermost code deeper.
            const std::string len = xs == 2 ? "3 * C" : "C";
            const auto pixels = [&](const std::string& in) {
                return in + "for (int n = 0; n < N; ++n)\n" + in + "    for (int oh = 0; oh < H; ++oh)\n" + in +
                       "        for (int ow = 0; ow < W; ++ow) {\n";
            };
            if (order == 1) {
                const std::string in = std::string(xs == 2 ? 24 : 28, ' ');
                b += "    for (int k = 0; k < K; ++k) {\n        float *restrict dw = dW + k * 9 * C;\n" +
                     pixels("        ") + "                    const float g = dY[((n * H + oh) * W + ow) * K + k];\n" +
                     taps("                    ", in + "float *restrict d = dw + t * C;\n" + in +
                                                      "for (int c = 0; c < " + len + "; ++c) d[c] += g * x[c];\n") +
                     "                }\n    }\n";
            } else {
                const std::string in = std::string(xs == 2 ? 20 : 24, ' ');
                b += pixels("    ") + "                const float *restrict dy = dY + ((n * H + oh) * W + ow) * K;\n" +
                     taps("                ",
                          in + "for (int k = 0; k < K; ++k) {\n" + in + "    const float g = dy[k];\n" + in +
                              "    float *restrict d = dW + (k * 9 + t) * C;\n" + in + "    for (int c = 0; c < " +
                              len + "; ++c) d[c] += g * x[c];\n" + in + "}\n") +
                     "            }\n";
            }
        }
        const int P = w.dim("N") * w.dim("H") * w.dim("W");
        return kernel(dim_defines(w, {{"P", P}, {"HP", w.dim("H") + 2}, {"WP", w.dim("W") + 2}}),
                      "const float *restrict X, const float *restrict dY, float *restrict dW", b);
    });
}

/// 2:4 structured-sparse times dense (the sparsity of NVIDIA's sparse tensor cores and of
/// 2:4-pruned LLM weights, run on a CPU): C[M][N] = A[M][K] B[K][N], A stored compressed, each
/// group of 4 columns keeping 2: val holds the M x K/2 kept values, and the kept pair of group g
/// of row i is one of the six pairs of {0, 1, 2, 3}, a hash of the i32 input meta[i][g] and the
/// group's position. Every schedule first builds its own metadata from meta (as a loader converts
/// a checkpoint's): pre-expanded i32 column indices, one per kept value; or the hardware's
/// format, two 2-bit indices a group, two groups a byte (u8 nibbles), decoded per group. Knobs:
/// the form of A (compressed, the two kept columns' rows or entries of B gathered per group;
/// decompressed into a dense M x K scratch first, zeros where pruned, then a dense GEMM; or
/// decompressed one row at a time into a K-float scratch, fused with the row's products); the
/// loop order (a dot product per output down B's column; axpys of B's rows into C's row, the
/// compressed form fusing a group's two rows into one pass; or dot products over B transposed
/// into a scratch first); the metadata (compressed form only); a tile of 32 of C's columns
/// (outermost, B's column tile staying in cache, or inside the decompressed row); vectorisation.
/// Every output adds its kept terms in ascending k from zero; the dense forms add the pruned
/// entries' zero products too, which leave a sum that is never -0 unchanged (the inputs are
/// finite): bit-identical.
std::vector<Variant> sparse24_gemm(const Workload& w) {
    const int K = w.dim("K"), N = w.dim("N");
    if (K % 8 != 0 || N % 32 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': K a multiple of 8, N of 32", w.name);
    const std::vector<Knob> knobs{{"form", "f", {0, 1, 2}},
                                  {"order", "o", {0, 1, 2}},
                                  {"meta", "m", {0, 1}},
                                  {"tn", "tn", tiles_of(N, {32})},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), order = k.at("order"), tn = k.at("tn");
        const bool nib = k.at("meta") == 1;
        if (form != 0 && nib) return std::nullopt; // the dense forms decode each group once, from meta
        std::string b;
        if (form == 0 && !nib)
            b += "    int ci[M * G * 2];\n    for (int q = 0; q < M * G; ++q) {\n"
                 "        const int p = pair_of(meta[q], q), g = q % G;\n"
                 "        ci[2 * q] = 4 * g + LO[p];\n        ci[2 * q + 1] = 4 * g + HI[p];\n    }\n";
        if (form == 0 && nib)
            b += "    unsigned char mt[M * G / 2];\n    for (int q = 0; q < M * G; q += 2) {\n"
                 "        const int p0 = pair_of(meta[q], q), p1 = pair_of(meta[q + 1], q + 1);\n"
                 "        mt[q / 2] = (unsigned char)(LO[p0] | HI[p0] << 2 | LO[p1] << 4 | HI[p1] << 6);\n    }\n";
        if (form == 1)
            b += "    float Ad[M * K];\n    for (int x = 0; x < M * K; ++x) Ad[x] = 0.0f;\n"
                 "    for (int q = 0; q < M * G; ++q) {\n        const int p = pair_of(meta[q], q);\n"
                 "        Ad[4 * q + LO[p]] = val[2 * q];\n        Ad[4 * q + HI[p]] = val[2 * q + 1];\n    }\n";
        if (order == 2)
            b += "    float Bt[N * K];\n    for (int x = 0; x < K; ++x)\n"
                 "        for (int j = 0; j < N; ++j) Bt[j * K + x] = B[x * N + j];\n";
        const std::string tile_loop = tn == N ? "" : "for (int j0 = 0; j0 < N; j0 += TN)\n";
        const std::string j0 = tn == N ? "0" : "j0";
        const std::string js = "for (int j = " + j0 + "; j < " + j0 + " + TN; ++j)";
        if (form == 0) {
            // Group g of row i: its kept columns c0 < c1 and their values v[2 g], v[2 g + 1].
            const std::string decode = nib ? "const int q = i * G + g;\n{0}const unsigned nb = (unsigned)mt[q >> 1] >> "
                                             "((q & 1) * 4);\n{0}const int c0 = 4 * g + (int)(nb & 3u), c1 = 4 * g + "
                                             "(int)((nb >> 2) & 3u);\n"
                                           : "const int c0 = ci[2 * (i * G + g)], c1 = ci[2 * (i * G + g) + 1];\n";
            const auto dec = [&](const std::string& in) { return in + fmt::format(fmt::runtime(decode), in); };
            b += tile_loop.empty() ? "" : "    " + tile_loop;
            b += "    for (int i = 0; i < M; ++i) {\n        const float *restrict v = val + i * G * 2;\n";
            if (order == 1)
                b += "        float *restrict c = C + i * N;\n        for (int g = 0; g < G; ++g) {\n" +
                     dec("            ") +
                     "            const float a0 = v[2 * g], a1 = v[2 * g + 1];\n"
                     "            const float *restrict b0 = B + c0 * N, *restrict b1 = B + c1 * N;\n            " +
                     js + " c[j] = c[j] + a0 * b0[j] + a1 * b1[j];\n        }\n";
            else
                b += "        " + js + " {\n" +
                     (order == 2 ? "            const float *restrict bt = Bt + j * K;\n" : "") +
                     "            float s = 0.0f;\n            for (int g = 0; g < G; ++g) {\n" +
                     dec("                ") +
                     (order == 2
                          ? "                s += v[2 * g] * bt[c0];\n                s += v[2 * g + 1] * bt[c1];\n"
                          : "                s += v[2 * g] * B[c0 * N + j];\n"
                            "                s += v[2 * g + 1] * B[c1 * N + j];\n") +
                     "            }\n            C[i * N + j] = s;\n        }\n";
            b += "    }\n";
        } else {
            // The dense row a of A.
            std::string in = "        ";
            if (form == 1) {
                b += tile_loop.empty() ? "" : "    " + tile_loop;
                b += "    for (int i = 0; i < M; ++i) {\n        const float *restrict a = Ad + i * K;\n";
            } else {
                b += "    float a[K];\n    for (int i = 0; i < M; ++i) {\n"
                     "        for (int x = 0; x < K; ++x) a[x] = 0.0f;\n        for (int g = 0; g < G; ++g) {\n"
                     "            const int q = i * G + g, p = pair_of(meta[q], q);\n"
                     "            a[4 * g + LO[p]] = val[2 * q];\n            a[4 * g + HI[p]] = val[2 * q + 1];\n"
                     "        }\n";
                if (!tile_loop.empty()) {
                    b += in + "for (int j0 = 0; j0 < N; j0 += TN) {\n";
                    in += "    ";
                }
            }
            if (order == 1)
                b += in + "float *restrict c = C + i * N;\n" + in + "for (int x = 0; x < K; ++x) {\n" + in +
                     "    const float ax = a[x];\n" + in + "    const float *restrict br = B + x * N;\n" + in + "    " +
                     js + " c[j] += ax * br[j];\n" + in + "}\n";
            else
                b += in + js + " {\n" + (order == 2 ? in + "    const float *restrict bt = Bt + j * K;\n" : "") + in +
                     "    float s = 0.0f;\n" + in + "    for (int x = 0; x < K; ++x) s += a[x] * " +
                     (order == 2 ? "bt[x]" : "B[x * N + j]") + ";\n" + in + "    C[i * N + j] = s;\n" + in + "}\n";
            if (form == 2 && !tile_loop.empty()) b += "        }\n";
            b += "    }\n";
        }
        const std::string d =
            dim_defines(w, {{"G", K / 4}, {"TN", tn}}) +
            "static const int LO[6] = {0, 0, 0, 1, 1, 2}, HI[6] = {1, 2, 3, 2, 3, 3};\n"
            "/* the kept pair (LO[p], HI[p]) of group q (row-major over the M x K/4 groups) */\n"
            "static inline int pair_of(int m, int q) {\n"
            "    unsigned h = ((unsigned)m * 2654435761u) ^ ((unsigned)q * 40503u);\n"
            "    h ^= h >> 15;\n    h *= 0x846ca68bu;\n    h ^= h >> 16;\n    return (int)(h % 6u);\n}\n";
        return kernel(
            d, "const float *restrict val, const int *restrict meta, const float *restrict B, float *restrict C", b);
    });
}

/// A permuted tensor contraction, as einsum and the TCCG benchmark suite pose them:
/// C[a][c][b] = the sum over k of A[a][k][b] B[k][c] (no operand a plain matrix in the (a c, b)
/// view; for each a the slice is C[a] = B^T A[a]). Knobs: the method (a direct loop nest; TTGT,
/// transpose-transpose-GEMM-transpose: a slab of A's a-slices transposed into a scratch
/// At[(a, b)][k], a plain GEMM into a scratch Ct[(a, b)][c], then Ct transposed back into C; or a
/// blocked GEMM core per a-slice, C[a] = B^T A[a] in register tiles of RC x RB outputs, GotoBLAS
/// style); then per method a loop order or shape and a tile: direct, the loop order (a, c, b, k
/// with k innermost, a dot product down A's k stride; a, c, k, b, axpys of A's rows into C's
/// rows; a, k, c, b, each row of A reused across c; or k, a, c, b, k outermost sweeping all of C
/// per k) and a tile of 8 of b (outside k: C's tile row in registers; outermost for k first: C's
/// tile slab in cache); TTGT, the GEMM's form (dot products down B's columns, axpys of B's rows,
/// or dot products over B transposed into a scratch) and the slab (1 or 8 a-slices); blocked, the
/// register tile (4 x 8, 2 x 16 or 8 x 4) and packing (B's column panels and each A panel copied
/// contiguous first, or read in place); vectorisation. Every output adds its k terms in ascending
/// k from zero: bit-identical.
std::vector<Variant> tensor_contraction(const Workload& w) {
    const int NB = w.dim("NB"), NC = w.dim("NC");
    if (NB % 16 != 0 || NC % 8 != 0 || w.dim("NA") % 8 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': NA a multiple of 8, NB of 16, NC of 8", w.name);
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2}}, {"order", "o", {0, 1, 2, 3}}, {"tile", "t", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), order = k.at("order");
        const bool tile = k.at("tile") == 1;
        if (method != 0 && order == 3) return std::nullopt;         // three GEMM forms and register tiles
        if (method == 0 && order == 0 && tile) return std::nullopt; // a b tile outside k needs k inside b
        std::string b;
        int tb = NB, ta = 1, rc = 1, rb = 1;
        if (method == 0) {
            tb = tile ? 8 : NB;
            const std::string b0 = tile ? "for (int b0 = 0; b0 < NB; b0 += TB)" : "";
            const std::string upd = "for (int b = 0; b < TB; ++b) cr[b] += bv * ar[b];\n";
            if (order == 0)
                b = "    for (int a = 0; a < NA; ++a)\n        for (int c = 0; c < NC; ++c)\n"
                    "            for (int b = 0; b < NB; ++b) {\n                float s = 0.0f;\n"
                    "                for (int k = 0; k < NK; ++k) s += A[(a * NK + k) * NB + b] * B[k * NC + c];\n"
                    "                C[(a * NC + c) * NB + b] = s;\n            }\n";
            else if (order == 1)
                b = "    for (int a = 0; a < NA; ++a)\n        for (int c = 0; c < NC; ++c)\n" +
                    (tile ? "            " + b0 + " {\n" : "            {\n                const int b0 = 0;\n") +
                    "                float *restrict cr = C + (a * NC + c) * NB + b0;\n"
                    "                for (int k = 0; k < NK; ++k) {\n"
                    "                    const float bv = B[k * NC + c];\n"
                    "                    const float *restrict ar = A + (a * NK + k) * NB + b0;\n"
                    "                    " +
                    upd + "                }\n            }\n";
            else if (order == 2)
                b = "    for (int a = 0; a < NA; ++a)\n" +
                    (tile ? "        " + b0 + "\n" : "    {\n        const int b0 = 0;\n") +
                    "            for (int k = 0; k < NK; ++k) {\n"
                    "                const float *restrict ar = A + (a * NK + k) * NB + b0;\n"
                    "                for (int c = 0; c < NC; ++c) {\n"
                    "                    const float bv = B[k * NC + c];\n"
                    "                    float *restrict cr = C + (a * NC + c) * NB + b0;\n"
                    "                    " +
                    upd + "                }\n            }\n" + (tile ? "" : "    }\n");
            else
                b = (tile ? "    " + b0 + "\n" : "    {\n        const int b0 = 0;\n") +
                    "        for (int k = 0; k < NK; ++k)\n            for (int a = 0; a < NA; ++a) {\n"
                    "                const float *restrict ar = A + (a * NK + k) * NB + b0;\n"
                    "                for (int c = 0; c < NC; ++c) {\n"
                    "                    const float bv = B[k * NC + c];\n"
                    "                    float *restrict cr = C + (a * NC + c) * NB + b0;\n"
                    "                    " +
                    upd + "                }\n            }\n" + (tile ? "" : "    }\n");
        } else if (method == 1) {
            ta = tile ? 8 : 1;
            b = "    float At[TA * NB * NK], Ct[TA * NB * NC];\n";
            if (order == 2)
                b += "    float Bt[NC * NK];\n    for (int k = 0; k < NK; ++k)\n"
                     "        for (int c = 0; c < NC; ++c) Bt[c * NK + k] = B[k * NC + c];\n";
            b += "    for (int a0 = 0; a0 < NA; a0 += TA) {\n        for (int a = 0; a < TA; ++a)\n"
                 "            for (int k = 0; k < NK; ++k)\n                for (int b = 0; b < NB; ++b)\n"
                 "                    At[(a * NB + b) * NK + k] = A[((a0 + a) * NK + k) * NB + b];\n";
            if (order == 1)
                b += "        for (int x = 0; x < TA * NB * NC; ++x) Ct[x] = 0.0f;\n"
                     "        for (int i = 0; i < TA * NB; ++i)\n            for (int k = 0; k < NK; ++k) {\n"
                     "                const float av = At[i * NK + k];\n"
                     "                const float *restrict br = B + k * NC;\n"
                     "                float *restrict cr = Ct + i * NC;\n"
                     "                for (int j = 0; j < NC; ++j) cr[j] += av * br[j];\n            }\n";
            else
                b += std::string("        for (int i = 0; i < TA * NB; ++i)\n"
                                 "            for (int j = 0; j < NC; ++j) {\n                float s = 0.0f;\n") +
                     (order == 2
                          ? "                for (int k = 0; k < NK; ++k) s += At[i * NK + k] * Bt[j * NK + k];\n"
                          : "                for (int k = 0; k < NK; ++k) s += At[i * NK + k] * B[k * NC + j];\n") +
                     "                Ct[i * NC + j] = s;\n            }\n";
            b += "        for (int a = 0; a < TA; ++a)\n            for (int c = 0; c < NC; ++c)\n"
                 "                for (int b = 0; b < NB; ++b)\n"
                 "                    C[((a0 + a) * NC + c) * NB + b] = Ct[(a * NB + b) * NC + c];\n    }\n";
        } else {
            rc = order == 0 ? 4 : order == 1 ? 2 : 8;
            rb = order == 0 ? 8 : order == 1 ? 16 : 4;
            if (tile)
                b = "    float Bp[NC * NK], Ap[NK * RB];\n    for (int c0 = 0; c0 < NC; c0 += RC)\n"
                    "        for (int k = 0; k < NK; ++k)\n            for (int r = 0; r < RC; ++r)\n"
                    "                Bp[c0 * NK + k * RC + r] = B[k * NC + c0 + r];\n";
            b += "    for (int a = 0; a < NA; ++a)\n        for (int b0 = 0; b0 < NB; b0 += RB) {\n";
            if (tile)
                b += "            for (int k = 0; k < NK; ++k)\n                for (int q = 0; q < RB; ++q)\n"
                     "                    Ap[k * RB + q] = A[(a * NK + k) * NB + b0 + q];\n";
            b += "            for (int c0 = 0; c0 < NC; c0 += RC) {\n                float acc[RC][RB];\n"
                 "                for (int r = 0; r < RC; ++r)\n                    for (int q = 0; q < RB; ++q) "
                 "acc[r][q] = 0.0f;\n                for (int k = 0; k < NK; ++k) {\n" +
                 std::string(tile ? "                    const float *restrict bp = Bp + c0 * NK + k * RC;\n"
                                    "                    const float *restrict ap = Ap + k * RB;\n"
                                  : "                    const float *restrict bp = B + k * NC + c0;\n"
                                    "                    const float *restrict ap = A + (a * NK + k) * NB + b0;\n") +
                 "#pragma GCC unroll 16\n                    for (int r = 0; r < RC; ++r) {\n"
                 "                        const float bv = bp[r];\n#pragma GCC unroll 16\n"
                 "                        for (int q = 0; q < RB; ++q) acc[r][q] += bv * ap[q];\n"
                 "                    }\n                }\n"
                 "                for (int r = 0; r < RC; ++r)\n                    for (int q = 0; q < RB; ++q)\n"
                 "                        C[(a * NC + c0 + r) * NB + b0 + q] = acc[r][q];\n            }\n        }\n";
        }
        return kernel(dim_defines(w, {{"TB", tb}, {"TA", ta}, {"RC", rc}, {"RB", rb}}),
                      "const float *restrict A, const float *restrict B, float *restrict C", b);
    });
}

/// Polyphase FIR decimation of C float signals (audio and speech front ends, a resampler's
/// anti-aliasing stage, scipy's decimate, SoX's and libsamplerate's decimators): y[c][n] = the sum
/// over t of h[t] x[c][n D + t], T taps shared by the channels, a decimation by D, N outputs per
/// channel (x channel-major, (N + T / D - 1) D samples per channel). Knobs: the form (direct,
/// output-stationary, the taps innermost into a register sum; or taps outer, each tap an axpy of
/// its strided inputs into the output row, which starts from zero); the block (direct: 1, 4 or 8
/// outputs per pass, their sums in registers sharing each tap's load; taps outer: 1, 4 or 8 taps
/// per pass over the outputs, each output loaded and stored once per pass); the input (read at
/// stride D in place, or split first into D phase arrays in a scratch, x_p[m] = x[m D + p], so
/// every tap's inputs are contiguous); the channels (outermost, each channel's whole signal at
/// once; or inside frames of 256 outputs, every channel's frame in turn, the phase split per
/// frame); vectorisation. Every output adds its taps in ascending t from zero (the taps-outer
/// passes add theirs in order into the stored sum): bit-identical.
std::vector<Variant> fir_decimate(const Workload& w) {
    const int N = w.dim("N"), T = w.dim("T"), D = w.dim("D");
    constexpr int F = 256;
    if (D < 1 || T % 8 != 0 || T % D != 0 || N % F != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': T a multiple of 8 and of D, N a multiple of {}", w.name, F);
    const int Q = T / D;
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1}}, {"block", "b", {1, 4, 8}}, {"split", "s", {0, 1}}, {"chan", "c", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool taps_outer = k.at("form") == 1, poly = k.at("split") == 1, frames = k.at("chan") == 1;
        const int blk = k.at("block");
        const int nr = frames ? F : N;
        std::string b, in;
        if (poly) b += "    float xp[D * MS];\n";
        if (frames) {
            b += "    for (int n0 = 0; n0 < N; n0 += NR)\n        for (int c = 0; c < C; ++c) {\n";
            in = "            ";
        } else {
            b += "    for (int c = 0; c < C; ++c) {\n        const int n0 = 0;\n";
            in = "        ";
        }
        b += in + "const float *restrict xs = x + c * L + n0 * D;\n" + in + "float *restrict yo = y + c * N + n0;\n";
        if (poly)
            b += in + "for (int m = 0; m < MS; ++m)\n" + in +
                 "    for (int p = 0; p < D; ++p) xp[p * MS + m] = xs[m * D + p];\n";
        if (!taps_outer) {
            std::string decl, step, store;
            for (int r = 0; r < blk; ++r) {
                decl += fmt::format("{}s{} = 0.0f", r ? ", " : "", r);
                step += fmt::format("{}    s{} += hv * xr[{}];\n", in + "    ", r,
                                    poly     ? std::to_string(r)
                                    : r == 0 ? "0"
                                    : r == 1 ? "D"
                                             : fmt::format("{} * D", r));
                store += fmt::format("{}    yo[n{}] = s{};\n", in, r ? fmt::format(" + {}", r) : "", r);
            }
            b +=
                in + "for (int n = 0; n < NR; n += " + std::to_string(blk) + ") {\n" + in + "    float " + decl + ";\n";
            if (poly)
                b += in + "    for (int q = 0; q < Q; ++q)\n" + in + "        for (int p = 0; p < D; ++p) {\n" + in +
                     "            const float hv = h[q * D + p];\n" + in +
                     "            const float *restrict xr = xp + p * MS + n + q;\n";
            else
                b += in + "    for (int t = 0; t < T; ++t) {\n" + in + "        const float hv = h[t];\n" + in +
                     "        const float *restrict xr = xs + n * D + t;\n";
            if (poly) {
                // The polyphase nest is one level deeper.
                std::string deeper;
                for (int r = 0; r < blk; ++r) deeper += fmt::format("{}            s{} += hv * xr[{}];\n", in, r, r);
                b += deeper + in + "        }\n";
            } else b += step + in + "    }\n";
            b += store + in + "}\n";
        } else {
            b += in + "for (int n = 0; n < NR; ++n) yo[n] = 0.0f;\n" + in +
                 "for (int t0 = 0; t0 < T; t0 += " + std::to_string(blk) + ") {\n";
            std::string hs, xs_decl, body;
            for (int j = 0; j < blk; ++j) {
                hs += fmt::format("{}h{} = h[t0{}]", j ? ", " : "", j, j ? fmt::format(" + {}", j) : "");
                if (poly)
                    xs_decl += fmt::format("{}    const float *restrict x{} = xp + ((t0{}) % D) * MS + (t0{}) / D;\n",
                                           in, j, j ? fmt::format(" + {}", j) : "", j ? fmt::format(" + {}", j) : "");
                body += fmt::format("{}        a += h{} * {};\n", in, j,
                                    poly ? fmt::format("x{}[n]", j)
                                    : j  ? fmt::format("xr[n * D + {}]", j)
                                         : "xr[n * D]");
            }
            b += in + "    const float " + hs + ";\n";
            if (poly) b += xs_decl;
            else b += in + "    const float *restrict xr = xs + t0;\n";
            b += in + "    for (int n = 0; n < NR; ++n) {\n" + in + "        float a = yo[n];\n" + body + in +
                 "        yo[n] = a;\n" + in + "    }\n" + in + "}\n";
        }
        b += frames ? "        }\n" : "    }\n";
        return kernel(dim_defines(w, {{"L", (N + Q - 1) * D}, {"Q", Q}, {"NR", nr}, {"MS", nr + Q - 1}}),
                      "const float *restrict x, const float *restrict h, float *restrict y", b);
    });
}

/// NV12 to packed RGB888 (a camera's or video decoder's frames into a vision model's input,
/// libyuv's NV12ToRGB24, Android's YUV conversion): the 8-bit Y plane H x W, then the interleaved
/// U, V plane at half resolution ((H / 2) x (W / 2) pairs; i8 buffers read as unsigned char), BT.601
/// limited range in 8-bit fixed point: with y' = 298 (Y - 16) + 128, R = (y' + 409 (V - 128)) >> 8,
/// G = (y' - 100 (U - 128) - 208 (V - 128)) >> 8, B = (y' + 516 (U - 128)) >> 8, each clamped to
/// [0, 255]. Knobs: the method (per pixel, each pixel reading its chroma pair and forming the three
/// chroma terms; per 2 x 2 block, a chroma pair's terms formed once for the four pixels sharing
/// it, two output rows at a time; or each chroma row's terms precomputed into three per-pixel int
/// row scratches first, the two luma rows then streaming through them); the clamp (branches, a
/// 1024-entry table of clamped values built first, or branch-free bit tricks on the sign); the
/// stores (three byte stores a pixel, or four pixels' twelve bytes packed into three u32 words, each
/// one 4-byte store); vectorisation. Integers: bit-identical.
std::vector<Variant> yuv_to_rgb(const Workload& w) {
    if (w.dim("H") % 2 != 0 || w.dim("W") % 4 != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': H even, W a multiple of 4", w.name);
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2}}, {"clamp", "c", {0, 1, 2}}, {"pack", "p", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), clamp = k.at("clamp");
        const bool pack = k.at("pack") == 1;
        const int g = pack ? 4 : method == 1 ? 2 : 1; // pixels along the row per step
        // Pixel s's r, g, b from its luma (an expression) and its chroma terms' names.
        const auto pixel = [](const std::string& s, const std::string& luma, const std::string& rt,
                              const std::string& gt, const std::string& bt, const std::string& in) {
            return fmt::format("{0}const int y{1} = YT({2});\n"
                               "{0}const unsigned r{1} = CL((y{1} + {3}) >> 8), g{1} = CL((y{1} + {4}) >> 8), b{1} = "
                               "CL((y{1} + {5}) >> 8);\n",
                               in, s, luma, rt, gt, bt);
        };
        // The stores of pixels s[0..] at o[3 * (j + q)].
        const auto stores = [&](const std::vector<std::string>& s, const std::string& o, const std::string& in) {
            std::string b;
            if (!pack) {
                for (std::size_t q = 0; q < s.size(); ++q) {
                    const std::string at = q ? fmt::format("3 * (j + {})", q) : "3 * j";
                    b += fmt::format("{0}{1}[{2}] = (unsigned char)r{3};\n{0}{1}[{2} + 1] = (unsigned char)g{3};\n"
                                     "{0}{1}[{2} + 2] = (unsigned char)b{3};\n",
                                     in, o, at, s[q]);
                }
                return b;
            }
            return fmt::format("{0}{{\n{0}    const unsigned w0 = r{1} | g{1} << 8 | b{1} << 16 | r{2} << 24;\n"
                               "{0}    const unsigned w1 = g{2} | b{2} << 8 | r{3} << 16 | g{3} << 24;\n"
                               "{0}    const unsigned w2 = b{3} | r{4} << 8 | g{4} << 16 | b{4} << 24;\n"
                               "{0}    __builtin_memcpy({5} + 3 * j, &w0, 4);\n"
                               "{0}    __builtin_memcpy({5} + 3 * j + 4, &w1, 4);\n"
                               "{0}    __builtin_memcpy({5} + 3 * j + 8, &w2, 4);\n{0}}}\n",
                               in, s[0], s[1], s[2], s[3], o);
        };
        const auto plus = [](const std::string& j, int q) { return q ? fmt::format("{} + {}", j, q) : j; };
        std::string b;
        if (clamp == 1)
            b += "    unsigned char ct[1024];\n"
                 "    for (int i = 0; i < 1024; ++i) ct[i] = (unsigned char)(i < 384 ? 0 : i > 639 ? 255 : i - 384);\n";
        const std::string in = "            ";
        if (method == 0) {
            b += "    for (int i = 0; i < H; ++i) {\n        const unsigned char *restrict yr = Y + i * W;\n"
                 "        const unsigned char *restrict cr = UV + (i >> 1) * W;\n"
                 "        unsigned char *restrict o = RGB + i * W * 3;\n"
                 "        for (int j = 0; j < W; j += " +
                 std::to_string(g) + ") {\n";
            std::vector<std::string> s;
            for (int q = 0; q < g; ++q) {
                const std::string c = fmt::format("(({}) & ~1)", plus("j", q));
                b += fmt::format("{0}const int u{1} = cr[{2}], v{1} = cr[{2} + 1];\n", in, q, c);
                b += pixel(std::to_string(q), "yr[" + plus("j", q) + "]", fmt::format("RT(v{})", q),
                           fmt::format("GT(u{0}, v{0})", q), fmt::format("BT(u{})", q), in);
                s.push_back(std::to_string(q));
            }
            b += stores(s, "o", in) + "        }\n    }\n";
        } else if (method == 1) {
            b += "    for (int i = 0; i < H; i += 2) {\n        const unsigned char *restrict y0 = Y + i * W, "
                 "*restrict y1 "
                 "= y0 + W;\n        const unsigned char *restrict cr = UV + (i >> 1) * W;\n"
                 "        unsigned char *restrict o0 = RGB + i * W * 3, *restrict o1 = o0 + W * 3;\n"
                 "        for (int j = 0; j < W; j += " +
                 std::to_string(g) + ") {\n";
            std::vector<std::string> top, bottom;
            for (int pr = 0; pr < g / 2; ++pr)
                b += fmt::format("{0}const int u{1} = cr[{2}], v{1} = cr[{2} + 1];\n"
                                 "{0}const int kr{1} = RT(v{1}), kg{1} = GT(u{1}, v{1}), kb{1} = BT(u{1});\n",
                                 in, pr, plus("j", 2 * pr));
            for (int row = 0; row < 2; ++row)
                for (int q = 0; q < g; ++q) {
                    const std::string s = fmt::format("{}{}", row ? "b" : "t", q);
                    b += pixel(s, fmt::format("y{}[{}]", row, plus("j", q)), fmt::format("kr{}", q / 2),
                               fmt::format("kg{}", q / 2), fmt::format("kb{}", q / 2), in);
                    (row ? bottom : top).push_back(s);
                }
            b += stores(top, "o0", in) + stores(bottom, "o1", in) + "        }\n    }\n";
        } else {
            b += "    int rt[W], gt[W], bt[W];\n    for (int i = 0; i < H; ++i) {\n"
                 "        if ((i & 1) == 0) {\n            const unsigned char *restrict cr = UV + (i >> 1) * W;\n"
                 "            for (int j = 0; j < W; j += 2) {\n                const int u = cr[j], v = cr[j + 1];\n"
                 "                rt[j] = rt[j + 1] = RT(v);\n                gt[j] = gt[j + 1] = GT(u, v);\n"
                 "                bt[j] = bt[j + 1] = BT(u);\n            }\n        }\n"
                 "        const unsigned char *restrict yr = Y + i * W;\n"
                 "        unsigned char *restrict o = RGB + i * W * 3;\n"
                 "        for (int j = 0; j < W; j += " +
                 std::to_string(g) + ") {\n";
            std::vector<std::string> s;
            for (int q = 0; q < g; ++q) {
                const std::string jq = plus("j", q);
                b += pixel(std::to_string(q), "yr[" + jq + "]", "rt[" + jq + "]", "gt[" + jq + "]", "bt[" + jq + "]",
                           in);
                s.push_back(std::to_string(q));
            }
            b += stores(s, "o", in) + "        }\n    }\n";
        }
        std::string d = dim_defines(w) +
                        "#define YT(y) (298 * ((int)(y) - 16) + 128)\n#define RT(v) (409 * ((int)(v) - 128))\n"
                        "#define GT(u, v) (-100 * ((int)(u) - 128) - 208 * ((int)(v) - 128))\n"
                        "#define BT(u) (516 * ((int)(u) - 128))\n";
        if (clamp == 0)
            d += "static inline unsigned CL(int v) {\n    if (v < 0) return 0;\n    if (v > 255) return 255;\n"
                 "    return (unsigned)v;\n}\n";
        else if (clamp == 1) d += "#define CL(v) ((unsigned)ct[(v) + 384])\n";
        else
            d += "static inline unsigned CL(int v) {\n    v &= ~(v >> 31);\n    return (unsigned)((v | ((255 - v) >> "
                 "31)) "
                 "& 255);\n}\n";
        return kernel(
            d, "const unsigned char *restrict Y, const unsigned char *restrict UV, unsigned char *restrict RGB", b);
    });
}

/// The backward pass of a 3 x 3 stride-2 max pool padded by 1 (ResNet's stem pool), NHWC: each
/// output's gradient dY[n][oh][ow][c] goes to the input its window's maximum came from, the first
/// maximum in (kh, kw) order on a tie, the window the taps of rows 2 oh - 1 + kh and columns 2 ow - 1
/// + kw inside the image; overlapping windows add their gradients into dX, each input summing its
/// windows' terms in ascending (oh, ow) order from zero (an input no window picks gets 0). Knobs: the
/// form (fused, each window's argmax recomputed from X and its gradient scattered at once; two
/// passes, a forward pass storing every window's argmax in the scratch A, then a scatter pass; or
/// the argmax pass, then a gather pass per input pixel over the one to four windows covering it,
/// adding a window's gradient where its argmax is that pixel, writing dX once); the argmax's
/// storage (the input's i32 offset, or a u8 offset kh 3 + kw within the window); the loop order
/// (per window and channel, the taps innermost; per window, the taps outer and the channels
/// innermost, running maxima and argmaxes in C-long arrays, vectorisable; or the channels
/// outermost, every access strided by C); the zeroing of dX for the scatters (a whole pass first,
/// or fused, the two input rows a window row first touches zeroed just before it); vectorisation.
/// Comparisons are exact, every input adds its terms in window order from zero (the gather adds a
/// zero for a window that did not pick it, which leaves a sum that is never -0 unchanged):
/// bit-identical.
std::vector<Variant> maxpool_backward(const Workload& w) {
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1, 2}}, {"index", "i", {0, 1}}, {"order", "o", {0, 1, 2}}, {"zero", "z", {0, 1}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), order = k.at("order");
        const bool u8 = k.at("index") == 1, banded = k.at("zero") == 1;
        if (form == 0 && u8) return std::nullopt;     // the fused form keeps its argmax in a register
        if (form == 2 && banded) return std::nullopt; // the gather writes every input once
        const bool c_outer = order == 2;
        const std::string at = u8 ? "unsigned char" : "int";
        std::string b;
        if (u8) b += "    unsigned char *restrict Au = (unsigned char *)A;\n";
        if (form != 2 && !banded) b += "    for (int q = 0; q < N * H * W * C; ++q) dX[q] = 0.0f;\n";
        // The loops over windows, the channel loop outermost or innermost; the window's tap ranges
        // and its output offset o (without c).
        const std::string cl = c_outer ? "    for (int c = 0; c < C; ++c)\n" : "";
        const std::string ci = c_outer ? "    " : "";
        const auto windows = [&](bool zero_band) {
            std::string s =
                cl + ci + "    for (int n = 0; n < N; ++n)\n" + ci + "        for (int oh = 0; oh < OH; ++oh) {\n";
            if (zero_band) {
                s += ci + "            for (int r = 2 * oh; r < 2 * oh + 2 && r < H; ++r)\n";
                s += c_outer
                         ? "                    for (int x = 0; x < W; ++x) dX[((n * H + r) * W + x) * C + c] = 0.0f;\n"
                         : "                for (int x = 0; x < W * C; ++x) dX[(n * H + r) * W * C + x] = 0.0f;\n";
            }
            s += ci + "            const int kh0 = oh == 0 ? 1 : 0, kh1 = H + 1 - 2 * oh < 3 ? H + 1 - 2 * oh : 3;\n" +
                 ci + "            for (int ow = 0; ow < OW; ++ow) {\n" + ci +
                 "                const int kw0 = ow == 0 ? 1 : 0, kw1 = W + 1 - 2 * ow < 3 ? W + 1 - 2 * ow : 3;\n" +
                 ci + "                const int o = ((n * OH + oh) * OW + ow) * C;\n";
            return s;
        };
        const std::string wend = ci + "            }\n" + ci + "        }\n";
        const std::string tap = "((n * H + 2 * oh - 1 + kh) * W + 2 * ow - 1 + kw) * C";
        // The argmax of window o for channel c, taps innermost, into best and arg, at `in`.
        const auto argmax_taps = [&](const std::string& in, bool offset) {
            return in + "float best = -__builtin_inff();\n" + in + "int arg = 0;\n" + in +
                   "for (int kh = kh0; kh < kh1; ++kh)\n" + in + "    for (int kw = kw0; kw < kw1; ++kw) {\n" + in +
                   "        const int q = " + tap + " + c;\n" + in + "        if (X[q] > best) {\n" + in +
                   "            best = X[q];\n" + in + "            arg = " + (offset ? "kh * 3 + kw" : "q") + ";\n" +
                   in + "        }\n" + in + "    }\n";
        };
        // The input offset of window o's argmax a for channel c (u8: from the window offset).
        const auto target = [&](const std::string& a) {
            return u8 ? "((n * H + 2 * oh - 1 + " + a + " / 3) * W + 2 * ow - 1 + " + a + " % 3) * C + c" : a;
        };
        if (form == 0) {
            if (order == 1) b += "    float best[C];\n    int arg[C];\n";
            b += windows(banded);
            const std::string in = ci + "                ";
            if (order == 1)
                b += in + "for (int c = 0; c < C; ++c) {\n" + in + "    best[c] = -__builtin_inff();\n" + in +
                     "    arg[c] = 0;\n" + in + "}\n" + in + "for (int kh = kh0; kh < kh1; ++kh)\n" + in +
                     "    for (int kw = kw0; kw < kw1; ++kw) {\n" + in + "        const int q = " + tap + ";\n" + in +
                     "        for (int c = 0; c < C; ++c) {\n" + in + "            const float v = X[q + c];\n" + in +
                     "            const int gt = v > best[c];\n" + in + "            best[c] = gt ? v : best[c];\n" +
                     in + "            arg[c] = gt ? q + c : arg[c];\n" + in + "        }\n" + in + "    }\n" + in +
                     "for (int c = 0; c < C; ++c) dX[arg[c]] += dY[o + c];\n";
            else {
                std::string inner = c_outer ? in : in + "    ";
                if (!c_outer) b += in + "for (int c = 0; c < C; ++c) {\n";
                b += argmax_taps(inner, false) + inner + "dX[arg] += dY[o + c];\n";
                if (!c_outer) b += in + "}\n";
            }
            b += wend;
        } else {
            // The argmax pass into A.
            const std::string in = ci + "                ";
            if (order == 1) b += "    float best[C];\n    " + at + " arg[C];\n";
            b += windows(false);
            if (order == 1)
                b += in + "for (int c = 0; c < C; ++c) {\n" + in + "    best[c] = -__builtin_inff();\n" + in +
                     "    arg[c] = 0;\n" + in + "}\n" + in + "for (int kh = kh0; kh < kh1; ++kh)\n" + in +
                     "    for (int kw = kw0; kw < kw1; ++kw) {\n" + in + "        const int q = " + tap + ";\n" +
                     (u8 ? in + "        const unsigned char kk = (unsigned char)(kh * 3 + kw);\n" : "") + in +
                     "        for (int c = 0; c < C; ++c) {\n" + in + "            const float v = X[q + c];\n" + in +
                     "            const int gt = v > best[c];\n" + in + "            best[c] = gt ? v : best[c];\n" +
                     in + "            arg[c] = gt ? " + (u8 ? "kk" : "q + c") + " : arg[c];\n" + in + "        }\n" +
                     in + "    }\n" + in + "for (int c = 0; c < C; ++c) " + (u8 ? "Au" : "A") + "[o + c] = arg[c];\n";
            else {
                std::string inner = c_outer ? in : in + "    ";
                if (!c_outer) b += in + "for (int c = 0; c < C; ++c) {\n";
                b += argmax_taps(inner, u8) + inner + (u8 ? "Au[o + c] = (unsigned char)arg;\n" : "A[o + c] = arg;\n");
                if (!c_outer) b += in + "}\n";
            }
            b += wend;
            if (form == 1) {
                // The scatter pass.
                b += windows(banded);
                const std::string a = u8 ? "Au[o + c]" : "A[o + c]";
                if (c_outer) b += in + "dX[" + target(a) + "] += dY[o + c];\n";
                else b += in + "for (int c = 0; c < C; ++c) dX[" + target(a) + "] += dY[o + c];\n";
                b += wend;
            } else {
                // The gather pass: input (n, ih, iw) is in windows oh in [ih / 2, (ih + 1) / 2], ow alike.
                b += cl + ci + "    for (int n = 0; n < N; ++n)\n" + ci + "        for (int ih = 0; ih < H; ++ih) {\n" +
                     ci +
                     "            const int oh0 = ih >> 1, oh1 = (ih + 1) >> 1 < OH - 1 ? (ih + 1) >> 1 : OH - 1;\n" +
                     ci + "            for (int iw = 0; iw < W; ++iw) {\n" + ci +
                     "                const int ow0 = iw >> 1, ow1 = (iw + 1) >> 1 < OW - 1 ? (iw + 1) >> 1 : OW - "
                     "1;\n" +
                     ci + "                const int p = ((n * H + ih) * W + iw) * C;\n";
                // The key a window's stored argmax must equal for this input.
                const std::string key = u8 ? "(unsigned char)((ih - 2 * oh + 1) * 3 + iw - 2 * ow + 1)" : "p + c";
                const std::string a = u8 ? "Au[o + c]" : "A[o + c]";
                const std::string term = "(" + a + " == " + key + " ? dY[o + c] : 0.0f)";
                const auto wins = [&](const std::string& ind, const std::string& stmt) {
                    return ind + "for (int oh = oh0; oh <= oh1; ++oh)\n" + ind +
                           "    for (int ow = ow0; ow <= ow1; ++ow) {\n" + ind +
                           "        const int o = ((n * OH + oh) * OW + ow) * C;\n" + stmt + ind + "    }\n";
                };
                if (order == 1)
                    b += in + "float *restrict d = dX + p;\n" + in + "for (int c = 0; c < C; ++c) d[c] = 0.0f;\n" +
                         wins(in, in + "        for (int c = 0; c < C; ++c) d[c] += " + term + ";\n");
                else {
                    std::string inner = c_outer ? in : in + "    ";
                    if (!c_outer) b += in + "for (int c = 0; c < C; ++c) {\n";
                    b += inner + "float s = 0.0f;\n" + wins(inner, inner + "        s += " + term + ";\n") + inner +
                         "dX[p + c] = s;\n";
                    if (!c_outer) b += in + "}\n";
                }
                b += ci + "            }\n" + ci + "        }\n";
            }
        }
        const int OH = (w.dim("H") - 1) / 2 + 1, OW = (w.dim("W") - 1) / 2 + 1;
        return kernel(dim_defines(w, {{"OH", OH}, {"OW", OW}}),
                      "const float *restrict X, const float *restrict dY, int *restrict A, float *restrict dX", b);
    });
}

/// LEB128 varint decoding into u32 (a protobuf parser's or a data loader's front end, Parquet's and
/// ORC's integer streams): 7 bits a byte, least significant group first, the high bit set on every
/// byte but a value's last, values of 1 to 5 bytes. The stream is made by every variant the same
/// way first: value i is hashed from seed[i] and i, its class from the hash's top nibble (half of
/// the values below 2^7, 5/16 below 2^14, 1/16 each below 2^21, below 2^28 and full 32-bit, the
/// class's group count a nibble of one constant), and encoded canonically into the byte scratch S,
/// branch-free (the length by compares, the five 7-bit groups and the continuation bits in one
/// 8-byte store whose spare bytes the next value overwrites), 8 zero bytes of padding after it;
/// then the stream is decoded into out, the part the schedules vary. Knobs: the method (a loop
/// over bytes with a branch per byte; a fast path for 1- and 2-byte values, the byte loop only for
/// longer ones; one unaligned 8-byte load per value, decoded branch-free: the stop bits ~x &
/// 0x80.., the value's bytes masked and their 7-bit groups gathered by shifts; one 8-byte load per
/// group, every value ending in those 8 bytes decoded from it, the rest carried to the next load;
/// or a 64K-entry table of (value, length) for 1- and 2-byte values indexed by the next two bytes,
/// built first, longer values by the byte loop); the length (the word methods: the stop bits'
/// trailing zeros counted, or looked up in a 256-entry table indexed by the 8 stop bits gathered
/// by a multiply); the unroll (values decoded per iteration); vectorisation. Integers:
/// bit-identical.
std::vector<Variant> varint_decode(const Workload& w) {
    const int N = w.dim("N");
    if (N % 4 != 0) fail(ErrorKind::invalid_argument, "workload '{}': N a multiple of 4", w.name);
    const std::vector<Knob> knobs{
        {"method", "m", {0, 1, 2, 3, 4}}, {"len", "l", {0, 1}}, {"unroll", "u", {1, 2, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int method = k.at("method"), unroll = k.at("unroll");
        const bool table = k.at("len") == 1;
        if (table && method != 2 && method != 3) return std::nullopt; // only the word methods find lengths
        if (method == 3 && unroll != 1) return std::nullopt;          // the group loop decodes up to 8 at once
        std::string b =
            "    unsigned char *restrict p = S;\n"
            "    for (int i = 0; i < N; ++i) {\n"
            "        unsigned h = (unsigned)seed[i] * 0x9E3779B1u ^ (unsigned)i * 0x85EBCA77u;\n"
            "        h ^= h >> 15;\n"
            "        h *= 0x2C1B3C6Du;\n"
            "        h ^= h >> 12;\n"
            "        const unsigned c = h >> 28;\n"
            "        const int k = (int)(0x5432222211111111ull >> (4 * c) & 15u);\n"
            "        const unsigned v = h & (unsigned)((1ull << (7 * k)) - 1);\n"
            "        const int len = 1 + (v >= 1u << 7) + (v >= 1u << 14) + (v >= 1u << 21) + (v >= 1u << "
            "28);\n"
            "        const unsigned long long e = (v & 0x7Full) | ((unsigned long long)v << 1 & 0x7F00ull) | "
            "((unsigned long long)v << 2 & 0x7F0000ull) | ((unsigned long long)v << 3 & 0x7F000000ull) | "
            "((unsigned long long)v << 4 & 0xF00000000ull);\n"
            "        const unsigned long long word = e | (((1ull << (8 * (len - 1))) - 1) & "
            "0x8080808080ull);\n"
            "        __builtin_memcpy(p, &word, 8);\n"
            "        p += len;\n"
            "    }\n"
            "    for (int j = 0; j < 8; ++j) p[j] = 0;\n";
        if (table)
            b += "    unsigned char L[256];\n    L[0] = 0;\n    for (int s = 1; s < 256; ++s) {\n"
                 "        int z = 0;\n        while (!(s >> z & 1)) ++z;\n        L[s] = (unsigned char)(z + 1);\n"
                 "    }\n";
        if (method == 4)
            b += "    unsigned short T[65536];\n    for (int t = 0; t < 65536; ++t) {\n"
                 "        const unsigned b0 = t & 0xFFu, b1 = (unsigned)t >> 8;\n"
                 "        T[t] = (unsigned short)(!(b0 & 0x80u) ? 1u << 14 | b0 : !(b1 & 0x80u) ? 2u << 14 | (b0 & "
                 "0x7Fu) | b1 << 7 : 0u);\n"
                 "    }\n";
        b += "    const unsigned char *restrict q = S;\n";
        // The byte loop finishing value `o` from v and sh, at `in`.
        const auto byte_loop = [](const std::string& o, const std::string& in) {
            return in + "do {\n" + in + "    b = *q++;\n" + in + "    v |= (b & 0x7Fu) << sh;\n" + in +
                   "    sh += 7;\n" + in + "} while (b & 0x80u);\n" + in + o + " = v;\n";
        };
        const std::string gather = "(x & 0x7Full) | (x >> 1 & 0x3F80ull) | (x >> 2 & 0x1FC000ull) | (x >> 3 & "
                                   "0xFE00000ull) | (x >> 4 & 0xF0000000ull)";
        // One value into `o` at `in`, q advanced past it.
        const auto one = [&](const std::string& o, const std::string& in) {
            std::string s = in + "{\n";
            const std::string i2 = in + "    ";
            if (method == 0) s += i2 + "unsigned v = 0, b;\n" + i2 + "int sh = 0;\n" + byte_loop(o, i2);
            else if (method == 1)
                s += i2 + "const unsigned b0 = q[0];\n" + i2 + "if (!(b0 & 0x80u)) {\n" + i2 + "    " + o + " = b0;\n" +
                     i2 + "    q += 1;\n" + i2 + "} else {\n" + i2 + "    const unsigned b1 = q[1];\n" + i2 +
                     "    if (!(b1 & 0x80u)) {\n" + i2 + "        " + o + " = (b0 & 0x7Fu) | b1 << 7;\n" + i2 +
                     "        q += 2;\n" + i2 + "    } else {\n" + i2 +
                     "        unsigned v = (b0 & 0x7Fu) | (b1 & 0x7Fu) << 7, b;\n" + i2 + "        int sh = 14;\n" +
                     i2 + "        q += 2;\n" + byte_loop(o, i2 + "        ") + i2 + "    }\n" + i2 + "}\n";
            else if (method == 4)
                s += i2 + "const unsigned e = T[q[0] | q[1] << 8];\n" + i2 + "if (e) {\n" + i2 + "    " + o +
                     " = e & 0x3FFFu;\n" + i2 + "    q += e >> 14;\n" + i2 + "} else {\n" + i2 +
                     "    unsigned v = (q[0] & 0x7Fu) | (q[1] & 0x7Fu) << 7, b;\n" + i2 + "    int sh = 14;\n" + i2 +
                     "    q += 2;\n" + byte_loop(o, i2 + "    ") + i2 + "}\n";
            else {
                s += i2 + "unsigned long long x;\n" + i2 + "__builtin_memcpy(&x, q, 8);\n" + i2 +
                     "const unsigned long long st = ~x & 0x8080808080808080ull;\n";
                if (table)
                    s += i2 + "const int len = L[(st * 0x0002040810204081ull) >> 56];\n" + i2 +
                         "x &= ~0ull >> (64 - 8 * len);\n";
                else s += i2 + "const int len = (__builtin_ctzll(st) + 1) >> 3;\n" + i2 + "x &= st ^ (st - 1);\n";
                s += i2 + o + " = (unsigned)(" + gather + ");\n" + i2 + "q += len;\n";
            }
            return s + in + "}\n";
        };
        if (method == 3) {
            // At most 8 values end in 8 bytes: whole groups while 8 more values are wanted. The stops
            // are walked by shifting past each value (clearing the lowest bit instead, GCC counts the
            // loop's trips with popcnt, which Unicorn does not execute).
            b += "    int i = 0;\n    while (i + 8 <= N) {\n        unsigned long long w;\n"
                 "        __builtin_memcpy(&w, q, 8);\n";
            if (table)
                b += "        const unsigned s = (unsigned)(((~w & 0x8080808080808080ull) * 0x0002040810204081ull) >> "
                     "56);\n        int a = 0;\n        for (;;) {\n            const unsigned rest = s >> a;\n"
                     "            if (!rest) break;\n            const int e = a + L[rest] - 1;\n";
            else
                b += "        const unsigned long long st = ~w & 0x8080808080808080ull;\n"
                     "        int a = 0;\n        for (;;) {\n            const unsigned long long rest = st >> (8 * "
                     "a);\n"
                     "            if (!rest) break;\n            const int e = a + (__builtin_ctzll(rest) >> 3);\n";
            b += "            unsigned long long x = w >> (8 * a);\n"
                 "            x &= ~0ull >> (56 - 8 * (e - a));\n"
                 "            out[i++] = (unsigned)(" +
                 gather + ");\n            a = e + 1;\n            if (a == 8) break;\n";
            b += "        }\n        q += a;\n    }\n    for (; i < N; ++i)\n" + one("out[i]", "        ");
        } else {
            b += fmt::format("    for (int i = 0; i < N; i += {}) {{\n", unroll);
            for (int r = 0; r < unroll; ++r) b += one(r ? fmt::format("out[i + {}]", r) : "out[i]", "        ");
            b += "    }\n";
        }
        return kernel(dim_defines(w), "const int *restrict seed, unsigned char *restrict S, unsigned *restrict out", b);
    });
}

/// Training-time dropout with a counter-based RNG (every framework's dropout forward, fused into
/// a GEMM's or attention's epilogue in compilers): element i of x is kept iff byte i & 3 of
/// hash(i >> 2), murmur3's fmix32 of the group index and a fixed seed, is at least 256 P / 100,
/// P the percentage dropped; y = x * (100 / (100 - P)) where kept, +0 where dropped, and the keep
/// mask M (a byte per element) is written too. Knobs: the RNG (each element hashing its group
/// itself, four times the hashing; or one hash per group of four, its four bytes decided in turn);
/// the passes (fused, the decision, the mask and y at once; the mask into M over the whole tensor
/// first, then y applied from M; or those two passes in chunks of 4096 elements, the mask chunk
/// still in L1 when applied); the select (a branch; a conditional expression; or the product's
/// bits ANDed with the all-ones or zero mask); vectorisation. Every variant makes the same
/// decision per element and writes x * scale or +0: bit-identical.
std::vector<Variant> dropout_mask_scale(const Workload& w) {
    const int N = w.dim("N"), P = w.dim("P");
    constexpr int CH = 4096;
    if (N % CH != 0 || P <= 0 || P >= 100)
        fail(ErrorKind::invalid_argument, "workload '{}': N a multiple of {}, 0 < P < 100", w.name, CH);
    const std::vector<Knob> knobs{
        {"rng", "r", {0, 1}}, {"pass", "f", {0, 1, 2}}, {"select", "s", {0, 1, 2}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const bool group = k.at("rng") == 1;
        const int pass = k.at("pass"), sel = k.at("select");
        // y[idx] from x[idx] and the decision `keep` (0 or 1), at `in`.
        const auto apply = [&](const std::string& idx, const std::string& keep, const std::string& in) {
            if (sel == 0)
                return in + "if (" + keep + ") y[" + idx + "] = x[" + idx + "] * SCALE;\n" + in + "else y[" + idx +
                       "] = 0.0f;\n";
            if (sel == 1) return in + "y[" + idx + "] = " + keep + " ? x[" + idx + "] * SCALE : 0.0f;\n";
            return in + "{\n" + in + "    const float t = x[" + idx + "] * SCALE;\n" + in + "    unsigned tb;\n" + in +
                   "    __builtin_memcpy(&tb, &t, 4);\n" + in + "    tb &= -(unsigned)(" + keep + ");\n" + in +
                   "    __builtin_memcpy(y + " + idx + ", &tb, 4);\n" + in + "}\n";
        };
        // The decisions over [lo, hi): the mask stored and, fused, y applied.
        const auto decide = [&](const std::string& lo, const std::string& hi, bool fused, const std::string& in) {
            std::string s;
            if (!group) {
                s += in + "for (int i = " + lo + "; i < " + hi + "; ++i) {\n" + in +
                     "    const unsigned h = dhash((unsigned)i >> 2);\n" + in +
                     "    const int keep = (h >> (8 * (i & 3)) & 0xFFu) >= THR;\n" + in +
                     "    M[i] = (unsigned char)keep;\n";
                if (fused) s += apply("i", "keep", in + "    ");
                return s + in + "}\n";
            }
            s += in + "for (int g = (" + lo + ") >> 2; g < (" + hi + ") >> 2; ++g) {\n" + in +
                 "    const unsigned h = dhash((unsigned)g);\n";
            for (int r = 0; r < 4; ++r) {
                const std::string idx = r ? fmt::format("4 * g + {}", r) : "4 * g";
                s += fmt::format("{}    const int k{} = (h >> {} & 0xFFu) >= THR;\n{}    M[{}] = (unsigned char)k{};\n",
                                 in, r, 8 * r, in, idx, r);
                if (fused) s += apply(idx, fmt::format("k{}", r), in + "    ");
            }
            return s + in + "}\n";
        };
        const auto applied = [&](const std::string& lo, const std::string& hi, const std::string& in) {
            return in + "for (int i = " + lo + "; i < " + hi + "; ++i) {\n" + in + "    const int keep = M[i];\n" +
                   apply("i", "keep", in + "    ") + in + "}\n";
        };
        std::string b;
        if (pass == 0) b = decide("0", "N", true, "    ");
        else if (pass == 1) b = decide("0", "N", false, "    ") + applied("0", "N", "    ");
        else
            b = "    for (int c0 = 0; c0 < N; c0 += CH) {\n" + decide("c0", "c0 + CH", false, "        ") +
                applied("c0", "c0 + CH", "        ") + "    }\n";
        const std::string defs = dim_defines(w, {{"CH", CH}, {"THR", 256 * P / 100}}) +
                                 "#define SCALE (100.0f / (float)(100 - P))\n"
                                 "static inline unsigned dhash(unsigned g) {\n"
                                 "    unsigned h = g * 0x9E3779B1u ^ 0x2545F491u;\n"
                                 "    h ^= h >> 16;\n    h *= 0x85EBCA6Bu;\n    h ^= h >> 13;\n"
                                 "    h *= 0xC2B2AE35u;\n    h ^= h >> 16;\n    return h;\n}\n";
        return kernel(defs, "const float *restrict x, unsigned char *restrict M, float *restrict y", b);
    });
}

/// Bicubic upsampling of an NHWC float image (torch.nn.functional.interpolate(mode="bicubic"),
/// image pipelines' resizes): an H x W x C input to OH x OW, the source coordinate of output d
/// (d + 1/2) H / OH - 1/2 (align_corners=false), Keys' cubic with a = -0.5 over the 4 x 4 taps
/// around it, indices clamped to the image. Every output is sum_i wy[i] (sum_j wx[j] p[i][j]), both
/// sums left to right from their first term, in every schedule. Knobs: the form (direct, the 16
/// taps per output; separable, the four source rows resampled horizontally into a scratch per
/// output row, then combined vertically; or separable with a ring of four resampled rows, each
/// source row resampled once and reused by the output rows that need it); the coefficients
/// (recomputed per output pixel, or tables per output column and row built first); the borders
/// (every tap's index clamped, from the tables' clamped offsets where there are tables; the
/// columns split into border ranges, clamped, and an interior range read directly; or a copy of the
/// input padded by 2 replicated pixels, read without clamps); the order (direct only: channels
/// innermost, or channels outermost, every output pixel revisited per channel); vectorisation.
/// Separable rows hold exactly the direct form's inner sums: bit-identical.
std::vector<Variant> bicubic_resize(const Workload& w) {
    const std::vector<Knob> knobs{{"form", "f", {0, 1, 2}},
                                  {"coef", "c", {0, 1}},
                                  {"border", "b", {0, 1, 2}},
                                  {"order", "o", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), border = k.at("border");
        const bool tables = k.at("coef") == 1, c_outer = k.at("order") == 1;
        if (form != 0 && c_outer) return std::nullopt;
        std::string b;
        if (border == 2)
            b += "    float Xp[(H + 4) * WP * C];\n"
                 "    for (int r = 0; r < H + 4; ++r)\n        for (int s = 0; s < WP; ++s) {\n"
                 "            const float *restrict src = X + (CLH(r - 2) * W + CLW(s - 2)) * C;\n"
                 "            for (int c = 0; c < C; ++c) Xp[(r * WP + s) * C + c] = src[c];\n        }\n";
        if (tables) {
            b += "    float twx[OW][4], twy[OH][4];\n    int tby[OH];\n";
            b += border == 0 ? "    int txo[OW][4];\n" : "    int tbx[OW];\n";
            b += "    for (int oy = 0; oy < OH; ++oy) tby[oy] = bc_coef(oy, SY, twy[oy]);\n"
                 "    for (int ox = 0; ox < OW; ++ox) {\n        const int bx = bc_coef(ox, SX, twx[ox]);\n";
            b += border == 0 ? "        for (int j = 0; j < 4; ++j) txo[ox][j] = CLW(bx - 1 + j) * C;\n"
                             : "        tbx[ox] = bx;\n";
            b += "    }\n";
        }
        if (border == 1) {
            // Output columns [xlo, xhi) read their four taps inside the image.
            b += "    int xlo = 0, xhi = OW;\n";
            if (tables) b += "    while (tbx[xlo] < 1) ++xlo;\n    while (tbx[xhi - 1] > W - 3) --xhi;\n";
            else
                b += "    float wt[4];\n    while (bc_coef(xlo, SX, wt) < 1) ++xlo;\n"
                     "    while (bc_coef(xhi - 1, SX, wt) > W - 3) --xhi;\n";
        }
        // The column setup of output column ox (weights wx[], offsets xo0..xo3), clamped or not.
        const auto col = [&](bool clamped, const std::string& in) {
            std::string s;
            std::string base;
            if (tables) {
                s += in + "const float *restrict wx = twx[ox];\n";
                if (border == 0)
                    return s + in +
                           "const int xo0 = txo[ox][0], xo1 = txo[ox][1], xo2 = txo[ox][2], xo3 = txo[ox][3];\n";
                base = "tbx[ox]";
            } else {
                s += in + "float wx[4];\n" + in + "const int bx = bc_coef(ox, SX, wx);\n";
                base = "bx";
            }
            if (border == 2)
                return s + in + "const int xo0 = (" + base +
                       " + 1) * C, xo1 = xo0 + C, xo2 = xo1 + C, xo3 = xo2 + C;\n";
            if (!clamped)
                return s + in + "const int xo0 = (" + base +
                       " - 1) * C, xo1 = xo0 + C, xo2 = xo1 + C, xo3 = xo2 + C;\n";
            return s + in + "const int xo0 = CLW(" + base + " - 1) * C, xo1 = CLW(" + base + ") * C, xo2 = CLW(" +
                   base + " + 1) * C, xo3 = CLW(" + base + " + 2) * C;\n";
        };
        // A row pointer for source row r (unclamped).
        const auto rowp = [&](const std::string& r) {
            return border == 2 ? "Xp + ((" + r + ") + 2) * (WP * C)" : "X + CLH(" + r + ") * (W * C)";
        };
        const auto row_setup = [&](const std::string& in) {
            std::string s;
            if (tables) s += in + "const float *restrict wy = twy[oy];\n" + in + "const int by = tby[oy];\n";
            else s += in + "float wy[4];\n" + in + "const int by = bc_coef(oy, SY, wy);\n";
            return s;
        };
        const auto hsum = [](const std::string& r, const std::string& c) {
            return "wx[0] * " + r + "[xo0 + " + c + "] + wx[1] * " + r + "[xo1 + " + c + "] + wx[2] * " + r +
                   "[xo2 + " + c + "] + wx[3] * " + r + "[xo3 + " + c + "]";
        };
        // Loops over output columns (split into ranges for the border split), each with its body.
        const auto columns = [&](const std::function<std::string(bool, const std::string&)>& body,
                                 const std::string& in) {
            const auto loop = [&](const std::string& lo, const std::string& hi, bool clamped) {
                return in + "for (int ox = " + lo + "; ox < " + hi + "; ++ox) {\n" + col(clamped, in + "    ") +
                       body(clamped, in + "    ") + in + "}\n";
            };
            if (border != 1) return loop("0", "OW", border == 0);
            return loop("0", "xlo", true) + loop("xlo", "xhi", false) + loop("xhi", "OW", true);
        };
        if (form == 0) {
            std::string in = "    ";
            if (c_outer) {
                b += "    for (int c = 0; c < C; ++c)\n";
                in += "    ";
            }
            b += in + "for (int oy = 0; oy < OH; ++oy) {\n" + row_setup(in + "    ");
            b += in + "    const float *restrict r0 = " + rowp("by - 1") + ", *restrict r1 = " + rowp("by") +
                 ", *restrict r2 = " + rowp("by + 1") + ", *restrict r3 = " + rowp("by + 2") + ";\n";
            b += columns(
                [&](bool, const std::string& ci) {
                    std::string s;
                    std::string cin = ci;
                    if (!c_outer) {
                        s += ci + "float *restrict yo = Y + (oy * OW + ox) * C;\n" + ci +
                             "for (int c = 0; c < C; ++c) {\n";
                        cin += "    ";
                    }
                    for (int i = 0; i < 4; ++i)
                        s += cin + fmt::format("const float h{} = ", i) + hsum(fmt::format("r{}", i), "c") + ";\n";
                    s += cin + (c_outer ? "Y[(oy * OW + ox) * C + c]" : "yo[c]") +
                         " = wy[0] * h0 + wy[1] * h1 + wy[2] * h2 + wy[3] * h3;\n";
                    if (!c_outer) s += ci + "}\n";
                    return s;
                },
                in + "    ");
            b += in + "}\n";
        } else {
            const bool ring = form == 2;
            b += "    float Hs[4 * OW * C];\n";
            if (ring) b += "    int tag[4] = {-100, -100, -100, -100};\n";
            b += "    for (int oy = 0; oy < OH; ++oy) {\n" + row_setup("        ");
            b += "        for (int i = 0; i < 4; ++i) {\n";
            std::string in = "            ";
            if (ring) {
                b += "            const int r = by - 1 + i, sl = (r + 4) & 3;\n            if (tag[sl] != r) {\n"
                     "                tag[sl] = r;\n";
                in += "    ";
            } else b += "            const int r = by - 1 + i, sl = i;\n";
            b += in + "const float *restrict ri = " + rowp("r") + ";\n" + in +
                 "float *restrict hr = Hs + sl * (OW * C);\n";
            b += columns(
                [&](bool, const std::string& ci) {
                    return ci + "for (int c = 0; c < C; ++c) hr[ox * C + c] = " + hsum("ri", "c") + ";\n";
                },
                in);
            if (ring) b += "            }\n";
            b += "        }\n";
            const auto slot = [&](int i) {
                return ring ? fmt::format("Hs + ((by + {}) & 3) * (OW * C)", i + 3)
                            : fmt::format("Hs + {} * (OW * C)", i);
            };
            b += "        const float *restrict h0 = " + slot(0) + ", *restrict h1 = " + slot(1) +
                 ", *restrict h2 = " + slot(2) + ", *restrict h3 = " + slot(3) + ";\n";
            b += "        float *restrict yr = Y + oy * (OW * C);\n"
                 "        for (int t = 0; t < OW * C; ++t) yr[t] = wy[0] * h0[t] + wy[1] * h1[t] + wy[2] * h2[t] + "
                 "wy[3] * h3[t];\n    }\n";
        }
        const std::string defs =
            dim_defines(w, {{"WP", w.dim("W") + 4}}) +
            "#define SX ((float)W / (float)OW)\n#define SY ((float)H / (float)OH)\n#define KA (-0.5f)\n"
            "#define CLW(v) ((v) < 0 ? 0 : (v) > W - 1 ? W - 1 : (v))\n"
            "#define CLH(v) ((v) < 0 ? 0 : (v) > H - 1 ? H - 1 : (v))\n"
            "static inline int bc_coef(int d, float scale, float *restrict wt) {\n"
            "    const float src = ((float)d + 0.5f) * scale - 0.5f;\n"
            "    int i0 = (int)src;\n    if ((float)i0 > src) --i0;\n"
            "    const float t = src - (float)i0, t1 = t + 1.0f, u = 1.0f - t, u1 = u + 1.0f;\n"
            "    wt[0] = ((KA * t1 - 5.0f * KA) * t1 + 8.0f * KA) * t1 - 4.0f * KA;\n"
            "    wt[1] = ((KA + 2.0f) * t - (KA + 3.0f)) * t * t + 1.0f;\n"
            "    wt[2] = ((KA + 2.0f) * u - (KA + 3.0f)) * u * u + 1.0f;\n"
            "    wt[3] = ((KA * u1 - 5.0f * KA) * u1 + 8.0f * KA) * u1 - 4.0f * KA;\n"
            "    return i0;\n}\n";
        return kernel(defs, "const float *restrict X, float *restrict Y", b);
    });
}

/// A multi-level 2-D Haar discrete wavelet transform of N float images, one after the other
/// (pywt.wavedec2(x, "haar", level=L) over a batch, up to its scaling; JPEG 2000's and wavelet-based
/// image models' multi-resolution analysis), in the Mallat layout: level l (from 0) takes the current LL band, (H >> l) x (W >> l),
/// to four quadrants of half its size in Y: LL at the top left (the next level's input), the
/// vertical detail below it, the horizontal detail to its right, the diagonal detail diagonally.
/// Every output of a 2 x 2 block p is one expression in every schedule: s0 = p00 + p01, s1 = p10 +
/// p11, d0 = p00 - p01, d1 = p10 - p11, then LL (s0 + s1) * 0.25f, LH (s0 - s1) * 0.25f, HL (d0 +
/// d1) * 0.25f, HH (d0 - d1) * 0.25f (the C macros HAAR4 and COMB). Knobs: the form (direct, the
/// four outputs of each 2 x 2 block at once; separable, a row pass of the whole band into the
/// scratches S and D of pair sums and differences, then a column pass combining row pairs; or
/// separable per row pair, the two rows' sums and differences into four row buffers, combined at
/// once); the order of the block loop, or the column pass (row-major; column-major, walking down
/// the band two rows at a time; strips of 16 output columns, row-major within); the LL band's
/// buffering (copied out of Y into a scratch before each level after the first; or ping-pong, each
/// level's LL written compactly into one of two scratches the next level reads, the last level's
/// into Y); the unroll of the inner loops (not column-major's); vectorisation. The schedules move
/// the same float expressions around: bit-identical.
std::vector<Variant> dwt_haar_2d(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W"), L = w.dim("L");
    if (L < 1 || L > 6 || H % (2 << L) != 0 || W % (16 << L) != 0)
        fail(ErrorKind::invalid_argument,
             "workload '{}': 1 <= L <= 6, H a multiple of 2^(L+1), W a multiple of 16 x 2^L", w.name);
    const std::vector<Knob> knobs{
        {"form", "f", {0, 1, 2}}, {"order", "o", {0, 1, 2}}, {"buf", "b", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int form = k.at("form"), order = k.at("order"), unroll = k.at("unroll");
        const bool pingpong = k.at("buf") == 1;
        if (form == 2 && order != 0) return std::nullopt;   // the row pair is the unit
        if (order == 1 && unroll != 1) return std::nullopt; // the inner loop walks down a column
        std::string b;
        if (pingpong) b += "    float A[(H / 2) * (W / 2)], B[(H / 4) * (W / 4)];\n";
        else b += "    float T[(H / 2) * (W / 2)];\n";
        if (form == 1) b += "    float S[H * (W / 2)], D[H * (W / 2)];\n";
        if (form == 2) b += "    float s0r[W / 2], s1r[W / 2], d0r[W / 2], d1r[W / 2];\n";
        std::string lv =
            "    for (int l = 0; l < L; ++l) {\n"
            "        const int h = H >> l, w = W >> l, h2 = h / 2, w2 = w / 2;\n"
            "        const float *src = Xi;\n        int ss = W;\n        float *ll = Yi;\n        int ls = W;\n";
        if (pingpong)
            lv += "        if (l > 0) {\n            src = (l & 1) ? A : B;\n            ss = w;\n        }\n"
                  "        if (l < L - 1) {\n            ll = (l & 1) ? B : A;\n            ls = w2;\n        }\n";
        else
            lv += "        if (l > 0) {\n            for (int i = 0; i < h; ++i)\n"
                  "                for (int j = 0; j < w; ++j) T[i * w + j] = Yi[i * W + j];\n"
                  "            src = T;\n            ss = w;\n        }\n";
        const std::string u8 = unroll_pragma(unroll, "            "), u12 = unroll_pragma(unroll, "                ");
        // The four output rows of output row i, at `in`.
        const auto outs = [](const std::string& in) {
            return in + "float *restrict o0 = ll + i * ls, *restrict o1 = Yi + (h2 + i) * W, *restrict o2 = Yi + i * "
                        "W + w2, *restrict o3 = o1 + w2;\n";
        };
        const std::string oj = "o0[j], o1[j], o2[j], o3[j]";
        const std::string oij = "ll[i * ls + j], Yi[(h2 + i) * W + j], Yi[i * W + w2 + j], Yi[(h2 + i) * W + w2 + j]";
        if (form == 0) {
            const std::string rows = "const float *restrict r0 = src + 2 * i * ss, *restrict r1 = r0 + ss;\n";
            const std::string blk = "HAAR4(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1], " + oj + ");\n";
            if (order == 0)
                lv += "        for (int i = 0; i < h2; ++i) {\n            " + rows + outs("            ") + u8 +
                      "            for (int j = 0; j < w2; ++j) " + blk + "        }\n";
            else if (order == 1)
                lv += "        for (int j = 0; j < w2; ++j)\n            for (int i = 0; i < h2; ++i) {\n"
                      "                const float *restrict r0 = src + 2 * i * ss + 2 * j;\n"
                      "                HAAR4(r0[0], r0[1], r0[ss], r0[ss + 1], " +
                      oij + ");\n            }\n";
            else
                lv += "        for (int j0 = 0; j0 < w2; j0 += TS)\n            for (int i = 0; i < h2; ++i) {\n"
                      "                " +
                      rows + outs("                ") + u12 + "                for (int j = j0; j < j0 + TS; ++j) " +
                      blk + "            }\n";
        } else if (form == 1) {
            lv += "        for (int r = 0; r < h; ++r) {\n"
                  "            const float *restrict p = src + r * ss;\n"
                  "            float *restrict sr = S + r * w2, *restrict dr = D + r * w2;\n" +
                  u8 +
                  "            for (int j = 0; j < w2; ++j) {\n"
                  "                sr[j] = p[2 * j] + p[2 * j + 1];\n"
                  "                dr[j] = p[2 * j] - p[2 * j + 1];\n            }\n        }\n";
            const std::string rows = "const float *restrict sa = S + 2 * i * w2, *restrict sb = sa + w2, *restrict "
                                     "da = D + 2 * i * w2, *restrict db = da + w2;\n";
            const std::string cmb = "COMB(sa[j], sb[j], da[j], db[j], " + oj + ");\n";
            if (order == 0)
                lv += "        for (int i = 0; i < h2; ++i) {\n            " + rows + outs("            ") + u8 +
                      "            for (int j = 0; j < w2; ++j) " + cmb + "        }\n";
            else if (order == 1)
                lv += "        for (int j = 0; j < w2; ++j)\n            for (int i = 0; i < h2; ++i)\n"
                      "                COMB(S[2 * i * w2 + j], S[(2 * i + 1) * w2 + j], D[2 * i * w2 + j], D[(2 * i "
                      "+ 1) * w2 + j], " +
                      oij + ");\n";
            else
                lv += "        for (int j0 = 0; j0 < w2; j0 += TS)\n            for (int i = 0; i < h2; ++i) {\n"
                      "                " +
                      rows + outs("                ") + u12 + "                for (int j = j0; j < j0 + TS; ++j) " +
                      cmb + "            }\n";
        } else
            lv += "        for (int i = 0; i < h2; ++i) {\n"
                  "            const float *restrict r0 = src + 2 * i * ss, *restrict r1 = r0 + ss;\n" +
                  u8 +
                  "            for (int j = 0; j < w2; ++j) {\n"
                  "                s0r[j] = r0[2 * j] + r0[2 * j + 1];\n"
                  "                d0r[j] = r0[2 * j] - r0[2 * j + 1];\n"
                  "                s1r[j] = r1[2 * j] + r1[2 * j + 1];\n"
                  "                d1r[j] = r1[2 * j] - r1[2 * j + 1];\n            }\n" +
                  outs("            ") + u8 +
                  "            for (int j = 0; j < w2; ++j) COMB(s0r[j], s1r[j], d0r[j], d1r[j], " + oj +
                  ");\n        }\n";
        lv += "    }\n";
        // Every image in turn, the level loop indented under the image loop.
        b += "    for (int n = 0; n < N; ++n) {\n        const float *restrict Xi = X + n * H * W;\n"
             "        float *restrict Yi = Y + n * H * W;\n";
        for (std::size_t at = 0; at < lv.size();) {
            const auto nl = lv.find('\n', at);
            b += "    " + lv.substr(at, nl + 1 - at);
            at = nl + 1;
        }
        b += "    }\n";
        const std::string defs =
            dim_defines(w, {{"TS", 16}}) +
            "#define COMB(s0, s1, d0, d1, LL, LH, HL, HH) do { \\\n"
            "    const float a_ = (s0), b_ = (s1), c_ = (d0), e_ = (d1); \\\n"
            "    LL = (a_ + b_) * 0.25f; LH = (a_ - b_) * 0.25f; HL = (c_ + e_) * 0.25f; HH = (c_ - e_) * 0.25f; \\\n"
            "} while (0)\n"
            "#define HAAR4(p00, p01, p10, p11, LL, LH, HL, HH) do { \\\n"
            "    const float q00_ = (p00), q01_ = (p01), q10_ = (p10), q11_ = (p11); \\\n"
            "    COMB(q00_ + q01_, q10_ + q11_, q00_ - q01_, q10_ - q11_, LL, LH, HL, HH); \\\n"
            "} while (0)\n";
        return kernel(defs, "const float *restrict X, float *restrict Y", b);
    });
}

/// Transposing a sparse matrix in CSR form (scipy.sparse's tocsc(), torch.sparse's transpose
/// before SpMM's backward pass in GNN frameworks, cuSPARSE's csr2csc): an M x N pattern with the
/// rows of sddmm_csr (rows 2q and 2q + 1 hold E + d and E - d nonzeros, d a hash of the i32 input
/// len[q] and q) and each nonzero's column a hash of col[p] and p in [0, N), built by every
/// schedule first into the row pointers rp and the column indices ci; then a counting sort by
/// column: the column counts, their exclusive scan into the column pointers cp (N + 1), and the
/// scatter of every nonzero's row into ri and value into tv, rows ascending within a column (a
/// stable order: the output is unique). Knobs: the histogram (one counter array, every increment
/// of a column's counter waiting on its last; or four partial counter arrays, nonzero p counted in
/// array p mod 4, summed per column); the scatter (by rows ascending with a copy of cp as the
/// cursors; by rows with cp itself as the cursors, shifted back by one column afterwards; or over
/// the nonzeros in order with their rows from an array of row indices built first, COO-style); the
/// destination (ri and tv written directly; or (row, value) pairs scattered into one scratch, one
/// cache line per nonzero, then split into ri and tv); the column blocking (one scatter pass; or 4
/// passes, each over every nonzero but scattering only those of a quarter of the columns, so the
/// destinations written stay in cache); vectorisation. Integers and copied values: bit-identical.
std::vector<Variant> csr_transpose(const Workload& w) {
    const int M = w.dim("M"), N = w.dim("N"), E = w.dim("E");
    if (M % 4 != 0 || E < 1 || N < 16 || (N & (N - 1)) != 0)
        fail(ErrorKind::invalid_argument, "workload '{}': M a multiple of 4, E at least 1, N a power of two >= 16",
             w.name);
    const std::vector<Knob> knobs{
        {"hist", "h", {0, 1}}, {"scatter", "s", {0, 1, 2}}, {"pairs", "p", {0, 1}}, {"cblk", "c", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int scatter = k.at("scatter"), cblk = k.at("cblk");
        const bool partial = k.at("hist") == 1, pairs = k.at("pairs") == 1;
        std::string b = "    int rp[M + 1], ci[NNZ];\n    rp[0] = 0;\n    for (int q = 0; q < M / 2; ++q) {\n"
                        "        const int d = (int)((((unsigned)len[q] * 2654435761u) ^ ((unsigned)q * 40503u)) % "
                        "(2u * E - 1u)) - (E - 1);\n"
                        "        rp[2 * q + 1] = rp[2 * q] + E + d;\n        rp[2 * q + 2] = rp[2 * q] + 2 * E;\n"
                        "    }\n"
                        "    for (int p = 0; p < NNZ; ++p) ci[p] = (int)(((unsigned)col[p] * 7919u + (unsigned)p * "
                        "2654435761u) >> NSHIFT);\n";
        if (!partial)
            b += "    for (int c = 0; c <= N; ++c) cp[c] = 0;\n    for (int p = 0; p < NNZ; ++p) ++cp[ci[p] + 1];\n";
        else
            b += "    int cnt[4][N];\n    for (int t = 0; t < 4; ++t)\n        for (int c = 0; c < N; ++c) cnt[t][c] "
                 "= 0;\n"
                 "    for (int p = 0; p < NNZ; p += 4) {\n        ++cnt[0][ci[p]];\n        ++cnt[1][ci[p + 1]];\n"
                 "        ++cnt[2][ci[p + 2]];\n        ++cnt[3][ci[p + 3]];\n    }\n"
                 "    cp[0] = 0;\n    for (int c = 0; c < N; ++c) cp[c + 1] = (cnt[0][c] + cnt[1][c]) + (cnt[2][c] + "
                 "cnt[3][c]);\n";
        b += "    for (int c = 0; c < N; ++c) cp[c + 1] += cp[c];\n";
        const std::string cur = scatter == 1 ? "cp" : "cur";
        if (scatter != 1) b += "    int cur[N];\n    for (int c = 0; c < N; ++c) cur[c] = cp[c];\n";
        if (pairs) b += "    struct rv {\n        int r;\n        float v;\n    } pr[NNZ];\n";
        if (scatter == 2)
            b += "    int rowi[NNZ];\n    for (int r = 0; r < M; ++r)\n"
                 "        for (int p = rp[r]; p < rp[r + 1]; ++p) rowi[p] = r;\n";
        // One nonzero p of row `r` scattered, at `in`.
        const auto one = [&](const std::string& r, const std::string& in) {
            std::string s = in + "const int c = ci[p];\n";
            std::string i2 = in;
            if (cblk > 1) {
                s += in + "if ((unsigned)(c - c0) < (unsigned)NQ) {\n";
                i2 += "    ";
            }
            s += i2 + "const int q = " + cur + "[c]++;\n";
            if (pairs) s += i2 + "pr[q].r = " + r + ";\n" + i2 + "pr[q].v = val[p];\n";
            else s += i2 + "ri[q] = " + r + ";\n" + i2 + "tv[q] = val[p];\n";
            if (cblk > 1) s += in + "}\n";
            return s;
        };
        std::string in = "    ";
        if (cblk > 1) {
            b += "    for (int c0 = 0; c0 < N; c0 += NQ) {\n";
            in += "    ";
        }
        if (scatter == 2) b += in + "for (int p = 0; p < NNZ; ++p) {\n" + one("rowi[p]", in + "    ") + in + "}\n";
        else
            b += in + "for (int r = 0; r < M; ++r)\n" + in + "    for (int p = rp[r]; p < rp[r + 1]; ++p) {\n" +
                 one("r", in + "        ") + in + "    }\n";
        if (cblk > 1) b += "    }\n";
        if (scatter == 1) b += "    for (int c = N; c > 0; --c) cp[c] = cp[c - 1];\n    cp[0] = 0;\n";
        if (pairs)
            b += "    for (int q = 0; q < NNZ; ++q) {\n        ri[q] = pr[q].r;\n        tv[q] = pr[q].v;\n    }\n";
        const std::string defs = dim_defines(
            w, {{"NNZ", M * E}, {"NSHIFT", 32 - log2_floor(static_cast<std::uint64_t>(N))}, {"NQ", N / cblk}});
        return kernel(defs,
                      "const float *restrict val, const int *restrict col, const int *restrict len, int *restrict "
                      "cp, int *restrict ri, float *restrict tv",
                      b);
    });
}

/// The two-pass chamfer (3-4) distance transform of a binary mask (OpenCV's distanceTransform
/// with DIST_MASK_3 and integer weights, scipy.ndimage.distance_transform_cdt(metric="chessboard")'s
/// kin, signed-distance targets of segmentation losses): the feature pixels, where the input X >
/// 0.6f, at distance 0, every other pixel at INF (2^20), then a forward raster pass, each pixel the
/// minimum of itself and its 4 causal neighbours (the upper-left and upper-right + 4, the upper and
/// the left + 3), and a backward pass in reverse raster order over the 4 anti-causal ones, into
/// the i32 output D; neighbours outside the image are absent. Knobs: the minimum (a compare and a
/// branch; or branch-free, d - a's sign as a mask); the border (tests of i and j at every pixel, in
/// place in D; a scratch image padded by one INF pixel all round, copied into D at the end; or two
/// padded row buffers holding the previous (next) row, the left (right) neighbour in a register, no
/// tests); the split (each pixel's four neighbours at once; or each row's vertical part first, the
/// three neighbours of the previous row for the whole row, which vectorises, then the sequential
/// horizontal scan); the unroll of the inner loops; vectorisation. Integer minima: bit-identical.
std::vector<Variant> distance_transform(const Workload& w) {
    const std::vector<Knob> knobs{
        {"min", "m", {0, 1}}, {"border", "b", {0, 1, 2}}, {"split", "s", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int border = k.at("border"), unroll = k.at("unroll");
        const bool split = k.at("split") == 1;
        const std::string u = unroll_pragma(unroll, "        ");
        std::string b;
        const std::string init = "    for (int p = 0; p < H * W; ++p) D[p] = X[p] > 0.6f ? 0 : INF;\n";
        if (border == 0) {
            b += init;
            // Forward (dir 1) or backward (dir -1).
            for (const int dir : {1, -1}) {
                const bool fw = dir == 1;
                const std::string nb = fw ? "(i - 1)" : "(i + 1)";
                const std::string has_row = fw ? "i > 0" : "i < H - 1";
                const std::string jlo = fw ? "j > 0" : "j < W - 1", jhi = fw ? "j < W - 1" : "j > 0";
                const std::string jm = fw ? "j - 1" : "j + 1", jp = fw ? "j + 1" : "j - 1";
                b += fw ? "    for (int i = 0; i < H; ++i) {\n" : "    for (int i = H - 1; i >= 0; --i) {\n";
                const std::string jloop = fw ? "for (int j = 0; j < W; ++j)" : "for (int j = W - 1; j >= 0; --j)";
                // The previous (next) row's three neighbours of pixel j, at `in`.
                const auto vert = [&](const std::string& in) {
                    return in + "if (" + jlo + ") MIN_IN(d, D[" + nb + " * W + " + jm + "] + 4);\n" + in +
                           "MIN_IN(d, D[" + nb + " * W + j] + 3);\n" + in + "if (" + jhi + ") MIN_IN(d, D[" + nb +
                           " * W + " + jp + "] + 4);\n";
                };
                if (!split)
                    b += u + "        " + jloop + " {\n            int d = D[i * W + j];\n            if (" + has_row +
                         ") {\n" + vert("                ") + "            }\n            if (" + jlo +
                         ") MIN_IN(d, D[i * W + " + jm + "] + 3);\n            D[i * W + j] = d;\n        }\n";
                else
                    b += "        if (" + has_row + ")\n" + unroll_pragma(unroll, "            ") + "            " +
                         jloop + " {\n                int d = D[i * W + j];\n" + vert("                ") +
                         "                D[i * W + j] = d;\n            }\n" + u + "        " +
                         (fw ? "for (int j = 1; j < W; ++j)" : "for (int j = W - 2; j >= 0; --j)") +
                         " {\n            int d = D[i * W + j];\n            MIN_IN(d, D[i * W + " + jm +
                         "] + 3);\n            D[i * W + j] = d;\n        }\n";
                b += "    }\n";
            }
        } else if (border == 1) {
            b += "    int P[(H + 2) * WP];\n    for (int s = 0; s < WP; ++s) {\n        P[s] = INF;\n"
                 "        P[(H + 1) * WP + s] = INF;\n    }\n"
                 "    for (int i = 0; i < H; ++i) {\n        P[(i + 1) * WP] = INF;\n        P[(i + 1) * WP + W + 1] = "
                 "INF;\n        for (int j = 0; j < W; ++j) P[(i + 1) * WP + j + 1] = X[i * W + j] > 0.6f ? 0 : "
                 "INF;\n    }\n";
            for (const int dir : {1, -1}) {
                const bool fw = dir == 1;
                b += fw ? "    for (int i = 1; i <= H; ++i) {\n" : "    for (int i = H; i >= 1; --i) {\n";
                b += "        int *restrict row = P + i * WP;\n        const int *restrict nb = row " +
                     std::string(fw ? "-" : "+") + " WP;\n";
                const std::string jloop = fw ? "for (int j = 1; j <= W; ++j)" : "for (int j = W; j >= 1; --j)";
                const std::string jm = fw ? "j - 1" : "j + 1", jp = fw ? "j + 1" : "j - 1";
                const std::string vert = "MIN_IN(d, nb[" + jm +
                                         "] + 4);\n            MIN_IN(d, nb[j] + 3);\n"
                                         "            MIN_IN(d, nb[" +
                                         jp + "] + 4);\n";
                if (!split)
                    b += u + "        " + jloop + " {\n            int d = row[j];\n            " + vert +
                         "            MIN_IN(d, row[" + jm + "] + 3);\n            row[j] = d;\n        }\n";
                else
                    b += u + "        " + jloop + " {\n            int d = row[j];\n            " + vert +
                         "            row[j] = d;\n        }\n" + u + "        " + jloop +
                         " {\n            int d = row[j];\n            MIN_IN(d, row[" + jm +
                         "] + 3);\n            row[j] = d;\n        }\n";
                b += "    }\n";
            }
            b += "    for (int i = 0; i < H; ++i)\n        for (int j = 0; j < W; ++j) D[i * W + j] = P[(i + 1) * WP + "
                 "j + 1];\n";
        } else {
            b += init + "    int rb[2][WP];\n";
            for (const int dir : {1, -1}) {
                const bool fw = dir == 1;
                b += "    for (int s = 0; s < WP; ++s) {\n        rb[0][s] = INF;\n        rb[1][s] = INF;\n    }\n";
                b += fw ? "    for (int i = 0; i < H; ++i) {\n        int *restrict cur = rb[i & 1];\n"
                          "        const int *restrict nb = rb[(i + 1) & 1];\n"
                        : "    for (int i = H - 1; i >= 0; --i) {\n        int *restrict cur = rb[(H - i) & 1];\n"
                          "        const int *restrict nb = rb[(H - i + 1) & 1];\n";
                b += "        int *restrict row = D + i * W;\n";
                const std::string jloop = fw ? "for (int j = 0; j < W; ++j)" : "for (int j = W - 1; j >= 0; --j)";
                // Pixel j's padded position is j + 1: the causal neighbours at j, j + 1, j + 2.
                const std::string jm = fw ? "j" : "j + 2", jp = fw ? "j + 2" : "j";
                const std::string vert = "MIN_IN(d, nb[" + jm +
                                         "] + 4);\n            MIN_IN(d, nb[j + 1] + 3);\n"
                                         "            MIN_IN(d, nb[" +
                                         jp + "] + 4);\n";
                if (!split)
                    b += "        int side = INF;\n" + u + "        " + jloop +
                         " {\n            int d = row[j];\n            " + vert +
                         "            MIN_IN(d, side + 3);\n            row[j] = d;\n            cur[j + 1] = d;\n"
                         "            side = d;\n        }\n";
                else
                    b += u + "        " + jloop + " {\n            int d = row[j];\n            " + vert +
                         "            cur[j + 1] = d;\n        }\n" + u + "        " + jloop +
                         " {\n            int d = cur[j + 1];\n            MIN_IN(d, cur[" + jm +
                         "] + 3);\n            cur[j + 1] = d;\n            row[j] = d;\n        }\n";
                b += "    }\n";
            }
        }
        const std::string defs =
            dim_defines(w, {{"WP", w.dim("W") + 2}, {"INF", 1 << 20}}) +
            (k.at("min") == 0
                 ? "#define MIN_IN(d, a) do { const int t_ = (a); if (t_ < (d)) (d) = t_; } while (0)\n"
                 : "#define MIN_IN(d, a) do { const int t_ = (a), x_ = (d) - t_; (d) = t_ + (x_ & (x_ >> 31)); } "
                   "while (0)\n");
        return kernel(defs, "const float *restrict X, int *restrict D", b);
    });
}

/// cv2.warpAffine of an 8-bit single-channel image (an i8 buffer read as unsigned char) with
/// INTER_LINEAR and BORDER_CONSTANT 0, H x W in and out (augmentation pipelines, document and face
/// alignment, torchvision's affine on uint8): output pixel (x, y) samples the source at M (x, y, 1),
/// M a fixed rotation by 30 degrees with a 1.2 scale about the centre, in 16.16 fixed point as
/// OpenCV's AB_BITS arithmetic (the constants identical in every variant). The coordinate's integer
/// part picks the 2 x 2 taps, its top 5 fraction bits (OpenCV's INTER_BITS) the bilinear weights
/// (32 - f) and f, which multiply to 1024; out = (the weighted taps' sum + 512) >> 10, a tap outside
/// the image 0. Knobs: the phases (fused: each pixel's coordinates then its taps; or OpenCV's
/// remap scheme, a row's map of tap positions and fraction indices into a scratch first, a loop that
/// vectorises, then the row remapped from it); the coordinates (the matrix multiplied out at every
/// pixel, or stepped incrementally along the row, fused only); the border (four tap tests at every
/// pixel; one test for the all-inside fast path, tap tests only outside it; the row's inside range
/// solved exactly by integer division first, no tests within it; or a copy of the image padded by a
/// zero pixel all round, one test against the padded range); the weights (multiplied out, or looked
/// up in OpenCV's 32 x 32 table of weight quadruples the kernel builds); vectorisation. Integers:
/// bit-identical.
std::vector<Variant> warp_affine_u8(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W");
    // 1.2 cos 30 and 1.2 sin 30 in 16.16; the translation keeps the centre (W/2, H/2) fixed.
    constexpr long long ma = 68107, mb = -39322, md = 39322, me = 68107;
    const long long cx = W / 2, cy = H / 2;
    const long long mc = (cx << 16) - ma * cx - mb * cy, mf = (cy << 16) - md * cx - me * cy;
    if (H < 4 || W < 4 || H > 2048 || W > 2048)
        fail(ErrorKind::invalid_argument, "workload '{}': H and W between 4 and 2048", w.name);
    const std::vector<Knob> knobs{{"phases", "p", {0, 1}},
                                  {"coord", "c", {0, 1}},
                                  {"border", "b", {0, 1, 2, 3}},
                                  {"weights", "w", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int border = k.at("border");
        const bool two = k.at("phases") == 1, incr = k.at("coord") == 1, table = k.at("weights") == 1;
        if (two && incr) return std::nullopt; // the map loop multiplies out (and vectorises)
        // One output pixel from x0, y0 and the fraction (fx, fy, or fi = fy * 32 + fx), at `in`;
        // `taps` 0: tap tests, 1: the fast path, 2: inside (no tests), 3: the padded copy.
        const auto pixel = [&](const std::string& in, int taps) {
            std::string s;
            if (table)
                s += in + "const short *restrict t = tab + 4 * fi;\n" + in +
                     "const int w00 = t[0], w01 = t[1], w10 = t[2], w11 = t[3];\n";
            else
                s += in + "const int w00 = (32 - fx) * (32 - fy), w01 = fx * (32 - fy), w10 = (32 - fx) * fy, "
                          "w11 = fx * fy;\n";
            const auto tests = [](const std::string& i2) {
                return i2 + "const int x1 = x0 + 1, y1 = y0 + 1;\n" + i2 +
                       "const int ix0 = (unsigned)x0 < (unsigned)W, ix1 = (unsigned)x1 < (unsigned)W;\n" + i2 +
                       "const int iy0 = (unsigned)y0 < (unsigned)H, iy1 = (unsigned)y1 < (unsigned)H;\n";
            };
            const auto tested = [&](const std::string& i2) {
                return i2 + "v00 = ix0 & iy0 ? S[y0 * W + x0] : 0;\n" + i2 + "v01 = ix1 & iy0 ? S[y0 * W + x1] : 0;\n" +
                       i2 + "v10 = ix0 & iy1 ? S[y1 * W + x0] : 0;\n" + i2 + "v11 = ix1 & iy1 ? S[y1 * W + x1] : 0;\n";
            };
            s += in + "int v00, v01, v10, v11;\n";
            if (taps == 0) s += tests(in) + tested(in);
            else if (taps == 1)
                s += in + "if ((unsigned)x0 < (unsigned)(W - 1) && (unsigned)y0 < (unsigned)(H - 1)) {\n" + in +
                     "    const unsigned char *restrict s = S + y0 * W + x0;\n" + in + "    v00 = s[0];\n" + in +
                     "    v01 = s[1];\n" + in + "    v10 = s[W];\n" + in + "    v11 = s[W + 1];\n" + in + "} else {\n" +
                     tests(in + "    ") + tested(in + "    ") + in + "}\n";
            else if (taps == 2)
                s += in + "const unsigned char *restrict s = S + y0 * W + x0;\n" + in + "v00 = s[0];\n" + in +
                     "v01 = s[1];\n" + in + "v10 = s[W];\n" + in + "v11 = s[W + 1];\n";
            else
                s += in + "if ((unsigned)(x0 + 1) <= (unsigned)W && (unsigned)(y0 + 1) <= (unsigned)H) {\n" + in +
                     "    const unsigned char *restrict s = P + (y0 + 1) * WP + x0 + 1;\n" + in + "    v00 = s[0];\n" +
                     in + "    v01 = s[1];\n" + in + "    v10 = s[WP];\n" + in + "    v11 = s[WP + 1];\n" + in +
                     "} else {\n" + in + "    v00 = 0;\n" + in + "    v01 = 0;\n" + in + "    v10 = 0;\n" + in +
                     "    v11 = 0;\n" + in + "}\n";
            return s + in +
                   "O[y * W + x] = (unsigned char)((v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + 512) >> 10);\n";
        };
        // The pixel's position and fraction from sx, sy (fused) or from the row's map (two phases).
        const auto locate = [&](const std::string& in) {
            if (two)
                return in + "const int x0 = xs[x], y0 = ys[x], fi = fs[x];\n" +
                       (table ? "" : in + "const int fx = fi & 31, fy = fi >> 5;\n");
            std::string s = incr ? "" : in + "const int sx = MC + MA * x + MB * y, sy = MF + MD * x + ME * y;\n";
            s += in + "const int x0 = sx >> 16, y0 = sy >> 16;\n" + in +
                 "const int fx = (sx >> 11) & 31, fy = (sy >> 11) & 31;\n";
            if (table) s += in + "const int fi = (fy << 5) | fx;\n";
            return s;
        };
        // A loop over x in [from, to) with `taps`.
        const auto xloop = [&](const std::string& from, const std::string& to, int taps) {
            std::string s = "        for (int x = " + from + "; x < " + to + "; ++x) {\n" + locate("            ") +
                            pixel("            ", taps);
            if (incr) s += "            sx += MA;\n            sy += MD;\n";
            return s + "        }\n";
        };
        std::string b;
        if (table)
            b +=
                "    short tab[32 * 32 * 4];\n    for (int fy = 0; fy < 32; ++fy)\n"
                "        for (int fx = 0; fx < 32; ++fx) {\n            short *restrict t = tab + 4 * (fy * 32 + fx);\n"
                "            t[0] = (short)((32 - fx) * (32 - fy));\n            t[1] = (short)(fx * (32 - fy));\n"
                "            t[2] = (short)((32 - fx) * fy);\n            t[3] = (short)(fx * fy);\n        }\n";
        if (border == 3)
            b += "    unsigned char P[(H + 2) * WP];\n    for (int s = 0; s < WP; ++s) {\n        P[s] = 0;\n"
                 "        P[(H + 1) * WP + s] = 0;\n    }\n    for (int i = 0; i < H; ++i) {\n"
                 "        P[(i + 1) * WP] = 0;\n        P[(i + 1) * WP + W + 1] = 0;\n"
                 "        for (int j = 0; j < W; ++j) P[(i + 1) * WP + j + 1] = S[i * W + j];\n    }\n";
        if (two) b += "    int xs[W], ys[W];\n    short fs[W];\n";
        b += "    for (int y = 0; y < H; ++y) {\n";
        if (incr) b += "        int sx = MC + MB * y, sy = MF + ME * y;\n";
        if (two)
            b += "        for (int x = 0; x < W; ++x) {\n"
                 "            const int sx = MC + MA * x + MB * y, sy = MF + MD * x + ME * y;\n"
                 "            xs[x] = sx >> 16;\n            ys[x] = sy >> 16;\n"
                 "            fs[x] = (short)((((sy >> 11) & 31) << 5) | ((sx >> 11) & 31));\n        }\n";
        if (border == 2) {
            // x0 in [0, W - 2] <=> 0 <= sx <= HX; sx = bx + MA x with MA > 0 (y alike, MD > 0).
            b += "        const int bx = MC + MB * y, by = MF + ME * y;\n"
                 "        int xa = cdiv(-bx, MA), xb = fdiv(HX - bx, MA) + 1;\n"
                 "        const int ya = cdiv(-by, MD), yb = fdiv(HY - by, MD) + 1;\n"
                 "        if (ya > xa) xa = ya;\n        if (yb < xb) xb = yb;\n"
                 "        if (xa < 0) xa = 0;\n        if (xa > W) xa = W;\n        if (xb > W) xb = W;\n"
                 "        if (xb < xa) xb = xa;\n";
            b += xloop("0", "xa", 0) + xloop("xa", "xb", 2) + xloop("xb", "W", 0);
        } else b += xloop("0", "W", border);
        b += "    }\n";
        const auto lit = [](long long v) { return v < 0 ? fmt::format("({})", v) : fmt::format("{}", v); };
        std::string d = dim_defines(w, {{"WP", W + 2}}) + "#define MA " + lit(ma) + "\n#define MB " + lit(mb) +
                        "\n#define MC " + lit(mc) + "\n#define MD " + lit(md) + "\n#define ME " + lit(me) +
                        "\n#define MF " + lit(mf) + "\n";
        if (border == 2)
            d += fmt::format("#define HX {}\n#define HY {}\n", ((W - 1) << 16) - 1, ((H - 1) << 16) - 1) +
                 "static inline int fdiv(int n, int d) { return n >= 0 ? n / d : -((-n + d - 1) / d); }\n"
                 "static inline int cdiv(int n, int d) { return -fdiv(-n, d); }\n";
        return kernel(d, "const unsigned char *restrict S, unsigned char *restrict O", b);
    });
}

/// Two-pass connected-component labelling of a binary mask with 8-connectivity
/// (cv2.connectedComponents, scikit-image's label(connectivity=2), scipy.ndimage.label with a full
/// structure; instance masks, blob counting): the foreground where the input X > THR, H x W; out
/// the i32 labels, 0 for the background, the components numbered 1, 2, ... in the raster order of
/// their first pixel (what every schedule's union-find yields: a component's first pixel always
/// opens its smallest provisional label). The first pass gives each foreground pixel a provisional
/// label from its labelled causal neighbours (upper-left, upper, upper-right, left), merging their
/// sets in a union-find over the labels; the second replaces each label by its set's number.
/// Knobs: the method (pixel by pixel; or by runs: each row's runs of foreground found first, a run
/// merged with the previous row's runs it touches, found by a pointer walking them, then painted);
/// the pixel scan (every labelled neighbour looked at and merged; or Wu's decision tree, the upper
/// neighbour alone when it is foreground, at most one merge otherwise); the union-find (linking the
/// larger root under the smaller, finds without compression, with path halving or with full path
/// compression; or union by rank with path halving); the relabelling (a find per pixel, each root
/// numbered at its first pixel; or the label table flattened first in label order, then one lookup
/// per pixel); vectorisation. Integers: bit-identical.
std::vector<Variant> connected_components(const Workload& w) {
    const int H = w.dim("H"), W = w.dim("W");
    // New provisional labels are never 8-adjacent: at most a quarter of the pixels (rounded up).
    const int maxl = (H / 2 + 1) * (W / 2 + 1) + 1;
    const std::vector<Knob> knobs{{"method", "m", {0, 1}},
                                  {"scan", "s", {0, 1}},
                                  {"uf", "f", {0, 1, 2, 3}},
                                  {"relabel", "r", {0, 1}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int uf = k.at("uf");
        const bool runs = k.at("method") == 1, tree = k.at("scan") == 1, flat = k.at("relabel") == 1;
        if (runs && tree) return std::nullopt; // runs merge with every run they touch
        const bool rank = uf == 3;
        std::string f = "static inline int find(int *restrict P, int x) {\n";
        if (uf == 0) f += "    while (P[x] != x) x = P[x];\n    return x;\n}\n";
        else if (uf == 2)
            f += "    int r = x;\n    while (P[r] != r) r = P[r];\n"
                 "    while (P[x] != r) {\n        const int t = P[x];\n        P[x] = r;\n        x = t;\n    }\n"
                 "    return r;\n}\n";
        else f += "    while (P[x] != x) {\n        P[x] = P[P[x]];\n        x = P[x];\n    }\n    return x;\n}\n";
        if (rank)
            f += "static inline void merge(int *restrict P, unsigned char *restrict R, int a, int b) {\n"
                 "    a = find(P, a);\n    b = find(P, b);\n    if (a == b) return;\n"
                 "    if (R[a] < R[b]) P[a] = b;\n    else if (R[a] > R[b]) P[b] = a;\n"
                 "    else {\n        P[b] = a;\n        ++R[a];\n    }\n}\n#define MERGE(a, b) merge(P, R, a, b)\n"
                 "#define NEW(l) do { (l) = ++n; P[l] = l; R[l] = 0; } while (0)\n";
        else
            f +=
                "static inline void merge(int *restrict P, int a, int b) {\n"
                "    a = find(P, a);\n    b = find(P, b);\n    if (a < b) P[b] = a;\n    else if (b < a) P[a] = b;\n}\n"
                "#define MERGE(a, b) merge(P, a, b)\n#define NEW(l) do { (l) = ++n; P[l] = l; } while (0)\n";
        std::string b = "    int P[MAXL];\n";
        if (rank) b += "    unsigned char R[MAXL];\n";
        b += "    int n = 0;\n";
        // The running label l meets the neighbour's label m (if `has`, when it exists), at `in`.
        const auto meet = [](const std::string& has, const std::string& m, const std::string& in) {
            return in + "if (" + (has.empty() ? "" : has + " && ") + m + ") {\n" + in + "    const int m = " + m +
                   ";\n" + in + "    if (l == 0) l = m;\n" + in + "    else if (m != l) MERGE(l, m);\n" + in + "}\n";
        };
        if (!runs) {
            b += "    for (int i = 0; i < H; ++i)\n        for (int j = 0; j < W; ++j) {\n"
                 "            const int p = i * W + j;\n"
                 "            if (!(X[p] > THR)) {\n                L[p] = 0;\n                continue;\n            "
                 "}\n";
            if (!tree)
                b += "            int l = 0;\n            if (i > 0) {\n" +
                     meet("j > 0", "L[p - W - 1]", "                ") + meet("", "L[p - W]", "                ") +
                     meet("j < W - 1", "L[p - W + 1]", "                ") + "            }\n" +
                     meet("j > 0", "L[p - 1]", "            ") +
                     "            if (l == 0) NEW(l);\n            L[p] = l;\n        }\n";
            else
                b += "            const int up = i > 0 ? L[p - W] : 0;\n            int l;\n"
                     "            if (up) l = up;\n            else {\n"
                     "                const int c = i > 0 && j < W - 1 ? L[p - W + 1] : 0;\n"
                     "                const int a = i > 0 && j > 0 ? L[p - W - 1] : 0;\n"
                     "                const int d = j > 0 ? L[p - 1] : 0;\n"
                     "                if (c) {\n                    l = c;\n                    if (a) MERGE(c, a);\n"
                     "                    else if (d) MERGE(c, d);\n                } else if (a) l = a;\n"
                     "                else if (d) l = d;\n                else NEW(l);\n            }\n"
                     "            L[p] = l;\n        }\n";
        } else {
            b += "    int rs[2][W / 2 + 1], re[2][W / 2 + 1], rl[2][W / 2 + 1];\n    int np = 0;\n"
                 "    for (int i = 0; i < H; ++i) {\n        const int cur = i & 1, prv = cur ^ 1;\n"
                 "        const float *restrict xr = X + i * W;\n        int *restrict lr = L + i * W;\n"
                 "        int nc = 0, q = 0, j = 0;\n        while (j < W) {\n"
                 "            if (!(xr[j] > THR)) {\n                lr[j] = 0;\n                ++j;\n"
                 "                continue;\n            }\n            const int s = j;\n"
                 "            while (j < W && xr[j] > THR) ++j;\n"
                 "            // The previous row's runs [ps, pe) touching [s, j): ps <= j and pe >= s.\n"
                 "            while (q < np && re[prv][q] < s) ++q;\n            int l = 0;\n"
                 "            for (int t = q; t < np && rs[prv][t] <= j; ++t) {\n"
                 "                const int m = rl[prv][t];\n                if (l == 0) l = m;\n"
                 "                else if (m != l) MERGE(l, m);\n            }\n            if (l == 0) NEW(l);\n"
                 "            rs[cur][nc] = s;\n            re[cur][nc] = j;\n            rl[cur][nc] = l;\n"
                 "            ++nc;\n            for (int t = s; t < j; ++t) lr[t] = l;\n        }\n        np = nc;\n"
                 "    }\n";
        }
        b += "    int T[MAXL];\n    for (int l = 0; l <= n; ++l) T[l] = 0;\n    int cnt = 0;\n";
        if (!flat)
            b += "    for (int p = 0; p < H * W; ++p) {\n        const int l = L[p];\n        if (l) {\n"
                 "            const int r = find(P, l);\n            if (!T[r]) T[r] = ++cnt;\n"
                 "            L[p] = T[r];\n        }\n    }\n";
        else
            b += "    for (int l = 1; l <= n; ++l) {\n        const int r = find(P, l);\n"
                 "        if (!T[r]) T[r] = ++cnt;\n        T[l] = T[r];\n    }\n"
                 "    for (int p = 0; p < H * W; ++p) L[p] = T[L[p]];\n";
        return kernel(dim_defines(w, {{"MAXL", maxl}}) + "#define THR 0.1f\n" + f,
                      "const float *restrict X, int *restrict L", b);
    });
}

/// One step of a GRU cell for a batch (PyTorch's nn.GRUCell; speech and sequence models' decoders):
/// x (B x I) and h (B x H) in, the weights W_ih (3H x I) and W_hh (3H x H) in PyTorch's layout and
/// gate order (r, z, n), their biases (3H each); gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh, r =
/// sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h,
/// out B x H. Sigmoid and tanh as the LSTM cell's (exp(-|v|) from a fixed polynomial, branch-free).
/// Knobs: the GEMMs' form (a dot product per output down a weight row, one sum's chain of
/// dependent additions; four batch rows' dot products at once sharing each weight load, four
/// chains; or a tile of the weight rows packed transposed into a scratch, k-major, then each batch
/// row's outputs accumulated along it, a loop that vectorises); the epilogue (the gate sums of
/// the whole batch into two B x 3H scratches, then a separate pointwise pass, as PyTorch runs
/// two GEMMs and a fused elementwise kernel; or each row's or four rows' activations right after
/// its sums over the tile, a scratch in L1); the tile of hidden columns (all H, or 32: the
/// three gates' 96 weight rows of a tile reused by every batch row); unrolling of the GEMM's inner
/// loop; vectorisation. Every sum starts at 0, adds its k terms in order, then its bias:
/// bit-identical.
std::vector<Variant> gru_cell(const Workload& w) {
    const int H = w.dim("H");
    if (w.dim("B") % 4 != 0) fail(ErrorKind::invalid_argument, "workload '{}': B a multiple of 4", w.name);
    const std::vector<Knob> knobs{{"gemm", "g", {0, 1, 2}},
                                  {"epilogue", "e", {0, 1}},
                                  {"tj", "tj", tiles_of(H, {32})},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int gemm = k.at("gemm"), tj = k.at("tj");
        const bool fused = k.at("epilogue") == 1;
        const int rb = gemm == 1 ? 4 : 1;
        // The gate sums with their biases: the whole batch's, or the tile's rows b0 .. b0 + RB.
        std::string d = dim_defines(w, {{"TJ", tj}, {"RB", rb}}) + sigmoid_tanh_functions;
        d += fused ? "#define GX(b, g, j) gx[((b) - b0) * 3 * TJ + (g) * TJ + (j) - j0]\n"
                     "#define GH(b, g, j) gh[((b) - b0) * 3 * TJ + (g) * TJ + (j) - j0]\n"
                   : "#define GX(b, g, j) gx[(b) * 3 * H + (g) * H + (j)]\n"
                     "#define GH(b, g, j) gh[(b) * 3 * H + (g) * H + (j)]\n";
        const std::string epilogue =
            "const float r = sigm(GX(b, 0, j) + GH(b, 0, j));\n{0}const float z = sigm(GX(b, 1, j) + GH(b, 1, j));\n"
            "{0}const float nn = tanh_(GX(b, 2, j) + r * GH(b, 2, j));\n"
            "{0}out[b * H + j] = (1.0f - z) * nn + z * h[b * H + j];\n";
        const std::string u = unroll_pragma(k.at("unroll"), "                    ");
        std::string b =
            fused ? "    float gx[RB * 3 * TJ], gh[RB * 3 * TJ];\n" : "    float gx[B * 3 * H], gh[B * 3 * H];\n";
        if (gemm == 2) b += "    float pi[I * 3 * TJ], ph[H * 3 * TJ];\n";
        b += tj == H ? "    const int j0 = 0;\n    {\n" : "    for (int j0 = 0; j0 < H; j0 += TJ) {\n";
        if (gemm == 2)
            b += "        for (int g = 0; g < 3; ++g)\n            for (int j = 0; j < TJ; ++j) {\n"
                 "                const float *restrict wi = Wi + (g * H + j0 + j) * I, *restrict wh = Wh + (g * H + "
                 "j0 + j) * H;\n"
                 "                for (int kk = 0; kk < I; ++kk) pi[kk * 3 * TJ + g * TJ + j] = wi[kk];\n"
                 "                for (int kk = 0; kk < H; ++kk) ph[kk * 3 * TJ + g * TJ + j] = wh[kk];\n"
                 "            }\n";
        b += "        for (int b0 = 0; b0 < B; b0 += RB) {\n";
        if (gemm == 0)
            b += "            const int b = b0;\n            for (int g = 0; g < 3; ++g)\n"
                 "                for (int j = j0; j < j0 + TJ; ++j) {\n"
                 "                    const float *restrict wi = Wi + (g * H + j) * I, *restrict wh = Wh + (g * H + j) "
                 "* H;\n                    float s = 0.0f;\n" +
                 u +
                 "                    for (int kk = 0; kk < I; ++kk) s += x[b * I + kk] * wi[kk];\n"
                 "                    GX(b, g, j) = s + bi[g * H + j];\n                    float t = 0.0f;\n" +
                 u +
                 "                    for (int kk = 0; kk < H; ++kk) t += h[b * H + kk] * wh[kk];\n"
                 "                    GH(b, g, j) = t + bh[g * H + j];\n                }\n";
        else if (gemm == 1) {
            b += "            for (int g = 0; g < 3; ++g)\n                for (int j = j0; j < j0 + TJ; ++j) {\n"
                 "                    const float *restrict wi = Wi + (g * H + j) * I, *restrict wh = Wh + (g * H + j) "
                 "* H;\n";
            for (const auto& [v, kn, wv, bias, out] :
                 {std::tuple{"x", "I", "wi", "bi", "GX"}, std::tuple{"h", "H", "wh", "bh", "GH"}}) {
                b += fmt::format(
                    "                    {{\n                        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, "
                    "s3 = 0.0f;\n{0}                        for (int kk = 0; kk < {1}; ++kk) {{\n"
                    "                            const float wv = {2}[kk];\n",
                    unroll_pragma(k.at("unroll"), "                        "), kn, wv);
                for (int r = 0; r < 4; ++r)
                    b +=
                        fmt::format("                            s{0} += {1}[(b0 + {0}) * {2} + kk] * wv;\n", r, v, kn);
                b += "                        }\n";
                for (int r = 0; r < 4; ++r)
                    b += fmt::format("                        {}(b0 + {}, g, j) = s{} + {}[g * H + j];\n", out, r, r,
                                     bias);
                b += "                    }\n";
            }
            b += "                }\n";
        } else {
            b += "            const int b = b0;\n            float acc[3 * TJ];\n";
            for (const auto& [v, kn, pk, bias, out] :
                 {std::tuple{"x", "I", "pi", "bi", "GX"}, std::tuple{"h", "H", "ph", "bh", "GH"}}) {
                b += fmt::format(
                    "            for (int c = 0; c < 3 * TJ; ++c) acc[c] = 0.0f;\n"
                    "            for (int kk = 0; kk < {1}; ++kk) {{\n"
                    "                const float v = {0}[b * {1} + kk];\n"
                    "                const float *restrict pr = {2} + kk * 3 * TJ;\n{3}"
                    "                for (int c = 0; c < 3 * TJ; ++c) acc[c] += v * pr[c];\n"
                    "            }}\n"
                    "            for (int g = 0; g < 3; ++g)\n"
                    "                for (int j = j0; j < j0 + TJ; ++j) {4}(b, g, j) = acc[g * TJ + j - j0] + "
                    "{5}[g * H + j];\n",
                    v, kn, pk, unroll_pragma(k.at("unroll"), "                "), out, bias);
            }
        }
        if (fused)
            b +=
                "            for (int b = b0; b < b0 + RB; ++b)\n                for (int j = j0; j < j0 + TJ; ++j) {\n"
                "                    " +
                fmt::format(fmt::runtime(epilogue), "                    ") + "                }\n";
        b += "        }\n    }\n";
        if (!fused)
            b += "    for (int b = 0; b < B; ++b)\n        for (int j = 0; j < H; ++j) {\n            " +
                 fmt::format(fmt::runtime(epilogue), "            ") + "        }\n";
        return kernel(d,
                      "const float *restrict x, const float *restrict h, const float *restrict Wi, const float "
                      "*restrict Wh, const float *restrict bi, const float *restrict bh, float *restrict out",
                      b);
    });
}

/// MinHash signatures of documents' token sets (near-duplicate detection of training corpora:
/// datatrove's and text-dedup's MinHash LSH, the Broder sketch): D documents of L token ids each,
/// the id of token p made from the input as (T[p] + 100) << 8 | (p * 0x9E3779B1) >> 24 (a 51456-id
/// vocabulary), K hash functions h_k(x) = mix(a_k x + b_k), a_k odd, 32-bit wrapping unsigned
/// arithmetic, mix a shift, xor, multiply, shift and xor; the signature S[d][k] is the minimum of
/// h_k over document d's tokens (u32 in the i32 buffer). Knobs: the loop order (tokens outer, each
/// token updating the document's K minima in the signature row, hashes innermost; hashes outer,
/// one minimum reduced over the document's tokens at a time; or hashes in blocks of KB held in
/// registers, the tokens streamed once per block, a chain of packed multiply, xor, shift and
/// unsigned min per block); the block of hashes (4, 8 or 16, the blocked order only); the token
/// ids (derived from the input at each use, or the document's L ids derived once into a scratch
/// first; the token-outer order derives each id once either way); unrolling of the innermost
/// loop (the blocked order's token loop, its block's hashes unrolled whole by GCC);
/// vectorisation. Integers, and a minimum is order-free: bit-identical.
std::vector<Variant> minhash_signature(const Workload& w) {
    if (w.dim("K") % 16 != 0) fail(ErrorKind::invalid_argument, "workload '{}': K a multiple of 16", w.name);
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"block", "kb", {4, 8, 16}},
                                  {"tokens", "t", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int order = k.at("order"), kb = k.at("block");
        const bool scratch = k.at("tokens") == 1;
        if (order != 2 && kb != 4) return std::nullopt; // only the blocked order has blocks
        if (order == 0 && scratch) return std::nullopt; // tokens outer derive each id once anyway
        const std::string u = unroll_pragma(k.at("unroll"), "            ");
        const std::string tok = scratch ? "tk[i]" : "TOK(d * L + i)";
        std::string b = "    unsigned A[K], Bk[K];\n"
                        "    for (int k = 0; k < K; ++k) {\n"
                        "        A[k] = (unsigned)(k + 1) * 0x9E3779B1u | 1u;\n"
                        "        Bk[k] = (unsigned)(k + 1) * 0x85EBCA77u + 0x165667B1u;\n    }\n";
        if (scratch) b += "    unsigned tk[L];\n";
        b += "    for (int d = 0; d < D; ++d) {\n        unsigned *restrict s = S + d * K;\n";
        if (scratch) b += "        for (int i = 0; i < L; ++i) tk[i] = TOK(d * L + i);\n";
        if (order == 0)
            b += "        for (int k = 0; k < K; ++k) s[k] = 0xFFFFFFFFu;\n"
                 "        for (int i = 0; i < L; ++i) {\n            const unsigned x = TOK(d * L + i);\n" +
                 u +
                 "            for (int k = 0; k < K; ++k) {\n"
                 "                const unsigned h = MH(A[k], Bk[k], x);\n"
                 "                s[k] = h < s[k] ? h : s[k];\n            }\n        }\n";
        else if (order == 1)
            b += "        for (int k = 0; k < K; ++k) {\n            const unsigned a = A[k], c = Bk[k];\n"
                 "            unsigned m = 0xFFFFFFFFu;\n" +
                 u + "            for (int i = 0; i < L; ++i) {\n                const unsigned h = MH(a, c, " + tok +
                 ");\n                m = h < m ? h : m;\n            }\n            s[k] = m;\n        }\n";
        else
            b += "        for (int k0 = 0; k0 < K; k0 += KB) {\n            unsigned m[KB];\n"
                 "            for (int j = 0; j < KB; ++j) m[j] = 0xFFFFFFFFu;\n" +
                 u + "            for (int i = 0; i < L; ++i) {\n                const unsigned x = " + tok +
                 ";\n                for (int j = 0; j < KB; ++j) {\n"
                 "                    const unsigned h = MH(A[k0 + j], Bk[k0 + j], x);\n"
                 "                    m[j] = h < m[j] ? h : m[j];\n                }\n            }\n"
                 "            for (int j = 0; j < KB; ++j) s[k0 + j] = m[j];\n        }\n";
        b += "    }\n";
        const std::string d = dim_defines(w, {{"KB", kb}}) +
                              "#define TOK(p) ((unsigned)(T[p] + 100) << 8 | (unsigned)(p) * 0x9E3779B1u >> 24)\n"
                              "static inline unsigned MH(unsigned a, unsigned b, unsigned x) {\n"
                              "    unsigned h = a * x + b;\n    h ^= h >> 15;\n    h *= 0x2C1B3C6Du;\n"
                              "    h ^= h >> 13;\n    return h;\n}\n";
        return kernel(d, "const int *restrict T, unsigned *restrict S", b);
    });
}

/// Local response normalisation across channels (AlexNet's LRN, torch.nn.LocalResponseNorm,
/// ONNX LRN, Caffe's LRNLayer ACROSS_CHANNELS) of an NCHW tensor (one image, C x H x W): y = x /
/// (k + alpha / n sum_{c'} x_{c'}^2)^0.75 over the window c' in [c - 2, c + 2] clipped to the
/// channels (n = 5, k = 2, alpha = 1e-4, as AlexNet), the power as q sqrt(q), q = sqrt(t). Every
/// window sum adds its squares in ascending channel order from the first: a zero square added in
/// front of or after it changes nothing, a running sum across channels would, and is not offered.
/// Knobs: the traversal (channels outer and pixels inner, the output's memory order, each window
/// five whole planes streamed, contiguous and vectorisable; pixels outer and channels inner, a
/// per-pixel formulation, every window's squares whole planes apart in memory; or tiles of four
/// image rows, channels then the tile's pixels, the tile's column of C x 4W values kept in L1);
/// the squares (recomputed from x for every window term, the window's bounds clipped per channel;
/// or squared once into a scratch padded by two zero planes at each end, every window five terms
/// with no bounds, as Caffe's padded_square); the power (fused, each output divided at once; or a
/// pass storing every denominator into a scratch, then a pass dividing, as Caffe's scale_ blob);
/// unrolling of the innermost loop; vectorisation. Identical sums and expressions everywhere:
/// bit-identical.
std::vector<Variant> lrn_cross_channel(const Workload& w) {
    const int C = w.dim("C"), P = w.dim("H") * w.dim("W"), TP = 4 * w.dim("W");
    if (w.dim("H") % 4 != 0 || C < 5)
        fail(ErrorKind::invalid_argument, "workload '{}': H a multiple of 4 and C at least 5", w.name);
    const std::vector<Knob> knobs{{"order", "o", {0, 1, 2}},
                                  {"squares", "s", {0, 1}},
                                  {"power", "p", {0, 1}},
                                  {"unroll", "u", {1, 4}},
                                  vec_knob()};
    return product_variants(
        w, knobs,
        [&](const Knobs& k) -> std::optional<std::string> {
            const int order = k.at("order");
            const bool padded = k.at("squares") == 1, split = k.at("power") == 1;
            // The window sum s of channel c at pixel p, at `in`.
            const std::string sum = padded ? "{0}const float *restrict q = Q + c * P + p;\n"
                                             "{0}const float s = q[0] + q[P] + q[2 * P] + q[3 * P] + q[4 * P];\n"
                                           : "{0}const int lo = c < 2 ? 0 : c - 2, hi = c + 2 < C ? c + 2 : C - 1;\n"
                                             "{0}float s = 0.0f;\n"
                                             "{0}for (int j = lo; j <= hi; ++j) s += x[j * P + p] * x[j * P + p];\n";
            const std::string stmt =
                sum + (split ? "{0}Dn[c * P + p] = DEN(s);\n" : "{0}y[c * P + p] = x[c * P + p] / DEN(s);\n");
            const auto body = [&](const std::string& in) { return fmt::format(fmt::runtime(stmt), in); };
            std::string b;
            if (padded)
                b += "    float Q[(C + 4) * P];\n"
                     "    for (int p = 0; p < 2 * P; ++p) {\n        Q[p] = 0.0f;\n        Q[(C + 2) * P + p] = "
                     "0.0f;\n    }\n"
                     "    for (int i = 0; i < C * P; ++i) Q[2 * P + i] = x[i] * x[i];\n";
            if (split) b += "    float Dn[C * P];\n";
            if (order == 2)
                b += "    for (int p0 = 0; p0 < P; p0 += TP)\n        for (int c = 0; c < C; ++c) {\n" +
                     unroll_pragma(k.at("unroll"), "            ") +
                     "            for (int p = p0; p < p0 + TP; ++p) {\n" + body("                ") +
                     "            }\n        }\n";
            else
                b += std::string(order == 0 ? "    for (int c = 0; c < C; ++c) {\n"
                                            : "    for (int p = 0; p < P; ++p) {\n") +
                     unroll_pragma(k.at("unroll"), "        ") +
                     (order == 0 ? "        for (int p = 0; p < P; ++p) {\n"
                                 : "        for (int c = 0; c < C; ++c) {\n") +
                     body("            ") + "        }\n    }\n";
            if (split) b += "    for (int i = 0; i < C * P; ++i) y[i] = x[i] / Dn[i];\n";
            const std::string d = dim_defines(w, {{"P", P}, {"TP", TP}}) +
                                  "#define LK 2.0f\n#define ALPHA_N (1e-4f / 5.0f)\n"
                                  "static inline float DEN(float s) {\n    const float t = LK + ALPHA_N * s;\n"
                                  "    const float q = __builtin_sqrtf(t);\n    return q * __builtin_sqrtf(q);\n}\n";
            return kernel(d, "const float *restrict x, float *restrict y", b);
        },
        {"-fno-math-errno"}); // sqrtf as one instruction, with no errno path calling libm
}

/// 8-bit RGB to HSV (OpenCV's cvtColor COLOR_RGB2HSV on CV_8U; image augmentation's hue and
/// saturation jitter, colour segmentation): interleaved RGB in, interleaved HSV out, H x W
/// pixels, OpenCV's fixed point: V = max, diff = V - min, S = (diff sdiv[V] + 2048) >> 12, H from
/// g - b, b - r + 2 diff or r - g + 4 diff as V is r, g or b (in that priority), times hdiv[diff],
/// rounded by >> 12, plus 180 when negative (H in [0, 180)); sdiv[v] = (255 << 12) / v and
/// hdiv[v] = (180 << 12) / (6 v) rounded half up, 0 at 0. Knobs: the selection (branches: an if
/// chain for the maximum, minimum and hue's case, unpredictable on noisy pixels; conditional
/// expressions, cmov or blend; or OpenCV's branch-free and-masks of -(v == r), -(v == g)); the
/// divisions (two integer divisions per pixel, the tables' entries computed where needed; or the
/// two 256-entry tables built first, looked up per pixel); the layout (per pixel from the
/// interleaved bytes; or per row deinterleaved into three planes, converted plane to plane, and
/// interleaved back); unrolling of the pixel loop; vectorisation. Integers: bit-identical.
std::vector<Variant> rgb_to_hsv_u8(const Workload& w) {
    const std::vector<Knob> knobs{
        {"select", "s", {0, 1, 2}}, {"div", "d", {0, 1}}, {"layout", "l", {0, 1}}, {"unroll", "u", {1, 4}}, vec_knob()};
    return product_variants(w, knobs, [&](const Knobs& k) -> std::optional<std::string> {
        const int sel = k.at("select");
        const bool table = k.at("div") == 1, planar = k.at("layout") == 1;
        // One pixel from r, g, b (ints) into hh, ss, vv, at `in`.
        const std::string in = "            ";
        std::string px;
        if (sel == 0)
            px = "int v, mn, hn;\n"
                 "{0}if (r >= g) {{\n{0}    v = r >= b ? r : b;\n{0}    mn = g <= b ? g : b;\n{0}}} else {{\n"
                 "{0}    v = g >= b ? g : b;\n{0}    mn = r <= b ? r : b;\n{0}}}\n"
                 "{0}const int diff = v - mn;\n"
                 "{0}if (v == r) hn = g - b;\n{0}else if (v == g) hn = b - r + 2 * diff;\n"
                 "{0}else hn = r - g + 4 * diff;\n";
        else if (sel == 1)
            px = "const int mx = r > g ? r : g, mm = r < g ? r : g;\n"
                 "{0}const int v = mx > b ? mx : b, mn = mm < b ? mm : b;\n"
                 "{0}const int diff = v - mn;\n"
                 "{0}const int hn = v == r ? g - b : v == g ? b - r + 2 * diff : r - g + 4 * diff;\n";
        else
            px = "int v = r, mn = r;\n"
                 "{0}v += (g - v) & -(g > v);\n{0}v += (b - v) & -(b > v);\n"
                 "{0}mn += (g - mn) & -(g < mn);\n{0}mn += (b - mn) & -(b < mn);\n"
                 "{0}const int diff = v - mn;\n"
                 "{0}const int vr = -(v == r), vg = -(v == g);\n"
                 "{0}const int hn = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * "
                 "diff))));\n";
        px += table ? "{0}const int ss = (diff * sdiv[v] + 2048) >> 12;\n{0}int hh = (hn * hdiv[diff] + 2048) >> 12;\n"
                    : "{0}const int ss = (diff * SDIV(v) + 2048) >> 12;\n{0}int hh = (hn * HDIV(diff) + 2048) >> 12;\n";
        px += sel == 0   ? "{0}if (hh < 0) hh += 180;\n"
              : sel == 1 ? "{0}hh = hh < 0 ? hh + 180 : hh;\n"
                         : "{0}hh += 180 & (hh >> 31);\n";
        const auto pixel = [&](const std::string& i) { return i + fmt::format(fmt::runtime(px), i); };
        const std::string u = unroll_pragma(k.at("unroll"), "        ");
        std::string b;
        if (table)
            b += "    int sdiv[256], hdiv[256];\n"
                 "    for (int i = 0; i < 256; ++i) {\n        sdiv[i] = SDIV(i);\n        hdiv[i] = HDIV(i);\n    }\n";
        if (!planar)
            b += "    for (int i = 0; i < H; ++i) {\n        const unsigned char *restrict src = X + i * W * 3;\n"
                 "        unsigned char *restrict dst = Y + i * W * 3;\n" +
                 u +
                 "        for (int j = 0; j < W; ++j) {\n"
                 "            const int r = src[3 * j], g = src[3 * j + 1], b = src[3 * j + 2];\n" +
                 pixel(in) +
                 "            dst[3 * j] = (unsigned char)hh;\n            dst[3 * j + 1] = (unsigned char)ss;\n"
                 "            dst[3 * j + 2] = (unsigned char)v;\n        }\n    }\n";
        else
            b += "    unsigned char pr[W], pg[W], pb[W], ph[W], ps[W], pv[W];\n"
                 "    for (int i = 0; i < H; ++i) {\n        const unsigned char *restrict src = X + i * W * 3;\n"
                 "        unsigned char *restrict dst = Y + i * W * 3;\n"
                 "        for (int j = 0; j < W; ++j) {\n            pr[j] = src[3 * j];\n"
                 "            pg[j] = src[3 * j + 1];\n            pb[j] = src[3 * j + 2];\n        }\n" +
                 u +
                 "        for (int j = 0; j < W; ++j) {\n"
                 "            const int r = pr[j], g = pg[j], b = pb[j];\n" +
                 pixel(in) +
                 "            ph[j] = (unsigned char)hh;\n            ps[j] = (unsigned char)ss;\n"
                 "            pv[j] = (unsigned char)v;\n        }\n"
                 "        for (int j = 0; j < W; ++j) {\n            dst[3 * j] = ph[j];\n"
                 "            dst[3 * j + 1] = ps[j];\n            dst[3 * j + 2] = pv[j];\n        }\n    }\n";
        const std::string d = dim_defines(w) + "#define SDIV(v) ((v) ? ((255 << 12) + (v) / 2) / (v) : 0)\n"
                                               "#define HDIV(v) ((v) ? ((180 << 12) / 6 + (v) / 2) / (v) : 0)\n";
        return kernel(d, "const unsigned char *restrict X, unsigned char *restrict Y", b);
    });
}

} // namespace

std::vector<Workload> family_workloads() {
    return {
        {"bmm-4x64x64x64", OpKind::batch_matmul, {{"NB", 4}, {"M", 64}, {"N", 64}, {"K", 64}}, "batch_matmul"},
        // The original GEMM generator at an M of 8 (a decoder's few tokens times a weight matrix):
        // B is streamed once and dominates traffic, A stays in L1; tiles of i are nearly no choice.
        {"gemm-8x256x256", OpKind::gemm, {{"M", 8}, {"N", 256}, {"K", 256}}, "gemm_skinny"},
        {"gemv-t-512x512", OpKind::gemv_transposed, {{"K", 512}, {"N", 512}}, "gemv_transposed"},
        {"conv2d-s2-nhwc-16x16x16x16-3x3",
         OpKind::conv2d_strided_nhwc,
         {{"H", 33}, {"W", 33}, {"C", 16}, {"K", 16}, {"R", 3}, {"S", 3}, {"stride", 2}},
         "conv2d_strided"},
        {"conv2d-d2-nhwc-16x16x16x16-3x3",
         OpKind::conv2d_dilated_nhwc,
         {{"H", 20}, {"W", 20}, {"C", 16}, {"K", 16}, {"R", 3}, {"S", 3}, {"dilation", 2}},
         "conv2d_dilated"},
        {"gconv2d-nhwc-16x16x32x32-g4-3x3",
         OpKind::grouped_conv2d_nhwc,
         {{"H", 18}, {"W", 18}, {"C", 32}, {"K", 32}, {"G", 4}, {"R", 3}, {"S", 3}},
         "grouped_conv2d"},
        {"conv1x1-nhwc-16x16x64x64",
         OpKind::pointwise_conv2d_nhwc,
         {{"H", 16}, {"W", 16}, {"C", 64}, {"K", 64}},
         "pointwise_conv2d"},
        // In has rows of 512 floats, Out of 256: the strided side walks with a power-of-two stride.
        {"transpose-256x512", OpKind::transpose2d, {{"M", 256}, {"N", 512}}, "transpose"},
        {"im2col-nhwc-16x16x64-3x3",
         OpKind::im2col_nhwc,
         {{"H", 18}, {"W", 18}, {"C", 64}, {"R", 3}, {"S", 3}},
         "im2col"},
        {"eltwise-256x512", OpKind::elementwise_chain, {{"R", 256}, {"C", 512}}, "elementwise"},
        {"reduce-rows-512x512", OpKind::reduce_rows, {{"M", 512}, {"N", 512}}, "reduce_inner"},
        {"reduce-cols-512x512", OpKind::reduce_cols, {{"M", 512}, {"N", 512}}, "reduce_outer"},
        {"softmax-128x512", OpKind::softmax_rows, {{"R", 128}, {"C", 512}}, "softmax"},
        {"layernorm-128x768", OpKind::layernorm_rows, {{"R", 128}, {"C", 768}}, "layernorm"},
        {"batchnorm-nhwc-32x32x128", OpKind::batchnorm_nhwc, {{"H", 32}, {"W", 32}, {"C", 128}}, "batchnorm"},
        {"gather-1024x128-from-4096", OpKind::embedding_gather, {{"V", 4096}, {"T", 1024}, {"D", 128}}, "gather"},
        {"maxpool-nhwc-16x16x64-3x3s2",
         OpKind::maxpool_nhwc,
         {{"H", 33}, {"W", 33}, {"C", 64}, {"R", 3}, {"S", 3}, {"stride", 2}},
         "pool"},
        {"avgpool-nhwc-16x16x64-3x3s2",
         OpKind::avgpool_nhwc,
         {{"H", 33}, {"W", 33}, {"C", 64}, {"R", 3}, {"S", 3}, {"stride", 2}},
         "pool"},
        {"qgemm-i8-64x64x128", OpKind::qgemm_i8, {{"M", 64}, {"N", 64}, {"K", 128}}, "qgemm"},
        {"dgemm-f64-64x64x64", OpKind::dgemm, {{"M", 64}, {"N", 64}, {"K", 64}}, "dgemm"},
        {"cumsum-256x512", OpKind::prefix_sum_rows, {{"R", 256}, {"C", 512}}, "scan"},
        {"stencil5-258x258", OpKind::stencil5, {{"H", 258}, {"W", 258}}, "stencil"},
        {"spmv-ell-8192x16-of-16384", OpKind::spmv_ell, {{"M", 8192}, {"E", 16}, {"N", 16384}}, "spmv"},
        {"nchw2nhwc-64x48x48", OpKind::nchw_to_nhwc, {{"C", 64}, {"H", 48}, {"W", 48}}, "layout"},
        {"upsample2x-nhwc-32x32x32", OpKind::upsample_bilinear_nhwc, {{"H", 32}, {"W", 32}, {"C", 32}}, "resize"},
        {"argmax-256x512", OpKind::argmax_rows, {{"R", 256}, {"C", 512}}, "argmax"},
        {"histogram-131072-to-256", OpKind::histogram, {{"T", 131072}, {"B", 256}}, "histogram"},
        {"attention-64x64", OpKind::attention, {{"L", 64}, {"D", 64}}, "attention"},
        {"gemm-gelu-128x128x32", OpKind::gemm_gelu, {{"M", 128}, {"N", 128}, {"K", 32}}, "gemm_epilogue"},
        {"compact-131072", OpKind::compact_positive, {{"N", 131072}}, "compaction"},
        {"convt-nhwc-16x16x16x16-3x3s2",
         OpKind::conv_transpose2d_nhwc,
         {{"H", 16}, {"W", 16}, {"C", 16}, {"K", 16}, {"R", 3}, {"S", 3}, {"stride", 2}},
         "conv_transpose"},
        {"fft-64x256", OpKind::fft_rows, {{"B", 64}, {"N", 256}}, "fft"},
        {"quantize-i8-128x1024", OpKind::quantize_rows_i8, {{"R", 128}, {"C", 1024}}, "quantize"},
        {"trsv-512", OpKind::triangular_solve, {{"N", 512}}, "triangular_solve"},
        {"rope-256x8x64", OpKind::rope, {{"T", 256}, {"NH", 8}, {"D", 64}}, "rope"},
        {"bitonic-256x64", OpKind::bitonic_sort_rows, {{"R", 256}, {"N", 64}}, "sort"},
        {"embbag-512x64-from-4096",
         OpKind::embedding_bag,
         {{"G", 512}, {"MAXBAG", 16}, {"V", 4096}, {"D", 64}},
         "embedding_bag"},
        {"cdist-128x128x32", OpKind::pairwise_distance, {{"N", 128}, {"M", 128}, {"D", 32}}, "pairwise_distance"},
        {"conv1d-causal-2048x64-k4", OpKind::causal_conv1d, {{"L", 2048}, {"C", 64}, {"K", 4}}, "causal_conv1d"},
        {"requant-i32-512x256", OpKind::requantize_i32, {{"M", 512}, {"N", 256}}, "requantize"},
        {"q4gemv-512x1024-g32", OpKind::dequant_gemv_q4, {{"M", 512}, {"K", 1024}, {"G", 32}}, "dequant_gemv"},
        {"topk-256x1024-k8", OpKind::topk_rows, {{"R", 256}, {"C", 1024}, {"K", 8}}, "topk"},
        {"dwsep-nhwc-18x18x32-to-64",
         OpKind::depthwise_separable_nhwc,
         {{"H", 18}, {"W", 18}, {"C", 32}, {"K", 64}},
         "depthwise_separable"},
        {"scatter-add-16384x64-to-2048", OpKind::scatter_add, {{"E", 16384}, {"D", 64}, {"N", 2048}}, "scatter_add"},
        {"syrk-256x64", OpKind::syrk, {{"N", 256}, {"K", 64}}, "syrk"},
        {"adam-262144", OpKind::adam_step, {{"N", 262144}}, "adam"},
        {"bf16-gemv-1024x1024", OpKind::bf16_gemv, {{"M", 1024}, {"K", 1024}}, "bf16_gemv"},
        {"depth2space-nhwc-96x96x64-r2",
         OpKind::depth_to_space_nhwc,
         {{"H", 96}, {"W", 96}, {"C", 16}, {"R", 2}},
         "depth_to_space"},
        {"lstm-cell-64x512", OpKind::lstm_cell, {{"B", 64}, {"H", 512}}, "lstm_cell"},
        {"spmm-csr-1024x4096-e16-n64", OpKind::spmm_csr, {{"M", 1024}, {"K", 4096}, {"E", 16}, {"N", 64}}, "spmm_csr"},
        {"resize-bilinear-nhwc-48x48x32-to-80x80",
         OpKind::bilinear_resize_nhwc,
         {{"H", 48}, {"W", 48}, {"C", 32}, {"OH", 80}, {"OW", 80}},
         "bilinear_resize_nhwc"},
        {"segment-sum-16384x64-to-1024", OpKind::segment_sum, {{"E", 16384}, {"D", 64}, {"S", 1024}}, "segment_sum"},
        {"conv3d-ndhwc-9x9x9x16x16-3x3x3",
         OpKind::conv3d_ndhwc,
         {{"D", 9}, {"H", 9}, {"W", 9}, {"C", 16}, {"K", 16}},
         "conv3d_ndhwc"},
        {"complex-gemv-512x512", OpKind::complex_gemv, {{"M", 512}, {"N", 512}}, "complex_gemv"},
        {"selective-scan-256x64x16", OpKind::selective_scan, {{"T", 256}, {"D", 64}, {"N", 16}}, "selective_scan"},
        {"minplus-gemm-128x128x128", OpKind::minplus_gemm, {{"M", 128}, {"N", 128}, {"K", 128}}, "minplus_gemm"},
        {"ball-query-2048x256-k16", OpKind::ball_query, {{"P", 2048}, {"Q", 256}, {"K", 16}}, "ball_query"},
        {"cholesky-192", OpKind::cholesky, {{"N", 192}}, "cholesky"},
        {"col2im-nhwc-64x64x32-3x3",
         OpKind::col2im_nhwc,
         {{"H", 66}, {"W", 66}, {"C", 32}, {"R", 3}, {"S", 3}},
         "col2im"},
        {"mlp2-32x128x256", OpKind::mlp2, {{"M", 32}, {"D", 128}, {"F", 256}}, "mlp2"},
        {"xnor-gemm-32x256x2048", OpKind::xnor_gemm, {{"M", 32}, {"N", 256}, {"K", 2048}}, "xnor_gemm"},
        {"sobel-u8-642x642", OpKind::sobel_u8, {{"H", 642}, {"W", 642}}, "sobel_u8"},
        {"viterbi-256x64", OpKind::viterbi, {{"T", 256}, {"S", 64}}, "viterbi"},
        {"kmeans-assign-2048x16-k64", OpKind::kmeans_assign, {{"N", 2048}, {"D", 16}, {"K", 64}}, "kmeans_assign"},
        {"median-filter-3x3-256x256", OpKind::median_filter, {{"H", 256}, {"W", 256}}, "median_filter"},
        {"layernorm-backward-512x768", OpKind::layernorm_backward, {{"N", 512}, {"D", 768}}, "layernorm_backward"},
        {"stencil3d7-64x64x64-t3", OpKind::stencil3d7, {{"NZ", 64}, {"NY", 64}, {"NX", 64}, {"T", 3}}, "stencil3d7"},
        {"demosaic-bayer-rggb-384x384", OpKind::demosaic_bayer, {{"H", 384}, {"W", 384}}, "demosaic_bayer"},
        {"spmv-csr-16384x524288-e12", OpKind::spmv_csr, {{"M", 16384}, {"N", 524288}, {"E", 12}}, "spmv_csr"},
        {"grid-sample-nhwc-64x64x32",
         OpKind::grid_sample_nhwc,
         {{"H", 64}, {"W", 64}, {"C", 32}, {"HO", 64}, {"WO", 64}},
         "grid_sample_nhwc"},
        {"lu-batched-512x16", OpKind::lu_batched, {{"NB", 512}, {"N", 16}}, "lu_batched"},
        {"bilateral-filter-5x5-160x160",
         OpKind::bilateral_filter,
         {{"H", 160}, {"W", 160}, {"K", 5}},
         "bilateral_filter"},
        {"sad-block-match-8x8-r4-128x128",
         OpKind::sad_block_match,
         {{"H", 128}, {"W", 128}, {"R", 4}},
         "sad_block_match"},
        {"hash-join-probe-65536x65536", OpKind::hash_join_probe, {{"NB", 65536}, {"NP", 65536}}, "hash_join_probe"},
        {"qr-householder-batched-768x32x8",
         OpKind::qr_householder_batched,
         {{"NB", 768}, {"M", 32}, {"N", 8}},
         "qr_householder_batched"},
        {"lbp-histogram-u8-384x384-c16",
         OpKind::lbp_histogram_u8,
         {{"H", 384}, {"W", 384}, {"CS", 16}},
         "lbp_histogram_u8"},
        {"softmax-xent-backward-256x1000",
         OpKind::softmax_xent_backward,
         {{"B", 256}, {"C", 1000}},
         "softmax_xent_backward"},
        {"packed-symv-1152", OpKind::packed_symv, {{"N", 1152}}, "packed_symv"},
        {"alpha-blend-rgba-u8-640x480", OpKind::alpha_blend_rgba_u8, {{"H", 480}, {"W", 640}}, "alpha_blend_rgba_u8"},
        {"mel-filterbank-112x257-m80", OpKind::mel_filterbank, {{"F", 112}, {"NB", 257}, {"M", 80}}, "mel_filterbank"},
        {"upsample-bilinear2x-backward-nhwc-48x48x32",
         OpKind::upsample_bilinear_backward,
         {{"H", 48}, {"W", 48}, {"C", 32}},
         "upsample_bilinear_backward"},
        {"hough-lines-192x192-t180", OpKind::hough_lines, {{"H", 192}, {"W", 192}, {"T", 180}}, "hough_lines"},
        {"merge-sort-rows-16x1024", OpKind::merge_sort_rows, {{"R", 16}, {"N", 1024}}, "merge_sort_rows"},
        {"lpc-autocorr-128x512-p16", OpKind::autocorr_lpc, {{"F", 128}, {"N", 512}, {"P", 16}}, "autocorr_lpc"},
        {"deform-conv2d-nhwc-20x20x16-to-16",
         OpKind::deform_conv2d_nhwc,
         {{"H", 20}, {"W", 20}, {"C", 16}, {"K", 16}},
         "deform_conv2d_nhwc"},
        {"edge-softmax-csr-512-e32-h4",
         OpKind::edge_softmax_csr,
         {{"N", 512}, {"E", 32}, {"H", 4}},
         "edge_softmax_csr"},
        {"lucas-kanade-flow-5x5-64x80", OpKind::lucas_kanade_flow, {{"H", 64}, {"W", 80}}, "lucas_kanade_flow"},
        {"rle-encode-mask-8x160x160",
         OpKind::rle_encode_mask,
         {{"N", 8}, {"H", 160}, {"W", 160}, {"CS", 16}},
         "rle_encode_mask"},
        {"integral-image-u8-800x1200", OpKind::integral_image, {{"H", 800}, {"W", 1200}}, "integral_image"},
        {"dilate-max2d-216x216-k9", OpKind::dilate_max2d, {{"H", 216}, {"W", 216}, {"K", 9}}, "dilate_max2d"},
        {"searchsorted-49152-m16384", OpKind::searchsorted, {{"N", 49152}, {"M", 16384}}, "searchsorted"},
        {"winograd-f2x3-nhwc-26x26x32x32",
         OpKind::winograd_f2x3,
         {{"H", 26}, {"W", 26}, {"C", 32}, {"K", 32}},
         "winograd_f2x3"},
        {"groupnorm-nhwc-64x64x128-g32",
         OpKind::group_norm_nhwc,
         {{"H", 64}, {"W", 64}, {"C", 128}, {"G", 32}},
         "group_norm_nhwc"},
        {"nms-1024", OpKind::nms_boxes, {{"N", 1024}}, "nms_boxes"},
        {"tridiag-batched-1024x256", OpKind::tridiag_batched, {{"NB", 1024}, {"N", 256}}, "tridiag_batched"},
        {"edit-distance-16x192x256", OpKind::edit_distance, {{"P", 16}, {"LA", 192}, {"LB", 256}}, "edit_distance"},
        {"radix-sort-u32-65536", OpKind::radix_sort_u32, {{"N", 65536}}, "radix_sort_u32"},
        {"sddmm-csr-1536x4096-e16-k64",
         OpKind::sddmm_csr,
         {{"M", 1536}, {"N", 4096}, {"E", 16}, {"K", 64}},
         "sddmm_csr"},
        {"roi-align-nhwc-48x48x32-r40-7x7",
         OpKind::roi_align_nhwc,
         {{"H", 48}, {"W", 48}, {"C", 32}, {"R", 40}, {"P", 7}, {"S", 2}},
         "roi_align_nhwc"},
        {"dct8x8-256x512", OpKind::dct8x8, {{"H", 256}, {"W", 512}}, "dct8x8"},
        {"bsr-gemm-256x512x64-b4-d25",
         OpKind::bsr_gemm,
         {{"M", 256}, {"K", 512}, {"N", 64}, {"B", 4}, {"D", 25}},
         "bsr_gemm"},
        {"moe-expert-gemm-t384-e8-d64", OpKind::moe_expert_gemm, {{"T", 384}, {"E", 8}, {"D", 64}}, "moe_expert_gemm"},
        {"paged-attention-h8-l2048-d64-p16",
         OpKind::paged_attention,
         {{"H", 8}, {"L", 2048}, {"D", 64}, {"P", 16}},
         "paged_attention"},
        {"flash-attention-l128-d64", OpKind::flash_attention, {{"L", 128}, {"D", 64}}, "flash_attention"},
        {"batched-small-gemm-4096x8x8x8",
         OpKind::batched_small_gemm,
         {{"NB", 4096}, {"M", 8}, {"N", 8}, {"K", 8}},
         "batched_small_gemm"},
        {"gaussian-blur-sep-k7-320x320",
         OpKind::gaussian_blur_sep,
         {{"H", 320}, {"W", 320}, {"K", 7}},
         "gaussian_blur_sep"},
        {"conv2d-weight-grad-3x3-28x28x16x16",
         OpKind::conv2d_weight_grad,
         {{"N", 1}, {"H", 28}, {"W", 28}, {"C", 16}, {"K", 16}},
         "conv2d_weight_grad"},
        {"sparse24-gemm-64x256x128", OpKind::sparse24_gemm, {{"M", 64}, {"K", 256}, {"N", 128}}, "sparse24_gemm"},
        {"tensor-contraction-acb-32x32x32x64",
         OpKind::tensor_contraction,
         {{"NA", 32}, {"NC", 32}, {"NB", 32}, {"NK", 64}},
         "tensor_contraction"},
        {"fir-decimate-d4-t48-8x4096",
         OpKind::fir_decimate,
         {{"C", 8}, {"N", 4096}, {"T", 48}, {"D", 4}},
         "fir_decimate"},
        {"yuv-nv12-to-rgb-640x360", OpKind::yuv_to_rgb_u8, {{"H", 360}, {"W", 640}}, "yuv_to_rgb"},
        {"maxpool-backward-3x3s2-56x56x64",
         OpKind::maxpool_backward_nhwc,
         {{"N", 1}, {"H", 56}, {"W", 56}, {"C", 64}},
         "maxpool_backward"},
        {"varint-decode-u32-131072", OpKind::varint_decode_u32, {{"N", 131072}}, "varint_decode"},
        {"dropout-mask-scale-524288-p25", OpKind::dropout_mask_scale, {{"N", 524288}, {"P", 25}}, "dropout_mask_scale"},
        {"bicubic-resize-nhwc-40x40x16-to-100x100",
         OpKind::bicubic_resize_nhwc,
         {{"H", 40}, {"W", 40}, {"C", 16}, {"OH", 100}, {"OW", 100}},
         "bicubic_resize"},
        {"dwt-haar-2d-2x448x384-l3", OpKind::dwt_haar_2d, {{"N", 2}, {"H", 448}, {"W", 384}, {"L", 3}}, "dwt_haar_2d"},
        {"csr-transpose-4096x4096-e10", OpKind::csr_transpose, {{"M", 4096}, {"N", 4096}, {"E", 10}}, "csr_transpose"},
        {"distance-transform-chamfer-320x320",
         OpKind::distance_transform,
         {{"H", 320}, {"W", 320}},
         "distance_transform"},
        {"warp-affine-u8-320x320", OpKind::warp_affine_u8, {{"H", 320}, {"W", 320}}, "warp_affine_u8"},
        {"connected-components-192x192",
         OpKind::connected_components,
         {{"H", 192}, {"W", 192}},
         "connected_components"},
        {"gru-cell-16x128x128", OpKind::gru_cell, {{"B", 16}, {"I", 128}, {"H", 128}}, "gru_cell"},
        {"minhash-sig-16x512-k64", OpKind::minhash_signature, {{"D", 16}, {"L", 512}, {"K", 64}}, "minhash_signature"},
        {"lrn-nchw-64x28x28-n5", OpKind::lrn_cross_channel, {{"C", 64}, {"H", 28}, {"W", 28}}, "lrn_cross_channel"},
        {"rgb-to-hsv-u8-192x256", OpKind::rgb_to_hsv_u8, {{"H", 192}, {"W", 256}}, "rgb_to_hsv_u8"},
    };
}

std::uint64_t family_macs(const Workload& w) {
    auto u = [&](const char* d) { return static_cast<std::uint64_t>(w.dim(d)); };
    switch (w.op) {
        case OpKind::batch_matmul: return u("NB") * u("M") * u("N") * u("K");
        case OpKind::gemv_transposed: return u("K") * u("N");
        case OpKind::conv2d_strided_nhwc:
            return conv_out(w, "H", "R", w.dim("stride"), 1) * conv_out(w, "W", "S", w.dim("stride"), 1) * u("K") *
                   u("C") * u("R") * u("S");
        case OpKind::conv2d_dilated_nhwc:
            return conv_out(w, "H", "R", 1, w.dim("dilation")) * conv_out(w, "W", "S", 1, w.dim("dilation")) * u("K") *
                   u("C") * u("R") * u("S");
        case OpKind::grouped_conv2d_nhwc:
            return conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("K") * (u("C") / u("G")) * u("R") *
                   u("S");
        case OpKind::pointwise_conv2d_nhwc: return u("H") * u("W") * u("C") * u("K");
        case OpKind::transpose2d:
        case OpKind::reduce_rows:
        case OpKind::reduce_cols: return u("M") * u("N");
        case OpKind::im2col_nhwc:
            return conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("R") * u("S") * u("C");
        case OpKind::elementwise_chain: return 4 * u("R") * u("C"); // multiply, add, relu, add
        case OpKind::softmax_rows: return 4 * u("R") * u("C");      // max, exp, sum, scale
        case OpKind::layernorm_rows: return 4 * u("R") * u("C");    // sum, squares, normalise, affine
        case OpKind::batchnorm_nhwc: return 2 * u("H") * u("W") * u("C");
        case OpKind::embedding_gather: return u("T") * u("D");
        case OpKind::maxpool_nhwc:
        case OpKind::avgpool_nhwc:
            return conv_out(w, "H", "R", w.dim("stride"), 1) * conv_out(w, "W", "S", w.dim("stride"), 1) * u("C") *
                   u("R") * u("S");
        case OpKind::qgemm_i8:
        case OpKind::dgemm: return u("M") * u("N") * u("K");
        case OpKind::prefix_sum_rows: return u("R") * u("C");
        case OpKind::stencil5: return 5 * (u("H") - 2) * (u("W") - 2);
        case OpKind::spmv_ell: return u("M") * u("E");
        case OpKind::nchw_to_nhwc: return u("C") * u("H") * u("W");
        case OpKind::upsample_bilinear_nhwc:
            return 4 * 4 * u("H") * u("W") * u("C"); // 4 taps per output, 4 outputs per input
        case OpKind::argmax_rows: return u("R") * u("C");
        case OpKind::histogram: return u("T");
        case OpKind::compact_positive: return u("N");
        case OpKind::conv_transpose2d_nhwc: return u("H") * u("W") * u("R") * u("S") * u("C") * u("K");
        case OpKind::fft_rows: // 4 multiplies per butterfly, N/2 butterflies per stage, log2 N stages
            return 4 * u("B") * (u("N") / 2) * static_cast<std::uint64_t>(log2_floor(u("N")));
        case OpKind::quantize_rows_i8: return 2 * u("R") * u("C"); // maximum, scale and round
        case OpKind::triangular_solve: return u("N") * (u("N") - 1) / 2;
        case OpKind::rope: return 2 * u("T") * u("NH") * u("D"); // 4 multiplies per pair
        case OpKind::bitonic_sort_rows: { // compare-exchanges: N/2 per step, log2 N (log2 N + 1) / 2 steps
            const auto lg = static_cast<std::uint64_t>(log2_floor(u("N")));
            return u("R") * (u("N") / 2) * lg * (lg + 1) / 2;
        }
        case OpKind::embedding_bag: return u("G") * (1 + u("MAXBAG")) / 2 * u("D"); // the mean bag's additions
        case OpKind::pairwise_distance: return u("N") * u("M") * u("D");
        case OpKind::causal_conv1d: return u("L") * u("C") * u("K");
        case OpKind::requantize_i32: return u("M") * u("N");
        case OpKind::dequant_gemv_q4: return u("M") * u("K");
        case OpKind::topk_rows: return u("R") * u("C"); // one comparison per value, at least
        case OpKind::depthwise_separable_nhwc:          // 9 taps per channel, then C x K per pixel
            return (u("H") - 2) * (u("W") - 2) * u("C") * (9 + u("K"));
        case OpKind::scatter_add: return u("E") * u("D");
        case OpKind::syrk: return u("N") * (u("N") + 1) / 2 * u("K");
        case OpKind::adam_step: return 12 * u("N"); // 3 + 4 + 5 operations for m', v', p'
        case OpKind::bf16_gemv: return u("M") * u("K");
        case OpKind::depth_to_space_nhwc: return u("H") * u("W") * u("C") * u("R") * u("R"); // elements moved
        case OpKind::lstm_cell: return 9 * u("B") * u("H"); // 5 activations, c (3 operations), h
        case OpKind::spmm_csr: return u("M") * u("E") * u("N");
        case OpKind::bilinear_resize_nhwc: return 4 * u("OH") * u("OW") * u("C"); // 4 taps per output
        case OpKind::segment_sum: return u("E") * u("D");
        case OpKind::conv3d_ndhwc: return (u("D") - 2) * (u("H") - 2) * (u("W") - 2) * u("K") * 27 * u("C");
        case OpKind::complex_gemv: return 4 * u("M") * u("N");            // real multiplies
        case OpKind::selective_scan: return 3 * u("T") * u("D") * u("N"); // decay, input, output terms
        case OpKind::minplus_gemm: return u("M") * u("N") * u("K");       // additions (and minima)
        case OpKind::ball_query: return u("P") * u("Q");                  // distance tests, at most
        case OpKind::attention: return 2 * u("L") * u("L") * u("D");      // the two products
        case OpKind::gemm_gelu: return u("M") * u("N") * u("K");
        case OpKind::cholesky: return u("N") * u("N") * u("N") / 6;
        case OpKind::col2im_nhwc: // one addition per patch element
            return conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("R") * u("S") * u("C");
        case OpKind::mlp2: return 2 * u("M") * u("D") * u("F");
        case OpKind::xnor_gemm: return u("M") * u("N") * u("K") / 32;      // one xor-popcount per word pair
        case OpKind::sobel_u8: return 2 * 6 * (u("H") - 2) * (u("W") - 2); // two 6-tap kernels
        case OpKind::viterbi: return u("T") * u("S") * u("S");             // candidate sums (and maxima)
        case OpKind::kmeans_assign: return u("N") * u("K") * u("D");       // squared differences
        case OpKind::median_filter: return 19 * u("H") * u("W");           // compare-exchanges of the median network
        case OpKind::layernorm_backward: return 10 * u("N") * u("D");      // statistics, two sums, dx, dgamma, dbeta
        case OpKind::stencil3d7: // 6 additions and 2 multiplications per interior point and step
            return 8 * u("T") * (u("NZ") - 2) * (u("NY") - 2) * (u("NX") - 2);
        case OpKind::demosaic_bayer: // the missing channels' means, 6 operations a pixel
            return 6 * u("H") * u("W");
        case OpKind::spmv_csr: return spmv_nonzeros(w); // a multiply-add per nonzero
        case OpKind::grid_sample_nhwc:                  // 4 taps per output
            return 4 * u("HO") * u("WO") * u("C");
        case OpKind::lu_batched: // the trailing updates' multiply-subtracts, about N^3 / 3 a matrix
            return u("NB") * u("N") * u("N") * u("N") / 3;
        case OpKind::bilateral_filter: // per tap: the range weight, two products and two sums
            return 5 * u("H") * u("W") * u("K") * u("K");
        case OpKind::sad_block_match: // an absolute difference per pixel and displacement
            return u("H") * u("W") * (2 * u("R") + 1) * (2 * u("R") + 1);
        case OpKind::hash_join_probe: return u("NB") + u("NP"); // a hash and a table lookup per key
        case OpKind::qr_householder_batched: // the reflectors' dot products and updates, 2 (M - k) (N - k) a column
            return u("NB") * u("N") * u("N") * (3 * u("M") - u("N")) / 3;
        case OpKind::lbp_histogram_u8: // eight comparisons and a count per pixel
            return 9 * u("H") * u("W");
        case OpKind::softmax_xent_backward: // max, exp, sum and normalise per logit
            return 4 * u("B") * u("C");
        case OpKind::packed_symv: // a multiply-add per term
            return u("N") * u("N");
        case OpKind::alpha_blend_rgba_u8: // two multiplies per channel
            return 8 * u("H") * u("W");
        case OpKind::mel_filterbank: // the power's two products, then about two filter terms, per bin
            return 4 * u("F") * u("NB");
        case OpKind::upsample_bilinear_backward: // 4 taps per dY element
            return 16 * u("H") * u("W") * u("C");
        case OpKind::hough_lines: // a vote per angle for each edge pixel, about 5 % of them
            return u("H") * u("W") * u("T") * 5 / 100;
        case OpKind::merge_sort_rows: // comparisons: at most N per merge level, log2 N levels
            return u("R") * u("N") * static_cast<std::uint64_t>(log2_floor(u("N")));
        case OpKind::autocorr_lpc: // the autocorrelation's products (N - k per lag), Levinson's P^2
            return u("F") * ((u("P") + 1) * u("N") - u("P") * (u("P") + 1) / 2 + u("P") * u("P"));
        case OpKind::deform_conv2d_nhwc: // the GEMM's products (the 4-tap samples besides)
            return u("H") * u("W") * 9 * u("C") * u("K");
        case OpKind::edge_softmax_csr: // max, exp, sum and divide per edge and head
            return 4 * u("N") * u("E") * u("H");
        case OpKind::lucas_kanade_flow: // the window's 5 x 25 products and 5 x 24 additions per pixel
            return 245 * u("H") * u("W");
        case OpKind::rle_encode_mask: // the bytes made and scanned
            return u("N") * u("H") * u("W");
        case OpKind::integral_image: return 2 * u("H") * u("W"); // a row and a column addition per pixel
        case OpKind::dilate_max2d:                               // the window's comparisons per output
            return (u("H") - u("K") + 1) * (u("W") - u("K") + 1) * u("K") * u("K");
        case OpKind::searchsorted:
            return u("N") * static_cast<std::uint64_t>(log2_floor(u("M"))); // binary-search steps
        case OpKind::winograd_f2x3: // the 16 GEMMs' multiplies over the 2x2 output tiles
            return 16 * ((u("H") - 2) / 2) * ((u("W") - 2) / 2) * u("C") * u("K");
        case OpKind::group_norm_nhwc: return 4 * u("H") * u("W") * u("C"); // sum, squares, normalise, affine
        case OpKind::nms_boxes: return u("N") * (u("N") - 1) / 2;          // box pairs, at most
        case OpKind::tridiag_batched: return 5 * u("NB") * u("N");         // 3 multiplies and 2 divisions per unknown
        case OpKind::edit_distance: return u("P") * u("LA") * u("LB");     // DP cells
        case OpKind::radix_sort_u32: return 4 * u("N");                    // key moves of a 4-pass (8-bit) radix sort
        case OpKind::sddmm_csr: return u("M") * u("E") * u("K");           // one dot product per nonzero
        case OpKind::roi_align_nhwc: // four taps per sample, S^2 samples per output
            return 4 * u("S") * u("S") * u("R") * u("P") * u("P") * u("C");
        case OpKind::dct8x8: return 16 * u("H") * u("W"); // 8 + 8 multiplies per pixel, separable
        case OpKind::bsr_gemm:                            // the nonzero blocks' share of the dense product
            return u("M") * static_cast<std::uint64_t>(bsr_blocks_per_row(w)) * u("B") * u("N");
        case OpKind::moe_expert_gemm: return u("T") * u("D") * u("D");     // one expert matvec per token
        case OpKind::paged_attention: return 2 * u("H") * u("L") * u("D"); // scores and the value sum
        case OpKind::flash_attention: return 2 * u("L") * u("L") * u("D"); // the two products
        case OpKind::batched_small_gemm: return u("NB") * u("M") * u("N") * u("K");
        case OpKind::gaussian_blur_sep: return 2 * u("K") * u("H") * u("W"); // the two passes' taps
        case OpKind::conv2d_weight_grad: return 9 * u("N") * u("H") * u("W") * u("C") * u("K");
        case OpKind::sparse24_gemm: return u("M") * u("K") / 2 * u("N"); // the kept half of A
        case OpKind::tensor_contraction: return u("NA") * u("NC") * u("NB") * u("NK");
        case OpKind::fir_decimate: return u("C") * u("N") * u("T");
        case OpKind::yuv_to_rgb_u8: return 3 * u("H") * u("W"); // the output bytes
        case OpKind::maxpool_backward_nhwc:                     // the windows' taps compared
            return 9 * u("N") * ((u("H") - 1) / 2 + 1) * ((u("W") - 1) / 2 + 1) * u("C");
        case OpKind::varint_decode_u32: return u("N");  // the values decoded
        case OpKind::dropout_mask_scale: return u("N"); // the elements
        case OpKind::bicubic_resize_nhwc:               // 16 taps and 4 row weights per output
            return 20 * u("OH") * u("OW") * u("C");
        case OpKind::dwt_haar_2d: { // 8 additions and 4 multiplies per 2 x 2 block, every level
            std::uint64_t n = 0;
            for (int l = 0; l < w.dim("L"); ++l) n += 3 * (u("H") >> l) * (u("W") >> l);
            return u("N") * n;
        }
        case OpKind::csr_transpose: // a count, a row and a value moved per nonzero, a scan step per column
            return 3 * u("M") * u("E") + u("N");
        case OpKind::distance_transform: return 8 * u("H") * u("W"); // 4 neighbours a pass, an addition and a minimum
        case OpKind::warp_affine_u8: return 8 * u("H") * u("W");     // four weights and four taps' multiply-adds
        case OpKind::connected_components: // a mask test, four neighbour reads, a find and a relabel per pixel
            return 7 * u("H") * u("W");
        case OpKind::gru_cell: // the gate GEMMs, then 3 activations and 5 operations per hidden unit
            return u("B") * 3 * u("H") * (u("I") + u("H")) + 8 * u("B") * u("H");
        case OpKind::minhash_signature: return u("D") * u("L") * u("K"); // a hash and a minimum per token and hash
        case OpKind::lrn_cross_channel: // five squares and additions, the power and a division per output
            return 12 * u("C") * u("H") * u("W");
        case OpKind::rgb_to_hsv_u8: return 12 * u("H") * u("W"); // a maximum, a minimum, two multiplies and selects
        default: break;
    }
    fail(ErrorKind::invalid_argument, "workload '{}': not a corpus operator", w.name);
}

std::vector<BufferSpec> family_buffers(const Workload& w) {
    auto u = [&](const char* d) { return static_cast<std::uint64_t>(w.dim(d)); };
    const auto in = BufferRole::input;
    const auto out = BufferRole::output;
    const auto f32 = ElemType::f32;
    switch (w.op) {
        case OpKind::batch_matmul:
            return {{"A", f32, u("NB") * u("M") * u("K"), in},
                    {"B", f32, u("NB") * u("K") * u("N"), in},
                    {"C", f32, u("NB") * u("M") * u("N"), out}};
        case OpKind::gemv_transposed:
            return {{"A", f32, u("K") * u("N"), in}, {"x", f32, u("K"), in}, {"y", f32, u("N"), out}};
        case OpKind::conv2d_strided_nhwc:
        case OpKind::conv2d_dilated_nhwc: {
            const int stride = w.dims.contains("stride") ? w.dim("stride") : 1,
                      dil = w.dims.contains("dilation") ? w.dim("dilation") : 1;
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"F", f32, u("R") * u("S") * u("C") * u("K"), in},
                    {"O", f32, conv_out(w, "H", "R", stride, dil) * conv_out(w, "W", "S", stride, dil) * u("K"), out}};
        }
        case OpKind::grouped_conv2d_nhwc:
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"F", f32, u("R") * u("S") * (u("C") / u("G")) * u("K"), in},
                    {"O", f32, conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("K"), out}};
        case OpKind::pointwise_conv2d_nhwc:
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"F", f32, u("C") * u("K"), in},
                    {"O", f32, u("H") * u("W") * u("K"), out}};
        case OpKind::transpose2d: return {{"In", f32, u("M") * u("N"), in}, {"Out", f32, u("M") * u("N"), out}};
        case OpKind::im2col_nhwc:
            return {
                {"I", f32, u("H") * u("W") * u("C"), in},
                {"O", f32, conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("R") * u("S") * u("C"), out}};
        case OpKind::elementwise_chain:
            return {{"x", f32, u("R") * u("C"), in},
                    {"g", f32, u("C"), in},
                    {"b", f32, u("C"), in},
                    {"y", f32, u("R") * u("C"), out}};
        case OpKind::reduce_rows: return {{"x", f32, u("M") * u("N"), in}, {"out", f32, u("M"), out}};
        case OpKind::reduce_cols: return {{"x", f32, u("M") * u("N"), in}, {"out", f32, u("N"), out}};
        case OpKind::softmax_rows: return {{"x", f32, u("R") * u("C"), in}, {"y", f32, u("R") * u("C"), out}};
        case OpKind::layernorm_rows:
            return {{"x", f32, u("R") * u("C"), in},
                    {"gamma", f32, u("C"), in},
                    {"beta", f32, u("C"), in},
                    {"y", f32, u("R") * u("C"), out}};
        case OpKind::batchnorm_nhwc:
            return {{"x", f32, u("H") * u("W") * u("C"), in},
                    {"gamma", f32, u("C"), in},
                    {"beta", f32, u("C"), in},
                    {"mean", f32, u("C"), in},
                    {"var", f32, u("C"), in},
                    {"y", f32, u("H") * u("W") * u("C"), out}};
        case OpKind::embedding_gather:
            return {{"table", f32, u("V") * u("D"), in},
                    {"idx", ElemType::i32, u("T"), in},
                    {"out", f32, u("T") * u("D"), out}};
        case OpKind::maxpool_nhwc:
        case OpKind::avgpool_nhwc:
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"O", f32,
                     conv_out(w, "H", "R", w.dim("stride"), 1) * conv_out(w, "W", "S", w.dim("stride"), 1) * u("C"),
                     out}};
        case OpKind::qgemm_i8:
            return {{"A", ElemType::i8, u("M") * u("K"), in},
                    {"B", ElemType::i8, u("K") * u("N"), in},
                    {"C", ElemType::i32, u("M") * u("N"), out}};
        case OpKind::dgemm:
            return {{"A", ElemType::f64, u("M") * u("K"), in},
                    {"B", ElemType::f64, u("K") * u("N"), in},
                    {"C", ElemType::f64, u("M") * u("N"), out}};
        case OpKind::prefix_sum_rows: return {{"x", f32, u("R") * u("C"), in}, {"y", f32, u("R") * u("C"), out}};
        case OpKind::stencil5: return {{"I", f32, u("H") * u("W"), in}, {"O", f32, (u("H") - 2) * (u("W") - 2), out}};
        case OpKind::spmv_ell:
            return {{"v", f32, u("M") * u("E"), in},
                    {"idx", ElemType::i32, u("M") * u("E"), in},
                    {"x", f32, u("N"), in},
                    {"y", f32, u("M"), out}};
        case OpKind::nchw_to_nhwc:
            return {{"I", f32, u("C") * u("H") * u("W"), in}, {"O", f32, u("C") * u("H") * u("W"), out}};
        case OpKind::upsample_bilinear_nhwc:
            return {{"I", f32, u("H") * u("W") * u("C"), in}, {"O", f32, 4 * u("H") * u("W") * u("C"), out}};
        case OpKind::argmax_rows: return {{"x", f32, u("R") * u("C"), in}, {"out", ElemType::i32, u("R"), out}};
        case OpKind::compact_positive:
            // y last: the corpus checks compare the last buffer (y's zero tail also fixes the count).
            return {{"x", f32, u("N"), in}, {"count", ElemType::i32, 1, out}, {"y", f32, u("N"), out}};
        case OpKind::conv_transpose2d_nhwc: {
            const auto stride = static_cast<std::uint64_t>(w.dim("stride"));
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"F", f32, u("R") * u("S") * u("C") * u("K"), in},
                    {"O", f32, ((u("H") - 1) * stride + u("R")) * ((u("W") - 1) * stride + u("S")) * u("K"), out}};
        }
        case OpKind::fft_rows:
            return {{"x", f32, 2 * u("B") * u("N"), in}, {"tw", f32, u("N"), in}, {"y", f32, 2 * u("B") * u("N"), out}};
        case OpKind::quantize_rows_i8:
            // q last: the corpus checks compare the last buffer (its values follow from the scales).
            return {{"x", f32, u("R") * u("C"), in},
                    {"scale", f32, u("R"), out},
                    {"q", ElemType::i8, u("R") * u("C"), out}};
        case OpKind::triangular_solve:
            return {{"L", f32, u("N") * u("N"), in}, {"b", f32, u("N"), in}, {"x", f32, u("N"), out}};
        case OpKind::rope:
            return {{"x", f32, u("T") * u("NH") * u("D"), in},
                    {"cs", f32, u("T") * u("D") / 2, in},
                    {"sn", f32, u("T") * u("D") / 2, in},
                    {"y", f32, u("T") * u("NH") * u("D"), out}};
        case OpKind::bitonic_sort_rows: return {{"x", f32, u("R") * u("N"), in}, {"y", f32, u("R") * u("N"), out}};
        case OpKind::embedding_bag:
            return {{"table", f32, u("V") * u("D"), in},
                    {"idx", ElemType::i32, u("G") * u("MAXBAG"), in},
                    {"len", ElemType::i32, u("G"), in},
                    {"out", f32, u("G") * u("D"), out}};
        case OpKind::pairwise_distance:
            return {{"X", f32, u("N") * u("D"), in}, {"Y", f32, u("M") * u("D"), in}, {"O", f32, u("N") * u("M"), out}};
        case OpKind::causal_conv1d:
            return {{"x", f32, u("L") * u("C"), in}, {"w", f32, u("K") * u("C"), in}, {"y", f32, u("L") * u("C"), out}};
        case OpKind::requantize_i32:
            return {{"acc", ElemType::i32, u("M") * u("N"), in},
                    {"mult", ElemType::i32, u("N"), in},
                    {"bias", ElemType::i32, u("N"), in},
                    {"out", ElemType::i8, u("M") * u("N"), out}};
        case OpKind::dequant_gemv_q4:
            return {{"Wq", ElemType::i8, u("M") * u("K") / 2, in},
                    {"scale", f32, u("M") * u("K") / u("G"), in},
                    {"x", f32, u("K"), in},
                    {"y", f32, u("M"), out}};
        case OpKind::topk_rows: return {{"x", f32, u("R") * u("C"), in}, {"y", f32, u("R") * u("K"), out}};
        case OpKind::depthwise_separable_nhwc:
            return {{"x", f32, u("H") * u("W") * u("C"), in},
                    {"wd", f32, 9 * u("C"), in},
                    {"wp", f32, u("C") * u("K"), in},
                    {"y", f32, (u("H") - 2) * (u("W") - 2) * u("K"), out}};
        case OpKind::scatter_add:
            return {{"x", f32, u("N") * u("D"), in},
                    {"src", ElemType::i32, u("E"), in},
                    {"dst", ElemType::i32, u("E"), in},
                    {"out", f32, u("N") * u("D"), out}};
        case OpKind::syrk: return {{"A", f32, u("N") * u("K"), in}, {"C", f32, u("N") * u("N"), out}};
        case OpKind::adam_step:
            return {{"p", f32, u("N"), in},
                    {"g", f32, u("N"), in},
                    {"m", f32, u("N"), in},
                    {"v", f32, u("N"), in},
                    {"out", f32, 3 * u("N"), out}};
        case OpKind::bf16_gemv: // W: 16-bit patterns, two bytes each (no 16-bit element type)
            return {{"W", ElemType::i8, 2 * u("M") * u("K"), in}, {"x", f32, u("K"), in}, {"y", f32, u("M"), out}};
        case OpKind::depth_to_space_nhwc:
            return {{"in", f32, u("H") * u("W") * u("C") * u("R") * u("R"), in},
                    {"out", f32, u("H") * u("W") * u("C") * u("R") * u("R"), out}};
        case OpKind::lstm_cell: // out: h, then c
            return {{"gates", f32, 4 * u("B") * u("H"), in},
                    {"c_prev", f32, u("B") * u("H"), in},
                    {"out", f32, 2 * u("B") * u("H"), out}};
        case OpKind::spmm_csr: // len: one per pair of rows
            return {{"val", f32, u("M") * u("E"), in},
                    {"col", ElemType::i32, u("M") * u("E"), in},
                    {"len", ElemType::i32, u("M") / 2, in},
                    {"B", f32, u("K") * u("N"), in},
                    {"C", f32, u("M") * u("N"), out}};
        case OpKind::bilinear_resize_nhwc:
            return {{"I", f32, u("H") * u("W") * u("C"), in}, {"O", f32, u("OH") * u("OW") * u("C"), out}};
        case OpKind::segment_sum: // len: one per pair of segments
            return {{"x", f32, u("E") * u("D"), in},
                    {"len", ElemType::i32, u("S") / 2, in},
                    {"out", f32, u("S") * u("D"), out}};
        case OpKind::conv3d_ndhwc:
            return {{"I", f32, u("D") * u("H") * u("W") * u("C"), in},
                    {"F", f32, 27 * u("C") * u("K"), in},
                    {"O", f32, (u("D") - 2) * (u("H") - 2) * (u("W") - 2) * u("K"), out}};
        case OpKind::complex_gemv: // (re, im) pairs
            return {{"A", f32, 2 * u("M") * u("N"), in}, {"x", f32, 2 * u("N"), in}, {"y", f32, 2 * u("M"), out}};
        case OpKind::selective_scan:
            return {{"x", f32, u("T") * u("D"), in}, {"delta", f32, u("T") * u("D"), in},
                    {"A", f32, u("D") * u("N"), in}, {"B", f32, u("T") * u("N"), in},
                    {"C", f32, u("T") * u("N"), in}, {"y", f32, u("T") * u("D"), out}};
        case OpKind::minplus_gemm:
            return {{"A", f32, u("M") * u("K"), in}, {"B", f32, u("K") * u("N"), in}, {"C", f32, u("M") * u("N"), out}};
        case OpKind::ball_query: // xyz interleaved; idx: K point indices per centre
            return {{"xyz", f32, 3 * u("P"), in},
                    {"centres", f32, 3 * u("Q"), in},
                    {"idx", ElemType::i32, u("Q") * u("K"), out}};
        case OpKind::cholesky: // A: any matrix, symmetrised and shifted by the kernel; L's upper part zero
            return {{"A", f32, u("N") * u("N"), in}, {"L", f32, u("N") * u("N"), out}};
        case OpKind::col2im_nhwc:
            return {
                {"cols", f32, conv_out(w, "H", "R", 1, 1) * conv_out(w, "W", "S", 1, 1) * u("R") * u("S") * u("C"), in},
                {"img", f32, u("H") * u("W") * u("C"), out}};
        case OpKind::mlp2:
            return {{"X", f32, u("M") * u("D"), in},
                    {"W1", f32, u("D") * u("F"), in},
                    {"b1", f32, u("F"), in},
                    {"W2", f32, u("F") * u("D"), in},
                    {"Y", f32, u("M") * u("D"), out}};
        case OpKind::xnor_gemm: // bits packed 32 to a word, read as uint32
            return {{"A", ElemType::i32, u("M") * u("K") / 32, in},
                    {"B", ElemType::i32, u("N") * u("K") / 32, in},
                    {"C", ElemType::i32, u("M") * u("N"), out}};
        case OpKind::sobel_u8: // 8-bit pixels, read as unsigned char
            return {{"I", ElemType::i8, u("H") * u("W"), in}, {"O", ElemType::i8, (u("H") - 2) * (u("W") - 2), out}};
        case OpKind::viterbi: // log-domain emission and transition scores; backpointers, then the path
            return {{"emit", f32, u("T") * u("S"), in},
                    {"trans", f32, u("S") * u("S"), in},
                    {"bp", ElemType::i32, u("T") * u("S"), out},
                    {"path", ElemType::i32, u("T"), out}};
        case OpKind::kmeans_assign: // points and centroids row-major; the nearest centroid's index per point
            return {
                {"X", f32, u("N") * u("D"), in}, {"C", f32, u("K") * u("D"), in}, {"idx", ElemType::i32, u("N"), out}};
        case OpKind::median_filter: // the image with a one-pixel border; its interior's medians
            return {{"I", f32, (u("H") + 2) * (u("W") + 2), in}, {"O", f32, u("H") * u("W"), out}};
        case OpKind::layernorm_backward: // out: dx (N x D), then dgamma and dbeta (D each)
            return {{"x", f32, u("N") * u("D"), in},
                    {"dy", f32, u("N") * u("D"), in},
                    {"gamma", f32, u("D"), in},
                    {"out", f32, u("N") * u("D") + 2 * u("D"), out}};
        case OpKind::stencil3d7: // tmp: the other ping-pong grid
            return {{"u", f32, u("NZ") * u("NY") * u("NX"), in},
                    {"tmp", f32, u("NZ") * u("NY") * u("NX"), out},
                    {"out", f32, u("NZ") * u("NY") * u("NX"), out}};
        case OpKind::demosaic_bayer: // the mosaic with a one-pixel border; the interior as interleaved RGB
            return {{"I", f32, (u("H") + 2) * (u("W") + 2), in}, {"O", f32, 3 * u("H") * u("W"), out}};
        case OpKind::spmv_csr: // the nonzeros' values and raw columns (hashed into [0, N)), then the prefetch's padding
            return {{"val", f32, spmv_nonzeros(w) + spmv_prefetch_distance, in},
                    {"col", ElemType::i32, spmv_nonzeros(w) + spmv_prefetch_distance, in},
                    {"x", f32, u("N"), in},
                    {"y", f32, u("M"), out}};
        case OpKind::grid_sample_nhwc: // grid: two jitter floats per output pixel
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"grid", f32, 2 * u("HO") * u("WO"), in},
                    {"O", f32, u("HO") * u("WO") * u("C"), out}};
        case OpKind::lu_batched: // the matrices; the pivots (ipiv, 0-based); the factors last
            return {{"A", f32, u("NB") * u("N") * u("N"), in},
                    {"P", ElemType::i32, u("NB") * u("N"), out},
                    {"LU", f32, u("NB") * u("N") * u("N"), out}};
        case OpKind::bilateral_filter: return {{"I", f32, u("H") * u("W"), in}, {"O", f32, u("H") * u("W"), out}};
        case OpKind::sad_block_match: // 8-bit noise, (H + 1) x (W + 1) then H x W; dx, dy, SAD per 8 x 8 block
            return {{"I", ElemType::i8, (u("H") + 1) * (u("W") + 1) + u("H") * u("W"), in},
                    {"O", ElemType::i32, 3 * (u("H") / 8) * (u("W") / 8), out}};
        case OpKind::hash_join_probe: // the build and probe inputs; T: the table scratch; the matched rows last
            return {{"bk", ElemType::i32, u("NB"), in},
                    {"pk", ElemType::i32, u("NP"), in},
                    {"T", ElemType::i32, 8 * u("NB"), out},
                    {"out", ElemType::i32, u("NP"), out}};
        case OpKind::qr_householder_batched:
            return {{"A", f32, u("NB") * u("M") * u("N"), in}, {"R", f32, u("NB") * u("N") * u("N"), out}};
        case OpKind::lbp_histogram_u8: // 8-bit pixels read as unsigned char; 256 i32 bins per cell
            return {{"I", ElemType::i8, u("H") * u("W"), in},
                    {"O", ElemType::i32, u("H") / u("CS") * (u("W") / u("CS")) * 256, out}};
        case OpKind::softmax_xent_backward: // the logits, an i32 per row hashed to its label; dz last
            return {
                {"Z", f32, u("B") * u("C"), in}, {"L", ElemType::i32, u("B"), in}, {"D", f32, u("B") * u("C"), out}};
        case OpKind::packed_symv: // the lower triangle row-packed, x; y last
            return {{"AP", f32, u("N") * (u("N") + 1) / 2, in}, {"x", f32, u("N"), in}, {"y", f32, u("N"), out}};
        case OpKind::alpha_blend_rgba_u8: // RGBA8 foreground (straight alpha), background, result (premultiplied)
            return {{"F", ElemType::i8, 4 * u("H") * u("W"), in},
                    {"G", ElemType::i8, 4 * u("H") * u("W"), in},
                    {"O", ElemType::i8, 4 * u("H") * u("W"), out}};
        case OpKind::mel_filterbank: // the spectra's real and imaginary parts; M mel energies per frame
            return {
                {"re", f32, u("F") * u("NB"), in}, {"im", f32, u("F") * u("NB"), in}, {"O", f32, u("F") * u("M"), out}};
        case OpKind::upsample_bilinear_backward: // dY (2H x 2W x C) in, dX last
            return {{"dY", f32, 4 * u("H") * u("W") * u("C"), in}, {"dX", f32, u("H") * u("W") * u("C"), out}};
        case OpKind::hough_lines: // the image; the i32 accumulator, T angles x (2D + 1) rho bins
            return {{"I", f32, u("H") * u("W"), in},
                    {"O", ElemType::i32, u("T") * (2 * static_cast<std::uint64_t>(hough_rho_max(w)) + 1), out}};
        case OpKind::merge_sort_rows: // the keys; the stable permutation, i32
            return {{"x", f32, u("R") * u("N"), in}, {"out", ElemType::i32, u("R") * u("N"), out}};
        case OpKind::autocorr_lpc: // the frames; P predictor coefficients per frame
            return {{"x", f32, u("F") * u("N"), in}, {"A", f32, u("F") * u("P"), out}};
        case OpKind::deform_conv2d_nhwc: // the input, (dy, dx) per pixel and tap, F [C][3][3][K]; the output
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"off", f32, u("H") * u("W") * 18, in},
                    {"F", f32, 9 * u("C") * u("K"), in},
                    {"O", f32, u("H") * u("W") * u("K"), out}};
        case OpKind::edge_softmax_csr: // len: one per pair of nodes; the scores and alphas edge-major, H per edge
            return {{"len", ElemType::i32, u("N") / 2, in},
                    {"sc", f32, u("N") * u("E") * u("H"), in},
                    {"out", f32, u("N") * u("E") * u("H"), out}};
        case OpKind::lucas_kanade_flow: // two frames with a 3-pixel border; (u, v) interleaved
            return {{"I0", f32, (u("H") + 6) * (u("W") + 6), in},
                    {"I1", f32, (u("H") + 6) * (u("W") + 6), in},
                    {"O", f32, 2 * u("H") * u("W"), out}};
        case OpKind::rle_encode_mask: // X: each mask's coarse grid; out: per mask the count, then RMAX runs
            return {{"X", f32, u("N") * (u("H") / u("CS") + 1) * (u("W") / u("CS") + 1), in},
                    {"out", ElemType::i32, u("N") * (static_cast<std::uint64_t>(rle_max_runs(w)) + 1), out}};
        case OpKind::integral_image: // 8-bit pixels read as unsigned char; T: a row-sum scratch; the i32 table
            return {{"I", ElemType::i8, u("H") * u("W"), in},
                    {"T", ElemType::i32, u("H") * u("W"), out},
                    {"O", ElemType::i32, u("H") * u("W"), out}};
        case OpKind::dilate_max2d:
            return {{"I", f32, u("H") * u("W"), in}, {"O", f32, (u("H") - u("K") + 1) * (u("W") - u("K") + 1), out}};
        case OpKind::searchsorted: // x: the boundaries' steps; q: the queries; one i32 index per query
            return {{"x", f32, u("M"), in}, {"q", f32, u("N"), in}, {"out", ElemType::i32, u("N"), out}};
        case OpKind::winograd_f2x3: // F as in conv3d: [r][s][c][k]
            return {{"I", f32, u("H") * u("W") * u("C"), in},
                    {"F", f32, 9 * u("C") * u("K"), in},
                    {"O", f32, (u("H") - 2) * (u("W") - 2) * u("K"), out}};
        case OpKind::group_norm_nhwc:
            return {{"x", f32, u("H") * u("W") * u("C"), in},
                    {"gamma", f32, u("C"), in},
                    {"beta", f32, u("C"), in},
                    {"y", f32, u("H") * u("W") * u("C"), out}};
        case OpKind::nms_boxes: // four raw values a box (in score order), its score; the i32 keep mask
            return {{"boxes", f32, 4 * u("N"), in}, {"scores", f32, u("N"), in}, {"keep", ElemType::i32, u("N"), out}};
        case OpKind::tridiag_batched: // system after system: sub-, main (less 4) and super-diagonal, rhs
            return {{"A", f32, u("NB") * u("N"), in},
                    {"B", f32, u("NB") * u("N"), in},
                    {"C", f32, u("NB") * u("N"), in},
                    {"D", f32, u("NB") * u("N"), in},
                    {"X", f32, u("NB") * u("N"), out}};
        case OpKind::edit_distance: // tokens hashed from S and T; out: each pair's last DP row
            return {{"S", ElemType::i32, u("P") * u("LA"), in},
                    {"T", ElemType::i32, u("P") * u("LB"), in},
                    {"out", ElemType::i32, u("P") * (u("LB") + 1), out}};
        case OpKind::radix_sort_u32: // keys hashed from x; tmp: the ping-pong scratch; out: sorted, unsigned
            return {{"x", ElemType::i32, u("N"), in},
                    {"tmp", ElemType::i32, u("N"), out},
                    {"out", ElemType::i32, u("N"), out}};
        case OpKind::sddmm_csr: // col: hashed into [0, N); len: one per pair of rows; out: one per nonzero
            return {{"A", f32, u("M") * u("K"), in},
                    {"B", f32, u("N") * u("K"), in},
                    {"col", ElemType::i32, u("M") * u("E"), in},
                    {"len", ElemType::i32, u("M") / 2, in},
                    {"out", f32, u("M") * u("E"), out}};
        case OpKind::roi_align_nhwc: // rois: four raw values a box
            return {{"feat", f32, u("H") * u("W") * u("C"), in},
                    {"rois", f32, 4 * u("R"), in},
                    {"out", f32, u("R") * u("P") * u("P") * u("C"), out}};
        case OpKind::dct8x8: return {{"I", f32, u("H") * u("W"), in}, {"O", f32, u("H") * u("W"), out}};
        case OpKind::bsr_gemm: // val: the nonzero B x B blocks in block-CSR order; len: one per pair of block rows
            return {{"val", f32, u("M") * static_cast<std::uint64_t>(bsr_blocks_per_row(w)) * u("B"), in},
                    {"len", ElemType::i32, u("M") / u("B") / 2, in},
                    {"X", f32, u("K") * u("N"), in},
                    {"Y", f32, u("M") * u("N"), out}};
        case OpKind::moe_expert_gemm: // W: E matrices D x D (by output); route: hashed into an expert per token
            return {{"x", f32, u("T") * u("D"), in},
                    {"W", f32, u("E") * u("D") * u("D"), in},
                    {"route", ElemType::i32, u("T"), in},
                    {"out", f32, u("T") * u("D"), out}};
        case OpKind::paged_attention: // kc, vc: L / P pages of P tokens x H heads x D; tbl: shuffles the pages
            return {{"q", f32, u("H") * u("D"), in},
                    {"kc", f32, u("L") * u("H") * u("D"), in},
                    {"vc", f32, u("L") * u("H") * u("D"), in},
                    {"tbl", ElemType::i32, u("L") / u("P"), in},
                    {"out", f32, u("H") * u("D"), out}};
        case OpKind::flash_attention:
            return {{"Q", f32, u("L") * u("D"), in},
                    {"K", f32, u("L") * u("D"), in},
                    {"V", f32, u("L") * u("D"), in},
                    {"O", f32, u("L") * u("D"), out}};
        case OpKind::batched_small_gemm:
            return {{"A", f32, u("NB") * u("M") * u("K"), in},
                    {"B", f32, u("NB") * u("K") * u("N"), in},
                    {"C", f32, u("NB") * u("M") * u("N"), out}};
        case OpKind::gaussian_blur_sep: // T: the whole-image scratch of horizontal results (two-pass schedules)
            return {
                {"I", f32, u("H") * u("W"), in}, {"T", f32, u("H") * u("W"), out}, {"O", f32, u("H") * u("W"), out}};
        case OpKind::conv2d_weight_grad: // X and dY NHWC; dW [K][3][3][C]
            return {{"X", f32, u("N") * u("H") * u("W") * u("C"), in},
                    {"dY", f32, u("N") * u("H") * u("W") * u("K"), in},
                    {"dW", f32, 9 * u("K") * u("C"), out}};
        case OpKind::sparse24_gemm: // val: the kept values, two per group of 4; meta: hashed into a pair per group
            return {{"val", f32, u("M") * u("K") / 2, in},
                    {"meta", ElemType::i32, u("M") * u("K") / 4, in},
                    {"B", f32, u("K") * u("N"), in},
                    {"C", f32, u("M") * u("N"), out}};
        case OpKind::tensor_contraction: // A[a][k][b], B[k][c], C[a][c][b]
            return {{"A", f32, u("NA") * u("NK") * u("NB"), in},
                    {"B", f32, u("NK") * u("NC"), in},
                    {"C", f32, u("NA") * u("NC") * u("NB"), out}};
        case OpKind::fir_decimate: // x channel-major, (N + T/D - 1) D samples per channel; h the taps
            return {{"x", f32, u("C") * (u("N") + u("T") / u("D") - 1) * u("D"), in},
                    {"h", f32, u("T"), in},
                    {"y", f32, u("C") * u("N"), out}};
        case OpKind::yuv_to_rgb_u8: // the Y plane, the interleaved half-resolution UV plane; packed RGB
            return {{"Y", ElemType::i8, u("H") * u("W"), in},
                    {"UV", ElemType::i8, u("H") * u("W") / 2, in},
                    {"RGB", ElemType::i8, 3 * u("H") * u("W"), out}};
        case OpKind::maxpool_backward_nhwc: { // A: the argmax scratch of the two-pass schedules
            const std::uint64_t outs = u("N") * ((u("H") - 1) / 2 + 1) * ((u("W") - 1) / 2 + 1) * u("C");
            return {{"X", f32, u("N") * u("H") * u("W") * u("C"), in},
                    {"dY", f32, outs, in},
                    {"A", ElemType::i32, outs, out},
                    {"dX", f32, u("N") * u("H") * u("W") * u("C"), out}};
        }
        case OpKind::varint_decode_u32: // S: the encoded stream's scratch (at most 5 bytes a value, 8 of padding)
            return {{"seed", ElemType::i32, u("N"), in},
                    {"S", ElemType::i8, 5 * u("N") + 8, out},
                    {"out", ElemType::i32, u("N"), out}};
        case OpKind::dropout_mask_scale: // M: the keep mask, a byte per element; y last
            return {{"x", f32, u("N"), in}, {"M", ElemType::i8, u("N"), out}, {"y", f32, u("N"), out}};
        case OpKind::bicubic_resize_nhwc:
            return {{"X", f32, u("H") * u("W") * u("C"), in}, {"Y", f32, u("OH") * u("OW") * u("C"), out}};
        case OpKind::dwt_haar_2d: // N images, each H x W
            return {{"X", f32, u("N") * u("H") * u("W"), in}, {"Y", f32, u("N") * u("H") * u("W"), out}};
        case OpKind::csr_transpose: // col, len: hashed into the CSR pattern; cp, ri, tv: the CSC arrays, values last
            return {{"val", f32, u("M") * u("E"), in},           {"col", ElemType::i32, u("M") * u("E"), in},
                    {"len", ElemType::i32, u("M") / 2, in},      {"cp", ElemType::i32, u("N") + 1, out},
                    {"ri", ElemType::i32, u("M") * u("E"), out}, {"tv", f32, u("M") * u("E"), out}};
        case OpKind::distance_transform: // the i32 distances
            return {{"X", f32, u("H") * u("W"), in}, {"D", ElemType::i32, u("H") * u("W"), out}};
        case OpKind::warp_affine_u8: // 8-bit pixels, read as unsigned char
            return {{"S", ElemType::i8, u("H") * u("W"), in}, {"O", ElemType::i8, u("H") * u("W"), out}};
        case OpKind::connected_components: // the mask's image; the i32 labels
            return {{"X", f32, u("H") * u("W"), in}, {"L", ElemType::i32, u("H") * u("W"), out}};
        case OpKind::gru_cell: // PyTorch's layouts: W_ih 3H x I, W_hh 3H x H, gates r, z, n
            return {{"x", f32, u("B") * u("I"), in},      {"h", f32, u("B") * u("H"), in},
                    {"Wi", f32, 3 * u("H") * u("I"), in}, {"Wh", f32, 3 * u("H") * u("H"), in},
                    {"bi", f32, 3 * u("H"), in},          {"bh", f32, 3 * u("H"), in},
                    {"out", f32, u("B") * u("H"), out}};
        case OpKind::minhash_signature: // T: the token inputs (ids derived in the kernel); the u32 signatures
            return {{"T", ElemType::i32, u("D") * u("L"), in}, {"S", ElemType::i32, u("D") * u("K"), out}};
        case OpKind::lrn_cross_channel: // one NCHW image
            return {{"x", f32, u("C") * u("H") * u("W"), in}, {"y", f32, u("C") * u("H") * u("W"), out}};
        case OpKind::rgb_to_hsv_u8: // interleaved 8-bit RGB in, interleaved HSV out, read as unsigned char
            return {{"X", ElemType::i8, 3 * u("H") * u("W"), in}, {"Y", ElemType::i8, 3 * u("H") * u("W"), out}};
        case OpKind::histogram:
            return {{"key", ElemType::i32, u("T"), in},
                    {"wt", ElemType::i32, u("T"), in},
                    {"hist", ElemType::i32, u("B"), out}};
        case OpKind::attention:
            return {{"Q", f32, u("L") * u("D"), in},
                    {"K", f32, u("L") * u("D"), in},
                    {"V", f32, u("L") * u("D"), in},
                    {"O", f32, u("L") * u("D"), out}};
        case OpKind::gemm_gelu:
            return {{"A", f32, u("M") * u("K"), in},
                    {"B", f32, u("K") * u("N"), in},
                    {"bias", f32, u("N"), in},
                    {"C", f32, u("M") * u("N"), out}};
        default: break;
    }
    fail(ErrorKind::invalid_argument, "workload '{}': not a corpus operator", w.name);
}

std::vector<Variant> family_variants(const Workload& w) {
    switch (w.op) {
        case OpKind::batch_matmul: return batch_matmul(w);
        case OpKind::gemv_transposed: return gemv_transposed(w);
        case OpKind::conv2d_strided_nhwc: return conv2d_general(w, w.dim("stride"), 1);
        case OpKind::conv2d_dilated_nhwc: return conv2d_general(w, 1, w.dim("dilation"));
        case OpKind::grouped_conv2d_nhwc: return grouped_conv2d(w);
        case OpKind::pointwise_conv2d_nhwc: return pointwise_conv2d(w);
        case OpKind::transpose2d: return transpose2d(w);
        case OpKind::im2col_nhwc: return im2col(w);
        case OpKind::elementwise_chain: return elementwise_chain(w);
        case OpKind::reduce_rows: return reduce_rows(w);
        case OpKind::reduce_cols: return reduce_cols(w);
        case OpKind::softmax_rows: return softmax_rows(w);
        case OpKind::layernorm_rows: return layernorm_rows(w);
        case OpKind::batchnorm_nhwc: return batchnorm_nhwc(w);
        case OpKind::embedding_gather: return embedding_gather(w);
        case OpKind::maxpool_nhwc: return pooling(w, true);
        case OpKind::avgpool_nhwc: return pooling(w, false);
        case OpKind::qgemm_i8: return qgemm(w);
        case OpKind::dgemm: return dgemm(w);
        case OpKind::prefix_sum_rows: return prefix_sum_rows(w);
        case OpKind::stencil5: return stencil5(w);
        case OpKind::spmv_ell: return spmv_ell(w);
        case OpKind::nchw_to_nhwc: return nchw_to_nhwc(w);
        case OpKind::upsample_bilinear_nhwc: return upsample_bilinear(w);
        case OpKind::argmax_rows: return argmax_rows(w);
        case OpKind::histogram: return histogram(w);
        case OpKind::compact_positive: return compact_positive(w);
        case OpKind::conv_transpose2d_nhwc: return conv_transpose2d(w);
        case OpKind::fft_rows: return fft_rows(w);
        case OpKind::quantize_rows_i8: return quantize_rows_i8(w);
        case OpKind::triangular_solve: return triangular_solve(w);
        case OpKind::rope: return rope(w);
        case OpKind::bitonic_sort_rows: return bitonic_sort_rows(w);
        case OpKind::embedding_bag: return embedding_bag(w);
        case OpKind::pairwise_distance: return pairwise_distance(w);
        case OpKind::causal_conv1d: return causal_conv1d(w);
        case OpKind::requantize_i32: return requantize_i32(w);
        case OpKind::dequant_gemv_q4: return dequant_gemv_q4(w);
        case OpKind::topk_rows: return topk_rows(w);
        case OpKind::depthwise_separable_nhwc: return depthwise_separable(w);
        case OpKind::scatter_add: return scatter_add(w);
        case OpKind::syrk: return syrk(w);
        case OpKind::adam_step: return adam_step(w);
        case OpKind::bf16_gemv: return bf16_gemv(w);
        case OpKind::depth_to_space_nhwc: return depth_to_space(w);
        case OpKind::lstm_cell: return lstm_cell(w);
        case OpKind::spmm_csr: return spmm_csr(w);
        case OpKind::bilinear_resize_nhwc: return bilinear_resize(w);
        case OpKind::segment_sum: return segment_sum(w);
        case OpKind::conv3d_ndhwc: return conv3d_ndhwc(w);
        case OpKind::complex_gemv: return complex_gemv(w);
        case OpKind::selective_scan: return selective_scan(w);
        case OpKind::minplus_gemm: return minplus_gemm(w);
        case OpKind::ball_query: return ball_query(w);
        case OpKind::cholesky: return cholesky(w);
        case OpKind::col2im_nhwc: return col2im(w);
        case OpKind::mlp2: return mlp2(w);
        case OpKind::xnor_gemm: return xnor_gemm(w);
        case OpKind::sobel_u8: return sobel_u8(w);
        case OpKind::viterbi: return viterbi(w);
        case OpKind::kmeans_assign: return kmeans_assign(w);
        case OpKind::median_filter: return median_filter(w);
        case OpKind::layernorm_backward: return layernorm_backward(w);
        case OpKind::stencil3d7: return stencil3d7(w);
        case OpKind::demosaic_bayer: return demosaic_bayer(w);
        case OpKind::spmv_csr: return spmv_csr(w);
        case OpKind::grid_sample_nhwc: return grid_sample(w);
        case OpKind::lu_batched: return lu_batched(w);
        case OpKind::bilateral_filter: return bilateral_filter(w);
        case OpKind::sad_block_match: return sad_block_match(w);
        case OpKind::hash_join_probe: return hash_join_probe(w);
        case OpKind::qr_householder_batched: return qr_householder_batched(w);
        case OpKind::lbp_histogram_u8: return lbp_histogram_u8(w);
        case OpKind::softmax_xent_backward: return softmax_xent_backward(w);
        case OpKind::packed_symv: return packed_symv(w);
        case OpKind::alpha_blend_rgba_u8: return alpha_blend_rgba(w);
        case OpKind::mel_filterbank: return mel_filterbank(w);
        case OpKind::upsample_bilinear_backward: return upsample_bilinear_backward(w);
        case OpKind::hough_lines: return hough_lines(w);
        case OpKind::merge_sort_rows: return merge_sort_rows(w);
        case OpKind::autocorr_lpc: return autocorr_lpc(w);
        case OpKind::deform_conv2d_nhwc: return deform_conv2d(w);
        case OpKind::edge_softmax_csr: return edge_softmax_csr(w);
        case OpKind::lucas_kanade_flow: return lucas_kanade_flow(w);
        case OpKind::rle_encode_mask: return rle_encode_mask(w);
        case OpKind::integral_image: return integral_image(w);
        case OpKind::dilate_max2d: return dilate_max2d(w);
        case OpKind::searchsorted: return searchsorted(w);
        case OpKind::winograd_f2x3: return winograd_f2x3(w);
        case OpKind::group_norm_nhwc: return group_norm_nhwc(w);
        case OpKind::nms_boxes: return nms_boxes(w);
        case OpKind::tridiag_batched: return tridiag_batched(w);
        case OpKind::edit_distance: return edit_distance(w);
        case OpKind::radix_sort_u32: return radix_sort_u32(w);
        case OpKind::sddmm_csr: return sddmm_csr(w);
        case OpKind::roi_align_nhwc: return roi_align(w);
        case OpKind::dct8x8: return dct8x8(w);
        case OpKind::bsr_gemm: return bsr_gemm(w);
        case OpKind::moe_expert_gemm: return moe_expert_gemm(w);
        case OpKind::paged_attention: return paged_attention(w);
        case OpKind::flash_attention: return flash_attention(w);
        case OpKind::batched_small_gemm: return batched_small_gemm(w);
        case OpKind::gaussian_blur_sep: return gaussian_blur_sep(w);
        case OpKind::conv2d_weight_grad: return conv2d_weight_grad(w);
        case OpKind::sparse24_gemm: return sparse24_gemm(w);
        case OpKind::tensor_contraction: return tensor_contraction(w);
        case OpKind::fir_decimate: return fir_decimate(w);
        case OpKind::yuv_to_rgb_u8: return yuv_to_rgb(w);
        case OpKind::maxpool_backward_nhwc: return maxpool_backward(w);
        case OpKind::varint_decode_u32: return varint_decode(w);
        case OpKind::dropout_mask_scale: return dropout_mask_scale(w);
        case OpKind::bicubic_resize_nhwc: return bicubic_resize(w);
        case OpKind::dwt_haar_2d: return dwt_haar_2d(w);
        case OpKind::csr_transpose: return csr_transpose(w);
        case OpKind::distance_transform: return distance_transform(w);
        case OpKind::warp_affine_u8: return warp_affine_u8(w);
        case OpKind::connected_components: return connected_components(w);
        case OpKind::gru_cell: return gru_cell(w);
        case OpKind::minhash_signature: return minhash_signature(w);
        case OpKind::lrn_cross_channel: return lrn_cross_channel(w);
        case OpKind::rgb_to_hsv_u8: return rgb_to_hsv_u8(w);
        case OpKind::attention: return attention(w);
        case OpKind::gemm_gelu: return gemm_gelu(w);
        default: break;
    }
    fail(ErrorKind::invalid_argument, "workload '{}': not a corpus operator", w.name);
}

} // namespace simtune::detail
