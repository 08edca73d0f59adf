#pragma once
// The IR: an operator as one perfectly nested loop nest over tensors,
//   out[f(loops)] += lhs[g(loops)] * rhs[h(loops)]
// where every tensor index is an affine expression of the loop variables. Index ranges are
// derived by interval arithmetic over the loop bounds; an input access that can leave its tensor
// (conv2d padding) is guarded by codegen, so padding needs no padded copy.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <simtune/kernel.hpp>

#include "frontend.hpp"

namespace tiny {

/// sum(coefficient * variable) + constant.
struct Affine {
    std::vector<std::pair<std::string, std::int64_t>> terms;
    std::int64_t constant = 0;

    /// C text, e.g. "oh * 2 + r - 1"; "0" for the zero expression.
    [[nodiscard]] std::string to_c() const;
    Affine& operator+=(const Affine& o);
    [[nodiscard]] Affine scaled(std::int64_t factor) const;
};
Affine var(const std::string& name, std::int64_t coefficient = 1);
Affine constant(std::int64_t value);
Affine operator+(Affine a, const Affine& b);

/// A dense row-major float tensor, one kernel argument.
struct Tensor {
    std::string name;
    std::vector<int> shape;
    simtune::BufferRole role = simtune::BufferRole::input;
    [[nodiscard]] std::uint64_t elements() const;
};

/// One tensor access: the tensor and one index expression per dimension.
struct Access {
    std::size_t tensor = 0;
    std::vector<Affine> index;
};

struct Loop {
    std::string var;
    int extent = 0;
    bool reduction = false; ///< the output index does not depend on it
};

struct LoopNest {
    std::string description;     ///< the operator, as parsed
    std::vector<Tensor> tensors; ///< kernel argument order: inputs, then the output
    std::vector<Loop> loops;     ///< the naive order, outermost first
    Access out, lhs, rhs;

    [[nodiscard]] const Loop& loop(const std::string& var) const;
    [[nodiscard]] std::uint64_t macs() const;
    /// The BufferSpecs simtune needs, in argument order.
    [[nodiscard]] std::vector<simtune::BufferSpec> buffers() const;
    /// The inclusive range of `e` over every loop's range [0, extent).
    [[nodiscard]] std::pair<std::int64_t, std::int64_t> range(const Affine& e) const;
    /// The row-major linear offset of an access, as one affine expression.
    [[nodiscard]] Affine linear(const Access& a) const;
    /// For each dimension of an access that can leave [0, extent): "lo <= e && e < hi" terms.
    [[nodiscard]] std::vector<std::string> guards(const Access& a) const;
};

/// Lowers a parsed operator to its loop nest. gemm: C[i][j] += A[i][k] * B[k][j].
/// conv2d nhwc: O[n][oh][ow][k] += I[n][ih][iw][c] * F[r][s][c][k];
/// conv2d nchw: O[n][k][oh][ow] += I[n][c][ih][iw] * F[k][c][r][s]; ih = oh*stride + r - pad.
LoopNest lower(const Operator& op);

} // namespace tiny
