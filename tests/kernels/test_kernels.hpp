#pragma once
// The small C kernels of tests/kernels/, with their buffer descriptions, for tests and benchmarks
// of every simulator. Sources are read from the source tree (SIMTUNE_SOURCE_DIR).
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/build.hpp"
#include "simtune/error.hpp"
#include "simtune/kernel.hpp"
#include "simtune/target.hpp"

namespace simtune::test_kernels {

struct TestKernel {
    std::string_view file; ///< under tests/kernels/
    std::string_view spec; ///< format_buffer_spec form
};

inline constexpr TestKernel gemm{"gemm.c", "A:f32:2304:in;B:f32:2304:in;C:f32:2304:out"};
inline constexpr TestKernel conv2d{"conv2d.c", "input:f32:2592:in;weights:f32:576:in;output:f32:2048:out"};
inline constexpr TestKernel depthwise_conv{"depthwise_conv.c",
                                           "input:f32:10816:in;weights:f32:144:in;output:f32:9216:out"};
inline constexpr TestKernel segfault{"segfault.c", "a:f32:16:inout"};
inline constexpr TestKernel spin{"spin.c", "a:f32:16:inout"};

inline constexpr TestKernel scan_memory{"scan_memory.c", "x:f32:4096:in;y:f32:4096:out"};
inline constexpr TestKernel scan_register{"scan_register.c", "x:f32:4096:in;y:f32:4096:out"};
inline constexpr TestKernel scale{"scale.c", "x:f32:4096:in;y:f32:4096:out"};
inline constexpr TestKernel compact_half{"compact_half.c", "x:f32:4096:in;y:f32:4096:out"};
inline constexpr TestKernel compact_all{"compact_all.c", "x:f32:4096:in;y:f32:4096:out"};
inline constexpr TestKernel chase_dependent{"chase_dependent.c", "x:f32:1048576:in;y:f32:1:out"};
inline constexpr TestKernel chase_independent{"chase_independent.c", "x:f32:1048576:in;y:f32:1:out"};

/// The kernels that compute something (every simulator must agree on them).
inline constexpr std::array<TestKernel, 3> compute_kernels{gemm, conv2d, depthwise_conv};

inline std::string read_source(const TestKernel& kernel) {
    const auto path = std::filesystem::path(SIMTUNE_SOURCE_DIR) / "tests" / "kernels" / kernel.file;
    std::ifstream in(path);
    if (!in) fail(ErrorKind::io, "cannot read test kernel {}", path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Builds a test kernel for `target` (cached by build_kernel). `flags` go after the defaults.
inline KernelBinary build(const TestKernel& kernel, const Target& target, std::vector<std::string> flags = {}) {
    BuildOptions options;
    options.flags = std::move(flags);
    return build_kernel(read_source(kernel), parse_buffer_spec(kernel.spec), target, options);
}

/// A test kernel at other sizes: its size flags and the buffers they give.
struct SizedKernel {
    TestKernel kernel;
    std::vector<std::string> flags;
    std::string_view spec;
    [[nodiscard]] std::string name() const { return std::string(kernel.file.substr(0, kernel.file.find('.'))); }
};

/// bench_qemu's kernels: 38-274 M instructions, long enough for QEMU's start-up (~0.05 s) to be a
/// small part of a run and for sampled statistics (SamplingOptions' defaults) to have many windows.
inline std::vector<SizedKernel> large_kernels() {
    return {{gemm, {"-DM=256", "-DN=256", "-DK=256"}, "A:f32:65536:in;B:f32:65536:in;C:f32:65536:out"},
            {conv2d,
             {"-DCI=32", "-DCO=32", "-DH=58", "-DW=58"},
             "input:f32:107648:in;weights:f32:9216:in;output:f32:100352:out"}};
}

inline KernelBinary build(const SizedKernel& sized, const Target& target, BuildOptions options = {}) {
    options.flags.insert(options.flags.end(), sized.flags.begin(), sized.flags.end());
    return build_kernel(read_source(sized.kernel), parse_buffer_spec(sized.spec), target, options);
}

} // namespace simtune::test_kernels
