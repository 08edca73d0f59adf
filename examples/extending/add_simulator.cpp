// Adding a simulator: a type modelling Simulator (concepts.hpp) — a static name and run(). This one
// wraps UnicornSimulator and logs every run; a new engine would decode each block once with
// Classifier (isa/classify.hpp) and feed the CollectorSet it is given. AnySimulator erases the type,
// so a Tuner runs it on its pool, one simulator per worker.
#include <simtune/simtune.hpp>

using namespace simtune;

class LoggingSimulator {
public:
    static constexpr std::string_view name = "logging-unicorn";

    SimulationResult run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors) {
        SimulationResult result = unicorn_.run(kernel, target, collectors);
        fmt::print("  {}: {} instructions in {:.1f} ms\n", name, result.stats.instructions, result.seconds * 1e3);
        return result;
    }

private:
    UnicornSimulator unicorn_;
};
static_assert(Simulator<LoggingSimulator>);

int main() try {
    const Target target = host_x86_64();
    const TargetModel model = default_model(target); // trained on Unicorn statistics
    TunerOptions options;
    options.pool.collectors = model.collectors; // collect what the model was trained on
    const SimulatorFactory make = [] { return AnySimulator(LoggingSimulator{}); }; // one per worker
    Tuner tuner(target, make, model.scorer, options);

    std::vector<Candidate> candidates; // one kernel, unrolled 1 and 8 times
    for (int unroll : {1, 8})
        candidates.push_back(Candidate::from_source(
            fmt::format("unroll{}", unroll),
            fmt::format("void simtune_kernel(const float* x, float* y) {{\n#pragma GCC unroll {}\n"
                        "  for (int i = 0; i < 8192; ++i) y[i] = 2.0f * x[i] + 1.0f;\n}}\n",
                        unroll),
            parse_buffer_spec("x:f32:8192:in;y:f32:8192:out")));
    const std::vector<CandidateResult> ranking = tuner.rank(candidates);
    require_a_ranked_candidate(ranking);
    for (const CandidateResult& r : ranking) fmt::print("{:>10.3g} s  {}\n", r.predicted_seconds, r.name);
} catch (const Error& e) {
    fmt::print(stderr, "add_simulator: {}\n", e.what());
    return 1;
}
