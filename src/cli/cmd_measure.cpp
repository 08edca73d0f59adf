// simtune measure: native timing of kernel binaries.
#include "common.hpp"

namespace simtune::cli {

int cmd_measure(std::span<const std::string> argv) {
    ArgParser args("simtune measure", "[options] BINARY...",
                   "Times kernel binaries on this machine (or on a board through --command). Every binary is\n"
                   "measured in several interleaved passes on alternating CPUs; its time is the minimum over passes\n"
                   "and its spread (median - min) / min is the noise seen.");
    args.positional("BINARY", "kernel binaries for this machine (or the board)", 1, 0)
        .option("command", "TEMPLATE",
                "run this shell command instead of the binary; {binary} and {args} are substituted")
        .flag("quiet", "no progress display", 'q')
        .flag("json", "print a JSON array, one object per binary");
    add_timing_options(args);
    add_target_option(args);
    if (!args.parse(argv)) return exit_ok;

    auto options = timing_options(args);
    if (auto command = args.get_optional("command")) options.command_template = *command;
    std::vector<KernelBinary> binaries;
    for (const auto& path : args.positionals()) binaries.push_back(load_binary(path, args));
    if (options.command_template.empty()) {
        for (const auto& b : binaries)
            if (b.isa() != Isa::x86_64)
                fail(ErrorKind::wrong_isa,
                     "{} is a {} binary and cannot run on this machine (use --command for a board)", b.path().string(),
                     b.isa());
    }
    Progress progress("measure", !args.has("quiet"));
    options.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    const auto timings = NativeRunner(options).measure(binaries);
    progress.finish();

    if (args.has("json")) {
        Json out = Json::array();
        for (std::size_t i = 0; i < binaries.size(); ++i) {
            auto j = to_json(timings[i]);
            j["binary"] = args.positionals()[i];
            out.push_back(std::move(j));
        }
        print_json(out);
    } else {
        fmt::print("{:<48} {:>12} {:>12} {:>8}\n", "binary", "min", "median", "spread");
        for (std::size_t i = 0; i < binaries.size(); ++i)
            fmt::print("{:<48} {:>12} {:>12} {:>7.1f}%\n", args.positionals()[i], format_seconds(timings[i].seconds),
                       format_seconds(timings[i].median_seconds), 100 * timings[i].spread);
    }
    return exit_ok;
}

} // namespace simtune::cli
