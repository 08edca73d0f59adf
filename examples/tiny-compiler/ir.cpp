// Lowering and the affine arithmetic behind index expressions, ranges and guards.
#include "ir.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <simtune/error.hpp>

namespace tiny {

Affine var(const std::string& name, std::int64_t coefficient) { return Affine{{{name, coefficient}}, 0}; }
Affine constant(std::int64_t value) { return Affine{{}, value}; }

Affine& Affine::operator+=(const Affine& o) {
    for (const auto& [v, c] : o.terms) {
        const auto it = std::ranges::find(terms, v, &std::pair<std::string, std::int64_t>::first);
        if (it == terms.end()) terms.emplace_back(v, c);
        else it->second += c;
    }
    std::erase_if(terms, [](const auto& t) { return t.second == 0; });
    constant += o.constant;
    return *this;
}

Affine operator+(Affine a, const Affine& b) { return a += b; }

Affine Affine::scaled(std::int64_t factor) const {
    Affine a = *this;
    for (auto& t : a.terms) t.second *= factor;
    a.constant *= factor;
    std::erase_if(a.terms, [](const auto& t) { return t.second == 0; });
    return a;
}

std::string Affine::to_c() const {
    std::string s;
    for (const auto& [v, c] : terms) {
        if (!s.empty()) s += c < 0 ? " - " : " + ";
        else if (c < 0) s += "-";
        const auto a = c < 0 ? -c : c;
        s += a == 1 ? v : fmt::format("{} * {}", v, a);
    }
    if (constant != 0 || s.empty()) {
        if (s.empty()) s = fmt::format("{}", constant);
        else s += fmt::format(" {} {}", constant < 0 ? '-' : '+', constant < 0 ? -constant : constant);
    }
    return s;
}

std::uint64_t Tensor::elements() const {
    std::uint64_t n = 1;
    for (int d : shape) n *= static_cast<std::uint64_t>(d);
    return n;
}

const Loop& LoopNest::loop(const std::string& v) const {
    const auto it = std::ranges::find(loops, v, &Loop::var);
    if (it == loops.end()) simtune::fail(simtune::ErrorKind::invalid_argument, "the loop nest has no loop '{}'", v);
    return *it;
}

std::uint64_t LoopNest::macs() const {
    std::uint64_t n = 1;
    for (const auto& l : loops) n *= static_cast<std::uint64_t>(l.extent);
    return n;
}

std::vector<simtune::BufferSpec> LoopNest::buffers() const {
    std::vector<simtune::BufferSpec> b;
    for (const auto& t : tensors) b.push_back({t.name, simtune::ElemType::f32, t.elements(), t.role});
    return b;
}

std::pair<std::int64_t, std::int64_t> LoopNest::range(const Affine& e) const {
    std::int64_t lo = e.constant, hi = e.constant;
    for (const auto& [v, c] : e.terms) {
        const std::int64_t top = c * (loop(v).extent - 1);
        lo += std::min<std::int64_t>(0, top);
        hi += std::max<std::int64_t>(0, top);
    }
    return {lo, hi};
}

Affine LoopNest::linear(const Access& a) const {
    const auto& shape = tensors[a.tensor].shape;
    // Outermost dimension first, so the C text reads like the tensor's layout.
    std::vector<std::int64_t> strides(shape.size(), 1);
    for (std::size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
    Affine off;
    for (std::size_t d = 0; d < shape.size(); ++d) off += a.index[d].scaled(strides[d]);
    return off;
}

std::vector<std::string> LoopNest::guards(const Access& a) const {
    std::vector<std::string> g;
    const auto& shape = tensors[a.tensor].shape;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        const auto [lo, hi] = range(a.index[d]);
        const auto e = a.index[d].to_c();
        if (lo < 0) g.push_back(fmt::format("{} >= 0", e));
        if (hi >= shape[d]) g.push_back(fmt::format("{} < {}", e, shape[d]));
    }
    return g;
}

LoopNest lower(const Operator& op) {
    using simtune::BufferRole;
    LoopNest nest;
    nest.description = op.text;
    if (op.op == OpName::gemm) {
        const int M = op.dim("M"), N = op.dim("N"), K = op.dim("K");
        nest.tensors = {
            {"A", {M, K}, BufferRole::input}, {"B", {K, N}, BufferRole::input}, {"C", {M, N}, BufferRole::output}};
        nest.loops = {{"i", M, false}, {"j", N, false}, {"k", K, true}};
        nest.lhs = {0, {var("i"), var("k")}};
        nest.rhs = {1, {var("k"), var("j")}};
        nest.out = {2, {var("i"), var("j")}};
        return nest;
    }
    const int N = op.dim("N"), H = op.dim("H"), W = op.dim("W"), C = op.dim("C"), K = op.dim("K"), R = op.dim("R"),
              S = op.dim("S"), stride = op.dim("stride"), pad = op.dim("pad");
    const int OH = op.out_h(), OW = op.out_w();
    const Affine ih = var("oh", stride) + var("r") + constant(-pad), iw = var("ow", stride) + var("s") + constant(-pad);
    if (op.layout == Layout::nhwc) {
        nest.tensors = {{"I", {N, H, W, C}, BufferRole::input},
                        {"F", {R, S, C, K}, BufferRole::input},
                        {"O", {N, OH, OW, K}, BufferRole::output}};
        nest.loops = {{"n", N, false}, {"oh", OH, false}, {"ow", OW, false}, {"k", K, false},
                      {"r", R, true},  {"s", S, true},    {"c", C, true}};
        nest.lhs = {0, {var("n"), ih, iw, var("c")}};
        nest.rhs = {1, {var("r"), var("s"), var("c"), var("k")}};
        nest.out = {2, {var("n"), var("oh"), var("ow"), var("k")}};
    } else {
        nest.tensors = {{"I", {N, C, H, W}, BufferRole::input},
                        {"F", {K, C, R, S}, BufferRole::input},
                        {"O", {N, K, OH, OW}, BufferRole::output}};
        nest.loops = {{"n", N, false}, {"k", K, false}, {"oh", OH, false}, {"ow", OW, false},
                      {"c", C, true},  {"r", R, true},  {"s", S, true}};
        nest.lhs = {0, {var("n"), var("c"), ih, iw}};
        nest.rhs = {1, {var("k"), var("c"), var("r"), var("s")}};
        nest.out = {2, {var("n"), var("k"), var("oh"), var("ow")}};
    }
    return nest;
}

} // namespace tiny
