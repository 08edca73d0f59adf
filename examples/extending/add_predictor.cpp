// Adding a predictor: a type modelling Predictor (concepts.hpp) — fit, predict, save, load — saved in
// simtune's model-file format. This one learns seconds = a × instructions by least squares.
#include <simtune/predictors/model_file.hpp>
#include <simtune/predictors/synthetic.hpp>
#include <simtune/simtune.hpp>

using namespace simtune;

class PerInstruction {
public:
    // Rows are raw counters in Stats::feature_names() order (datasets, synthetic_training_set and
    // make_scorer all use it), so column 0 is `instructions`.
    void fit(const TrainingSet& data) {
        if (data.feature_names.empty() || data.feature_names[0] != "instructions")
            fail(ErrorKind::invalid_data, "PerInstruction: column 0 must be 'instructions'");
        const Eigen::VectorXd x = data.features.col(0);
        a_ = x.dot(data.seconds) / x.squaredNorm();
    }
    [[nodiscard]] double predict(std::span<const double> row) const { return a_ * row[0]; }
    void save(const std::filesystem::path& file) const {
        ModelWriter out("per-instruction");
        out.provenance(""); // the simtune version; no target
        out.number("seconds_per_instruction", a_);
        out.save(file);
    }
    static PerInstruction load(const std::filesystem::path& file) {
        ModelReader in(file, "per-instruction"); // checks the header and the kind
        (void)in.provenance();
        PerInstruction p;
        p.a_ = in.number("seconds_per_instruction");
        in.finish();
        return p;
    }

private:
    double a_ = 0;
};
static_assert(Predictor<PerInstruction>);

int main() try {
    PerInstruction trained;
    trained.fit(synthetic_training_set({.groups = 20, .candidates_per_group = 50}));
    trained.save("per-instruction.model"); // a five-line text file, left to be read
    // A Scorer is what Tuner and predict() take (inside a TargetModel, with the simulator and the
    // collectors the training statistics came from).
    const Scorer scorer =
        make_scorer(std::make_shared<const PerInstruction>(PerInstruction::load("per-instruction.model")));

    // Rank the candidates of unseen workloads: each row becomes the Stats a simulation would give.
    const TrainingSet unseen = synthetic_training_set({.groups = 5, .candidates_per_group = 50, .seed = 2});
    std::vector<double> predicted;
    for (Eigen::Index row = 0; row < unseen.rows(); ++row) {
        Stats stats;
        for (Eigen::Index c = 0; c < unseen.features.cols(); ++c)
            stats.counter(static_cast<std::size_t>(c)) = static_cast<std::uint64_t>(unseen.features(row, c));
        predicted.push_back(scorer(stats));
    }
    const std::span<const double> actual(unseen.seconds.data(), predicted.size());
    fmt::print("{}", metrics_by_group(predicted, actual, unseen.groups).to_string());
} catch (const Error& e) {
    fmt::print(stderr, "add_predictor: {}\n", e.what());
    return 1;
}
