// simtune tune: rank candidates (a workload's schedule space, a directory of sources or binaries), optionally
// calibrating the model on a few measured candidates.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "common.hpp"
#include "job.hpp"
#include "simtune/tuning/calibration.hpp"
#include "simtune/tuning/candidate_directory.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/tuning/near_tie_gate.hpp"
#include "simtune/tuning/sharded_run.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/tuning/workloads.hpp"

namespace simtune::cli {

namespace {

/// The candidates named on the command line: one directory (C sources or binaries,
/// load_candidate_directory), or kernel binaries and directories of them.
struct CommandCandidates {
    std::vector<Candidate> list;
    std::optional<Isa> isa;
    std::string workload; ///< the directory's name (imported times may be keyed "<workload>/<name>")
};

CommandCandidates candidates_from(const ArgParser& args) {
    CommandCandidates out;
    const auto positionals = args.positionals();
    CandidateDirectoryOptions options;
    if (auto spec = args.get_optional("buffers")) options.buffers = parse_buffer_spec(*spec);
    options.flags = args.get_all("flag");
    if (auto name = args.get_optional("target")) options.isa = target_by_name(*name).isa;
    if (positionals.size() == 1 && std::filesystem::is_directory(positionals[0])) {
        auto dir = load_candidate_directory(positionals[0], options);
        out.list = std::move(dir.candidates);
        out.isa = dir.isa;
        out.workload = std::move(dir.name);
        return out;
    }
    if (!options.buffers.empty() || !options.flags.empty())
        throw UsageError("--buffers and --flag apply to a directory of C sources");
    std::vector<std::filesystem::path> files;
    for (const auto& p : positionals) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& entry : std::filesystem::directory_iterator(p))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else {
            files.emplace_back(p);
        }
    }
    std::ranges::sort(files);
    if (files.empty())
        fail(ErrorKind::invalid_argument, "no candidate binaries found in {}", fmt::join(positionals, ", "));
    for (const auto& f : files) {
        auto binary = load_binary(f, args);
        if (out.isa && binary.isa() != *out.isa)
            fail(ErrorKind::wrong_isa, "{} is a {} binary, but the other candidates are {}", f.string(), binary.isa(),
                 *out.isa);
        out.isa = binary.isa();
        out.list.push_back(Candidate::from_binary(f.filename().string(), std::move(binary)));
    }
    return out;
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string correction_text(double penalty) {
    return std::isinf(penalty) ? std::string("a common scale only (slopes did not help out of sample)")
                               : fmt::format("ridge on the counters, penalty {:g}", penalty);
}

} // namespace

