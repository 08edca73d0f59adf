// tiny-compiler: a small ML compiler, front to back. It parses a GEMM or conv2d description,
// lowers it to a loop nest, enumerates schedules, emits C for each, builds them for a target
// through simtune, ranks them with simtune's Tuner, checks that the chosen schedule computes what
// the naive loop nest computes, and writes the chosen implementation and a report of why.
//
//   tiny_compiler [options] <description...>      e.g.  tiny_compiler --target cortex-a72 gemm M=64 N=64 K=64
// Options:
//   --file PATH        read the description from a file instead
//   --target NAME      host-x86-64 (default), cortex-a72, sifive-u74
//   --schedules N      candidates to rank, the naive schedule included (default 24)
//   --seed S           which sample of the schedule space (default 1)
//   --model KIND       default: the target's trained model if it has one, else the analytic model;
//                      analytic: the analytic model
//   --confirm N        measure the N best natively and order them by measured time (host only)
//   --verify N         besides the winner, check the next N-1 best too (default 3 in total)
//   --workers N        parallel builds/simulations (default: one per core)
//   --out DIR          where kernel.c, report.txt and report.json go (default tiny-compiler-out)
// Exit status: 0 done; 1 error (bad description, build or simulation failure of every candidate,
// a schedule whose output differs from the naive one); 2 bad command line.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <simtune/simtune.hpp>

#include "codegen.hpp"
#include "frontend.hpp"
#include "ir.hpp"
#include "report.hpp"
#include "schedule.hpp"
#include "verify.hpp"

namespace fs = std::filesystem;
using namespace simtune;

namespace {

struct Options {
    std::string description, file;
    std::string target = "host-x86-64";
    std::size_t schedules = 24;
    std::uint64_t seed = 1;
    std::string model = "default";
    std::size_t confirm = 0, verify = 3, workers = 0;
    fs::path out = "tiny-compiler-out";
};

[[noreturn]] void usage(const std::string& problem) {
    fmt::print(
        stderr,
        "tiny-compiler: {}\nusage: tiny_compiler [--file PATH] [--target NAME] [--schedules N] [--seed S] "
        "[--model default|analytic] [--confirm N] [--verify N] [--workers N] [--out DIR] <description...>\n"
        "  e.g. tiny_compiler gemm M=64 N=64 K=64\n"
        "       tiny_compiler --target sifive-u74 conv2d N=1 H=28 W=28 C=16 K=32 R=3 S=3 stride=1 pad=1 layout=nhwc\n",
        problem);
    std::exit(2);
}

std::size_t number(const std::string& flag, const char* text) {
    char* end = nullptr;
    const auto v = std::strtoull(text, &end, 10);
    if (!*text || *end || text[0] == '-') usage(fmt::format("{} needs a non-negative integer, got '{}'", flag, text));
    return v;
}

Options parse_args(int argc, char** argv) {
    Options o;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage(fmt::format("{} needs a value", a));
            return argv[++i];
        };
        if (a == "--file") o.file = value();
        else if (a == "--target") o.target = value();
        else if (a == "--schedules") o.schedules = number(a, value());
        else if (a == "--seed") o.seed = number(a, value());
        else if (a == "--model") o.model = value();
        else if (a == "--confirm") o.confirm = number(a, value());
        else if (a == "--verify") o.verify = number(a, value());
        else if (a == "--workers") o.workers = number(a, value());
        else if (a == "--out") o.out = value();
        else if (a == "--help" || a == "-h") usage("compiles one GEMM or conv2d for a target");
        else if (a.starts_with("--")) usage(fmt::format("unknown option {}", a));
        else words.push_back(a);
    }
    o.description = fmt::format("{}", fmt::join(words, " "));
    if (o.file.empty() == o.description.empty())
        usage("give one operator description, on the command line or with --file");
    if (o.schedules < 2) usage("--schedules must be at least 2 (the naive schedule and one more)");
    if (o.model != "default" && o.model != "analytic")
        usage(fmt::format("--model must be default or analytic, got '{}'", o.model));
    if (o.verify < 1) usage("--verify must be at least 1 (the winner is always checked)");
    return o;
}

