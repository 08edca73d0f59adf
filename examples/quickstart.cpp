// Quickstart, C++: build a kernel, predict its run time, rank a few candidates with Tuner.
#include <simtune/simtune.hpp>
#include <simtune/tuning/workloads.hpp> // the built-in GEMM of step 3 (research tooling)

int main() try {
    using namespace simtune;
    const Target target = host_x86_64(); // or cortex_a72(), sifive_u74()

    // 1. A C kernel and its buffers → a kernel binary for the target.
    const KernelBinary add = build_kernel(R"(
        void simtune_kernel(const float* a, const float* b, float* c) {
            for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i];
        })",
                                          parse_buffer_spec("a:f32:4096:in;b:f32:4096:in;c:f32:4096:out"), target);

    // 2. One call: simulate it and score it with the target's default model.
    const Prediction p = predict(add, target);
    fmt::print("add: {:.3g} s per call ({} instructions simulated)\n", p.seconds, p.stats.instructions);

    // 3. Rank 8 schedules of a built-in GEMM by predicted time, in parallel.
    Tuner tuner(target, default_model(target));
    std::vector<Candidate> candidates;
    for (const Variant& v : enumerate_variants(workload_by_name("gemm-128x128x128"), 8))
        candidates.push_back(Candidate::from_source(v.key(), v.source, v.buffers, v.flags));
    for (const CandidateResult& r : tuner.rank(candidates))
        fmt::print("{:>12.3g} s  {}{}\n", r.predicted_seconds, r.name, r.ok() ? "" : "  failed: " + r.error);
} catch (const simtune::Error& e) {
    fmt::print(stderr, "quickstart: {}\n", e.what());
    return 1;
}
