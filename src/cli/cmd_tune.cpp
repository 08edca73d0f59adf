// simtune tune: rank candidates (a workload's schedule space or a directory of binaries).
#include <algorithm>
#include <filesystem>

#include "common.hpp"
#include "job.hpp"
#include "simtune/tuning/sharded_run.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/tuning/workloads.hpp"

namespace simtune::cli {

int cmd_tune(std::span<const std::string> argv) {
    ArgParser args("simtune tune", "[options] (--workload NAME | DIR | BINARY...)",
                   "Ranks candidate implementations by predicted run time: builds and simulates them in parallel,\n"
                   "scores each with the model, and optionally times the best few natively (--confirm) to order\n"
                   "those by measurement, as an autotuner does before committing to a choice.");
    args.positional("DIR|BINARY", "a directory of candidate kernel binaries, or binaries", 0, 0)
        .option("workload", "NAME", "rank variants of a built-in workload (see 'simtune workloads')")
        .option("variants", "N", "how many variants of the workload (0 = all)", "50")
        .option("seed", "N", "which variants (enumeration order)", "1")
        .option("top", "N", "how many of the ranking to show", "10")
        .option("confirm", "N", "time the best N natively and order them by measured time", "0")
        .option("workers", "N", "parallel simulations (0 = one per core)", "0")
        .option("model", "FILE", "a model file written by 'simtune train', 'analytic' for the untrained analytic cost model "
                "(default: the target's default model)")
        .flag("quiet", "no progress display", 'q')
        .flag("json", "print a JSON object");
    add_target_option(args);
    add_timing_options(args, "4", "20");
    args.epilog("examples:\n  simtune tune --workload gemm-128x128x128 --variants 40 --top 5 --confirm 3\n"
                "  simtune tune candidates/ --target cortex-a72 --model a72.model");
    if (!args.parse(argv)) return exit_ok;

    const auto workload_name = args.get_optional("workload");
    if (workload_name.has_value() == !args.positionals().empty())
        throw UsageError("give either --workload NAME or a directory / binaries to rank");

    std::vector<Candidate> candidates;
    std::optional<Isa> isa;
    if (workload_name) {
        const auto workload = workload_by_name(*workload_name);
        const auto variants = enumerate_variants(workload, static_cast<std::size_t>(args.get_int("variants", 0, 1'000'000)),
                                                 static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX)));
        for (const auto& v : variants) candidates.push_back(Candidate::from_source(v.key(), v.source, v.buffers, v.flags));
    } else {
        std::vector<std::filesystem::path> files;
        for (const auto& p : args.positionals()) {
            if (std::filesystem::is_directory(p)) {
                for (const auto& entry : std::filesystem::directory_iterator(p))
                    if (entry.is_regular_file()) files.push_back(entry.path());
            } else {
                files.emplace_back(p);
            }
        }
        std::ranges::sort(files);
        if (files.empty()) fail(ErrorKind::invalid_argument, "no candidate binaries found in {}", fmt::join(args.positionals(), ", "));
        for (const auto& f : files) {
            auto binary = load_binary(f, args);
            if (isa && binary.isa() != *isa)
                fail(ErrorKind::wrong_isa, "{} is a {} binary, but the other candidates are {}", f.string(), binary.isa(), *isa);
            isa = binary.isa();
            candidates.push_back(Candidate::from_binary(f.filename().string(), std::move(binary)));
        }
    }
    const auto target = resolve_target(args, isa);
    const auto model = resolve_model(args, target);

    TunerOptions options;
    options.pool.workers = static_cast<std::size_t>(args.get_int("workers", 0, 1024));
    options.confirm_top = static_cast<std::size_t>(args.get_int("confirm", 0, 1'000'000));
    options.native = timing_options(args);
    if (options.confirm_top > 0 && !target.native)
        throw UsageError(fmt::format("--confirm needs a target this machine can run ({} is not)", target.name));
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
    const auto ranked = tuner.rank(candidates, [&](const CandidateResult&) {
        progress.update(++finished, my_candidates, "simulate");
    });
    progress.finish();
    if (!job.is_root()) return exit_ok; // the root reports for the whole job

    const auto good = static_cast<std::size_t>(std::ranges::count_if(ranked, &CandidateResult::ok));
    const auto shown = std::min(top, good);
    if (args.has("json")) {
        Json ranking = Json::array(), failures = Json::array();
        for (std::size_t i = 0; i < shown; ++i) {
            auto j = to_json(ranked[i]);
            j["rank"] = i + 1;
            ranking.push_back(std::move(j));
        }
        for (const auto& r : ranked)
            if (!r.ok()) failures.push_back(to_json(r));
        print_json({{"target", target.name},
                    {"model", model.description},
                    {"simulator", to_string(model.simulator)},
                    {"candidates", candidates.size()},
                    {"succeeded", good},
                    {"failed", candidates.size() - good},
                    {"ranking", ranking},
                    {"failures", failures}});
    } else {
        fmt::print("{} candidates on {} (model {}, {}): {} ranked, {} failed\n", candidates.size(), target.name,
                   model.description, model.simulator, good, candidates.size() - good);
        fmt::print("{:>4}  {:<56} {:>12} {:>12}\n", "rank", "candidate", "predicted", "measured");
        for (std::size_t i = 0; i < shown; ++i)
            fmt::print("{:>4}  {:<56} {:>12} {:>12}\n", i + 1, ranked[i].name, format_seconds(ranked[i].predicted_seconds),
                       ranked[i].measured_seconds ? format_seconds(*ranked[i].measured_seconds) : "");
        for (const auto& r : ranked)
            if (!r.ok()) fmt::print(stderr, "failed: {}: {}\n", r.name, r.error);
    }
    // Nothing ranked: the overall error carries the first failure's kind (its exit code) and message.
    if (good == 0) require_a_ranked_candidate(ranked);
    return good > 0 ? exit_ok : exit_failed;
}

} // namespace simtune::cli
