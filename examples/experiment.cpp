// The paper's experiment on this machine (its x86-64 CPU is the target; native times are ground
// truth): build a dataset of workload variants with simulator statistics and native times, then
// report how well ridge and gradient-boosted trees rank unseen variants.
//
// It prints, in this order: a headline — per workload, simtune's pick (the variant the headline
// model ranks first when it never saw the workload's operator family), the pick's measured time
// against the true best, and what simulating every variant cost against timing every variant
// natively; the native timing's resolution; the full table; where the files are.
//
//   example_experiment [--variants N] [--workloads all|corpus|a,b] [--simulators unicorn,qemu]
//                      [--passes P] [--ms M] [--max-spread B] [--huge-pages] [--out DIR]
//                      [--gbt-rounds R] [--models a,b] [--ablate prefix,prefix]
//                      [--protocols within,lofo] [--gbt-depth D] [--anchor A] [--seed S] [--near-tie PCT]
//                      [--headline-model KIND] [--headline-simulator unicorn|qemu]
//                      [--save-model FILE [--model KIND] [--model-simulator unicorn|qemu]]
//                      [--add-dataset FILE@TAG ...] [--train-on TAG,TAG]
// --seed seeds the models' randomness (the pairwise trees' sampled pairs): the spread over seeds is
// how far two models' tables can differ by training alone.
// --anchor sets the relative models' anchor (a column or a weighted sum, e.g. mca_cycles).
// --near-tie PCT also judges every model under the near-tie gate ("<model> gated PCT%": it orders only
// the variants the cycle estimate prices within PCT % of its cheapest; tuning/near_tie_gate.hpp).
// --max-spread is the noise gate's bound (0: off); --huge-pages times with the harness's buffers
// on transparent huge pages.
// --add-dataset appends another dataset's rows (e.g. the same variants measured and simulated on
// another machine) with their workloads renamed WORKLOAD@TAG; they belong to WORKLOAD's family.
// --train-on limits lofo's training rows to those tags ('-': the rows of DIR/dataset.csv): train
// on one machine, rank the held-out family as another machine measured and simulated it.
// --save-model trains one model on every row of the dataset and saves it for predict(); this is
// how models/host-x86-64.model was made (see benchmarks/RESULTS.md).
// Defaults are the small version the README's main command runs (a few minutes).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>

#include <simtune/research.hpp>
#include <simtune/tuning/dataset.hpp>
#include <simtune/tuning/experiment.hpp>
#include <simtune/util.hpp>

namespace fs = std::filesystem;

