#pragma once
// Correctness: every schedule must compute what the naive loop nest computes. The check runs
// built candidates under the Unicorn simulator (which reads every buffer back, on all three ISAs)
// and, for a target that runs on this machine, natively through the harness's --dump, and compares
// each one's output tensor with the naive candidate's.
#include <string>
#include <vector>

#include <simtune/kernel.hpp>
#include <simtune/target.hpp>

namespace tiny {

struct OutputCheck {
    std::string name;        ///< the candidate checked
    std::string method;      ///< "unicorn" or "native"
    double max_abs_diff = 0; ///< largest |candidate - naive| over the output tensor
    double tolerance =
        0; ///< what was allowed: 1e-5 relative to the output's largest magnitude (rounding of reordered sums)
    bool ok = false;
};

/// The output tensor (the last buffer) of one run of `kernel`, by `method`.
std::vector<float> run_output(const simtune::KernelBinary& kernel, const simtune::Target& target,
                              const std::string& method);

/// Compares `candidate` against the reference output (the naive candidate's).
OutputCheck compare_outputs(const std::string& name, const std::string& method, const std::vector<float>& reference,
                            const std::vector<float>& candidate);

} // namespace tiny
