// Adding a workload: a kernel of one's own with schedule knobs, generated as C source; every variant
// must compute what the naive one computes, and the Tuner ranks them by predicted time. (Written to
// DIR/<name>.c with a DIR/buffers.spec, the same variants are what `simtune tune DIR` takes.)
#include <simtune/simtune.hpp>

using namespace simtune;

// Column sums of a 256 x 256 matrix. Knobs: the loop order and the inner loop's unrolling. Every
// order adds each column top to bottom, so every variant's result is bit-identical to the naive one.
std::string column_sums(bool rows_outer, int unroll) {
    constexpr const char* ij = R"(void simtune_kernel(const float* a, float* s) {{
    for (int j = 0; j < 256; ++j) s[j] = 0;
    for (int i = 0; i < 256; ++i)
#pragma GCC unroll {}
        for (int j = 0; j < 256; ++j) s[j] += a[i * 256 + j];
}})";
    constexpr const char* ji = R"(void simtune_kernel(const float* a, float* s) {{
    for (int j = 0; j < 256; ++j) {{
        float t = 0;
#pragma GCC unroll {}
        for (int i = 0; i < 256; ++i) t += a[i * 256 + j];
        s[j] = t;
    }}
}})";
    return fmt::format(fmt::runtime(rows_outer ? ij : ji), unroll);
}

int main() try {
    const Target target = host_x86_64();
    const std::vector<BufferSpec> buffers = parse_buffer_spec("a:f32:65536:in;s:f32:256:out");
    std::vector<Candidate> variants;
    for (bool rows_outer : {true, false})
        for (int unroll : {1, 4})
            variants.push_back(Candidate::from_source(fmt::format("{}-unroll{}", rows_outer ? "ij" : "ji", unroll),
                                                      column_sums(rows_outer, unroll), buffers));

    // The naive variant's output is the reference: UnicornSimulator reads the buffers back.
    UnicornSimulator check;
    CollectorSet none;
    const KernelBinary naive = build_kernel(column_sums(false, 1), buffers, target);
    const auto expected = check.run(naive, target, none).buffers;
    Tuner tuner(target, default_model(target));
    const std::vector<CandidateResult> ranking = tuner.rank(variants);
    for (const CandidateResult& r : ranking) {
        if (!r.ok() || check.run(*r.binary, target, none).buffers != expected)
            fail(ErrorKind::invalid_data, "variant {}: {}", r.name, r.ok() ? "differs from the naive one" : r.error);
        fmt::print("{:>10.3g} s  {}\n", r.predicted_seconds, r.name);
    }
} catch (const Error& e) {
    fmt::print(stderr, "add_workload: {}\n", e.what());
    return 1;
}
