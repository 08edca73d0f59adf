// Builds one GEMM kernel for the three built-in targets, runs each binary (natively or under the
// target's QEMU) and checks every output against the native x86-64 one.
//
//   build/release/examples/example_build_three_targets
#include <cmath>
#include <cstring>
#include <fstream>

#include <simtune/research.hpp>

namespace fs = std::filesystem;

static const char* gemm = R"(
#define N 64
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < N; ++i)
        for (int k = 0; k < N; ++k)
            for (int j = 0; j < N; ++j)
                c[i * N + j] += a[i * N + k] * b[k * N + j];
}
)";

static std::vector<float> run(const simtune::KernelBinary& k, const simtune::Target& t, const fs::path& dump) {
    std::vector<std::string> argv;
    if (!t.native) argv.push_back(t.qemu_binary);
    argv.insert(argv.end(), {k.path().string(), "--dump", dump.string()});
    const auto r = simtune::run_process(argv);
    if (!r.ok()) throw simtune::Error(simtune::ErrorKind::simulation_fault, r.describe() + ": " + r.err);
    std::ifstream in(dump, std::ios::binary);
    std::vector<float> all(3 * 64 * 64);
    in.read(reinterpret_cast<char*>(all.data()), static_cast<std::streamsize>(all.size() * sizeof(float)));
    return {all.begin() + 2 * 64 * 64, all.end()};
}

int main() try {
    const std::vector<simtune::BufferSpec> buffers{{"a", simtune::ElemType::f32, 64 * 64, simtune::BufferRole::input},
                                                   {"b", simtune::ElemType::f32, 64 * 64, simtune::BufferRole::input},
                                                   {"c", simtune::ElemType::f32, 64 * 64, simtune::BufferRole::output}};
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-example-{}", ::getpid());
    fs::create_directories(dir);
    std::vector<float> reference;
    int failures = 0;
    for (const auto& target : simtune::builtin_targets()) {
        const auto kernel = simtune::build_kernel(gemm, buffers, target);
        const auto c = run(kernel, target, dir / target.name);
        if (reference.empty()) reference = c;
        double worst = 0;
        for (std::size_t i = 0; i < c.size(); ++i)
            worst =
                std::max(worst, std::abs(double(c[i]) - reference[i]) / std::max(1.0, std::abs(double(reference[i]))));
        const bool ok = worst < 1e-5;
        failures += !ok;
        fmt::print("{:<12} {:<8} {:<28} max rel. diff vs native x86-64 {:.2e}  {}\n", target.name, target.isa,
                   target.native ? "native" : target.qemu_binary, worst, ok ? "ok" : "MISMATCH");
    }
    fs::remove_all(dir);
    return failures ? 1 : 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
