#pragma once
// The front end: a one-line operator description → an Operator.
//
//   gemm M=64 N=64 K=64
//   conv2d N=1 H=28 W=28 C=16 K=32 R=3 S=3 stride=1 pad=1 layout=nhwc
//
// Words are separated by blanks; the first names the operator, the rest are key=value. Every key
// of the operator is required except those with a default (conv2d: N=1 stride=1 pad=0
// layout=nhwc). Anything else — an unknown operator or key, a repeated key, a value that is not a
// positive integer, a filter larger than the padded input — is an Error(invalid_argument) that
// names the word at fault.
#include <map>
#include <string>
#include <string_view>

namespace tiny {

enum class OpName {
    gemm,
    conv2d
};
enum class Layout {
    nhwc,
    nchw
};

struct Operator {
    OpName op = OpName::gemm;
    std::map<std::string, int> dims; ///< gemm: M N K; conv2d: N H W C K R S stride pad
    Layout layout = Layout::nhwc;    ///< conv2d only
    std::string text;                ///< the description as given, normalised (one blank between words)

    [[nodiscard]] int dim(const std::string& name) const { return dims.at(name); }
    /// conv2d output height / width: (H + 2 pad - R) / stride + 1.
    [[nodiscard]] int out_h() const;
    [[nodiscard]] int out_w() const;
};

/// Parses one description (see above). `origin` names where it came from, for messages.
Operator parse_operator(std::string_view text, std::string_view origin = "description");
/// Reads a file holding one description (blank lines and lines starting with '#' ignored).
Operator parse_operator_file(const std::string& path);

} // namespace tiny