namespace {

std::string duration(double seconds) {
    if (!(seconds > 0)) return "unknown";
    if (seconds < 1e-3) return fmt::format("{:.1f} µs", seconds * 1e6);
    if (seconds < 1) return fmt::format("{:.2f} ms", seconds * 1e3);
    return fmt::format("{:.1f} s", seconds);
}

std::string percent(double v) { return std::isnan(v) ? std::string("unknown") : fmt::format("{:.1f} %", 100 * v); }

/// The headline: per workload, the headline model's pick against the true best, and the cost of
/// simulating every variant against timing every variant natively.
std::string headline(const simtune::Dataset& dataset, const std::vector<simtune::ExperimentResult>& results,
                     const std::string& protocol, const std::string& simulator, const std::string& model) {
    std::string out =
        fmt::format("| workload | simtune's pick | its time | true best | pick vs best | pick's true rank | "
                    "simulating all ({}) | timing all natively |\n|---|---|---|---|---|---|---|---|\n",
                    simulator);
    std::size_t ties = 0, n = 0;
    double regret_sum = 0, sim_all = 0, native_all = 0;
    for (const auto& r : results) {
        if (r.protocol != protocol || r.simulator != simulator || r.model != model) continue;
        // The pick: the smallest prediction (of a prediction tie the slowest, as the metrics charge it).
        std::size_t pick = 0;
        for (std::size_t i = 1; i < r.predicted.size(); ++i)
            if (r.predicted[i] < r.predicted[pick] ||
                (r.predicted[i] == r.predicted[pick] && r.measured[i] > r.measured[pick]))
                pick = i;
        const double best = *std::ranges::min_element(r.measured), mine = r.measured[pick];
        std::size_t rank = 1;
        for (double m : r.measured) rank += m < mine;
        const double excess = mine / best - 1;
        const bool tie = r.ties && mine <= best * (1 + r.resolution);
        double sim = 0, native = 0;
        bool native_known = true;
        for (const auto& row : dataset.rows)
            if (row.workload == r.workload) {
                if (auto it = row.simulation_seconds.find(simulator); it != row.simulation_seconds.end())
                    sim += it->second;
                native += row.native_seconds;
                native_known = native_known && row.native_seconds > 0;
            }
        ++n;
        ties += tie ? 1 : 0;
        regret_sum += tie ? 0 : excess;
        sim_all += sim;
        native_all += native_known ? native : 0;
        out += fmt::format(
            "| {} | {} | {} | {} | {} | {} of {} | {} | {} |\n", r.workload, r.variants[pick], duration(mine),
            duration(best),
            excess == 0 ? std::string("the true best")
            : tie       ? fmt::format("+{:.1f} %, a tie (resolution {:.1f} %)", 100 * excess, 100 * r.resolution)
                        : fmt::format("+{:.1f} %", 100 * excess),
            rank, r.measured.size(), duration(sim), native_known ? duration(native) : std::string("unknown"));
    }
    if (n == 0)
        return fmt::format("(no {} results of model {} with {} statistics: no headline)\n", protocol, model, simulator);
    out += fmt::format(
        "\nThe pick is the true best or tied with it (within the measured resolution) on {} of {} workloads; "
        "mean regret {:.1f} %. Simulating every variant took {} of worker time (build included), timing "
        "every variant natively {}.\n",
        ties, n, 100 * regret_sum / static_cast<double>(n), duration(sim_all),
        native_all > 0 ? duration(native_all) : std::string("an unknown time (times reused from an older dataset)"));
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    std::size_t variants = 40;
    std::string workloads = "all", simulators = "unicorn,qemu";
    // Native timing defaults: many short processes (the variation is from process to process, so
    // passes buy more resolution than milliseconds) and the noise gate at a 5 % spread; huge pages
    // stay off (no clear gain measured). benchmarks/RESULTS.md, "Timings that can be trusted".
    int passes = 8, rounds = 200;
    double ms = 5, max_spread = 0.05;
    bool huge_pages = false;
    std::string headline_model(simtune::shipped_model_recipe), headline_simulator = "unicorn";
    fs::path out = "simtune-experiment";
    std::optional<fs::path> save_model;
    std::string model_kind = "ridge", model_simulator = "unicorn";
    std::optional<std::string> models, ablations, protocols;
    int depth = 6;
    std::optional<std::uint64_t> seed;
    std::string anchor; // empty: relative_anchor() (MCA cycles, else instructions)
    std::vector<double> near_tie_windows;
    // --add-dataset FILE@TAG, in order
    std::vector<std::pair<fs::path, std::string>> added;
    std::optional<std::string> train_on;
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
        else if (a == "--max-spread") max_spread = std::stod(value());
        else if (a == "--huge-pages") huge_pages = true;
        else if (a == "--headline-model") headline_model = value();
        else if (a == "--headline-simulator") headline_simulator = value();
        else if (a == "--out") out = value();
        else if (a == "--gbt-rounds") rounds = std::stoi(value());
        else if (a == "--models") models = value();
        else if (a == "--ablate") ablations = value();
        else if (a == "--protocols") protocols = value();
        else if (a == "--gbt-depth") depth = std::stoi(value());
        else if (a == "--anchor") anchor = value();
        else if (a == "--near-tie") near_tie_windows.push_back(std::stod(value()) / 100);
        else if (a == "--seed") seed = std::stoull(value());
        else if (a == "--save-model") save_model = value();
        else if (a == "--model") model_kind = value();
        else if (a == "--model-simulator") model_simulator = value();
        else if (a == "--add-dataset") {
            const auto v = value();
            const auto at = v.rfind('@');
            if (at == std::string::npos || at == 0 || at + 1 == v.size() ||
                v.find_first_of("@/,", at + 1) != std::string::npos)
                throw simtune::Error(simtune::ErrorKind::invalid_argument,
                                     "--add-dataset needs FILE@TAG (TAG without '@', '/' or ','), got '" + v + "'");
            added.emplace_back(v.substr(0, at), v.substr(at + 1));
        } else if (a == "--train-on") train_on = value();
        else {
            fmt::print(stderr,
                       "usage: {} [--variants N] [--workloads all|corpus|a,b] [--simulators unicorn,qemu] [--passes P] "
                       "[--ms M] [--max-spread B] [--huge-pages] [--out DIR] [--gbt-rounds R] [--models a,b] [--ablate "
                       "prefix,...] [--protocols within,lofo] [--gbt-depth D] [--anchor A] [--seed S] [--near-tie PCT] "
                       "[--headline-model KIND] "
                       "[--headline-simulator S] [--save-model FILE [--model KIND] [--model-simulator S]] "
                       "[--add-dataset FILE@TAG] [--train-on TAG,TAG]\n",
                       argv[0]);
            return 2;
        }
    }
    std::vector<simtune::Workload> chosen;
    if (workloads == "all") chosen = simtune::builtin_workloads();
    else if (workloads == "corpus") chosen = simtune::corpus_workloads();
    else
        for (const auto& w : simtune::split_list(workloads)) chosen.push_back(simtune::workload_by_name(w));