/// The model that ranks: the target's trained model if it has one (unless analytic is asked
/// for), else the analytic model; with a sentence on how far it can be trusted.
std::pair<TargetModel, std::string> choose_model(const Target& target, const std::string& kind) {
    if (kind == "default") {
        try {
            return {default_model(target),
                    "a model trained on this machine's measured run times (see benchmarks/RESULTS.md)"};
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::invalid_model) throw;
        }
    }
    auto note =
        target.native
            ? std::string("the untrained analytic cost model; on this machine its rankings were checked against "
                          "measured times (benchmarks/RESULTS.md, \"Analytic cost model\")")
            : fmt::format("the untrained analytic cost model, UNVALIDATED on {}: there are no measured run times "
                          "for this target, so its predictions are first-order estimates only",
                          target.name);
    return {analytic_model(target), note};
}

} // namespace

int main(int argc, char** argv) {
    const auto opt = parse_args(argc, argv);
    try {
        // Front end → IR → schedule space → C.
        const auto op = opt.file.empty() ? tiny::parse_operator(opt.description) : tiny::parse_operator_file(opt.file);
        const auto nest = tiny::lower(op);
        const auto target = target_by_name(opt.target);
        if (opt.confirm && !target.native)
            fail(ErrorKind::invalid_argument, "--confirm measures natively; {} binaries do not run on this machine",
                 target.name);
        const auto schedules = tiny::enumerate_schedules(nest, opt.schedules, opt.seed);
        const auto buffers = nest.buffers();
        std::vector<Candidate> candidates;
        for (const auto& s : schedules)
            candidates.push_back(Candidate::from_source(s.id(), tiny::emit_c(nest, s), buffers, s.flags()));
        fmt::print("tiny-compiler: {} → {} loops, {} MACs; {} of ~{:.3g} schedules for {}\n", op.text,
                   nest.loops.size(), nest.macs(), schedules.size(), tiny::schedule_space(nest).size(), target.name);

        // Build, simulate, rank.
        auto [model, model_note] = choose_model(target, opt.model);
        TunerOptions tuner_options;
        tuner_options.pool.workers = opt.workers;
        tuner_options.confirm_top = opt.confirm;
        Tuner tuner(target, model, tuner_options);
        const auto results = tuner.rank(candidates);
        if (results.empty() || !results.front().ok()) {
            // Nothing to choose from: list every failure, then the overall error (the first failure's
            // kind and message, e.g. a missing cross compiler).
            for (const auto& r : results)
                fmt::print(stderr, "tiny-compiler: schedule {} failed: {}\n", r.name, r.error);
            require_a_ranked_candidate(results);
            fail(ErrorKind::invalid_argument, "no schedule to rank");
        }

        // Correctness: the winner and the next best against the naive schedule.
        const auto naive = std::ranges::find(results, std::size_t{0}, &CandidateResult::index);
        if (!naive->ok()) fail(ErrorKind::build_failed, "the naive schedule failed: {}", naive->error);
        std::vector<tiny::OutputCheck> checks;
        std::vector<std::string> methods{"unicorn"};
        if (target.native) methods.push_back("native");
        for (const auto& method : methods) {
            const auto reference = tiny::run_output(*naive->binary, target, method);
            for (std::size_t i = 0; i < results.size() && i < opt.verify && results[i].ok(); ++i)
                if (results[i].index != 0)
                    checks.push_back(tiny::compare_outputs(results[i].name, method, reference,
                                                           tiny::run_output(*results[i].binary, target, method)));
        }

        // The chosen implementation and the report.
        fs::create_directories(opt.out);
        const auto& winner = results.front();
        {
            std::ofstream c(opt.out / "kernel.c");
            c << fmt::format("/* Chosen by tiny-compiler for {} ({} model: {}), predicted {:.4g} s per call.\n"
                             "   Buffers, in argument order: {} */\n",
                             target.name, model.description, model.simulator, winner.predicted_seconds,
                             format_buffer_spec(buffers))
              << candidates[winner.index].source;
        }
        tiny::ReportInput in{op, nest, target, model, model_note, schedules, results, checks};
        const auto json = tiny::report_json(in);
        const auto text = tiny::report_text(in);
        std::ofstream(opt.out / "report.json") << json.dump(2) << "\n";
        std::ofstream(opt.out / "report.txt") << text;
        fmt::print("{}", text);
        fmt::print("wrote {}, {}, {}\n", (opt.out / "kernel.c").string(), (opt.out / "report.txt").string(),
                   (opt.out / "report.json").string());
        for (const auto& c : checks)
            if (!c.ok)
                fail(ErrorKind::invalid_output,
                     "schedule {} computes a different result from the naive loop nest ({}: max |diff| {} > {})",
                     c.name, c.method, c.max_abs_diff, c.tolerance);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tiny-compiler: error: {}\n", e.what());
        return 1;
    }
}
