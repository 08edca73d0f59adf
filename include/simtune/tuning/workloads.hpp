#pragma once
// Workload spaces: the ML operators simtune ships, each with the knobs an autotuner turns (tile
// sizes per loop, loop order, inner loop order, unrolling, vectorisation, operand packing). Every
// variant of a workload computes the same result; variants differ only in schedule.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "simtune/kernel.hpp"

namespace simtune {

enum class OpKind { gemm, conv2d_nhwc, conv2d_nchw, depthwise_conv2d_nhwc, dense };

/// One operator at one shape. Dimension names by operator:
///  gemm: M, N, K (C[M][N] += A[M][K] * B[K][N]);
///  conv2d_nhwc / conv2d_nchw: H, W, C (input), K (output channels), R, S (filter), stride 1,
///   no padding; depthwise_conv2d_nhwc: H, W, C, R, S; dense: M (outputs), K (inputs), batch 1.
struct Workload {
    std::string name;
    OpKind op = OpKind::gemm;
    std::map<std::string, int> dims;

    [[nodiscard]] int dim(const std::string& d) const;
    /// Multiply-accumulates one execution performs.
    [[nodiscard]] std::uint64_t macs() const;
    /// The kernel's buffers (inputs first, the output last).
    [[nodiscard]] std::vector<BufferSpec> buffers() const;
};

/// One point of a workload's schedule space.
struct Variant {
    std::string workload;                ///< Workload::name
    std::string id;                      ///< unique within the workload, e.g. "ti16-tj32-...-v1"
    std::map<std::string, int> knobs;    ///< the schedule parameters, by name
    std::string source;                  ///< the generated C kernel
    std::vector<BufferSpec> buffers;
    std::vector<std::string> flags;      ///< compiler flags this schedule needs (vectorisation)

    /// "<workload>/<id>", unique across workloads.
    [[nodiscard]] std::string key() const { return workload + "/" + id; }
};

/// The built-in workloads: two GEMMs, conv2d NHWC and NCHW, depthwise conv2d, dense — realistic ML
/// shapes sized so that one call takes 20 µs – 2 ms natively.
std::vector<Workload> builtin_workloads();
/// A built-in workload by name; throws Error(invalid_argument) listing the names.
Workload workload_by_name(const std::string& name);

/// Every valid schedule of `workload` (hundreds), in a fixed pseudo-random order determined by
/// `seed`; at most `max_variants` of them (0 = all). Deterministic on every platform.
std::vector<Variant> enumerate_variants(const Workload& workload, std::size_t max_variants = 0,
                                        std::uint64_t seed = 1);

} // namespace simtune