    fs::create_directories(out);
    simtune::DatasetOptions options;
    options.simulators = simtune::split_list(simulators);
    options.variants_per_workload = variants;
    options.native.passes = passes;
    options.native.ms_per_measurement = ms;
    options.native.max_spread = max_spread;
    options.native.huge_pages = huge_pages;
    const bool tty = ::isatty(2);
    std::size_t processes = 0; // native timing processes run (the noise gate's included)
    options.progress = [tty, &processes, last = std::string()](std::string_view phase, std::size_t done,
                                                               std::size_t total) mutable {
        if (phase == "measure") processes = std::max(processes, done);
        const auto line = fmt::format("{}: {}/{}", phase, done, total);
        if (tty) fmt::print(stderr, "\r{:<40}", line);
        else if (done == total || done % 50 == 0) fmt::print(stderr, "{}\n", line);
        last = line;
    };
    const auto host = simtune::host_x86_64();
    const auto start = std::chrono::steady_clock::now();
    auto dataset = simtune::build_dataset(
        chosen, host, options, out / "dataset.csv",
        [](const std::string& key, const std::string& error) { fmt::print(stderr, "\nskipped {}: {}\n", key, error); });
    const double dataset_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty) fmt::print(stderr, "\n");

    for (const auto& [file, tag] : added) {
        auto more = simtune::Dataset::load_csv(file);
        if (more.counters != dataset.counters)
            throw simtune::Error(simtune::ErrorKind::invalid_data,
                                 fmt::format("--add-dataset {}: {} counters per simulator, {} has {}", file.string(),
                                             more.counters, (out / "dataset.csv").string(), dataset.counters));
        for (auto& r : more.rows) {
            r.workload += "@" + tag;
            dataset.rows.push_back(std::move(r));
        }
    }
    const auto tag_of = [](const std::string& workload) {
        const auto at = workload.find('@');
        return at == std::string::npos ? std::string("-") : workload.substr(at + 1);
    };

    std::size_t measured_rows = 0;
    for (const auto& r : dataset.rows) measured_rows += r.native_seconds > 0 ? 1 : 0;

    simtune::ExperimentOptions eo;
    eo.gbt_rounds = rounds;
    // Leave one operator family out, not one shape; WORKLOAD@TAG (--add-dataset) is WORKLOAD's family.
    eo.family_of = [](const std::string& w) { return simtune::workload_family(w.substr(0, w.find('@'))); };
    if (train_on) {
        const auto tags = simtune::split_list(*train_on);
        eo.trainable = [tags, tag_of](const simtune::DatasetRow& r) {
            return std::ranges::find(tags, tag_of(r.workload)) != tags.end();
        };
    }
    if (models) eo.models = simtune::split_list(*models);
    if (ablations) eo.ablations = simtune::split_list(*ablations);
    if (protocols) eo.protocols = simtune::split_list(*protocols);
    eo.gbt_depth = depth;
    if (seed) eo.seed = *seed;
    eo.anchor = anchor;
    eo.near_tie_windows = near_tie_windows;
    if (std::ranges::find(eo.models, headline_model) == eo.models.end()) eo.models.push_back(headline_model);
    const std::string headline_protocol =
        std::ranges::find(eo.protocols, "lofo") != eo.protocols.end() ? "lofo" : "within";
    const auto results = simtune::run_experiment(dataset, eo);
    const auto table = simtune::experiment_table(results);
    simtune::save_experiment_points(results, out / "points.csv");
    std::ofstream(out / "table.md") << table;

    // The resolution the native timing reached, per workload and over the whole dataset.
    std::vector<double> resolutions, spreads;
    std::string per_workload;
    for (const auto& w : dataset.workloads()) {
        const auto h = simtune::workload_resolution(dataset, w);
        if (!std::isnan(h.median_relative_diff)) resolutions.push_back(h.median_relative_diff);
        per_workload += fmt::format("{}{} {}", per_workload.empty() ? "" : ", ", w, percent(h.median_relative_diff));
    }
    std::size_t above = 0;
    for (const auto& r : dataset.rows) {
        spreads.push_back(r.spread);
        above += max_spread > 0 && r.spread > max_spread ? 1 : 0;
    }
    std::ranges::sort(resolutions);
    std::ranges::sort(spreads);
    const double mean_spread = std::accumulate(spreads.begin(), spreads.end(), 0.0) /
                               static_cast<double>(std::max<std::size_t>(spreads.size(), 1));
    const std::string protocol_text = headline_protocol == "lofo"
                                          ? "trained on the other operator families only"
                                          : "trained on a random half of the workload's own variants";

    fmt::print(
        "simtune on this machine's CPU ({}): {} variants of {} workloads built, simulated ({}) and timed natively "
        "in {:.0f} s\n\n",
        host.name, dataset.rows.size(), dataset.workloads().size(), simulators, dataset_seconds);
    fmt::print("## Headline: simtune's pick per workload\n\nThe pick is the variant the model {} ranks first from {} "
               "statistics, {}; its time and the true best are measured natively on this CPU.\n\n{}\n",
               headline_model, headline_simulator, protocol_text,
               headline(dataset, results, headline_protocol, headline_simulator, headline_model));
    fmt::print("## Native timing: what the ground truth can resolve\n\n");
    if (processes > 0)
        fmt::print("{} passes x {} ms per variant{}, noise gate at {:.0f} % spread: {} timing processes, {} of them "
                   "re-measuring noisy variants.\n",
                   passes, ms, huge_pages ? " on huge pages" : "", 100 * max_spread, processes,
                   processes - std::min(processes, measured_rows * static_cast<std::size_t>(passes)));
    else fmt::print("Times reused from {} (measured by an earlier run).\n", (out / "dataset.csv").string());
    if (measured_rows < dataset.rows.size())
        fmt::print(
            "{} of {} variants have no half times (an older dataset file): their workloads' resolution is unknown.\n",
            dataset.rows.size() - measured_rows, dataset.rows.size());
    fmt::print("Resolution (split-half median difference; variants closer than this to the true best count as tied "
               "with it): median over workloads {}, worst {} ({}).\n",
               resolutions.empty() ? "unknown" : percent(resolutions[resolutions.size() / 2]),
               resolutions.empty() ? "unknown" : percent(resolutions.back()), per_workload);
    fmt::print("Spread over passes ((median - min) / min per variant): median {}, mean {}; {} of {} variants above the "
               "{:.0f} % bound after the gate.\n\n",
               spreads.empty() ? "unknown" : percent(spreads[spreads.size() / 2]), percent(mean_spread), above,
               dataset.rows.size(), 100 * max_spread);
    fmt::print("## Every model and baseline, per workload\n\n{}\n", table);
    std::map<std::string, double> sim_time;
    for (const auto& r : dataset.rows)
        for (const auto& [name, secs] : r.simulation_seconds) sim_time[name] += secs;
    for (const auto& [name, secs] : sim_time)
        fmt::print("simulation ({}, build included): {:.1f} s of worker time\n", name, secs);
    if (save_model) {
        const auto data = dataset.training_set(model_simulator);
        const std::string trained_for = simtune::model_tag(host.name, simtune::parse_simulator_kind(model_simulator));
        simtune::train_model(model_kind, data, eo, trained_for).save(*save_model);
        fmt::print("saved a {} model trained on {} rows of {} statistics to {}\n", model_kind, data.rows(),
                   model_simulator, save_model->string());
    }
    fmt::print(
        "\nfiles: {} (the table), {} (predicted and measured times), {} (the dataset: statistics and native times)\n",
        (out / "table.md").string(), (out / "points.csv").string(), (out / "dataset.csv").string());
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
