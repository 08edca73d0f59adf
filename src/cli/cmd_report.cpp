// simtune report: model(s) against a dataset → markdown metrics and PNG plots.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "common.hpp"
#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/features.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/process.hpp"
#include "simtune/stats.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/tuning/near_tie_gate.hpp"
#include "simtune/util.hpp"

namespace simtune::cli {

namespace {

/// The plotting script: $SIMTUNE_PLOT_SCRIPT, else next to an installed simtune
/// (<prefix>/bin/simtune → <prefix>/share/simtune/), else the source tree's copy.
std::filesystem::path plot_script() {
    if (const char* env = std::getenv("SIMTUNE_PLOT_SCRIPT"); env && *env) return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path().parent_path() / "share" / "simtune" / "simtune_plot.py";
        if (std::filesystem::exists(installed)) return installed;
    }
    return SIMTUNE_PLOT_SCRIPT_SOURCE;
}

std::string fmt_metric(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "n/a"; }

Json metrics_json(const RankingMetrics& m) {
    auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
    return {{"candidates", m.candidates}, {"top_k_percent", num(m.top_k_percent)},
            {"regret", num(m.regret)},    {"spearman", num(m.spearman)},
            {"kendall", num(m.kendall)},  {"mape", num(m.mape)}};
}

void run_plot_script(const std::filesystem::path& data_file, const std::filesystem::path& out_dir) {
    const std::string python = "/usr/bin/python3";
    if (!program_exists(python))
        fail(ErrorKind::tool_missing, "plots need {} (Debian's python3 and python3-matplotlib)", python);
    const auto script = plot_script();
    if (!std::filesystem::exists(script))
        fail(ErrorKind::tool_missing, "the plotting script {} is missing", script.string());
    ProcessOptions options;
    options.timeout = std::chrono::minutes(5);
    const auto result = run_process({python, script.string(), data_file.string(), out_dir.string()}, options);
    if (result.exit_code == 4)
        fail(ErrorKind::tool_missing, "plots need matplotlib for {}: install python3-matplotlib (or use --no-plots)",
             python);
    if (!result.ok())
        fail(ErrorKind::invalid_output, "the plotting script failed ({}): {}", result.describe(), result.err);
}

/// Each workload's metrics, as report.md's rows and `--json`'s "workloads".
Json groups_json(const MetricsTable& table) {
    Json groups = Json::array();
    for (const auto& g : table.groups) {
        auto j = metrics_json(g.metrics);
        j["workload"] = g.group;
        groups.push_back(std::move(j));
    }
    return groups;
}

/// The untrained rankings every table keeps beside the models (benchmarks/RESULTS.md): what the
/// rows' own counters say with no training — the instruction count (the simplest baseline), MCA's
/// cycles and the cycle estimate (cycle_estimate()) — each as mean and worst over the workloads.
/// A counter the dataset never collected (all zero) is left out of the estimate, and MCA's cycles
/// are then no baseline. `rank_by` adds the user's own expressions of the counters (parse_anchor's
/// grammar, each labelled with itself), so a change to the estimate's physics is judged by the same
/// metrics, ties and rows as the baselines it would replace. Appends a markdown table; returns the
/// JSON of each baseline.
Json add_baselines(const Dataset& dataset, const std::string& simulator, std::span<const std::string> rank_by,
                   std::string& markdown) {
    const auto data = dataset.training_set(simulator);
    std::vector<std::string> collected;
    for (std::size_t c = 0; c < data.feature_names.size(); ++c)
        if (data.features.col(static_cast<Eigen::Index>(c)).maxCoeff() > 0) collected.push_back(data.feature_names[c]);
    auto has = [&](std::string_view name) { return std::ranges::find(collected, name) != collected.end(); };
    std::vector<std::pair<std::string, std::string>> baselines{{"instruction count", "instructions"}};
    if (has("mca_cycles")) baselines.emplace_back("MCA cycles", "mca_cycles");
    baselines.emplace_back("untrained cycle estimate", cycle_estimate(collected));
    for (const auto& expression : rank_by) baselines.emplace_back(expression, expression);

    markdown += fmt::format("\nBaselines, untrained, on the same rows ({} statistics):\n\n"
                            "| baseline | n | top-k % | regret | spearman | kendall | worst regret |\n"
                            "|---|---:|---:|---:|---:|---:|---:|\n",
                            simulator);
    Json out = Json::array();
    const std::vector<double> actual(data.seconds.begin(), data.seconds.end());
    for (const auto& [label, anchor] : baselines) {
        const auto table = metrics_by_group(anchor_values(anchor, data), actual, data.groups);
        markdown += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", label, table.mean.candidates,
                                fmt_metric(table.mean.top_k_percent, 1), fmt_metric(table.mean.regret, 3),
                                fmt_metric(table.mean.spearman, 3), fmt_metric(table.mean.kendall, 3),
                                fmt_metric(table.worst.regret, 3));
        out.push_back({{"name", label},
                       {"ranks_by", anchor},
                       {"simulator", simulator},
                       {"workloads", groups_json(table)},
                       {"mean", metrics_json(table.mean)},
                       {"worst", metrics_json(table.worst)}});
    }
    return out;
}

} // namespace

