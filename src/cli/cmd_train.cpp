// simtune train: dataset CSV → model file.
#include "common.hpp"
#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/tuning/experiment.hpp"

namespace simtune::cli {

namespace {

std::string pick_simulator(const ArgParser& args, const Dataset& dataset) {
    const auto available = dataset.simulators();
    if (auto chosen = args.get_optional("simulator")) {
        if (std::ranges::find(available, *chosen) == available.end())
            fail(ErrorKind::invalid_data, "the dataset has no stats from simulator '{}' (it has: {})", *chosen,
                 fmt::join(available, ", "));
        return *chosen;
    }
    if (available.empty()) fail(ErrorKind::invalid_data, "the dataset has no simulator every row has stats for");
    return available.front();
}

} // namespace

int cmd_train(std::span<const std::string> argv) {
    ArgParser args("simtune train", "[options] --out MODEL DATASET.csv",
                   "Fits a predictor of run time on a dataset's simulator statistics and saves it as a model file\n"
                   "for 'simtune predict --model', 'simtune tune --model' and the C++ and Python APIs.");
    args.positional("DATASET.csv", "a dataset written by 'simtune dataset'")
        .option("out", "FILE", "the model file to write", std::nullopt, 'o')
        .option("model", "KIND",
                "ridge (linear, closed form), gbt (gradient-boosted trees), or ensemble (the shipped\n"
                "host model's recipe: the cycle estimate, two votes, and relative pairwise gbt, one;\n"
                "weighted geometric mean)",
                "ridge")
        .option("recipe", "RECIPE",
                "ensemble: the recipe, as example_experiment's --models names one ('+' joins members, a\n"
                "member named twice has two votes, -bN bags N seeds) (default: the shipped host model's)")
        .option("anchor", "EXPR",
                "ensemble: what the relative members' times are relative to: a column, a weighted sum of\n"
                "columns, or 'estimate' (the cycle estimate) (default: MCA cycles, or instructions)")
        .option("simulator", "NAME", "whose stats to learn from (default: the dataset's first simulator)")
        .option("rounds", "N", "gbt: boosting rounds", "200")
        .option("depth", "N", "gbt: maximum tree depth", "6")
        .option("learning-rate", "X", "gbt: shrinkage", "0.1")
        .option("objective", "NAME", "gbt: squared (log time) or pairwise (order within a workload)", "squared")
        .option("seed", "N", "random seed", "42")
        .option("threads", "N", "gbt: training threads (0 = one per core)", "0")
        .flag("relative", "size-free features only, run time relative to the MCA cycle estimate (or the instruction\n"
                          "count), trees learning differences within workloads: the configuration that transfers to\n"
                          "operators the model never saw (benchmarks/RESULTS.md, leave-one-family-out)")
        .flag("json", "print a JSON summary");
    add_target_option(args, "host-x86-64");
    if (!args.parse(argv)) return exit_ok;

    const auto out = args.get("out");
    const auto kind = args.get("model");
    if (kind != "ridge" && kind != "gbt" && kind != "ensemble")
        throw UsageError(fmt::format("unknown model '{}' (known: ridge, gbt, ensemble)", kind));
    if (args.has("recipe") && kind != "ensemble") throw UsageError("--recipe applies to --model ensemble only");
    if (args.has("anchor") && kind != "ensemble") throw UsageError("--anchor applies to --model ensemble only");
    const auto target = resolve_target(args);
    const auto dataset = Dataset::load_csv(args.positionals().at(0));
    const auto simulator = pick_simulator(args, dataset);
    const auto data = dataset.training_set(simulator);
    if (data.rows() < 2)
        fail(ErrorKind::invalid_data, "the dataset has {} usable rows; training needs at least 2", data.rows());
    const auto seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
    const bool is_relative = args.has("relative");

    const std::string recipe_name = kind != "ensemble"   ? ""
                                    : args.has("recipe") ? args.get("recipe")
                                                         : std::string(shipped_model_recipe);
    std::optional<AnyPredictor> model;
    if (kind == "ridge") {
        RidgeOptions options;
        options.seed = seed;
        options.target = model_tag(target.name, parse_simulator_kind(simulator));
        if (is_relative) {
            options.features.raw_counters = false;
            options.features.anchor = relative_anchor(data);
        }
        RidgeRegressor ridge(options);
        ridge.fit(data);
        model.emplace(std::move(ridge));
    } else if (kind == "ensemble") {
        ExperimentOptions recipe;
        recipe.gbt_rounds = static_cast<int>(args.get_int("rounds", 1, 100'000));
        recipe.gbt_depth = static_cast<int>(args.get_int("depth", 1, 12));
        recipe.seed = seed;
        if (args.has("anchor"))
            recipe.anchor = args.get("anchor") == "estimate" ? cycle_estimate(data.feature_names) : args.get("anchor");
        model.emplace(train_model(recipe_name, data, recipe, model_tag(target.name, parse_simulator_kind(simulator))));
    } else {
        GbtOptions options;
        options.rounds = static_cast<int>(args.get_int("rounds", 1, 100'000));
        options.max_depth = static_cast<int>(args.get_int("depth", 1, 12));
        options.learning_rate = args.get_double("learning-rate", 1e-6, 1.0);
        const auto objective = args.get("objective");
        if (objective == "squared") options.objective = GbtObjective::squared;
        else if (objective == "pairwise") options.objective = GbtObjective::pairwise;
        else throw UsageError(fmt::format("unknown objective '{}' (known: squared, pairwise)", objective));
        options.threads = static_cast<unsigned>(args.get_int("threads", 0, 1024));
        options.seed = seed;
        options.target = model_tag(target.name, parse_simulator_kind(simulator));
        if (is_relative) {
            options.features.raw_counters = false;
            options.features.anchor = relative_anchor(data);
            options.center_groups = true;
        }
        GradientBoostedTrees gbt(options);
        gbt.fit(data);
        model.emplace(std::move(gbt));
    }
    model->save(out);

    // In-sample metrics: a sanity check of the fit, not a judgement of the model (use 'report' on
    // held-out data for that).
    const Eigen::VectorXd predicted = model->predict(data.features);
    const std::vector<double> p(predicted.data(), predicted.data() + predicted.size());
    const std::vector<double> a(data.seconds.data(), data.seconds.data() + data.seconds.size());
    const auto table = metrics_by_group(p, a, data.groups);

    if (args.has("json")) {
        print_json({{"model", out},
                    {"kind", kind},
                    {"recipe", recipe_name},
                    {"target", target.name},
                    {"simulator", simulator},
                    {"rows", data.rows()},
                    {"workloads", dataset.workloads()},
                    {"training_metrics",
                     {{"top_k_percent", table.mean.top_k_percent},
                      {"regret", table.mean.regret},
                      {"spearman", table.mean.spearman},
                      {"kendall", table.mean.kendall},
                      {"mape", table.mean.mape}}}});
    } else {
        fmt::print("{}: {} model for {} on {} stats, {} rows over {} workloads\n", out, kind, target.name, simulator,
                   data.rows(), dataset.workloads().size());
        fmt::print("training fit: spearman {:.3f}, top-k {:.1f} %, MAPE {:.1f} %\n", table.mean.spearman,
                   table.mean.top_k_percent, table.mean.mape);
    }
    return exit_ok;
}

} // namespace simtune::cli
