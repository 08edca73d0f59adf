// Runs a kernel once and reads its output tensor back: Unicorn returns the buffers; natively the
// harness writes every buffer to the --dump file, the output last.
#include "verify.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include <simtune/collectors/collector_set.hpp>
#include <simtune/error.hpp>
#include <simtune/process.hpp>
#include <simtune/simulators/unicorn.hpp>
#include <simtune/util.hpp>

namespace tiny {

namespace fs = std::filesystem;
using simtune::ErrorKind;
using simtune::fail;

std::vector<float> run_output(const simtune::KernelBinary& kernel, const simtune::Target& target,
                              const std::string& method) {
    const auto& out_spec = kernel.buffers().back();
    std::vector<float> out(out_spec.count);
    if (method == "unicorn") {
        simtune::UnicornSimulator unicorn;
        simtune::CollectorSet none;
        const auto sim = unicorn.run(kernel, target, none);
        if (sim.buffers.size() != kernel.buffers().size() || sim.buffers.back().size() != out_spec.bytes())
            fail(ErrorKind::invalid_output, "{}: Unicorn returned no output tensor", kernel.path().string());
        std::memcpy(out.data(), sim.buffers.back().data(), out_spec.bytes());
        return out;
    }
    if (method != "native") fail(ErrorKind::invalid_argument, "unknown check method '{}'", method);
    if (!target.native) fail(ErrorKind::invalid_argument, "{} binaries do not run on this machine", target.name);
    static std::atomic<unsigned> counter{0};
    const auto dump = fs::temp_directory_path() / fmt::format("tiny-compiler-{}-{}.bin", ::getpid(), counter++);
    const auto r = simtune::run_process({kernel.path().string(), "--dump", dump.string()});
    if (!r.ok()) fail(ErrorKind::simulation_fault, "{} --dump: {}", kernel.path().string(), r.describe());
    const std::string bytes = simtune::read_file(dump, "the --dump file");
    fs::remove(dump);
    if (bytes.size() < out_spec.bytes())
        fail(ErrorKind::invalid_output, "{}: the --dump file is too short", kernel.path().string());
    std::memcpy(out.data(), bytes.data() + bytes.size() - out_spec.bytes(), out_spec.bytes());
    return out;
}

OutputCheck compare_outputs(const std::string& name, const std::string& method, const std::vector<float>& reference,
                            const std::vector<float>& candidate) {
    OutputCheck c{name, method};
    if (reference.size() != candidate.size())
        fail(ErrorKind::invalid_output, "{}: {} output elements, the naive schedule has {}", name, candidate.size(),
             reference.size());
    double magnitude = 0;
    for (float x : reference) magnitude = std::max(magnitude, static_cast<double>(std::abs(x)));
    if (magnitude == 0) fail(ErrorKind::invalid_output, "the naive schedule's output is all zero: nothing to compare");
    c.tolerance = 1e-5 * magnitude;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const double d = std::abs(static_cast<double>(reference[i]) - candidate[i]);
        if (!(d <= c.max_abs_diff)) c.max_abs_diff = std::isnan(d) ? INFINITY : d;
    }
    c.ok = c.max_abs_diff <= c.tolerance;
    return c;
}

} // namespace tiny