int cmd_tune(std::span<const std::string> argv) {
    ArgParser args(
        "simtune tune", "[options] (--workload NAME | DIR | BINARY...)",
        "Ranks candidate implementations by predicted run time: builds and simulates them in parallel,\n"
        "scores each with the model, and optionally times the best few natively (--confirm) to order\n"
        "those by measurement, as an autotuner does before committing to a choice.\n"
        "DIR holds your own candidates: C sources of one kernel (each defining simtune_kernel, buffers\n"
        "from --buffers or DIR/buffers.spec) or kernel binaries; each file is a candidate named by its stem.\n"
        "--calibrate N measures N informative candidates (spread over the predicted order and the\n"
        "statistics), adapts the model to this kernel with them and ranks the rest with the adapted model.");
    args.positional("DIR|BINARY", "a directory of C sources or kernel binaries, or binaries", 0, 0)
        .option("workload", "NAME", "rank variants of a built-in workload (see 'simtune workloads')")
        .option("variants", "N", "how many variants of the workload (0 = all)", "50")
        .option("seed", "N", "which variants (enumeration order); with --calibrate, which candidates are picked", "1")
        .option("buffers", "SPEC", "buffers of DIR's C sources, NAME:TYPE:COUNT:ROLE;... (default: DIR/buffers.spec)")
        .option("flag", "FLAG", "extra compiler flag for DIR's C sources", std::nullopt, 0, true)
        .option("top", "N", "how many of the ranking to show", "10")
        .option("confirm", "N", "time the best N natively and order them by measured time", "0")
        .option("calibrate", "N", "measure N informative candidates and calibrate the model on them (0 = off)", "0")
        .option("times-csv", "FILE",
                "--calibrate on a board: its measured times (key,seconds rows; key = candidate name "
                "or DIR-name/candidate)")
        .option("command", "TEMPLATE",
                "--calibrate on a board: run this shell command to time a binary; {binary} and "
                "{args} are substituted")
        .option("workers", "N", "parallel simulations (0 = one per core)", "0")
        .option("sample", "on|P:W:N[:F[:L]]",
                "sampled statistics: every P instructions a warm-up of W to L and a measured window\n"
                "of N, the first F counted exactly (on = 5000000:100000:50000:2000000:1000000);\n"
                "Unicorn samples the dataflow walk too, QEMU counts exactly when the model reads it")
        .option("model", "FILE",
                "a model file written by 'simtune train', 'analytic' for the untrained analytic cost model "
                "(default: the target's default model)")
        .option("near-tie-window", "PCT",
                "the near-tie gate: the model orders only the candidates the untrained cycle estimate prices\n"
                "within PCT % of its cheapest, the others follow (0 = the model alone; applies to models that\n"
                "read MCA's cycles, as the built-in host model does)",
                fmt::format("{:g}", 100 * TunerOptions{}.near_tie_window))
        .flag("quiet", "no progress display", 'q')
        .flag("json", "print a JSON object");
    add_target_option(args);
    add_timing_options(args, "4", "20");
    args.epilog("examples:\n  simtune tune --workload gemm-128x128x128 --variants 40 --top 5 --confirm 3\n"
                "  simtune tune candidates/ --target cortex-a72 --model a72.model\n"
                "  simtune tune my-kernels/ --buffers 'x:f32:4096:in;y:f32:4096:out' --calibrate 5\n"
                "  simtune tune my-kernels/ --target cortex-a72 --model analytic --calibrate 5 --times-csv board.csv");
    if (!args.parse(argv)) return exit_ok;

    const auto workload_name = args.get_optional("workload");
    if (workload_name.has_value() == !args.positionals().empty())
        throw UsageError("give either --workload NAME or a directory / binaries to rank");

    std::vector<Candidate> candidates;
    std::optional<Isa> isa;
    std::string workload;
    if (workload_name) {
        const auto w = workload_by_name(*workload_name);
        const auto variants = enumerate_variants(w, static_cast<std::size_t>(args.get_int("variants", 0, 1'000'000)),
                                                 static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX)));
        for (const auto& v : variants)
            candidates.push_back(Candidate::from_source(v.key(), v.source, v.buffers, v.flags));
    } else {
        auto named = candidates_from(args);
        candidates = std::move(named.list);
        isa = named.isa;
        workload = std::move(named.workload);
    }
    const auto target = resolve_target(args, isa);
    const auto model = resolve_model(args, target);

    TunerOptions options;
    options.pool.workers = static_cast<std::size_t>(args.get_int("workers", 0, 1024));
    options.confirm_top = static_cast<std::size_t>(args.get_int("confirm", 0, 1'000'000));
    if (auto sample = args.get_optional("sample")) options.sampling = parse_sampling(*sample);
    options.near_tie_window = args.get_double("near-tie-window", 0, 1000) / 100;
    options.native = timing_options(args);
    if (options.confirm_top > 0 && !target.native)
        throw UsageError(fmt::format("--confirm needs a target this machine can run ({} is not)", target.name));
    CalibrationOptions calibration;
    calibration.count = static_cast<std::size_t>(args.get_int("calibrate", 0, 1'000'000));
    calibration.seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
    const auto times_csv = args.get_optional("times-csv");
    const auto command = args.get_optional("command");
    if (calibration.count > 0 && options.confirm_top > 0)
        throw UsageError("--confirm and --calibrate both measure candidates: choose one");
    if ((times_csv || command) && calibration.count == 0)
        throw UsageError("--times-csv and --command need --calibrate N");
    if (times_csv && command) throw UsageError("give either --times-csv or --command, not both");
    // Read the times before the long simulations, so a bad file fails at once.
    std::optional<std::map<std::string, double>> times;
    if (times_csv) times = import_times_csv(*times_csv);
    const auto top = static_cast<std::size_t>(args.get_int("top", 0, 1'000'000));

    // Under MPI the ranks share the candidates; rank 0 ranks them, confirms and prints.
    auto& job = Job::current();
    options.collective = job.collective();
    agree_on_plan(options.collective, fmt::format("{} ({})", model.description, model.simulator), "model");
    const std::size_t my_candidates = Shard{job.rank(), job.size()}.size_of(candidates.size());

    Progress progress("tune", !args.has("quiet"));
    std::size_t finished = 0;
    options.native.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total, "confirm"); };
    Tuner tuner(target, model, options);
    auto ranked =
        tuner.rank(candidates, [&](const CandidateResult&) { progress.update(++finished, my_candidates, "simulate"); });
    if (!job.is_root()) return exit_ok; // the root reports for the whole job

    const auto good = static_cast<std::size_t>(std::ranges::count_if(ranked, &CandidateResult::ok));
    // Under the gate, how many candidates the model ordered first: the estimate's near-ties.
    std::size_t near_ties = 0;
    if (tuner.gated()) {
        std::vector<double> estimates;
        for (const auto& r : ranked)
            if (r.ok()) estimates.push_back(r.estimate_cycles);
        near_ties = near_tie_count(estimates, options.near_tie_window);
    }
    // Calibration: measure the picks (natively, through the board's command, or from its times).
    std::optional<CalibratedRanking> calibrated;
    // One ranked candidate has no order to calibrate (a failure of the rest is reported below).
    if (calibration.count > 0 && good == 1)
        fmt::print(stderr, "note: calibration skipped, only one candidate was ranked\n");
    if (calibration.count > 0 && good >= 2) {
        CalibrationMeasure measure;
        if (times) {
            measure = measure_from_times(std::move(*times), *times_csv, workload);
        } else if (command || target.native) {
            auto native = options.native;
            if (command) native.command_template = *command;
            native.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total, "calibrate"); };
            measure = measure_natively(std::move(native));
        } else {
            progress.finish();
            fail(ErrorKind::invalid_argument,
                 "--calibrate on {}: this machine cannot time its binaries; time these {} candidates on the board and "
                 "pass "
                 "their times with --times-csv FILE (key,seconds rows), or give --command TEMPLATE: {}",
                 target.name, std::min(calibration.count, good),
                 fmt::join(calibration_picks(ranked, calibration), ", "));
        }
        calibrated = calibrate_ranking(std::move(ranked), calibration, measure);
        ranked = calibrated->ranking;
    }
    progress.finish();

    const auto shown = std::min(top, good);
    auto calibrated_seconds = [&](std::size_t i) {
        return calibrated ? calibrated->calibrated_seconds[i] : ranked[i].predicted_seconds;
    };
    if (args.has("json")) {
        Json ranking = Json::array(), failures = Json::array();
        for (std::size_t i = 0; i < shown; ++i) {
            auto j = to_json(ranked[i]);
            j["rank"] = i + 1;
            if (calibrated) j["calibrated_seconds"] = calibrated_seconds(i);
            ranking.push_back(std::move(j));
        }
        for (const auto& r : ranked)
            if (!r.ok()) failures.push_back(to_json(r));
        Json document{
            {"target", target.name},           {"model", model.description}, {"simulator", to_string(model.simulator)},
            {"candidates", candidates.size()}, {"succeeded", good},          {"failed", candidates.size() - good}};
        if (calibrated) {
            const auto& a = calibrated->agreement;
            document["calibration"] = {{"measured", a.measured},
                                       {"picks", calibrated->picks},
                                       {"spearman_model", number_or_null(a.spearman_model)},
                                       {"spearman_loo", number_or_null(a.spearman_loo)},
                                       {"penalty", number_or_null(a.penalty)},
                                       {"correction", std::isinf(a.penalty) ? "scale" : "ridge"}};
        }
        if (tuner.gated()) document["near_tie_gate"] = {{"window", options.near_tie_window}, {"near_ties", near_ties}};
        document["ranking"] = ranking;
        document["failures"] = failures;
        print_json(document);
    } else {
        fmt::print("{} candidates on {} (model {}, {}): {} ranked, {} failed\n", candidates.size(), target.name,
                   model.description, model.simulator, good, candidates.size() - good);
        if (tuner.gated() && !calibrated && near_ties == 1)
            fmt::print("near-tie gate: no other candidate is within {:g} % of the cycle estimate's cheapest, which "
                       "ranks first; the model orders the others\n",
                       100 * options.near_tie_window);
        else if (tuner.gated() && !calibrated)
            fmt::print("near-tie gate: the model ordered the {} candidates the cycle estimate prices within {:g} % of "
                       "its cheapest (ranks 1-{}); the others follow\n",
                       near_ties, 100 * options.near_tie_window, near_ties);
        if (calibrated) {
            const auto& a = calibrated->agreement;
            fmt::print("calibrated on {} measured candidates ({}); correction: {}\n", a.measured,
                       fmt::join(calibrated->picks, ", "), correction_text(a.penalty));
            auto figure = [](double v) { return std::isfinite(v) ? fmt::format("{:.3f}", v) : std::string("n/a"); };
            fmt::print("agreement with the measured times (Spearman): model {}, calibrated model leave-one-out {}\n",
                       figure(a.spearman_model), figure(a.spearman_loo));
            fmt::print("{:>4}  {:<48} {:>12} {:>12} {:>12}\n", "rank", "candidate", "predicted", "calibrated",
                       "measured");
        } else {
            fmt::print("{:>4}  {:<56} {:>12} {:>12}\n", "rank", "candidate", "predicted", "measured");
        }
        for (std::size_t i = 0; i < shown; ++i) {
            const auto measured = ranked[i].measured_seconds ? format_seconds(*ranked[i].measured_seconds) : "";
            if (calibrated)
                fmt::print("{:>4}  {:<48} {:>12} {:>12} {:>12}\n", i + 1, ranked[i].name,
                           format_seconds(ranked[i].predicted_seconds), format_seconds(calibrated_seconds(i)),
                           measured);
            else
                fmt::print("{:>4}  {:<56} {:>12} {:>12}\n", i + 1, ranked[i].name,
                           format_seconds(ranked[i].predicted_seconds), measured);
        }
        for (const auto& r : ranked)
            if (!r.ok()) fmt::print(stderr, "failed: {}: {}\n", r.name, r.error);
    }
    // Nothing ranked: the overall error carries the first failure's kind (its exit code) and message.
    if (good == 0) require_a_ranked_candidate(ranked);
    return good > 0 ? exit_ok : exit_failed;
}

} // namespace simtune::cli