int cmd_report(std::span<const std::string> argv) {
    ArgParser args("simtune report", "[options] (--model FILE... | --rank-by EXPR...) DATASET.csv",
                   "Judges models on a dataset (best held out from training): per workload, where the truly fastest\n"
                   "variant lands in the predicted ranking (top-k %), the regret of picking the predicted best, rank\n"
                   "correlations and MAPE, beside the untrained baselines of the same rows (instruction count, MCA\n"
                   "cycles, the cycle estimate). Writes report.md and PNG plots (predicted vs measured per workload,\n"
                   "feature importance) into --out-dir, and prints the markdown tables.");
    args.positional("DATASET.csv", "a dataset written by 'simtune dataset'")
        .option("model", "FILE", "a model file written by 'simtune train'", std::nullopt, 'm', true)
        .option("rank-by", "EXPR",
                "also rank by EXPR, untrained, beside the baselines: counters joined by + and -, each with an\n"
                "optional weight, or max(A,B,...) (\"max(mca_cycles,dataflow_cycles)+15*branch_mispredicts\")",
                std::nullopt, 0, true)
        .option("simulator", "NAME",
                "whose statistics the baselines and --rank-by rank by (default: the first model's, else the "
                "dataset's first)")
        .option("out-dir", "DIR", "where report.md and the plots go", "simtune-report")
        .option("near-tie-window", "PCT",
                "also judge each model under the near-tie gate: it orders only the variants the cycle estimate "
                "prices within PCT % of its cheapest, the others after (0 = off)",
                "0")
        .flag("no-plots", "skip the PNG plots (no matplotlib needed)")
        .flag("json", "print a JSON object instead of the markdown");
    if (!args.parse(argv)) return exit_ok;
    const auto model_files = args.get_all("model");
    const auto rank_by = args.get_all("rank-by");
    if (model_files.empty() && rank_by.empty()) throw UsageError("give at least one --model FILE or --rank-by EXPR");
    const auto counter_names = Stats::feature_names();
    const std::vector<std::string> counters(counter_names.begin(), counter_names.end());
    for (const auto& expression : rank_by) // malformed: a usage error naming the term, before any work
        try {
            (void)parse_anchor(expression, counters);
        } catch (const Error& e) {
            throw UsageError(fmt::format("--rank-by: {}", e.what()));
        }

    const auto dataset = Dataset::load_csv(args.positionals().at(0));
    if (dataset.rows.empty()) fail(ErrorKind::invalid_data, "the dataset {} has no rows", args.positionals().at(0));
    const std::filesystem::path out_dir = args.get("out-dir");
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) fail(ErrorKind::io, "cannot create '{}': {}", out_dir.string(), ec.message());

    std::string markdown = fmt::format("# simtune report: {}\n\n{} rows, {} workloads\n\n", args.positionals().at(0),
                                       dataset.rows.size(), dataset.workloads().size());
    markdown += "| model | workload | n | top-k % | regret | spearman | kendall | MAPE % |\n"
                "|---|---|---:|---:|---:|---:|---:|---:|\n";
    Json models_json = Json::array(), plot_models = Json::array();
    std::string first_simulator; // the baselines' statistics
    const double window = args.get_double("near-tie-window", 0, 1000) / 100;
    for (const auto& file : model_files) {
        const auto target_model = load_target_model(file);
        const auto predictor = load_model(file);
        const std::string simulator(to_string(target_model.simulator)); // datasets name their simulators
        const auto available = dataset.simulators();
        if (std::ranges::find(available, simulator) == available.end())
            fail(ErrorKind::invalid_data, "{} scores {} stats, which the dataset lacks (it has: {})", file, simulator,
                 fmt::join(available, ", "));
        if (first_simulator.empty()) first_simulator = simulator;
        const auto data = dataset.training_set(simulator);
        std::vector<double> predicted, actual;
        for (Eigen::Index r = 0; r < data.rows(); ++r) {
            const auto& row = dataset.rows[static_cast<std::size_t>(r)];
            predicted.push_back(target_model.scorer(row.stats.at(simulator)));
            actual.push_back(data.seconds[r]);
        }
        const auto table = metrics_by_group(predicted, actual, data.groups);
        const auto name = std::filesystem::path(file).stem().string();
        auto add_rows = [&](const std::string& label, const MetricsTable& t) {
            for (const auto& g : t.groups)
                markdown += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", label, g.group,
                                        g.metrics.candidates, fmt_metric(g.metrics.top_k_percent, 1),
                                        fmt_metric(g.metrics.regret, 3), fmt_metric(g.metrics.spearman, 3),
                                        fmt_metric(g.metrics.kendall, 3), fmt_metric(g.metrics.mape, 1));
            markdown +=
                fmt::format("| {} | **mean** | {} | {} | {} | {} | {} | {} |\n", label, t.mean.candidates,
                            fmt_metric(t.mean.top_k_percent, 1), fmt_metric(t.mean.regret, 3),
                            fmt_metric(t.mean.spearman, 3), fmt_metric(t.mean.kendall, 3), fmt_metric(t.mean.mape, 1));
        };
        add_rows(name, table);
        Json gated_json; // after the model's own entry, so "models" keeps one entry per file first
        if (window > 0) {
            // The same model under the near-tie gate: a ranking by position, so no MAPE.
            if (!target_model.estimate)
                fail(ErrorKind::invalid_argument,
                     "--near-tie-window: {} does not read MCA's cycles, so it has no cycle estimate to gate with",
                     file);
            std::vector<double> estimate;
            for (std::size_t r = 0; r < predicted.size(); ++r)
                estimate.push_back(target_model.estimate(dataset.rows[r].stats.at(simulator)));
            auto gated =
                metrics_by_group(near_tie_positions(predicted, estimate, data.groups, window), actual, data.groups);
            gated.mean.mape = gated.worst.mape = NAN;
            for (auto& g : gated.groups) g.metrics.mape = NAN;
            const auto label = fmt::format("{} gated {:g}%", name, 100 * window);
            add_rows(label, gated);
            gated_json = Json{{"model", file},
                              {"name", label},
                              {"kind", predictor.kind()},
                              {"simulator", simulator},
                              {"near_tie_window", window},
                              {"workloads", groups_json(gated)},
                              {"mean", metrics_json(gated.mean)},
                              {"worst", metrics_json(gated.worst)}};
        }

        // Importance: total split gain for trees, |coefficient| of the standardised feature for ridge.
        Json importance = Json::array();
        std::string importance_label;
        if (const auto* gbt = std::get_if<GradientBoostedTrees>(&predictor.model())) {
            for (const auto& [feature, gain] : gbt->feature_importance()) importance.push_back({feature, gain});
            importance_label = "total split gain";
        } else if (const auto* ridge = std::get_if<RidgeRegressor>(&predictor.model())) {
            const auto& pipeline = ridge->features();
            const auto& scales = pipeline.scales();
            const auto coefficients = ridge->coefficients();
            for (std::size_t i = 0; i < coefficients.size(); ++i) {
                // coefficient per unit of prepared feature × its spread = effect of one standard deviation
                const double scale = i < scales.size() ? scales[i] : 1.0;
                importance.push_back({coefficients[i].first, std::abs(coefficients[i].second) * scale});
            }
            importance_label = "|coefficient| x spread (log seconds per standard deviation)";
        }

        Json workloads = Json::array();
        for (const auto& w : dataset.workloads()) {
            Json measured = Json::array(), pred = Json::array();
            for (std::size_t i = 0; i < data.groups.size(); ++i)
                if (data.groups[i] == w) {
                    measured.push_back(actual[i]);
                    pred.push_back(predicted[i]);
                }
            workloads.push_back({{"name", w}, {"measured", measured}, {"predicted", pred}});
        }
        plot_models.push_back({{"name", name},
                               {"kind", predictor.kind()},
                               {"simulator", simulator},
                               {"workloads", workloads},
                               {"importance", importance},
                               {"importance_label", importance_label}});
        models_json.push_back({{"model", file},
                               {"name", name},
                               {"kind", predictor.kind()},
                               {"simulator", simulator},
                               {"workloads", groups_json(table)},
                               {"mean", metrics_json(table.mean)},
                               {"worst", metrics_json(table.worst)}});
        if (!gated_json.is_null()) models_json.push_back(std::move(gated_json));
    }

    // Beside the models, what the rows' counters rank without training: a model is worth its
    // training only where it beats these. Their statistics: --simulator's, else the first model's,
    // else the dataset's first.
    const auto simulators = dataset.simulators();
    if (args.has("simulator")) {
        first_simulator = args.get("simulator");
        if (std::ranges::find(simulators, first_simulator) == simulators.end())
            fail(ErrorKind::invalid_data, "--simulator {}: the dataset has no {} statistics (it has: {})",
                 first_simulator, first_simulator, fmt::join(simulators, ", "));
    } else if (first_simulator.empty()) {
        if (simulators.empty())
            fail(ErrorKind::invalid_data, "the dataset {} has no simulator statistics to rank by",
                 args.positionals().at(0));
        first_simulator = simulators.front();
    }
    const auto baselines = add_baselines(dataset, first_simulator, rank_by, markdown);

    Json plots = Json::array();
    if (!args.has("no-plots") && !plot_models.empty()) {
        const auto data_file = out_dir / "report-data.json";
        write_file_atomically(data_file, Json{{"models", plot_models}}.dump() + '\n');
        run_plot_script(data_file, out_dir);
        markdown += "\n";
        for (const auto& m : plot_models) {
            const auto name = m["name"].get<std::string>();
            for (const auto& [suffix, caption] : {std::pair{"-predicted-vs-measured.png", "predicted vs measured"},
                                                  std::pair{"-importance.png", "feature importance"}}) {
                const auto png = out_dir / (name + suffix);
                if (!std::filesystem::exists(png))
                    fail(ErrorKind::invalid_output, "the plotting script did not write {}", png.string());
                plots.push_back(png.string());
                markdown += fmt::format("![{}: {}]({})\n", name, caption, png.filename().string());
            }
        }
    }
    write_file_atomically(out_dir / "report.md", markdown); // errors (a full disk) are not ignored
    if (args.has("json")) {
        print_json({{"dataset", args.positionals().at(0)},
                    {"report", (out_dir / "report.md").string()},
                    {"models", models_json},
                    {"baselines", baselines},
                    {"plots", plots}});
    } else {
        fmt::print("{}", markdown);
    }
    return exit_ok;
}

} // namespace simtune::cli
