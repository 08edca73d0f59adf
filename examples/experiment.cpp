// The paper's experiment on this machine (its x86-64 CPU is the target; native times are ground
// truth): build a dataset of workload variants with simulator statistics and native times, then
// report how well ridge and gradient-boosted trees rank unseen variants.
//
//   example_experiment [--variants N] [--workloads all|corpus|a,b] [--simulators unicorn,qemu]
//                      [--passes P] [--ms M] [--out DIR] [--gbt-rounds R] [--models a,b]
//                      [--ablate prefix,prefix] [--protocols within,lofo] [--gbt-depth D]
//                      [--save-model FILE [--model KIND] [--model-simulator unicorn|qemu]]
// --save-model trains one model on every row of the dataset and saves it for predict(); this is
// how models/host-x86-64.model was made (see benchmarks/RESULTS.md).
// Defaults are the small version the README's main command runs (a few minutes).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include <simtune/research.hpp>
#include <simtune/tuning/dataset.hpp>
#include <simtune/tuning/experiment.hpp>

namespace fs = std::filesystem;

static std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto comma = std::min(s.find(',', start), s.size());
        if (comma > start) out.push_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

int main(int argc, char** argv) try {
    std::size_t variants = 40;
    std::string workloads = "all", simulators = "unicorn,qemu";
    int passes = 4, rounds = 200;
    double ms = 10;
    fs::path out = "simtune-experiment";
    std::optional<fs::path> save_model;
    std::string model_kind = "ridge", model_simulator = "unicorn";
    std::optional<std::string> models, ablations, protocols;
    int depth = 6;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw simtune::Error(simtune::ErrorKind::invalid_argument, a + " needs a value");
            return argv[++i];
        };
        if (a == "--variants") variants = std::stoul(value());
        else if (a == "--workloads") workloads = value();
        else if (a == "--simulators") simulators = value();
        else if (a == "--passes") passes = std::stoi(value());
        else if (a == "--ms") ms = std::stod(value());
        else if (a == "--out") out = value();
        else if (a == "--gbt-rounds") rounds = std::stoi(value());
        else if (a == "--models") models = value();
        else if (a == "--ablate") ablations = value();
        else if (a == "--protocols") protocols = value();
        else if (a == "--gbt-depth") depth = std::stoi(value());
        else if (a == "--save-model") save_model = value();
        else if (a == "--model") model_kind = value();
        else if (a == "--model-simulator") model_simulator = value();
        else {
            fmt::print(stderr, "usage: {} [--variants N] [--workloads all|corpus|a,b] [--simulators unicorn,qemu] [--passes P] [--ms M] [--out DIR] [--gbt-rounds R] [--models a,b] [--ablate prefix,...] [--protocols within,lofo] [--gbt-depth D]\n", argv[0]);
            return 2;
        }
    }
    std::vector<simtune::Workload> chosen;
    if (workloads == "all") chosen = simtune::builtin_workloads();
    else if (workloads == "corpus") chosen = simtune::corpus_workloads();
    else
        for (const auto& w : split(workloads)) chosen.push_back(simtune::workload_by_name(w));

    fs::create_directories(out);
    simtune::DatasetOptions options;
    options.simulators = split(simulators);
    options.variants_per_workload = variants;
    options.native.passes = passes;
    options.native.ms_per_measurement = ms;
    const bool tty = ::isatty(2);
    options.progress = [tty, last = std::string()](std::string_view phase, std::size_t done, std::size_t total) mutable {
        const auto line = fmt::format("{}: {}/{}", phase, done, total);
        if (tty) fmt::print(stderr, "\r{:<40}", line);
        else if (done == total || done % 50 == 0) fmt::print(stderr, "{}\n", line);
        last = line;
    };
    const auto host = simtune::host_x86_64();
    const auto start = std::chrono::steady_clock::now();
    const auto dataset = simtune::build_dataset(chosen, host, options, out / "dataset.csv",
                                                [](const std::string& key, const std::string& error) {
                                                    fmt::print(stderr, "\nskipped {}: {}\n", key, error);
                                                });
    const double dataset_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty) fmt::print(stderr, "\n");

    // Cost of evaluating the space natively vs by simulation (the dataset records both).
    std::map<std::string, double> sim_time;
    double native_time = 0, spread = 0;
    for (const auto& r : dataset.rows) {
        for (const auto& [s, t] : r.simulation_seconds) sim_time[s] += t;
        spread += r.spread;
    }
    native_time = static_cast<double>(dataset.rows.size()) * passes * (ms / 1000.0);

    simtune::ExperimentOptions eo;
    eo.gbt_rounds = rounds;
    eo.family_of = simtune::workload_family; // leave one operator family out, not one shape
    if (models) eo.models = split(*models);
    if (ablations) eo.ablations = split(*ablations);
    if (protocols) eo.protocols = split(*protocols);
    eo.gbt_depth = depth;
    const auto results = simtune::run_experiment(dataset, eo);
    const auto table = simtune::experiment_table(results);
    simtune::save_experiment_points(results, out / "points.csv");
    std::ofstream(out / "table.md") << table;

    fmt::print("simtune experiment on {} ({} variants in {} workloads, simulators {}; dataset built in {:.0f} s)\n\n",
               host.name, dataset.rows.size(), dataset.workloads().size(), simulators, dataset_seconds);
    fmt::print("{}\n", table);
    fmt::print("native timing: {} passes x {} ms per variant; mean spread over passes {:.1f} %\n", passes, ms,
               100 * spread / static_cast<double>(std::max<std::size_t>(dataset.rows.size(), 1)));
    for (const auto& [s, t] : sim_time) fmt::print("simulation ({}, build included): {:.1f} s of worker time\n", s, t);
    if (save_model) {
        const auto data = dataset.training_set(model_simulator);
        const std::string trained_for = simtune::model_tag(host.name, simtune::parse_simulator_kind(model_simulator));
        simtune::train_model(model_kind, data, eo, trained_for).save(*save_model);
        fmt::print("saved a {} model trained on {} rows of {} statistics to {}\n", model_kind, data.rows(), model_simulator,
                   save_model->string());
    }
    fmt::print("native measurement budget: {:.1f} s\nfiles: {}\n", native_time, (out / "table.md").string());
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
