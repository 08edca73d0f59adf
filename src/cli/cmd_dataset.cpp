// simtune dataset: workloads → CSV of (schedule, simulated stats, measured time) rows.
#include "common.hpp"
#include "job.hpp"
#include "simtune/tuning/candidate_directory.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/util.hpp"

namespace simtune::cli {

int cmd_dataset(std::span<const std::string> argv) {
    ArgParser args(
        "simtune dataset", "[options] --out FILE.csv [DIR]",
        "Builds a training dataset: for each variant of the chosen workloads, its statistics from each\n"
        "chosen simulator and its measured run time (native timing, or --times-csv for a board). The CSV\n"
        "is extended in chunks, so an interrupted run resumes where it stopped.\n"
        "DIR instead of --workloads: your own candidates, C sources of one kernel (buffers from --buffers or\n"
        "DIR/buffers.spec) or kernel binaries; rows have workload = DIR's name (or --name) and variant = the\n"
        "file's stem, and train like any other ('simtune train').");
    args.positional("DIR", "a directory of C sources or kernel binaries (instead of --workloads)", 0, 1)
        .option("out", "FILE", "the dataset CSV to create or complete", std::nullopt, 'o')
        .option("workloads", "LIST",
                "'all' (the six built-in), 'corpus' (every family) or workload names separated by commas (see 'simtune "
                "workloads'); default: all")
        .option("name", "NAME", "DIR: the rows' workload name (default: the directory's name)")
        .option("buffers", "SPEC",
                "DIR: buffers of the C sources, NAME:TYPE:COUNT:ROLE;... (default: DIR/buffers.spec)")
        .option("flag", "FLAG", "DIR: extra compiler flag for the C sources", std::nullopt, 0, true)
        .option("variants", "N", "variants per workload (0 = all)", "50")
        .option("seed", "N", "which variants (enumeration order)", "1")
        .option("simulators", "LIST", "unicorn, qemu or both, separated by commas", "unicorn")
        .option("collectors", "LIST",
                "what to collect: mix,branches,memory,caches,pipeline,dataflow (dataflow-without-memory: not the walk "
                "with memory), all or none",
                "all")
        .option("workers", "N", "parallel simulations (0 = one per core)", "0")
        .option("times-csv", "FILE", "measured times of a board (key,seconds rows) instead of native timing")
        .option("sample", "on|P:W:N[:F[:L]]",
                "sampled memory and cache statistics, both simulators: every P instructions a\n"
                "warm-up of W to L and a measured window of N; the first F counted exactly\n"
                "(on = 5000000:100000:50000:2000000:1000000; F and L default to those;\n"
                "the 2 M prefix keeps the rankings of regions of a few million instructions)")
        .option("max-instructions", "N", "fail a variant that executes more instructions", "20000000000")
        .option("timeout-ms", "MS", "fail a variant that simulates longer", "120000")
        .option("chunk", "N",
                "variants built, simulated, measured and appended together (an interruption loses at most one)", "64")
        .flag("quiet", "no progress display", 'q')
        .flag("json", "print a JSON summary");
    add_target_option(args);
    add_timing_options(args);
    if (!args.parse(argv)) return exit_ok;

    const auto out = args.get("out");
    std::vector<Workload> workloads;
    std::optional<CandidateDirectory> dir;
    if (!args.positionals().empty()) {
        if (args.get_optional("workloads")) throw UsageError("give either --workloads or a directory, not both");
        CandidateDirectoryOptions options;
        if (auto spec = args.get_optional("buffers")) options.buffers = parse_buffer_spec(*spec);
        options.flags = args.get_all("flag");
        if (auto name = args.get_optional("target")) options.isa = target_by_name(*name).isa;
        dir = load_candidate_directory(args.positionals().front(), options);
        if (auto name = args.get_optional("name")) dir->name = *name;
    } else {
        if (args.get_optional("name") || args.get_optional("buffers") || !args.get_all("flag").empty())
            throw UsageError("--name, --buffers and --flag apply to a directory of candidates");
        const auto names = args.get_optional("workloads").value_or("all");
        if (names == "all") workloads = builtin_workloads();
        else if (names == "corpus") workloads = corpus_workloads();
        else
            for (const auto& name : split_list(names)) workloads.push_back(workload_by_name(name));
        if (workloads.empty()) throw UsageError("--workloads names no workload");
    }

    const auto target = resolve_target(args, dir ? dir->isa : std::optional<Isa>{});
    DatasetOptions options;
    options.simulators = split_list(args.get("simulators"));
    if (options.simulators.empty()) throw UsageError("--simulators names no simulator");
    for (const auto& s : options.simulators)
        if (s != "unicorn" && s != "qemu")
            throw UsageError(fmt::format("unknown simulator '{}' (known: unicorn, qemu)", s));
    options.collectors = parse_collectors(args.get("collectors"));
    options.workers = static_cast<std::size_t>(args.get_int("workers", 0, 1024));
    options.variants_per_workload = static_cast<std::size_t>(args.get_int("variants", 0, 1'000'000));
    options.seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
    options.chunk = static_cast<std::size_t>(args.get_int("chunk", 1, 1'000'000));
    options.native = timing_options(args);
    options.limits.max_instructions = static_cast<std::uint64_t>(args.get_int("max-instructions", 1, INT64_MAX));
    options.limits.timeout = std::chrono::milliseconds(args.get_int("timeout-ms", 1, max_timeout.count()));
    if (auto sample = args.get_optional("sample")) options.sampling = parse_sampling(*sample);
    if (auto times = args.get_optional("times-csv")) options.times_csv = *times;
    else if (!target.native)
        throw UsageError(
            fmt::format("{} cannot be timed on this machine: give its measured times with --times-csv", target.name));

    // Under MPI the ranks share the simulations; rank 0 alone reads and writes the CSV and times.
    auto& job = Job::current();
    options.collective = job.collective();
    Progress progress("dataset", !args.has("quiet"));
    options.progress = [&](std::string_view phase, std::size_t done, std::size_t total) {
        progress.update(done, total, phase);
    };
    Json failures = Json::array();
    std::string first_key, first_error;
    const auto on_error = [&](const std::string& key, const std::string& error) {
        if (failures.empty()) first_key = key, first_error = error;
        failures.push_back({{"key", key}, {"error", error}});
        if (!args.has("json")) fmt::print(stderr, "skipped {}: {}\n", key, error);
    };
    const auto dataset = dir ? build_dataset(dir->name, dir->candidates, target, options, out, on_error)
                             : build_dataset(workloads, target, options, out, on_error);
    progress.finish();
    if (!job.is_root()) return exit_ok; // the root reports for the whole job

    if (args.has("json")) {
        print_json({{"file", out},
                    {"target", target.name},
                    {"rows", dataset.rows.size()},
                    {"workloads", dataset.workloads()},
                    {"simulators", dataset.simulators()},
                    {"failures", failures}});
    } else {
        fmt::print("{}: {} rows over {} workloads ({} skipped)\n", out, dataset.rows.size(), dataset.workloads().size(),
                   failures.size());
    }
    if (dataset.rows.empty() && !failures.empty()) {
        // Not one row: the overall error names the first failure, with its kind (and so the exit
        // code: 4 for a missing cross compiler). Messages read "<kind>: <text>" (Error::what()).
        ErrorKind kind = ErrorKind::build_failed;
        std::string_view message = first_error;
        for (int k = 0; k <= static_cast<int>(ErrorKind::cancelled); ++k) {
            const auto prefix = fmt::format("{}: ", to_string(static_cast<ErrorKind>(k)));
            if (message.starts_with(prefix)) {
                kind = static_cast<ErrorKind>(k);
                message.remove_prefix(prefix.size());
                break;
            }
        }
        fail(kind, "no dataset row could be made: {} variant(s) failed; the first, {}: {}", failures.size(), first_key,
             message);
    }
    return dataset.rows.empty() ? exit_failed : exit_ok;
}

} // namespace simtune::cli
