// simtune: the command-line face of the library. `simtune <command> [options]`, git/cargo style.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common.hpp"
#include "job.hpp"
#include "simtune/interrupt.hpp"

namespace {

using namespace simtune::cli;

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(std::span<const std::string>);
    bool distributes = false; ///< shares its work across the ranks of an MPI job
    /// SIGINT/SIGTERM/SIGHUP cancel its work cleanly (children killed, scratch removed, outputs
    /// complete or untouched) instead of ending the process where it stands. Commands that start
    /// no child and write atomically (train) keep the default: they die at once.
    bool cancellable = true;
};

constexpr Command commands[] = {
    {"build", "compile a C kernel for a target into a kernel binary", cmd_build},
    {"simulate", "run a kernel binary in a simulator and print its statistics", cmd_simulate},
    {"measure", "time kernel binaries natively (interleaved passes)", cmd_measure},
    {"predict", "predict the run time of a kernel binary or C kernel", cmd_predict},
    {"tune", "rank candidate implementations by predicted run time", cmd_tune, true},
    {"dataset", "build a training dataset (simulated stats + measured times) as CSV", cmd_dataset, true},
    {"train", "fit a predictor on a dataset and save the model", cmd_train, false, false},
    {"report", "metrics and plots of model(s) against a dataset", cmd_report},
    {"targets", "list the built-in targets", cmd_targets, false, false},
    {"workloads", "list the built-in workloads and their schedule spaces", cmd_workloads, false, false},
};

void print_help() {
    fmt::print("usage: simtune <command> [options]\n\n"
               "Predicts how fast an ML kernel runs on a target CPU from instruction-accurate simulation.\n\n"
               "commands:\n");
    for (const auto& c : commands) fmt::print("  {:<10} {}\n", c.name, c.summary);
    fmt::print("\n'simtune <command> --help' describes a command's options. Commands that produce data\n"
               "take --json and then print one JSON document on stdout; progress goes to stderr.\n\n"
               "exit codes:\n"
               "  0  success\n"
               "  1  the work failed (build error, faulting kernel, timeout, instruction limit)\n"
               "  2  usage error (unknown option, missing or malformed value)\n"
               "  3  bad input file (corrupt or foreign binary, malformed model, dataset or CSV)\n"
               "  4  a required tool is missing (cross compiler, QEMU, python3-matplotlib)\n\n"
               "environment:\n"
               "  SIMTUNE_CACHE_DIR  where built kernel binaries are cached (default ~/.cache/simtune)\n"
#ifdef SIMTUNE_WITH_MPI
               "\nMPI: started by mpirun or srun, 'dataset' and 'tune' share their simulations across the ranks;\n"
               "rank 0 merges the results, times natively, prints and writes files (docs/cluster.md).\n"
#endif
    );
}

// Under MPI a failing rank must take the whole job down, or the others wait for it forever.
int failed(Job& job, int code) {
    if (job.size() > 1) job.abort(code);
    return code;
}

// Interrupted by a signal: the work has unwound (children killed, scratch directories removed,
// output files complete or untouched); die of the same signal, so a shell or script sees it.
[[noreturn]] void die_of_interrupt(int signal) {
    std::fflush(stdout);
    std::fflush(stderr);
    ::signal(signal, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(signal);
    std::_Exit(128 + signal);
}

// Messages from a rank other than the root say which rank they come from.
std::string rank_prefix(const Job& job) {
    return job.is_root() ? std::string() : fmt::format("[rank {}] ", job.rank());
}

} // namespace

int main(int argc, char** argv) {
    Job job(argc, argv); // joins the MPI job if mpirun or srun started this process
    if (!job.is_root()) std::freopen("/dev/null", "w", stdout); // the root alone prints results
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_help();
        return exit_usage;
    }
    const std::string& name = args.front();
    if (name == "--help" || name == "-h" || name == "help") {
        if (name == "help" && args.size() > 1) {
            // `simtune help build` = `simtune build --help`
            args = {args[1], "--help"};
        } else {
            print_help();
            return exit_ok;
        }
    }
    if (args.front() == "--version" || args.front() == "version") {
        fmt::print("simtune {}\n", SIMTUNE_CLI_VERSION);
        return exit_ok;
    }
    for (const auto& c : commands) {
        if (c.name != args.front()) continue;
        const std::span<const std::string> rest(args.begin() + 1, args.end());
        if (job.size() > 1 && !c.distributes) {
            if (job.is_root())
                fmt::print(stderr,
                           "simtune {}: runs in one process; under mpirun or srun only 'dataset' and 'tune' "
                           "share their work (start it without a launcher)\n",
                           c.name);
            return exit_usage;
        }
        if (job.unjoined_ranks() > 1 && c.distributes) {
            fmt::print(stderr,
                       "simtune {}: started as one of {} MPI processes, but this simtune was built without MPI "
                       "support (cmake -DSIMTUNE_WITH_MPI=ON): each would do all the work and write the same "
                       "files\n",
                       c.name, job.unjoined_ranks());
            return exit_usage;
        }
        const auto where = rank_prefix(job);
        if (c.cancellable) simtune::install_interrupt_handlers();
        try {
            const int code = c.run(rest);
            if (const int signal = simtune::interrupt_signal()) die_of_interrupt(signal); // finished anyway
            return code;
        } catch (const UsageError& e) {
            fmt::print(stderr, "{}simtune {}: {}\n(see 'simtune {} --help')\n", where, c.name, e.what(), c.name);
            return failed(job, exit_usage);
        } catch (const simtune::Error& e) {
            if (const int signal = simtune::interrupt_signal(); signal) {
                fmt::print(stderr, "\n{}simtune {}: interrupted by signal {} ({}); stopped cleanly\n", where, c.name,
                           signal, ::strsignal(signal));
                if (job.size() > 1) job.abort(128 + signal);
                die_of_interrupt(signal);
            }
            fmt::print(stderr, "{}simtune {}: error: {}\n", where, c.name, e.what());
            return failed(job, exit_code_for(e.kind()));
        } catch (const std::exception& e) {
            if (const int signal = simtune::interrupt_signal()) die_of_interrupt(signal);
            fmt::print(stderr, "{}simtune {}: internal error: {}\n", where, c.name, e.what());
            return failed(job, exit_failed);
        }
    }
    std::string names;
    for (const auto& c : commands) names += (names.empty() ? "" : ", ") + std::string(c.name);
    fmt::print(stderr, "simtune: unknown command '{}' (commands: {}; see 'simtune --help')\n", args.front(), names);
    return exit_usage;
}
